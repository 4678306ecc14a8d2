"""Per-chapter PDF rendering: chapters laid out as separate documents, in parallel, and
merged into one PDF that reads like a single-pass render.

WeasyPrint lays out one document on one core. The report's chapters each start on a new
page (`.chapter { break-before: page }`), so the print HTML splits cleanly into parts: the
front matter (cover and contents) and one part per chapter and annex. What ties the parts
together is handled here, so that **each part is laid out once** and a part that did not
change is never laid out again:

- **Footers are stamped, not laid out.** A part's layout must not depend on where it lands
  in the report, or every part would wait for the length of all the parts before it. So
  the parts after the front matter are rendered without "Page X of Y" and without the draft
  label; after merging, each page gets both from a *stamp*: one small WeasyPrint page with
  the label and a sample footer ("Page 0123456789 of 0123456789"), whose footer text is
  re-set for every page from the sample's own glyphs and advance widths and right-aligned
  where WeasyPrint put it (`_Stamper`). The front matter keeps its own footers (it starts
  on page 1 and is laid out last, when the total is known).
- **Page numbers in the text.** Only the parts that print page numbers of their own (the
  contents and the cross-references, "Data: Table 17, page 55") depend on the others. They
  are laid out first with placeholders of the final width, which gives their length, while
  every other part is rendered for good; then they are rendered with the real numbers
  (`data-page`, instead of `target-counter()`). If a number's width still moves a line, the
  numbers are recomputed and those parts rendered again.
- **Links.** Links to an anchor in another part get an invisible stand-in anchor in their
  own part, so WeasyPrint keeps them; after merging, the named destinations are rebuilt
  from each part's own anchors only, so every link lands on the real target.
- **Outline and metadata.** Each part's bookmarks are copied in order (levels are
  kept), and the metadata comes from the front matter.
- **Caching.** Each part's PDF and layout (its pages and the page of each anchor) are
  cached by the sha256 of what they are made from (the part's HTML, the numbers written
  into it, the style sheets and the image folders' files). Since no part but the front
  matter carries the draft label or its position, a new draft after a one-member change
  renders that member's chapter, the chapters whose content changed, and the front matter.
- **Time limit.** Each part runs under a time limit (`time_limit`). A member's chapter
  that overruns is stopped (its worker is killed) and reported (`PartsTimedOut`), so that
  the build can leave the member out and say so; any other part that overruns is an error.
- **Memory.** Each part is laid out in a worker process and only its PDF bytes come
  back, so no process holds more than one chapter's layout at a time.

Finals (tagged PDF/UA-1) are rendered in one pass: the merge cannot join structure trees.
One pass runs in a worker process under a time limit for the whole document
(`render_single`); when it overruns, the chapters are timed here to name the member.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html as htmllib
import io
import json
import os
import re
import time
import warnings
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, cast

from .errors import PartsTimedOut, RenderError
from .render import PAGED_CSS, check_fonts, layout_pdf

_SECTION = re.compile(r'<section class="chapter[^"]*" id="([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')
_HREF = re.compile(r'<a\s([^>]*?)href="#([^"]+)"')
_COVER_TITLE = re.compile(r'class="cover-title"[^>]*>(.*?)</', re.S)
_TAGS = re.compile(r"<[^>]+>")
_XREF = re.compile(r'class="[^"]*\bxref\b')
_DRAFT_INFO = re.compile(r'<p class="draft-info">[^<]*</p>\n?')
_CREATED = re.compile(r'<meta name="dcterms\.created" content="[^"]*">')


@dataclass(frozen=True)
class Part:
    """One separately laid-out document: the front matter, a chapter or an annex."""

    index: int
    html: str  # without page numbers: `data-page` placeholders are filled in per pass
    owned: frozenset[str]  # the anchor ids defined in this part
    foreign: tuple[str, ...]  # ids this part links to that live in another part
    section: str = ""  # the chapter's id ("" for the front matter)

    @property
    def numbered(self) -> bool:
        """Whether the part prints page numbers of others (contents, cross-references), or
        its own footers (the front matter): it is laid out once the others' lengths are
        known."""
        return self.index == 0 or _NUMBER in self.html


@dataclass
class Layout:
    """What a layout tells of a part: its pages, and the page of each anchor."""

    pages: int
    anchors: dict[str, int]


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


def _body_open(html: str) -> int:
    body = html.find("<body")
    if body < 0:
        raise RenderError("the print HTML has no <body>")
    return html.index(">", body) + 1


def split_parts(html: str, chapters: Sequence[str]) -> list[Part]:
    """Cut the print HTML into the front matter and one part per chapter or annex, the
    chapters being `ctx.chapters`' ids in report order: a chapter the HTML does not open
    where the list says is an error, never a silently different cut.

    The parts after the front matter carry neither the draft label nor the build time
    (the stamp adds the label; the metadata comes from the front matter), so that they do
    not change from one draft to the next. Each part ends as the whole document does."""
    opened = {m.group(1): m.start() for m in _SECTION.finditer(html)}
    missing = [c for c in chapters if c not in opened]
    if missing or not chapters:
        raise RenderError(
            f"the print HTML has no chapter {', '.join(missing) or '(none listed)'}: the "
            'templates must render every chapter of ctx.chapters as <section class="chapter">'
        )
    starts = [opened[c] for c in chapters]
    if starts != sorted(starts) or len(opened) != len(chapters):
        raise RenderError("the print HTML's chapters are not those of ctx.chapters, in order")
    end = html.find("</main>")
    body_open = _body_open(html)
    cover = html.find('class="cover', body_open)
    if end < starts[-1] or cover < 0:
        raise RenderError("the print HTML does not have the expected cover and main part")
    close = html[end:]  # </main> and whatever the template closes after it
    cover_open = html.rindex("<", body_open, cover)
    head = _CREATED.sub("", html[:body_open])
    prelude = _DRAFT_INFO.sub("", html[body_open:cover_open])
    chunks = [html[: starts[0]]]
    chunks += [html[a:b] for a, b in zip(starts, [*starts[1:], end], strict=True)]
    title = _COVER_TITLE.search(html)
    title_text = htmllib.unescape(_TAGS.sub("", title.group(1))).strip() if title else ""
    all_ids = set(_ID.findall(html))
    parts = []
    for index, chunk in enumerate(chunks):
        defined = set(_ID.findall(chunk)) - {"main"}
        # <main id="main"> starts where the first chapter does, as in one pass.
        owned = frozenset(defined | ({"main"} if index == 1 else set()))
        linked = {m.group(2) for m in _HREF.finditer(chunk)}
        # every part has its own <main id="main">: no stand-in for it
        foreign = tuple(sorted((linked & all_ids) - defined - {"main"}))
        standins = "".join(
            f'<span id="{i}" class="part-anchor" style="position: absolute"></span>'
            for i in foreign
        )
        section = ""
        if index == 0:
            doc = chunk + standins + close
        else:
            opening = chunk.index(">") + 1
            section = chapters[index - 1]
            style = f'<style>:root {{ string-set: title "{_css_string(title_text)}"; }}</style>'
            doc = head.replace("</head>", style + "</head>") if "</head>" in head else head
            doc += prelude + '<div class="layout">\n<main id="main">\n'
            doc += chunk[:opening] + standins + chunk[opening:] + close
        parts.append(Part(index, _number_links(doc, index == 0), owned, foreign, section))
    return parts


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


_NUMBER = "\x00PAGE:"


def _number_links(doc: str, every: bool) -> str:
    """Give the links that print a page number (`every` one in the front matter, whose
    contents do; the cross-references, `class="xref"`, elsewhere) a `data-page` slot,
    filled in per pass."""

    def slot(m: re.Match[str]) -> str:
        if not every and not _XREF.search(m.group(1)):
            return m.group(0)
        return f'<a {m.group(1)}data-page="{_NUMBER}{m.group(2)}\x00" href="#{m.group(2)}"'

    return _HREF.sub(slot, doc)


_SLOT = re.compile("\x00PAGE:([^\x00]*)\x00")
# The draft label and build time change with every draft but move nothing: the label is
# position: fixed (on the cover, one short line), the time is metadata; and the render that
# follows checks the placeholder layout anyway. The front matter's layout is cached without
# them, so a new draft of unchanged inputs needs no placeholder layout.
_LABELS = re.compile(
    r'<p class="(?:cover-draft|draft-info)">[^<]*</p>'
    r'|<meta name="dcterms\.created" content="[^"]*">'
)


def _layout_key(html: str) -> str:
    return _LABELS.sub("", html)


def _fill(part: Part, pages: Callable[[str], str]) -> str:
    return _SLOT.sub(lambda m: pages(m.group(1)), part.html)


_NUMBERS_CSS = (
    ".toc a::after { content: leader('.') attr(data-page); }\n"
    'a.xref::after { content: ", page " attr(data-page); }\n'
)


def _part_css(index: int, total: str) -> str:
    """The front matter prints its own footers (it starts on page 1); the other parts none:
    their footers are stamped once the whole report's pages are known."""
    footer = f'content: "Page " counter(page) " of {total}";' if index == 0 else "content: none;"
    return _NUMBERS_CSS + f"@page {{ @bottom-right {{ {footer} }} }}\n"


