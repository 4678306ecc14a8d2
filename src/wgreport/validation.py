"""Validate input files: every problem in one pass, each at its file, line and column.

Structure and single-field formats are checked by the pydantic models; the rules that
relate fields, items and files (cross-field, cross-item, cross-file) are checked here on
the raw data, defensively, so that a malformed field elsewhere never hides them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from . import limits
from .issues import FileReport, Issue
from .models import (
    PLACEHOLDER,
    PLACEHOLDER_ID,
    Contribution,
    Edition,
    Indicator,
    IndicatorValue,
    WorkingGroup,
)
from .suggest import did_you_mean
from .yamlsource import FieldPath, Source, format_path, load_yaml, read_text

M = TypeVar("M", bound=BaseModel)

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_LINK_CHARS = 2048
IMAGE_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".svg": "SVG"}
WORD_LIMITS = {"description": 400, "body": 1500}
SUMMARY_WORDS = (30, 250)
CSV_COLUMNS = ("id", "value", "data_year", "source", "note", "reason_missing")
_DECIMAL_COMMA = re.compile(r"[-+]?[0-9]+,[0-9]+")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\(")
_MD_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>")

_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "list_type": "a list (lines starting with '- ')",
    "date_type": "a date (YYYY-MM-DD)",
}


@dataclass(frozen=True)
class EditionContext:
    """What a contribution is checked against: the group, its edition and its folder."""

    working_group: WorkingGroup | None
    year: int | None
    edition: Edition | None = None
    contributions_dir: Path | None = None

    def pydantic_context(self) -> dict[str, Any]:
        wg = self.working_group
        if wg is None:
            return {}
        return {
            "members": [m.code for m in wg.members],
            "themes": [t.id for t in wg.themes],
            "indicators": [i.id for i in wg.indicators],
        }


@dataclass
class ContributionResult:
    """The outcome of validating one member's contribution (and its CSV, if any)."""

    path: Path
    member: str
    contribution: Contribution | None
    reports: list[FileReport] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.contribution is not None and all(r.valid for r in self.reports)


# --- pydantic errors → issues --------------------------------------------------------------


