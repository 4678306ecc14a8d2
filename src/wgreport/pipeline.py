"""What the aggregate and context steps read from disk besides the contributions: the
previous edition, the foreword, the images (as data: URLs), the review files; and the
context built from them."""

from __future__ import annotations

import base64
from pathlib import Path

from . import aggregate
from .chartkit import Chart
from .comments import Reviews, edition_reviews, summarise
from .context import build_context
from .errors import InputsError
from .figures import make_charts
from .inputs import (
    LoadedEdition,
    list_years,
    load_edition_inputs,
    previous_year,
)
from .models import Contribution
from .outputs import DOWNLOADS
from .reportmodel import BuildInfo, ReportContext
from .svgsafe import SvgRefused
from .svgsafe import sanitise as sanitise_svg

IMAGE_MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


def read_foreword(loaded: LoadedEdition) -> str:
    """The edition's foreword Markdown ('' when the edition names none)."""
    name = loaded.edition.foreword
    if not name:
        return ""
    return (loaded.files.edition.parent / name).read_text(encoding="utf-8")


def image_data_urls(loaded: LoadedEdition) -> dict[str, str]:
    """Every image the valid contributions use, as a data: URL (the HTML stays self-contained).
    An SVG is embedded as wgreport.svgsafe rebuilt it from the allowlist."""
    urls: dict[str, str] = {}
    for contribution in loaded.contributions.values():
        images = [i.image for i in contribution.initiatives if i.image is not None]
        if contribution.case_study and contribution.case_study.image:
            images.append(contribution.case_study.image)
        for image in images:
            path = loaded.files.contributions_dir / image.file
            mime = IMAGE_MIME[path.suffix.lower()]
            content = path.read_bytes()
            if mime == "image/svg+xml":  # the SVG rebuilt from the allowlist, never the file
                try:
                    content = sanitise_svg(content).data
                except SvgRefused:
                    continue  # changed since it was validated: left out, not embedded
            data = base64.b64encode(content).decode("ascii")
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


def compute_frames(loaded: LoadedEdition) -> tuple[int | None, aggregate.Frames]:
    """Aggregate the edition, with the previous edition's values for changes."""
    prev_year, previous = load_previous(loaded)
    return prev_year, aggregate.compute_frames(
        loaded.contributions, loaded.working_group, previous, loaded.year
    )


def make_context(
    loaded: LoadedEdition,
    build: BuildInfo,
    frames: aggregate.Frames | None = None,
    figures: list[Chart] | None = None,
    prev_year: int | None = None,
    reviews: Reviews | None = None,
) -> ReportContext:
    """Read what the context needs from disk (foreword, images), then build it."""
    if frames is None:
        prev_year, frames = compute_frames(loaded)
    if figures is None:
        figures = make_charts(frames, loaded.working_group, prev_year is not None)
    return build_context(
        loaded,
        build,
        frames=frames,
        charts=figures,
        foreword_markdown=read_foreword(loaded),
        previous_year=prev_year,
        image_src=image_data_urls(loaded),
        downloads=DOWNLOADS,
        comments=summarise(reviews, loaded.working_group) if reviews is not None else None,
    )


def read_reviews(loaded: LoadedEdition, outputs_dir: Path) -> Reviews:
    """The edition's review files, checked against the drafts published so far."""
    files = loaded.files
    return edition_reviews(files.edition.parent, loaded.working_group, loaded.year,
                           outputs_dir, files.inputs_dir.parent)  # fmt: skip


def image_folders(loaded: LoadedEdition) -> list[Path]:
    """The edition's image folders (contributions/<CODE>/): WeasyPrint may read these."""
    folder = loaded.files.contributions_dir
    return [folder / m.code for m in loaded.working_group.members if (folder / m.code).is_dir()]
