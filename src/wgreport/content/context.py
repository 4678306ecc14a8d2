"""Build the one typed context that every template sees.

Numbers are formatted and Markdown is rendered here, so templates only place values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..i18n import current_language
from ..i18n import gettext as _
from ..inputs.comments import CommentSummary
from ..inputs.edition import LoadedEdition
from ..inputs.issues import FileReport
from ..inputs.models import Contribution, Edition, Indicator, WorkingGroup
from ..layout import REPORT_PDF, report_file
from . import aggregate
from .chartkit import Chart
from .compare import PreviousValue, constant_value, previous_values, reference_rows, stat_cell
from .contributed import MemberItems, cite_figures, figure_id, member_items, table_ids
from .editorial import editorial_view, element_labels
from .facts import IndicatorRows, compute_facts
from .findings import key_findings
from .formatting import (
    coordination_title,
    format_change,
    format_median,
    format_number,
    format_when,
    status_label,
    status_title,
)
from .frontmatter import front_matter
from .keptparts import AggregateParts, KeptParts
from .markdown import render_inline
from .method import break_text, method_view
from .numbering import Numbering, numbering, report_chapters, table_titles
from .reportmodel import (
    ILLUSTRATIVE_NOTICE,
    BuildInfo,
    CaseStudyView,
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
    ListEntry,
    MatrixRow,
    MemberChapter,
    ReportContext,
    StatusRow,
    ThemeRow,
    ValidationNote,
)
from .tables import (
    completeness_table,
    contributions_in_order,
    initiatives_table,
    member_label,
    member_name,
    sources_table,
    theme_title,
    values_by_member_table,
    values_table,
)


def _annex_tables(
    wg: WorkingGroup, frames: aggregate.Frames, n: Numbering, previous_year: int | None
) -> list[DataTable]:
    """Annex B's tables, in order."""
    tables = n.tables
    if n.large:
        return [
            values_by_member_table(
                wg, frames, tables["values-table"], previous_year, n.figures, n.indicator_figure_ids
            ),
            sources_table(wg, frames, tables["sources-table"]),
            initiatives_table(wg, frames, tables["initiatives-table"], dense=True),
            *[n.figure_table(f) for f in n.theme_figure_ids],
            completeness_table(wg, frames, tables["completeness-table"], dense=True),
        ]
    return [
        values_table(wg, frames, tables["values-table"]),
        initiatives_table(wg, frames, tables["initiatives-table"]),
        *[n.figure_table(f) for f in n.figure_ids],
        completeness_table(wg, frames, tables["completeness-table"]),
    ]


def _status_rows(loaded: LoadedEdition) -> list[StatusRow]:
    return [
        StatusRow(
            code=s.code,
            name=s.name,
            short=member_label(loaded.working_group, s.code),
            label=status_label(s.label),
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
            member=member_label(wg, code),
            lead_institution=c.governance.lead_institution,
            coordination_model=coordination_title(c.governance.coordination_model),
            strategy=c.governance.strategy.title,
            adopted=format_when(c.governance.strategy.adopted),
            legal_instruments=len(c.governance.legal_instruments),
        )
        for code, c in contributions_in_order(wg, contributions)
    ]


