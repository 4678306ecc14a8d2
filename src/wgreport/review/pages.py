"""The two pages published beside the report, each from a typed context like `ReportContext`:

- `CommentsPage`: the comment-resolution table of a draft (`comments.html`);
- `ReviewPage`: `outputs/<year>/index.html`, the reviewers' page, regenerated after every
  build. A static page (no scripts, relative links) that lists every draft newest first
  with its build time, pages, size, links, the PDF's sha256 and what changed since the
  draft before (and the members' texts that changed, in words: `MemberWords`); the
  final, if any; and the current submission status.

Build the context (`comments_page`, `review_page`), render it (`render_comments_page`,
`render_review_page`), write it (`write_review_page`): the same split as the report's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..inputs.comments import CommentRow, CommentSummary, ReviewFile, Reviews
from ..layout import (
    COMMENTS_CSV,
    COMMENTS_HTML,
    REPORT_HTML,
    REPORT_JSON,
    REPORT_PDF,
    Draft,
    YearOutputs,
    data_file,
    report_file,
)
from ..render.html import make_environment
from .draftdiff import DraftChanges, changes_lines, compare_drafts, draft_folders
from .worddiff import excerpt_html

if TYPE_CHECKING:
    from markupsafe import Markup

#: A member's text changes are shown open up to this many changed sentences and this many
#: characters, and collapsed (`<details>`, the member's code and count showing) past them.
OPEN_EXCERPTS = 3
OPEN_CHARACTERS = 600

DATA_LINKS = [
    data_file("indicators.csv"),
    data_file("initiatives.csv"),
    REPORT_JSON,
    COMMENTS_HTML,
    COMMENTS_CSV,
]


@dataclass(frozen=True)
class CommentsPage:
    """Everything comments.html shows."""

    year: int
    title: str
    label: str  # "Draft 003" or "Final"
    built_at: str
    rows: list[CommentRow]
    summary: CommentSummary
    files: list[ReviewFile]


def comments_page(
    reviews: Reviews, summary: CommentSummary, *, year: int, title: str, label: str, built_at: str
) -> CommentsPage:
    return CommentsPage(year, title, label, built_at, list(reviews.rows), summary,
                        list(reviews.files))  # fmt: skip


def render_comments_page(page: CommentsPage, templates_dir: Path) -> bytes:
    """The comment-resolution table as a self-contained page."""
    template = make_environment(templates_dir).get_template("comments.html.j2")
    return template.render(p=page).encode("utf-8")


@dataclass(frozen=True)
class FieldWords:
    """A text field that changed: its name and each changed sentence as HTML, the member's
    words escaped and the deleted and inserted ones in `<del>` and `<ins>`."""

    field: str
    excerpts: list[Markup]


@dataclass(frozen=True)
class MemberWords:
    """One member's texts that changed since the draft before, in words."""

    member: str
    fields: list[FieldWords]
    sentences: int  # the changed sentences in all
    long: bool  # shown collapsed


def member_words(changes: DraftChanges) -> list[MemberWords]:
    out: list[MemberWords] = []
    for m in changes.members:
        if not m.text_changes:
            continue
        fields = [FieldWords(t.field, [excerpt_html(e) for e in t.excerpts])
                  for t in m.text_changes]  # fmt: skip
        sentences = sum(len(f.excerpts) for f in fields)
        size = sum(len(s.text) for t in m.text_changes for e in t.excerpts for s in e)
        out.append(MemberWords(m.member, fields, sentences,
                               sentences > OPEN_EXCERPTS or size > OPEN_CHARACTERS))  # fmt: skip
    return out


@dataclass(frozen=True)
class Translation:
    """The report of a draft in another language (`report.ko.pdf`, `report.ko.html`), as
    its manifest's `languages` records it."""

    lang: str
    name: str  # the language's own name: 한국어
    pdf: str
    html: str
    pages: int
    pdf_sha256: str
    size: str


@dataclass(frozen=True)
class DraftEntry:
    """One published draft (or the final) as the review page lists it."""

    name: str  # "Draft 003" or "Final"
    id: str
    built_at: str
    pages: int
    size: str
    pdf_sha256: str
    pdf: str
    html: str
    data: list[tuple[str, str]]
    sums: str | None
    manifest: dict[str, Any]
    changes: list[str] = field(default_factory=list)
    words: list[MemberWords] = field(default_factory=list)
    translations: list[Translation] = field(default_factory=list)


