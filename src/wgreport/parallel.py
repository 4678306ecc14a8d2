"""Per-chapter PDF rendering: chapters laid out as separate documents, in parallel, and
merged into one PDF that reads exactly like a single-pass render.

WeasyPrint lays out one document on one core. The report's chapters each start on a new
page (`.chapter { break-before: page }`), so the print HTML splits cleanly into parts: the
front matter (cover and contents) and one part per chapter and annex. What ties the parts
together is handled here:

- **Page numbers.** A page-count pre-pass lays out each part (in parallel) and records its
  pages and the page of each anchor. Each part is then rendered with `@page:first {
  counter-reset: page N }`, "Page X of Y" with the real total, and the contents' and
  cross-references' page numbers written in (`data-page`) instead of `target-counter()`.
  The pre-pass uses placeholders of the final width; if a part's length still changes in
  the second pass, the numbers are recomputed and the affected parts rendered again.
- **Links.** Links to an anchor in another part get an invisible stand-in anchor in their
  own part, so WeasyPrint keeps them; after merging, the named destinations are rebuilt
  from each part's own anchors only, so every link lands on the real target.
- **Outline and metadata.** pypdf imports each part's bookmarks in order (levels are
  kept), and the metadata comes from the parts, which share the same `<head>`.
- **Caching.** Both the pre-pass result and each part's PDF are cached by the sha256 of
  what they are made from (the part's HTML, the numbers written into it, the style sheets
  and the image folders' files): after a one-member change, only that member's chapter,
  the chapters whose content changed, and the parts whose page numbers moved are laid out.
- **Memory.** Each part is laid out in a worker process and only its PDF bytes come
  back, so no process holds more than one chapter's layout at a time.

Finals (tagged PDF/UA-1) are rendered in one pass: pypdf cannot merge structure trees.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html as htmllib
import io
import json
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from .render import PAGED_CSS, RenderError, check_fonts, layout_pdf

_CHAPTER = re.compile(r'<section class="chapter[ "]')
_ID = re.compile(r'\sid="([^"]+)"')
_HREF = re.compile(r'<a\s([^>]*?)href="#([^"]+)"')
_COVER_TITLE = re.compile(r'class="cover-title"[^>]*>(.*?)</', re.S)
_TAGS = re.compile(r"<[^>]+>")
_CLOSE = "</main>\n</div>\n</body>\n</html>\n"


@dataclass(frozen=True)
class Part:
    """One separately laid-out document: the front matter, a chapter or an annex."""

    index: int
    html: str  # without page numbers: `data-page` placeholders are filled in per pass
    owned: frozenset[str]  # the anchor ids defined in this part
    foreign: tuple[str, ...]  # ids this part links to that live in another part


@dataclass
class Layout:
    """What the pre-pass learns of a part: its pages, and the page of each anchor."""

    pages: int
    anchors: dict[str, int]


@dataclass
class RenderStats:
    """How much work a render did (for the benchmarks and the incremental-build test)."""

    parts: int = 0
    laid_out: int = 0  # pre-pass layouts run (cache misses)
    rendered: int = 0  # part PDFs rendered (cache misses)
    passes: int = 0
    workers: int = 0
    rendered_parts: list[int] = field(default_factory=list)


def count_parts(html: str) -> int:
    """How many parts `split_parts` makes of the print HTML (front matter + chapters)."""
    return len(_CHAPTER.findall(html)) + 1


def split_parts(html: str) -> list[Part]:
    """Cut the print HTML into the front matter and one part per chapter or annex."""
    starts = [m.start() for m in _CHAPTER.finditer(html)]
    end = html.find("</main>")
    body = html.find("<body")
    cover = html.find('class="cover', body)
    if not starts or end < 0 or body < 0 or cover < 0:
        raise RenderError("the print HTML does not have the expected chapters")
    body_open = html.index(">", body) + 1
    cover_open = html.rindex("<", body_open, cover)
    head, prelude = html[:body_open], html[body_open:cover_open]
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
        if index == 0:
            doc = chunk + standins + _CLOSE
        else:
            opening = chunk.index(">") + 1
            style = f'<style>:root {{ string-set: title "{_css_string(title_text)}"; }}</style>'
            doc = head.replace("</head>", style + "</head>") if "</head>" in head else head
            doc += prelude + '<div class="layout">\n<main id="main">\n'
            doc += chunk[:opening] + standins + chunk[opening:] + _CLOSE
        parts.append(Part(index, _number_links(doc), owned, foreign))
    return parts


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


_NUMBER = "\x00PAGE:"


def _number_links(doc: str) -> str:
    """Give every in-document link a `data-page` slot, filled in per pass."""
    return _HREF.sub(lambda m: f'<a {m.group(1)}data-page="{_NUMBER}{m.group(2)}\x00" '
                     f'href="#{m.group(2)}"', doc)  # fmt: skip


_SLOT = re.compile("\x00PAGE:([^\x00]*)\x00")
# The draft label and build time change with every draft but move nothing: the label is
# position: fixed (on the cover, one short line), the time is metadata; and the render that
# follows checks the pre-pass anyway. A part's layout is cached without them, so a new
# draft of unchanged inputs needs no pre-pass.
_LABELS = re.compile(
    r'<p class="(?:cover-draft|draft-info)">[^<]*</p>'
    r'|<meta name="dcterms\.created" content="[^"]*">'
)


def _layout_key(html: str) -> str:
    return _LABELS.sub("", html)


def _fill(part: Part, pages: Callable[[str], str]) -> str:
    return _SLOT.sub(lambda m: pages(m.group(1)), part.html)


def _part_css(index: int, first_page: int, total: str) -> str:
    css = (
        ".toc a::after { content: leader('.') attr(data-page); }\n"
        'a.xref::after { content: ", page " attr(data-page); }\n'
        f'@page {{ @bottom-right {{ content: "Page " counter(page) " of {total}"; }} }}\n'
    )
    if index > 0:
        css += f"@page :first {{ counter-reset: page {first_page}; }}\n"
    return css


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
    """Pre-pass layouts and part PDFs on disk, keyed by the sha256 of their inputs."""

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


# --- the driver ------------------------------------------------------------------------


@dataclass
class _Run:
    """What one parallel render's passes share."""

    pool: Executor
    cache: PartCache
    env: str  # environment_digest: part of every cache key
    args: tuple[str, list[str]]  # templates folder and image folders, for the workers
    stats: RenderStats
    warnings: list[str] = field(default_factory=list)


