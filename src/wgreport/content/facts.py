"""The facts the report can state in words: each a value computed from the frames, printed
with the same helpers the tables use (`formatting`), so that `{{ egdi.group.median }}` in
the secretariat's prose reads exactly as the indicator table prints the group median.

The families (factrefs.FAMILIES): the group median and its change; the spread (lowest,
highest, interquartile range); the published averages and the group's gap to each, from
the references of both editions (narrowed, widened or held); how many members rose, fell
or held; each member's value, change, rank among the members and place against the group
median; members high on one index and low on another; initiatives new, completed and
discontinued. The ids are `factrefs.fact_ids`; a fact without a value prints "n/a".
Pure: no I/O."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from ..i18n import gettext
from ..inputs.factrefs import fact_ids, reference_labels, reference_slug
from ..inputs.models import Indicator, ReferenceValue, WorkingGroup
from ..locales import N_
from . import aggregate
from .compare import data_year, names, running_label
from .formatting import (
    as_int,
    exact,
    exact_median,
    format_change,
    format_median,
    format_number,
    format_written,
    ordinal,
    printed_change,
)
from .tables import member_label


@dataclass(frozen=True)
class Fact:
    """One fact: its id, the text the report prints, the value (JSON-ready: a number as a
    string of its exact decimal, a count as an int, a word as a string; None when there is
    none) and where it comes from."""

    id: str
    printed: str
    value: str | int | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "printed": self.printed, "value": self.value, "source": self.source}


def _number(value: Any) -> str | None:
    number = exact(value)
    return None if number is None else str(number)


class _Facts:
    """Collects facts, keeping the id order of `fact_ids`."""

    def __init__(self) -> None:
        self.found: dict[str, Fact] = {}

    def add(self, fid: str, printed: str, value: str | int | None, source: str) -> None:
        self.found[fid] = Fact(fid, printed, value, source)

    def number(self, fid: str, printed: str, value: Any, source: str) -> None:
        self.add(fid, printed, None if printed == "n/a" else _number(value), source)

    def count(self, fid: str, n: int, source: str) -> None:
        self.add(fid, str(n), n, source)


def compute_facts(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    year: int,
    previous_year: int | None,
    codes: Sequence[str] | None = None,
) -> list[Fact]:
    """Every fact of the edition, in the order of `fact_ids` (every id there, with "n/a"
    where there is no value)."""
    members = [m.code for m in wg.members] if codes is None else list(codes)
    out = _Facts()
    out.count("edition.year", year, "the edition")
    if previous_year is None:
        out.add("edition.previous", "n/a", None, "no previous edition")
    else:
        out.count("edition.previous", previous_year, "the previous edition compared with")
    included = [c for c in members if c in set(frames.values["member"])]
    out.count("members.count", len(included), "the members whose contributions are included")
    for indicator in wg.indicators:
        _indicator_facts(out, wg, frames, indicator, year, previous_year, members)
    _contrasts(out, wg, frames)
    _initiatives(out, frames, year, previous_year)
    return [
        out.found.get(fid) or Fact(fid, "n/a", None, "no value") for fid in fact_ids(wg, members)
    ]


def _reported(frame: pd.DataFrame, indicator_id: str, column: str) -> pd.Series:
    rows = frame[frame["indicator"] == indicator_id]
    return rows.set_index("member")[column].dropna()


def _quartiles(values: Sequence[Decimal]) -> tuple[Decimal, Decimal] | None:
    """The first and third quartile (inclusive method, as spreadsheets compute them)."""
    if len(values) < 2:
        return None
    q1, _, q3 = statistics.quantiles(sorted(values), n=4, method="inclusive")
    return q1, q3


def _indicator_facts(
    out: _Facts,
    wg: WorkingGroup,
    frames: aggregate.Frames,
    indicator: Indicator,
    year: int,
    previous_year: int | None,
    members: Sequence[str],
) -> None:
    i, dec, unit, title = indicator.id, indicator.decimals, indicator.unit, indicator.title
    values = _reported(frames.values, i, "value")
    comparable = previous_year is not None and indicator.break_at(year) is None
    before = _reported(frames.change, i, "previous") if comparable else pd.Series(dtype=float)
    median = exact_median(values)
    previous_median = exact_median(before) if len(before) else None
    where = f"{title}, {year} edition"
    out.number(f"{i}.group.median", format_median(median, dec, unit), median,
               f"{where}: group median of {len(values)} members (indicator table)")  # fmt: skip
    out.number(
        f"{i}.group.median.previous",
        format_median(previous_median, dec, unit),
        previous_median,
        f"{title}, {previous_year} edition: group median of {len(before)} members"
        if comparable
        else f"{title}: no comparable previous edition",
    )
    median_change = printed_change(median, previous_median, dec)
    out.number(
        f"{i}.group.median.change",
        format_change(median, previous_median, dec, unit),
        median_change,
        f"{title}: group median, {year} edition against {previous_year}"
        if comparable
        else f"{title}: no change (no comparable previous edition)",
    )
    present = [d for d in map(exact, values) if d is not None]
    low, high = (min(present), max(present)) if present else (None, None)
    out.number(f"{i}.group.lowest", format_number(low, dec), low, f"{where}: lowest value")
    out.number(f"{i}.group.highest", format_number(high, dec), high, f"{where}: highest value")
    quartiles = _quartiles(present)
    iqr = quartiles[1] - quartiles[0] if quartiles else None
    out.number(f"{i}.group.iqr", format_number(iqr, dec), iqr,
               f"{where}: interquartile range (third quartile minus first)")  # fmt: skip
    out.count(f"{i}.group.reporting", len(values), f"{where}: members reporting a value")
    _reference_facts(out, frames, indicator, values, median, previous_median, comparable)
    _movement(out, frames, indicator, comparable, previous_year)
    rows = IndicatorRows(frames, indicator)
    for code in members:
        _member_facts(out, wg, rows, indicator, code, median, year, comparable)


def _reference_facts(
    out: _Facts,
    frames: aggregate.Frames,
    indicator: Indicator,
    values: pd.Series,
    median: Decimal | None,
    previous_median: Decimal | None,
    comparable: bool,
) -> None:
    """Each published average now and in the previous edition's survey, and the group's
    gap to it: the gap narrows or widens (from both editions' medians and references)."""
    i, dec, unit = indicator.id, indicator.decimals, indicator.unit
    now_year = data_year(frames.values, i)
    before_year = data_year(frames.change, i, "previous_data_year") if comparable else None
    surveys = f"{before_year} and {now_year} surveys" if before_year else f"{now_year} survey"
    for label in reference_labels(indicator):
        r = f"{i}.{reference_slug(label)}"
        name = running_label(label)
        now = _reference(indicator, label, now_year)
        before = _reference(indicator, label, before_year)
        level = exact(now.value) if now else None
        out.number(f"{r}.value", format_written(level), level, _ref_source(now, label))
        prev = exact(before.value) if before else None
        out.number(f"{r}.previous", format_written(prev), prev, _ref_source(before, label))
        out.number(f"{r}.change", format_change(level, prev, dec, unit),
                   printed_change(level, prev, dec),
                   f"the {name}, {surveys}")  # fmt: skip
        gap = printed_change(median, level, dec)
        gap_before = printed_change(previous_median, prev, dec)
        out.number(f"{r}.gap", _signed(gap, dec), gap,
                   f"the group median minus the {name}, {now_year} survey")  # fmt: skip
        then = f"{before_year} survey" if before_year else "no previous survey"
        out.number(f"{r}.gap.previous", _signed(gap_before, dec), gap_before,
                   f"the group median minus the {name}, {then}")  # fmt: skip
        trend = _trend(gap, gap_before)
        out.add(f"{r}.gap.trend", trend_word(trend) if trend else "n/a", trend,
                f"the group's gap to the {name}, {surveys}")  # fmt: skip
        if level is not None:
            better = sum(
                1
                for v in map(exact, values)
                if v is not None and (v > level if indicator.higher_is_better else v < level)
            )
            out.count(f"{r}.members.better", better,
                      f"members better than the {name} ({now_year} survey)")  # fmt: skip


def _reference(indicator: Indicator, label: str, year: int | None) -> ReferenceValue | None:
    return next((r for r in indicator.reference(year) if r.label == label), None)


def _ref_source(ref: ReferenceValue | None, label: str) -> str:
    if ref is None:
        return f"{label}: not published for this survey edition"
    return f"{ref.source}, {ref.data_year} ({label})"


def _signed(value: Decimal | None, dec: int) -> str:
    return format_number(value, dec, signed=True)


#: A gap's trend as a fact prints it, in the report's language (the fact's value stays the
#: English word, which `wgreport facts --format json` and the findings compare).
TREND_WORDS = {
    "narrowed": N_("narrowed"),
    "widened": N_("widened"),
    "held": N_("held"),
    "reversed": N_("reversed"),
}


def trend_word(trend: str) -> str:
    """How a gap moved between editions ("narrowed"), in the report's language."""
    return gettext(TREND_WORDS[trend])


def _trend(gap: Decimal | None, before: Decimal | None) -> str | None:
    """ "narrowed", "widened", "held" or "reversed" (the group moved to the other side)."""
    if gap is None or before is None:
        return None
    if gap and before and (gap > 0) != (before > 0):
        return "reversed"
    if abs(gap) == abs(before):
        return "held"
    return "narrowed" if abs(gap) < abs(before) else "widened"


def _movement(
    out: _Facts,
    frames: aggregate.Frames,
    indicator: Indicator,
    comparable: bool,
    previous_year: int | None,
) -> None:
    """How many members improved, declined or held, by their printed change (a rank
    improves when its number falls)."""
    i, dec = indicator.id, indicator.decimals
    rows = frames.change[frames.change["indicator"] == i].dropna(subset=["value", "previous"])
    if not comparable:
        return
    sign = 1 if indicator.higher_is_better else -1
    moves = [sign * (printed_change(r.value, r.previous, dec) or 0) for r in rows.itertuples()]
    source = f"{indicator.title}: members' printed change since the {previous_year} edition"
    out.count(f"{i}.members.improved", sum(1 for m in moves if m > 0), source)
    out.count(f"{i}.members.declined", sum(1 for m in moves if m < 0), source)
    out.count(f"{i}.members.unchanged", sum(1 for m in moves if m == 0), source)
    out.count(f"{i}.members.compared", len(moves), source)


class IndicatorRows:
    """One indicator's rows of the change frame and ranks, by member (looked up once, not
    filtered for each member: 193 members would filter the frames 772 times)."""

    def __init__(self, frames: aggregate.Frames, indicator: Indicator) -> None:
        change = frames.change[frames.change["indicator"] == indicator.id]
        self.change = {
            str(m): (v, p)
            for m, v, p in zip(change["member"], change["value"], change["previous"], strict=True)
        }
        ranks = frames.ranks[frames.ranks["indicator"] == indicator.id]
        self.ranks = {
            str(m): int(r) for m, r in zip(ranks["member"], ranks["rank"], strict=True)
            if not pd.isna(r)
        }  # fmt: skip
        self.tied = Counter(self.ranks.values())
        self.reporting = as_int(frames.statistics.at[indicator.id, "reported"])
        #: the group median as a member's table prints it
        self.median = format_median(
            frames.statistics.loc[indicator.id, "median"], indicator.decimals, indicator.unit
        )

    def rank(self, code: str) -> str | None:
        """A member's rank as its table and the rank facts print it: "3rd of 10", or "3rd of
        10 (tied)" when another member shares the rank (an ordinal, so that the rank of a
        rank indicator does not read as a rank of a rank); None without a rank."""
        rank = self.ranks.get(code)
        if rank is None:
            return None
        # in the report's language (Korean: 10개국 중 3위)
        text = gettext("%(rank)s of %(total)s") % {"rank": ordinal(rank), "total": self.reporting}
        return text + (gettext(" (tied)") if self.tied[rank] > 1 else "")


def _member_facts(
    out: _Facts,
    wg: WorkingGroup,
    rows: IndicatorRows,
    indicator: Indicator,
    code: str,
    median: Decimal | None,
    year: int,
    comparable: bool,
) -> None:
    """A member's value, previous value, change, rank and place against the median, as
    its chapter's table prints them."""
    i, dec, unit = indicator.id, indicator.decimals, indicator.unit
    if code not in rows.change:
        return
    now, before = rows.change[code]
    name = member_label(wg, code)
    where = f"{name}'s {indicator.title}"
    out.number(f"{i}.{code}.value", format_number(now, dec), now, f"{where}, {year} edition")
    out.number(f"{i}.{code}.previous", format_number(before, dec), before,
               f"{where}, previous edition")  # fmt: skip
    if comparable:
        out.number(f"{i}.{code}.change", format_change(now, before, dec, unit),
                   printed_change(now, before, dec), f"{where}: change")  # fmt: skip
    elif indicator.break_at(year) is not None and not pd.isna(before):
        out.add(f"{i}.{code}.change", "break in series", None, f"{where}: break in series")
    rank = rows.rank(code)
    out.add(f"{i}.{code}.rank", rank or "n/a", rank, f"{where}: rank among the members")
    gap = printed_change(now, median, dec)
    out.number(f"{i}.{code}.median.gap", _signed(gap, dec), gap,
               f"{where} minus the group median")  # fmt: skip
    side = None if gap is None else "above" if gap > 0 else "below" if gap < 0 else "level with"
    out.add(f"{i}.{code}.median.side", side or "n/a", side, f"{where} against the group median")


def _contrasts(out: _Facts, wg: WorkingGroup, frames: aggregate.Frames) -> None:
    """Members in the top quarter of the members on one index and in the bottom quarter on
    another (indices only: ranks restate an index)."""
    indices = [
        (i, IndicatorRows(frames, i).ranks) for i in wg.indicators if i.unit != "rank"
    ]  # fmt: skip
    found: list[str] = []
    for member in wg.members:
        top: list[str] = []
        bottom: list[str] = []
        for indicator, ranks in indices:
            n, rank = len(ranks), ranks.get(member.code)
            if n < 4 or rank is None:
                continue
            quarter = math.ceil(n / 4)
            place = f"{ordinal(rank)} of {n} on the {indicator.title}"
            if rank <= quarter:
                top.append(place)
            elif rank > n - quarter:
                bottom.append(place)
        if top and bottom:
            found.append(f"{member_label(wg, member.code)} ({names(top)}, but {names(bottom)})")
    source = "members' ranks among the members on each index (top and bottom quarter)"
    out.add("contrasts", "; ".join(found) if found else "none", "; ".join(found) or None, source)
    out.count("contrasts.count", len(found), source)


def _initiatives(
    out: _Facts, frames: aggregate.Frames, year: int, previous_year: int | None
) -> None:
    """Initiatives reported, and new, completed and discontinued since the previous edition
    (without one: completed or discontinued with an end in the edition's year)."""
    current, before = frames.initiatives, frames.previous_initiatives
    since = f"since the {previous_year} edition" if previous_year else f"in {year}"
    out.count("initiatives.total", len(current), "initiatives in the members' contributions")
    known = set(zip(before["member"], before["id"], strict=True))
    new = sum(
        1 for m, i in zip(current["member"], current["id"], strict=True) if (m, i) not in known
    )
    if previous_year is not None and not before.empty:
        out.count("initiatives.new", new, f"initiatives not in the previous edition ({since})")
    for status in ("completed", "discontinued"):
        earlier = before[before["status"] == status]
        done = set(zip(earlier["member"], earlier["id"], strict=True))
        rows = current[current["status"] == status]
        if before.empty:
            count = sum(1 for e in rows["ended"] if isinstance(e, str) and e.startswith(str(year)))
        else:
            count = sum(
                1 for m, i in zip(rows["member"], rows["id"], strict=True) if (m, i) not in done
            )
        out.count(f"initiatives.{status}", count, f"initiatives {status} {since}")


def printed_by_id(facts: Sequence[Fact]) -> dict[str, str]:
    return {f.id: f.printed for f in facts}
