"""The live preview's PDF, made in the background after each build, in a process of its
own at a lower CPU priority (so that it neither holds the rebuild's interpreter lock nor
takes the cores from it): the chapters whose content changed are laid out alone first
(what the writer looks at: `render.pdf.alone`, the chapter as the report prints it,
through the parts cache) and drawn as page images, then the whole preview PDF is laid out
per chapter, every unchanged chapter taken from the parts cache. One job at a time; a
build that arrives while one runs waits, and only the newest waiting build is laid out."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from ..errors import WgreportError
from ..layout import LivePreviewFiles
from ..render.html import render_html
from ..render.pdf.parts import split_parts
from ..runtime.settings import Settings
from .rebuild import LABEL, Built, write_atomic

#: The width, in pixels, of a page image.
PAGE_WIDTH = 900
#: At most this many changed chapters are drawn as page images (a template change changes
#: them all: the whole PDF then says more than images would).
MOST_CHAPTERS = 3
MARK = "PREVIEW"
#: The niceness of the background layout's processes, the lowest priority (the rebuild keeps 0).
NICENESS = 19


@dataclass(frozen=True)
class ChapterPages:
    """A changed chapter laid out alone: its id, title, PDF and page images."""

    id: str
    title: str
    pdf: Path
    images: tuple[Path, ...]


@dataclass(frozen=True)
class PdfDone:
    """What the background made of build `number`."""

    number: int
    pdf: Path | None
    pages: int
    chapters: tuple[ChapterPages, ...]
    changed: tuple[str, ...]  # the ids of the chapters whose content changed
    chapter_seconds: float  # from the job's start until the changed chapters' images
    seconds: float  # from the job's start until the whole PDF
    problem: str | None = None
    complete: bool = True  # False: the changed chapters' pages only, the whole PDF to come


def section_digests(print_html: str, chapters: Sequence[str]) -> dict[str, str]:
    """Each part of the print HTML (front matter "", then each chapter) by its digest: the
    part's HTML carries neither the draft label nor the time, so an unchanged chapter
    keeps its digest from one build to the next."""
    return {
        part.section: hashlib.sha256(part.html.encode("utf-8")).hexdigest()
        for part in split_parts(print_html, chapters)
    }


def changed_sections(before: dict[str, str], now: dict[str, str]) -> list[str]:
    """The chapters (not the front matter) whose content changed, in report order; none
    on the first build (nothing to compare with)."""
    if not before:
        return []
    return [s for s, digest in now.items() if s and before.get(s) != digest]


def page_images(pdf: Path, chapter: str, files: LivePreviewFiles) -> tuple[Path, ...]:
    """The chapter's PDF drawn as PNGs (pdftoppm, of poppler-utils); none without it."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return ()
    files.pages.mkdir(parents=True, exist_ok=True)
    for old in files.pages.glob(f"{chapter}-*.png"):
        old.unlink(missing_ok=True)
    prefix = files.pages / f".{chapter}"
    done = subprocess.run(
        [tool, "-png", "-scale-to-x", str(PAGE_WIDTH), "-scale-to-y", "-1", str(pdf), str(prefix)],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        return ()
    drawn = sorted(files.pages.glob(f".{chapter}-*.png"), key=lambda p: int(p.stem.rsplit("-")[-1]))
    images = []
    for number, path in enumerate(drawn, start=1):
        target = files.page_image(chapter, number)
        path.replace(target)
        images.append(target)
    return tuple(images)


@dataclass(frozen=True)
class _Job:
    """A job between its two calls, in the layout process."""

    built: Built
    print_html: str
    part: PdfDone
    started: float


#: The job whose changed chapters are drawn and whose whole PDF is to come (in the layout
#: process: a job's two calls run there one after the other).
_JOBS: dict[str, _Job] = {}


def _title(number: str, title: str) -> str:
    return title if not number or title.startswith(number) else f"{number}. {title}"


def changed_pages(
    built: Built, settings: Settings, files: LivePreviewFiles, before: dict[str, str]
) -> tuple[PdfDone, dict[str, str]]:
    """The first call of a job (in the layout process): the chapters whose content changed
    since `before` laid out alone, written with their page images; and the digests of this
    build's chapters, to compare the next build with."""
    from ..render.pdf.alone import chapter_alone

    assert built.ctx is not None and built.html is not None
    started = time.monotonic()
    ctx = built.ctx
    print_html = render_html(ctx, settings.templates_dir, for_print=True, lang=built.lang)
    ids = [c.id for c in ctx.chapters]
    digests = section_digests(print_html, ids)
    changed = changed_sections(before, digests)
    titles = {c.id: _title(c.number, c.title) for c in ctx.chapters}
    chapters = []
    for section in changed[:MOST_CHAPTERS]:
        alone = chapter_alone(print_html, settings.templates_dir, chapters=ids, section=section,
                              title=f"{LABEL}: {titles[section]}", mark=MARK,
                              image_roots=built.image_roots, cache_dir=settings.cache_dir,
                              time_limit=settings.chapter_time_limit or None)  # fmt: skip
        target = files.chapter_pdf(section)
        write_atomic(target, alone.pdf)
        chapters.append(ChapterPages(section, titles[section], target,
                                     page_images(target, section, files)))  # fmt: skip
    seconds = time.monotonic() - started
    part = PdfDone(built.number, None, 0, tuple(chapters), tuple(changed), seconds, seconds,
                   complete=False)  # fmt: skip
    _JOBS.clear()
    _JOBS["next"] = _Job(built, print_html, part, started)
    return part, digests


def whole_pdf(settings: Settings, files: LivePreviewFiles, number: int) -> PdfDone:
    """The second call of build `number`'s job (in the layout process): the whole preview
    PDF, laid out per chapter, every part unchanged taken from the parts cache."""
    from ..render.pdf.report import render_pdf_report

    job = _JOBS.pop("next")
    built = job.built
    assert built.number == number and built.ctx is not None and built.html is not None
    report = render_pdf_report(built.ctx, built.html, settings.templates_dir,
                               image_roots=built.image_roots, workers=settings.render_workers,
                               cache_dir=settings.cache_dir,
                               time_limit=settings.chapter_time_limit or None,
                               lang=built.lang)  # fmt: skip
    write_atomic(files.report_pdf, report.pdf)
    return dataclasses.replace(job.part, pdf=files.report_pdf, pages=report.pages, complete=True,
                               seconds=time.monotonic() - job.started)  # fmt: skip


def _layout_process_started() -> None:
    """The layout process (and the render workers it starts, which inherit it) runs at a
    lower CPU priority: the cores go first to the next save's rebuild, which the writer
    waits for. On SIGTERM (the preview stopping) it ends its job and exits cleanly."""
    import signal

    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    signal.signal(signal.SIGTERM, _end_job)


def _end_job(signum: int, frame: object) -> None:
    """Stop the running layout (its render workers killed) and end the job; the process
    then exits as its pool is shut down, its queues and semaphores released."""
    from ..render.pdf.workers import stop_workers

    stop_workers()
    raise SystemExit(0)


def layout_process() -> ProcessPoolExecutor:
    """The process the background layout runs in: its own, so that its work in Python (the
    print HTML, merging and marking the PDF) does not hold the rebuild's interpreter lock.
    Forked from the render's fork server (WeasyPrint already imported)."""
    import multiprocessing

    from ..render.pdf.workers import start_workers

    start_workers()
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=_layout_process_started)  # fmt: skip


