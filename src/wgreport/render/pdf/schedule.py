"""Laying the parts out: worker processes (or a Dask cluster's executor), one job per
worker at a time, time limits, and the passes until the page numbers settle."""

from __future__ import annotations

import os
import re
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, cast

from ...cache import content_key as _digest
from ...errors import PartsTimedOut, RenderError
from ..html import check_fonts, layout_pdf
from ..languages import page_language
from ..paged import same_page
from .cache import PartCache, environment_digest
from .merge import merge_parts
from .parts import Layout, Part, fill_page_numbers, layout_key, part_css, split_parts
from .stamp import sample_css, stamp_html
from .workers import kill_pool, stop_pool, worker_pool


@dataclass
class RenderStats:
    """How much work a render did (for the benchmarks and the incremental-build test)."""

    parts: int = 0
    laid_out: int = 0  # placeholder layouts run (cache misses)
    rendered: int = 0  # part PDFs rendered (cache misses)
    passes: int = 0  # rounds of rendering the numbered parts
    workers: int = 0
    rendered_parts: list[int] = field(default_factory=list)
    timed_out: list[str] = field(default_factory=list)  # sections stopped at the time limit


# --- the worker side -------------------------------------------------------------------


def _first_pages(anchors: Sequence[dict[str, Any]], owned: set[str]) -> dict[str, int]:
    """The page each anchor starts on (a box split across pages is listed on each)."""
    found: dict[str, int] = {}
    for number, page in enumerate(anchors):
        for name in page:
            if name in owned:
                found.setdefault(name, number)
    return found


def _part_job(
    html: str,
    css: str,
    templates_dir: str,
    image_roots: list[str],
    owned: list[str],
    write: bool,
) -> tuple[bytes | None, Layout, list[str]]:
    """Lay out one part in a worker: its PDF (when `write`), its pages and anchors."""
    pdf, anchors, xrefs, log = layout_pdf(
        html,
        Path(templates_dir),
        image_roots=[Path(r) for r in image_roots],
        extra_css=css,
        write=write,
    )
    return pdf, Layout(len(anchors), _first_pages(anchors, set(owned)), xrefs), log.warnings


# --- the scheduler ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """One worker call: what it is for, its arguments, and which chapter it lays out."""

    kind: str  # "layout" (placeholder numbers, no PDF), "render", "ahead" (_ahead) or "stamp"
    index: int  # the part (-1 for the stamp)
    key: str  # its cache key
    args: tuple[Any, ...]
    section: str = ""


@dataclass
class _Run:
    """What one parallel render's passes share."""

    pool: Executor
    own_pool: bool  # we started it, and may stop it (an executor given to us, we may not)
    cache: PartCache
    env: str  # environment_digest: part of every cache key
    args: tuple[str, list[str]]  # templates folder and image folders, for the workers
    stats: RenderStats
    time_limit: float | None
    # WeasyPrint's warnings of each part's PDF (the stamp's at -1), as rendered or taken
    # from the cache: set, not added to, so that a part rendered again in a later pass, or
    # laid out first with placeholders, reports its warnings once, as one pass does
    by_part: dict[int, list[str]] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        return _in_part_order(self.by_part)

    def execute(self, jobs: Sequence[_Job]) -> dict[tuple[str, int], tuple[bytes | None, Layout]]:
        """Run the jobs, at most one per worker at a time (so that a job's clock starts
        when it does), in the order given; stop any that overruns the time limit."""
        pending = deque(jobs)
        running: dict[Future[Any], tuple[_Job, float]] = {}
        results: dict[tuple[str, int], tuple[bytes | None, Layout]] = {}
        while pending or running:
            while pending and len(running) < self.stats.workers:
                job = pending.popleft()
                running[self.pool.submit(_part_job, *job.args)] = (job, time.monotonic())
            timeout = None
            if self.time_limit is not None:
                soonest = min(started for _, started in running.values()) + self.time_limit
                timeout = max(0.0, soonest - time.monotonic())
            done, _ = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
            for future in done:
                job, _ = running.pop(future)
                pdf, layout, warns = future.result()
                results[(job.kind, job.index)] = (pdf, layout)
                if job.kind != "layout":  # a placeholder layout's are its render's too
                    self.by_part[job.index] = list(warns)
                    # before the entry itself: a build sharing the cache that finds the
                    # part finds its warnings
                    self.cache.put_warnings(job.key, warns)
                self._store(job, pdf, layout)
            if self.time_limit is not None:
                now = time.monotonic()
                late = [f for f, (_, s) in running.items() if now - s >= self.time_limit]
                if late:
                    pending.extendleft(reversed(self._stop(late, running)))
        return results

    def kept(self, index: int, key: str) -> None:
        """Part `index`'s PDF (the stamp: -1) taken from the cache: the warnings of the
        render that made it are this render's too."""
        self.by_part[index] = self.cache.warnings(key)

    def _store(self, job: _Job, pdf: bytes | None, layout: Layout) -> None:
        if job.kind == "layout":
            self.stats.laid_out += 1
            self.cache.put_layout("layout", job.key, layout)
        elif pdf is not None:
            if job.kind in ("render", "ahead"):
                self.stats.rendered += 1
                self.stats.rendered_parts.append(job.index)
            self.cache.put_part(job.key, pdf, layout)

    def _stop(
        self, late: list[Future[Any]], running: dict[Future[Any], tuple[_Job, float]]
    ) -> list[_Job]:
        """Give up the overrunning jobs; return the others that were running, to run again.

        Stopping a process pool's call means stopping its processes, so the pool is killed
        and started again. An executor given to us (a Dask cluster's) cannot be told to
        stop a call: the overrunning one is abandoned and the others run on."""
        for future in late:
            job, _ = running.pop(future)
            if not job.section.startswith("member-"):
                raise RenderError(
                    f"{job.section or 'the front matter'} did not render within the time "
                    f"limit of {self.time_limit:g} s"
                )
            self.stats.timed_out.append(job.section)
            future.cancel()
        if not self.own_pool:
            return []
        again = [job for job, _ in running.values()]
        running.clear()
        kill_pool(self.pool)
        self.pool = worker_pool(self.stats.workers)
        return again