def _executor(workers: int) -> Executor:
    import multiprocessing

    # forkserver: workers start clean (no inherited threads or locks from Prefect).
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))


def render_parallel(
    html: str,
    templates_dir: Path,
    *,
    image_roots: Sequence[Path] = (),
    workers: int | None = None,
    cache_dir: Path | None = None,
    executor: Executor | None = None,
) -> tuple[bytes, list[str], RenderStats]:
    """The PDF of the print HTML, laid out per part in parallel; the same as one pass."""
    check_fonts(templates_dir)
    parts = split_parts(html)
    stats = RenderStats(parts=len(parts), workers=workers or os.cpu_count() or 1)
    own = executor is None
    run = _Run(
        pool=executor or _executor(stats.workers),
        cache=PartCache(cache_dir),
        env=environment_digest(templates_dir, image_roots),
        args=(str(templates_dir), [str(r) for r in image_roots]),
        stats=stats,
    )
    try:
        layouts = _prepass(parts, run)
        for _ in range(3):
            stats.passes += 1
            pdfs, seen = _render_parts(parts, layouts, run)
            if seen == layouts:
                return merge_parts(pdfs, parts), run.warnings, stats
            layouts = seen  # a number's width moved a line or a page: number again
        raise RenderError("page numbers did not settle after three passes")
    finally:
        if own:
            run.pool.shutdown()


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


