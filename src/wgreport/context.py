"""Build the one typed context that every template sees.

Numbers are formatted and Markdown is rendered here, so templates only place values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from . import aggregate
from .charts import Chart, inline_svg, is_large_group
from .comments import CommentSummary
from .formatting import as_int, format_number, is_missing
from .inputs import LoadedEdition
from .markdown import render_markdown
from .models import Contribution, Indicator, WorkingGroup

ILLUSTRATIVE_NOTICE = (
    "Indicator values are published figures, cited with their sources. The narratives in "
    "this demonstration edition (summaries, initiatives, case studies and contacts) are "
    "illustrative: they were written to exercise the pipeline and do not describe real "
    "programmes or people."
)
STATUS_TITLES = {
    "planned": "Planned",
    "in-progress": "In progress",
    "completed": "Completed",
    "discontinued": "Discontinued",
}
#: The executive summary lists at most this many initiatives in one finding (the demo
#: edition's 14 completed initiatives are all named); a longer list is counted by theme,
#: with the NOTABLE longest-running named and the rest counted.
MAX_LISTED = 15
NOTABLE = 5
COORDINATION_TITLES = {
    "centralised": "Centralised",
    "decentralised": "Decentralised",
    "hybrid": "Hybrid",
}


class _Ctx(BaseModel):
    model_config = ConfigDict(frozen=True)


class BuildInfo(_Ctx):
    draft: str | None  # "Draft 003", or None for a final
    built_at: str  # ISO 8601, UTC
    version: str
    allowed_missing: list[str] = []  # a final published without these members


class Chapter(_Ctx):
    """One chapter or annex, in report order: it drives the section includes, the
    headings, the contents, the bookmarks and every cross-reference to it."""

    id: str
    title: str  # the heading as printed, with its label: "Annex A. Indicator definitions…"
    label: str = ""  # how the text refers to it ("Annex A"); "" for an unlabelled chapter
    template: str  # the partial under templates/sections/ that renders it
    member: int | None = None  # a member's chapter: its index in ReportContext.members


#: The chapters before the members' and the annexes after them: (id, title, partial).
FRONT_CHAPTERS = [
    ("foreword", "Foreword", "_foreword"),
    ("summary", "Executive summary", "_summary"),
    ("about", "About the working group and its method", "_about"),
    ("governance", "Governance", "_governance"),
    ("themes", "Themes and practices", "_themes"),
    ("indicators", "Indicators", "_indicators"),
]
ANNEXES = [
    ("annex-indicators", "Indicator definitions and sources", "_annex_indicators"),
    ("annex-data", "Data tables", "_annex_data"),
    ("annex-contributors", "Contributors", "_annex_contributors"),
    ("annex-status", "Submission status and validation notes", "_annex_status"),
]


def report_chapters(member_names: Sequence[tuple[str, str]]) -> list[Chapter]:
    """Every chapter in order; `member_names` are (code, name) of the members included.
    Annexes are lettered in order (Annex A, B, …)."""
    annexes = []
    for index, (chapter_id, title, template) in enumerate(ANNEXES):
        label = f"Annex {chr(ord('A') + index)}"
        annexes.append(Chapter(id=chapter_id, title=f"{label}. {title}", label=label,
                               template=template))  # fmt: skip
    return [
        *[Chapter(id=i, title=t, template=p) for i, t, p in FRONT_CHAPTERS],
        *[
            Chapter(id=f"member-{code.lower()}", title=name, template="_member", member=index)
            for index, (code, name) in enumerate(member_names)
        ],
        *annexes,
    ]


class Finding(_Ctx):
    text: str
    ref: str  # the id of the table or chapter the finding comes from
    ref_title: str


class StatusRow(_Ctx):
    code: str
    name: str
    label: str
    late: bool
    valid: bool
    errors: int
    warnings: int


class IndicatorColumn(_Ctx):
    id: str
    title: str
    unit: str
    decimals: int
    higher_is_better: bool


class MatrixRow(_Ctx):
    label: str
    cells: list[str]
    kind: str = "member"  # member | statistic


class IndicatorDefinition(_Ctx):
    caveat: str | None
    id: str
    title: str
    unit: str
    bounds: str
    higher_is_better: bool
    definition: str
    source: str
    required: bool


class IndicatorLine(_Ctx):
    id: str
    title: str
    value: str
    data_year: str
    median: str
    rank: str
    previous: str
    change: str
    source: str
    note: str


class InitiativeView(_Ctx):
    id: str
    title: str
    theme: str
    status: str
    status_class: str
    period: str
    description_html: str
    outcomes: list[str]
    links: list[tuple[str, str]]
    image_src: str | None
    image_alt: str | None


class GovernanceView(_Ctx):
    lead_institution: str
    coordination_model: str
    strategy: str
    strategy_adopted: str
    strategy_horizon: str
    strategy_url: str | None
    legal_instruments: list[tuple[str, int]]


class CaseStudyView(_Ctx):
    title: str
    body_html: str
    image_src: str | None
    image_alt: str | None


class MemberChapter(_Ctx):
    id: str
    table_number: int
    code: str
    name: str
    ministry: str
    contact_organisation: str
    submitted: str
    late: bool
    summary_html: str
    governance: GovernanceView
    initiatives: list[InitiativeView]
    indicators: list[IndicatorLine]
    case_study: CaseStudyView | None


class GovernanceRow(_Ctx):
    member: str
    lead_institution: str
    coordination_model: str
    strategy: str
    adopted: str
    legal_instruments: int


class ThemeRow(_Ctx):
    title: str
    cells: list[int]
    total: int


class FigureView(_Ctx):
    id: str
    number: int
    title: str
    alt: str
    svg: str  # the chart as inline SVG markup (role=img, title and desc)
    data_table: str  # the id of the annex table with its data
    data_table_number: int
    notes: list[str]
    panel: str = ""  # "a", "b", …: this is one panel of Figure `number` ("" for a whole one)
    part: str = ""  # which members the panel shows
    compact: bool = False  # a large group's layout: printed up to a page tall


class DataTable(_Ctx):
    id: str
    number: int
    title: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str]
    # A header row above `columns[1:]`: (title, columns spanned), e.g. one per indicator.
    column_groups: list[tuple[str, int]] = []
    dense: bool = False  # smaller type and padding in print (a large group's annex)


class ContributorRow(_Ctx):
    member: str
    organisation: str
    contact: str
    submitted: str
    late: bool


class ValidationNote(_Ctx):
    member: str
    severity: str
    code: str
    where: str
    message: str


class Download(_Ctx):
    href: str
    title: str


class ReportContext(_Ctx):
    """Everything the templates show, already formatted."""

    year: int
    title: str
    subtitle: str
    group_name: str
    forum: str
    chair: str
    editors: list[str]
    build: BuildInfo
    notice: str
    foreword_html: str
    chapters: list[Chapter]
    findings: list[Finding]
    status: list[StatusRow]
    left_out: list[StatusRow]
    indicator_columns: list[IndicatorColumn]
    indicator_rows: list[MatrixRow]
    governance_rows: list[GovernanceRow]
    theme_members: list[str]
    theme_rows: list[ThemeRow]
    status_totals: list[tuple[str, int]]
    members: list[MemberChapter]
    definitions: list[IndicatorDefinition]
    previous_year: int | None
    theme_figures: list[FigureView]
    indicator_figures: list[FigureView]
    table_numbers: dict[str, int]
    data_tables: list[DataTable]
    contributors: list[ContributorRow]
    validation_notes: list[ValidationNote]
    downloads: list[Download]
    caveats: list[str]
    comments: CommentSummary | None = None

    def label(self, chapter_id: str) -> str:
        """How the text refers to a chapter ("Annex D"): the one place that names it."""
        for chapter in self.chapters:
            if chapter.id == chapter_id:
                if not chapter.label:
                    raise ValueError(f"chapter {chapter_id!r} has no label to refer to it by")
                return chapter.label
        raise KeyError(f"no chapter {chapter_id!r} in this report")


def build_context(
    loaded: LoadedEdition,
    build: BuildInfo,
    *,
    frames: aggregate.Frames,
    charts: Sequence[Chart] = (),
    foreword_markdown: str = "",
    previous_year: int | None = None,
    image_src: Mapping[str, str] | None = None,
    downloads: Sequence[tuple[str, str]] = (),
    comments: CommentSummary | None = None,
) -> ReportContext:
    """Assemble the report context from a loaded edition and its frames (pure: no I/O)."""
    wg = loaded.working_group
    edition = loaded.edition
    contributions = loaded.contributions
    images = image_src or {}
    members = [m for m in wg.members if m.code in contributions]
    late = {s.code for s in loaded.status if s.late}

    # A figure is one chart, or in a large group several panels sharing its number.
    panels: dict[str, list[Chart]] = {}
    for chart in charts:
        panels.setdefault(chart.figure_id, []).append(chart)
    theme_figure_ids = [i for i in ("fig-themes", "fig-status") if i in panels]
    indicator_figure_ids = [
        figure_id
        for i in wg.indicators
        for figure_id in (f"fig-{i.id}", f"fig-change-{i.id}")
        if figure_id in panels
    ]
    figure_ids = theme_figure_ids + indicator_figure_ids
    # A large group's annex is denser: one member × indicator table holds the data of every
    # indicator figure, and only the tables that add information are kept.
    large = is_large_group(len(members))
    if large:
        data_of = {
            f: "values-table" if f in indicator_figure_ids else f"data-{f}" for f in figure_ids
        }
        annex_ids = [
            "values-table",
            "sources-table",
            "initiatives-table",
            *[f"data-{f}" for f in theme_figure_ids],
        ]
    else:
        data_of = {f: f"data-{f}" for f in figure_ids}
        annex_ids = ["values-table", "initiatives-table", *[f"data-{f}" for f in figure_ids]]
    table_ids = [
        "governance-table",
        "indicator-table",
        *[f"tab-{m.code.lower()}-indicators" for m in members],
        *annex_ids,
        "completeness-table",
        "contributors-table",
        "status-table",
        *(["comments-table"] if comments is not None and comments.open_by_section else []),
    ]
    tables = {t: n for n, t in enumerate(table_ids, start=1)}
    figures = {f: n for n, f in enumerate(figure_ids, start=1)}

    def figure_views(figure_id: str) -> list[FigureView]:
        number = figures[figure_id]
        return [
            FigureView(
                id=chart.id,
                number=number,
                title=chart.title,
                alt=chart.alt,
                svg=inline_svg(chart, f"{number}{chart.panel}"),
                data_table=data_of[figure_id],
                data_table_number=tables[data_of[figure_id]],
                notes=chart.notes,
                panel=chart.panel,
                part=chart.part,
                compact=chart.compact,
            )
            for chart in panels[figure_id]
        ]

    def figure_table(figure_id: str) -> DataTable:
        first = panels[figure_id][0]
        return DataTable(
            id=f"data-{figure_id}",
            number=tables[f"data-{figure_id}"],
            title=f"Data for Figure {figures[figure_id]}: {first.title}",
            columns=first.columns,
            rows=[row for chart in panels[figure_id] for row in chart.rows],
            notes=first.notes if len(panels[figure_id]) == 1 else [],
            dense=large,
        )

    if large:
        annex_tables = [
            _values_by_member_table(
                wg, frames, tables["values-table"], previous_year, figures, indicator_figure_ids
            ),
            _sources_table(wg, frames, tables["sources-table"]),
            _initiatives_table(wg, frames, tables["initiatives-table"], dense=True),
            *[figure_table(f) for f in theme_figure_ids],
            _completeness_table(wg, frames, tables["completeness-table"], dense=True),
        ]
    else:
        annex_tables = [
            _values_table(wg, frames, tables["values-table"]),
            _initiatives_table(wg, frames, tables["initiatives-table"]),
            *[figure_table(f) for f in figure_ids],
            _completeness_table(wg, frames, tables["completeness-table"]),
        ]

    chapters = report_chapters([(m.code, m.name) for m in members])
    status_rows = [
        StatusRow(
            code=s.code,
            name=s.name,
            label=s.label,
            late=s.late,
            valid=s.valid,
            errors=s.errors,
            warnings=s.warnings,
        )
        for s in loaded.status
    ]
    themes = frames.themes
    return ReportContext(
        year=edition.year,
        title=edition.title,
        subtitle=edition.subtitle or f"Annual Report {edition.year} of the {wg.name}",
        group_name=wg.name,
        forum=wg.forum,
        chair=_member_name(wg, wg.chair),
        editors=[
            e.name + (f", {e.organisation}" if e.organisation else "") for e in edition.editors
        ],
        build=build,
        notice=ILLUSTRATIVE_NOTICE,
        foreword_html=render_markdown(foreword_markdown) if foreword_markdown.strip() else "",
        chapters=chapters,
        findings=_findings(wg, frames, previous_year, loaded, figures, tables),
        status=status_rows,
        left_out=[s for s in status_rows if not s.valid],
        indicator_columns=[
            IndicatorColumn(
                id=i.id,
                title=i.title,
                unit=i.unit,
                decimals=i.decimals,
                higher_is_better=i.higher_is_better,
            )
            for i in wg.indicators
        ],
        indicator_rows=_matrix_rows(wg, frames.values, frames.statistics),
        governance_rows=[
            GovernanceRow(
                member=_member_name(wg, code),
                lead_institution=c.governance.lead_institution,
                coordination_model=COORDINATION_TITLES[c.governance.coordination_model],
                strategy=c.governance.strategy.title,
                adopted=c.governance.strategy.adopted,
                legal_instruments=len(c.governance.legal_instruments),
            )
            for code, c in _in_order(wg, contributions)
        ],
        theme_members=[_member_label(wg, str(c)) for c in themes.columns],
        theme_rows=[
            ThemeRow(
                title=_theme_title(wg, str(theme_id)),
                cells=[int(v) for v in themes.loc[theme_id]],
                total=int(themes.loc[theme_id].sum()),
            )
            for theme_id in themes.index
        ],
        status_totals=[(STATUS_TITLES[str(s)], int(n)) for s, n in frames.statuses.items()],
        members=[
            _member_chapter(
                wg,
                code,
                c,
                frames,
                images,
                late=code in late,
                table=tables[f"tab-{code.lower()}-indicators"],
            )
            for code, c in _in_order(wg, contributions)
        ],
        definitions=[_definition(i) for i in wg.indicators],
        previous_year=previous_year,
        theme_figures=[v for f in theme_figure_ids for v in figure_views(f)],
        indicator_figures=[v for f in indicator_figure_ids for v in figure_views(f)],
        table_numbers=tables,
        data_tables=annex_tables,
        contributors=[
            ContributorRow(
                member=_member_name(wg, code),
                organisation=c.contact.organisation,
                contact=c.contact.name,
                submitted=c.submitted.isoformat(),
                late=code in late,
            )
            for code, c in _in_order(wg, contributions)
        ],
        validation_notes=_validation_notes(loaded),
        downloads=[Download(href=h, title=t) for h, t in downloads],
        caveats=[f"{i.title}: {i.caveat}" for i in wg.indicators if i.caveat],
        comments=comments,
    )


def _text(value: Any) -> str:
    """A cell's text: '' for missing values (pandas NA or NaN), never 'nan'."""
    return "" if is_missing(value) else str(value)


