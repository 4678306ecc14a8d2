"""Charts as deterministic SVG (matplotlib, Agg, fixed fonts, no timestamps, fixed ids).

Every chart comes with a title, a text alternative that states its main takeaway, and the
data it shows as a table. Members keep one colour and one order everywhere. A member
without a value is drawn as "n/a", never dropped or shown as zero.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .formatting import as_float, as_int, format_number
from .models import Indicator, WorkingGroup

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
STATUS_LABELS = {
    "planned": "Planned",
    "in-progress": "In progress",
    "completed": "Completed",
    "discontinued": "Discontinued",
}
FONT_FAMILY = ["Noto Sans", "DejaVu Sans"]
# Up to this many members, a data table may give each member a column (it fits on A4).
MAX_MEMBER_COLUMNS = 10
_RC: Any = {
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


def member_colours(wg: WorkingGroup) -> dict[str, str]:
    """One colour per member, by the group's order (cycling for large groups)."""
    return {m.code: MEMBER_PALETTE[i % len(MEMBER_PALETTE)] for i, m in enumerate(wg.members)}


def _svg(fig: Any) -> str:
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


class FontMissing(RuntimeError):
    """The pinned chart font is not installed."""


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


def _figure(width: float, height: float) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    ensure_chart_font()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=72)
    return fig, ax


def _labels(wg: WorkingGroup) -> dict[str, str]:
    return {m.code: m.label for m in wg.members}


def indicator_chart(values: pd.DataFrame, wg: WorkingGroup, indicator: Indicator) -> Chart:
    """Each member's value for one indicator, with the group median marked."""
    import matplotlib

    labels, colours = _labels(wg), member_colours(wg)
    subset = values[values["indicator"] == indicator.id].set_index("member")
    members = [m.code for m in wg.members if m.code in subset.index]
    series = subset["value"].reindex(members)
    reported = series.dropna()
    median = float(reported.median()) if len(reported) else math.nan
    with matplotlib.rc_context(_RC):
        fig, ax = _figure(6.2, 0.32 * len(members) + 1.0)
        positions = list(range(len(members)))[::-1]
        for pos, code in zip(positions, members, strict=True):
            value = series[code]
            if pd.isna(value):
                ax.text(0, pos, "  n/a", va="center", ha="left", color="#5f6b78", style="italic")
                continue
            ax.barh(pos, value, color=colours[code], edgecolor="#1d2733", linewidth=0.4)
            ax.text(
                value,
                pos,
                f" {format_number(value, indicator.decimals)}",
                va="center",
                fontsize=7.5,
            )
        if not math.isnan(median):
            ax.axvline(median, color="#1d2733", linestyle="--", linewidth=0.9)
            caption = f"group median {format_number(median, indicator.decimals)}"
            ax.text(median, len(members) - 0.4, caption, ha="center", va="bottom", fontsize=7.5)
        ax.set_yticks(positions, [labels[c] for c in members])
        direction = "higher is better" if indicator.higher_is_better else "lower is better"
        ax.set_xlabel(f"{indicator.title} ({indicator.unit}; {direction})")
        if indicator.min is not None and indicator.max is not None and indicator.unit == "index":
            ax.set_xlim(indicator.min, indicator.max * 1.12)
        svg = _svg(fig)
    missing = [labels[c] for c in members if pd.isna(series[c])]
    alt = _indicator_takeaway(indicator, series, labels, median, missing)
    rows = [
        [labels[c], format_number(series[c], indicator.decimals), _reason(subset, c)]
        for c in members
    ]
    return Chart(
        id=f"fig-{indicator.id}",
        title=f"{indicator.title} by member",
        alt=alt,
        svg=svg,
        columns=["Member", indicator.title, "Note"],
        rows=rows,
        notes=[f"No value for {', '.join(missing)}: see the note in the table."] if missing else [],
    )


def _reason(subset: pd.DataFrame, code: str) -> str:
    if code not in subset.index:
        return "not reported"
    row = subset.loc[code]
    if pd.isna(row["value"]):
        return str(row["reason_missing"] or "not reported")
    return str(row["note"]) if isinstance(row["note"], str) else ""