def _prepass(parts: Sequence[Part], run: _Run) -> list[Layout]:
    width = len(str(max(len(parts) * 3, 10)))
    placeholder = "8" * width
    out: list[Layout | None] = [None] * len(parts)
    jobs = {}
    for part in parts:
        html = _fill(part, lambda _name: placeholder)
        css = _part_css(part.index, 1, placeholder)
        key = _digest("layout", run.env, _layout_key(html), css)
        cached = run.cache.get("layout", key)
        if cached is not None:
            data = json.loads(cached)
            out[part.index] = Layout(data["pages"], data["anchors"])
        else:
            future = run.pool.submit(_part_job, html, css, *run.args, sorted(part.owned), False)
            jobs[part.index] = (key, future)
    for index, (key, future) in jobs.items():
        _, layout, warns = future.result()
        run.warnings += warns
        run.stats.laid_out += 1
        out[index] = layout
        run.cache.put("layout", key, json.dumps(dataclasses.asdict(layout)).encode())
    return [o for o in out if o is not None]


def _render_parts(
    parts: Sequence[Part], layouts: Sequence[Layout], run: _Run
) -> tuple[list[bytes], list[Layout]]:
    firsts, total, where = _numbers(parts, layouts)
    pdfs: list[bytes | None] = [None] * len(parts)
    seen = list(layouts)
    jobs = {}
    for part in parts:
        html = _fill(part, lambda name: str(where.get(name, "")))
        css = _part_css(part.index, firsts[part.index], str(total))
        key = _digest("pdf", run.env, html, css)
        cached = run.cache.get("pdf", key)
        if cached is not None:
            pdfs[part.index] = cached
        else:
            future = run.pool.submit(_part_job, html, css, *run.args, sorted(part.owned), True)
            jobs[part.index] = (key, future)
    for index, (key, future) in jobs.items():
        pdf, layout, warns = future.result()
        assert pdf is not None
        run.warnings += warns
        run.stats.rendered += 1
        run.stats.rendered_parts.append(index)
        pdfs[index], seen[index] = pdf, layout
        if layout == layouts[index]:
            run.cache.put("pdf", key, pdf)
    return [p for p in pdfs if p is not None], seen


# --- merging ---------------------------------------------------------------------------


def merge_parts(pdfs: Sequence[bytes], parts: Sequence[Part]) -> bytes:
    """One PDF from the parts: pages, outline, links and metadata."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(p)) for p in pdfs]
    dests: list[tuple[str, int, list[Any]]] = []
    offset = 0
    for part, reader in zip(parts, readers, strict=True):
        writer.append(reader, import_outline=True)
        for name, dest in reader.named_destinations.items():
            page = reader.get_destination_page_number(dest)
            if name in part.owned and page is not None:
                where = [NameObject(dest.typ)]
                if dest.typ == "/XYZ":
                    where += [_number(dest.left), _number(dest.top), _number(dest.zoom)]
                dests.append((name, offset + page, where))
        offset += len(reader.pages)
    flat = ArrayObject()
    for name, page, where in sorted(dests, key=lambda d: d[0]):
        flat.append(TextStringObject(name))
        flat.append(ArrayObject([writer.pages[page].indirect_reference, *where]))
    root = writer._root_object
    root[NameObject("/Names")] = DictionaryObject(
        {NameObject("/Dests"): DictionaryObject({NameObject("/Names"): flat})}
    )
    if readers[0].metadata:
        writer.add_metadata(dict(readers[0].metadata))
    lang = cast(DictionaryObject, readers[0].trailer["/Root"]).get("/Lang")
    if lang is not None:
        root[NameObject("/Lang")] = TextStringObject(str(lang))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _number(value: Any) -> Any:
    from pypdf.generic import FloatObject, NullObject

    return NullObject() if value is None else FloatObject(float(value))
