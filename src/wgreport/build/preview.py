"""A member's chapter laid out alone, as it will print: the preview the portal offers a
member after each accepted upload (issue 38).

The chapter is cut from the report as the next draft would render it from the edition's
current inputs: every contribution validated, the edition aggregated (the group's medians
and ranks in the member's table are the report's), the context and the print HTML made,
and the member's chapter laid out as the parallel render lays out its part
(`render.pdf.alone`), so its number and its figures' and tables' numbers are the report's.
Every page carries the label "Preview", the time it was made and "Page X of Y" of the
chapter (a chapter alone cannot know the report's page numbers), and a diagonal PREVIEW.

What the chapter does not show is skipped: the charts (they are in other chapters; drawing
a large group's takes tens of seconds), the review comments, the other members' images and
their contributions to the previous edition.
A test holds the chapter's HTML to the one the whole report's print HTML has.

    python -m wgreport.build.preview  < request.json  > result.json

runs it in a child process of the portal, bounded in memory (`bound_memory`), writing the
PDF where the request says; the portal bounds its time.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..content.reportmodel import BuildInfo, Chapter
from ..errors import InputsError, WgreportError
from ..inputs.edition import (
    LoadedEdition,
    assemble_edition,
    check_contribution,
    edition_context,
    load_edition_setup,
    previous_year,
)
from ..inputs.models import Contribution
from ..render.html import render_html
from ..render.pdf.alone import chapter_alone
from ..render.pdf.report import start_render_workers
from ..runtime.clock import build_time
from . import pipeline

#: The label every page carries, and the mark across it.
LABEL = "Preview"
MARK = "PREVIEW"
_MEMORY_EXIT = 3


@dataclass(frozen=True)
class ChapterPreview:
    """Member `code`'s chapter alone: its number and title as the report prints them
    (`12`, `12. Republic of Korea`), its PDF and pages, and WeasyPrint's warnings."""

    code: str
    number: str
    title: str
    pdf: bytes
    pages: int
    made_at: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChapterSource:
    """What a member's chapter is laid out from: the report's print HTML as the next draft
    would have it (but for the charts, the comments and the other members' images), its
    chapters' ids in order, the member's chapter, the report's title and its image folders."""

    html: str
    chapters: list[str]
    chapter: Chapter
    report_title: str
    image_roots: list[Path]
    made_at: str


def chapter_source(inputs_dir: Path, year: int, code: str, templates_dir: Path) -> ChapterSource:
    """The print HTML member `code`'s chapter is cut from, from the current inputs. Raises
    InputsError, in words, when the member has no chapter (its contribution is missing or
    not valid)."""
    loaded = _validated(inputs_dir, year)
    if code not in loaded.contributions:
        member = loaded.working_group.member(code)
        raise InputsError(
            f"{member.name if member else code} has no chapter in the {year} edition: "
            "its contribution is missing or not valid. Upload a valid contribution."
        )
    own = dataclasses.replace(loaded, contributions={code: loaded.contributions[code]})
    before_year, previous = _own_previous(loaded, code)
    read = pipeline.EditionRead(
        before_year, previous, pipeline.read_foreword(loaded), pipeline.image_data_urls(own)
    )
    _, frames = pipeline.compute_frames(loaded, read)
    made_at = build_time().isoformat().replace("+00:00", "Z")
    build = BuildInfo(draft=LABEL, built_at=made_at, version=__version__)
    ctx = pipeline.make_context(loaded, build, frames, [], before_year, read)
    chapter = next(c for c in ctx.chapters if c.id == f"member-{code.lower()}")
    return ChapterSource(
        render_html(ctx, templates_dir, for_print=True),
        [c.id for c in ctx.chapters],
        chapter,
        ctx.title,
        pipeline.image_folders(loaded),
        made_at,
    )


def _validated(inputs_dir: Path, year: int, only: str | None = None) -> LoadedEdition:
    """The edition's contributions validated (only member `only`'s, when given)."""
    setup = load_edition_setup(inputs_dir, year)
    checked = edition_context(setup.files, setup.working_group, setup.edition)
    paths = [p for p in setup.files.contributions if only is None or p.stem.upper() == only]
    results = [check_contribution(setup.files, checked, p) for p in paths]
    return assemble_edition(setup.files, setup.working_group, setup.edition, setup.reports,
                            results)  # fmt: skip


def _own_previous(loaded: LoadedEdition, code: str) -> tuple[int | None, dict[str, Contribution]]:
    """The previous edition's year and the member's valid contribution to it, as
    `pipeline.load_previous` gives them for every member: a member's chapter shows only its
    own values of the previous edition (and validating the others' takes a second at 193)."""
    year = previous_year(loaded)
    if year is None:
        return None, {}
    try:
        before = _validated(loaded.files.inputs_dir, year, only=code)
    except InputsError:
        return None, {}
    return year, {c: v for c, v in before.contributions.items() if c == code}


def preview_chapter(
    inputs_dir: Path,
    year: int,
    code: str,
    templates_dir: Path,
    *,
    cache_dir: Path | None = None,
    time_limit: float | None = None,
) -> ChapterPreview:
    """Member `code`'s chapter of the `year` edition, laid out alone from the current
    inputs. Raises InputsError, in words, when the member has no chapter (its contribution
    is missing or not valid), and RenderError when the chapter cannot be laid out (a
    member's chapter over `time_limit` seconds: PartsTimedOut)."""
    start_render_workers(None)  # the workers' WeasyPrint import overlaps what follows
    source = chapter_source(inputs_dir, year, code, templates_dir)
    chapter = source.chapter
    laid_out = chapter_alone(
        source.html,
        templates_dir,
        chapters=source.chapters,
        section=chapter.id,
        title=f"{LABEL}: {chapter.title} ({source.report_title})",
        mark=MARK,
        image_roots=source.image_roots,
        cache_dir=cache_dir,
        time_limit=time_limit,
    )
    return ChapterPreview(code, chapter.number, chapter.title, laid_out.pdf, laid_out.pages,
                          source.made_at, laid_out.warnings)  # fmt: skip


# --- in a child process of the portal ---------------------------------------------------


def bound_memory(memory_bytes: int) -> None:
    """Let the preview use `memory_bytes` of address space beyond what the process holds
    once its modules are imported (its render workers, started after, inherit the limit)."""
    from ..runtime.bounds import limit_address_space

    limit_address_space(memory_bytes)


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Make the preview the request asks for and write its PDF to `request["out"]` (a
    file of its own: the portal takes it once this process has ended well); what to record
    of it (`ok` false: why not, in words)."""
    started = time.monotonic()
    try:
        made = preview_chapter(
            Path(request["inputs"]),
            int(request["year"]),
            str(request["code"]),
            Path(request["templates"]),
            cache_dir=Path(request["cache"]) if request.get("cache") else None,
            time_limit=float(request["time_limit"]) if request.get("time_limit") else None,
        )
    except WgreportError as exc:
        return {"ok": False, "reason": str(exc)}
    Path(request["out"]).write_bytes(made.pdf)
    return {"ok": True, "number": made.number, "title": made.title, "pages": made.pages,
            "made_at": made.made_at, "seconds": round(time.monotonic() - started, 2),
            "warnings": list(made.warnings)}  # fmt: skip


def main() -> int:
    request = json.loads(sys.stdin.buffer.read())
    if request.get("memory_bytes"):
        bound_memory(int(request["memory_bytes"]))
    try:
        result = run(request)
    except MemoryError:
        return _MEMORY_EXIT
    except OSError as exc:
        import errno

        if exc.errno == errno.ENOMEM:
            return _MEMORY_EXIT
        raise
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