def _values_table(wg: WorkingGroup, frames: aggregate.Frames, number: int) -> DataTable:
    decimals = {i.id: i.decimals for i in wg.indicators}
    rows = [
        [
            _member_label(wg, str(r.member)),
            _indicator_title(wg, str(r.indicator)),
            format_number(r.value, decimals[str(r.indicator)]),
            _text(r.data_year),
            _text(r.source),
            _text(r.note) or _text(r.reason_missing),
        ]
        for r in frames.values.itertuples()
    ]
    return DataTable(
        id="values-table",
        number=number,
        title="Every indicator value, with its year and source",
        columns=["Member", "Indicator", "Value", "Year", "Source", "Note"],
        rows=rows,
        notes=[],
    )


def _values_by_member_table(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    number: int,
    previous_year: int | None,
    figures: Mapping[str, int],
    figure_ids: Sequence[str],
) -> DataTable:
    """A large group's indicator data in one table, a row per member: each indicator's value
    and, with a previous edition, that edition's value and the change (else the data year).
    It is the data of every indicator figure."""
    change = frames.change.set_index(["member", "indicator"])
    values = frames.values.set_index(["member", "indicator"])
    codes = [m.code for m in wg.members if m.code in set(frames.values["member"])]
    with_change = previous_year is not None and bool(frames.change["previous"].notna().any())
    sub = ["This edition", f"{previous_year} edition", "Change"] if with_change else []
    sub = sub or ["Value", "Data year"]
    rows = []
    for code in codes:
        cells = [_member_label(wg, code)]
        for i in wg.indicators:
            key = (code, i.id)
            value = values.at[key, "value"] if key in values.index else None
            cells.append(format_number(value, i.decimals))
            if with_change:
                has = key in change.index
                before = change.at[key, "previous"] if has else None
                delta = change.at[key, "change"] if has else None
                cells.append(format_number(before, i.decimals))
                cells.append(format_number(delta, i.decimals, signed=True))
            else:
                year = values.at[key, "data_year"] if key in values.index else None
                cells.append(_text(year))
        rows.append(cells)
    numbers = sorted({figures[f] for f in figure_ids})
    shown = (
        f"Data for Figures {numbers[0]}–{numbers[-1]}: "
        if len(numbers) > 1
        else (f"Data for Figure {numbers[0]}: " if numbers else "")
    )
    against = f", against the {previous_year} edition" if with_change else ", with the data year"
    return DataTable(
        id="values-table",
        number=number,
        title=f"{shown}Indicator values by member{against}",
        columns=["Member", *[c for _ in wg.indicators for c in sub]],
        rows=rows,
        notes=[
            "n/a: no value (the completeness table gives the reason). "
            "Sources and data years are in the next table."
        ]
        + [f"{i.title}: {i.caveat}" for i in wg.indicators if i.caveat],
        column_groups=[(i.title, len(sub)) for i in wg.indicators],
        dense=True,
    )


