"""The PDF stage's entry: which way a report's PDF is laid out, and what the manifest
records of it.

A final (`ctx.build.draft is None`) is a tagged PDF/UA-1 document with the data CSVs
attached, laid out in one pass. A draft is laid out per chapter (`schedule.render_parallel`)
on this machine's cores or on a Dask cluster, unless one pass is asked for (`workers` 1).
Both are finished the same way (`finish.finish_pdf`): one font per face, XMP metadata with
the PDF/UA-1 identifier, PDF 1.7.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ...content.reportmodel import ReportContext
from ..html import FINAL_VARIANT, Attachment, render_html


@dataclass(frozen=True)
class RenderedReport:
    """What a build publishes."""

    html: str
    pdf: bytes
    pages: int
    warnings: tuple[str, ...]
    render: tuple[tuple[str, Any], ...] = ()  # how the PDF was made (mode, parts, workers…)


def count_pages(pdf: bytes) -> int:
    """Pages in a PDF, read back with pikepdf (qpdf: 20 ms for the demo draft, where
    pypdf's parse took 250 ms)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def render_workers(requested: int) -> int:
    """Processes to lay out a draft's chapters with (schedule.py), or 0 for one pass:
    `requested` 1 is one pass, 0 (auto) every core.

    Auto renders per chapter even on one core: each chapter is laid out once either way
    (only the few with page numbers of others twice), and per chapter an unchanged
    chapter is reused by the next draft, and a member's chapter runs under the time limit.
    """
    import os

    if requested == 1:
        return 0
    return requested if requested > 1 else (os.cpu_count() or 1)


def start_render_workers(dask_address: str | None) -> None:
    """Start, in the background, what this machine's render workers fork from (unless a
    Dask cluster lays the chapters out): called before the charts and the context, so that
    the workers are ready when the PDF stage begins."""
    if not dask_address:
        from .workers import start_workers

        start_workers()


def render_pdf_report(
    ctx: ReportContext,
    html: str,
    templates_dir: Path,
    *,
    image_roots: Sequence[Path] = (),
    attachments: Sequence[Attachment] = (),
    workers: int = 1,
    cache_dir: Path | None = None,
    time_limit: float | None = None,
    dask_address: str | None = None,
    document_time_limit: float | None = None,
    lang: str = "en",
) -> RenderedReport:
    """The PDF of the report, laid out from its print variant (in `lang`, wgreport.i18n);
    `html` is the web page.

    A final (`ctx.build.draft is None`) is a tagged PDF/UA-1 document with `attachments`
    (the data CSVs), laid out in one pass. A draft is a tagged PDF with the DRAFT mark drawn
    on as an artifact (watermark.py); unless `workers` is 1 its chapters are laid out in
    parallel and merged (schedule.py), reusing the parts cached in `cache_dir` that did not
    change, each chapter within `time_limit` seconds (a member's chapter that overruns
    raises `PartsTimedOut`). With `dask_address`, a draft's chapters are laid out on that
    Dask cluster instead, one at a time per worker thread. One pass runs in a worker process
    within `document_time_limit` seconds; on overrun the chapters are timed per part, so
    that `PartsTimedOut` names the member whose chapter overran (`schedule.render_single`).
    """
    final = ctx.build.draft is None
    print_html = render_html(ctx, templates_dir, for_print=True, lang=lang)
    chapters = [chapter.id for chapter in ctx.chapters]  # the parts of a per-chapter layout
    count = 0 if final else render_workers(workers)
    from .watermark import draft_mark

    mark = draft_mark(lang)  # DRAFT, in the report's language
    if dask_address and not final:
        return _render_on_cluster(html, print_html, chapters, templates_dir, image_roots,
                                  cache_dir, dask_address, time_limit, mark)  # fmt: skip
    if count:  # merged, marked and finished in one pass (_per_chapter)
        return _per_chapter(html, print_html, chapters, templates_dir, image_roots, cache_dir,
                            time_limit, count, mark=mark)  # fmt: skip
    from .schedule import render_single

    pdf, warnings = render_single(
        print_html,
        templates_dir,
        chapters=chapters,
        image_roots=image_roots,
        time_limit=document_time_limit or None,
        chapter_time_limit=time_limit or None,
        cache_dir=cache_dir,
        variant=FINAL_VARIANT if final else None,
        attachments=list(attachments) if final else (),
        created=datetime.fromisoformat(ctx.build.built_at),
    )
    result = RenderedReport(
        html, pdf, count_pages(pdf), tuple(warnings), (("mode", "single"), ("workers", 1))
    )
    from .finish import finish_pdf

    if final:
        return dataclasses.replace(result, pdf=finish_pdf(result.pdf, cache_dir))
    from .watermark import add_draft_mark

    return dataclasses.replace(
        result, pdf=finish_pdf(add_draft_mark(result.pdf, cache_dir, mark), cache_dir)
    )


def _per_chapter(
    html: str,
    print_html: str,
    chapters: Sequence[str],
    templates_dir: Path,
    image_roots: Sequence[Path],
    cache_dir: Path | None,
    time_limit: float | None,
    count: int,
    executor: Any = None,
    mark: str | None = None,
    **more: Any,
) -> RenderedReport:
    """A draft laid out per chapter (schedule.py) by `count` workers of this machine's or of
    `executor`, marked `mark` (DRAFT); the manifest's `render` says how, with `more`."""
    from .schedule import render_parallel

    def finished(doc: Any) -> bytes:
        """The merged draft, marked and finished before it is first written."""
        from .finish import finish_document
        from .watermark import draw_mark

        if mark:
            draw_mark(doc, mark, cache_dir=cache_dir)
        else:
            draw_mark(doc, cache_dir=cache_dir)
        return finish_document(doc, cache_dir)

    pdf, warnings, stats = render_parallel(
        print_html,
        templates_dir,
        chapters=chapters,
        image_roots=image_roots,
        workers=count,
        cache_dir=cache_dir,
        executor=executor,
        time_limit=time_limit or None,
        last=finished,
    )
    how: tuple[tuple[str, Any], ...] = (
        ("mode", "parallel"),
        ("workers", count),
        *more.items(),
        ("parts", stats.parts),
        ("parts_laid_out", stats.laid_out),
        ("parts_rendered", stats.rendered),
        ("passes", stats.passes),
    )
    return RenderedReport(html, pdf, count_pages(pdf), tuple(warnings), how)


def _render_on_cluster(
    html: str,
    print_html: str,
    chapters: Sequence[str],
    templates_dir: Path,
    image_roots: Sequence[Path],
    cache_dir: Path | None,
    address: str,
    time_limit: float | None = None,
    mark: str | None = None,
) -> RenderedReport:
    """A draft laid out per chapter on the Dask cluster at `address` (its workers need the
    templates and image folders at the same paths), with as many parts at once as the
    cluster has threads."""
    from ...runtime.cluster import cluster_threads, dask_client

    with dask_client(address) as client:
        count = cluster_threads(client, address)
        return _per_chapter(html, print_html, chapters, templates_dir, image_roots, cache_dir,
                            time_limit, count, client.get_executor(), mark,
                            dask=address)  # fmt: skip
