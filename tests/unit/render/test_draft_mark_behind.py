"""The DRAFT mark lies behind the content (issue 40): bars and table bands are painted over
it, and it still shows on the bare page. Read back from the rasterised PDF page."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import ROOT
from wgreport.render.pdf.watermark import add_draft_mark

# a page whose middle (where the diagonal mark crosses) is one opaque block in the accent
_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="stylesheet" href="templates/report.css"><link rel="stylesheet" href="templates/paged.css">
</head><body><div style="height: 90mm"></div>
<div style="height: 60mm; background: #0b5394"></div></body></html>"""


def _pixels(pdf: bytes, tmp: Path) -> tuple[int, int, bytes]:
    (tmp / "page.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "20", "-f", "1", "-l", "1", str(tmp / "page.pdf"), str(tmp / "p")],
        check=True,
    )
    data = next(tmp.glob("p*.ppm")).read_bytes()
    _, size, _, body = data.split(b"\n", 3)
    width, height = (int(v) for v in size.split())
    return width, height, body


def _at(image: tuple[int, int, bytes], fx: float, fy: float) -> tuple[int, int, int]:
    width, height, body = image
    i = 3 * (int(fy * height) * width + int(fx * width))
    return body[i], body[i + 1], body[i + 2]


def test_the_draft_mark_is_behind_the_content_and_shows_on_the_bare_page(
    tmp_path: Path,
) -> None:
    from weasyprint import HTML

    pdf = HTML(string=_PAGE, base_url=str(ROOT)).write_pdf()
    image = _pixels(add_draft_mark(pdf), tmp_path)
    # the page's centre is inside the accent block and on the mark's diagonal
    assert _at(image, 0.5, 0.5) == (0x0B, 0x53, 0x94), "the mark tints a bar: it lies over it"
    # and on the bare page above the block the mark still shows (not hidden by a canvas)
    marked = [_at(image, 0.5 + d / 100, 0.37) for d in range(-8, 9)]
    assert any(p != (255, 255, 255) for p in marked), "the mark is hidden on the bare page"
