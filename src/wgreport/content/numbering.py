"""The report's chapters and their numbers (1, 2, …; annexes A, B, …), and its figures and
tables numbered within them (Figure 4.2, Table B.3), with the tables' titles. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..i18n import gettext
from ..inputs.comments import CommentSummary
from ..inputs.models import KEY_MESSAGES, EditorialChapter, WorkingGroup
from ..inputs.outline import ANNEXES as ANNEXES  # re-exported: tests reorder the annexes
from ..inputs.outline import FRONT_CHAPTERS, MEMBERS, TABLE_TITLES, UNNUMBERED
from .chartkit import Chart, inline_svg, is_large_group
from .contributed import Item
from .reportmodel import Chapter, DataTable, FigureView
from .tables import member_label


def report_chapters(
    member_names: Sequence[tuple[str, str]], editorial: Sequence[EditorialChapter] = ()
) -> list[Chapter]:
    """Every chapter in order; `member_names` are (code, name) of the members included,
    `editorial` the chapters the secretariat writes, each before or after a chapter
    (`members`: the members' chapters as a block). Chapters after the summary are numbered
    (1, 2, …, the members' and the editorial ones too) and annexes lettered (Annex A,
    B, …); an editorial chapter before the summary is not numbered, one among the
    annexes is lettered. Figures and tables are numbered within them (Figure 4.2)."""
    # (id, title, template, member index, annex)
    base: list[tuple[str, str, str, int | None, bool]] = [
        *((c, gettext(t), tpl, None, False) for c, t, tpl in FRONT_CHAPTERS),
        *((f"member-{code.lower()}", name, "_member", index, False)
          for index, (code, name) in enumerate(member_names)),
        *((c, gettext(t), tpl, None, True) for c, t, tpl in ANNEXES),
    ]  # fmt: skip
    order = list(base)
    first_member = next((k for k, b in enumerate(base) if b[3] is not None), None)
    for chapter in editorial:
        if chapter.id == KEY_MESSAGES:
            continue
        anchor = chapter.before or chapter.after
        ids = [o[0] for o in order]
        if anchor == MEMBERS and first_member is not None:
            members = [k for k, o in enumerate(order) if o[3] is not None]
            at = members[0] if chapter.before else members[-1] + 1
        elif anchor in ids:
            at = ids.index(anchor) + (0 if chapter.before else 1)
        else:  # validation refuses an unknown place; without members: before the annexes
            at = next(k for k, o in enumerate(order) if o[4])
        annex = at > 0 and order[at - 1][4]  # lettered among the annexes
        order.insert(at, (chapter.id, chapter.title, "_editorial", None, annex))
    chapters: list[Chapter] = []
    count = annexes = 0
    for k, (chapter_id, title, template, member, annex) in enumerate(order):
        following = next((o[0] for o in order[k:] if o[2] != "_editorial"), "")
        if chapter_id in UNNUMBERED or (template == "_editorial" and following in UNNUMBERED):
            chapters.append(Chapter(id=chapter_id, title=title, template=template))
        elif annex:
            letter = chr(ord("A") + annexes)
            annexes += 1
            label = gettext("Annex %(letter)s") % {"letter": letter}
            chapters.append(Chapter(id=chapter_id, title=f"{label}. {title}", label=label,
                                    number=letter, template=template))  # fmt: skip
        else:
            count += 1
            chapters.append(Chapter(id=chapter_id, title=f"{count}. {title}",
                                    label=gettext("Chapter %(number)s") % {"number": count},
                                    number=str(count),
                                    template=template, member=member))  # fmt: skip
    return chapters


def _in_chapters(ids_by_chapter: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Number items within their chapters, in order: (item id, chapter number) → "4.2"."""
    counts: dict[str, int] = {}
    out = {}
    for item, chapter in ids_by_chapter:
        counts[chapter] = counts.get(chapter, 0) + 1
        out[item] = f"{chapter}.{counts[chapter]}"
    return out


@dataclass(frozen=True)
class Numbering:
    """The report's figures and tables, numbered in order: which charts make each figure
    (a large group's figure is several panels sharing its number), and which table holds
    each figure's data."""

    panels: dict[str, list[Chart]]
    theme_figure_ids: list[str]
    indicator_figure_ids: list[str]
    data_of: dict[str, str]  # figure id → the id of the table with its data
    tables: dict[str, str]  # table id → number within its chapter ("4.1", "B.2")
    figures: dict[str, str]  # figure id → number within its chapter
    large: bool

    @property
    def figure_ids(self) -> list[str]:
        return self.theme_figure_ids + self.indicator_figure_ids

    def named_notes(
        self, figure_id: str, notes: Sequence[str], in_data_table: bool = False
    ) -> list[str]:
        """A chart's notes with the tables they point to named by number: a chart is drawn
        before the report is numbered, so it writes `{data_table}` (its figure's data) and
        `{completeness_table}` (why a value is missing) for them. Under the data table
        itself, its own number reads "this table"."""
        data = (
            gettext("this table")
            if in_data_table
            else gettext("Table %(number)s") % {"number": self.tables[self.data_of[figure_id]]}
        )
        completeness = self.tables.get("completeness-table")
        out = []
        for note in notes:
            note = note.replace("{data_table}", data)
            if completeness:
                note = note.replace(
                    "{completeness_table}", gettext("Table %(number)s") % {"number": completeness}
                )
            out.append(note.replace("{completeness_table}", gettext("the completeness table")))
        return out

    def figure_views(self, figure_id: str) -> list[FigureView]:
        number = self.figures[figure_id]
        return [
            FigureView(
                id=chart.id,
                number=number,
                title=chart.title,
                alt=chart.alt,
                svg=inline_svg(chart, f"{number}{chart.panel}"),
                data_table=self.data_of[figure_id],
                data_table_number=self.tables[self.data_of[figure_id]],
                notes=self.named_notes(figure_id, chart.notes),
                panel=chart.panel,
                part=chart.part,
                compact=chart.compact,
                source=chart.source,
            )
            for chart in self.panels[figure_id]
        ]

    def figure_table(self, figure_id: str) -> DataTable:
        charts = self.panels[figure_id]
        return DataTable(
            id=f"data-{figure_id}",
            number=self.tables[f"data-{figure_id}"],
            title=gettext("Data for Figure %(number)s: %(title)s")
            % {"number": self.figures[figure_id], "title": charts[0].title},
            columns=charts[0].columns,
            rows=[row for chart in charts for row in chart.rows],
            notes=self.named_notes(figure_id, charts[0].notes, in_data_table=True)
            if len(charts) == 1
            else [],
            dense=self.large or len(charts[0].columns) > 8,  # a wide table: smaller type
        )


def numbering(
    wg: WorkingGroup,
    members: Sequence[str],
    charts: Sequence[Chart],
    comments: CommentSummary | None,
    chapters: Sequence[Chapter],
    with_references: bool = True,
    contributed: Mapping[str, Sequence[Item]] | None = None,
) -> Numbering:
    """Number every figure and table within its chapter; `contributed` gives each member's
    own tables and figures in its chapter's order (contributed.member_items), the indicator
    table among them."""
    panels: dict[str, list[Chart]] = {}
    for chart in charts:
        panels.setdefault(chart.figure_id, []).append(chart)
    theme_ids: list[str] = [i for i in ("fig-themes", "fig-status") if i in panels]
    indicator_ids = [
        figure_id
        for i in wg.indicators
        for figure_id in (f"fig-{i.id}", f"fig-change-{i.id}")
        if figure_id in panels
    ]
    figure_ids = theme_ids + indicator_ids
    # A large group's annex is denser: one member × indicator table holds the data of every
    # indicator figure, and only the tables that add information are kept.
    large = is_large_group(len(members))
    if large:
        data_of = {f: "values-table" if f in indicator_ids else f"data-{f}" for f in figure_ids}
        annex_ids = [
            "values-table",
            "sources-table",
            "initiatives-table",
            *[f"data-{f}" for f in theme_ids],
        ]
    else:
        data_of = {f: f"data-{f}" for f in figure_ids}
        annex_ids = ["values-table", "initiatives-table", *[f"data-{f}" for f in figure_ids]]
    number = {c.id: c.number for c in chapters}
    tables = [
        *([("references-table", number["about"])] if with_references else []),
        ("governance-table", number["governance"]),
        ("indicator-table", number["indicators"]),
        *[
            (item.id, number[f"member-{code.lower()}"])
            for code in members
            for item in _member_items(code, contributed)
            if item.kind == "table"
        ],
        *[(t, number["annex-data"]) for t in (*annex_ids, "completeness-table")],
        ("contributors-table", number["annex-contributors"]),
        ("status-table", number["annex-status"]),
        *(
            [("comments-table", number["annex-status"])]
            if comments and comments.open_by_section
            else []
        ),
    ]
    figures = [(f, number["themes"]) for f in theme_ids]
    figures += [(f, number["indicators"]) for f in indicator_ids]
    figures += [
        (item.id, number[f"member-{code.lower()}"])
        for code in members
        for item in _member_items(code, contributed)
        if item.kind == "figure"
    ]
    return Numbering(
        panels=panels,
        theme_figure_ids=theme_ids,
        indicator_figure_ids=indicator_ids,
        data_of=data_of,
        tables=_in_chapters(tables),
        figures=_in_chapters(figures),
        large=large,
    )


def _member_items(code: str, contributed: Mapping[str, Sequence[Item]] | None) -> list[Item]:
    if contributed and code in contributed:
        return list(contributed[code])
    return [Item("table", f"tab-{code.lower()}-indicators", "")]


def table_titles(
    wg: WorkingGroup,
    members: Sequence[str],
    data_tables: Sequence[DataTable],
    contributed: Mapping[str, Sequence[Item]] | None = None,
) -> dict[str, str]:
    """Every numbered table's title, as its caption and the list of tables print it."""
    titles = {table: gettext(title) for table, title in TABLE_TITLES.items()}
    for code in members:
        titles[f"tab-{code.lower()}-indicators"] = gettext(
            "%(member)s: indicator values, group median and rank among members"
        ) % {"member": member_label(wg, code)}
        for item in _member_items(code, contributed):
            if item.kind == "table" and item.title:
                titles[item.id] = item.title
    titles.update({t.id: t.title for t in data_tables})
    return titles