def _indicator_takeaway(
    indicator: Indicator,
    series: pd.Series,
    labels: dict[str, str],
    median: float,
    missing: list[str],
) -> str:
    reported = series.dropna()
    if reported.empty:
        return f"No member reported {indicator.title}."
    best: Any = reported.idxmax() if indicator.higher_is_better else reported.idxmin()
    worst: Any = reported.idxmin() if indicator.higher_is_better else reported.idxmax()
    d = indicator.decimals
    text = (
        f"{labels[str(best)]} has the best {indicator.title} "
        f"({format_number(reported.loc[best], d)}) and {labels[str(worst)]} the weakest "
        f"({format_number(reported.loc[worst], d)}); the group median is "
        f"{format_number(median, d)} across {len(reported)} members."
    )
    if missing:
        text += f" No value for {', '.join(missing)}."
    return text


def change_chart(change: pd.DataFrame, wg: WorkingGroup, indicator: Indicator) -> Chart:
    """Previous edition → this edition, per member, for one indicator."""
    import matplotlib

    labels, colours = _labels(wg), member_colours(wg)
    subset = change[change["indicator"] == indicator.id].set_index("member")
    members = [m.code for m in wg.members if m.code in subset.index]
    with matplotlib.rc_context(_RC):
        fig, ax = _figure(6.2, 0.32 * len(members) + 1.0)
        positions = list(range(len(members)))[::-1]
        for pos, code in zip(positions, members, strict=True):
            before, after = (
                as_float(subset.at[code, "previous"]),
                as_float(subset.at[code, "value"]),
            )
            if math.isnan(before) or math.isnan(after):
                anchor = after if not math.isnan(after) else before
                x = 0.0 if math.isnan(anchor) else anchor
                ax.text(x, pos, "  n/a", va="center", color="#5f6b78", style="italic")
                continue
            ax.plot([before, after], [pos, pos], color="#5f6b78", linewidth=1)
            ax.scatter(
                [before], [pos], s=26, facecolors="white", edgecolors=colours[code], zorder=3
            )
            ax.scatter([after], [pos], s=30, color=colours[code], edgecolors="#1d2733", zorder=3)
        ax.set_yticks(positions, [labels[c] for c in members])
        ax.set_xlabel(f"{indicator.title}: previous edition (open circle) to this edition (filled)")
        svg = _svg(fig)
    both = subset.dropna(subset=["previous", "value"])
    deltas = (both["value"] - both["previous"]).reindex([c for c in members if c in both.index])
    if indicator.higher_is_better is False:
        deltas = -deltas
    if len(deltas):
        up, down = str(deltas.idxmax()), str(deltas.idxmin())
        alt = (
            f"Between editions, {labels[up]} improved most on {indicator.title} and "
            f"{labels[down]} least, among the {len(deltas)} members with both values."
        )
    else:
        alt = f"No member has {indicator.title} values for both editions."
    missing = [labels[c] for c in members if c not in both.index]
    if missing:
        alt += f" Not shown for want of both values: {', '.join(missing)}."
    rows = [
        [
            labels[c],
            format_number(subset.at[c, "previous"], indicator.decimals),
            format_number(subset.at[c, "value"], indicator.decimals),
            format_number(subset.at[c, "change"], indicator.decimals, signed=True),
        ]
        for c in members
    ]
    return Chart(
        id=f"fig-change-{indicator.id}",
        title=f"{indicator.title}: change against the previous edition",
        alt=alt,
        svg=svg,
        columns=["Member", "Previous edition", "This edition", "Change"],
        rows=rows,
        notes=[indicator.caveat] if indicator.caveat else [],
    )


