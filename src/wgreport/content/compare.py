"""What the report compares a value with, and how: the data year of an indicator's values,
the published reference averages of that survey edition, who is best (ties named as ties),
and the sources of the previous edition's values. Pure functions over the frames."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..inputs.models import Indicator, ReferenceValue, WorkingGroup
from .formatting import format_number, format_written, rounded


def data_year(values: pd.DataFrame, indicator_id: str, column: str = "data_year") -> int | None:
    """The survey edition most of an indicator's values come from (the latest on a tie)."""
    years = values.loc[values["indicator"] == indicator_id, column].dropna()
    if years.empty:
        return None
    counts = years.astype(int).value_counts()
    top = counts.max()
    return max(int(str(y)) for y, n in counts.items() if n == top)


def references(indicator: Indicator, values: pd.DataFrame) -> list[ReferenceValue]:
    """The published averages of the survey edition the members' values come from."""
    return indicator.reference(data_year(values, indicator.id))


def reference_text(ref: ReferenceValue) -> str:
    """ "the 2024 world average of 0.6382" """
    return f"the {ref.data_year} {running_label(ref.label)} of {format_written(ref.value)}"


def running_label(label: str) -> str:
    """A label as running text writes it: "World average" → "world average"; an acronym
    stays ("OECD average")."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def best_first(series: pd.Series, indicator: Indicator) -> pd.Series:
    """Reported values, best first (for a rank or any lower-is-better indicator, lowest
    first); ties keep the group's order."""
    reported = series.dropna()
    return reported.sort_values(ascending=not indicator.higher_is_better, kind="stable")


def tied_with(series: pd.Series, indicator: Indicator, position: int) -> list[str]:
    """The members whose printed value equals the value at `position` of the best-first
    order (a tie as the reader sees it: the same printed figure)."""
    order = best_first(series, indicator)
    if position >= len(order):
        return []
    target = rounded(order.iloc[position], indicator.decimals)
    return [str(c) for c, v in order.items() if rounded(v, indicator.decimals) == target]


def names(labels: Sequence[str]) -> str:
    """ "Korea", "Korea and Estonia", "Korea, Estonia and Denmark" """
    items = list(labels)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve"]  # fmt: skip


def count_word(n: int) -> str:
    """A count in words up to twelve, as running text writes it."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


@dataclass(frozen=True)
class SourceGroup:
    """Values that share a source and data year, and the members they belong to."""

    source: str
    data_year: str
    members: list[str]


def source_groups(
    frame: pd.DataFrame, source: str = "source", year: str = "data_year"
) -> list[SourceGroup]:
    """The sources of the values in `frame` (rows with a value), the most common first."""
    groups: dict[tuple[str, str], list[str]] = {}
    for row in frame.itertuples():
        src = getattr(row, source)
        yr = getattr(row, year)
        key = (
            str(src) if isinstance(src, str) and src else "source not given",
            "" if pd.isna(yr) else str(int(yr)),
        )
        groups.setdefault(key, []).append(str(row.member))
    ordered = sorted(groups.items(), key=lambda kv: -len(kv[1]))
    return [SourceGroup(source=s, data_year=y, members=m) for (s, y), m in ordered]


def previous_sources_note(
    wg: WorkingGroup, change: pd.DataFrame, indicator: Indicator, previous_year: int
) -> str | None:
    """One sentence giving the source and data year of every previous-edition value of an
    indicator: "2023 edition values: data year 2022, UN E-Government Survey 2022 (all 10
    members)." None when the previous edition has none."""
    subset = change[(change["indicator"] == indicator.id) & change["previous"].notna()]
    if subset.empty:
        return None
    groups = source_groups(subset, "previous_source", "previous_data_year")
    parts = []
    for index, group in enumerate(groups):
        if len(groups) == 1:
            who = f"all {len(group.members)} members" if len(group.members) > 1 else None
        elif index == 0:
            who = f"the other {len(group.members)} members" if len(group.members) > 1 else None
        else:
            who = None
        who = who or names([_label(wg, c) for c in group.members])
        year = f"data year {group.data_year}, " if group.data_year else ""
        parts.append(f"{year}{group.source} ({who})")
    if len(parts) > 1:  # the largest group, "the other N", last
        parts = parts[1:] + parts[:1]
    return f"{indicator.title}, {previous_year} edition values: " + "; ".join(parts) + "."


@dataclass(frozen=True)
class PreviousValue:
    """A member's value of an indicator in the previous edition, with its data year and
    source as that edition's file gives them."""

    value: float
    data_year: str
    source: str


def previous_values(change: pd.DataFrame) -> dict[tuple[str, str], PreviousValue | None]:
    """The previous edition's value of every (member, indicator) row of the change frame,
    read in one pass (a 193-member report filtered the frame 772 times); a row without a
    previous value maps to None, a member and indicator without a row are not in it."""
    out: dict[tuple[str, str], PreviousValue | None] = {}
    row: Any
    for row in change.itertuples(index=False):
        key = (str(row.member), str(row.indicator))
        if key in out:
            continue
        if pd.isna(row.previous):
            out[key] = None
            continue
        year, source = row.previous_data_year, row.previous_source
        out[key] = PreviousValue(
            value=float(row.previous),
            data_year="" if pd.isna(year) else str(int(year)),
            source=source if isinstance(source, str) else "",
        )
    return out


def _label(wg: WorkingGroup, code: str) -> str:
    member = wg.member(code)
    return member.label if member else code


def reference_rows(wg: WorkingGroup, values: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """The matrix's rows of published averages: one per label (World average, OECD
    average), a cell per indicator ("–" where the source publishes none)."""
    labels: list[str] = []
    found: dict[tuple[str, str], ReferenceValue] = {}
    for indicator in wg.indicators:
        for ref in references(indicator, values):
            if ref.label not in labels:
                labels.append(ref.label)
            found[(ref.label, indicator.id)] = ref
    rows = []
    for label in labels:
        years = sorted({r.data_year for (lbl, _), r in found.items() if lbl == label})
        title = f"{label} ({', '.join(str(y) for y in years)})"
        cells = [
            format_written(found[(label, i.id)].value) if (label, i.id) in found else "–"
            for i in wg.indicators
        ]
        rows.append((title, cells))
    return rows


def stat_cell(stats: pd.DataFrame, indicator: Indicator, which: str) -> str:
    """The best or weakest reported value of an indicator (for a rank, the lowest is best)."""
    high, low = stats.at[indicator.id, "max"], stats.at[indicator.id, "min"]
    best, weakest = (high, low) if indicator.higher_is_better else (low, high)
    return format_number(best if which == "best" else weakest, indicator.decimals)


def constant_value(values: pd.DataFrame) -> object:
    """The one value every member reporting an indicator has (two or more members), else
    None: such an indicator gets a sentence instead of a chart of equal bars."""
    reported = values["value"].dropna()
    if len(reported) > 1 and reported.nunique() == 1:
        return reported.iloc[0]
    return None