@dataclass(frozen=True)
class SubmissionStatus:
    """Who is in the newest draft or final (`source` names it), and who was left out."""

    source: str = ""
    included: list[str] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)
    #: the previous edition's year and the problems of its files, as that draft's
    #: validation.json reports them ("inputs/2023/contributions/KR.yaml:105:16 code: …")
    previous_year: int | None = None
    previous_problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewPage:
    """Everything outputs/<year>/index.html shows."""

    year: int
    drafts: list[DraftEntry]  # newest first
    final: DraftEntry | None
    status: SubmissionStatus


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


def _entry(year_dir: Path, folder: Path, changes: DraftChanges | None = None) -> DraftEntry:
    draft = Draft(folder)
    manifest = json.loads(draft.manifest.read_text(encoding="utf-8"))
    pdf = draft.report_pdf

    def link(path: Path) -> str:  # relative to the year's index.html
        return path.relative_to(year_dir).as_posix()

    return DraftEntry(
        name="Final" if manifest.get("final") else f"Draft {manifest['draft']}",
        id=folder.name,
        built_at=manifest["built_at"],
        pages=manifest["pages"],
        size=_size(pdf.stat().st_size) if pdf.is_file() else "",
        pdf_sha256=manifest["outputs"].get(REPORT_PDF, ""),
        pdf=link(pdf),
        html=link(draft.report_html),
        data=[(link(draft.file(d)), d) for d in DATA_LINKS if draft.file(d).is_file()],
        sums=link(draft.sums) if draft.sums.is_file() else None,
        manifest=manifest,
        changes=(changes_lines(changes) or ["nothing"]) if changes else [],
        words=member_words(changes) if changes else [],
        translations=translations(draft, manifest, link),
    )


def translations(
    draft: Draft, manifest: dict[str, Any], link: Callable[[Path], str]
) -> list[Translation]:
    """The draft's report in each of its other languages whose files are there (a draft
    built in English only, or before issue 42, has none)."""
    from ..i18n import autonym

    out: list[Translation] = []
    for lang, record in sorted((manifest.get("languages") or {}).items()):
        pdf, html = (
            draft.file(report_file(REPORT_PDF, lang)),
            draft.file(report_file(REPORT_HTML, lang)),
        )
        if not (isinstance(record, dict) and pdf.is_file() and html.is_file()):
            continue
        out.append(Translation(
            lang=lang, name=autonym(lang), pdf=link(pdf), html=link(html),
            pages=int(record.get("pages") or 0),
            pdf_sha256=manifest["outputs"].get(report_file(REPORT_PDF, lang), ""),
            size=_size(pdf.stat().st_size),
        ))  # fmt: skip
    return out


def previous_problems(validation: Path) -> tuple[int | None, list[str]]:
    """The previous edition's year and its files' problems, from a draft's validation.json
    (its optional `previous_edition`), each "file:line:column code: message"."""
    try:
        report = json.loads(validation.read_text(encoding="utf-8"))
        previous = report.get("previous_edition") or {}
        problems = [
            f"{f['file']}:{i.get('line') or ''}:{i.get('column') or ''} {i['code']}: {i['message']}"
            for f in previous.get("files", [])
            for i in f.get("issues", [])
        ]
        year = previous.get("year")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, []  # an older draft, or none: nothing to show
    return (year if isinstance(year, int) else None), problems


def review_page(year_dir: Path) -> ReviewPage:
    """Everything the page shows, read from the year's published folders."""
    drafts = draft_folders(year_dir)
    entries = [
        _entry(year_dir, folder, compare_drafts(drafts[i - 1], folder) if i else None)
        for i, folder in enumerate(drafts)
    ]
    final = YearOutputs(year_dir).final
    final_entry = _entry(year_dir, final.folder) if final.published else None
    newest = final_entry or (entries[-1] if entries else None)
    status = SubmissionStatus()
    if newest is not None:
        folder = final.folder if final_entry is not None else drafts[-1]
        year, problems = previous_problems(Draft(folder).validation)
        status = SubmissionStatus(
            source=newest.name,
            included=newest.manifest["members_included"],
            left_out=newest.manifest["members_left_out"],
            previous_year=year,
            previous_problems=problems,
        )
    return ReviewPage(int(year_dir.name), list(reversed(entries)), final_entry, status)


def render_review_page(page: ReviewPage, templates_dir: Path) -> str:
    return make_environment(templates_dir).get_template("review.html.j2").render(r=page)


def write_review_page(year_dir: Path, templates_dir: Path) -> Path:
    """Render outputs/<year>/index.html atomically; return its path."""
    html = render_review_page(review_page(year_dir), templates_dir)
    target = YearOutputs(year_dir).index
    tmp = year_dir / f".index-{os.getpid()}.html"
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, target)
    return target
