"""One chapter of the report as a PDF of its own, as it will print: laid out as the parallel
render lays it out (`schedule.render_chapter`: the same part of the print HTML, so the
chapter's number and its figures' and tables' numbers are the report's), with the HTML's
draft label and "Page X of Y" (of the chapter) stamped on every page as the merged draft's
pages are (stamp.Stamper), and a diagonal mark drawn over them (watermark.py).

The preview of a member's own chapter in the portal (build/preview.py) is this, with the
label "Preview" and the mark PREVIEW."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .schedule import render_chapter
from .stamp import Stamper
from .watermark import draw_mark


@dataclass(frozen=True)
class ChapterPdf:
    pdf: bytes
    pages: int
    warnings: tuple[str, ...]


def chapter_alone(
    html: str,
    templates_dir: Path,
    *,
    chapters: Sequence[str],
    section: str,
    title: str,
    mark: str,
    image_roots: Sequence[Path] = (),
    cache_dir: Path | None = None,
    time_limit: float | None = None,
) -> ChapterPdf:
    """Chapter `section` of the print HTML `html` (whose chapters are `chapters`, in
    order) as a PDF of its own titled `title`, every page stamped with the HTML's draft
    label and its page of the chapter, and `mark` drawn across it."""
    import pikepdf

    part, stamp, warnings = render_chapter(
        html,
        templates_dir,
        chapters=chapters,
        section=section,
        image_roots=image_roots,
        cache_dir=cache_dir,
        time_limit=time_limit,
    )
    with pikepdf.open(io.BytesIO(part)) as doc:
        stamper = Stamper(stamp, doc)
        total = len(doc.pages)
        for number, page in enumerate(doc.pages, start=1):
            stamper.apply(page, number, total)
        draw_mark(doc, mark)
        doc.docinfo["/Title"] = title
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
    return ChapterPdf(out.getvalue(), total, tuple(warnings))
