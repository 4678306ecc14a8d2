"""The live preview's web server (Starlette on uvicorn): `/` serves the report's page with
a small script and the problems panel put in; the script listens to `/_live/events`
(server-sent events: the page never polls) and, when a build is done, swaps the changed
sections into the page in place (`patch`), or reloads it when more than sections changed.

    /                        the report, with the panel (problems, the PDF, changed pages)
    /_live/events            server-sent events: `hello` and `build` (the build's number:
                             the page reloads), `patch` (the changed sections, see
                             live/patch.py), `pdf` (the background PDF is done)
    /_live/live.js           the page's script
    /_live/pdf               the panel's PDF part (fetched on a `pdf` event)
    /_live/status            the state as JSON (for scripts and benchmarks)
    /preview.pdf             the whole preview PDF
    /_live/chapters/ID.pdf   a changed chapter laid out alone
    /_live/pages/ID-N.png    its page N as an image
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from .. import i18n
from ..i18n import gettext, ngettext
from ..i18n import gettext as _
from ..locales import N_
from . import patch
from .pdfjob import PdfDone, PdfWorker
from .problems import esc, marked_english, place, problem_message, problems_html, say
from .rebuild import Built, LiveBuilder
from .watcher import saves

_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')
#: The report's own policy, with the preview's script and its events allowed (same origin).
CSP = (
    "default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'"
)
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")

SCRIPT = """\
(() => {
  const panel = () => document.getElementById("wg-live");
  let shown = panel().dataset.build;
  // where the reader was: the first element with an id at the top of the window, and how
  // far below the top it was (chapters off screen are not laid out: a scroll offset alone
  // would land elsewhere)
  const here = () => {
    for (const el of document.querySelectorAll("main [id]")) {
      const top = el.getBoundingClientRect().top;
      if (top >= 0) return [el.id, top];
    }
    return [null, 0];
  };
  const back = ([id, top]) => {
    const target = id && document.getElementById(id);
    if (target) { target.scrollIntoView(); window.scrollBy(0, -top); }
  };
  const place = sessionStorage.getItem("wg-live-place");
  if (place !== null) {
    sessionStorage.removeItem("wg-live-place");
    back(JSON.parse(place));
  }
  const events = new EventSource("/_live/events");
  events.onopen = () => { panel().dataset.connected = "yes"; };
  const reload = () => {
    sessionStorage.setItem("wg-live-place", JSON.stringify(here()));
    events.close();
    location.reload();
  };
  const check = (e) => { if (e.data !== shown) reload(); };
  // the build's time, outside the sections swapped in: the banner's text, the metadata
  const restamp = (from, to) => {
    if (!from || from === to) return;
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT
      | NodeFilter.SHOW_TEXT, { acceptNode: (n) => n.nodeType === Node.TEXT_NODE
        ? NodeFilter.FILTER_ACCEPT
        : (n.id === "wg-live" || (n.tagName === "SECTION" && n.id)
          ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_SKIP) });
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (n.nodeValue.includes(from)) n.nodeValue = n.nodeValue.split(from).join(to);
    }
    for (const meta of document.querySelectorAll("meta[content]")) {
      if (meta.content === from) meta.content = to;
    }
  };
  // only the changed sections, swapped in place; the whole page again when this page is
  // not the build the change is from, or a section is not where it was
  const patch = (e) => {
    const news = JSON.parse(e.data);
    if (String(news.build) === shown) return;
    if (String(news.from) !== shown) return reload();
    const targets = Object.keys(news.sections).map((id) => [id, document.getElementById(id)]);
    if (targets.some(([, el]) => !el || el.tagName !== "SECTION")) return reload();
    const where = here();
    for (const [id, el] of targets) el.outerHTML = news.sections[id];
    restamp(news.stamp[0], news.stamp[1]);
    const connected = panel().dataset.connected;
    panel().outerHTML = news.panel;
    panel().dataset.connected = connected;
    shown = String(news.build);
    back(where);
  };
  events.addEventListener("hello", check);
  events.addEventListener("build", check);
  events.addEventListener("patch", patch);
  events.addEventListener("pdf", async () => {
    const answer = await fetch("/_live/pdf");
    if (answer.ok) panel().querySelector(".wg-live-pdf").outerHTML = await answer.text();
  });
})();
"""

STYLE = """<style>
main section.chapter{content-visibility:auto;contain-intrinsic-size:auto 3000px}
#wg-live{font:14px/1.4 system-ui,sans-serif;color:#111}
#wg-live .wg-live-bar{position:fixed;right:8px;bottom:8px;z-index:9999;max-width:34em;
 background:#fff;border:1px solid #666;border-radius:4px;padding:6px 10px;
 box-shadow:0 1px 4px rgba(0,0,0,.3)}