# --- the stamp: the draft label and "Page X of Y" ---------------------------------------

#: The footer a stamp sample is laid out with: every glyph a footer needs, in the style of
#: the real one (paged.css's @bottom-right).
SAMPLE_FOOTER = "Page 0123456789 of 0123456789"
_SAMPLE_CSS = (
    "@page { @top-left { content: none; } @top-right { content: none; } "
    f'@bottom-right {{ content: "{SAMPLE_FOOTER}"; }} }}\n'
    # nothing but the two lines: no background to hide the page under the stamp
    "html, body { background: none !important; }\n"
)


def stamp_html(html: str) -> str:
    """The stamp's source: the report's head and styles, and only the draft label."""
    label = _DRAFT_INFO.search(html)
    return html[: _body_open(html)] + (label.group(0) if label else "") + "</body>\n</html>\n"


_TEXT = re.compile(
    rb"BT\n1 0 0 -1 (?P<x>-?[\d.]+) (?P<y>-?[\d.]+) Tm\n/(?P<font>\S+) (?P<size>[\d.]+) Tf\n"
    rb"\[(?P<tj>[^\]]*)\] TJ\nET"
)
_GLYPHS = re.compile(rb"<([0-9a-fA-F]*)>(-?[\d.]+)?")
_RESOURCE_KINDS = ("/Font", "/ExtGState")


