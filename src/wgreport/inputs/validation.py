"""Validate input files: every problem in one pass, each at its file, line and column.

Structure and single-field formats are checked by the pydantic models; the rules that
relate fields, items and files (cross-field, cross-item, cross-file) are checked here on
the raw data, defensively, so that a malformed field elsewhere never hides them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import limits
from .checks.common import (
    MAX_LINK_CHARS,
    SUMMARY_WORDS,
    WORD_LIMITS,
    bounds_hint,
    bounds_text,
    check_unique,
    count_words,
    date_key,
    dict_items,
    is_inside,
    is_int,
    is_number,
    markdown_fields,
    show_value,
    text_position,
    url_fields,
)
from .checks.common import (
    EditionContext as EditionContext,
)
from .checks.figurerefs import check_figure_references
from .checks.images import check_images
from .checks.images import svg_problem as svg_problem
from .checks.indicator_csv import load_indicator_csv, with_csv_indicators
from .checks.pydantic_issues import is_placeholder
from .checks.pydantic_issues import validate_model as validate_model
from .editorial import check_chapters
from .issues import FileReport, Issue
from .models import (
    Contribution,
    Edition,
    Indicator,
    WorkingGroup,
)
from .suggest import did_you_mean
from .yamlsource import FieldPath, Source, load_yaml

_MD_IMAGE = re.compile(r"!\[[^\]]*\]\(")
_MD_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?")
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>")


@dataclass
class ContributionResult:
    """The outcome of validating one member's contribution (and its CSV, if any)."""

    path: Path
    member: str
    contribution: Contribution | None
    reports: list[FileReport] = field(default_factory=list)
    # The `submitted` date as written, even when the file is not valid: an invalid
    # contribution sent after the deadline is still a late one.
    submitted_on: dt.date | None = None

    @property
    def valid(self) -> bool:
        return self.contribution is not None and all(r.valid for r in self.reports)


# --- working group and edition -----------------------------------------------------------


def load_working_group(
    path: Path, display: str | None = None
) -> tuple[WorkingGroup | None, FileReport]:
    """Load and check `working-group.yaml`."""
    source = load_yaml(path, display)
    wg = validate_model(source, WorkingGroup)
    data = source.data if isinstance(source.data, dict) else {}
    for list_key, id_key in (("members", "code"), ("themes", "id"), ("indicators", "id")):
        check_unique(source, data.get(list_key), id_key, (list_key,), "duplicate-id")
    codes = [m.get("code") for m in dict_items(data.get("members"))]
    if isinstance(data.get("chair"), str) and codes and data["chair"] not in codes:
        source.add(
            "error",
            "unknown-member",
            f"the chair '{data['chair']}' is not a member",
            ("chair",),
            hint=did_you_mean(data["chair"], [c for c in codes if isinstance(c, str)]),
        )
    for index, ind in enumerate(dict_items(data.get("indicators"))):
        low, high = ind.get("min"), ind.get("max")
        if is_number(low) and is_number(high) and low > high:
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
    foreword = data.get("foreword")  # its references: editorial.editorial_reports
    if isinstance(foreword, str) and foreword.strip():
        target = path.parent / foreword
        if not is_inside(target, path.parent) or not target.is_file():
            source.add(
                "error",
                "file-not-found",
                f"the foreword file '{foreword}' does not exist next to edition.yaml",
                ("foreword",),
            )
    check_chapters(source, data, path.parent, wg)
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
    workbook = None
    if path.suffix.lower() == ".xlsx":
        from .workbook import workbook_source

        source, workbook = workbook_source(path, display)
    else:
        source = load_yaml(path, display)
    result = ContributionResult(path=path, member=code, contribution=None)
    report = FileReport(source.display, code, source.issues)
    result.reports.append(report)
    model = validate_model(source, Contribution, ctx.pydantic_context())
    data = source.data
    if not isinstance(data, dict):
        return result
    result.submitted_on = _written_date(data.get("submitted"))
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
        csv_source, rows = load_indicator_csv(source, data["indicators_file"], path.parent, ctx)
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
    check_images(source, data, path.parent)
    if csv_source is not None:
        csv_source.data = {"indicators": rows} if rows is not None else None
        model = with_csv_indicators(model, csv_source, ctx)
    if workbook is not None:
        from .workbook import place_in_workbook

        place_in_workbook(source.issues, workbook)
    if all(r.valid for r in result.reports):
        result.contribution = model
    return result