#wg-live .wg-live-problems{position:fixed;top:0;left:0;right:0;z-index:10000;max-height:60vh;
 overflow:auto;background:#fff4f4;border-bottom:3px solid #b00020;padding:10px 16px}
#wg-live .wg-live-problems h2{font-size:16px;margin:0 0 6px;color:#b00020}
#wg-live .wg-live-problems li{margin:0 0 6px}
#wg-live code{font-size:13px}
#wg-live .wg-live-hint{color:#333}
#wg-live img{max-width:100%;border:1px solid #ccc;margin:4px 0}
</style>"""


@dataclass(frozen=True)
class Shown:
    """The report the open pages show: its build, its HTML, the build's time in it, and
    the HTML cut into sections (None: only ever reloaded whole)."""

    number: int
    html: str | None
    stamp: str
    cut: patch.Cut | None


def shown(built: Built, before: Shown | None) -> Shown:
    """What the pages show once they have `built`: a failed build shows the last good
    report (the same HTML, with its own build's time)."""
    if built.failure is not None or built.html is None:
        same = before is not None and built.html is not None and built.html is before.html
        return Shown(built.number, built.html, before.stamp if same and before else "",
                     before.cut if same and before else None)  # fmt: skip
    return Shown(built.number, built.html, built.made_at, patch.cut(built.html))


class LiveSession:
    """The preview's state: the newest build, the newest PDF, the open event streams."""

    def __init__(self, builder: LiveBuilder, *, pdf: bool = True,
                 say: Callable[[str], None] = print) -> None:  # fmt: skip
        self.builder = builder
        self.say = say
        self.built: Built | None = None
        self.pdf: PdfDone | None = None  # the newest news of the background PDF
        self.whole: PdfDone | None = None  # the newest whole PDF made
        self.pdf_enabled = pdf
        self.pdf_wanted = 0  # the newest build handed to the PDF worker
        self._streams: set[asyncio.Queue[str | None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._worker: PdfWorker | None = None
        self._watching: asyncio.Task[None] | None = None
        self._shown: Shown | None = None
        self.saves = 0

    @property
    def lang(self) -> str:
        """The preview's language (`wgreport preview --lang`): the report's, and the
        panel's and pages' own words (issue 42)."""
        return self.builder.lang

    # --- building -----------------------------------------------------------------------

    def first_build(self) -> Built:
        """The build before the server listens."""
        self.built = self.builder.build()
        self._shown = shown(self.built, None)
        return self.built

    async def start(self) -> None:
        """Start the PDF worker and the watcher (in the server's event loop)."""
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self.pdf_enabled:
            self._worker = PdfWorker(self.builder.settings, self.builder.files, self._pdf_done)
            if self.built is not None:
                self._ask_pdf(self.built)
        self._watching = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        """End the event streams, the watcher and the background PDF."""
        self.close_streams()
        if self._stop is not None:
            self._stop.set()
        if self._watching is not None:
            self._watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watching
        if self._worker is not None:
            await asyncio.to_thread(self._worker.stop)

    async def _watch(self) -> None:
        assert self._stop is not None
        async for changed in saves(self.builder.watched(), self.builder.concerns, self._stop):
            await self.rebuild(changed)

    async def rebuild(self, changed: list[Path]) -> Built:
        """Build again after `changed` were saved, then tell the open pages."""
        self.saves += 1
        built = await asyncio.to_thread(self.builder.build, changed)
        self.built = built
        self.say(describe_build(built))
        self.broadcast(*await asyncio.to_thread(self.news, built))
        self._ask_pdf(built)
        return built

    def news(self, built: Built) -> tuple[str, str]:
        """The event that brings the open pages to `built`: `patch` (JSON: the build they
        must show for it, the sections that changed, the build's time before and now, the
        panel) when only sections changed, else `build` (its number: the page reloads)."""
        before, now = self._shown, shown(built, self._shown)
        self._shown = now
        if before is None or before.cut is None or now.cut is None:
            return "build", str(built.number)
        swapped = patch.changed(before.cut, now.cut, before.stamp, now.stamp)
        if swapped is None:
            return "build", str(built.number)
        news = {"from": before.number, "build": built.number, "stamp": [before.stamp, now.stamp],
                "sections": swapped, "panel": self.panel_box()}  # fmt: skip
        return "patch", json.dumps(news, ensure_ascii=False)

    def _ask_pdf(self, built: Built) -> None:
        if self._worker is not None and built.failure is None and built.ctx is not None:
            self.pdf_wanted = built.number
            self._worker.submit(built)

    def _pdf_done(self, done: PdfDone) -> None:  # in the worker's thread
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._after_pdf, done)

    def _after_pdf(self, done: PdfDone) -> None:
        self.pdf = done
        if done.complete and done.pdf is not None:
            self.whole = done
        self.say(describe_pdf(done))
        self.broadcast("pdf", str(done.number))

    # --- the event streams ------------------------------------------------------------

    def broadcast(self, event: str, data: str) -> None:
        for queue in list(self._streams):
            queue.put_nowait(f"event: {event}\ndata: {data}\n\n")

    def close_streams(self) -> None:
        """End every open event stream (on shutdown: uvicorn then closes at once)."""
        for queue in list(self._streams):
            queue.put_nowait(None)

    async def stream(self) -> AsyncIterator[str]:
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._streams.add(queue)
        try:
            number = self.built.number if self.built else 0
            yield f"retry: 1000\nevent: hello\ndata: {number}\n\n"
            while True:
                message = await queue.get()
                if message is None:
                    return
                yield message
        finally:
            self._streams.discard(queue)

    # --- the page -----------------------------------------------------------------------

    def pdf_html(self) -> str:
        """The panel's PDF part: the link to the preview PDF and the changed chapters'
        pages, or what the background is doing (in the preview's language)."""
        with i18n.language(self.lang):
            return self._pdf_html()

    def _pdf_html(self) -> str:
        done = self.pdf
        parts = []
        if not self.pdf_enabled:
            parts.append(say(_("PDF: not made (--no-pdf).")))
        elif done is None or done.number < self.pdf_wanted or not done.complete:
            earlier = self.whole
            parts.append(
                say(_("PDF: being laid out…"))
                + (" (" + say(_('%(link)sthe PDF of build %(build)s%(end)s'),
                               link='<a href="/preview.pdf">', build=earlier.number, end="</a>")
                   + ")" if earlier is not None else "")
            )  # fmt: skip
        if done is not None and done.problem:
            parts.append(say(_("PDF: %(problem)s"), problem=marked_english(done.problem)))
        elif done is not None:
            if done.complete:
                parts.append(
                    say(_("%(link)sThe preview PDF%(end)s (%(pages)s pages, build %(build)s, "
                         "%(seconds)s s)"), link='<a href="/preview.pdf">', end="</a>",
                         pages=done.pages, build=done.number, seconds=f"{done.seconds:.1f}")
                )  # fmt: skip
            for chapter in done.chapters:
                images = "".join(
                    f'<a href="/_live/pages/{p.name}"><img alt="'
                    + say(_("%(title)s, page %(number)s"), title=esc(chapter.title), number=n)
                    + f'" src="/_live/pages/{p.name}" loading="lazy"></a>'
                    for n, p in enumerate(chapter.images, start=1)
                )
                pdf = f'<a href="/_live/chapters/{chapter.pdf.name}">PDF</a>'
                pages = esc(ngettext("%(count)s pages", "%(count)s pages", len(chapter.images))) % {
                    "count": len(chapter.images)
                }
                parts.append(
                    '<details class="wg-live-chapter"><summary>'
                    + say(_("Changed: %(title)s (%(pdf)s, %(pages)s)"), title=esc(chapter.title),
                           pdf=pdf, pages=pages)
                    + f"</summary>{images}</details>"
                )  # fmt: skip
        return f'<div class="wg-live-pdf">{"<br>".join(parts)}</div>'

    def panel(self) -> str:
        return self.panel_box() + '<script src="/_live/live.js"></script>'

    def panel_box(self) -> str:
        """The panel (problems, the build, the PDF), without the page's script, in the
        preview's language."""
        with i18n.language(self.lang):
            return self._panel_box()

    def _panel_box(self) -> str:
        built = self.built
        assert built is not None
        warnings = [p for p in built.problems if p.severity == "warning"]
        listed = "".join(f"<li>{place(p)}: {problem_message(p)}</li>" for p in warnings)
        count = esc(ngettext("%(count)s warning(s)", "%(count)s warning(s)", len(warnings))) % {
            "count": len(warnings)
        }
        warned = (
            f"<details><summary>{count}</summary><ul>{listed}</ul></details>"
            if warnings and not built.errors
            else ""
        )
        live = say(_("Live preview"))
        bar = say(
            _("Live preview, build %(build)s (%(made_at)s, %(seconds)s s)"),
            build=built.number,
            made_at=built.made_at,
            seconds=f"{built.seconds:.1f}",
        )
        return (
            f'<div id="wg-live" data-build="{built.number}">{STYLE}{problems_html(built)}'
            f'<aside class="wg-live-bar" aria-label="{live}">{bar}'
            f"{warned}{self._pdf_html()}</aside></div>"
        )

    def page(self) -> str:
        built = self.built
        assert built is not None
        with i18n.language(self.lang):
            live, none = say(_("Live preview")), say(_("No report yet"))
            why = say(_("The report could not be made from the inputs: see the problems above."))
            report = built.html or (
                f'<!doctype html><html lang="{self.lang}"><head><meta charset="utf-8"><title>'
                f"{live}</title></head><body><main><h1>{none}"
                f"</h1><p>{why}</p></main></body></html>"
            )  # fmt: skip
        report = _CSP.sub(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">', report)
        end = report.rfind("</body>")
        if end < 0:
            return report + self.panel()
        return report[:end] + self.panel() + report[end:]

    def status(self) -> dict[str, Any]:
        built, done = self.built, self.pdf
        return {
            "build": built.number if built else 0,
            "errors": built.errors if built else 0,
            "failure": built.failure if built else None,
            "problems": [p.__dict__ for p in built.problems] if built else [],
            "seconds": round(built.seconds, 3) if built else None,
            "pdf": None if done is None else {
                "build": done.number, "pages": done.pages, "problem": done.problem,
                "complete": done.complete,
                "changed": list(done.changed), "chapter_seconds": round(done.chapter_seconds, 3),
                "seconds": round(done.seconds, 3),
                "images": {c.id: [p.name for p in c.images] for c in done.chapters},
            },
        }  # fmt: skip


def describe_build(built: Built) -> str:
    """One line for the terminal."""
    saved = f"saved {', '.join(built.changed)}: " if built.changed else ""
    if built.failure:
        return f"{saved}build {built.number} failed: {built.failure}"
    counts = f"{built.errors} error(s), {built.warnings} warning(s)"
    line = (
        f"{saved}build {built.number} in {built.seconds:.1f} s ({built.members} members, {counts})"
    )
    first_error = next((p for p in built.problems if p.severity == "error"), None)
    if first_error is not None:
        line += f"\n    {first_error.where}: {first_error.message}"
    return line


def describe_pdf(done: PdfDone) -> str:
    if done.problem:
        return f"  PDF of build {done.number}: {done.problem}"
    if not done.complete:
        pages = ", ".join(f"{c.title} ({len(c.images)} pages)" for c in done.chapters)
        return f"  changed pages of build {done.number} in {done.chapter_seconds:.1f} s: {pages}"
    changed = f"; laid out again: {', '.join(done.changed)}" if done.changed else ""
    return f"  PDF of build {done.number}: {done.pages} pages in {done.seconds:.1f} s{changed}"


def make_app(session: LiveSession) -> Starlette:
    files = session.builder.files

    async def page(request: Request) -> Response:
        return HTMLResponse(session.page(), headers={"Cache-Control": "no-store"})

    async def events(request: Request) -> Response:
        return StreamingResponse(session.stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})  # fmt: skip

    async def script(request: Request) -> Response:
        return Response(SCRIPT, media_type="text/javascript")

    async def pdf_part(request: Request) -> Response:
        return HTMLResponse(session.pdf_html(), headers={"Cache-Control": "no-store"})

    async def status(request: Request) -> Response:
        return JSONResponse(session.status())

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204)  # the browser asks; the report has none

    def _text(message: str) -> str:
        with i18n.language(session.lang):
            return gettext(message)

    def _file(path: Path, media_type: str) -> Response:
        if not path.is_file():
            return PlainTextResponse(
                _text(N_("Not made yet: the PDF is laid out after each build.")), 404
            )
        return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-store"})

    async def report_pdf(request: Request) -> Response:
        return _file(files.report_pdf, "application/pdf")

    async def chapter_pdf(request: Request) -> Response:
        name = request.path_params["name"]
        if not _NAME.fullmatch(name):
            return PlainTextResponse(_text(N_("No such chapter.")), 404)
        return _file(files.chapter_pdf(name), "application/pdf")

    async def page_png(request: Request) -> Response:
        name, number = request.path_params["name"], request.path_params["number"]
        if not _NAME.fullmatch(name):
            return PlainTextResponse(_text(N_("No such page.")), 404)
        return _file(files.page_image(name, number), "image/png")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await session.start()
        try:
            yield
        finally:
            await session.stop()

    routes = [
        Route("/", page),
        Route("/_live/events", events),
        Route("/_live/live.js", script),
        Route("/_live/pdf", pdf_part),
        Route("/_live/status", status),
        Route("/favicon.ico", no_icon),
        Route("/preview.pdf", report_pdf),
        Route("/_live/chapters/{name}.pdf", chapter_pdf),
        Route("/_live/pages/{name}-{number:int}.png", page_png),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def serve(session: LiveSession, host: str, port: int,
          on_ready: Callable[[], None] | None = None) -> None:  # fmt: skip
    """Serve until Ctrl-C: the event streams are ended first, so that uvicorn's shutdown
    does not wait for the open pages; then the watcher and the background PDF end."""
    import uvicorn

    class _Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            loop = session._loop
            if loop is not None:
                loop.call_soon_threadsafe(session.close_streams)
            super().handle_exit(sig, frame)

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if on_ready is not None and self.started:
                on_ready()

    config = uvicorn.Config(
        make_app(session),
        host=host,
        port=port,
        log_level="warning",
        server_header=False,
        timeout_graceful_shutdown=3,
        lifespan="on",
    )
    _Server(config).run()