def _data_path(data: Any, loc: Sequence[str | int]) -> tuple[FieldPath, Any]:
    """Map a pydantic error location to the path in the data (dropping union tags)."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if (isinstance(current, dict) and isinstance(part, str) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        ):
            current = current[part]  # type: ignore[index]
            path.append(part)
        elif isinstance(current, dict) and isinstance(part, str) and not _is_union_tag(part):
            path.append(part)  # a missing or unknown key
            current = None
        # else: a union member tag such as "literal['all']" or "list[...]": skip it
    return tuple(path), current


def _is_union_tag(part: str) -> bool:
    return "[" in part or part in {"str", "int", "float", "bool", "date", "function-after"}


def _allowed_keys(model: type[BaseModel], path: FieldPath) -> list[str]:
    """The keys a mapping at `path` may hold, for 'did you mean' on unknown keys."""
    import typing

    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = next(
            (f for n, f in current.model_fields.items() if (f.alias or n) == part),
            None,
        )
        if info is None:
            return []
        current = _inner_model(info.annotation, typing)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _inner_model(annotation: Any, typing: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg, typing)
        if found is not None:
            return found
    return None


def _add_pydantic_errors(
    source: Source,
    exc: ValidationError,
    data: Any,
    model: type[BaseModel],
    skip: set[FieldPath] = frozenset(),  # type: ignore[assignment]
) -> None:
    seen: set[tuple[FieldPath, str]] = set()
    # The reader may already have reported the same fault (e.g. a date that does not exist).
    already = {(i.field, i.code) for i in source.issues}
    for error in exc.errors(include_url=False):
        path, value = _data_path(data, error["loc"])
        if path in skip:
            continue
        etype: str = error["type"]
        ctx: dict[str, Any] = dict(error.get("ctx") or {})
        code, message, hint, key = _describe(etype, error, ctx, path, value, model)
        if (path, code) in seen or (format_path(path), code) in already:
            continue
        seen.add((path, code))
        if etype == "missing":
            source.add("error", code, message, path, hint=hint, at=source.locate_missing(path))
        else:
            source.add("error", code, message, path, hint=hint, key=key)


def _describe(
    etype: str,
    error: Any,
    ctx: dict[str, Any],
    path: FieldPath,
    value: Any,
    model: type[BaseModel],
) -> tuple[str, str, str | None, bool]:
    name = str(path[-1]) if path else "file"
    if etype == "missing":
        return (
            "missing-field",
            f"'{name}' is required here",
            "add it (see the members' guide)",
            True,
        )
    if etype == "extra_forbidden":
        allowed = _allowed_keys(model, path[:-1])
        hint = did_you_mean(name, allowed) if allowed else None
        return "unknown-key", f"'{name}' is not a field here", hint, True
    if etype == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        shown = str(error["input"])[:60]
        hint = did_you_mean(shown, choices) if isinstance(error["input"], str) else None
        if hint is None and choices:
            hint = "expected one of: " + ", ".join(f"'{c}'" for c in choices)
        if path == ("schema",):
            return "wrong-schema", f"'{shown}' is not the expected schema line", hint, False
        return "invalid-choice", f"'{shown}' is not an allowed value for '{name}'", hint, False
    if etype in _TYPE_WORDS:
        words = _TYPE_WORDS[etype]
        if isinstance(value, str) and _DECIMAL_COMMA.fullmatch(value.strip()):
            return "decimal-comma", f"'{value}' uses a decimal comma", comma_hint(value), False
        if value is None and etype != "missing":
            return "wrong-type", f"'{name}' is empty; expected {words}", None, False
        shown = _describe_value(value)
        hint = None
        if etype == "date_type" or "date" in name:
            hint = "write dates as YYYY-MM-DD, e.g. 2025-02-14"
        elif etype in {"dict_type", "model_type"}:
            hint = "indent the fields under this key, each as 'key: value'"
        elif etype == "list_type":
            hint = "write each item on its own line starting with '- '"
        return "wrong-type", f"'{name}' should be {words}, not {shown}", hint, False
    if etype == "finite_number":
        return "wrong-type", f"'{name}' should be a finite number, not {value}", None, False
    if etype == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if "A-Z" in pattern:
            hint = did_you_mean(str(value), []) or "two capital letters (ISO 3166-1), e.g. GB"
            return "invalid-format", f"'{value}' is not a member code", hint, False
        return (
            "invalid-format",
            f"'{value}' is not a valid id",
            "use lowercase letters, digits and dashes, e.g. one-stop-benefits",
            False,
        )
    if etype in {"too_short", "too_long"}:
        actual = ctx.get("actual_length")
        if etype == "too_short":
            limit = ctx.get("min_length")
            return (
                "too-few",
                f"'{name}' needs at least {limit} item(s), found {actual}",
                None,
                False,
            )
        limit = ctx.get("max_length")
        if isinstance(value, str):
            return "too-long", f"the text is longer than {limit} characters", "shorten it", False
        return "too-many", f"'{name}' may hold at most {limit} items, found {actual}", None, False
    if etype == "string_too_long":
        limit = ctx.get("max_length")
        return "too-long", f"'{name}' is longer than {limit} characters", "shorten it", False
    if etype in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        limit = ctx.get("ge", ctx.get("gt", ctx.get("le", ctx.get("lt"))))
        relation = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }[etype]
        return "out-of-range", f"'{name}' must be {relation} {limit}; found {value}", None, False
    # Our own PydanticCustomError types are already stable issue codes.
    hint = ctx.get("hint")
    if hint is None and "choices" in ctx and isinstance(value, str):
        hint = did_you_mean(value, ctx["choices"])
    return etype, str(error["msg"]), hint, False


def _describe_value(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"the text '{value[:40]}'"
    return f"'{value}'"


def validate_model(
    source: Source, model: type[M], context: dict[str, Any] | None = None
) -> M | None:
    """Validate `source.data` against `model`; errors become issues on the source."""
    data = source.data
    if data is None:
        return None
    if not isinstance(data, dict):
        source.add(
            "error",
            "not-a-mapping",
            f"the file should hold a mapping of fields, not {_describe_value(data)}",
            hint="start the file with 'schema: …' and one 'key: value' per line",
        )
        return None
    placeholders = _find_placeholders(source, data, ())
    try:
        validated = model.model_validate(data, context=context or {})
    except ValidationError as exc:
        _add_pydantic_errors(source, exc, data, model, skip=placeholders)
        return None
    return None if placeholders else validated


def _is_placeholder(value: str) -> bool:
    """`TODO` as a word at the start (so 'TODOS CONECTADOS' is real text)."""
    return bool(re.match(rf"\s*{PLACEHOLDER}\b", value)) or value == PLACEHOLDER_ID


def _find_placeholders(source: Source, value: Any, path: FieldPath) -> set[FieldPath]:
    """Values still holding the skeleton's `TODO` text: one clear issue each."""
    found: set[FieldPath] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found |= _find_placeholders(source, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found |= _find_placeholders(source, item, (*path, index))
    elif isinstance(value, str) and _is_placeholder(value):
        found.add(path)
        source.add(
            "error",
            "not-filled-in",
            f"'{format_path(path)}' still holds the placeholder '{value.strip()[:60]}'",
            path,
            hint="replace the TODO text with the real value",
        )
    return found


# --- working group and edition -----------------------------------------------------------


def load_working_group(
    path: Path, display: str | None = None
) -> tuple[WorkingGroup | None, FileReport]:
    """Load and check `working-group.yaml`."""
    source = load_yaml(path, display)
    wg = validate_model(source, WorkingGroup)
    data = source.data if isinstance(source.data, dict) else {}
    for list_key, id_key in (("members", "code"), ("themes", "id"), ("indicators", "id")):
        _check_unique(source, data.get(list_key), id_key, (list_key,), "duplicate-id")
    codes = [m.get("code") for m in _dicts(data.get("members"))]
    if isinstance(data.get("chair"), str) and codes and data["chair"] not in codes:
        source.add(
            "error",
            "unknown-member",
            f"the chair '{data['chair']}' is not a member",
            ("chair",),
            hint=did_you_mean(data["chair"], [c for c in codes if isinstance(c, str)]),
        )
    for index, ind in enumerate(_dicts(data.get("indicators"))):
        low, high = ind.get("min"), ind.get("max")
        if _is_number(low) and _is_number(high) and low > high:
            source.add(
                "error", "invalid-bounds", "min is greater than max", ("indicators", index, "min")
            )
    report = FileReport(source.display, None, source.issues)
    return (wg if report.valid else None), report


def load_edition(
    path: Path, wg: WorkingGroup | None, folder_year: int, display: str | None = None
) -> tuple[Edition | None, FileReport]:
    """Load and check `<year>/edition.yaml`."""
    source = load_yaml(path, display)
    edition = validate_model(source, Edition)
    data = source.data if isinstance(source.data, dict) else {}
    year = data.get("year")
    if isinstance(year, int) and year != folder_year:
        source.add(
            "error",
            "year-mismatch",
            f"year {year} does not match the folder '{folder_year}'",
            ("year",),
            hint=f"write year: {folder_year}, or move the file",
        )
    foreword = data.get("foreword")
    if isinstance(foreword, str) and foreword.strip():
        target = path.parent / foreword
        if not _inside(target, path.parent) or not target.is_file():
            source.add(
                "error",
                "file-not-found",
                f"the foreword file '{foreword}' does not exist next to edition.yaml",
                ("foreword",),
            )
    expected = data.get("expected_members")
    if wg is not None and isinstance(expected, list):
        codes = [m.code for m in wg.members]
        for index, code in enumerate(expected):
            if isinstance(code, str) and code not in codes:
                source.add(
                    "error",
                    "unknown-member",
                    f"'{code}' is not a member of this working group",
                    ("expected_members", index),
                    hint=did_you_mean(code, codes),
                )
    report = FileReport(source.display, None, source.issues)
    return (edition if report.valid else None), report


# --- contributions -----------------------------------------------------------------------


def validate_contribution(
    path: Path, ctx: EditionContext, display: str | None = None
) -> ContributionResult:
    """Validate one contribution file (and its indicator CSV) against the edition context."""
    code = path.stem
    source = load_yaml(path, display)
    result = ContributionResult(path=path, member=code, contribution=None)
    report = FileReport(source.display, code, source.issues)
    result.reports.append(report)
    model = validate_model(source, Contribution, ctx.pydantic_context())
    data = source.data
    if not isinstance(data, dict):
        return result
    _check_identity(source, data, code, ctx)
    _check_initiatives(source, data, ctx)
    rows: list[dict[str, Any]] | None = None
    csv_source: Source | None = None
    if isinstance(data.get("indicators_file"), str):
        if "indicators" in data:
            source.add(
                "error",
                "indicators-twice",
                "both 'indicators' and 'indicators_file' are given",
                ("indicators_file",),
                hint="keep one: the list in this file, or the CSV file",
            )
        csv_source, rows = _load_indicator_csv(source, data["indicators_file"], path.parent, ctx)
        if csv_source is not None:
            result.reports.append(FileReport(csv_source.display, code, csv_source.issues))
    indicator_source = csv_source if csv_source is not None else source
    from_csv = isinstance(data.get("indicators_file"), str)
    indicator_rows = rows if from_csv else data.get("indicators")
    csv_broken = from_csv and (
        rows is None or any(i.code == "csv-columns" for i in indicator_source.issues)
    )
    _check_indicators(
        indicator_source,
        indicator_rows,
        ctx,
        report_missing_in=source,
        missing_at=("indicators_file",) if from_csv else ("indicators",),
        skip_missing=csv_broken,
    )
    _check_text(source, data)
    _check_images(source, data, path.parent)
    if csv_source is not None:
        csv_source.data = {"indicators": rows} if rows is not None else None
        model = _with_csv_indicators(model, csv_source, ctx)
    if all(r.valid for r in result.reports):
        result.contribution = model
    return result


def duplicate_member_issue(first_file: str, code: str) -> Issue:
    """The error for a second file that holds the same member's contribution."""
    return Issue(
        "error",
        "duplicate-member",
        f"{first_file} already holds member {code}'s contribution",
        line=1,
        column=1,
        hint="keep one file per member and delete the other",
    )


def _check_identity(source: Source, data: dict[str, Any], code: str, ctx: EditionContext) -> None:
    member = data.get("member")
    if isinstance(member, str) and member != code:
        source.add(
            "error",
            "member-mismatch",
            f"member '{member}' does not match the file name '{code}'",
            ("member",),
            hint=(
                f"rename the file to {code.upper()}.yaml"
                if code.upper() == member
                else f"name the file {member}.yaml, or write member: {code}"
            ),
        )
    check_edition_year(source, data, ctx.year, "contributions")
    submitted = data.get("submitted")
    edition = ctx.edition
    if edition is not None and isinstance(submitted, dt.date) and submitted > edition.deadline:
        source.add(
            "warning",
            "late-submission",
            f"submitted {submitted.isoformat()}, after the deadline {edition.deadline.isoformat()}",
            ("submitted",),
            hint="the report will flag this contribution as late",
        )


def check_edition_year(
    source: Source, data: dict[str, Any], folder_year: int | None, folder: str
) -> None:
    """A file's `year` must be its edition folder's (contributions/ or reviews/)."""
    year = data.get("year")
    if folder_year is not None and _is_int(year) and year != folder_year:
        source.add(
            "error",
            "year-mismatch",
            f"year {year} does not match the edition folder '{folder_year}'",
            ("year",),
            hint=f"write year: {folder_year}, or move the file to inputs/{year}/{folder}/",
        )


def _check_initiatives(source: Source, data: dict[str, Any], ctx: EditionContext) -> None:
    initiatives = data.get("initiatives")
    _check_unique(source, initiatives, "id", ("initiatives",), "duplicate-id")
    for index, item in enumerate(initiatives if isinstance(initiatives, list) else []):
        if not isinstance(item, dict):
            continue
        path: FieldPath = ("initiatives", index)
        status, started, ended = item.get("status"), item.get("started"), item.get("ended")
        if ended is not None and status in {"planned", "in-progress"}:
            source.add(
                "error",
                "ended-not-allowed",
                f"an initiative with status '{status}' cannot have an end date",
                (*path, "ended"),
                hint="remove 'ended', or set status to completed or discontinued",
            )
        start_key, end_key = _date_key(started), _date_key(ended)
        if start_key and end_key:
            common = min(len(start_key), len(end_key))
            if end_key[:common] < start_key[:common]:
                source.add(
                    "error",
                    "ended-before-started",
                    f"ended ({_show(ended)}) is before started ({_show(started)})",
                    (*path, "ended"),
                    hint="check the two dates",
                )
        if (
            ctx.year is not None
            and end_key
            and end_key[0] > ctx.year
            and status in {"completed", "discontinued"}
        ):
            source.add(
                "error",
                "date-after-edition",
                f"ended ({_show(ended)}) is after the reporting year {ctx.year}",
                (*path, "ended"),
            )


def _check_indicators(
    source: Source,
    rows: Any,
    ctx: EditionContext,
    *,
    report_missing_in: Source,
    missing_at: FieldPath = ("indicators",),
    skip_missing: bool = False,
) -> None:
    wg = ctx.working_group
    catalogue: dict[str, Indicator] = {i.id: i for i in wg.indicators} if wg else {}
    _check_unique(source, rows, "id", ("indicators",), "duplicate-indicator")
    reported: set[str] = set()
    for index, row in enumerate(rows if isinstance(rows, list) else []):
        if not isinstance(row, dict):
            continue
        path: FieldPath = ("indicators", index)
        ind_id, value = row.get("id"), row.get("value")
        if isinstance(ind_id, str):
            reported.add(ind_id)
        if "value" in row and value is None and not row.get("reason_missing"):
            source.add(
                "error",
                "reason-missing-required",
                "a null value needs a 'reason_missing'",
                (*path, "value"),
                hint="add reason_missing: why the value is not available",
            )
        if _is_number(value):
            for key in ("data_year", "source"):
                if row.get(key) in (None, ""):
                    source.add(
                        "error",
                        "missing-field",
                        f"'{key}' is required when a value is given",
                        (*path, key),
                        hint="say which year the value describes and where it comes from",
                        at=source.locate(path),
                    )
            if row.get("reason_missing"):
                source.add(
                    "warning",
                    "reason-with-value",
                    "'reason_missing' is given although there is a value",
                    (*path, "reason_missing"),
                    hint="remove reason_missing, or set value: null",
                )
            indicator = catalogue.get(ind_id) if isinstance(ind_id, str) else None
            if indicator is not None:
                low, high = indicator.min, indicator.max
                if (low is not None and value < low) or (high is not None and value > high):
                    source.add(
                        "error",
                        "out-of-bounds",
                        f"{value} is outside the bounds of '{ind_id}' ({_bounds(low, high)})",
                        (*path, "value"),
                        hint=f"values of '{indicator.title}' are in {indicator.unit} units",
                    )
        data_year = row.get("data_year")
        if ctx.year is not None and _is_int(data_year) and data_year > ctx.year:
            source.add(
                "error",
                "data-year-after-edition",
                f"data_year {data_year} is after the edition year {ctx.year}",
                (*path, "data_year"),
            )
    if wg is None or skip_missing:
        return
    if rows is None:
        rows = []  # no indicators at all: every catalogue indicator is missing
    if not isinstance(rows, list):
        return
    for indicator in wg.indicators:
        if indicator.id in reported:
            continue
        severity = "error" if indicator.required else "warning"
        report_missing_in.add(
            severity,
            "missing-indicator",
            f"indicator '{indicator.id}' ({indicator.title}) is not reported",
            missing_at,
            hint=f"add '- id: {indicator.id}' with a value, or value: null and a reason_missing",
            key=True,
        )


def _check_text(source: Source, data: dict[str, Any]) -> None:
    summary = data.get("summary")
    if isinstance(summary, str) and summary.strip() and not _is_placeholder(summary):
        words = count_words(summary)
        low, high = SUMMARY_WORDS
        if not low <= words <= high:
            source.add(
                "warning",
                "summary-length",
                f"the summary has {words} words; {low} to {high} are expected",
                ("summary",),
            )
    for path, text in _markdown_fields(data):
        name = str(path[-1])
        if not _check_markdown_limits(source, path, name, text):
            continue
        limit = WORD_LIMITS.get(name)
        if limit is not None and count_words(text) > limit:
            source.add(
                "error",
                "too-long",
                f"'{name}' has {count_words(text)} words; at most {limit} are allowed",
                path,
                hint="shorten the text",
            )
        if _MD_IMAGE.search(text):
            source.add(
                "error",
                "markdown-image",
                "images are not allowed inside Markdown text",
                path,
                hint="use the 'image' field (file and alt) instead",
                at=_text_position(source, path, "!["),
            )
        targets = _link_targets(text) + _AUTOLINK.findall(text)
        for target in targets:
            _check_link_target(source, path, target, markdown=True)
    for path, url in _url_fields(data):
        _check_link_target(source, path, url, markdown=False)


def _check_markdown_limits(source: Source, path: FieldPath, name: str, text: str) -> bool:
    """Report Markdown over its size, table or nesting limits; False when the text is too
    large to look at further."""
    chars = limits.markdown_char_limit(name)
    if len(text) > chars:
        source.add(
            "error",
            "markdown-too-large",
            f"'{name}' has {len(text):,} characters; at most {chars:,} are allowed "
            "(limit: markdown size)",
            path,
            hint="shorten the text; long data belongs in a linked file, not in the report",
        )
        return False
    lines = text.splitlines()
    for problem in limits.markdown_problems(text):
        needle = lines[problem.line_index].strip() if problem.line_index < len(lines) else ""
        at = _text_position(source, path, needle, problem.line_index) if needle else None
        source.add("error", problem.code, problem.message, path, hint=problem.hint, at=at)
    return True


def _link_targets(text: str) -> list[str]:
    """The targets of Markdown links `[text](target)`, with balanced parentheses."""
    targets = []
    for match in _MD_LINK.finditer(text):
        depth, out = 0, []
        # An address is never longer than this; the bound keeps many '[x](' linear.
        for ch in text[match.end() : match.end() + MAX_LINK_CHARS]:
            if ch.isspace() or ch == ">" or (ch == ")" and depth == 0):
                break
            depth += {"(": 1, ")": -1}.get(ch, 0)
            out.append(ch)
        targets.append("".join(out))
    return targets


def _check_link_target(source: Source, path: FieldPath, target: str, *, markdown: bool) -> None:
    lowered = target.strip().lower()
    if not lowered or lowered.startswith("#"):
        return
    if markdown and not lowered.startswith(("https:", "http:", "mailto:")):
        source.add(
            "error",
            "link-scheme",
            f"the link '{target[:60]}' is not https:, http: or mailto:",
            path,
            hint="write the full address, e.g. https://www.example.org",
            at=_text_position(source, path, target),
        )
    elif lowered.startswith("http:"):
        source.add(
            "warning",
            "insecure-link",
            f"the link '{target[:60]}' uses http:",
            path,
            hint="use https: if the site supports it",
            at=_text_position(source, path, target) if markdown else None,
        )


def _check_images(source: Source, data: dict[str, Any], contributions_dir: Path) -> None:
    for path, image in _image_fields(data):
        file = image.get("file")
        if not isinstance(file, str) or not file.strip():
            continue
        fpath = (*path, "file")
        problem = check_image_path(file, contributions_dir)
        if problem is not None:
            code, message, hint = problem
            source.add("error", code, message, fpath, hint=hint)


def check_image_path(file: str, contributions_dir: Path) -> tuple[str, str, str] | None:
    """Why an image reference is unacceptable, as (code, message, hint), or None."""
    relative = Path(file)
    if relative.is_absolute() or file.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", file):
        return (
            "image-path-absolute",
            f"'{file}' is an absolute path",
            "give the path relative to contributions/, e.g. KR/diagram.png",
        )
    if "\\" in file:
        return (
            "image-path-outside",
            f"'{file}' uses backslashes",
            "write the path with forward slashes, e.g. KR/diagram.png",
        )
    if ".." in relative.parts:
        return (
            "image-path-outside",
            f"'{file}' leads outside contributions/",
            "put the image in contributions/<CODE>/ and name it from there",
        )
    suffix = relative.suffix.lower()
    if suffix not in IMAGE_TYPES:
        return (
            "image-type",
            f"'{file}' is not a PNG, JPEG or SVG file",
            "convert the image to PNG, JPEG or SVG",
        )
    target = contributions_dir / relative
    if not _inside(target, contributions_dir):
        return (
            "image-path-outside",
            f"'{file}' is a link that leads outside contributions/",
            "copy the image itself into contributions/<CODE>/",
        )
    if not target.is_file():
        return (
            "image-not-found",
            f"the image '{file}' does not exist",
            "check the file name (it is case-sensitive) and that the file was added",
        )
    size = target.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return (
            "image-too-large",
            f"the image is {size:,} bytes; at most {MAX_IMAGE_BYTES:,} are allowed",
            "reduce its resolution or compress it",
        )
    content = target.read_bytes()
    head = content[:512]
    kind = IMAGE_TYPES[suffix]
    ok = (
        (kind == "PNG" and head.startswith(b"\x89PNG\r\n\x1a\n"))
        or (kind == "JPEG" and head.startswith(b"\xff\xd8\xff"))
        or (kind == "SVG" and (b"<svg" in head.lower() or head.lstrip().startswith(b"<?xml")))
    )
    if not ok:
        return (
            "image-type",
            f"'{file}' does not contain a {kind} image",
            "export the image again in the format its name says",
        )
    if kind == "SVG":
        unsafe = svg_problem(content)
        if unsafe is not None:
            return (
                "image-unsafe",
                f"the SVG image '{file}' {unsafe}",
                "export a plain SVG (no scripts, no links to other files or addresses), or use PNG",
            )
        root = ET.fromstring(content)  # well-formed: svg_problem parsed it
        complex_ = limits.svg_complexity_problem(root)
        if complex_ is not None:
            return (
                "image-too-complex",
                f"the SVG image '{file}' {complex_}",
                "simplify the drawing (fewer, flatter groups), or export it as PNG",
            )
        dimensions: tuple[float, float] | None = limits.svg_size(root)
    else:
        dimensions = limits.raster_size(content, kind)
        if dimensions is None:
            return (
                "image-type",
                f"'{file}' is not a readable {kind} image: its size cannot be read",
                "export the image again in the format its name says",
            )
    too_big = limits.pixels_problem(*dimensions) if dimensions is not None else None
    if too_big is not None:
        return (
            "image-too-many-pixels",
            f"'{file}': {too_big}",
            f"scale the image down to at most {limits.MAX_IMAGE_SIDE:,} pixels a side and "
            f"{limits.MAX_IMAGE_PIXELS // 1_000_000} megapixels; about 2,000 pixels wide is "
            "plenty for the report",
        )
    return None


_SVG_ACTIVE = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
_CSS_EXTERNAL = re.compile(r"@import|url\(\s*['\"]?\s*(?!#)", re.I)


def svg_problem(data: bytes) -> str | None:
    """Why an SVG is unsafe to embed, or None.

    An SVG may carry scripts, event handlers, foreign HTML and references to other files
    or addresses (`href`, CSS `url()`, `@import`), which a renderer or browser might fetch
    or run. Members' SVGs are drawings: none of that is allowed, nor a DOCTYPE (entities).
    """
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.I):
        return "declares a DOCTYPE or entities"
    try:
        root = ET.fromstring(data)  # no DOCTYPE, so no entity expansion
    except ET.ParseError as exc:
        return f"is not well-formed XML ({exc})"
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag in _SVG_ACTIVE:
            return f"contains a <{tag}> element"
        if tag == "style" and _CSS_EXTERNAL.search(element.text or ""):
            return "has a style sheet that loads another file or address"
        for name, value in element.attrib.items():
            attribute = name.rsplit("}", 1)[-1].lower()
            if attribute.startswith("on"):
                return f"has an event handler ({attribute}=)"
            if attribute in {"href", "src"} and not value.strip().startswith("#"):
                return f"refers to another file or address ({value.strip()[:60]})"
            if attribute == "style" and _CSS_EXTERNAL.search(value):
                return "has a style that loads another file or address"
    return None


