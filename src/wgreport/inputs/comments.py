"""Reviewers' structured comments: `inputs/<year>/reviews/<reviewer-id>.yaml`.

Each reviewer keeps one file of comments on the drafts; the secretariat answers in the same
file (`response`, `status`), and the reviewer and the secretariat may then reply to each
other under the comment (`replies`, oldest first). Files are checked like contributions
(line-precise issues, the same report format), and the comments become the
comment-resolution table: printed by `wgreport comments`, written as `comments.csv` and
`comments.html` next to every draft, and summarised in the report's status annex.

A comment with an error of its own is left out of the table and counted, never dropped
silently; a file-level error (say, a misspelt `reviewer` key) does not hide the file's
valid comments.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..csvsafe import safe_cell
from ..layout import Draft, EditionInputs, Outputs, YearOutputs, shown
from .issues import FileReport, ValidationReport
from .models import COMMENT_STATUSES, Review, ReviewComment, WorkingGroup
from .suggest import did_you_mean
from .validation import check_edition_year, validate_model
from .yamlsource import FieldPath, Source, load_yaml

REVIEW_SUFFIXES = (".yaml", ".yml")
#: Who may write in a comment's thread (`replies`): its reviewer (by their id), or this.
SECRETARIAT_AUTHOR = "secretariat"

# The report's chapters, in report order, with the ids reviewers write in `section`.
# Member chapters are named by member code (between `indicators` and the annexes).
SECTIONS_BEFORE_MEMBERS: tuple[tuple[str, str], ...] = (
    ("general", "The report as a whole"),
    ("cover", "Cover"),
    ("contents", "Contents"),
    ("foreword", "Foreword"),
    ("summary", "Executive summary"),
    ("about", "About the working group and its method"),
    ("governance", "Governance"),
    ("themes", "Themes and practices"),
    ("indicators", "Indicators"),
)
SECTIONS_AFTER_MEMBERS: tuple[tuple[str, str], ...] = (
    ("annex-a", "Annex A. Indicator definitions and sources"),
    ("annex-b", "Annex B. Data tables"),
    ("annex-c", "Annex C. Contributors"),
    ("annex-d", "Annex D. Submission status and validation notes"),
)


def report_sections(wg: WorkingGroup | None) -> list[tuple[str, str]]:
    """Every section id a comment may name, with its title, in report order."""
    members = [(m.code, m.name) for m in wg.members] if wg is not None else []
    return [*SECTIONS_BEFORE_MEMBERS, *members, *SECTIONS_AFTER_MEMBERS]


@dataclass(frozen=True)
class CommentRow:
    """One line of the comment-resolution table."""

    ref: str  # "<reviewer-id>#<id>": stable, and what the secretariat quotes
    reviewer: str
    reviewer_name: str
    organisation: str
    id: int
    draft: int
    section: str
    section_title: str
    page: int | None
    quote: str
    comment: str
    proposed_change: str
    kind: str
    status: str
    response: str
    file: str
    line: int
    # the thread after the answer, oldest first: {"at", "by", "text"} (not a table column)
    replies: tuple[dict[str, str], ...] = ()


TABLE_COLUMNS = (
    "ref",
    "reviewer",
    "organisation",
    "draft",
    "section",
    "page",
    "kind",
    "quote",
    "comment",
    "proposed_change",
    "status",
    "response",
    "file",
    "line",
)


@dataclass
class ReviewFile:
    """One reviewer's file: its issues and the comments that are valid on their own."""

    path: Path
    reviewer: str
    report: FileReport
    rows: list[CommentRow] = field(default_factory=list)
    left_out: int = 0  # comments with an error of their own


@dataclass
class Reviews:
    """Every review file of an edition."""

    files: list[ReviewFile] = field(default_factory=list)

    @property
    def rows(self) -> list[CommentRow]:
        return sorted(
            (r for f in self.files for r in f.rows), key=lambda r: (r.reviewer, r.id, r.ref)
        )

    @property
    def left_out(self) -> int:
        return sum(f.left_out for f in self.files)

    @property
    def report(self) -> ValidationReport:
        return ValidationReport([f.report for f in self.files])


# --- validation --------------------------------------------------------------------------


