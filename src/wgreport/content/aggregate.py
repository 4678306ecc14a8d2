"""Pure pandas transforms from validated contributions to tidy frames.

No I/O, no Prefect, and inputs are never changed: every function returns new frames.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ..inputs.models import Contribution, WorkingGroup
from .formatting import exact, exact_median

INDICATOR_COLUMNS = [
    "member", "indicator", "value", "data_year", "source", "note", "reason_missing",
]  # fmt: skip


def indicator_values(contributions: Mapping[str, Contribution], wg: WorkingGroup) -> pd.DataFrame:
    """One row per member and catalogue indicator (members without a row get NaN)."""
    rows = []
    order = [m.code for m in wg.members]
    for code in order:
        contribution = contributions.get(code)
        if contribution is None:
            continue
        reported = {v.id: v for v in contribution.indicators}
        for indicator in wg.indicators:
            value = reported.get(indicator.id)
            rows.append(
                {
                    "member": code,
                    "indicator": indicator.id,
                    "value": value.value if value is not None else None,
                    "data_year": value.data_year if value is not None else None,
                    "source": value.source if value is not None else None,
                    "note": value.note if value is not None else None,
                    "reason_missing": (
                        value.reason_missing if value is not None else "not reported"
                    ),
                }
            )
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    frame["value"] = pd.to_numeric(frame["value"], errors="raise").astype("float64")
    frame["data_year"] = frame["data_year"].astype("Int64")
    return frame


def indicator_matrix(values: pd.DataFrame, wg: WorkingGroup) -> pd.DataFrame:
    """Member × indicator values, members in the group's order, indicators in the catalogue's."""
    members = [m.code for m in wg.members if m.code in set(values["member"])]
    indicators = [i.id for i in wg.indicators]
    matrix = values.pivot(index="member", columns="indicator", values="value")
    return matrix.reindex(index=members, columns=indicators)


def _median(values: pd.Series) -> float:
    """The median in exact decimal arithmetic (of the values as written), as a float: the
    median of 0.9011 and 0.9012 is 0.90115, where pandas gives 0.9011499999999999."""
    median = exact_median(values.dropna())
    return float("nan") if median is None else float(median)


def indicator_statistics(values: pd.DataFrame, wg: WorkingGroup) -> pd.DataFrame:
    """Per indicator: members reporting, group median, minimum and maximum."""
    grouped = values.groupby("indicator", sort=False)["value"]
    stats = pd.DataFrame(
        {
            "reported": grouped.count(),
            "median": grouped.agg(_median),
            "min": grouped.min(),
            "max": grouped.max(),
        }
    )
    return stats.reindex([i.id for i in wg.indicators])


def indicator_ranks(values: pd.DataFrame, wg: WorkingGroup) -> pd.DataFrame:
    """Each member's rank among the members for each indicator (1 = best; ties share)."""
    ranked = []
    for indicator in wg.indicators:
        subset = values[values["indicator"] == indicator.id]
        rank = subset["value"].rank(method="min", ascending=not indicator.higher_is_better)
        ranked.append(subset.assign(rank=rank.astype("Int64"))[["member", "indicator", "rank"]])
    if not ranked:
        return pd.DataFrame(columns=["member", "indicator", "rank"])
    return pd.concat(ranked, ignore_index=True)


CHANGE_COLUMNS = [
    "member", "indicator", "value", "data_year", "previous", "previous_data_year",
    "previous_source", "comparable", "change",
]  # fmt: skip