def _load_indicator_csv(
    source: Source, name: str, contributions_dir: Path, ctx: EditionContext
) -> tuple[Source | None, list[dict[str, Any]] | None]:
    relative = Path(name)
    target = contributions_dir / relative
    if relative.is_absolute() or ".." in relative.parts or not _inside(target, contributions_dir):
        source.add(
            "error",
            "indicators-file-outside",
            f"'{name}' must be a file in contributions/",
            ("indicators_file",),
        )
        return None, None
    if relative.suffix.lower() != ".csv" or not target.is_file():
        source.add(
            "error",
            "file-not-found",
            f"the indicators file '{name}' does not exist (a .csv file is expected)",
            ("indicators_file",),
        )
        return None, None
    display = str(Path(source.display).parent / relative)
    csv_source = Source(path=target, display=display)
    text = read_text(csv_source)
    if text is None:
        return csv_source, None
    rows = parse_indicator_csv(csv_source, text)
    return csv_source, rows


def parse_indicator_csv(source: Source, text: str) -> list[dict[str, Any]] | None:
    """Parse an indicators CSV into rows shaped like the YAML `indicators` list."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        source.add("error", "empty-file", "the CSV file is empty", at=(1, 1))
        return None
    header_line = lines[0]
    if ";" in header_line and "," not in header_line:
        source.add(
            "error",
            "csv-semicolon",
            "the CSV uses ';' as separator",
            hint="save it with ',' as the separator and '.' as the decimal mark",
            at=(1, header_line.index(";") + 1),
        )
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    ok = True
    for col, name in enumerate(header):
        if name not in CSV_COLUMNS:
            ok = False
            source.add(
                "error",
                "unknown-key",
                f"unknown column '{name}'",
                hint=did_you_mean(name, CSV_COLUMNS),
                at=(1, _column_offset(header_line, col)),
            )
    for required in ("id", "value"):
        if required not in header:
            ok = False
            source.add("error", "missing-field", f"the column '{required}' is missing", at=(1, 1))
    if not ok:
        return None
    rows: list[dict[str, Any]] = []
    line = 1
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        index = len(rows)
        path: FieldPath = ("indicators", index)
        source.values[path] = (line, 1)
        if len(record) != len(header):
            source.add(
                "error",
                "csv-columns",
                f"the row has {len(record)} fields; the header has {len(header)}",
                path,
                hint="quote values that contain commas",
            )
            continue
        row: dict[str, Any] = {}
        offset = 1
        for name, cell in zip(header, record, strict=True):
            source.values[(*path, name)] = (line, offset)
            offset += len(cell) + 1
            row[name] = _csv_cell(source, (*path, name), name, cell.strip())
        rows.append({k: v for k, v in row.items() if v is not None or k == "value"})
    return rows


def comma_hint(value: str) -> str:
    """How to write a number with a comma, without guessing what the comma meant."""
    text = value.strip()
    if re.fullmatch(r"[-+]?[0-9]{1,3}(,[0-9]{3})+", text):
        return (
            f"numbers use a dot as the decimal separator and no thousands separator: "
            f"write {text.replace(',', '.')} if the comma is a decimal mark, "
            f"or {text.replace(',', '')} if it separates thousands"
        )
    return f"numbers use a dot as the decimal separator: {text.replace(',', '.')}"


def _csv_cell(source: Source, path: FieldPath, name: str, cell: str) -> Any:
    if cell == "":
        return None
    if name in {"value", "data_year"}:
        if _DECIMAL_COMMA.fullmatch(cell):
            source.add(
                "error",
                "decimal-comma",
                f"'{cell}' uses a decimal comma",
                path,
                hint=comma_hint(cell),
            )
            return cell
        try:
            number = float(cell) if name == "value" else int(cell)
        except ValueError:
            return cell  # reported as a wrong type by the model
        return number
    return cell


class _IndicatorRows(BaseModel):
    """The rows of an indicators CSV, validated like the YAML `indicators` list."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    indicators: list[IndicatorValue]


