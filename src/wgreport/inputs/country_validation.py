"""The country-validation record: `inputs/<year>/country-validation.yaml`.

Before a final, the secretariat opens a round on a draft, and each member confirms the
pages of its own chapter or returns corrections. The record of those rounds is a
person's statement, like a review comment, so it lives in the inputs and is checked like
them: one pass, every problem at its line and column (`wgreport validate` checks it).
`wgreport.review.confirmations` reads and writes it; this module only defines and checks it.

    schema: wgreport/country-validation/v1
    year: 2024
    rounds:                             # oldest first; the newest one counts
      - draft: 3
        opened: 2025-03-03
        opened_by: secretariat@example.org
        due: 2025-03-14                 # optional
        members:
          KR:
            status: confirmed           # requested | confirmed | corrections
            at: 2025-03-05T09:12:00Z
            by: kr-contact@example.org
            content: <sha256 hex>       # the content confirmed
            comment: kr-validation#1    # with corrections: the review comment
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from .checks.common import dict_items, is_int
from .issues import FileReport
from .models import Email, FullDate, WorkingGroup, Year
from .suggest import did_you_mean
from .validation import validate_model
from .yamlsource import Source, load_yaml

SCHEMA_ID = "wgreport/country-validation/v1"
STATUSES: tuple[str, ...] = ("requested", "confirmed", "corrections")
VALIDATION_SUFFIX = "-validation"  # a member's corrections: reviews/<code>-validation.yaml

_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def reviewer_id(code: str) -> str:
    """The reviewer id under which member `code` returns corrections (`kr-validation`)."""
    return f"{code.lower()}{VALIDATION_SUFFIX}"


def _timestamp(value: str) -> str:
    if _TIMESTAMP.fullmatch(value):
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return value
    raise PydanticCustomError(
        "invalid-date",
        "'{value}' is not a UTC time in the form YYYY-MM-DDTHH:MM:SSZ",
        {"value": value[:40], "hint": "for example 2025-03-05T09:12:00Z"},
    )


Timestamp = Annotated[str, AfterValidator(_timestamp)]
Digest = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
CommentRef = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*#[1-9][0-9]{0,5}$", max_length=60)
]


class _Record(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, populate_by_name=True, validate_by_alias=True
    )


class MemberEntry(_Record):
    status: Literal["requested", "confirmed", "corrections"]
    at: Timestamp | None = Field(None, description="When the member answered (UTC)")
    by: Email | None = Field(None, description="Who answered")
    content: Digest | None = Field(
        None, description="sha256 of the member's contribution as confirmed"
    )
    comment: CommentRef | None = Field(
        None, description="With corrections: the review comment, e.g. kr-validation#1"
    )


class ValidationRound(_Record):
    draft: Annotated[int, Field(ge=1)] = Field(description="The draft whose pages members check")
    opened: FullDate
    opened_by: Email
    due: FullDate | None = None
    members: dict[str, MemberEntry] = Field(description="Member code → the member's answer")


class CountryValidation(_Record):
    schema_: Literal["wgreport/country-validation/v1"] = Field(alias="schema")
    year: Year
    rounds: Annotated[list[ValidationRound], Field(max_length=100)] = []


def validate_country_validation(
    path: Path, wg: WorkingGroup | None, year: int | None, display: str | None = None
) -> tuple[CountryValidation | None, Source, FileReport]:
    """Check the record; the model (None when it has an error), its source (the positions
    of every key) and its report."""
    source = load_yaml(path, display)
    model = validate_model(source, CountryValidation)
    data = source.data if isinstance(source.data, dict) else {}
    folder_year = data.get("year")
    if year is not None and is_int(folder_year) and folder_year != year:
        source.add(
            "error",
            "year-mismatch",
            f"year {folder_year} does not match the edition folder '{year}'",
            ("year",),
            hint=f"write year: {year}, or move the file to inputs/{folder_year}/",
        )
    codes = [m.code for m in wg.members] if wg is not None else None
    previous: int | None = None
    for index, item in enumerate(dict_items(data.get("rounds"))):
        _check_round(source, item, index, codes, previous)
        if is_int(item.get("draft")):
            previous = item["draft"]
    report = FileReport(source.display, None, source.issues)
    return (model if report.valid else None), source, report


def _check_round(
    source: Source,
    item: dict[str, Any],
    index: int,
    codes: list[str] | None,
    previous: int | None,
) -> None:
    base = ("rounds", index)
    draft = item.get("draft")
    if previous is not None and is_int(draft) and draft < previous:
        source.add(
            "error",
            "round-order",
            f"this round is on draft {draft}, older than the round before it (draft {previous})",
            (*base, "draft"),
            hint="rounds are listed oldest first; a new round is on the same or a newer draft",
        )
    opened, due = item.get("opened"), item.get("due")
    if isinstance(opened, dt.date) and isinstance(due, dt.date) and due < opened:
        source.add(
            "error",
            "due-before-opened",
            f"the round is due {due.isoformat()}, before it was opened ({opened.isoformat()})",
            (*base, "due"),
            hint="give a due date on or after the opening date",
        )
    members = item.get("members")
    for code, entry in members.items() if isinstance(members, dict) else ():
        where = (*base, "members", code)
        if codes is not None and code not in codes:
            source.add(
                "error",
                "unknown-member",
                f"'{code}' is not a member of this working group",
                where,
                hint=did_you_mean(str(code), codes),
                key=True,
            )
        if isinstance(entry, dict):
            _check_entry(source, entry, where, str(code))


def _check_entry(source: Source, entry: dict[str, Any], where: tuple[Any, ...], code: str) -> None:
    status = entry.get("status")
    needed = {"confirmed": ("at", "by", "content"), "corrections": ("at", "by", "comment")}
    for key in needed.get(str(status), ()):
        if entry.get(key) in (None, ""):
            source.add(
                "error",
                "missing-field",
                f"a member with status '{status}' needs '{key}'",
                (*where, key),
                hint="the wgreport validation commands and the portal write it; "
                "do not edit an answer by hand",
                at=source.locate(where, key=True),
            )
    comment = entry.get("comment")
    if isinstance(comment, str) and "#" in comment:
        expected = reviewer_id(code)
        if comment.split("#", 1)[0] != expected:
            source.add(
                "error",
                "comment-mismatch",
                f"'{comment}' is not a comment of {code}'s corrections ({expected}#N)",
                (*where, "comment"),
                hint=f"{code}'s corrections are in reviews/{expected}.yaml",
            )
