"""Texts and reference lines read back from a chart's SVG (matplotlib writes text as
`<text>` elements: `svg.fonttype` is "none"), with each text's box measured in the pinned
chart font, so that tests can check that no two texts overlap and no line crosses a text."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

_SVG = "{http://www.w3.org/2000/svg}"
_ROTATE = re.compile(r"rotate\(\s*(-?[\d.]+)")
_TRANSLATE = re.compile(r"translate\(\s*(-?[\d.]+)[\s,]+(-?[\d.]+)")


@dataclass(frozen=True)
class TextBox:
    """A text's outline as the four corners of its (possibly rotated) box, in SVG units."""

    text: str
    corners: tuple[tuple[float, float], ...]

    def overlaps(self, other: TextBox, tolerance: float = 0.3) -> bool:
        """Whether the two boxes overlap by more than `tolerance` (separating axes)."""
        for shape in (self.corners, other.corners):
            for i in range(4):
                (x0, y0), (x1, y1) = shape[i], shape[(i + 1) % 4]
                nx, ny = y1 - y0, x0 - x1
                length = math.hypot(nx, ny) or 1.0
                mine = [(x * nx + y * ny) / length for x, y in self.corners]
                theirs = [(x * nx + y * ny) / length for x, y in other.corners]
                if max(mine) <= min(theirs) + tolerance or max(theirs) <= min(mine) + tolerance:
                    return False
        return True

    def crossed_by(self, x: float, y0: float, y1: float, tolerance: float = 0.3) -> bool:
        """Whether the vertical segment at `x` from `y0` to `y1` runs through the box."""
        xs = [c[0] for c in self.corners]
        ys = [c[1] for c in self.corners]
        low, high = sorted((y0, y1))
        return (
            min(xs) + tolerance < x < max(xs) - tolerance
            and low < max(ys) - tolerance
            and high > min(ys) + tolerance
        )


def _style(element: ET.Element) -> dict[str, str]:
    out = {}
    for part in element.get("style", "").split(";"):
        if ":" in part:
            key, value = part.split(":", 1)
            out[key.strip()] = value.strip()
    return out


def text_boxes(svg: str) -> list[TextBox]:
    """Every text of the chart with its box: the width and height of its glyphs in the
    font and size the SVG names, placed by its anchor and rotation."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    from wgreport.content.chartkit import FONT_FAMILY, ensure_chart_font

    ensure_chart_font()
    measure = TextToPath()
    root = ET.fromstring(svg[svg.index("<svg") :])
    boxes = []
    for element in root.iter(f"{_SVG}text"):
        text = "".join(element.itertext())
        if not text.strip():
            continue
        style = _style(element)
        size = float(style["font-size"].removesuffix("px"))
        weight = style.get("font-weight", "normal")
        prop = FontProperties(family=FONT_FAMILY, size=size, weight=weight)
        width, height, descent = measure.get_text_width_height_descent(text, prop, ismath=False)
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        moved = _TRANSLATE.search(element.get("transform", ""))
        if moved:  # "translate(x y) rotate(a)": the text starts at the translated origin
            x, y = x + float(moved[1]), y + float(moved[2])
        anchor = style.get("text-anchor", "start")
        left = x - {"start": 0.0, "middle": width / 2, "end": width}[anchor]
        top, bottom = y - (height - descent), y + descent
        angle = 0.0
        found = _ROTATE.search(element.get("transform", ""))
        if found:
            angle = math.radians(float(found[1]))
        corners = []
        for cx, cy in ((left, top), (left + width, top), (left + width, bottom), (left, bottom)):
            dx, dy = cx - x, cy - y
            corners.append(
                (
                    x + dx * math.cos(angle) - dy * math.sin(angle),
                    y + dx * math.sin(angle) + dy * math.cos(angle),
                )
            )
        boxes.append(TextBox(text, tuple(corners)))
    return boxes


def vertical_lines(svg: str) -> list[tuple[str, float, float, float]]:
    """Every vertical two-point line drawn in the plot (not a tick mark), marked or not:
    (group id, x, y0, y1). On the old code a reference line was an unmarked `line2d_N`."""
    root = ET.fromstring(svg[svg.index("<svg") :])
    out = []
    for group in root.iter(f"{_SVG}g"):
        gid = group.get("id", "")
        if not (gid.startswith("line2d") or gid.startswith("refline")):
            continue
        for path in group.findall(f"{_SVG}path"):
            numbers = [float(n) for n in re.findall(r"-?[\d.]+", path.get("d", ""))]
            vertical = len(numbers) == 4 and abs(numbers[0] - numbers[2]) < 0.01
            if vertical and abs(numbers[1] - numbers[3]) > 5:  # not a tick mark
                out.append((gid, numbers[0], numbers[1], numbers[3]))
    return out
