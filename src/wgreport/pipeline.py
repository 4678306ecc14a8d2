"""The steps of a build as plain functions; `flows/` wraps them as Prefect tasks.

`build_draft` runs them in order without Prefect, for tests and benchmarks.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .context import BuildInfo, ReportContext, build_context
from .inputs import (
    EditionFiles,
    InputsError,
    LoadedEdition,
    find_edition_files,
    list_years,
    load_edition_inputs,
    previous_year,
)
from .models import Contribution
from .publish import build_time, digest_inputs, draft_name, git_commit
from .render import render_html, render_pdf
from .settings import Settings

IMAGE_MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class RenderedReport:
    """What a build publishes."""

    html: str
    pdf: bytes
    pages: int
    warnings: tuple[str, ...]


def read_foreword(loaded: LoadedEdition) -> str:
    """The edition's foreword Markdown ('' when the edition names none)."""
    name = loaded.edition.foreword
    if not name:
        return ""
    return (loaded.files.edition.parent / name).read_text(encoding="utf-8")


def image_data_urls(loaded: LoadedEdition) -> dict[str, str]:
    """Every image the valid contributions use, as a data: URL (the HTML stays self-contained)."""
    urls: dict[str, str] = {}
    for contribution in loaded.contributions.values():
        images = [i.image for i in contribution.initiatives if i.image is not None]
        if contribution.case_study and contribution.case_study.image:
            images.append(contribution.case_study.image)
        for image in images:
            path = loaded.files.contributions_dir / image.file
            mime = IMAGE_MIME[path.suffix.lower()]
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            urls[image.file] = f"data:{mime};base64,{data}"
    return urls


def load_previous(loaded: LoadedEdition) -> tuple[int | None, dict[str, Contribution]]:
    """The previous edition's valid contributions, for changes between editions."""
    year = previous_year(loaded)
    if year is None or year not in list_years(loaded.files.inputs_dir):
        return None, {}
    try:
        previous = load_edition_inputs(loaded.files.inputs_dir, year)
    except InputsError:
        return None, {}
    return year, previous.contributions


def make_build_info(number: int | None, final: bool = False) -> BuildInfo:
    """Draft label, pinned or current build time, and the tool version."""
    when = build_time().isoformat().replace("+00:00", "Z")
    label = None if final or number is None else f"Draft {draft_name(number)}"
    return BuildInfo(draft=label, built_at=when, version=__version__)


def make_context(loaded: LoadedEdition, build: BuildInfo) -> ReportContext:
    """Read what the context needs from disk, then build it."""
    prev_year, previous = load_previous(loaded)
    return build_context(
        loaded,
        build,
        foreword_markdown=read_foreword(loaded),
        previous=previous,
        previous_year=prev_year,
        image_src=image_data_urls(loaded),
    )


def count_pages(pdf: bytes) -> int:
    """Pages in a PDF, read back with pypdf."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def render_report(ctx: ReportContext, templates_dir: Path) -> RenderedReport:
    """HTML, then PDF, with the page count and WeasyPrint's warnings."""
    html = render_html(ctx, templates_dir)
    pdf, log = render_pdf(html, templates_dir)
    return RenderedReport(html=html, pdf=pdf, pages=count_pages(pdf), warnings=tuple(log.warnings))


def input_paths(files: EditionFiles, loaded: LoadedEdition | None = None) -> dict[str, Path]:
    """Every input file the build read, keyed by its display path."""
    paths = [files.working_group, files.edition, *files.contributions]
    folder = files.edition.parent
    paths += [p for p in sorted(folder.rglob("*")) if p.is_file() and p not in paths]
    return {files.display(p): p for p in paths}


def make_manifest(
    settings: Settings,
    loaded: LoadedEdition,
    rendered: RenderedReport,
    build: BuildInfo,
) -> dict[str, Any]:
    """What a draft records: when, with what, from what, and who is in it."""
    return {
        "year": loaded.year,
        "built_at": build.built_at,
        "tool_version": build.version,
        "git_commit": git_commit(settings.root),
        "final": build.draft is None,
        "pages": rendered.pages,
        "members_included": [
            c for c in (m.code for m in loaded.working_group.members) if c in loaded.contributions
        ],
        "members_left_out": [
            {"member": s.code, "reason": s.label} for s in loaded.status if not s.valid
        ],
        "render_warnings": list(rendered.warnings),
        "inputs": digest_inputs(input_paths(loaded.files, loaded)),
    }


def validation_json(loaded: LoadedEdition) -> bytes:
    import json

    return (json.dumps(loaded.report.to_dict(), indent=2, ensure_ascii=False) + "\n").encode()


def output_files(loaded: LoadedEdition, rendered: RenderedReport) -> dict[str, bytes]:
    """The files of a draft folder (the manifest is added by publish)."""
    return {
        "report.html": rendered.html.encode("utf-8"),
        "report.pdf": rendered.pdf,
        "validation.json": validation_json(loaded),
    }


def build_draft(settings: Settings, year: int) -> Path:
    """A whole draft build without Prefect (tests, benchmarks)."""
    from .publish import next_draft_number, publish_draft, year_lock

    files = find_edition_files(settings.inputs_dir, year)
    with year_lock(settings.outputs_dir / str(year)):
        number = next_draft_number(settings.outputs_dir, year)
        loaded = load_edition_inputs(files.inputs_dir, year)
        build = make_build_info(number)
        rendered = render_report(make_context(loaded, build), settings.templates_dir)
        manifest = make_manifest(settings, loaded, rendered, build)
        return publish_draft(
            settings.outputs_dir, year, number, output_files(loaded, rendered), manifest
        )
