"""Charts as deterministic SVG (matplotlib, Agg, fixed fonts, no timestamps, fixed ids).

Every chart comes with a title, a text alternative that states its main takeaway, and the
data it shows as a table. Members keep one colour everywhere; the tables keep the group's
order, while the bars run best first and the moves between editions most improved first. A
member without a value is said in the note, never dropped or shown as zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..content.chartkit import (
    ACCENT,
    MUTED_ACCENT,
    Chart,
    Panel,
    ReferenceLine,
    chart_height,
    chart_panels,
    draw_reference_lines,
    figure_svg,
    is_large_group,
    member_labels,
    new_figure,
    rc_params,
)
from ..content.compare import best_first, references, running_label
from ..content.formatting import (
    as_float,
    as_int,
    exact_median,
    format_change,
    format_median,
    format_number,
    format_written,
    is_not_available,
    printed_change,
    unit_name,
)
from ..i18n import current_language
from ..i18n import gettext as _
from ..inputs.models import Indicator, WorkingGroup
from .practicecharts import status_charts, theme_chart

__all__ = ["change_charts", "indicator_charts", "status_charts", "theme_chart"]


def indicator_charts(values: pd.DataFrame, wg: WorkingGroup, indicator: Indicator) -> list[Chart]:
    """Each member's value for one indicator, with the group median marked: one chart, or
    in a group of more than MAX_BARS members panels that share one scale."""
    subset = values[values["indicator"] == indicator.id].set_index("member")
    members = [m.code for m in wg.members if m.code in subset.index]
    panels = chart_panels(members, len(members))
    limits = None
    if len(panels) > 1 and not _index_scale(indicator):
        limits = _shared_limits(subset["value"])
    return [_indicator_panel(subset, wg, indicator, panel, limits) for panel in panels]


def _index_scale(indicator: Indicator) -> bool:
    return indicator.min is not None and indicator.max is not None and indicator.unit == "index"


def _shared_limits(values: pd.Series) -> tuple[float, float] | None:
    """One value axis for every panel of a split chart, from 0 (or below) to the largest
    value with room for its label."""
    reported = values.dropna()
    if reported.empty:
        return None
    low, high = min(0.0, float(reported.min())), max(0.0, float(reported.max()))
    span = (high - low) or 1.0
    return (low - (0.02 * span if low < 0 else 0.0), high + 0.12 * span)


def _indicator_panel(
    subset: pd.DataFrame,
    wg: WorkingGroup,
    indicator: Indicator,
    panel: Panel,
    limits: tuple[float, float] | None,
) -> Chart:
    import matplotlib

    labels = member_labels(wg)
    large = is_large_group(panel.total)
    members = panel.members
    everyone = subset["value"]
    series = everyone.reindex(members)
    group_reported = everyone.dropna()
    exact_mid = exact_median(group_reported)
    median = math.nan if exact_mid is None else float(exact_mid)
    refs = references(indicator, subset.reset_index())
    shown = list(best_first(series, indicator).index)  # reported values, best first
    if _index_scale(indicator):
        xlim: tuple[float, float] = (indicator.min, indicator.max * 1.12)  # type: ignore[assignment,operator]
    elif limits is not None:
        xlim = limits
    else:
        xlim = (0.0, max([float(v) for v in group_reported] + [0.0]) * 1.12 or 1.0)
    with matplotlib.rc_context(rc_params()):
        fig, ax = new_figure(6.2, chart_height(max(len(shown), 1), large, 0.8))
        _draw_values(ax, series.reindex(shown), indicator, xlim[1])
        positions = list(range(len(shown)))[::-1]
        ax.set_yticks(positions, [labels[c] for c in shown])
        ax.set_xlabel(_value_axis_label(indicator))
        if indicator.unit == "rank":
            worst = max([float(v) for v in group_reported] + [1.0])
            ax.set_xlim(math.ceil(worst * 1.15) + 1, 0)  # inverted: the best (1) on the right
        else:
            ax.set_xlim(*xlim)
        if large:
            ax.set_ylim(-0.6, max(len(shown), 1) - 0.4)
        draw_reference_lines(ax, _reference_lines(indicator, exact_mid, refs))
        svg = figure_svg(fig)
    missing = [labels[c] for c in members if pd.isna(series[c])]
    if panel.split:
        alt = panel.lead(labels) + _indicator_takeaway(
            indicator, series, labels, median, missing, among=len(group_reported)
        )
    else:
        alt = _indicator_takeaway(indicator, series, labels, median, missing)
    rows = [
        [labels[c], format_number(series[c], indicator.decimals), _reason(subset, c)]
        for c in members
    ]
    columns, rows, shared = said_once([_("Member"), indicator.title, _("Note")], rows, missing)
    notes = _indicator_notes(indicator, refs, shared, missing, large)
    chart = Chart(
        id=f"fig-{indicator.id}",
        title=_("%(indicator)s by member") % {"indicator": indicator.title},
        alt=alt,
        svg=svg,
        columns=columns,
        rows=rows,
        notes=notes,
        source=_source(indicator, subset, "data_year"),
    )
    return panel.tag(chart, labels, large)


def _indicator_notes(
    indicator: Indicator, refs: list[Any], shared: list[str], missing: list[str], large: bool
) -> list[str]:
    """An indicator chart's notes: its references' sources, what every value shares, how a
    rank reads, and who has no value (and where the reason is)."""
    notes = [
        _("%(label)s (%(year)s): %(source)s.")
        % {"label": r.label, "year": r.data_year, "source": r.source}
        for r in refs
    ] + shared
    if indicator.unit == "rank":
        notes.insert(0, _("Rank 1 is best: the axis runs from the lowest rank to 1, on the right."))
    if missing:
        # named by number once the report is numbered (content.numbering.named_notes)
        where = (
            _("{completeness_table} gives the reason")
            if large
            else _("the reason is in the Note column of {data_table}")
        )
        notes.append(
            _("No value for %(members)s: %(where)s.")
            % {"members": ", ".join(missing), "where": where}
        )
    return notes


def said_once(
    columns: list[str], rows: list[list[str]], missing: list[str]
) -> tuple[list[str], list[list[str]], list[str]]:
    """A note that every shown value shares (the last column: "Not comparable with the 2019
    index" beside each of nine values) is said once under the table instead; the column
    goes when no row keeps a note of its own (a missing value keeps its reason)."""
    shown = [row for row in rows if row[0] not in missing]
    texts = {row[-1] for row in shown}
    if len(shown) < 2 or len(texts) != 1 or not (text := texts.pop()):
        return columns, rows, []
    rows = [[*row[:-1], ""] if row[0] not in missing else row for row in rows]
    if not any(row[-1] for row in rows):
        columns, rows = columns[:-1], [row[:-1] for row in rows]
    return columns, rows, [_("Every value shown: %(note)s.") % {"note": text.rstrip(".")}]


def _source(indicator: Indicator, subset: pd.DataFrame, *columns: str) -> str:
    """ "UN DESA, United Nations E-Government Survey (2024 data), as reported by members;
    group median and comparisons: the working group." """
    years = sorted(
        {as_int(y) for column in columns for y in subset[column].dropna()} if len(subset) else set()
    )
    data = (
        _(" (%(years)s data)") % {"years": _(" and ").join(str(y) for y in years)} if years else ""
    )
    return _(
        "%(source)s%(data)s, values as reported by the members; "
        "group median and comparisons calculated by the working group."
    ) % {"source": indicator.source, "data": data}


def _value_axis_label(indicator: Indicator) -> str:
    if indicator.unit == "rank":
        return _("%(indicator)s (rank; 1 = best)") % {"indicator": indicator.title}
    direction = _("higher is better") if indicator.higher_is_better else _("lower is better")
    return _("%(indicator)s (%(unit)s; %(direction)s)") % {
        "indicator": indicator.title,
        "unit": unit_name(indicator.unit),
        "direction": direction,
    }


def _draw_values(ax: Any, series: pd.Series, indicator: Indicator, span: float) -> None:
    """A bar per member in the accent colour, best first, or for a rank a dot (a longer bar
    would be a worse rank); each with its printed value, inside the bar's end where it fits
    (so no reference line runs through it). Only reported values: a missing one is said in
    the figure's note, never drawn."""
    positions = list(range(len(series)))[::-1]
    rank = indicator.unit == "rank"
    for pos, (code, value) in zip(positions, series.items(), strict=True):
        if rank:
            dot = ax.scatter([float(value)], [pos], s=34, color=ACCENT, zorder=3)
            dot.set_gid(f"dot-{code}")
            ax.plot([float(value), 1], [pos, pos], color="#c9d1da", linewidth=0.8, zorder=1)
            ax.annotate(
                format_number(value, 0),
                (float(value), pos),
                xytext=(-6, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                fontsize=7.5,
                zorder=4,
            )
            continue
        bars = ax.barh(pos, float(value), color=ACCENT, height=0.7, zorder=2)
        bars.patches[0].set_gid(f"bar-{code}")
        text = format_number(value, indicator.decimals)
        inside = span > 0 and float(value) / span > 0.25
        ax.annotate(
            text,
            (float(value), pos),
            xytext=(-3 if inside else 3, 0),
            textcoords="offset points",
            ha="right" if inside else "left",
            va="center",
            fontsize=7.5,
            color="white" if inside else "#1d2733",
            zorder=4,
        )


def _reference_lines(indicator: Indicator, median: Any, refs: list[Any]) -> list[ReferenceLine]:
    """The group median (dashed) and each published reference average (dotted)."""
    lines = []
    if median is not None:
        caption = _("group median %(value)s") % {
            "value": format_median(median, indicator.decimals, indicator.unit)
        }
        lines.append(ReferenceLine(float(median), "--", caption, "refline-median"))
    for index, ref in enumerate(refs):
        # the group's label as written; English running text lowers its capital
        label = running_label(ref.label) if current_language() == "en" else ref.label
        caption = f"{label} {format_written(ref.value)}"
        lines.append(ReferenceLine(float(ref.value), ":", caption, f"refline-{index}"))
    return lines


def _reason(subset: pd.DataFrame, code: str) -> str:
    if code not in subset.index:
        return _("not reported")
    row = subset.loc[code]
    if pd.isna(row["value"]):
        return str(row["reason_missing"] or _("not reported"))
    return str(row["note"]) if isinstance(row["note"], str) else ""


def _indicator_takeaway(
    indicator: Indicator,
    series: pd.Series,
    labels: dict[str, str],
    median: float,
    missing: list[str],
    among: int | None = None,
) -> str:
    """The chart's main point. `among`: the members reporting in the whole group, when the
    chart is one panel of it (the median is the group's, the best and weakest the panel's)."""
    reported = series.dropna()
    d = indicator.decimals
    if reported.empty:
        if among is None:
            return _("No member reported %(indicator)s.") % {"indicator": indicator.title}
        text = _("none reported %(indicator)s.") % {"indicator": indicator.title}
    else:
        best: Any = reported.idxmax() if indicator.higher_is_better else reported.idxmin()
        worst: Any = reported.idxmin() if indicator.higher_is_better else reported.idxmax()
        extremes = _(
            "%(best)s has the best %(indicator)s (%(best_value)s) and %(worst)s the weakest "
            "(%(worst_value)s)"
        ) % {
            "best": labels[str(best)],
            "indicator": indicator.title,
            "best_value": format_number(reported.loc[best], d),
            "worst": labels[str(worst)],
            "worst_value": format_number(reported.loc[worst], d),
        }
        if among is None:
            text = _("%(extremes)s; the group median is %(median)s across %(count)s members.") % {
                "extremes": extremes,
                "median": format_median(median, d, indicator.unit),
                "count": len(reported),
            }
        else:
            text = f"{extremes}."
    if among is not None and not math.isnan(median):
        text += _(
            " The dashed line marks the group median, %(median)s, across all %(count)s "
            "members reporting."
        ) % {"median": format_median(median, d, indicator.unit), "count": among}
    if missing:
        text += _(" No value for %(members)s.") % {"members": ", ".join(missing)}
    return text


def change_charts(change: pd.DataFrame, wg: WorkingGroup, indicator: Indicator) -> list[Chart]:
    """Previous edition → this edition, per member, for one indicator: one chart, or in a
    group of more than MAX_BARS members panels that share one scale."""
    subset = change[change["indicator"] == indicator.id].set_index("member")
    members = [m.code for m in wg.members if m.code in subset.index]
    panels = chart_panels(members, len(members))
    limits = None
    if len(panels) > 1:
        both = pd.concat([subset["previous"], subset["value"]]).dropna()
        if len(both):
            low, high = float(both.min()), float(both.max())
            pad = 0.04 * ((high - low) or 1.0)
            limits = (low - pad, high + pad)
    return [_change_panel(subset, wg, indicator, panel, limits) for panel in panels]


def _deltas(subset: pd.DataFrame, members: list[str], indicator: Indicator) -> pd.Series:
    """Each member's printed change (positive when better), for those with both values."""
    both = subset.reindex(members).dropna(subset=["previous", "value"])
    sign = 1 if indicator.higher_is_better else -1
    dec = indicator.decimals
    return pd.Series(
        {
            c: sign * float(printed_change(both.at[c, "value"], both.at[c, "previous"], dec) or 0)
            for c in members
            if c in both.index
        },
        dtype=float,
    )


def _most_changed(deltas: pd.Series) -> set[str]:
    """The members the change chart's takeaway names: who changed most either way."""
    if len(deltas) < 2 or float(deltas.max()) == float(deltas.min()) == 0:
        return set()
    return {str(deltas.idxmax()), str(deltas.idxmin())}


def _changes(deltas: pd.Series, labels: Mapping[str, str], title: str) -> str:
    """Who changed most on `title` between editions, worded by the sign of the changes
    (`deltas`, positive when better): "improved least" only when every member improved."""
    up, down = str(deltas.idxmax()), str(deltas.idxmin())
    best, worst = float(deltas.max()), float(deltas.min())
    if best == worst == 0:
        return _("no member's %(indicator)s changed") % {"indicator": title}
    values = {"indicator": title, "up": labels[up], "down": labels[down]}
    if best <= 0:
        if best < 0:
            return (
                _(
                    "no member improved on %(indicator)s: %(down)s declined most and %(up)s "
                    "declined least"
                )
                % values
            )
        return (
            _(
                "no member improved on %(indicator)s: %(down)s declined most and %(up)s did not "
                "change"
            )
            % values
        )
    if worst < 0:
        return _("%(up)s improved most on %(indicator)s and %(down)s declined most") % values
    if worst > 0:
        return _("%(up)s improved most on %(indicator)s and %(down)s least") % values
    return _("%(up)s improved most on %(indicator)s and %(down)s did not change") % values


def _change_panel(
    subset: pd.DataFrame,
    wg: WorkingGroup,
    indicator: Indicator,
    panel: Panel,
    limits: tuple[float, float] | None,
) -> Chart:
    import matplotlib

    labels = member_labels(wg)
    large = is_large_group(panel.total)
    members = panel.members
    dec = indicator.decimals
    with matplotlib.rc_context(rc_params()):
        # only the members with both values: the others are named in the note
        pairs = subset.reindex(members)[["previous", "value"]].notna().all(axis=1)
        deltas = _deltas(subset, members, indicator)
        # most improved first, as the bars run best first; ties keep the group's order
        drawn = sorted((c for c in members if bool(pairs[c])), key=lambda c: -deltas[c])
        named = _most_changed(deltas)
        colours = {c: ACCENT if c in named else MUTED_ACCENT for c in drawn}
        fig, ax = new_figure(6.2, chart_height(max(len(drawn), 1), large, 0.85))
        positions = _draw_moves(ax, subset, drawn, colours, indicator)
        ax.set_yticks(positions, [labels[c] for c in drawn])
        for code, tick in zip(drawn, ax.get_yticklabels(), strict=True):
            if code in named:
                tick.set_fontweight("bold")
        ax.set_xlabel(
            _("%(indicator)s: previous edition (open circle) to this edition (filled)")
            % {"indicator": indicator.title}
        )
        if limits is not None:
            ax.set_xlim(*limits)
        if indicator.unit == "rank":
            ax.invert_xaxis()  # 1 is best: a rise in rank moves right
        if large:
            ax.set_ylim(-0.6, max(len(drawn), 1) - 0.4)
        svg = figure_svg(fig)
    shown = subset.reindex(members)
    both = shown.dropna(subset=["previous", "value"])
    missing = [labels[c] for c in members if c not in both.index]
    alt = _change_alt(deltas, labels, indicator, panel.split, missing)
    rows = [
        [
            labels[c],
            _with_year(subset.at[c, "previous"], subset.at[c, "previous_data_year"], dec),
            _with_year(subset.at[c, "value"], subset.at[c, "data_year"], dec),
            format_change(subset.at[c, "value"], subset.at[c, "previous"], dec, indicator.unit),
        ]
        for c in members
    ]
    notes = _change_notes(indicator, shown, missing)
    if named:  # the takeaway names them; the chart shows them in full colour, in bold
        notes[0] = notes[0].removesuffix(".") + _("; in bold: the members named above.")
    chart = Chart(
        id=f"fig-change-{indicator.id}",
        title=_("%(indicator)s: change against the previous edition")
        % {"indicator": indicator.title},
        alt=panel.lead(labels) + alt,
        svg=svg,
        columns=[
            _("Member"),
            _("Previous edition (data year)"),
            _("This edition (data year)"),
            _("Change"),
        ],
        rows=rows,
        notes=notes + ([indicator.caveat] if indicator.caveat else []),
        source=_source(indicator, subset, "previous_data_year", "data_year").replace(
            _("values as reported by the members"), _("values as reported in the two editions")
        ),
    )
    return panel.tag(chart, labels, large)


def _change_alt(
    deltas: pd.Series,
    labels: Mapping[str, str],
    indicator: Indicator,
    split: bool,
    missing: list[str],
) -> str:
    """A change chart's takeaway (after its panel's lead when `split`): who changed most,
    and who is not drawn for want of both values."""
    if len(deltas):
        changes = {"changes": _changes(deltas, labels, indicator.title), "count": len(deltas)}
        alt = (
            _("between editions, %(changes)s, among the %(count)s of them with both values.")
            if split
            else _("Between editions, %(changes)s, among the %(count)s members with both values.")
        ) % changes
    elif split:
        alt = _("none has %(indicator)s values for both editions.") % {"indicator": indicator.title}
    else:
        alt = _("No member has %(indicator)s values for both editions.") % {
            "indicator": indicator.title
        }
    if missing:
        alt += _(" Not shown for want of both values: %(members)s.") % {
            "members": ", ".join(missing)
        }
    return alt


def _draw_moves(
    ax: Any,
    subset: pd.DataFrame,
    members: list[str],
    colours: Mapping[str, str],
    indicator: Indicator,
) -> list[int]:
    """Each member's move: an open circle (previous edition) joined to a filled one (this
    edition), labelled with the printed change to the right of the row's rightmost dot;
    `members` have both values. Returns the rows' positions."""
    positions = list(range(len(members)))[::-1]
    rightmost = max if indicator.unit != "rank" else min  # a rank's axis runs from high to 1
    for pos, code in zip(positions, members, strict=True):
        before, after = as_float(subset.at[code, "previous"]), as_float(subset.at[code, "value"])
        ax.plot([before, after], [pos, pos], color="#5f6b78", linewidth=1)
        ax.scatter([before], [pos], s=26, facecolors="white", edgecolors=colours[code], zorder=3)
        ax.scatter([after], [pos], s=30, color=colours[code], edgecolors="#1d2733", zorder=3)
        change = format_change(after, before, indicator.decimals, indicator.unit)
        text = ax.annotate(
            change,
            (rightmost(before, after), pos),
            xytext=(6, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=7.5,
            color="#1d2733",
            annotation_clip=False,
        )
        text.set_gid(f"change-{code}")
    return positions


def _change_notes(indicator: Indicator, shown: pd.DataFrame, missing: list[str]) -> list[str]:
    """How a change is computed, the previous values' sources, who is not drawn."""
    notes = [
        _(
            "Sorted by the change, the printed value minus the printed previous value; a rank "
            "that falls in number is up (1 is best)."
        )
        if indicator.unit == "rank"
        else _("Sorted by the change, the printed value minus the printed previous value.")
    ]
    notes += [
        _("Previous-edition values: %(source)s.") % {"source": s} for s in _previous_sources(shown)
    ]
    if missing:
        notes.append(
            _("Not drawn, for want of a value in both editions: %(members)s.")
            % {"members": ", ".join(missing)}
        )
    return notes


def _with_year(value: Any, year: Any, decimals: int) -> str:
    """ "0.9432 (2022)", or "n/a" """
    text = format_number(value, decimals)
    return f"{text} ({as_int(year)})" if not is_not_available(text) and not pd.isna(year) else text


def _previous_sources(shown: pd.DataFrame) -> list[str]:
    """Each previous-edition source with its data year, once."""
    rows = shown.dropna(subset=["previous"])
    seen: dict[str, None] = {}
    for source, year in zip(rows["previous_source"], rows["previous_data_year"], strict=True):
        if isinstance(source, str) and source:
            year_text = _(", data year %(year)s") % {"year": as_int(year)}
            seen[source + (year_text if not pd.isna(year) else "")] = None
    return list(seen)
