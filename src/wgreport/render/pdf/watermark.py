"""The draft's diagonal DRAFT mark, drawn onto every page after the render as filled glyph
outlines inside an `/Artifact` marked-content sequence (ISO 32000-1, 14.8.2.2).

The mark used to be text (a fixed-position element laid out by WeasyPrint), so copying a
paragraph from a draft brought "DR", "AF" and "T" with it and screen readers read it out.
Drawn as paths it has no text at all, and marked as a pagination artifact (subtype
Watermark) it is outside the document's content for assistive technology. The outlines
come from the pinned chart font (Noto Sans Bold, through matplotlib's `TextPath`), so the
mark is the same on every machine; one content stream is shared by all pages."""

from __future__ import annotations

import io
import math
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...cache import ContentCache, content_key

MARK = "DRAFT"
MARK_SIZE = 110.0  # pt, as the CSS mark was
MARK_ANGLE = 50.0  # degrees, counter-clockwise: rising to the right
MARK_RGB = (166 / 255, 27 / 255, 27 / 255)
MARK_OPACITY = 0.12
_GS = "/WgWatermarkGS"


@lru_cache(maxsize=4)
def _outline_ops(text: str, size: float) -> tuple[bytes, float, float]:
    """The glyph outlines of `text` as PDF path operators, centred on the origin, with the
    text's width and height."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path as MplPath
    from matplotlib.textpath import TextPath

    from ...content.chartkit import FONT_FAMILY, SCRIPT_FONTS, ensure_chart_font

    ensure_chart_font()
    # a mark in another script (초안) falls back to that script's face, as the charts do
    family = FONT_FAMILY if text.isascii() else [*FONT_FAMILY, *SCRIPT_FONTS.values()]
    path = TextPath((0, 0), text, size=size, prop=FontProperties(family=family, weight="bold"))
    box = path.get_extents()
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    ops: list[str] = []
    current = (0.0, 0.0)

    def pt(x: float, y: float) -> str:
        return f"{x - cx:.2f} {y - cy:.2f}"

    for vertices, code in path.iter_segments(curves=True, simplify=False):
        if code == MplPath.MOVETO:
            current = (vertices[0], vertices[1])
            ops.append(f"{pt(*current)} m")
        elif code == MplPath.LINETO:
            current = (vertices[0], vertices[1])
            ops.append(f"{pt(*current)} l")
        elif code == MplPath.CURVE3:  # quadratic: as the cubic with the same shape
            (qx, qy), (ex, ey) = (vertices[0], vertices[1]), (vertices[2], vertices[3])
            c1 = (current[0] + 2 / 3 * (qx - current[0]), current[1] + 2 / 3 * (qy - current[1]))
            c2 = (ex + 2 / 3 * (qx - ex), ey + 2 / 3 * (qy - ey))
            ops.append(f"{pt(*c1)} {pt(*c2)} {pt(ex, ey)} c")
            current = (ex, ey)
        elif code == MplPath.CURVE4:
            ops.append(
                f"{pt(vertices[0], vertices[1])} {pt(vertices[2], vertices[3])} "
                f"{pt(vertices[4], vertices[5])} c"
            )
            current = (vertices[4], vertices[5])
        elif code == MplPath.CLOSEPOLY:
            ops.append("h")
    return "\n".join(ops).encode(), box.x1 - box.x0, box.y1 - box.y0


def _font_identity() -> str | None:
    """The file fontconfig gives for the mark's face (the chart font, bold), with its size
    and time: what the outlines are cut from. None without fontconfig."""
    from ...content.chartkit import FONT_FAMILY

    try:
        out = subprocess.run(
            ["fc-match", "--format", "%{file}", f"{FONT_FAMILY[0]}:bold"],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        path = Path(out.stdout.strip())
        stat = path.stat()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}"


def outline_ops(mark: str, cache_dir: Path | None = None) -> bytes:
    """The mark's glyph outlines as PDF path operators (`_outline_ops`), kept in the
    content-addressed cache in `cache_dir` by the text and the font file: cutting them
    takes matplotlib's import and font manager (0.5 s of a build whose charts are all
    cached), reading them back a file."""
    identity = _font_identity() if cache_dir is not None else None
    if identity is None:
        return _outline_ops(mark, MARK_SIZE)[0]
    cache = ContentCache(cache_dir)
    key = content_key("draft-mark", mark, repr(MARK_SIZE), identity)
    ops = cache.get("draft-mark", key)
    if ops is None:
        ops = _outline_ops(mark, MARK_SIZE)[0]
        cache.put("draft-mark", key, ops)
    return ops


def mark_content(
    width: float, height: float, mark: str = MARK, cache_dir: Path | None = None
) -> bytes:
    """The content stream that draws `mark` across a page of `width` × `height` pt (its
    outlines kept in `cache_dir`, see `outline_ops`)."""
    ops = outline_ops(mark, cache_dir)
    a = math.radians(MARK_ANGLE)
    cos, sin = math.cos(a), math.sin(a)
    r, g, b = MARK_RGB
    return (
        b"q\n/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\n"
        + f"{_GS} gs\n{r:.4f} {g:.4f} {b:.4f} rg\n".encode()
        + f"{cos:.5f} {sin:.5f} {-sin:.5f} {cos:.5f} {width / 2:.2f} {height / 2:.2f} cm\n".encode()
        + ops
        + b"\nf\nEMC\nQ\n"
    )


def draft_mark(lang: str = "en") -> str:
    """The mark's text in the report's language `lang` (DRAFT; 초안)."""
    from ...i18n import gettext, language

    with language(lang):
        return gettext("DRAFT")


def add_draft_mark(pdf: bytes, cache_dir: Path | None = None, mark: str = MARK) -> bytes:
    """`pdf` with the DRAFT mark drawn behind every page's content, as an artifact."""
    import pikepdf

    doc = pikepdf.open(io.BytesIO(pdf))
    draw_mark(doc, mark, cache_dir=cache_dir)
    out = io.BytesIO()
    doc.save(out, deterministic_id=True)
    return out.getvalue()


def draw_mark(doc: Any, mark: str = MARK, cache_dir: Path | None = None) -> None:
    """Draw `mark` on every page of the open pikepdf document `doc`, behind the page's
    content (report.css leaves the printed page's canvas unpainted), as an artifact; its
    outlines are kept in `cache_dir` (`outline_ops`)."""
    import pikepdf

    from .stamp import page_contents

    gs = doc.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=MARK_OPACITY, CA=MARK_OPACITY)
    )
    streams: dict[tuple[float, float], object] = {}
    for page in doc.pages:
        box = [float(v) for v in page.mediabox]
        size = (box[2] - box[0], box[3] - box[1])
        if size not in streams:
            content = mark_content(*size, mark, cache_dir=cache_dir)
            streams[size] = doc.make_indirect(pikepdf.Stream(doc, content))
        existing = page_contents(page)
        push = pikepdf.Stream(doc, b"q\n")
        pop = pikepdf.Stream(doc, b"Q\n")
        # the mark first: the page's content (bars, table bands) is painted over it
        page.obj.Contents = pikepdf.Array([streams[size], push, *existing, pop])
        resources = page.obj.get("/Resources")
        if resources is None:
            page.obj.Resources = resources = pikepdf.Dictionary()
        if "/ExtGState" not in resources:
            resources.ExtGState = pikepdf.Dictionary()
        resources.ExtGState[_GS] = gs