# --- the driver ------------------------------------------------------------------------


def render_parallel(
    html: str,
    templates_dir: Path,
    *,
    chapters: Sequence[str],
    image_roots: Sequence[Path] = (),
    workers: int | None = None,
    cache_dir: Path | None = None,
    executor: Executor | None = None,
    time_limit: float | None = None,
    last: Callable[[Any], bytes] | None = None,
) -> tuple[bytes, list[str], RenderStats]:
    """The PDF of the print HTML, laid out per part in parallel; reads as one pass does.

    `chapters` are the report's chapter ids in order (`ctx.chapters`), one part each.
    `last`: the pass over the merged document before it is written (merge_parts).
    Raises `PartsTimedOut` (after every other part is done, so that they are cached) when
    members' chapters overrun `time_limit` seconds."""
    check_fonts(templates_dir)
    parts = split_parts(html, chapters)
    stats = RenderStats(parts=len(parts), workers=workers or os.cpu_count() or 1)
    run = _Run(
        pool=executor or worker_pool(stats.workers),
        own_pool=executor is None,
        cache=PartCache(cache_dir),
        env=environment_digest(templates_dir, image_roots),
        args=(str(templates_dir), [str(r) for r in image_roots]),
        stats=stats,
        time_limit=time_limit,
    )
    try:
        result = _render(html, parts, run, last)
    except BaseException:  # a failed part, an interrupt: the others' layouts are not needed
        if run.own_pool:
            kill_pool(run.pool)
        raise
    if run.own_pool:
        stop_pool(run.pool)
    return result


def render_single(
    html: str,
    templates_dir: Path,
    *,
    chapters: Sequence[str],
    image_roots: Sequence[Path] = (),
    time_limit: float | None = None,
    chapter_time_limit: float | None = None,
    cache_dir: Path | None = None,
    workers: int | None = None,
    **options: Any,
) -> tuple[bytes, list[str]]:
    """The PDF of the print HTML laid out in one pass (`render.render_pdf`, with `options`:
    a final's PDF/UA variant and attachments), in a worker process stopped after
    `time_limit` seconds; in this process without a limit.

    One pass cannot say which chapter is slow. So when it overruns, its worker is killed
    and the chapters are laid out per part (`render_parallel`, each within
    `chapter_time_limit`, reusing the parts in `cache_dir`): `PartsTimedOut` names the
    members whose chapters overran. If none did (a large report, or a slow machine), the
    overrun is an error that names the limit."""
    if not time_limit:
        return _single_job(html, str(templates_dir), list(image_roots), options)
    check_fonts(templates_dir)  # a missing font is named here, before a worker starts
    pool = worker_pool(1)
    future = pool.submit(_single_job, html, str(templates_dir), list(image_roots), options)
    try:
        pdf, warns = future.result(timeout=time_limit)
        stop_pool(pool)
        return pdf, warns
    except TimeoutError:
        kill_pool(pool)
    except BaseException:
        kill_pool(pool)
        raise
    chapter_limit = chapter_time_limit or time_limit
    render_parallel(html, templates_dir, chapters=chapters, image_roots=image_roots,
                    workers=workers, cache_dir=cache_dir, time_limit=chapter_limit)  # fmt: skip
    raise RenderError(
        f"the report did not render in one pass within the time limit of {time_limit:g} s "
        f"($WGREPORT_DOCUMENT_TIME_LIMIT), although each of its chapters lays out within "
        f"{chapter_limit:g} s; raise the limit for a report this long"
    )


