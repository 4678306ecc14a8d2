"""The practice charts: initiatives by theme and member (a dot matrix; in a large group, by
theme and status) and initiatives by status. Deterministic SVG in the house style of
`chartkit`; each with a title, a text alternative that states its takeaway, and its data."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..content.chartkit import (
    STATUS_COLOURS,
    Chart,
    Panel,
    chart_height,
    chart_panels,
    figure_svg,
    is_large_group,
    member_labels,
    new_figure,
    rc_params,
)
from ..content.formatting import STATUS_NAMES, as_int, status_title
from ..i18n import gettext as _
from ..i18n import ngettext
from ..inputs.models import WorkingGroup


def _source() -> str:
    return _(
        "Members' contributions: the initiatives each member reports, with their themes and "
        "statuses; counts by the working group."
    )


def _status_labels() -> dict[str, str]:
    """Each status's label in the charts (a legend, a column), in the report's language."""
    return {s: status_title(s) for s in STATUS_NAMES}


def theme_chart(
    themes: pd.DataFrame, wg: WorkingGroup, initiatives: pd.DataFrame | None = None
) -> Chart:
    """Initiatives by theme (rows) and member (columns), as a dot matrix; in a large group,
    where a column per member would not fit, initiatives by theme and status, with how
    many members report each theme (the initiatives are needed for the statuses)."""
    import matplotlib

    if is_large_group(len(themes.columns)):
        return _theme_summary_chart(themes, wg, initiatives)
    labels = member_labels(wg)
    titles = {t.id: t.title for t in wg.themes}
    members = list(themes.columns)
    theme_ids = list(themes.index)
    totals = themes.sum(axis=1)
    reach = (themes > 0).sum(axis=1)
    counts = {as_int(v) for v in themes.to_numpy().ravel() if as_int(v)}
    # when every dot stands for the same count, a number in each says nothing: the dot does
    same = next(iter(counts)) if len(counts) == 1 else None
    with matplotlib.rc_context(rc_params()):
        fig, ax = new_figure(6.4, 0.25 * len(theme_ids) + 1.0)
        for row, theme_id in enumerate(theme_ids):
            y = len(theme_ids) - 1 - row
            for col, code in enumerate(members):
                count = as_int(themes.at[theme_id, code])
                if count:
                    ax.scatter([col], [y], s=70 * count, color="#0b5394", alpha=0.85)
                    if same is None:
                        ax.text(col, y, str(count), ha="center", va="center", color="white",
                                fontsize=7)  # fmt: skip
                else:
                    ax.text(col, y, "·", ha="center", va="center", color="#9aa5b1")
        ax.set_xticks(range(len(members)), [labels[c] for c in members], rotation=45, ha="right")
        ax.set_yticks(range(len(theme_ids)), [titles[t] for t in reversed(theme_ids)])
        ax.set_xlim(-0.6, len(members) - 0.4)
        ax.set_ylim(-0.6, len(theme_ids) - 0.4)
        svg = figure_svg(fig)
    top = str(totals.idxmax()) if len(totals) else ""
    alt = (
        _(
            "'%(theme)s' is the most common theme, with %(count)s initiatives from "
            "%(members)s members."
        )
        % {
            "theme": titles.get(top, top),
            "count": int(totals.get(top, 0)),
            "members": int(reach.get(top, 0)),
        }
        if top
        else _("No initiatives were reported.")
    )
    columns = [_("Theme"), *[labels[c] for c in members], _("Total")]
    rows = [
        [titles[t], *[str(as_int(themes.at[t, c])) for c in members], str(int(totals[t]))]
        for t in theme_ids
    ]
    notes = _dot_notes(same)
    return Chart(
        source=_source(),
        id="fig-themes",
        title=_("Initiatives by theme and member"),
        alt=alt,
        svg=svg,
        columns=columns,
        rows=rows,
        notes=notes,
    )


def _dot_notes(same: int | None) -> list[str]:
    """What a dot of the theme chart stands for, when every dot stands for the same count."""
    if same == 1:
        return [
            _(
                "No member reports more than one initiative under a theme: in the figure a dot "
                "marks one, a point none."
            )
        ]
    if same is not None:
        return [
            _(
                "Every member reports %(count)s initiatives or none under each theme: in the "
                "figure a dot marks %(count)s, a point none."
            )
            % {"count": same}
        ]
    return []


def _theme_summary_chart(
    themes: pd.DataFrame, wg: WorkingGroup, initiatives: pd.DataFrame | None
) -> Chart:
    """A large group's theme chart: initiatives per theme, stacked by status when the
    initiatives are given, each bar labelled with how many members report the theme."""
    import matplotlib

    titles = {t.id: t.title for t in wg.themes}
    members = list(themes.columns)
    theme_ids = list(themes.index)
    totals = themes.sum(axis=1)
    reach = (themes > 0).sum(axis=1)
    if initiatives is not None and len(initiatives):
        by_status = pd.crosstab(initiatives["theme"], initiatives["status"]).reindex(
            index=theme_ids, columns=list(STATUS_COLOURS), fill_value=0
        )
    else:
        by_status = None
    with matplotlib.rc_context(rc_params()):
        fig, ax = new_figure(4.6, 0.26 * len(theme_ids) + 1.0)
        positions = list(range(len(theme_ids)))[::-1]
        if by_status is not None:
            left = [0] * len(theme_ids)
            for status, colour in STATUS_COLOURS.items():
                if not as_int(by_status[status].sum()):
                    continue  # no initiative has it: no legend entry for nothing
                widths = [as_int(by_status.at[t, status]) for t in theme_ids]
                ax.barh(positions, widths, left=left, color=colour, edgecolor="white",
                        label=status_title(status))  # fmt: skip
                left = [a + b for a, b in zip(left, widths, strict=True)]
            ax.legend(ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
        else:
            ax.barh(positions, [int(totals[t]) for t in theme_ids], color="#0b5394")
        for pos, theme_id in zip(positions, theme_ids, strict=True):
            ax.text(
                int(totals[theme_id]),
                pos,
                _(" %(count)s from %(members)s members")
                % {"count": int(totals[theme_id]), "members": int(reach[theme_id])},
                va="center",
                fontsize=7.5,
            )
        ax.set_yticks(positions, [titles[t] for t in theme_ids])
        ax.set_xlabel(_("Initiatives"))
        ax.set_xlim(0, max(1, int(totals.max()) if len(totals) else 1) * 1.45)
        svg = figure_svg(fig)
    if len(totals) and int(totals.sum()):
        top, fewest = str(totals.idxmax()), str(reach.idxmin())
        alt = _(
            "'%(theme)s' is the most common theme, with %(count)s initiatives from %(members)s "
            "of %(of)s members; '%(fewest)s' is reported by the fewest members (%(least)s)."
        ) % {
            "theme": titles[top],
            "count": int(totals[top]),
            "members": int(reach[top]),
            "of": len(members),
            "fewest": titles[fewest],
            "least": int(reach[fewest]),
        }
    else:
        alt = _("No initiatives were reported.")
    columns, rows = _theme_summary_table(titles, theme_ids, totals, reach, by_status,
                                         len(members))  # fmt: skip
    return Chart(
        source=_source(),
        id="fig-themes",
        title=_("Initiatives by theme and status"),
        alt=alt,
        svg=svg,
        columns=columns,
        rows=rows,
        notes=[_("Members: how many members report at least one initiative under the theme.")],
        compact=True,
    )


def _theme_summary_table(
    titles: Mapping[str, str],
    theme_ids: list[str],
    totals: pd.Series,
    reach: pd.Series,
    by_status: pd.DataFrame | None,
    members: int,
) -> tuple[list[str], list[list[str]]]:
    """The theme summary chart's data as a table: a row per theme (by status when known),
    and a total row."""
    if by_status is not None:
        columns = [_("Theme"), *_status_labels().values(), _("Total"), _("Members")]
        rows = [
            [
                titles[t],
                *[str(as_int(by_status.at[t, s])) for s in STATUS_COLOURS],
                str(int(totals[t])),
                str(int(reach[t])),
            ]
            for t in theme_ids
        ]
        rows.append(
            [
                _("All themes"),
                *[str(as_int(by_status[s].sum())) for s in STATUS_COLOURS],
                str(int(totals.sum())),
                str(members),
            ]
        )
    else:
        columns = [_("Theme"), _("Total"), _("Members")]
        rows = [[titles[t], str(int(totals[t])), str(int(reach[t]))] for t in theme_ids]
    return columns, rows


def status_charts(initiatives: pd.DataFrame, wg: WorkingGroup) -> list[Chart]:
    """Initiatives per member, stacked by status: one chart, or in a group of more than
    MAX_BARS members panels that share one scale."""
    members = [m.code for m in wg.members if m.code in set(initiatives["member"])]
    counts = _status_counts(initiatives, members)
    panels = chart_panels(members, len(members))
    limit = None
    if len(panels) > 1:
        limit = max(1, as_int(counts.sum(axis=1).max())) * 1.05
    return [_status_panel(counts, wg, panel, limit) for panel in panels]


def _status_counts(initiatives: pd.DataFrame, members: list[str]) -> pd.DataFrame:
    return pd.crosstab(initiatives["member"], initiatives["status"]).reindex(
        index=members, columns=list(STATUS_COLOURS), fill_value=0
    )


def _status_panel(
    all_counts: pd.DataFrame, wg: WorkingGroup, panel: Panel, limit: float | None
) -> Chart:
    import matplotlib

    labels = member_labels(wg)
    large = is_large_group(panel.total)
    members = panel.members
    counts = all_counts.reindex(index=members)
    with matplotlib.rc_context(rc_params()):
        fig, ax = new_figure(6.2, chart_height(len(members), large, 1.2))
        positions = list(range(len(members)))[::-1]
        left = [0] * len(members)
        for status, colour in STATUS_COLOURS.items():
            if not as_int(all_counts[status].sum()):
                continue  # no initiative has it: no legend entry for nothing
            widths = [as_int(counts.at[c, status]) for c in members]
            ax.barh(positions, widths, left=left, color=colour, edgecolor="white",
                    label=status_title(status))  # fmt: skip
            left = [a + b for a, b in zip(left, widths, strict=True)]
        ax.set_yticks(positions, [labels[c] for c in members])
        ax.set_xlabel(_("Initiatives"))
        ax.legend(ncols=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
        if limit is not None:
            ax.set_xlim(0, limit)
        if large:
            ax.set_ylim(-0.6, len(members) - 0.4)
        svg = figure_svg(fig)
    totals = counts.sum(axis=0)
    counted = ", ".join(
        ngettext("%(count)s is %(status)s", "%(count)s are %(status)s", int(totals[s]))
        % {"count": int(totals[s]), "status": status_title(s).lower()}
        for s in STATUS_COLOURS
    )
    alt = (
        _("of their %(total)s initiatives, %(counted)s.")
        if panel.split
        else _("Of %(total)s initiatives, %(counted)s.")
    ) % {"total": int(totals.sum()), "counted": counted}
    rows = [
        [
            labels[c],
            *[str(as_int(counts.at[c, s])) for s in STATUS_COLOURS],
            str(as_int(counts.loc[c].sum())),
        ]
        for c in members
    ]
    chart = Chart(
        source=_source(),
        id="fig-status",
        title=_("Initiatives by status and member"),
        alt=panel.lead(labels) + alt,
        svg=svg,
        columns=[_("Member"), *_status_labels().values(), _("Total")],
        rows=rows,
    )
    return panel.tag(chart, labels, large)