def _written_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


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
    if folder_year is not None and is_int(year) and year != folder_year:
        source.add(
            "error",
            "year-mismatch",
            f"year {year} does not match the edition folder '{folder_year}'",
            ("year",),
            hint=f"write year: {folder_year}, or move the file to inputs/{year}/{folder}/",
        )


def _check_initiatives(source: Source, data: dict[str, Any], ctx: EditionContext) -> None:
    initiatives = data.get("initiatives")
    check_unique(source, initiatives, "id", ("initiatives",), "duplicate-id")
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
        start_key, end_key = date_key(started), date_key(ended)
        if start_key and end_key:
            common = min(len(start_key), len(end_key))
            if end_key[:common] < start_key[:common]:
                source.add(
                    "error",
                    "ended-before-started",
                    f"ended ({show_value(ended)}) is before started ({show_value(started)})",
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
                f"ended ({show_value(ended)}) is after the reporting year {ctx.year}",
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
    check_unique(source, rows, "id", ("indicators",), "duplicate-indicator")
    reported: set[str] = set()
    for index, row in enumerate(rows if isinstance(rows, list) else []):
        if not isinstance(row, dict):
            continue
        if isinstance(row.get("id"), str):
            # `egdi_rank` is reported as a misspelt `egdi-rank`, not also as a missing one.
            reported.add(re.sub(r"[\s_]+", "-", row["id"].strip().lower()))
        _check_indicator_row(source, ("indicators", index), row, catalogue, ctx.year)
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


def _check_indicator_row(
    source: Source,
    path: FieldPath,
    row: dict[str, Any],
    catalogue: dict[str, Indicator],
    year: int | None,
) -> None:
    """One reported value: a reason when null, its year and source when given, within the
    catalogue's bounds, and not from after the edition."""
    ind_id, value = row.get("id"), row.get("value")
    if "value" in row and value is None and not row.get("reason_missing"):
        source.add(
            "error",
            "reason-missing-required",
            "a null value needs a 'reason_missing'",
            (*path, "value"),
            hint="add reason_missing: why the value is not available",
        )
    if is_number(value):
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
                    f"{value} is outside the bounds of '{ind_id}' ({bounds_text(low, high)})",
                    (*path, "value"),
                    hint=bounds_hint(value, indicator),
                )
    data_year = row.get("data_year")
    if year is not None and is_int(data_year) and data_year > year:
        source.add(
            "error",
            "data-year-after-edition",
            f"data_year {data_year} is after the edition year {year}",
            (*path, "data_year"),
        )


def _check_text(source: Source, data: dict[str, Any]) -> None:
    summary = data.get("summary")
    if isinstance(summary, str) and summary.strip() and not is_placeholder(summary):
        words = count_words(summary)
        low, high = SUMMARY_WORDS
        if not low <= words <= high:
            source.add(
                "warning",
                "summary-length",
                f"the summary has {words} words; {low} to {high} are expected",
                ("summary",),
            )
    for path, text in markdown_fields(data):
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
                at=text_position(source, path, "!["),
            )
        targets = _link_targets(text) + _AUTOLINK.findall(text)
        for target in targets:
            _check_link_target(source, path, target, markdown=True)
    for path, url in url_fields(data):
        _check_link_target(source, path, url, markdown=False)
    check_figure_references(source, data)


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
        at = text_position(source, path, needle, problem.line_index) if needle else None
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
            at=text_position(source, path, target),
        )
    elif lowered.startswith("http:"):
        source.add(
            "warning",
            "insecure-link",
            f"the link '{target[:60]}' uses http:",
            path,
            hint="use https: if the site supports it",
            at=text_position(source, path, target) if markdown else None,
        )