def _single_job(
    html: str, templates_dir: str, image_roots: list[Path], options: dict[str, Any]
) -> tuple[bytes, list[str]]:
    """One pass (render_single), in a worker or in this process."""
    from .. import html as render

    pdf, log = render.render_pdf(html, Path(templates_dir), image_roots=image_roots, **options)
    return pdf, log.warnings


def _render(
    html: str, parts: Sequence[Part], run: _Run, last: Callable[[Any], bytes] | None = None
) -> tuple[bytes, list[str], RenderStats]:
    layouts: list[Layout | None] = [None] * len(parts)
    pdfs: list[bytes | None] = [None] * len(parts)
    stamp = _first_pass(html, parts, run, layouts, pdfs)
    known = cast(list[Layout], layouts)
    marked: set[str] = set()  # cross-references on their target's page (sticky: see below)
    for _ in range(3):
        run.stats.passes += 1
        seen = _numbered_pass(parts, run, known, pdfs, marked)
        if seen == known:
            merged = merge_parts(cast(list[bytes], pdfs), parts, stamp=stamp, last=last)
            return merged, run.warnings, run.stats
        known = seen  # a number's width moved a line or a page: number again
    raise RenderError("page numbers did not settle after three passes")


_DATA_URL = re.compile(r"data:[^\"')\s]*")
_OPENING_TAG = re.compile(r"<[a-zA-Z]")


def layout_cost(html: str) -> int:
    """What laying out a part costs, roughly: its elements (data: URLs left out: a chart
    is one image however long its URL). Measured on the demo draft, its statistical
    annex's 1263 elements take 3.6 s where a member's 170 take 1 s, and a chapter whose
    180 kB are mostly charts 1 s: the length of the HTML put that annex behind seven
    shorter parts, and the longest chapter of the numbered pass last."""
    return len(_OPENING_TAG.findall(_DATA_URL.sub("", html)))


def longest_first(jobs: Sequence[_Job]) -> list[_Job]:
    """The jobs in the order to hand them to the workers: the costliest first, so that no
    worker is left laying out a long part alone at the end of a pass (the parts after a
    pass wait for all of it)."""
    return sorted(jobs, key=lambda job: -layout_cost(job.args[0]))


def _job(kind: str, part: Part, key: str, text: str, css: str, run: _Run, write: bool) -> _Job:
    args = (text, css, *run.args, sorted(part.owned), write)
    return _Job(kind, part.index, key, args, part.section)


def _first_pass(
    html: str,
    parts: Sequence[Part],
    run: _Run,
    layouts: list[Layout | None],
    pdfs: list[bytes | None],
) -> bytes:
    """The stamp, the numbered parts laid out with placeholders (only their length is
    needed), and every other part rendered for good, longest first (so that no worker is
    left with a long chapter at the end); cached ones are taken from the cache. Fills
    `layouts` and the final parts' `pdfs`; returns the stamp."""
    stamp_source = stamp_html(html)
    stamp_key = _digest("stamp", run.env, stamp_source, sample_css(html))
    stamp = run.cache.get("pdf", stamp_key)
    jobs: list[_Job] = []
    if stamp is not None:
        run.kept(-1, stamp_key)
    else:
        jobs.append(
            _Job("stamp", -1, stamp_key, (stamp_source, sample_css(html), *run.args, [], True))
        )
    placeholder = "8" * len(str(max(len(parts) * 8, 10)))
    finals = []
    for part in parts:
        if part.numbered:
            text = fill_page_numbers(part, lambda _name: placeholder)
            css = part_css(part.index, placeholder, page_language(part.html))
            key = _digest("layout", run.env, layout_key(text), css)
            layouts[part.index] = run.cache.get_layout("layout", key)
            if layouts[part.index] is None:
                jobs.append(_job("layout", part, key, text, css, run, False))
        else:
            css = part_css(part.index, "", page_language(part.html))
            key = _digest("pdf", run.env, part.html, css)
            cached = run.cache.get_part(key)
            if cached is not None:
                pdfs[part.index], layouts[part.index] = cached
                run.kept(part.index, key)
                _remember_latest(part, run, css, cached[1])
            else:
                finals.append(_job("render", part, key, part.html, css, run, True))
    ahead = [] if any(job.kind == "layout" for job in jobs) else _ahead(parts, run, layouts, finals)
    results = run.execute(longest_first([*jobs, *finals, *ahead]))
    for (kind, index), (pdf, layout) in results.items():
        if kind == "stamp":
            stamp = pdf
        elif kind != "ahead":  # a numbered part's render ahead is in the cache, for later
            layouts[index] = layout
            if kind == "render":
                pdfs[index] = pdf
    for job in finals:  # a final's css is its args[1] (_job); one timed out has no layout
        rendered = layouts[job.index]
        if rendered is not None:
            _remember_latest(parts[job.index], run, job.args[1], rendered)
    if run.stats.timed_out:
        raise PartsTimedOut(run.stats.timed_out, cast(float, run.time_limit))
    assert stamp is not None
    return stamp


