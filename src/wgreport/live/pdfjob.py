"""The live preview's PDF, made in the background after each build: the chapters whose
content changed are laid out alone first (what the writer looks at: `render.pdf.alone`,
the chapter as the report prints it, through the parts cache), drawn as page images, and
then the whole preview PDF is laid out per chapter, every unchanged chapter taken from the
parts cache. One job at a time; a build that arrives while one runs waits, and only the
newest waiting build is laid out."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
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
#: The niceness of the background layout's processes (the rebuild keeps 0).
NICENESS = 10


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


def lay_out(
    built: Built,
    settings: Settings,
    files: LivePreviewFiles,
    before: dict[str, str],
    on_chapters: Callable[[PdfDone], None] | None = None,
) -> tuple[PdfDone, dict[str, str]]:
    """The changed chapters alone (with page images; told to `on_chapters` at once), then
    the whole preview PDF; and the chapters' digests, to compare the next build with."""
    from ..render.pdf.alone import chapter_alone
    from ..render.pdf.report import render_pdf_report

    assert built.ctx is not None and built.html is not None
    started = time.monotonic()
    ctx = built.ctx
    print_html = render_html(ctx, settings.templates_dir, for_print=True)
    ids = [c.id for c in ctx.chapters]
    digests = section_digests(print_html, ids)
    changed = changed_sections(before, digests)
    titles = {c.id: f"{c.number}. {c.title}" if c.number else c.title for c in ctx.chapters}
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
    chapter_seconds = time.monotonic() - started
    if chapters and on_chapters is not None:
        on_chapters(PdfDone(built.number, None, 0, tuple(chapters), tuple(changed),
                            chapter_seconds, chapter_seconds, complete=False))  # fmt: skip
    report = render_pdf_report(ctx, built.html, settings.templates_dir,
                               image_roots=built.image_roots, workers=settings.render_workers,
                               cache_dir=settings.cache_dir,
                               time_limit=settings.chapter_time_limit or None)  # fmt: skip
    write_atomic(files.report_pdf, report.pdf)
    done = PdfDone(built.number, files.report_pdf, report.pages, tuple(chapters), tuple(changed),
                   chapter_seconds, time.monotonic() - started)  # fmt: skip
    return done, digests


def lower_render_priority(niceness: int = NICENESS) -> None:
    """Start the server the render workers fork from (`render.pdf.schedule`), at a lower
    CPU priority: the workers inherit it, so that the background layout leaves the cores
    to the next save's rebuild, which the writer waits for."""
    from multiprocessing import forkserver

    from ..render.pdf.schedule import start_workers

    start_workers()
    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if isinstance(pid, int):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, pid, niceness)


class PdfWorker:
    """A thread that lays out the newest build handed to it, one at a time, and tells
    `on_done` what it made (or why it could not)."""

    def __init__(self, settings: Settings, files: LivePreviewFiles,
                 on_done: Callable[[PdfDone], None]) -> None:  # fmt: skip
        self.settings = settings
        self.files = files
        self.on_done = on_done
        self._digests: dict[str, str] = {}
        self._pending: Built | None = None
        self._wake = threading.Condition()
        self._stopping = False
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
        """Let the running job end (its worker processes are stopped) and the thread go."""
        with self._wake:
            self._stopping = True
            self._pending = None
            self._wake.notify()
        from ..render.pdf.schedule import stop_workers

        stop_workers()
        self._thread.join(timeout)

    def _chapters_done(self, done: PdfDone) -> None:
        if not self._stopping:
            self.on_done(done)

    def _loop(self) -> None:
        lower_render_priority()
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
                done, self._digests = lay_out(
                    built, self.settings, self.files, self._digests, self._chapters_done
                )
            except WgreportError as exc:
                done = PdfDone(built.number, None, 0, (), (), 0.0, 0.0, problem=str(exc))
            except BaseException as exc:  # Ctrl-C, a worker killed on stop, a full disk
                if self._stopping or not isinstance(exc, Exception):
                    return  # stopping: the job's end is not news
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