def _glyph_runs(tj: bytes) -> list[tuple[str, float]]:
    """The glyphs of a TJ array (4-hex-digit glyph ids) with the adjustment after each."""
    out: list[tuple[str, float]] = []
    for hexes, adjust in _GLYPHS.findall(tj):
        ids = [hexes[i : i + 4].decode() for i in range(0, len(hexes), 4)]
        for n, gid in enumerate(ids):
            last = n == len(ids) - 1
            out.append((gid, float(adjust) if last and adjust else 0.0))
    return out


def _widths(font: Any) -> tuple[dict[int, float], float]:
    """A CID font's advance widths (/W) and default width (/DW), in 1/1000 em."""
    import pikepdf

    descendant = font.DescendantFonts[0]
    default = float(descendant.get("/DW", 1000))
    widths: dict[int, float] = {}
    items = list(descendant.get("/W", pikepdf.Array()))
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1]
        if isinstance(nxt, pikepdf.Array):
            for n, w in enumerate(nxt):
                widths[first + n] = float(w)
            i += 2
        else:
            for cid in range(first, int(nxt) + 1):
                widths[cid] = float(items[i + 2])
            i += 3
    return widths, default


class _Stamper:
    """Stamps the draft label and "Page X of Y" onto merged pages, from a sample page."""

    def __init__(self, sample_pdf: bytes, out: Any) -> None:
        import pikepdf

        sample = pikepdf.open(io.BytesIO(sample_pdf))
        page = sample.pages[0]
        contents = page.obj.get("/Contents")
        if isinstance(contents, pikepdf.Array):
            data = b"".join(c.read_bytes() for c in contents)
        else:
            data = contents.read_bytes() if contents is not None else b""
        resources = page.obj.Resources
        footer = None
        for match in _TEXT.finditer(data):
            glyphs = [g for g, _ in _glyph_runs(match["tj"])]
            if len(glyphs) == len(SAMPLE_FOOTER) and glyphs[5:15] == glyphs[19:29]:
                footer = match
        if footer is None:
            raise RenderError("the stamp sample has no footer to re-set")
        runs = _glyph_runs(footer["tj"])
        self.glyph = {c: runs[i] for i, c in enumerate(SAMPLE_FOOTER)}
        self.widths, self.default = _widths(resources.Font["/" + footer["font"].decode()])
        self.size = float(footer["size"])
        self.right = float(footer["x"]) + self._advance(runs)
        start = footer.start()
        before, after = data[:start], data[footer.end() :]
        head = data[start : footer.start("x")]
        middle = data[footer.end("x") : footer.start("tj")]
        # The sample's resources, renamed so that they cannot clash with a page's own, and
        # copied into the merged document once.
        self.resources: dict[str, dict[str, Any]] = {}
        renames: dict[bytes, bytes] = {}
        for kind in _RESOURCE_KINDS:
            if kind not in resources:
                continue
            for name, value in resources[kind].items():
                new = f"/WgStamp{kind[1:]}{len(renames)}"
                renames[str(name).encode()] = new.encode()
                shared = value if value.is_indirect else sample.make_indirect(value)
                self.resources.setdefault(kind, {})[new] = out.copy_foreign(shared)
        pattern = re.compile(rb"(" + b"|".join(re.escape(k) for k in renames) + rb")(?=[\s\[<(/])")

        def rename(chunk: bytes) -> bytes:
            return pattern.sub(lambda m: renames[m.group(1)], chunk) if renames else chunk

        self.before, self.head = rename(before), rename(head)
        self.middle, self.after = rename(middle), rename(after)
        self.out = out
        self.push = pikepdf.Stream(out, b"q\n")
        self.pop = pikepdf.Stream(out, b"Q\n")

    def _advance(self, runs: Sequence[tuple[str, float]]) -> float:
        """How far a run of glyphs moves the pen (TJ's adjustments included)."""
        em = sum(self.widths.get(int(g, 16), self.default) - adjust for g, adjust in runs)
        return em / 1000 * self.size

    def footer(self, page: int, total: int) -> bytes:
        """The stamp's content for one page: the label, and the footer re-set."""
        runs = [self.glyph[c] for c in f"Page {page} of {total}"]
        x = self.right - self._advance(runs)
        tj = b"".join(b"<" + g.encode() + b">" + f"{a:g}".encode() for g, a in runs)
        return (
            self.before + self.head + f"{x:.6f}".encode() + self.middle + tj + b"] TJ\nET"
            + self.after
        )  # fmt: skip

    def apply(self, page: Any, number: int, total: int) -> None:
        import pikepdf

        contents = page.obj.get("/Contents")
        if contents is None:
            existing: list[Any] = []
        elif isinstance(contents, pikepdf.Array):
            existing = list(contents)
        else:
            existing = [contents]
        stream = pikepdf.Stream(self.out, self.footer(number, total))
        page.obj.Contents = pikepdf.Array([self.push, *existing, self.pop, stream])
        resources = page.obj.Resources
        for kind, entries in self.resources.items():
            if kind not in resources:
                resources[kind] = pikepdf.Dictionary()
            for name, obj in entries.items():
                resources[kind][name] = obj


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
    pdf, anchors, log = layout_pdf(
        html,
        Path(templates_dir),
        image_roots=[Path(r) for r in image_roots],
        extra_css=css,
        write=write,
    )
    return pdf, Layout(len(anchors), _first_pages(anchors, set(owned))), log.warnings