def _sources_table(wg: WorkingGroup, frames: aggregate.Frames, number: int) -> DataTable:
    """A large group's sources: per indicator, each source and data year with the members
    whose values come from it (the most common named as "the other N members")."""
    reported = frames.values[frames.values["value"].notna()]
    rows = []
    for indicator in wg.indicators:
        subset = reported[reported["indicator"] == indicator.id]
        if subset.empty:
            continue
        keys = subset.assign(
            source=subset["source"].map(_text), year=subset["data_year"].map(_text)
        )
        groups = [
            (source, year, list(group["member"]))
            for (source, year), group in keys.groupby(["source", "year"], sort=False)
        ]
        # The largest group last, as "the other N members"; the others name their members.
        groups.sort(key=lambda g: -len(g[2]))
        largest, rest = groups[0], groups[1:]
        for source, year, codes in rest:
            names = ", ".join(_member_label(wg, str(c)) for c in codes)
            rows.append([indicator.title, source or "not given", year, names])
        whole = len(largest[2])
        who = f"the other {whole} members" if rest else f"all {whole} members reporting"
        rows.append([indicator.title, largest[0] or "not given", largest[1], who])
    return DataTable(
        id="sources-table",
        number=number,
        title="Sources and data years of the indicator values",
        columns=["Indicator", "Source", "Data year", "Members"],
        rows=rows,
        notes=[],
        dense=True,
    )


