"""Build the one typed context that every template sees.

Numbers are formatted and Markdown is rendered here, so templates only place values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from . import aggregate
from .chartkit import Chart, inline_svg, is_large_group
from .comments import CommentSummary
from .compare import previous_value, reference_rows, stat_cell
from .findings import _findings
from .formatting import as_int, format_change, format_median, format_number
from .inputs import LoadedEdition
from .markdown import render_inline, render_markdown
from .method import method_view
from .models import Contribution, Indicator, WorkingGroup
from .reportmodel import (
    COORDINATION_TITLES,
    ILLUSTRATIVE_NOTICE,
    STATUS_TITLES,
    BuildInfo,
    CaseStudyView,
    Chapter,
    ContributorRow,
    DataTable,
    Download,
    FigureView,
    GovernanceRow,
    GovernanceView,
    IndicatorColumn,
    IndicatorDefinition,
    IndicatorLine,
    InitiativeView,
    MatrixRow,
    MemberChapter,
    ReportContext,
    StatusRow,
    ThemeRow,
    ValidationNote,
)
from .tables import (
    _completeness_table,
    _in_order,
    _initiatives_table,
    _member_label,
    _member_name,
    _sources_table,
    _theme_title,
    _values_by_member_table,
    _values_table,
)

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


@dataclass(frozen=True)
class _Numbering:
    """The report's figures and tables, numbered in order: which charts make each figure
    (a large group's figure is several panels sharing its number), and which table holds
    each figure's data."""

    panels: dict[str, list[Chart]]
    theme_figure_ids: list[str]
    indicator_figure_ids: list[str]
    data_of: dict[str, str]  # figure id → the id of the table with its data
    tables: dict[str, int]  # table id → number
    figures: dict[str, int]  # figure id → number
    large: bool

    @property
    def figure_ids(self) -> list[str]:
        return self.theme_figure_ids + self.indicator_figure_ids

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
                notes=chart.notes,
                panel=chart.panel,
                part=chart.part,
                compact=chart.compact,
            )
            for chart in self.panels[figure_id]
        ]

    def figure_table(self, figure_id: str) -> DataTable:
        charts = self.panels[figure_id]
        return DataTable(
            id=f"data-{figure_id}",
            number=self.tables[f"data-{figure_id}"],
            title=f"Data for Figure {self.figures[figure_id]}: {charts[0].title}",
            columns=charts[0].columns,
            rows=[row for chart in charts for row in chart.rows],
            notes=charts[0].notes if len(charts) == 1 else [],
            dense=self.large,
        )


def _numbering(
    wg: WorkingGroup,
    members: Sequence[str],
    charts: Sequence[Chart],
    comments: CommentSummary | None,
) -> _Numbering:
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
    table_ids = [
        "governance-table",
        "indicator-table",
        *[f"tab-{code.lower()}-indicators" for code in members],
        *annex_ids,
        "completeness-table",
        "contributors-table",
        "status-table",
        *(["comments-table"] if comments is not None and comments.open_by_section else []),
    ]
    return _Numbering(
        panels=panels,
        theme_figure_ids=theme_ids,
        indicator_figure_ids=indicator_ids,
        data_of=data_of,
        tables={t: n for n, t in enumerate(table_ids, start=1)},
        figures={f: n for n, f in enumerate(figure_ids, start=1)},
        large=large,
    )


def _annex_tables(
    wg: WorkingGroup, frames: aggregate.Frames, n: _Numbering, previous_year: int | None
) -> list[DataTable]:
    """Annex B's tables, in order."""
    tables = n.tables
    if n.large:
        return [
            _values_by_member_table(
                wg, frames, tables["values-table"], previous_year, n.figures, n.indicator_figure_ids
            ),
            _sources_table(wg, frames, tables["sources-table"]),
            _initiatives_table(wg, frames, tables["initiatives-table"], dense=True),
            *[n.figure_table(f) for f in n.theme_figure_ids],
            _completeness_table(wg, frames, tables["completeness-table"], dense=True),
        ]
    return [
        _values_table(wg, frames, tables["values-table"]),
        _initiatives_table(wg, frames, tables["initiatives-table"]),
        *[n.figure_table(f) for f in n.figure_ids],
        _completeness_table(wg, frames, tables["completeness-table"]),
    ]


def _status_rows(loaded: LoadedEdition) -> list[StatusRow]:
    return [
        StatusRow(
            code=s.code,
            name=s.name,
            short=_member_label(loaded.working_group, s.code),
            label=s.label,
            late=s.late,
            valid=s.valid,
            errors=s.errors,
            warnings=s.warnings,
        )
        for s in loaded.status
    ]


