"""Build the one typed context that every template sees.

Numbers are formatted and Markdown is rendered here, so templates only place values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from . import aggregate
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


class Chapter(_Ctx):
    id: str
    title: str


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


def build_context(
    loaded: LoadedEdition,
    build: BuildInfo,
    *,
    foreword_markdown: str = "",
    previous: Mapping[str, Contribution] | None = None,
    previous_year: int | None = None,
    image_src: Mapping[str, str] | None = None,
) -> ReportContext:
    """Assemble the report context from a loaded edition (pure: no I/O)."""
    wg = loaded.working_group
    edition = loaded.edition
    contributions = loaded.contributions
    images = image_src or {}

    values = aggregate.indicator_values(contributions, wg)
    stats = aggregate.indicator_statistics(values, wg)
    ranks = aggregate.indicator_ranks(values, wg)
    prev_values = aggregate.indicator_values(previous, wg) if previous else None
    change = aggregate.indicator_change(values, prev_values)
    initiatives = aggregate.initiatives_table(contributions, wg)
    themes = aggregate.theme_matrix(initiatives, wg)
    statuses = aggregate.status_counts(initiatives)

    members = [m for m in wg.members if m.code in contributions]
    late = {s.code for s in loaded.status if s.late}
    chapters = [
        Chapter(id="foreword", title="Foreword"),
        Chapter(id="summary", title="Executive summary"),
        Chapter(id="about", title="About the working group and its method"),
        Chapter(id="comparison", title="Comparing the members"),
        *[Chapter(id=f"member-{m.code.lower()}", title=m.name) for m in members],
        Chapter(id="annex-indicators", title="Annex A. Indicator definitions and sources"),
        Chapter(id="annex-status", title="Annex B. Submission status"),
    ]
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
        findings=_findings(wg, values, stats, change, initiatives, themes, previous_year, loaded),
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
        indicator_rows=_matrix_rows(wg, values, stats),
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
        theme_members=[_member_label(wg, c) for c in themes.columns],
        theme_rows=[
            ThemeRow(
                title=_theme_title(wg, theme_id),
                cells=[int(v) for v in themes.loc[theme_id]],
                total=int(themes.loc[theme_id].sum()),
            )
            for theme_id in themes.index
        ],
        status_totals=[(STATUS_TITLES[str(s)], int(n)) for s, n in statuses.items()],
        members=[
            _member_chapter(wg, code, c, stats, ranks, change, images, late=code in late)
            for code, c in _in_order(wg, contributions)
        ],
        definitions=[_definition(i) for i in wg.indicators],
        previous_year=previous_year,
    )


def format_number(value: Any, decimals: int, *, signed: bool = False) -> str:
    """A number with the catalogue's decimals; an en dash when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    text = f"{float(value):+,.{decimals}f}" if signed else f"{float(value):,.{decimals}f}"
    return text.replace("-", "−")


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
    stats: pd.DataFrame,
    ranks: pd.DataFrame,
    change: pd.DataFrame,
    images: Mapping[str, str],
    *,
    late: bool,
) -> MemberChapter:
    member = wg.member(code)
    assert member is not None
    gov = contribution.governance
    reported = {v.id: v for v in contribution.indicators}
    lines = []
    for indicator in wg.indicators:
        value = reported.get(indicator.id)
        rank = ranks[(ranks["member"] == code) & (ranks["indicator"] == indicator.id)]["rank"]
        ch = change[(change["member"] == code) & (change["indicator"] == indicator.id)]
        reporting = int(stats.at[indicator.id, "reported"])  # type: ignore[arg-type]
        rank_value = rank.iloc[0] if len(rank) else pd.NA
        lines.append(
            IndicatorLine(
                id=indicator.id,
                title=indicator.title,
                value=(
                    format_number(value.value, indicator.decimals)
                    if value is not None and value.value is not None
                    else "not available"
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
    values: pd.DataFrame,
    stats: pd.DataFrame,
    change: pd.DataFrame,
    initiatives: pd.DataFrame,
    themes: pd.DataFrame,
    previous_year: int | None,
    loaded: LoadedEdition,
) -> list[Finding]:
    """Key findings computed from the data, each pointing at its source table."""
    findings: list[Finding] = []
    included = len(loaded.contributions)
    expected = len(loaded.status)
    findings.append(
        Finding(
            text=f"{included} of {expected} expected members contributed a valid report "
            f"to the {loaded.year} edition.",
            ref="annex-status",
            ref_title="Annex B",
        )
    )
    for indicator in wg.indicators[:1]:
        median = float(stats.at[indicator.id, "median"])  # type: ignore[arg-type]
        if math.isnan(median):
            continue
        text = f"The group median {indicator.title} is {format_number(median, indicator.decimals)}"
        prev = change[change["indicator"] == indicator.id]["previous"].dropna()
        if previous_year is not None and len(prev):
            text += (
                f", against {format_number(prev.median(), indicator.decimals)} "
                f"in the {previous_year} edition"
            )
        findings.append(Finding(text=text + ".", ref="indicator-table", ref_title="Table 1"))
    if len(initiatives):
        totals = themes.sum(axis=1)
        top = str(totals.idxmax())
        reach = int((themes.loc[top] > 0).to_numpy().sum())
        findings.append(
            Finding(
                text=f"Members reported {len(initiatives)} initiatives; "
                f"'{_theme_title(wg, str(top))}' is the most common theme "
                f"({int(totals[top])} initiatives from {reach} members).",
                ref="theme-table",
                ref_title="Table 3",
            )
        )
        completed = initiatives[initiatives["status"] == "completed"]
        if len(completed):
            findings.append(
                Finding(
                    text=f"{len(completed)} initiatives are reported as completed.",
                    ref="theme-table",
                    ref_title="Table 3",
                )
            )
    return findings