def _initiatives_table(
    wg: WorkingGroup, frames: aggregate.Frames, number: int, *, dense: bool = False
) -> DataTable:
    # A dense table keeps each period on one line (no-break spaces, and a word joiner after
    # the dash, which allows a break after it otherwise): a row a line.
    dash = "\u00a0–\u2060\u00a0" if dense else " – "
    rows = [
        [
            _member_label(wg, str(r.member)),
            str(r.title),
            _theme_title(wg, str(r.theme)),
            STATUS_TITLES[str(r.status)],
            str(r.started) + (f"{dash}{r.ended}" if isinstance(r.ended, str) else ""),
        ]
        for r in frames.initiatives.itertuples()
    ]
    return DataTable(
        id="initiatives-table",
        number=number,
        title="Every initiative, with its theme, status and period",
        columns=["Member", "Initiative", "Theme", "Status", "Period"],
        rows=rows,
        notes=[],
        dense=dense,
    )


def _completeness_table(
    wg: WorkingGroup, frames: aggregate.Frames, number: int, *, dense: bool = False
) -> DataTable:
    """Who reported what. In a large group's (`dense`) annex, only the members with a
    missing value or a note on a value, the others counted in a note."""
    if dense:
        return _gaps_table(wg, frames, number)
    comp = frames.completeness
    rows = []
    for member in wg.members:
        subset = comp[comp["member"] == member.code]
        if subset.empty:
            continue
        missing = subset[~subset["reported"]]
        rows.append(
            [
                member.label,
                f"{int(subset['reported'].sum())} of {len(subset)}",
                "; ".join(
                    f"{_indicator_title(wg, str(r.indicator))}: {r.reason}"
                    for r in missing.itertuples()
                )
                or "all reported",
            ]
        )
    return DataTable(
        id="completeness-table",
        number=number,
        title="Completeness: indicators reported by each member, and why values are missing",
        columns=["Member", "Indicators reported", "Missing values and reasons"],
        rows=rows,
        notes=["A missing value is shown as n/a, never as zero, and is left out of medians."],
    )


