"""What every chart shares: the house constants (palette, fonts, print sizes), `Chart`,
the panels a large group's figures are cut into, the fixed font, SVG output without
timestamps, and the inline SVG with ids made unique per figure."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import FontMissing
from ..inputs.models import WorkingGroup

# Paul Tol's "muted" scheme (colour-blind safe) and a neutral grey for the tenth member.
MEMBER_PALETTE = [
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
    "#DDCC77", "#CC6677", "#882255", "#AA4499", "#BBBBBB",
]  # fmt: skip
# Okabe–Ito colours for the initiative lifecycle.
STATUS_COLOURS = {
    "planned": "#E69F00",
    "in-progress": "#56B4E9",
    "completed": "#009E73",
    "discontinued": "#D55E00",
}
FONT_FAMILY = ["Noto Sans", "DejaVu Sans"]
#: Up to this many members, the report keeps the layout of the 10-member demo edition: a
#: chart draws PITCH in per member, a table may give each member a column (it fits on A4),
#: and every figure has a data table of its own. A larger group gets the compact layout.
SMALL_GROUP = 10
#: At most this many members (bars) in one chart: a larger group's chart is split into
#: panels ("Figure 3a", "3b", …) of nearly equal size, in the group's order.
MAX_BARS = 40
#: The compact layout's pitch per member (13 pt), room for the 8.5-pt labels: 40 bars and
#: the axes make a figure of about 210 mm, which fits one A4 page with its caption.
COMPACT_PITCH = 0.18
#: A regular chart's pitch per member (14.4 pt): ten members and the axes make a chart of
#: about 80 mm, so that the two charts of one indicator (its values and their change) share
#: an A4 page as small multiples, with their titles and notes.
PITCH = 0.2
#: The room a chart has in print (mm): the A4 column's width, and the height of a regular
#: figure and of one in the compact layout (`figure img` and `figure.chart-compact img` in
#: report.css). The print page scales a chart's SVG (its viewBox, in points) to the
#: column's width, or less when its height would pass the limit; its text scales with it.
PRINT_WIDTH_MM = 174.0
PRINT_HEIGHT_MM = 80.0
TALL_PRINT_HEIGHT_MM = 215.0
#: No text in a chart is smaller than this at print size (pt).
MIN_FONT_PT = 7.0
#: The one colour of bars and dots (the report's accent, templates/report.css --accent).
ACCENT = "#0b5394"
#: The same blue lightened, for the members a chart does not discuss (3.3:1 on white, so a
#: dot's outline stays visible); the discussed ones keep ACCENT and a bold label.
MUTED_ACCENT = "#6d8fb8"
RC_PARAMS: Any = {
    "svg.hashsalt": "wgreport",
    "svg.fonttype": "none",
    "font.family": FONT_FAMILY,
    "font.size": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9.5,
    "axes.unicode_minus": False,  # U+2212 is not in Noto Sans: keep the pinned font
    "axes.edgecolor": "#5f6b78",
    "xtick.color": "#1d2733",
    "ytick.color": "#1d2733",
}
#: The face a chart's text falls back to for the letters Noto Sans lacks, per language.
SCRIPT_FONTS = {"ko": "Noto Sans CJK KR"}


def rc_params() -> Any:
    """RC_PARAMS for a chart drawn in the report's language: a language whose script Noto
    Sans lacks (Korean) falls back to its own face; English keeps RC_PARAMS as they are."""
    from ..i18n import current_language

    extra = SCRIPT_FONTS.get(current_language())
    return {**RC_PARAMS, "font.family": [*FONT_FAMILY, extra]} if extra else RC_PARAMS


@dataclass(frozen=True)
class Chart:
    """One figure: its SVG, title, text alternative and the data it shows."""

    id: str
    title: str
    alt: str
    svg: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    figure: str = ""  # the figure this chart is a panel of; "" when it is a whole figure
    panel: str = ""  # the panel's letter within its figure ("a", "b", …); "" when whole
    part: str = ""  # which members the panel shows, for its caption
    compact: bool = False  # a large group's layout: prints up to TALL_PRINT_HEIGHT_MM tall
    source: str = ""  # the "Source:" line printed below the figure

    @property
    def figure_id(self) -> str:
        """The id of the figure this chart belongs to (its own id unless it is a panel)."""
        return self.figure or self.id


def is_large_group(members: int) -> bool:
    """Whether a group of this many members gets the compact layout."""
    return members > SMALL_GROUP


def member_panels(members: Sequence[str]) -> list[list[str]]:
    """`members` in order, cut into as few panels of at most MAX_BARS as needed, of nearly
    equal size (193 members: 39, 39, 39, 38, 38)."""
    count = max(1, math.ceil(len(members) / MAX_BARS))
    size, extra = divmod(len(members), count)
    panels, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        panels.append(list(members[start:end]))
        start = end
    return panels


def panel_letter(index: int) -> str:
    """a, b, …, z, then aa, ab, … (a group of more than 1,040 members)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


