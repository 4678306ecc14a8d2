"""The v1 input contract as pydantic models (the executable form of inputs-v1.md).

Models check structure, types and the format of single fields. Rules that relate fields,
items or files to each other live in `validation.py`, which walks the raw data so that one
pass reports every problem even when some fields are malformed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .dates import ANSWER_TIME as _ANSWER_TIME
from .dates import answer_time as _answer_time
from .dates import full_date as _full_date
from .dates import partial_date as _partial_date
from .limits import (
    COMMENT_CHARS,
    EMAIL_CHARS,
    FILE_NAME_CHARS,
    MARKDOWN_CHARS,
    NAME_CHARS,
    OUTCOME_CHARS,
    PARAGRAPH_CHARS,
    SENTENCE_CHARS,
    URL_CHARS,
    YEAR_MAX,
    YEAR_MIN,
)
from .zones import ReportLanguage, TimeZone

# --- field types -------------------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
LINK_SCHEMES = ("https:", "http:", "mailto:")
PLACEHOLDER = "TODO"  # skeletons from `wgreport new` mark what is still to write
PLACEHOLDER_ID = "todo-initiative-id"


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty-value", "the value is empty")
    return value


def _url(value: str) -> str:
    _not_blank(value)
    lowered = value.strip().lower()
    if not lowered.startswith(LINK_SCHEMES):
        raise PydanticCustomError(
            "link-scheme",
            "links must start with https:, http: or mailto: ('{value}')",
            {"value": value[:60], "hint": "write the full address, e.g. https://www.example.org"},
        )
    if lowered.startswith(("https:", "http:")) and not re.match(r"https?://[^/\s]+", lowered):
        raise PydanticCustomError(
            "invalid-url", "'{value}' is not a web address", {"value": value[:60], "hint": None}
        )
    return value


def _email(value: str) -> str:
    _not_blank(value)
    if not _EMAIL.fullmatch(value.strip()):
        raise PydanticCustomError(
            "invalid-email",
            "'{value}' is not an e-mail address",
            {"value": value[:60], "hint": "for example name@ministry.example"},
        )
    return value


Text = Annotated[str, AfterValidator(_not_blank)]
# Every free-text field has a maximum length (limits.py; docs/limits.md lists the fields).
# Pydantic reports a longer text as `string_too_long`, issue code `text-too-long`.
# (The length is checked on the str itself, before `_not_blank`, so that the error is
# pydantic's `string_too_long` with the limit, at no cost for a huge text.)
Name = Annotated[str, StringConstraints(max_length=NAME_CHARS), AfterValidator(_not_blank)]
Sentence = Annotated[str, StringConstraints(max_length=SENTENCE_CHARS), AfterValidator(_not_blank)]
Paragraph = Annotated[
    str, StringConstraints(max_length=PARAGRAPH_CHARS), AfterValidator(_not_blank)
]
FileName = Annotated[str, StringConstraints(max_length=FILE_NAME_CHARS), AfterValidator(_not_blank)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
MemberCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
LawYear = Annotated[int, Field(ge=1800, le=2100)]
PartialDate = Annotated[
    str,
    BeforeValidator(_partial_date),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1000, "maximum": 9999},
                {"type": "string", "pattern": r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"},
            ],
            "description": "YYYY, YYYY-MM or YYYY-MM-DD",
        }
    ),
]
FullDate = Annotated[
    dt.date,
    BeforeValidator(_full_date),
    WithJsonSchema({"type": "string", "format": "date", "description": "YYYY-MM-DD"}),
]
Url = Annotated[str, StringConstraints(max_length=URL_CHARS), AfterValidator(_url)]
Email = Annotated[str, StringConstraints(max_length=EMAIL_CHARS), AfterValidator(_email)]
Markdown = Annotated[str, AfterValidator(_not_blank)]
# A contribution's Markdown is bounded by validation (`markdown-too-large`, with its
# tables and nesting: limits.MARKDOWN_CHARS); the schema tells editors the same limit.
SummaryMarkdown = Annotated[
    Markdown, Field(json_schema_extra={"maxLength": MARKDOWN_CHARS["summary"]})
]
DescriptionMarkdown = Annotated[
    Markdown, Field(json_schema_extra={"maxLength": MARKDOWN_CHARS["description"]})
]
BodyMarkdown = Annotated[Markdown, Field(json_schema_extra={"maxLength": MARKDOWN_CHARS["body"]})]
CommentMarkdown = Annotated[
    str, StringConstraints(max_length=COMMENT_CHARS), AfterValidator(_not_blank)
]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        populate_by_name=True,
        validate_by_alias=True,
        allow_inf_nan=False,
    )


def _context(info: ValidationInfo) -> Any:
    return info.context if isinstance(info.context, dict) else {}


def _known(value: str, info: ValidationInfo, key: str, code: str, message: str) -> str:
    """Check `value` against the ids the validation context lists under `key` (if any)."""
    known = _context(info).get(key)
    if known is not None and value not in known:
        raise PydanticCustomError(code, message, {"value": value, "choices": sorted(known)})
    return value


# --- working-group.yaml ------------------------------------------------------------------


class Member(_Model):
    code: MemberCode = Field(description="ISO 3166-1 alpha-2 code (the United Kingdom is GB)")
    name: Name
    short_name: Name | None = None
    ministry: Name
    email: Email | None = Field(
        None,
        description="Optional: where the secretariat's e-mails to this member go (receipts, "
        "reminders, validation requests); default: the contact e-mail of its contribution",
    )

    @property
    def label(self) -> str:
        """The short name used in charts and tables."""
        return self.short_name or self.name


class Theme(_Model):
    id: Slug
    title: Name
    description: Paragraph


Unit = Literal["index", "percent", "count", "currency", "years", "score", "rank"]


class SeriesBreak(_Model):
    edition: Year = Field(
        description="The edition whose values cannot be compared with the edition before it"
    )
    reason: Paragraph = Field(description="One sentence on why, as the report prints it")
    source: Sentence | None = Field(
        None, description="Optional: where the change of method is published (a citation)"
    )


class ReferenceValue(_Model):
    label: Name = Field(description="What the value is, e.g. World average or OECD average")
    data_year: Year = Field(description="The survey edition it belongs to")
    value: float = Field(description="As the source publishes it")
    source: Sentence = Field(description="Who publishes it, and where")
    url: Url | None = None
    published: FullDate | None = Field(
        None,
        description="Optional: when the source published the value (YYYY-MM-DD); the "
        "final's preflight refuses a value published after the edition's data cut-off",
    )


class Indicator(_Model):
    id: Slug
    title: Name
    unit: Unit
    min: float | None = None
    max: float | None = None
    decimals: Annotated[int, Field(ge=0, le=6)] = 2
    higher_is_better: bool = True
    source: Sentence
    definition: Paragraph
    required: bool = False
    caveat: Paragraph | None = Field(
        None, description="Optional: what a reader must know before comparing values."
    )
    series_breaks: list[SeriesBreak] = Field(
        [],
        description="Optional: editions whose values cannot be compared with the edition "
        "before (a change in method); the report then shows no change for them",
    )
    references: list[ReferenceValue] = Field(
        [],
        description="Optional: averages the source publishes (world, OECD), to compare with",
    )

    def break_at(self, edition: int | None) -> SeriesBreak | None:
        """The break between `edition` and the edition before it, if there is one."""
        return next((b for b in self.series_breaks if b.edition == edition), None)

    def reference(self, data_year: int | None) -> list[ReferenceValue]:
        """The published averages of one survey edition."""
        return [r for r in self.references if r.data_year == data_year]


class WorkingGroup(_Model):
    schema_: Literal["wgreport/working-group/v1"] = Field(alias="schema")
    name: Name
    forum: Name
    chair: MemberCode
    members: Annotated[list[Member], Field(min_length=1)]
    themes: Annotated[list[Theme], Field(min_length=1)]
    indicators: list[Indicator] = []

    def member(self, code: str) -> Member | None:
        return next((m for m in self.members if m.code == code), None)

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def theme(self, theme_id: str) -> Theme | None:
        return next((t for t in self.themes if t.id == theme_id), None)


# --- <year>/edition.yaml -----------------------------------------------------------------


class Editor(_Model):
    name: Name
    organisation: Name | None = None


class SourceEdition(_Model):
    title: Sentence = Field(description="The source as the method section names it")
    edition: Sentence = Field(description="Which edition of it, e.g. 2024")
    indicators: list[Slug] = Field([], description="The catalogue's indicators it provides")
    url: Url | None = None
    accessed: FullDate = Field(description="When the secretariat last checked its values")


class Signatory(_Model):
    name: Name = Field(description="Who signs the foreword")
    role: Sentence = Field(description="Their role, e.g. Chair of the Working Group")


class Approval(_Model):
    by: Sentence = Field(
        description="Who approved the edition, e.g. the Working Group at its plenary"
    )
    date: FullDate = Field(description="When it was approved")


class Abbreviation(_Model):
    term: Name
    meaning: Sentence


#: The id of the editorial chapter that opens the executive summary (no `before`/`after`).
KEY_MESSAGES = "key-messages"


class EditorialChapter(_Model):
    """A chapter the secretariat writes in Markdown, with fact references (`{{ id }}`)."""

    id: Slug = Field(
        description="The chapter's id (its anchor, and how `{{ chapter:ID }}` names it); "
        "`key-messages` opens the executive summary"
    )
    title: Name = Field(description="The chapter's heading, without its number")
    file: FileName = Field(description="The Markdown file, next to edition.yaml")
    before: Slug | None = Field(
        None, description="Optional: the id of the chapter it is placed before"
    )
    after: Slug | None = Field(
        None, description="Optional: the id of the chapter it is placed after"
    )


class Licence(_Model):
    name: Sentence = Field(
        description="e.g. Creative Commons Attribution 4.0 International (CC BY 4.0)"
    )
    url: Url | None = None


class Edition(_Model):
    schema_: Literal["wgreport/edition/v1"] = Field(alias="schema")
    year: Year
    title: Name
    subtitle: Sentence | None = None
    deadline: FullDate
    time_zone: TimeZone | None = Field(
        None,
        description="Optional: the IANA time zone of the edition's deadline and of the times "
        "the portal shows, e.g. Asia/Seoul (default: UTC)",
    )
    editors: Annotated[list[Editor], Field(min_length=1)]
    foreword: FileName | None = None
    expected_members: Literal["all"] | list[MemberCode] = "all"
    previous_edition: Year | None = None
    data_cutoff: FullDate | None = Field(
        None, description="Optional: the last day of data the report uses (default: deadline)"
    )
    sources: list[SourceEdition] = Field(
        [], description="Optional: each published source used, with its edition and access date"
    )
    foreword_signatory: Signatory | None = Field(
        None, description="Optional: who signs the foreword, with their role"
    )
    approval: Approval | None = Field(
        None, description="Optional: who approved the edition and when (printed in finals)"
    )
    publication_date: FullDate | None = Field(
        None, description="Optional: the final's publication date (default: the build date)"
    )
    disclaimer: Paragraph | None = Field(
        None, description="Optional: replaces the default disclaimer"
    )
    copyright: Sentence | None = Field(
        None, description="Optional: the copyright holder (default: the working group)"
    )
    licence: Licence | None = Field(
        None, description="Optional: the licence the report is published under (default: CC BY 4.0)"
    )
    citation: Paragraph | None = Field(
        None, description="Optional: how to cite the report (default: composed from the edition)"
    )
    acknowledgements: Paragraph | None = Field(
        None, description="Optional: a paragraph of thanks, printed before the member contacts"
    )
    abbreviations: list[Abbreviation] = Field(
        [], description="Optional: abbreviations added to the report's list of abbreviations"
    )
    chapters: list[EditorialChapter] = Field(
        [],
        description="Optional: chapters the secretariat writes in Markdown, each placed "
        "before or after a chapter of the report (`key-messages` opens the executive summary)",
    )
    languages: list[ReportLanguage] = Field(
        [],
        description="Optional: the languages every build writes the report in, e.g. [en, ko] "
        "(English always; report.ko.pdf and report.ko.html beside the English files)",
    )


# --- <year>/contributions/<CODE>.yaml ----------------------------------------------------


class Contact(_Model):
    name: Name
    email: Email
    organisation: Name


class Strategy(_Model):
    title: Sentence
    adopted: PartialDate
    url: Url | None = None
    horizon: Year | None = None


class LegalInstrument(_Model):
    title: Sentence
    year: LawYear


class Governance(_Model):
    lead_institution: Name
    coordination_model: Literal["centralised", "decentralised", "hybrid"]
    strategy: Strategy
    legal_instruments: Annotated[list[LegalInstrument], Field(max_length=20)] = []


class Link(_Model):
    title: Name
    url: Url


class Image(_Model):
    file: FileName = Field(
        description="relative to contributions/; PNG, JPEG or SVG, at most 5 MiB"
    )
    alt: Sentence = Field(description="a text alternative that says what the image shows")


Status = Literal["planned", "in-progress", "completed", "discontinued"]


class Initiative(_Model):
    id: Slug
    title: Name
    theme: Slug
    status: Status
    started: PartialDate
    ended: PartialDate | None = None
    description: DescriptionMarkdown
    outcomes: Annotated[
        list[Annotated[Text, StringConstraints(max_length=OUTCOME_CHARS)]], Field(max_length=8)
    ] = []
    links: list[Link] = []
    image: Image | None = None

    @field_validator("theme")
    @classmethod
    def _known_theme(cls, value: str, info: ValidationInfo) -> str:
        return _known(
            value, info, "themes", "unknown-theme", "'{value}' is not a theme of this working group"
        )


class IndicatorValue(_Model):
    id: Slug
    value: float | None
    data_year: Year | None = None
    source: Sentence | None = None
    note: Sentence | None = None
    reason_missing: Sentence | None = None

    @field_validator("id")
    @classmethod
    def _known_indicator(cls, value: str, info: ValidationInfo) -> str:
        return _known(
            value,
            info,
            "indicators",
            "unknown-indicator",
            "'{value}' is not an indicator in the catalogue",
        )


class CaseStudy(_Model):
    title: Name
    body: BodyMarkdown
    image: Image | None = None


class Contribution(_Model):
    schema_: Literal["wgreport/contribution/v1"] = Field(alias="schema")
    member: MemberCode
    year: Year
    submitted: FullDate
    contact: Contact
    summary: SummaryMarkdown
    governance: Governance
    initiatives: Annotated[list[Initiative], Field(min_length=1, max_length=12)]
    indicators: list[IndicatorValue] = []
    indicators_file: FileName | None = None
    case_study: CaseStudy | None = None

    @field_validator("member")
    @classmethod
    def _known_member(cls, value: str, info: ValidationInfo) -> str:
        return _known(
            value,
            info,
            "members",
            "unknown-member",
            "'{value}' is not a member of this working group",
        )


# --- <year>/reviews/<reviewer-id>.yaml ---------------------------------------------------

ReviewerId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)]
CommentKind = Literal["editorial", "substantive", "factual"]
CommentStatus = Literal["open", "accepted", "rejected", "deferred"]
COMMENT_STATUSES: tuple[str, ...] = ("open", "accepted", "rejected", "deferred")
COMMENT_KINDS: tuple[str, ...] = ("editorial", "substantive", "factual")


class Reviewer(_Model):
    id: ReviewerId = Field(description="The file's name without .yaml, e.g. gb-policy-team")
    name: Name
    organisation: Name
    member: MemberCode | None = None
    email: Email | None = None


AnswerTime = Annotated[
    str,
    BeforeValidator(_answer_time),
    WithJsonSchema(
        {"type": "string", "pattern": f"^{_ANSWER_TIME}$",
         "description": "UTC date and time, e.g. 2025-03-05T09:12:00Z"}
    ),
]  # fmt: skip


class EarlierAnswer(_Model):
    """An answer of the secretariat that a later one replaced (kept in `history`)."""

    at: AnswerTime | None = Field(default=None, description="When it was given (UTC)")
    by: Name | None = Field(default=None, description="Who gave it")
    status: CommentStatus
    response: CommentMarkdown | None = None


class Reply(_Model):
    """One message of a comment's thread after the answer, by its reviewer or secretariat."""

    at: AnswerTime = Field(description="When it was written (UTC)")
    by: ReviewerId = Field(description="The reviewer's id, or secretariat")
    text: CommentMarkdown


