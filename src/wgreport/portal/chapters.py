"""A member's chapter of a draft, for country validation in the portal (issue 37): where it
starts and ends (the draft's top-level PDF bookmarks, the chapter's title from its
report.json), its pages as a PDF of their own (cut with pikepdf: qpdf copies no page that
only a link points to) and as page images (pdftoppm, when installed, cached)."""

from __future__ import annotations

import functools
import io
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import i18n
from ..layout import REPORT_JSON, Draft, draft_name

#: The width of a page image in pixels (twice a phone's 360 CSS pixels: sharp on it).
PAGE_IMAGE_WIDTH = 720
PAGE_IMAGE_SECONDS = 30


@dataclass(frozen=True)
class Chapter:
    """Where member `code`'s chapter is in a draft's report.pdf: pages `first` to `last`,
    counted from 1 as the draft's page numbers are (and review comments name them)."""

    draft: int
    code: str
    title: str
    first: int
    last: int
    pdf: Path

    @property
    def pages(self) -> range:
        return range(self.first, self.last + 1)

    @property
    def span(self) -> str:
        if self.first == self.last:
            return f"page {self.first}"
        return f"pages {self.first} to {self.last}"

    @property
    def shown_span(self) -> str:
        """`span` in the current language (the member's pages say it; the PDF's title
        keeps the English)."""
        if self.first == self.last:
            return i18n.gettext("page %(first)s") % {"first": self.first}
        return i18n.gettext("pages %(first)s to %(last)s") % {
            "first": self.first, "last": self.last}  # fmt: skip


def _chapter_title(draft: Draft, code: str) -> str | None:
    """The title of member `code`'s chapter as the draft's report.json gives it
    (`5. Republic of Korea`), or None."""
    try:
        data = json.loads(draft.file(REPORT_JSON).read_text(encoding="utf-8"))
        members = data.get("members") or []
        for chapter in data.get("chapters") or []:
            index = chapter.get("member")
            own = isinstance(index, int) and 0 <= index < len(members)
            if own and members[index].get("code") == code and isinstance(chapter.get("title"), str):
                return str(chapter["title"])
    except (OSError, ValueError, AttributeError, TypeError):
        return None
    return None


def _destination_page(pdf: Any, item: Any, index: dict[Any, int]) -> int | None:
    """The page (from 0) an outline item points to: an explicit destination, a named one,
    or a GoTo action's; None when it points to no page of the document."""
    import pikepdf

    dest = item.destination
    if dest is None and item.action is not None and item.action.get("/S") == pikepdf.Name.GoTo:
        dest = item.action.get("/D")
    if isinstance(dest, (pikepdf.String, pikepdf.Name, str)):
        dest = _named_destination(pdf, dest)
    if isinstance(dest, pikepdf.Dictionary):
        dest = dest.get("/D")
    if isinstance(dest, int):
        return dest
    if isinstance(dest, pikepdf.Array) and len(dest) > 0:
        target = dest[0]
        if isinstance(target, pikepdf.Dictionary):
            return index.get(target.objgen)
    return None


def _named_destination(pdf: Any, name: Any) -> Any:
    import pikepdf

    root = pdf.Root
    if isinstance(name, pikepdf.Name) and "/Dests" in root:
        return root.Dests.get(name)
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/Dests" in names:
        return pikepdf.NameTree(names.Dests).get(str(name))
    return None


def find_chapter(draft: Draft, number: int, code: str, name: str) -> Chapter | None:
    """Member `code`'s chapter in a published draft: the top-level bookmark of its title
    (report.json's, else `<number>. <name>`) up to the page before the next top-level
    bookmark. None when the draft, its PDF or the chapter is not there."""
    import pikepdf

    if not (draft.published and draft.report_pdf.is_file()):
        return None
    title = _chapter_title(draft, code)
    wanted = re.compile(re.escape(title) if title else rf"(\d+\.\s*)?{re.escape(name)}")
    try:
        with pikepdf.open(draft.report_pdf) as pdf:
            index = {page.objgen: i for i, page in enumerate(pdf.pages)}
            total = len(pdf.pages)
            with pdf.open_outline() as outline:
                tops = [
                    (str(item.title).strip(), _destination_page(pdf, item, index))
                    for item in outline.root
                ]
    except (pikepdf.PdfError, OSError, ValueError):
        return None
    placed = [(t, p) for t, p in tops if p is not None and 0 <= p < total]
    for at, (text, start) in enumerate(placed):
        if wanted.fullmatch(text):
            following = [p for _, p in placed[at + 1 :] if p > start]
            end = following[0] - 1 if following else total - 1
            return Chapter(number, code, text, start + 1, end + 1, draft.report_pdf)
    return None


def chapter_pdf(chapter: Chapter) -> bytes:
    """The chapter's pages as a PDF of their own (qpdf copies no page they link to: such a
    link points nowhere in the file, so no other chapter's page comes with them)."""
    import pikepdf

    with pikepdf.open(chapter.pdf) as source:
        out = pikepdf.new()
        out.pages.extend(source.pages[chapter.first - 1 : chapter.last])
        out.docinfo["/Title"] = (
            f"Draft {draft_name(chapter.draft)}, {chapter.title} ({chapter.span} of the draft)"
        )
        buffer = io.BytesIO()
        out.save(buffer)
    return buffer.getvalue()


@functools.lru_cache(maxsize=48)
def _page_png(pdf: str, stamp: tuple[int, int], number: int) -> bytes | None:
    """Page `number` of `pdf` as a PNG (`stamp`, the file's time and size, keys the cache)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    try:
        done = subprocess.run(
            [
                tool,
                "-f",
                str(number),
                "-l",
                str(number),
                "-png",
                "-singlefile",
                "-scale-to-x",
                str(PAGE_IMAGE_WIDTH),
                "-scale-to-y",
                "-1",
                pdf,
            ],
            capture_output=True,
            timeout=PAGE_IMAGE_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 and done.stdout.startswith(b"\x89PNG") else None


def page_png(chapter: Chapter, number: int) -> bytes | None:
    """Page `number` of the draft as an image, when it is one of the chapter's pages and
    pdftoppm can draw it."""
    if number not in chapter.pages:
        return None
    info = chapter.pdf.stat()
    return _page_png(str(chapter.pdf), (info.st_mtime_ns, info.st_size), number)


def page_images() -> bool:
    """Whether the pages can be shown as images (pdftoppm, of poppler-utils, installed)."""
    return shutil.which("pdftoppm") is not None


# --- where a member stands