@dataclass(frozen=True)
class Panel:
    """One panel of a chart split by members: which members, and how to name it."""

    members: list[str]
    index: int
    count: int
    first: int  # 1-based position of its first member in the group
    total: int  # members in the whole chart

    @property
    def split(self) -> bool:
        return self.count > 1

    def chart_id(self, figure_id: str) -> str:
        # The first panel keeps the figure's id, so links to the figure land on its start.
        return figure_id if self.index == 0 else f"{figure_id}-{panel_letter(self.index)}"

    def part(self, labels: Mapping[str, str]) -> str:
        if not self.split:
            return ""
        last = self.first + len(self.members) - 1
        return (
            f"{labels[self.members[0]]} to {labels[self.members[-1]]} "
            f"(members {self.first}–{last} of {self.total})"
        )

    def lead(self, labels: Mapping[str, str]) -> str:
        """The text alternative's opening words, saying which members the panel shows (a
        text alternative stands alone: it is read instead of the chart)."""
        if not self.split:
            return ""
        last = self.first + len(self.members) - 1
        return (
            f"Members {self.first}–{last} of {self.total} "
            f"({labels[self.members[0]]} to {labels[self.members[-1]]}): "
        )

    def tag(self, chart: Chart, labels: Mapping[str, str], large: bool) -> Chart:
        """`chart` named and placed as this panel of its figure."""
        return replace(
            chart,
            id=self.chart_id(chart.id),
            figure=chart.id if self.split else "",
            panel=panel_letter(self.index) if self.split else "",
            part=self.part(labels),
            compact=large,
        )


def chart_panels(members: Sequence[str], group_size: int) -> list[Panel]:
    """The panels of a chart of `members` (unsplit up to MAX_BARS, or in a small group)."""
    cut = member_panels(members) if is_large_group(group_size) else [list(members)]
    out, first = [], 1
    for index, chunk in enumerate(cut):
        out.append(Panel(chunk, index, len(cut), first, len(members)))
        first += len(chunk)
    return out


def chart_height(members: int, large: bool, overhead: float) -> float:
    """A bar chart's height in inches: `PITCH` per member (the demo's layout), or the
    compact pitch in a large group."""
    return (COMPACT_PITCH if large else PITCH) * members + overhead


def member_colours(wg: WorkingGroup) -> dict[str, str]:
    """One colour per member, by the group's order (cycling for large groups)."""
    return {m.code: MEMBER_PALETTE[i % len(MEMBER_PALETTE)] for i, m in enumerate(wg.members)}