class ReviewComment(_Model):
    id: Annotated[int, Field(ge=1)] = Field(description="Unique in the file; never reused")
    draft: Annotated[int, Field(ge=1)] = Field(description="The draft number the comment is on")
    section: Name = Field(description="A chapter id (summary, themes, annex-b…) or a member code")
    page: Annotated[int, Field(ge=1)] | None = None
    quote: Paragraph | None = None
    comment: CommentMarkdown
    proposed_change: CommentMarkdown | None = None  # optional: a question needs none
    kind: CommentKind
    response: CommentMarkdown | None = Field(default=None, description="Written by the secretariat")
    status: CommentStatus = Field(default="open", description="Set by the secretariat")
    answered_at: AnswerTime | None = Field(
        default=None, description="Written by the secretariat's tools: when it answered (UTC)"
    )
    answered_by: Name | None = Field(
        default=None, description="Written by the secretariat's tools: who answered"
    )
    history: Annotated[list[EarlierAnswer], Field(max_length=100)] | None = Field(
        default=None, description="The earlier answers a later one replaced, oldest first"
    )
    replies: Annotated[list[Reply], Field(max_length=200)] | None = None  # oldest first


class Review(_Model):
    schema_: Literal["wgreport/review/v1"] = Field(alias="schema")
    year: Year
    reviewer: Reviewer
    comments: Annotated[list[ReviewComment], Field(min_length=1, max_length=500)]