def _with_csv_indicators(
    model: Contribution | None, csv_source: Source, ctx: EditionContext
) -> Contribution | None:
    rows = validate_model(csv_source, _IndicatorRows, ctx.pydantic_context())
    if model is None or rows is None:
        return None
    return model.model_copy(update={"indicators": rows.indicators})


# --- helpers -----------------------------------------------------------------------------


def count_words(text: str) -> int:
    """Words in a Markdown text, as a reader would count them."""
    return len(re.findall(r"[^\s#*_>`|\-]+", text))


def _markdown_fields(data: dict[str, Any]) -> Iterable[tuple[FieldPath, str]]:
    if isinstance(data.get("summary"), str):
        yield ("summary",), data["summary"]
    for index, item in enumerate(_dicts(data.get("initiatives"))):
        if isinstance(item.get("description"), str):
            yield ("initiatives", index, "description"), item["description"]
    case = data.get("case_study")
    if isinstance(case, dict) and isinstance(case.get("body"), str):
        yield ("case_study", "body"), case["body"]


def _url_fields(data: dict[str, Any]) -> Iterable[tuple[FieldPath, str]]:
    governance = data.get("governance")
    if isinstance(governance, dict):
        strategy = governance.get("strategy")
        if isinstance(strategy, dict) and isinstance(strategy.get("url"), str):
            yield ("governance", "strategy", "url"), strategy["url"]
    for index, item in enumerate(_dicts(data.get("initiatives"))):
        for link_index, link in enumerate(_dicts(item.get("links"))):
            if isinstance(link.get("url"), str):
                yield ("initiatives", index, "links", link_index, "url"), link["url"]