# --- the cache ---------------------------------------------------------------------------


class PartCache:
    """Layouts and part PDFs on disk, keyed by the sha256 of their inputs."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _path(self, kind: str, key: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / kind / key[:2] / key

    def get(self, kind: str, key: str) -> bytes | None:
        path = self._path(kind, key)
        try:
            return path.read_bytes() if path is not None else None
        except OSError:
            return None

    def put(self, kind: str, key: str, data: bytes) -> None:
        path = self._path(kind, key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def get_layout(self, kind: str, key: str) -> Layout | None:
        data = self.get(kind, key)
        if data is None:
            return None
        try:
            loaded = json.loads(data)
            return Layout(
                int(loaded["pages"]), {str(k): int(v) for k, v in loaded["anchors"].items()}
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # a damaged entry is a miss

    def put_layout(self, kind: str, key: str, layout: Layout) -> None:
        self.put(kind, key, json.dumps(dataclasses.asdict(layout)).encode())

    def get_part(self, key: str) -> tuple[bytes, Layout] | None:
        """A rendered part: its PDF and its layout."""
        layout = self.get_layout("meta", key)
        pdf = self.get("pdf", key) if layout is not None else None
        return (pdf, layout) if pdf is not None and layout is not None else None

    def put_part(self, key: str, pdf: bytes, layout: Layout) -> None:
        self.put("pdf", key, pdf)
        self.put_layout("meta", key, layout)


def _digest(*items: str | bytes) -> str:
    h = hashlib.sha256()
    for item in items:
        data = item.encode("utf-8") if isinstance(item, str) else item
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def environment_digest(templates_dir: Path, image_roots: Sequence[Path]) -> str:
    """What a part's layout depends on besides its HTML: the style sheets, the images, and
    the WeasyPrint version."""
    import weasyprint

    h = hashlib.sha256(weasyprint.__version__.encode())
    h.update((templates_dir / PAGED_CSS).read_bytes())
    for root in sorted(image_roots):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            h.update(str(path.relative_to(root)).encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


# --- the scheduler ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """One worker call: what it is for, its arguments, and which chapter it lays out."""

    kind: str  # "layout" (placeholder numbers, no PDF), "render" or "stamp"
    index: int  # the part (-1 for the stamp)
    key: str  # its cache key
    args: tuple[Any, ...]
    section: str = ""


def _executor(workers: int) -> Executor:
    import multiprocessing

    # forkserver: workers start clean (no inherited threads or locks from Prefect), forked
    # from a server that has imported WeasyPrint once (for a server not yet started).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["wgreport.render", "weasyprint"])
    return ProcessPoolExecutor(workers, mp_context=context)


def _kill(pool: Executor) -> None:
    """Stop a process pool now, its running calls included."""
    processes = dict(getattr(pool, "_processes", None) or {})
    for process in processes.values():
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


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
    warnings: list[str] = field(default_factory=list)

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
                self.warnings += warns
                results[(job.kind, job.index)] = (pdf, layout)
                self._store(job, pdf, layout)
            if self.time_limit is not None:
                now = time.monotonic()
                late = [f for f, (_, s) in running.items() if now - s >= self.time_limit]
                if late:
                    pending.extendleft(reversed(self._stop(late, running)))
        return results

    def _store(self, job: _Job, pdf: bytes | None, layout: Layout) -> None:
        if job.kind == "layout":
            self.stats.laid_out += 1
            self.cache.put_layout("layout", job.key, layout)
        elif pdf is not None:
            if job.kind == "render":
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
        _kill(self.pool)
        self.pool = _executor(self.stats.workers)
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
) -> tuple[bytes, list[str], RenderStats]:
    """The PDF of the print HTML, laid out per part in parallel; reads as one pass does.

    `chapters` are the report's chapter ids in order (`ctx.chapters`), one part each.
    Raises `PartsTimedOut` (after every other part is done, so that they are cached) when
    members' chapters overrun `time_limit` seconds."""
    check_fonts(templates_dir)
    parts = split_parts(html, chapters)
    stats = RenderStats(parts=len(parts), workers=workers or os.cpu_count() or 1)
    run = _Run(
        pool=executor or _executor(stats.workers),
        own_pool=executor is None,
        cache=PartCache(cache_dir),
        env=environment_digest(templates_dir, image_roots),
        args=(str(templates_dir), [str(r) for r in image_roots]),
        stats=stats,
        time_limit=time_limit,
    )
    try:
        return _render(html, parts, run)
    finally:
        if run.own_pool:
            run.pool.shutdown()


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
    pool = _executor(1)
    future = pool.submit(_single_job, html, str(templates_dir), list(image_roots), options)
    try:
        pdf, warns = future.result(timeout=time_limit)
        pool.shutdown()
        return pdf, warns
    except TimeoutError:
        _kill(pool)
    except BaseException:
        _kill(pool)
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
    from . import render

    pdf, log = render.render_pdf(html, Path(templates_dir), image_roots=image_roots, **options)
    return pdf, log.warnings


