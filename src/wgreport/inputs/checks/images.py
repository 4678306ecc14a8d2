"""Image files named by `image.file`: inside contributions/, of an allowed type and
size, and an SVG that can be rebuilt from the allowlist of wgreport.inputs.svgsafe (the report
embeds the rebuilt SVG, never the member's file)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .. import limits, svgsafe
from ..yamlsource import Source
from .common import IMAGE_TYPES, MAX_IMAGE_BYTES, image_fields, is_inside


def check_images(source: Source, data: dict[str, Any], contributions_dir: Path) -> None:
    """Check every image a contribution names (see `check_image_path`)."""
    for path, image in image_fields(data):
        file = image.get("file")
        if not isinstance(file, str) or not file.strip():
            continue
        fpath = (*path, "file")
        problem = check_image_path(file, contributions_dir)
        if problem is not None:
            code, message, hint = problem
            source.add("error", code, message, fpath, hint=hint)


def check_image_path(file: str, contributions_dir: Path) -> tuple[str, str, str] | None:
    """Why an image reference is unacceptable, as (code, message, hint), or None."""
    return _path_problem(file, contributions_dir) or _content_problem(file, contributions_dir)


def _path_problem(file: str, contributions_dir: Path) -> tuple[str, str, str] | None:
    """Where the file is: relative, inside contributions/, of an image type, there, small."""
    relative = Path(file)
    if relative.is_absolute() or file.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", file):
        return (
            "image-path-absolute",
            f"'{file}' is an absolute path",
            "give the path relative to contributions/, e.g. KR/diagram.png",
        )
    if "\\" in file:
        return (
            "image-path-outside",
            f"'{file}' uses backslashes",
            "write the path with forward slashes, e.g. KR/diagram.png",
        )
    if ".." in relative.parts:
        return (
            "image-path-outside",
            f"'{file}' leads outside contributions/",
            "put the image in contributions/<CODE>/ and name it from there",
        )
    suffix = relative.suffix.lower()
    if suffix not in IMAGE_TYPES:
        return (
            "image-type",
            f"'{file}' is not a PNG, JPEG or SVG file",
            "convert the image to PNG, JPEG or SVG",
        )
    target = contributions_dir / relative
    if not is_inside(target, contributions_dir):
        return (
            "image-path-outside",
            f"'{file}' is a link that leads outside contributions/",
            "copy the image itself into contributions/<CODE>/",
        )
    if not target.is_file():
        return (
            "image-not-found",
            f"the image '{file}' does not exist",
            "check the file name (it is case-sensitive) and that the file was added",
        )
    size = target.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return (
            "image-too-large",
            f"the image is {size:,} bytes; at most {MAX_IMAGE_BYTES:,} are allowed",
            "reduce its resolution or compress it",
        )
    return None


def _content_problem(file: str, contributions_dir: Path) -> tuple[str, str, str] | None:
    """What the file holds: the image its name says, safe, and not too large to lay out."""
    target = contributions_dir / file
    kind = IMAGE_TYPES[Path(file).suffix.lower()]
    content = target.read_bytes()
    head = content[:512]
    ok = (
        (kind == "PNG" and head.startswith(b"\x89PNG\r\n\x1a\n"))
        or (kind == "JPEG" and head.startswith(b"\xff\xd8\xff"))
        or (kind == "SVG" and (b"<svg" in head.lower() or head.lstrip().startswith(b"<?xml")))
    )
    if not ok:
        return (
            "image-type",
            f"'{file}' does not contain a {kind} image",
            "export the image again in the format its name says",
        )
    if kind == "SVG":
        try:
            dimensions: tuple[float, float] | None = svgsafe.sanitise(content).size
        except svgsafe.SvgRefused as refused:
            return refused.code, f"the SVG image '{file}' {refused.message}", refused.hint
    else:
        dimensions = limits.raster_size(content, kind)
        if dimensions is None:
            return (
                "image-type",
                f"'{file}' is not a readable {kind} image: its size cannot be read",
                "export the image again in the format its name says",
            )
    too_big = limits.pixels_problem(*dimensions) if dimensions is not None else None
    if too_big is not None:
        return (
            "image-too-many-pixels",
            f"'{file}': {too_big}",
            f"scale the image down to at most {limits.MAX_IMAGE_SIDE:,} pixels a side and "
            f"{limits.MAX_IMAGE_PIXELS // 1_000_000} megapixels; about 2,000 pixels wide is "
            "plenty for the report",
        )
    return None


def svg_problem(data: bytes) -> str | None:
    """Why an SVG cannot be used (see wgreport.inputs.svgsafe, which rebuilds it from an
    allowlist), or None."""
    problem = svgsafe.problem(data)
    return problem[1] if problem is not None else None