def _latest_key(part: Part, run: _Run, css: str) -> str:
    """The key of a part's latest layout, whatever its content: its section and CSS."""
    return _digest("latest", run.env, part.section, css)


def _remember_latest(part: Part, run: _Run, css: str, layout: Layout) -> None:
    """Keep `layout` as the part's latest (the guess of _ahead), rendered or from the cache:
    the layout of the chapter in the newest render."""
    key = _latest_key(part, run, css)
    if run.cache.get_layout("latest", key) != layout:
        run.cache.put_layout("latest", key, layout)


def _ahead(
    parts: Sequence[Part], run: _Run, layouts: Sequence[Layout | None], finals: Sequence[_Job]
) -> list[_Job]:
    """The numbered parts' renders, started in the first pass beside the parts that are
    rendered there, on the guess that each of those lays out as in the newest render
    (its pages, its anchors on the same pages; _remember_latest): a rebuild after one
    chapter's text changed then renders the front matter (whose draft labels change every
    build) beside that chapter, not after it. When the guess holds, the numbered pass
    finds these renders in the cache under the keys it computes, so the result is the same
    as without them; when not, it renders those parts again. None without a guess for
    every part (a cold cache, a part never rendered before)."""
    if not finals:
        return []
    guessed = list(layouts)
    for job in finals:
        latest = run.cache.get_layout("latest", _latest_key(parts[job.index], run, job.args[1]))
        if latest is None:
            return []
        guessed[job.index] = latest
    if any(layout is None for layout in guessed):
        return []
    jobs, _ = _numbered_jobs(parts, run, cast(list[Layout], guessed), set())
    return [_Job("ahead", job.index, job.key, job.args, job.section) for job in jobs]


def _numbered_pass(
    parts: Sequence[Part],
    run: _Run,
    known: list[Layout],
    pdfs: list[bytes | None],
    marked: set[str],
) -> list[Layout]:
    """Render the numbered parts with the page numbers that `known` layouts give; return
    the layouts as they came out (equal to `known` when the numbers have settled).

    A cross-reference that `known` prints on its target's page is added to `marked` and
    printed without ", page N" (paged.mark_same_page); a mark is never taken back (the
    shorter text can only move what follows up), so that the passes settle as one pass's
    layout does (html._same_page_layout)."""
    jobs, hits = _numbered_jobs(parts, run, known, marked)
    seen = list(known)
    for index, (key, (found, layout)) in hits.items():
        pdfs[index], seen[index] = found, layout
        run.kept(index, key)
    for (_, index), (pdf, layout) in run.execute(longest_first(jobs)).items():
        pdfs[index], seen[index] = pdf, layout
    if run.stats.timed_out:
        raise PartsTimedOut(run.stats.timed_out, cast(float, run.time_limit))
    return seen


def _numbered_jobs(
    parts: Sequence[Part], run: _Run, known: Sequence[Layout], marked: set[str]
) -> tuple[list[_Job], dict[int, tuple[str, tuple[bytes, Layout]]]]:
    """The numbered parts with the page numbers that `known` gives: the renders to run, and
    those found in the cache (by part: key, PDF and layout). Adds to `marked`."""
    firsts, total, where = _numbers(parts, known)
    jobs: list[_Job] = []
    hits: dict[int, tuple[str, tuple[bytes, Layout]]] = {}
    for part in parts:
        if not part.numbered:
            continue
        layout = known[part.index]
        printed = {n: (t, firsts[part.index] + p) for n, (t, p) in layout.xrefs.items()}
        marked |= same_page(printed, where)
        text = fill_page_numbers(part, partial(_page_of, where), marked)
        css = part_css(part.index, str(total), page_language(part.html))
        key = _digest("pdf", run.env, text, css)
        cached = run.cache.get_part(key)
        if cached is not None:
            hits[part.index] = (key, cached)
        else:
            jobs.append(_job("render", part, key, text, css, run, True))
    return jobs, hits