def _gaps_table(wg: WorkingGroup, frames: aggregate.Frames, number: int) -> DataTable:
    comp, values = frames.completeness, frames.values
    rows = []
    members = 0
    for member in wg.members:
        subset = comp[comp["member"] == member.code]
        if subset.empty:
            continue
        members += 1
        missing = subset[~subset["reported"]]
        noted = values[(values["member"] == member.code) & values["value"].notna()]
        noted = noted[noted["note"].map(lambda v: bool(_text(v)))]
        if missing.empty and noted.empty:
            continue
        rows.append(
            [
                member.label,
                f"{int(subset['reported'].sum())} of {len(subset)}",
                "; ".join(
                    f"{_indicator_title(wg, str(r.indicator))}: n/a, {r.reason}"
                    for r in missing.itertuples()
                )
                or "–",
                "; ".join(
                    f"{_indicator_title(wg, str(r.indicator))}: {r.note}"
                    for r in noted.itertuples()
                )
                or "–",
            ]
        )
    others = members - len(rows)
    return DataTable(
        id="completeness-table",
        number=number,
        title="Completeness: the members with a missing value or a note on a value",
        columns=["Member", "Indicators reported", "Missing values and reasons", "Notes"],
        rows=rows,
        notes=[
            f"The other {others} of {members} members reported every indicator, with no note."
            if rows
            else f"All {members} members reported every indicator, with no note.",
            "A missing value is shown as n/a, never as zero, and is left out of medians.",
        ],
        dense=True,
    )