def drafts_known(year_dir: Path) -> dict[int, int]:
    """Published drafts of a year: number → pages, from their manifests."""
    out: dict[int, int] = {}
    drafts = YearOutputs(year_dir).drafts
    if not drafts.is_dir():
        return out
    for folder in drafts.iterdir():
        manifest = Draft(folder).manifest
        if folder.name.isdigit() and manifest.is_file():
            try:
                out[int(folder.name)] = int(json.loads(manifest.read_text("utf-8"))["pages"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
    return out


def validate_review(
    path: Path,
    wg: WorkingGroup | None,
    year: int | None,
    drafts: Mapping[int, int] | None = None,
    display: str | None = None,
) -> ReviewFile:
    """Check one review file; `drafts` (number → pages) checks draft and page numbers."""
    source = load_yaml(path, display)
    validate_model(source, Review)
    data = source.data if isinstance(source.data, dict) else {}
    _check_identity(source, data, path.stem, year)
    reviewer = data.get("reviewer")
    rid = reviewer.get("id") if isinstance(reviewer, dict) else None
    authors = {path.stem, *([rid] if isinstance(rid, str) else []), SECRETARIAT_AUTHOR}
    sections = report_sections(wg)
    comments = data.get("comments") if isinstance(data.get("comments"), list) else []
    assert isinstance(comments, list)
    seen_ids: dict[int, int] = {}
    for index, item in enumerate(comments):
        if isinstance(item, dict):
            _check_comment(source, item, index, seen_ids, sections, wg, drafts)
            _check_replies(source, item, index, authors)
    report = FileReport(source.display, None, source.issues)
    result = ReviewFile(path=path, reviewer=path.stem, report=report)
    result.rows, result.left_out = _rows(source, data, comments, path.stem, sections)
    return result


def _check_identity(source: Source, data: dict[str, Any], stem: str, year: int | None) -> None:
    reviewer = data.get("reviewer")
    rid = reviewer.get("id") if isinstance(reviewer, dict) else None
    if isinstance(rid, str) and rid != stem:
        source.add(
            "error",
            "reviewer-mismatch",
            f"the reviewer id '{rid}' does not match the file name '{stem}.yaml'",
            ("reviewer", "id"),
            hint=f"write id: {stem}, or rename the file to {rid}.yaml",
        )
    check_edition_year(source, data, year, "reviews")


def _check_comment(
    source: Source,
    item: dict[str, Any],
    index: int,
    seen_ids: dict[int, int],
    sections: Sequence[tuple[str, str]],
    wg: WorkingGroup | None,
    drafts: Mapping[int, int] | None,
) -> None:
    base: FieldPath = ("comments", index)
    cid = item.get("id")
    if isinstance(cid, int) and not isinstance(cid, bool):
        if cid in seen_ids:
            source.add(
                "error",
                "duplicate-id",
                f"comment id {cid} is used twice (first at item {seen_ids[cid] + 1})",
                (*base, "id"),
                hint="give each comment its own number; never reuse one",
            )
        else:
            seen_ids[cid] = index
    section = item.get("section")
    ids = [s for s, _ in sections]
    # Member codes are checked only when the working group could be read.
    member_like = len(str(section)) == 2 and str(section).isupper()
    if (
        isinstance(section, str)
        and section.strip()
        and section not in ids
        and (wg is not None or not member_like)
    ):
        source.add(
            "error",
            "unknown-section",
            f"'{section}' is not a section of the report",
            (*base, "section"),
            hint=did_you_mean(section, ids)
            or "use a chapter id (summary, themes, annex-b…) or a member code",
        )
    draft, page = item.get("draft"), item.get("page")
    # Drafts are checked only where some are published (not on a reviewer's own machine).
    if drafts and isinstance(draft, int) and not isinstance(draft, bool):
        if draft >= 1 and draft not in drafts:
            newest = max(drafts)
            source.add(
                "warning",
                "unknown-draft",
                f"there is no draft {draft:03d} in this outputs folder "
                f"(the newest is {newest:03d})",
                (*base, "draft"),
                hint="check the number on the draft's pages ('Draft NNN · built …')",
            )
        elif draft in drafts and isinstance(page, int) and page > drafts[draft] >= 1:
            source.add(
                "error",
                "out-of-range",
                f"draft {draft:03d} has {drafts[draft]} pages; there is no page {page}",
                (*base, "page"),
                hint="use the page number printed at the foot of the page",
            )
    status = item.get("status", "open")
    response = item.get("response")
    has_response = isinstance(response, str) and bool(response.strip())
    if status in COMMENT_STATUSES and status != "open" and not has_response:
        source.add(
            "error",
            "response-missing",
            f"the comment is marked '{status}' but has no response",
            (*base, "status"),
            hint="the secretariat writes a response whenever it closes a comment",
        )


def _check_replies(source: Source, item: dict[str, Any], index: int, authors: set[str]) -> None:
    """A reply is written by the comment's reviewer (their id) or the secretariat."""
    replies = item.get("replies")
    for number, reply in enumerate(replies if isinstance(replies, list) else []):
        by = reply.get("by") if isinstance(reply, dict) else None
        if isinstance(by, str) and by not in authors:
            known = sorted(authors - {SECRETARIAT_AUTHOR})
            source.add(
                "error",
                "unknown-reply-author",
                f"reply {number + 1} is by '{by}', who is neither this file's reviewer "
                f"({', '.join(known)}) nor the {SECRETARIAT_AUTHOR}",
                ("comments", index, "replies", number, "by"),
                hint=f"write by: {known[0] if known else 'your-reviewer-id'} for your own "
                f"reply, or by: {SECRETARIAT_AUTHOR} for the secretariat's",
            )


def _rows(
    source: Source,
    data: dict[str, Any],
    comments: list[Any],
    stem: str,
    sections: Sequence[tuple[str, str]],
) -> tuple[list[CommentRow], int]:
    """The comments without an error of their own, as table rows; and how many were not."""
    titles = dict(sections)
    reviewer = data.get("reviewer") if isinstance(data.get("reviewer"), dict) else {}
    assert isinstance(reviewer, dict)
    name = reviewer.get("name") if isinstance(reviewer.get("name"), str) else ""
    organisation = reviewer.get("organisation")
    organisation = organisation if isinstance(organisation, str) else ""
    bad = {
        i.field.split("]")[0] + "]"
        for i in source.issues
        if i.severity == "error" and i.field.startswith("comments[")
    }
    rows: list[CommentRow] = []
    left_out = 0
    for index, item in enumerate(comments):
        comment = _comment_model(item)
        if comment is None or f"comments[{index}]" in bad:
            left_out += 1
            continue
        line = source.locate(("comments", index))[0]
        rows.append(
            CommentRow(
                ref=f"{stem}#{comment.id}",
                reviewer=stem,
                reviewer_name=str(name),
                organisation=organisation,
                id=comment.id,
                draft=comment.draft,
                section=comment.section,
                section_title=titles.get(comment.section, comment.section),
                page=comment.page,
                quote=comment.quote or "",
                comment=comment.comment.strip(),
                proposed_change=(comment.proposed_change or "").strip(),
                kind=comment.kind,
                status=comment.status,
                response=(comment.response or "").strip(),
                file=source.display,
                line=line,
                replies=tuple(
                    {"at": r.at, "by": r.by, "text": r.text.strip()} for r in comment.replies or ()
                ),
            )
        )
    return rows, left_out


def _comment_model(item: Any) -> ReviewComment | None:
    if not isinstance(item, dict):
        return None
    try:
        return ReviewComment.model_validate(item)
    except ValidationError:
        return None


def review_files(reviews_dir: Path) -> list[Path]:
    if not reviews_dir.is_dir():
        return []
    return sorted(p for p in reviews_dir.iterdir() if p.suffix in REVIEW_SUFFIXES and p.is_file())


def load_reviews(
    edition_dir: Path,
    wg: WorkingGroup | None,
    year: int | None,
    drafts: Mapping[int, int] | None = None,
    display_root: Path | None = None,
) -> Reviews:
    """Check every file of `<edition>/reviews/`."""
    out = Reviews()
    for path in review_files(EditionInputs(edition_dir).reviews):
        display = None
        if display_root is not None and path.is_relative_to(display_root):
            display = shown(path, display_root)
        out.files.append(validate_review(path, wg, year, drafts, display))
    return out


def edition_reviews(
    edition_dir: Path, wg: WorkingGroup | None, year: int, outputs_dir: Path, display_root: Path
) -> Reviews:
    """The review files of the edition in `edition_dir`, checked against the drafts of
    `year` published under `outputs_dir` so far (the build and `wgreport comments`)."""
    return load_reviews(
        edition_dir,
        wg,
        year,
        drafts_known(Outputs(outputs_dir).year(year).folder),
        display_root=display_root,
    )


# --- the resolution table and its summary ------------------------------------------------


class CommentSummary(BaseModel):
    """What the status annex shows: counts by status, and open comments by section."""

    total: int
    by_status: dict[str, int]
    by_kind: dict[str, int]
    open_by_section: list[tuple[str, str, int]]  # (section id, title, open comments)
    reviewers: int
    left_out: int
    files_with_errors: int


def summarise(reviews: Reviews, wg: WorkingGroup | None) -> CommentSummary:
    rows = reviews.rows
    statuses = Counter(r.status for r in rows)
    kinds = Counter(r.kind for r in rows)
    open_sections = Counter(r.section for r in rows if r.status == "open")
    return CommentSummary(
        total=len(rows),
        by_status={s: statuses.get(s, 0) for s in COMMENT_STATUSES},
        by_kind={k: kinds[k] for k in ("editorial", "substantive", "factual")},
        open_by_section=[
            (sid, title, open_sections[sid])
            for sid, title in report_sections(wg)
            if open_sections.get(sid)
        ],
        reviewers=len({r.reviewer for r in rows}),
        left_out=reviews.left_out,
        files_with_errors=sum(1 for f in reviews.files if not f.report.valid),
    )


def comment_record(row: CommentRow) -> dict[str, Any]:
    """One comment as `wgreport comments --format json` gives it: the table's columns and
    its thread (`replies`, oldest first)."""
    return {
        **{c: getattr(row, c) for c in TABLE_COLUMNS},
        "replies": [dict(r) for r in row.replies],
    }


def table_records(rows: Sequence[CommentRow]) -> list[dict[str, Any]]:
    """The table as plain records, in TABLE_COLUMNS order."""
    return [
        {c: ("" if getattr(r, c) is None else getattr(r, c)) for c in TABLE_COLUMNS} for r in rows
    ]


def comments_csv(rows: Sequence[CommentRow]) -> bytes:
    """The table as CSV (comments.csv, `wgreport comments --format csv`). A text cell that
    a spreadsheet would read as a formula is written with a leading apostrophe
    (`csvsafe.safe_cell`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TABLE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: safe_cell(v) for c, v in record.items()} for record in table_records(rows))
    return out.getvalue().encode("utf-8")