def _render(html: str, parts: Sequence[Part], run: _Run) -> tuple[bytes, list[str], RenderStats]:
    layouts: list[Layout | None] = [None] * len(parts)
    pdfs: list[bytes | None] = [None] * len(parts)
    # First: the stamp, the numbered parts with placeholders (only their length is needed),
    # then every other part for good, longest first (so that no worker is left with a long
    # chapter at the end).
    stamp_source = stamp_html(html)
    stamp_key = _digest("stamp", run.env, stamp_source, _SAMPLE_CSS)
    stamp = run.cache.get("pdf", stamp_key)
    jobs: list[_Job] = []
    if stamp is None:
        jobs.append(_Job("stamp", -1, stamp_key, (stamp_source, _SAMPLE_CSS, *run.args, [], True)))
    width = len(str(max(len(parts) * 8, 10)))
    placeholder = "8" * width
    finals = []
    for part in parts:
        owned = sorted(part.owned)
        if part.numbered:
            text = _fill(part, lambda _name: placeholder)
            css = _part_css(part.index, placeholder)
            key = _digest("layout", run.env, _layout_key(text), css)
            layouts[part.index] = run.cache.get_layout("layout", key)
            if layouts[part.index] is None:
                jobs.append(
                    _Job(
                        "layout",
                        part.index,
                        key,
                        (text, css, *run.args, owned, False),
                        part.section,
                    )
                )
        else:
            css = _part_css(part.index, "")
            key = _digest("pdf", run.env, part.html, css)
            cached = run.cache.get_part(key)
            if cached is not None:
                pdfs[part.index], layouts[part.index] = cached
            else:
                finals.append(
                    _Job(
                        "render",
                        part.index,
                        key,
                        (part.html, css, *run.args, owned, True),
                        part.section,
                    )
                )
    finals.sort(key=lambda job: -len(job.args[0]))
    for (kind, index), (pdf, layout) in run.execute([*jobs, *finals]).items():
        if kind == "stamp":
            stamp = pdf
        else:
            layouts[index] = layout
            if kind == "render":
                pdfs[index] = pdf
    if run.stats.timed_out:
        raise PartsTimedOut(run.stats.timed_out, cast(float, run.time_limit))
    known = cast(list[Layout], layouts)
    for _ in range(3):
        run.stats.passes += 1
        _, total, where = _numbers(parts, known)
        jobs, seen = [], list(known)
        for part in parts:
            if not part.numbered:
                continue
            text = _fill(part, partial(_page_of, where))
            css = _part_css(part.index, str(total))
            key = _digest("pdf", run.env, text, css)
            cached = run.cache.get_part(key)
            if cached is not None:
                pdfs[part.index], seen[part.index] = cached
            else:
                owned = sorted(part.owned)
                jobs.append(
                    _Job(
                        "render", part.index, key, (text, css, *run.args, owned, True), part.section
                    )
                )
        for (_, index), (pdf, layout) in run.execute(jobs).items():
            pdfs[index], seen[index] = pdf, layout
        if run.stats.timed_out:
            raise PartsTimedOut(run.stats.timed_out, cast(float, run.time_limit))
        if seen == known:
            assert stamp is not None
            merged = merge_parts(cast(list[bytes], pdfs), parts, stamp=stamp)
            return merged, run.warnings, run.stats
        known = seen  # a number's width moved a line or a page: number again
    raise RenderError("page numbers did not settle after three passes")


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