def _image_fields(data: dict[str, Any]) -> Iterable[tuple[FieldPath, dict[str, Any]]]:
    for index, item in enumerate(_dicts(data.get("initiatives"))):
        if isinstance(item.get("image"), dict):
            yield ("initiatives", index, "image"), item["image"]
    case = data.get("case_study")
    if isinstance(case, dict) and isinstance(case.get("image"), dict):
        yield ("case_study", "image"), case["image"]


def _check_unique(source: Source, items: Any, key: str, base: FieldPath, code: str) -> None:
    seen: dict[Any, int] = {}
    for index, item in enumerate(_dicts(items)):
        value = item.get(key)
        if not isinstance(value, str):
            continue
        if value in seen:
            source.add(
                "error",
                code,
                f"'{value}' is used twice (first at item {seen[value] + 1})",
                (*base, index, key),
                hint="each id may appear only once",
            )
        else:
            seen[value] = index


def _dicts(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        return []
    return [i if isinstance(i, dict) else {} for i in items]


def _text_position(
    source: Source, path: FieldPath, needle: str, skip_lines: int = 0
) -> tuple[int, int] | None:
    """The line and column of `needle` inside a multi-line text value, when findable.

    `skip_lines`: the needle is on that line of the text or later (each line break of a
    text stands for at least one line of the file), so an earlier copy is not mistaken
    for it.
    """
    start_line, start_column = source.locate(path)
    lines = source.text.splitlines()
    if skip_lines and start_line <= len(lines):
        block = lines[start_line - 1][start_column - 1 : start_column] in {"|", ">"}
        skip_lines += block  # a block scalar's text starts on the line after its `|`
    for first in (start_line + skip_lines, start_line) if skip_lines else (start_line,):
        for number in range(first, len(lines) + 1):
            column = lines[number - 1].find(needle)
            if column >= 0:
                return (number, column + 1)
    return None


def _column_offset(line: str, column_index: int) -> int:
    return sum(len(p) + 1 for p in line.split(",")[:column_index]) + 1


def _date_key(value: Any) -> tuple[int, ...] | None:
    if hasattr(value, "year") and hasattr(value, "month"):
        return (value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value):
        return tuple(int(p) for p in value.split("-"))
    return None


def _show(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _inside(target: Path, folder: Path) -> bool:
    try:
        target.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True