def figure_svg(fig: Any) -> str:
    """The figure as SVG text without timestamps (the figure is closed)."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(
        buffer,
        format="svg",
        metadata={"Date": None, "Creator": None},
        bbox_inches="tight",
        transparent=True,  # the draft mark shows through
    )
    plt.close(fig)
    return buffer.getvalue()


_font_ready = False


def ensure_chart_font() -> None:
    """Make matplotlib use the pinned font, or fail naming it.

    matplotlib caches the system's font list per user (~/.cache/matplotlib); a cache built
    before the Noto fonts were installed would silently fall back to DejaVu Sans and change
    every chart. So the font is looked up without fallback, and on a miss the system's
    Noto Sans files are added to the font manager; if there are none, the build stops
    with an error that names the font and the package.
    """
    global _font_ready
    if _font_ready:
        return
    from pathlib import Path

    from matplotlib import font_manager as fm

    wanted = fm.FontProperties(family=FONT_FAMILY[0])
    try:
        fm.findfont(wanted, fallback_to_default=False, rebuild_if_missing=False)
    except ValueError:
        for path in fm.findSystemFonts(fontext="ttf"):
            if Path(path).name.startswith("NotoSans-"):
                fm.fontManager.addfont(path)
        try:
            fm.findfont(wanted, fallback_to_default=False, rebuild_if_missing=False)
        except ValueError:
            raise FontMissing(
                f"the chart font '{FONT_FAMILY[0]}' is not installed "
                "(Debian/Ubuntu package fonts-noto-core: run scripts/setup-system.sh)"
            ) from None
    _font_ready = True


def new_figure(width: float, height: float) -> tuple[Any, Any]:
    """A new matplotlib figure and axes of this size (inches), in the pinned font."""
    import matplotlib

    matplotlib.use("Agg")
    ensure_chart_font()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=72)
    return fig, ax


def member_labels(wg: WorkingGroup) -> dict[str, str]:
    """Each member's label, by code."""
    return {m.code: m.label for m in wg.members}