# --- merging ---------------------------------------------------------------------------


def merge_parts(
    pdfs: Sequence[bytes], parts: Sequence[Part], *, stamp: bytes | None = None
) -> bytes:
    """One PDF from the parts: pages, outline, links and metadata; with `stamp`, every
    page after the front matter gets the draft label and its footer from it.

    pikepdf (qpdf, in C++) copies the pages and writes the file: pypdf took 10 times as
    long (39 s against 3.9 s for 600 pages of 210 parts, measured on a loaded machine)."""
    import pikepdf

    out = pikepdf.new()
    dests: list[tuple[str, Any]] = []
    items: list[Any] = []
    sources = [pikepdf.open(io.BytesIO(p)) for p in pdfs]
    for part, src in zip(parts, sources, strict=True):
        first = len(out.pages)
        where = {page.obj.objgen: first + n for n, page in enumerate(src.pages)}
        with warnings.catch_warnings():
            # pages.extend() does not carry named destinations: they are rebuilt below, from
            # each part's own anchors only (its stand-ins for other parts' must not come).
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            out.pages.extend(src.pages)

        def moved(dest: Any, where: dict[tuple[int, int], int] = where) -> Any:
            """An explicit destination in the part, pointing at the merged page."""
            if not isinstance(dest, pikepdf.Array) or len(dest) < 1:
                return None
            page = where.get(dest[0].objgen)
            return None if page is None else pikepdf.Array([out.pages[page].obj, *list(dest)[1:]])

        for name, dest in _named_destinations(src):
            if name in part.owned and (target := moved(dest)) is not None:
                dests.append((name, target))
        with src.open_outline() as outline:
            items += [_copy_item(item, moved) for item in outline.root]
    out.Root.Names = pikepdf.Dictionary(
        Dests=pikepdf.Dictionary(
            Names=pikepdf.Array(
                [
                    x
                    for name, dest in sorted(dests, key=lambda d: d[0])
                    for x in (pikepdf.String(name), dest)
                ]
            )
        )
    )
    with out.open_outline() as outline:
        outline.root.extend(items)
    if stamp is not None:
        stamper = _Stamper(stamp, out)
        total = len(out.pages)
        for number in range(len(sources[0].pages), total):
            stamper.apply(out.pages[number], number + 1, total)
    front = sources[0]
    for key, value in front.docinfo.items():
        out.docinfo[key] = value
    if "/Lang" in front.Root:
        out.Root.Lang = front.Root.Lang
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _named_destinations(pdf: Any) -> list[tuple[str, Any]]:
    """A PDF's named destinations (the /Dests name tree, flattened)."""
    import pikepdf

    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    return [(str(k), v) for k, v in pikepdf.NameTree(names.Dests).items()]


def _copy_item(item: Any, moved: Callable[[Any], Any]) -> Any:
    """An outline entry of a part, with its children, pointing at the merged pages."""
    import pikepdf

    copy = pikepdf.OutlineItem(
        item.title, moved(item.destination) if item.destination is not None else None
    )
    copy.is_closed = item.is_closed
    copy.children.extend(_copy_item(child, moved) for child in item.children)
    return copy