def _validation_notes(loaded: LoadedEdition) -> list[ValidationNote]:
    notes = []
    for report in loaded.report.files:
        for issue in report.sorted_issues():
            notes.append(
                ValidationNote(
                    member=report.member or "—",
                    severity=issue.severity,
                    code=issue.code,
                    where=f"{report.file}:{issue.line}",
                    message=issue.message,
                )
            )
    return notes


def _indicator_title(wg: WorkingGroup, indicator_id: str) -> str:
    indicator = wg.indicator(indicator_id)
    return indicator.title if indicator else indicator_id


def _in_order(
    wg: WorkingGroup, contributions: Mapping[str, Contribution]
) -> list[tuple[str, Contribution]]:
    return [(m.code, contributions[m.code]) for m in wg.members if m.code in contributions]


def _member_name(wg: WorkingGroup, code: str) -> str:
    member = wg.member(code)
    return member.name if member else code


def _member_label(wg: WorkingGroup, code: str) -> str:
    member = wg.member(code)
    return member.label if member else code


def _theme_title(wg: WorkingGroup, theme_id: str) -> str:
    theme = wg.theme(theme_id)
    return theme.title if theme else theme_id


def _matrix_rows(wg: WorkingGroup, values: pd.DataFrame, stats: pd.DataFrame) -> list[MatrixRow]:
    matrix = aggregate.indicator_matrix(values, wg)
    decimals = [i.decimals for i in wg.indicators]
    rows = [
        MatrixRow(
            label=_member_label(wg, code),
            cells=[format_number(v, d) for v, d in zip(matrix.loc[code], decimals, strict=True)],
        )
        for code in matrix.index
    ]
    for stat, label in (("median", "Group median"), ("min", "Lowest"), ("max", "Highest")):
        rows.append(
            MatrixRow(
                label=label,
                cells=[format_number(stats.loc[i.id, stat], i.decimals) for i in wg.indicators],
                kind="statistic",
            )
        )
    return rows