def _theme_rows(wg: WorkingGroup, themes: pd.DataFrame) -> list[ThemeRow]:
    return [
        ThemeRow(
            title=theme_title(wg, str(theme_id)),
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
            member=member_name(wg, code),
            organisation=c.contact.organisation,
            contact=c.contact.name,
            submitted=format_when(c.submitted.isoformat()),
            late=code in late,
        )
        for code, c in contributions_in_order(wg, contributions)
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
    editorial_markdown: Mapping[str, str] | None = None,
    previous_checks: Sequence[FileReport] = (),
    kept: KeptParts | None = None,
) -> ReportContext:
    """Assemble the report context from a loaded edition and its frames (pure: no I/O);
    `editorial_markdown`: the editorial chapters' Markdown by file name; `kept`: keptparts."""
    wg = loaded.working_group
    edition = loaded.edition
    contributions = loaded.contributions
    members = [m for m in wg.members if m.code in contributions]
    late = {s.code for s in loaded.status if s.late}
    chapters = report_chapters([(m.code, m.name) for m in members], edition.chapters)
    method = method_view(wg, edition, frames.values)
    shown = image_src or {}
    items = {m.code: member_items(m.code, m.label, contributions[m.code], shown) for m in members}
    contributed = {code: i.items for code, i in items.items()}
    codes = [m.code for m in members]
    n = numbering(wg, codes, charts, comments, chapters, bool(method.references), contributed)
    status_rows = _status_rows(loaded)
    made = _aggregate_parts(kept, wg, frames, n, (edition.year, previous_year))
    theme_figures, indicator_figures = made.theme_figures, made.indicator_figures
    data_tables, facts = made.data_tables, made.facts
    titles = table_titles(wg, codes, data_tables, contributed)
    figure_list = _listed_figures([*theme_figures, *indicator_figures], items, n)
    table_list = [ListEntry(id=t, number=n.tables[t], title=titles[t]) for t in n.tables]
    labels = element_labels(chapters, n.figures, n.tables)
    foreword_html, editorial = editorial_view(
        edition, foreword_markdown, editorial_markdown or {}, facts, labels
    )
    return ReportContext(
        year=edition.year,
        title=edition.title,
        subtitle=_subtitle(wg, edition),
        group_name=wg.name,
        forum=wg.forum,
        chair=member_label(wg, wg.chair),
        editors=_editor_names(edition),
        build=build,
        notice=_(ILLUSTRATIVE_NOTICE),
        foreword_html=foreword_html,
        chapters=chapters,
        findings=key_findings(wg, frames, previous_year, loaded, n.figures, n.tables, facts),
        status=status_rows,
        left_out=[s for s in status_rows if not s.valid],
        indicator_columns=[_column(i) for i in wg.indicators],
        indicator_rows=made.matrix_rows,
        governance_rows=_governance_rows(wg, contributions),
        theme_members=[member_label(wg, str(c)) for c in frames.themes.columns],
        theme_rows=_theme_rows(wg, frames.themes),
        status_totals=[(status_title(str(s)), int(v)) for s, v in frames.statuses.items()],
        members=_member_chapters(loaded, frames, image_src or {}, late, n, items),
        definitions=[_definition(i) for i in wg.indicators],
        previous_year=previous_year,
        theme_figures=theme_figures,
        indicator_figures=indicator_figures,
        table_numbers=n.tables,
        table_titles=titles,
        data_tables=data_tables,
        contributors=_contributor_rows(wg, contributions, late),
        validation_notes=_validation_notes(loaded.report.files)
        + _validation_notes(previous_checks, f"{previous_year} "),
        downloads=_downloads(downloads),
        caveats=[f"{i.title}: {i.caveat}" for i in wg.indicators if i.caveat],
        constant=_constant_sentences(wg, frames.values),
        method=method,
        front=front_matter(wg, edition, build, contributions, figure_list, table_list),
        comments=comments,
        editorial=editorial,
    )


def _aggregate_parts(kept: KeptParts | None, wg: WorkingGroup, frames: aggregate.Frames,
                     n: Numbering, years: tuple[int, int | None]) -> AggregateParts:  # fmt: skip
    """The parts made from the aggregate alone: made, or kept from the last build's."""

    def make() -> AggregateParts:
        return AggregateParts(
            _annex_tables(wg, frames, n, years[1]),
            compute_facts(wg, frames, *years),
            _matrix_rows(wg, frames.values, frames.statistics),
            [v for f in n.theme_figure_ids for v in n.figure_views(f)],
            [v for f in n.indicator_figure_ids for v in n.figure_views(f)],
        )

    return make() if kept is None else kept.parts(wg, frames, n, years, make)


def _subtitle(wg: WorkingGroup, edition: Edition) -> str:
    """The edition's subtitle, or "Annual Report 2024 of the <group>"."""
    return edition.subtitle or _("Annual Report %(year)s of the %(group)s") % {
        "year": edition.year,
        "group": wg.name,
    }


def _downloads(downloads: Sequence[tuple[str, str]]) -> list[Download]:
    """The web page's downloads, described in the report's language; the report's own PDF
    in that language (report.ko.pdf; the data files are the same for every language)."""
    lang = current_language()
    return [
        Download(href=report_file(h, lang) if h == REPORT_PDF else h, title=_(t))
        for h, t in downloads
    ]


def _editor_names(edition: Edition) -> list[str]:
    """ "Name, Organisation" of each of the edition's editors."""
    return [e.name + (f", {e.organisation}" if e.organisation else "") for e in edition.editors]