def indicator_change(
    current: pd.DataFrame,
    previous: pd.DataFrame | None,
    wg: WorkingGroup | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """Current and previous edition values side by side, each with its data year (and the
    previous one with its source), and the exact difference. Where the catalogue marks a
    break in the series at `year` (`Indicator.series_breaks`) the values are not
    `comparable` and there is no change."""
    base = current[["member", "indicator", "value", "data_year"]].copy()
    if previous is None or previous.empty:
        base["previous"] = float("nan")
        base["previous_data_year"] = pd.array([pd.NA] * len(base), dtype="Int64")
        base["previous_source"] = None
    else:
        prev = previous[["member", "indicator", "value", "data_year", "source"]].rename(
            columns={
                "value": "previous",
                "data_year": "previous_data_year",
                "source": "previous_source",
            }
        )
        base = base.merge(prev, on=["member", "indicator"], how="left")
    broken = {i.id for i in (wg.indicators if wg else []) if i.break_at(year) is not None}
    base["comparable"] = ~base["indicator"].isin(broken)
    base["change"] = [
        float(exact(now) - exact(before))  # type: ignore[operator]
        if ok and not (pd.isna(now) or pd.isna(before))
        else float("nan")
        for now, before, ok in zip(base["value"], base["previous"], base["comparable"], strict=True)
    ]
    return base[CHANGE_COLUMNS]


def initiatives_table(contributions: Mapping[str, Contribution], wg: WorkingGroup) -> pd.DataFrame:
    """One row per initiative: member, id, title, theme, status, started, ended."""
    rows = [
        {
            "member": code,
            "id": i.id,
            "title": i.title,
            "theme": i.theme,
            "status": i.status,
            "started": i.started,
            "ended": i.ended,
        }
        for code in (m.code for m in wg.members)
        if code in contributions
        for i in contributions[code].initiatives
    ]
    return pd.DataFrame(
        rows, columns=["member", "id", "title", "theme", "status", "started", "ended"]
    )


def theme_matrix(initiatives: pd.DataFrame, wg: WorkingGroup) -> pd.DataFrame:
    """Theme × member count of initiatives (themes and members in the group's order)."""
    counts = pd.crosstab(initiatives["theme"], initiatives["member"])
    members = [m.code for m in wg.members if m.code in set(initiatives["member"])]
    return counts.reindex(index=[t.id for t in wg.themes], columns=members, fill_value=0)


def status_counts(initiatives: pd.DataFrame) -> pd.Series:
    """How many initiatives are in each status, in lifecycle order."""
    order = ["planned", "in-progress", "completed", "discontinued"]
    return initiatives["status"].value_counts().reindex(order, fill_value=0)


def governance_table(contributions: Mapping[str, Contribution], wg: WorkingGroup) -> pd.DataFrame:
    """One row per member: lead institution, coordination model, strategy, legal instruments."""
    rows = []
    for member in wg.members:
        contribution = contributions.get(member.code)
        if contribution is None:
            continue
        gov = contribution.governance
        rows.append(
            {
                "member": member.code,
                "lead_institution": gov.lead_institution,
                "coordination_model": gov.coordination_model,
                "strategy": gov.strategy.title,
                "strategy_adopted": gov.strategy.adopted,
                "strategy_horizon": gov.strategy.horizon,
                "legal_instruments": len(gov.legal_instruments),
            }
        )
    return pd.DataFrame(rows)


def completeness(values: pd.DataFrame, wg: WorkingGroup) -> pd.DataFrame:
    """Who reported what: one row per member and indicator, with the reason when missing."""
    frame = values[["member", "indicator", "value", "reason_missing"]].copy()
    frame["reported"] = frame["value"].notna()
    frame["reason"] = frame["reason_missing"].where(~frame["reported"], "")
    return frame[["member", "indicator", "reported", "reason"]].reset_index(drop=True)


def themes_reach(themes: pd.DataFrame) -> pd.DataFrame:
    """Per theme: initiatives and how many members report at least one."""
    return pd.DataFrame({"initiatives": themes.sum(axis=1), "members": (themes > 0).sum(axis=1)})


@dataclass(frozen=True)
class Frames:
    """Every table the report is made from, computed once."""

    values: pd.DataFrame
    statistics: pd.DataFrame
    ranks: pd.DataFrame
    change: pd.DataFrame
    initiatives: pd.DataFrame
    themes: pd.DataFrame
    statuses: pd.Series
    governance: pd.DataFrame
    completeness: pd.DataFrame
    previous_initiatives: pd.DataFrame


def compute_frames(
    contributions: Mapping[str, Contribution],
    wg: WorkingGroup,
    previous: Mapping[str, Contribution] | None = None,
    year: int | None = None,
) -> Frames:
    """All aggregation for one edition `year` (and the previous one, for changes; the
    year, by default the contributions', decides which series breaks apply)."""
    if year is None:
        year = next((c.year for c in contributions.values()), None)
    values = indicator_values(contributions, wg)
    prev_values = indicator_values(previous, wg) if previous else None
    initiatives = initiatives_table(contributions, wg)
    return Frames(
        values=values,
        statistics=indicator_statistics(values, wg),
        ranks=indicator_ranks(values, wg),
        change=indicator_change(values, prev_values, wg, year),
        initiatives=initiatives,
        themes=theme_matrix(initiatives, wg),
        statuses=status_counts(initiatives),
        governance=governance_table(contributions, wg),
        completeness=completeness(values, wg),
        previous_initiatives=initiatives_table(previous or {}, wg),
    )