def _member_chapter(
    wg: WorkingGroup,
    code: str,
    contribution: Contribution,
    frames: aggregate.Frames,
    images: Mapping[str, str],
    *,
    late: bool,
    table: int,
) -> MemberChapter:
    member = wg.member(code)
    assert member is not None
    stats, ranks, change = frames.statistics, frames.ranks, frames.change
    gov = contribution.governance
    reported = {v.id: v for v in contribution.indicators}
    lines = []
    for indicator in wg.indicators:
        value = reported.get(indicator.id)
        rank = ranks[(ranks["member"] == code) & (ranks["indicator"] == indicator.id)]["rank"]
        ch = change[(change["member"] == code) & (change["indicator"] == indicator.id)]
        reporting = as_int(stats.at[indicator.id, "reported"])
        rank_value = rank.iloc[0] if len(rank) else pd.NA
        lines.append(
            IndicatorLine(
                id=indicator.id,
                title=indicator.title,
                value=(
                    format_number(value.value, indicator.decimals)
                    if value is not None and value.value is not None
                    else "n/a"
                ),
                data_year=str(value.data_year) if value and value.data_year else "",
                median=format_number(stats.loc[indicator.id, "median"], indicator.decimals),
                rank="–" if pd.isna(rank_value) else f"{int(rank_value)} of {reporting}",
                previous=format_number(ch["previous"].iloc[0], indicator.decimals)
                if len(ch)
                else "–",
                change=(
                    format_number(ch["change"].iloc[0], indicator.decimals, signed=True)
                    if len(ch)
                    else "–"
                ),
                source=(value.source or "") if value else "",
                note=((value.note or value.reason_missing or "") if value else "not reported"),
            )
        )
    initiatives = [
        InitiativeView(
            id=f"{code.lower()}-{i.id}",
            title=i.title,
            theme=_theme_title(wg, i.theme),
            status=STATUS_TITLES[i.status],
            status_class=i.status,
            period=i.started + (f" – {i.ended}" if i.ended else ""),
            description_html=render_markdown(i.description),
            outcomes=list(i.outcomes),
            links=[(link.title, link.url) for link in i.links],
            image_src=images.get(i.image.file) if i.image else None,
            image_alt=i.image.alt if i.image else None,
        )
        for i in contribution.initiatives
    ]
    case = contribution.case_study
    return MemberChapter(
        id=f"member-{code.lower()}",
        table_number=table,
        code=code,
        name=member.name,
        ministry=member.ministry,
        contact_organisation=contribution.contact.organisation,
        submitted=contribution.submitted.isoformat(),
        late=late,
        summary_html=render_markdown(contribution.summary),
        governance=GovernanceView(
            lead_institution=gov.lead_institution,
            coordination_model=COORDINATION_TITLES[gov.coordination_model],
            strategy=gov.strategy.title,
            strategy_adopted=gov.strategy.adopted,
            strategy_horizon=str(gov.strategy.horizon) if gov.strategy.horizon else "",
            strategy_url=gov.strategy.url,
            legal_instruments=[(li.title, li.year) for li in gov.legal_instruments],
        ),
        initiatives=initiatives,
        indicators=lines,
        case_study=(
            CaseStudyView(
                title=case.title,
                body_html=render_markdown(case.body),
                image_src=images.get(case.image.file) if case.image else None,
                image_alt=case.image.alt if case.image else None,
            )
            if case
            else None
        ),
    )


def _definition(indicator: Indicator) -> IndicatorDefinition:
    if indicator.min is not None and indicator.max is not None:
        bounds = f"{indicator.min:g} to {indicator.max:g}"
    elif indicator.min is not None:
        bounds = f"at least {indicator.min:g}"
    elif indicator.max is not None:
        bounds = f"at most {indicator.max:g}"
    else:
        bounds = "unbounded"
    return IndicatorDefinition(
        caveat=indicator.caveat,
        id=indicator.id,
        title=indicator.title,
        unit=indicator.unit,
        bounds=bounds,
        higher_is_better=indicator.higher_is_better,
        definition=indicator.definition,
        source=indicator.source,
        required=indicator.required,
    )