def _ended(pid: int, timeout: float) -> bool:
    """Whether the process `pid` ended (and was reaped by its executor) within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        time.sleep(0.05)
    return False


class PdfWorker:
    """A thread that has the newest build handed to it laid out in the layout process, one
    at a time, and tells `on_done` what was made (the changed chapters' pages, then the
    whole PDF), or why it could not be."""

    def __init__(self, settings: Settings, files: LivePreviewFiles,
                 on_done: Callable[[PdfDone], None]) -> None:  # fmt: skip
        self.settings = settings
        self.files = files
        self.on_done = on_done
        self._digests: dict[str, str] = {}
        self._pending: Built | None = None
        self._wake = threading.Condition()
        self._stopping = False
        self._pool: ProcessPoolExecutor | None = None
        self._pid: int | None = None
        self.busy = False
        self._thread = threading.Thread(target=self._loop, name="live-preview-pdf", daemon=True)
        self._thread.start()

    def submit(self, built: Built) -> None:
        """Lay out `built` next (replacing a build waiting and not started)."""
        if built.ctx is None or built.html is None or built.failure:
            return
        with self._wake:
            self._pending = built
            self._wake.notify()

    def stop(self, timeout: float = 10.0) -> None:
        """End the running job (the layout process is killed; its render workers die with
        it) and the thread."""
        with self._wake:
            self._stopping = True
            self._pending = None
            self._wake.notify()
        pool, pid = self._pool, self._pid
        if pool is not None:
            if pid is not None:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGTERM)  # _end_job: the job ends, the process exits
            pool.shutdown(wait=False, cancel_futures=True)  # then it exits, its job ended
            if pid is not None and not _ended(pid, timeout):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            self._pool = self._pid = None
        self._thread.join(timeout)

    def _run(self, built: Built) -> PdfDone:
        if self._pool is None:
            self._pool = layout_process()
            # its pid, asked of it (the executor keeps its processes private), for stop()
            self._pid = self._pool.submit(os.getpid).result()
        part, self._digests = self._pool.submit(
            changed_pages, built, self.settings, self.files, self._digests
        ).result()
        if part.chapters and not self._stopping:
            self.on_done(part)
        return self._pool.submit(whole_pdf, self.settings, self.files, built.number).result()

    def _loop(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                built, self._pending = self._pending, None
                self.busy = True
            assert built is not None
            try:
                done = self._run(built)
            except WgreportError as exc:
                done = PdfDone(built.number, None, 0, (), (), 0.0, 0.0, problem=str(exc))
            except BaseException as exc:  # Ctrl-C, the process killed on stop, a full disk
                if self._stopping or not isinstance(exc, Exception):
                    return  # stopping: the job's end is not news
                if isinstance(exc, BrokenProcessPool):
                    self._pool = None  # a new layout process for the next job
                done = PdfDone(
                    built.number,
                    None,
                    0,
                    (),
                    (),
                    0.0,
                    0.0,
                    problem=f"the PDF could not be made: {type(exc).__name__}: {exc}",
                )
            finally:
                self.busy = False
            if not self._stopping:
                self.on_done(done)