def _in_part_order(by_part: dict[int, list[str]]) -> list[str]:
    """Parts' warnings (the stamp's at -1) in the parts' order, whatever order the parts
    were laid out in."""
    return [w for index in sorted(by_part) for w in by_part[index]]


def _page_of(where: dict[str, int], name: str) -> str:
    return str(where.get(name, ""))


def _numbers(
    parts: Sequence[Part], layouts: Sequence[Layout]
) -> tuple[list[int], int, dict[str, int]]:
    """Each part's first page, the total, and every anchor's page number."""
    firsts, page = [], 1
    for layout in layouts:
        firsts.append(page)
        page += layout.pages
    where: dict[str, int] = {}
    for part, layout, first in zip(parts, layouts, firsts, strict=True):
        for name, index in layout.anchors.items():
            if name in part.owned:
                where.setdefault(name, first + index)
    return firsts, page - 1, where


# --- one chapter alone -------------------------------------------------------------------

#: A chapter laid out alone has no other parts to take page numbers from: its
#: cross-references name their table or figure without ", page N".
NO_PAGE_NUMBERS_CSS = "a.xref::after { content: none; }\n"


def render_chapter(
    html: str,
    templates_dir: Path,
    *,
    chapters: Sequence[str],
    section: str,
    image_roots: Sequence[Path] = (),
    cache_dir: Path | None = None,
    time_limit: float | None = None,
) -> tuple[bytes, bytes, list[str]]:
    """The chapter `section` of the print HTML laid out alone, as the parallel render lays
    it out: the same part (split_parts), with the same style and cache key, so a chapter
    laid out here is not laid out again by the next draft, and the other way round. Returns
    its PDF (no footers: they are stamped), the stamp of the HTML's draft label
    (stamp.Stamper) and WeasyPrint's warnings. A member's chapter that overruns
    `time_limit` raises `PartsTimedOut`."""
    check_fonts(templates_dir)
    parts = split_parts(html, chapters)
    part = next((p for p in parts if p.index and p.section == section), None)
    if part is None:
        raise RenderError(f"the report has no chapter {section}")
    env = environment_digest(templates_dir, image_roots)
    cache = PartCache(cache_dir)
    if part.numbered:  # a cross-reference's page is known only in the whole report
        text = fill_page_numbers(part, lambda _name: "")
        css = part_css(part.index, "", page_language(part.html)) + NO_PAGE_NUMBERS_CSS
    else:
        text, css = part.html, part_css(part.index, "", page_language(part.html))
    key = _digest("pdf", env, text, css)
    stamp_source = stamp_html(html)
    stamp_key = _digest("stamp", env, stamp_source, sample_css(html))
    args = (str(templates_dir), [str(r) for r in image_roots])
    cached, stamp = cache.get_part(key), cache.get("pdf", stamp_key)
    # what is taken from the cache brings the warnings of the render that made it
    hits = ((part.index, key, cached), (-1, stamp_key, stamp))
    warnings = {index: cache.warnings(k) for index, k, hit in hits if hit is not None}
    jobs = []
    if cached is None:
        owned = sorted(part.owned)
        jobs.append(_Job("render", part.index, key, (text, css, *args, owned, True), section))
    if stamp is None:
        jobs.append(_Job("stamp", -1, stamp_key, (stamp_source, sample_css(html), *args, [], True)))
    stats = RenderStats(parts=1, workers=max(1, len(jobs)))
    if jobs:
        run = _Run(worker_pool(stats.workers), True, cache, env, args, stats, time_limit)
        try:
            done = run.execute(jobs)
        except BaseException:
            kill_pool(run.pool)
            raise
        stop_pool(run.pool)
        if stats.timed_out:
            raise PartsTimedOut(stats.timed_out, cast(float, time_limit))
        stamp = done[("stamp", -1)][0] if stamp is None else stamp
        pdf = done[("render", part.index)][0] if cached is None else cached[0]
        warnings |= run.by_part
    else:
        assert cached is not None
        pdf = cached[0]
    assert pdf is not None and stamp is not None
    return pdf, stamp, _in_part_order(warnings)