def _findings(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    previous_year: int | None,
    loaded: LoadedEdition,
    figures: Mapping[str, int],
    tables: Mapping[str, int],
) -> list[Finding]:
    """Key findings computed from the data, each pointing at the figure or table behind it."""
    findings: list[Finding] = []
    included = len(loaded.contributions)
    expected = len(loaded.status)
    findings.append(
        Finding(
            text=f"{included} of {expected} expected members contributed a valid report "
            f"to the {loaded.year} edition.",
            ref="status-table",
            ref_title=f"Table {tables['status-table']}",
        )
    )
    stats, change = frames.statistics, frames.change
    for indicator in wg.indicators[:1]:
        median = float(stats.at[indicator.id, "median"])  # type: ignore[arg-type]
        if math.isnan(median):
            continue
        text = f"The group median {indicator.title} is {format_number(median, indicator.decimals)}"
        previous = change[change["indicator"] == indicator.id]["previous"].dropna()
        if previous_year is not None and len(previous):
            before = float(previous.median())
            delta = format_number(median - before, indicator.decimals, signed=True)
            text += (
                f", against {format_number(before, indicator.decimals)} in the "
                f"{previous_year} edition ({delta})"
            )
        ref = f"fig-{indicator.id}"
        findings.append(
            Finding(
                text=text + ".",
                ref=ref if ref in figures else "indicator-table",
                ref_title=f"Figure {figures[ref]}"
                if ref in figures
                else f"Table {tables['indicator-table']}",
            )
        )
    themes = frames.themes
    if frames.initiatives.shape[0]:
        reach = aggregate.themes_reach(themes)
        top = str(reach["initiatives"].idxmax())
        fewest = str(reach["members"].idxmin())
        theme_ref = (
            ("fig-themes", f"Figure {figures['fig-themes']}")
            if "fig-themes" in figures
            else ("governance-table", "the themes chapter")
        )
        findings.append(
            Finding(
                text=f"Members reported {frames.initiatives.shape[0]} initiatives. "
                f"'{_theme_title(wg, top)}' is the most common theme "
                f"({as_int(reach.at[top, 'initiatives'])} initiatives from "
                f"{as_int(reach.at[top, 'members'])} members); "
                f"'{_theme_title(wg, fewest)}' is reported by the fewest members "
                f"({as_int(reach.at[fewest, 'members'])}).",
                ref=theme_ref[0],
                ref_title=theme_ref[1],
            )
        )
        completed = _completed_this_edition(frames, loaded.year)
        if completed and len(completed) <= MAX_LISTED:
            names = "; ".join(
                f"{title} ({_member_label(wg, code)})" for code, title, _, _ in completed
            )
            status_ref = (
                ("fig-status", f"Figure {figures['fig-status']}")
                if "fig-status" in figures
                else ("themes", "the themes chapter")
            )
            findings.append(
                Finding(
                    text=f"{len(completed)} initiatives were completed in this edition: {names}.",
                    ref=status_ref[0],
                    ref_title=status_ref[1],
                )
            )
        elif completed:
            findings.append(
                Finding(
                    text=_completed_counted(wg, completed),
                    ref="initiatives-table",
                    ref_title=f"Table {tables['initiatives-table']}, every initiative with its "
                    "status",
                )
            )
    missing = frames.completeness[~frames.completeness["reported"]]
    if len(missing):
        findings.append(
            Finding(
                text=f"{len(missing)} indicator "
                f"{'value is' if len(missing) == 1 else 'values are'} not available; "
                f"{'it' if len(missing) == 1 else 'each'} is shown as n/a with its reason.",
                ref="completeness-table",
                ref_title=f"Table {tables['completeness-table']}",
            )
        )
    return findings


def _completed_this_edition(frames: aggregate.Frames, year: int) -> list[tuple[str, str, str, str]]:
    """Initiatives completed now that were not completed in the previous edition (or, with no
    previous edition, whose end date falls in the reporting year): member, title, theme and
    start, in the group's order."""
    current = frames.initiatives[frames.initiatives["status"] == "completed"]
    before = frames.previous_initiatives
    done_before = set(
        zip(
            before[before["status"] == "completed"]["member"],
            before[before["status"] == "completed"]["id"],
            strict=True,
        )
    )
    out = []
    for row in current.itertuples():
        key = (str(row.member), str(row.id))
        item = (key[0], str(row.title), str(row.theme), str(row.started))
        if before.empty:
            if isinstance(row.ended, str) and row.ended.startswith(str(year)):
                out.append(item)
        elif key not in done_before:
            out.append(item)
    return out


def _completed_counted(wg: WorkingGroup, completed: list[tuple[str, str, str, str]]) -> str:
    """Too many completed initiatives to name: their count by theme, and the NOTABLE that
    ran longest (earliest start; one a member), the rest counted."""
    by_theme: dict[str, int] = {}
    for _, _, theme, _ in completed:
        by_theme[theme] = by_theme.get(theme, 0) + 1
    order = [t.id for t in wg.themes]
    themes = sorted(
        by_theme.items(),
        key=lambda kv: (-kv[1], order.index(kv[0]) if kv[0] in order else len(order)),
    )
    counts = ", ".join(f"{n} under '{_theme_title(wg, t)}'" for t, n in themes)
    notable: list[tuple[str, str, str, str]] = []
    for item in sorted(completed, key=lambda i: i[3]):  # stable: the group's order on ties
        if all(item[0] != n[0] for n in notable):
            notable.append(item)
        if len(notable) == NOTABLE:
            break
    names = "; ".join(
        f"{title} ({_member_label(wg, code)}, started {started})"
        for code, title, _, started in notable
    )
    rest = len(completed) - len(notable)
    return (
        f"{len(completed)} initiatives were completed in this edition: {counts}. "
        f"The longest-running were {names}; and {rest} more."
    )