_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(chart: Chart, number: int | str) -> str:
    """The chart's SVG ready to sit inside the report's HTML; `number` is its figure's
    number, with the panel's letter for a panel ("3b").

    The XML prolog and matplotlib's RDF metadata go; every id is prefixed with the chart's
    id (matplotlib reuses ids such as `figure_1` and clip-path hashes across charts); its
    `*{...}` style rule is scoped to this chart; and the root gets `role="img"` with a
    `<title>` and a `<desc>` holding the figure's title and text alternative.
    """
    from markupsafe import escape

    svg = chart.svg[chart.svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    prefix = chart.id
    ids = set(_ID.findall(svg))
    svg = _ID.sub(lambda m: f'id="{prefix}-{m[1]}"', svg)
    svg = re.sub(
        r'(href="#|url\(#)([^")]+)',
        lambda m: f"{m[1]}{prefix}-{m[2]}" if m[2] in ids else m[0],
        svg,
    )
    svg = svg.replace("*{stroke-linejoin", f"#{prefix}-svg *{{stroke-linejoin")
    head, rest = svg.split(">", 1)
    title = f"{chart.title}: {chart.part}" if chart.part else chart.title
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    return (
        f'{head} id="{prefix}-svg" class="chart-svg" role="img"'
        f' aria-labelledby="{prefix}-title {prefix}-desc">'
        f'\n <title id="{prefix}-title">Figure {number}. {escape(title)}</title>'
        f'\n <desc id="{prefix}-desc">{escape(chart.alt)}</desc>{rest}'
    )


#: The room (pt) kept between a reference line and a text it passes, and between two texts.
TEXT_GAP_PT = 1.5


@dataclass(frozen=True)
class ReferenceLine:
    """A vertical reference line (the group median, a published average): its value on
    the chart's value axis, its dash style and its label."""

    x: float
    style: str
    label: str
    gid: str


def _text_boxes(fig: Any, renderer: Any) -> list[Any]:
    """The display-space boxes of every visible, non-empty text of `fig`."""
    from matplotlib.text import Text

    boxes = []
    for artist in fig.findobj(Text):
        if artist.get_visible() and artist.get_text().strip() and artist.figure is not None:
            boxes.append(artist.get_window_extent(renderer))
    return boxes


def draw_reference_lines(ax: Any, lines: Sequence[ReferenceLine], fontsize: float = 7.0) -> None:
    """Reference lines across the plot area, each labelled above it, so that no two texts
    overlap and no line crosses a text.

    Each label sits just above the plot area with an edge on its line (the leftmost
    line's label to the left of it, the others to the right), or centred on it, in the
    first row above the plot where it overlaps no other label; each line then runs from
    the bottom of the plot area to its top, broken with a small gap wherever a text (a
    value's label, a tick label) lies on it. Call when every other text is drawn (the
    boxes are measured from the drawn figure)."""
    from matplotlib.transforms import Bbox, blended_transform_factory

    if not lines:
        return
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    gap = TEXT_GAP_PT * fig.dpi / 72
    above = blended_transform_factory(ax.transData, ax.transAxes)
    order = sorted(lines, key=lambda line: float(ax.transData.transform((line.x, 0))[0]))
    xleft, xright = sorted(ax.get_xlim())
    placed: list[Any] = []
    others = _text_boxes(fig, renderer)  # the axis labels, ticks and values
    for index, line in enumerate(order):
        if not xleft <= line.x <= xright:
            continue
        # anchors in order of preference: an edge on the line, away from the other lines
        anchors = ["right", "left", "center"] if index == 0 else ["left", "right", "center"]
        for row in range(len(order) + 1):
            chosen = None
            for anchor in anchors:
                text = ax.annotate(
                    line.label,
                    (line.x, 1.0),
                    xycoords=above,
                    xytext=(
                        {"right": -2, "left": 2, "center": 0}[anchor],
                        3 + row * (fontsize + 3),
                    ),
                    textcoords="offset points",
                    ha=anchor,
                    va="bottom",
                    fontsize=fontsize,
                    annotation_clip=False,
                )
                box = text.get_window_extent(renderer)
                wide = Bbox.from_extents(box.x0 - gap, box.y0 - gap, box.x1 + gap, box.y1 + gap)
                if not any(wide.overlaps(b) for b in placed + others):
                    chosen = text
                    break
                text.remove()
            if chosen is not None:
                chosen.set_gid(f"{line.gid}-label")
                placed.append(chosen.get_window_extent(renderer))
                break
    _draw_broken_lines(ax, order, _text_boxes(fig, renderer), gap)


def _draw_broken_lines(
    ax: Any, order: Sequence[ReferenceLine], texts: list[Any], gap: float
) -> None:
    """Each line from the bottom of the plot area to its top, broken wherever a text lies
    on it."""
    xleft, xright = sorted(ax.get_xlim())
    to_data = ax.transData.inverted()
    bottom, top = ax.transAxes.transform((0, 0))[1], ax.transAxes.transform((0, 1))[1]
    for line in order:
        if not xleft <= line.x <= xright:
            continue
        x_display = ax.transData.transform((line.x, 0))[0]
        cuts = sorted(
            (b.y0 - gap, b.y1 + gap)
            for b in texts
            if b.x0 - gap <= x_display <= b.x1 + gap and b.y1 + gap > bottom and b.y0 - gap < top
        )
        runs, start = [], bottom
        for low, high in cuts:
            if low > start:
                runs.append((start, low))
            start = max(start, high)
        if start < top:
            runs.append((start, top))
        for number, (low, high) in enumerate(runs):
            y0 = to_data.transform((x_display, low))[1]
            y1 = to_data.transform((x_display, high))[1]
            (drawn,) = ax.plot(
                [line.x, line.x], [y0, y1], color="#1d2733", linestyle=line.style,
                linewidth=0.9, zorder=1, scalex=False, scaley=False,
            )  # fmt: skip
            drawn.set_gid(f"{line.gid}-{number}")