def _governance_rows(
    wg: WorkingGroup, contributions: Mapping[str, Contribution]
) -> list[GovernanceRow]:
    return [
        GovernanceRow(
            member=_member_label(wg, code),
            lead_institution=c.governance.lead_institution,
            coordination_model=COORDINATION_TITLES[c.governance.coordination_model],
            strategy=c.governance.strategy.title,
            adopted=c.governance.strategy.adopted,
            legal_instruments=len(c.governance.legal_instruments),
        )
        for code, c in _in_order(wg, contributions)
    ]


def _theme_rows(wg: WorkingGroup, themes: pd.DataFrame) -> list[ThemeRow]:
    return [
        ThemeRow(
            title=_theme_title(wg, str(theme_id)),
            cells=[int(v) for v in themes.loc[theme_id]],
            total=int(themes.loc[theme_id].sum()),
        )
        for theme_id in themes.index
    ]


def _contributor_rows(
    wg: WorkingGroup, contributions: Mapping[str, Contribution], late: set[str]
) -> list[ContributorRow]:
    return [
        ContributorRow(
            member=_member_name(wg, code),
            organisation=c.contact.organisation,
            contact=c.contact.name,
            submitted=c.submitted.isoformat(),
            late=code in late,
        )
        for code, c in _in_order(wg, contributions)
    ]


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
    members = [m for m in wg.members if m.code in contributions]
    late = {s.code for s in loaded.status if s.late}
    n = _numbering(wg, [m.code for m in members], charts, comments)
    status_rows = _status_rows(loaded)
    return ReportContext(
        year=edition.year,
        title=edition.title,
        subtitle=edition.subtitle or f"Annual Report {edition.year} of the {wg.name}",
        group_name=wg.name,
        forum=wg.forum,
        chair=_member_label(wg, wg.chair),
        editors=[
            e.name + (f", {e.organisation}" if e.organisation else "") for e in edition.editors
        ],
        build=build,
        notice=ILLUSTRATIVE_NOTICE,
        foreword_html=render_markdown(foreword_markdown) if foreword_markdown.strip() else "",
        chapters=report_chapters([(m.code, m.name) for m in members]),
        findings=_findings(wg, frames, previous_year, loaded, n.figures, n.tables),
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
        governance_rows=_governance_rows(wg, contributions),
        theme_members=[_member_label(wg, str(c)) for c in frames.themes.columns],
        theme_rows=_theme_rows(wg, frames.themes),
        status_totals=[(STATUS_TITLES[str(s)], int(v)) for s, v in frames.statuses.items()],
        members=[
            _member_chapter(
                wg,
                code,
                c,
                frames,
                image_src or {},
                late=code in late,
                table=n.tables[f"tab-{code.lower()}-indicators"],
                year=edition.year,
            )
            for code, c in _in_order(wg, contributions)
        ],
        definitions=[_definition(i) for i in wg.indicators],
        previous_year=previous_year,
        theme_figures=[v for f in n.theme_figure_ids for v in n.figure_views(f)],
        indicator_figures=[v for f in n.indicator_figure_ids for v in n.figure_views(f)],
        table_numbers=n.tables,
        data_tables=_annex_tables(wg, frames, n, previous_year),
        contributors=_contributor_rows(wg, contributions, late),
        validation_notes=_validation_notes(loaded),
        downloads=[Download(href=h, title=t) for h, t in downloads],
        caveats=[f"{i.title}: {i.caveat}" for i in wg.indicators if i.caveat],
        method=method_view(wg, edition, frames.values),
        comments=comments,
    )


def _where(member: str | None, file: str, line: int | None) -> str:
    """Where an issue is, without the secretariat's file paths: "contribution, line 41"
    ("indicator table", for a member's CSV; the group's or edition's file by name)."""
    name = file.replace("\\", "/").rsplit("/", 1)[-1]
    if name.endswith(".indicators.csv"):
        what = "indicator table"
    elif member and name.endswith((".yaml", ".yml")):
        what = "contribution"
    else:
        what = name
    return f"{what}, line {line}" if line else what


def _validation_notes(loaded: LoadedEdition) -> list[ValidationNote]:
    notes = []
    for report in loaded.report.files:
        for issue in report.sorted_issues():
            notes.append(
                ValidationNote(
                    member=report.member or "—",
                    severity=issue.severity,
                    code=issue.code,
                    where=_where(report.member, report.file, issue.line),
                    message=issue.message,
                )
            )
    return notes