def theme_chart(themes: pd.DataFrame, wg: WorkingGroup) -> Chart:
    """Initiatives by theme (rows) and member (columns), as a dot matrix."""
    import matplotlib

    labels = _labels(wg)
    titles = {t.id: t.title for t in wg.themes}
    members = list(themes.columns)
    theme_ids = list(themes.index)
    with matplotlib.rc_context(_RC):
        fig, ax = _figure(6.4, 0.36 * len(theme_ids) + 1.4)
        for row, theme_id in enumerate(theme_ids):
            y = len(theme_ids) - 1 - row
            for col, code in enumerate(members):
                count = as_int(themes.at[theme_id, code])
                if count:
                    ax.scatter([col], [y], s=70 * count, color="#0b5394", alpha=0.85)
                    ax.text(col, y, str(count), ha="center", va="center", color="white", fontsize=7)
                else:
                    ax.text(col, y, "·", ha="center", va="center", color="#9aa5b1")
        ax.set_xticks(range(len(members)), [labels[c] for c in members], rotation=45, ha="right")
        ax.set_yticks(range(len(theme_ids)), [titles[t] for t in reversed(theme_ids)])
        ax.set_xlim(-0.6, len(members) - 0.4)
        ax.set_ylim(-0.6, len(theme_ids) - 0.4)
        svg = _svg(fig)
    totals = themes.sum(axis=1)
    reach = (themes > 0).sum(axis=1)
    top = str(totals.idxmax()) if len(totals) else ""
    alt = (
        f"'{titles.get(top, top)}' is the most common theme, with {int(totals.get(top, 0))} "
        f"initiatives from {int(reach.get(top, 0))} members."
        if top
        else "No initiatives were reported."
    )
    if len(members) <= MAX_MEMBER_COLUMNS:
        columns = ["Theme", *[labels[c] for c in members], "Total"]
        rows = [
            [titles[t], *[str(as_int(themes.at[t, c])) for c in members], str(int(totals[t]))]
            for t in theme_ids
        ]
    else:
        # One column per member would run off an A4 page: one row per member instead.
        columns = ["Member", *[titles[t] for t in theme_ids], "Total"]
        rows = [
            [
                labels[c],
                *[str(as_int(themes.at[t, c])) for t in theme_ids],
                str(sum(as_int(themes.at[t, c]) for t in theme_ids)),
            ]
            for c in members
        ]
    return Chart(
        id="fig-themes",
        title="Initiatives by theme and member",
        alt=alt,
        svg=svg,
        columns=columns,
        rows=rows,
    )


def status_chart(initiatives: pd.DataFrame, wg: WorkingGroup) -> Chart:
    """Initiatives per member, stacked by status."""
    import matplotlib

    labels = _labels(wg)
    members = [m.code for m in wg.members if m.code in set(initiatives["member"])]
    counts = pd.crosstab(initiatives["member"], initiatives["status"]).reindex(
        index=members, columns=list(STATUS_COLOURS), fill_value=0
    )
    with matplotlib.rc_context(_RC):
        fig, ax = _figure(6.2, 0.32 * len(members) + 1.2)
        positions = list(range(len(members)))[::-1]
        left = [0] * len(members)
        for status, colour in STATUS_COLOURS.items():
            widths = [as_int(counts.at[c, status]) for c in members]
            ax.barh(positions, widths, left=left, color=colour, edgecolor="white",
                    label=STATUS_LABELS[status])  # fmt: skip
            left = [a + b for a, b in zip(left, widths, strict=True)]
        ax.set_yticks(positions, [labels[c] for c in members])
        ax.set_xlabel("Initiatives")
        ax.legend(ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
        svg = _svg(fig)
    totals = counts.sum(axis=0)
    alt = (
        f"Of {int(totals.sum())} initiatives, "
        + ", ".join(
            f"{int(totals[s])} {'is' if int(totals[s]) == 1 else 'are'} {STATUS_LABELS[s].lower()}"
            for s in STATUS_COLOURS
        )
        + "."
    )
    rows = [
        [
            labels[c],
            *[str(as_int(counts.at[c, s])) for s in STATUS_COLOURS],
            str(as_int(counts.loc[c].sum())),
        ]
        for c in members
    ]
    return Chart(
        id="fig-status",
        title="Initiatives by status and member",
        alt=alt,
        svg=svg,
        columns=["Member", *STATUS_LABELS.values(), "Total"],
        rows=rows,
    )


_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(chart: Chart, number: int) -> str:
    """The chart's SVG ready to sit inside the report's HTML.

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
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    return (
        f'{head} id="{prefix}-svg" class="chart-svg" role="img"'
        f' aria-labelledby="{prefix}-title {prefix}-desc">'
        f'\n <title id="{prefix}-title">Figure {number}. {escape(chart.title)}</title>'
        f'\n <desc id="{prefix}-desc">{escape(chart.alt)}</desc>{rest}'
    )