def _listed_figures(
    charts: Sequence[FigureView], items: Mapping[str, MemberItems], n: Numbering
) -> list[ListEntry]:
    """The list of figures: the report's charts (a large group's panels once), then the
    members' own figures in their chapters' order."""
    return [
        *(
            ListEntry(id=f.id, number=f.number, title=f.title)
            for f in charts
            if f.panel in ("", "a")
        ),
        *(
            ListEntry(id=item.id, number=n.figures[item.id], title=item.title)
            for i in items.values()
            for item in i.items
            if item.kind == "figure"
        ),
    ]


def _member_chapters(
    loaded: LoadedEdition,
    frames: aggregate.Frames,
    images: Mapping[str, str],
    late: set[str],
    n: Numbering,
    items: Mapping[str, MemberItems],
) -> list[MemberChapter]:
    wg = loaded.working_group
    lookups = _Lookups(
        previous=previous_values(frames.change),
        rows={i.id: IndicatorRows(frames, i) for i in wg.indicators},
    )
    return [
        _member_chapter(
            wg,
            code,
            c,
            lookups,
            images,
            late=code in late,
            numbers=Numbers(tables=n.tables, figures=n.figures, items=items[code]),
            year=loaded.year,
        )
        for code, c in contributions_in_order(wg, loaded.contributions)
    ]


def _constant_sentences(wg: WorkingGroup, values: pd.DataFrame) -> list[str]:
    """An indicator on which every member reporting has the same value is said, not drawn."""
    out = []
    for i in wg.indicators:
        rows = values[values["indicator"] == i.id]
        value = constant_value(rows)
        if value is not None:
            n = int(rows["value"].notna().sum())
            out.append(
                _(
                    "All %(count)s members reporting the %(indicator)s have the same value, "
                    "%(value)s, so no chart is drawn for it."
                )
                % {"count": n, "indicator": i.title, "value": format_number(value, i.decimals)}
            )
    return out


def _column(i: Indicator) -> IndicatorColumn:
    return IndicatorColumn(
        id=i.id,
        title=i.title,
        unit=i.unit,
        decimals=i.decimals,
        higher_is_better=i.higher_is_better,
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


def _validation_notes(files: Sequence[FileReport], edition: str = "") -> list[ValidationNote]:
    """The issues of `files`, for the status annex; `edition` ("2023 ") names the
    previous edition's files (pipeline.previous_checks)."""
    notes = []
    for report in files:
        for issue in report.sorted_issues():
            notes.append(
                ValidationNote(
                    member=report.member or "—",
                    severity=issue.severity,
                    code=issue.code,
                    where=edition + _where(report.member, report.file, issue.line),
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
            label=member_label(wg, code),
            cells=[format_number(v, d) for v, d in zip(matrix.loc[code], decimals, strict=True)],
        )
        for code in matrix.index
    ]
    rows.append(
        MatrixRow(
            label=_("Group median"),
            cells=[
                format_median(stats.loc[i.id, "median"], i.decimals, i.unit) for i in wg.indicators
            ],
            kind="statistic",
        )
    )
    for which, label in (("best", _("Best")), ("weakest", _("Weakest"))):
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


@dataclass(frozen=True)
class _Lookups:
    """The frames' rows by member, looked up once for every member chapter (filtering the
    frames per member and indicator was most of a 193-member context's time)."""

    previous: dict[tuple[str, str], PreviousValue | None]
    rows: dict[str, IndicatorRows]


def _indicator_lines(
    wg: WorkingGroup, code: str, contribution: Contribution, lookups: _Lookups, year: int
) -> list[IndicatorLine]:
    """A member's table of indicators: its value, the group median, its rank and, against
    the previous edition's value (with its data year and source), the change; no change
    across a break in the series."""
    reported = {v.id: v for v in contribution.indicators}
    lines = []
    for indicator in wg.indicators:
        value = reported.get(indicator.id)
        before = lookups.previous.get((code, indicator.id))
        rows = lookups.rows[indicator.id]
        series_break = indicator.break_at(year) if before is not None else None
        now = value.value if value is not None else None
        if series_break is not None:
            change_text = _("break in series")
        elif (code, indicator.id) in lookups.previous:
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
                median=rows.median,
                rank=rows.rank(code) or "–",
                previous=format_number(before.value if before else None, indicator.decimals),
                previous_data_year=before.data_year if before else "",
                previous_source=before.source if before else "",
                change=change_text,
                break_reason=break_text(series_break) if series_break else "",
                source=(value.source or "") if value else "",
                note=((value.note or value.reason_missing or "") if value else _("not reported")),
            )
        )
    return lines