def _matrix_rows(wg: WorkingGroup, values: pd.DataFrame, stats: pd.DataFrame) -> list[MatrixRow]:
    """Each member's values, then the group median, the best and weakest value (direction
    aware: for a rank the lowest is best) and the published reference averages."""
    matrix = aggregate.indicator_matrix(values, wg)
    decimals = [i.decimals for i in wg.indicators]
    rows = [
        MatrixRow(
            label=_member_label(wg, code),
            cells=[format_number(v, d) for v, d in zip(matrix.loc[code], decimals, strict=True)],
        )
        for code in matrix.index
    ]
    rows.append(
        MatrixRow(
            label="Group median",
            cells=[
                format_median(stats.loc[i.id, "median"], i.decimals, i.unit) for i in wg.indicators
            ],
            kind="statistic",
        )
    )
    for which, label in (("best", "Best"), ("weakest", "Weakest")):
        rows.append(
            MatrixRow(
                label=label,
                cells=[stat_cell(stats, i, which) for i in wg.indicators],
                kind="statistic",
            )
        )
    for label, cells in reference_rows(wg, values):
        rows.append(MatrixRow(label=label, cells=cells, kind="reference"))
    return rows


def _rank_text(ranks: pd.DataFrame, code: str, indicator_id: str, reporting: int) -> str:
    """ "3 of 10", or "3 of 10 (tied)" when another member shares the rank."""
    of = ranks[ranks["indicator"] == indicator_id]
    mine = of[of["member"] == code]["rank"]
    if not len(mine) or pd.isna(mine.iloc[0]):
        return "–"
    rank = int(mine.iloc[0])
    tied = int((of["rank"] == rank).sum()) > 1
    return f"{rank} of {reporting}" + (" (tied)" if tied else "")


def _indicator_lines(
    wg: WorkingGroup, code: str, contribution: Contribution, frames: aggregate.Frames, year: int
) -> list[IndicatorLine]:
    """A member's table of indicators: its value, the group median, its rank and, against
    the previous edition's value (with its data year and source), the change; no change
    across a break in the series."""
    stats, change = frames.statistics, frames.change
    reported = {v.id: v for v in contribution.indicators}
    lines = []
    for indicator in wg.indicators:
        value = reported.get(indicator.id)
        before = previous_value(change, code, indicator.id)
        series_break = indicator.break_at(year) if before is not None else None
        now = value.value if value is not None else None
        if series_break is not None:
            change_text = "break in series"
        elif ((change["member"] == code) & (change["indicator"] == indicator.id)).any():
            change_text = format_change(
                now, before.value if before else None, indicator.decimals, indicator.unit
            )
        else:
            change_text = "–"
        lines.append(
            IndicatorLine(
                id=indicator.id,
                title=indicator.title,
                value=format_number(now, indicator.decimals),
                data_year=str(value.data_year) if value and value.data_year else "",
                median=format_median(
                    stats.loc[indicator.id, "median"], indicator.decimals, indicator.unit
                ),
                rank=_rank_text(
                    frames.ranks, code, indicator.id, as_int(stats.at[indicator.id, "reported"])
                ),
                previous=format_number(before.value if before else None, indicator.decimals),
                previous_data_year=before.data_year if before else "",
                previous_source=before.source if before else "",
                change=change_text,
                break_reason=series_break.reason if series_break else "",
                source=(value.source or "") if value else "",
                note=((value.note or value.reason_missing or "") if value else "not reported"),
            )
        )
    return lines


def _initiative_views(
    wg: WorkingGroup, code: str, contribution: Contribution, images: Mapping[str, str]
) -> list[InitiativeView]:
    return [
        InitiativeView(
            id=f"{code.lower()}-{i.id}",
            title=i.title,
            theme=_theme_title(wg, i.theme),
            status=STATUS_TITLES[i.status],
            status_class=i.status,
            period=i.started + (f" – {i.ended}" if i.ended else ""),
            description_html=render_markdown(i.description),
            outcomes=[render_inline(o) for o in i.outcomes],
            links=[(link.title, link.url) for link in i.links],
            image_src=images.get(i.image.file) if i.image else None,
            image_alt=i.image.alt if i.image else None,
        )
        for i in contribution.initiatives
    ]


def _member_chapter(
    wg: WorkingGroup,
    code: str,
    contribution: Contribution,
    frames: aggregate.Frames,
    images: Mapping[str, str],
    *,
    late: bool,
    table: int,
    year: int,
) -> MemberChapter:
    member = wg.member(code)
    assert member is not None
    gov = contribution.governance
    case = contribution.case_study
    return MemberChapter(
        id=f"member-{code.lower()}",
        table_number=table,
        code=code,
        name=member.name,
        label=member.label,
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
        initiatives=_initiative_views(wg, code, contribution, images),
        indicators=_indicator_lines(wg, code, contribution, frames, year),
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
