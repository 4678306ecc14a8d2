"""The typed report context: `ReportContext` and its parts, frozen, everything already
formatted, so that templates only place values. `context.build_context` fills it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..inputs.comments import CommentSummary
from ..locales import N_
from .editorialmodel import EditorialView

ILLUSTRATIVE_NOTICE = N_(
    "Indicator values are published figures, cited with their sources. The narratives in "
    "this demonstration edition (summaries, initiatives, case studies and contacts) are "
    "illustrative: they were written to exercise the pipeline and do not describe real "
    "programmes or people."
)
#: The executive summary lists at most this many initiatives in one finding (the demo
#: edition's 14 completed initiatives are all named); a longer list is counted by theme,
#: with the NOTABLE longest-running named and the rest counted.
MAX_LISTED = 15
NOTABLE = 5
#: What each category the report uses means, as the method section defines it.
COORDINATION_DEFINITIONS = {
    "centralised": "one institution sets digital-government policy and standards for the "
    "whole of central government and holds the budget or mandate to enforce them",
    "decentralised": "each ministry or agency leads its own digital programmes; a central "
    "body, where there is one, advises and coordinates without a mandate to enforce",
    "hybrid": "a central institution sets shared standards and runs common platforms, "
    "while ministries and agencies lead their own services within them",
}
STATUS_DEFINITIONS = {
    "planned": "approved or announced, with work not yet started",
    "in-progress": "under way at the data cut-off",
    "completed": "delivered, with its end date given",
    "discontinued": "stopped before completion; the member says why",
}


class _Ctx(BaseModel):
    model_config = ConfigDict(frozen=True)


class BuildInfo(_Ctx):
    draft: str | None  # "Draft 003", or None for a final
    built_at: str  # ISO 8601, UTC
    version: str
    allowed_missing: list[str] = []  # a final published without these members
    overrides: list[str] = []  # a final's preflight overrides, in plain words (the imprint)


class Chapter(_Ctx):
    """One chapter or annex, in report order: it drives the section includes, the
    headings, the contents, the bookmarks and every cross-reference to it."""

    id: str
    title: str  # the heading as printed, with its label: "Annex A. Indicator definitions…"
    label: str = ""  # how the text refers to it ("Annex A"); "" for an unlabelled chapter
    number: str = ""  # "4", or an annex's letter: its figures and tables are "4.1", "A.2"
    template: str  # the partial under templates/sections/ that renders it
    member: int | None = None  # a member's chapter: its index in ReportContext.members


#: The chapters before the members' and the annexes after them: (id, title, partial).
class Finding(_Ctx):
    text: str
    ref: str  # the id of the table or chapter the finding comes from
    ref_title: str


class StatusRow(_Ctx):
    code: str
    name: str  # the formal name (the status annex)
    short: str  # the short name, for running text
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
    kind: str = "member"  # member | statistic | reference


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
    previous_data_year: str  # the previous edition's value: its data year and source
    previous_source: str
    change: str  # "+0.0126", for a rank "up 4", or "break in series"
    break_reason: str  # why the values cannot be compared ("" when they can)
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
    outcomes: list[str]  # sanitised inline HTML (markdown.render_inline)
    links: list[tuple[str, str]]
    image_src: str | None
    image_alt: str | None
    figure_id: str | None = None  # the image's figure, numbered in the member's chapter
    figure_number: str = ""


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
    figure_id: str | None = None
    figure_number: str = ""


class MemberChapter(_Ctx):
    id: str
    table_number: str
    code: str
    name: str  # the formal name: the chapter's heading only
    label: str  # the short name, in running text and tables
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
    number: str
    title: str
    alt: str
    svg: str  # the chart as inline SVG markup (role=img, title and desc)
    data_table: str  # the id of the annex table with its data
    data_table_number: str
    notes: list[str]
    panel: str = ""  # "a", "b", …: this is one panel of Figure `number` ("" for a whole one)
    part: str = ""  # which members the panel shows
    compact: bool = False  # a large group's layout: printed up to a page tall
    source: str = ""  # the "Source:" line


class DataTable(_Ctx):
    id: str
    number: str
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


class MethodSource(_Ctx):
    """A published source the report uses, with its edition and when it was accessed."""

    title: str
    edition: str
    indicators: str
    url: str
    accessed: str


class MethodReference(_Ctx):
    """A published average the report compares members with, and where it comes from."""

    indicator: str
    label: str
    value: str
    source: str
    url: str


class Definition(_Ctx):
    term: str
    meaning: str


class MethodView(_Ctx):
    """The method section: period, cut-off, sources, comparisons, categories and breaks."""

    period: str
    cutoff: str
    deadline: str
    sources: list[MethodSource]
    references: list[MethodReference]
    breaks: list[Definition]
    coordination: list[Definition]
    statuses: list[Definition]
    themes: list[Definition]
    units: list[Definition]


class ListEntry(_Ctx):
    """A line of the list of figures or of tables."""

    id: str
    number: str
    title: str


class FrontMatter(_Ctx):
    """The cover's status, the imprint, the foreword's signature and the lists."""

    status: str  # "Draft 003 for review, not for citation" or "Final edition"
    date_line: str
    copyright: str
    licence: str
    licence_url: str
    disclaimer: str
    citation: str
    approval: str  # "" unless a final with an approval
    signatory: str
    signatory_role: str
    acknowledgements: str
    contacts: list[Definition]  # member → "name, organisation"
    figures: list[ListEntry]
    tables: list[ListEntry]
    abbreviations: list[Definition]


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
    table_numbers: dict[str, str]
    data_tables: list[DataTable]
    contributors: list[ContributorRow]
    validation_notes: list[ValidationNote]
    downloads: list[Download]
    caveats: list[str]
    method: MethodView
    constant: list[str] = []  # indicators whose reported values are all equal: said, not drawn
    front: FrontMatter
    table_titles: dict[str, str]
    comments: CommentSummary | None = None
    #: The key messages, the editorial chapters and the facts their text uses.
    editorial: EditorialView = EditorialView()
    #: In another language (issue 42): the parts of what people wrote printed translated,
    #: by their element's key ("foreword", "chapter:<id>", "member-kr/summary",
    #: "kr-<initiative id>/title", "…/description", "…/outcomes/<n>", "member-kr/case-study");
    #: every other part prints in English, marked lang="en". And the parts left in English,
    #: as the about chapter names them. Neither is in report.json (the English context's).
    translated: list[str] = Field(default=[], exclude=True)
    original_parts: list[str] = Field(default=[], exclude=True)

    def label(self, chapter_id: str) -> str:
        """How the text refers to a chapter ("Annex D"): the one place that names it."""
        for chapter in self.chapters:
            if chapter.id == chapter_id:
                if not chapter.label:
                    raise ValueError(f"chapter {chapter_id!r} has no label to refer to it by")
                return chapter.label
        raise KeyError(f"no chapter {chapter_id!r} in this report")