@dataclass(frozen=True)
class Numbers:
    """The report's table and figure numbers, and one member's contributed items."""

    tables: Mapping[str, str]
    figures: Mapping[str, str]
    items: MemberItems

    def html(self, piece: Any, code: str, part: str) -> str:
        """A Markdown field's HTML with its tables captioned and numbered, and its
        `{{ figure:ID }}` citing the member's own figures by number (cite_figures)."""
        captioned = self.items.captions(piece, table_ids(code, part, piece), self.tables)
        return cite_figures(captioned, code, self.figures)

    def figure(self, code: str, part: str) -> tuple[str | None, str]:
        """The figure of an initiative's or the case study's image, if it is one."""
        fid = figure_id(code, part)
        return (fid, self.figures[fid]) if fid in self.figures else (None, "")


def _initiative_views(
    wg: WorkingGroup,
    code: str,
    contribution: Contribution,
    images: Mapping[str, str],
    numbers: Numbers,
) -> list[InitiativeView]:
    views = []
    for i in contribution.initiatives:
        fid, number = numbers.figure(code, i.id)
        views.append(
            InitiativeView(
                id=f"{code.lower()}-{i.id}",
                title=i.title,
                theme=theme_title(wg, i.theme),
                status=status_title(i.status),
                status_class=i.status,
                period=format_when(i.started) + (f" – {format_when(i.ended)}" if i.ended else ""),
                description_html=numbers.html(numbers.items.descriptions[i.id], code, i.id),
                outcomes=[render_inline(o) for o in i.outcomes],
                links=[(link.title, link.url) for link in i.links],
                image_src=images.get(i.image.file) if i.image else None,
                image_alt=i.image.alt if i.image else None,
                figure_id=fid,
                figure_number=number,
            )
        )
    return views


def _case_view(
    code: str, contribution: Contribution, images: Mapping[str, str], numbers: Numbers
) -> CaseStudyView | None:
    case = contribution.case_study
    if not case or numbers.items.case is None:
        return None
    fid, number = numbers.figure(code, "case")
    return CaseStudyView(
        title=case.title,
        body_html=numbers.html(numbers.items.case, code, "case"),
        image_src=images.get(case.image.file) if case.image else None,
        image_alt=case.image.alt if case.image else None,
        figure_id=fid,
        figure_number=number,
    )


def _member_chapter(
    wg: WorkingGroup,
    code: str,
    contribution: Contribution,
    lookups: _Lookups,
    images: Mapping[str, str],
    *,
    late: bool,
    numbers: Numbers,
    year: int,
) -> MemberChapter:
    member = wg.member(code)
    assert member is not None
    gov = contribution.governance
    return MemberChapter(
        id=f"member-{code.lower()}",
        table_number=numbers.tables[f"tab-{code.lower()}-indicators"],
        code=code,
        name=member.name,
        label=member.label,
        ministry=member.ministry,
        contact_organisation=contribution.contact.organisation,
        submitted=format_when(contribution.submitted.isoformat()),
        late=late,
        summary_html=numbers.html(numbers.items.summary, code, "summary"),
        governance=GovernanceView(
            lead_institution=gov.lead_institution,
            coordination_model=coordination_title(gov.coordination_model),
            strategy=gov.strategy.title,
            strategy_adopted=format_when(gov.strategy.adopted),
            strategy_horizon=str(gov.strategy.horizon) if gov.strategy.horizon else "",
            strategy_url=gov.strategy.url,
            legal_instruments=[(li.title, li.year) for li in gov.legal_instruments],
        ),
        initiatives=_initiative_views(wg, code, contribution, images, numbers),
        indicators=_indicator_lines(wg, code, contribution, lookups, year),
        case_study=_case_view(code, contribution, images, numbers),
    )


def _definition(indicator: Indicator) -> IndicatorDefinition:
    if indicator.min is not None and indicator.max is not None:
        bounds = _("%(min)s to %(max)s") % {
            "min": f"{indicator.min:g}",
            "max": f"{indicator.max:g}",
        }
    elif indicator.min is not None:
        bounds = _("at least %(min)s") % {"min": f"{indicator.min:g}"}
    elif indicator.max is not None:
        bounds = _("at most %(max)s") % {"max": f"{indicator.max:g}"}
    else:
        bounds = _("unbounded")
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
