"""The executive summary's key findings: one sentence each, templated text over values
computed from the frames, each with the figure or table it rests on.

What they say: where the group stands against the published reference averages (and the
previous edition, unless the series breaks), who leads the headline indicator and by how
much, who moved most where the series is comparable, which practices most and fewest
members report (ties named as ties), and what is new since the previous edition. Every
number goes through `formatting`, so a finding prints what the tables print, and a change
is the difference of the two printed values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ..i18n import gettext, ngettext
from ..inputs.edition import LoadedEdition
from ..inputs.factrefs import reference_labels, reference_slug
from ..inputs.models import Indicator, WorkingGroup
from . import aggregate
from .compare import (
    best_first,
    data_year,
    references,
    tied_with,
)
from .facts import Fact, compute_facts, trend_word
from .findingtext import (
    Ref,
    Refs,
    listed,
    make_finding,
    reference_words,
    running,
    table_label,
)
from .formatting import (
    as_int,
    exact,
    exact_median,
    format_change,
    format_median,
    format_number,
    is_not_available,
    ordinal,
    printed_change,
)
from .initiativefindings import discontinued_findings, new_since_findings, practice_findings
from .reportmodel import Finding
from .tables import member_label

_ = gettext


def key_findings(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    previous_year: int | None,
    loaded: LoadedEdition,
    figures: Mapping[str, str],
    tables: Mapping[str, str],
    facts: Sequence[Fact] | None = None,
) -> list[Finding]:
    """Key findings computed from the data, each pointing at the figure or table behind it
    (`facts`: the edition's facts, computed here when not given)."""
    refs = Refs(figures, tables)
    if facts is None:
        facts = compute_facts(wg, frames, loaded.year, previous_year)
    printed = {f.id: f.printed for f in facts}
    headline = next((i for i in wg.indicators if i.unit != "rank"), None)
    out: list[Finding] = []
    for indicator in wg.indicators:
        if indicator.unit != "rank":
            out += _standing(wg, frames, indicator, previous_year, loaded.year, refs)
            out += _gaps(indicator, printed, refs)
    if headline is not None:
        out += _leader(wg, frames, headline, refs)
        out += _spread(headline, printed, refs)
    for indicator in wg.indicators:
        if indicator is headline or indicator.unit == "rank":
            out += _movers(wg, frames, indicator, previous_year, loaded.year, refs)
        if indicator.unit == "rank":
            out += _rank_moves(indicator, printed, previous_year, refs)
    out += _contrasts(printed, refs)
    out += practice_findings(wg, frames, refs)
    out += new_since_findings(wg, frames, loaded.year, previous_year, refs)
    out += discontinued_findings(wg, frames, printed, previous_year, refs)
    return out


def _gaps(indicator: Indicator, printed: Mapping[str, str], refs: Refs) -> list[Finding]:
    """The group's gap to each published average, in both editions: narrowed or widened,
    with the two changes that made it so."""
    out = []
    for label in reference_labels(indicator):
        r = f"{indicator.id}.{reference_slug(label)}"
        trend = printed[f"{r}.gap.trend"]
        if is_not_available(trend):
            continue
        gap, before = printed[f"{r}.gap"], printed[f"{r}.gap.previous"]
        moved = (
            _("from %(before)s to %(now)s") % {"before": before, "now": gap}
            if trend != trend_word("held")
            else _("at %(gap)s") % {"gap": gap}
        )
        values = {
            "indicator": indicator.title,
            "reference": running(label),
            "trend": trend,  # the fact as printed: in the report's language
            "moved": moved,
            "median_change": printed[f"{indicator.id}.group.median.change"],
            "reference_change": printed[f"{r}.change"],
        }
        text = (
            _(
                "On the %(indicator)s, the group's lead over the %(reference)s %(trend)s "
                "%(moved)s: the group median changed by %(median_change)s, the %(reference)s "
                "by %(reference_change)s"
            )
            if not gap.startswith("-")
            else _(
                "On the %(indicator)s, the group's gap to the %(reference)s %(trend)s "
                "%(moved)s: the group median changed by %(median_change)s, the %(reference)s "
                "by %(reference_change)s"
            )
        ) % values
        out.append(make_finding(text + ".", refs.indicator(indicator.id, change=True)))
    return out


def _spread(indicator: Indicator, printed: Mapping[str, str], refs: Refs) -> list[Finding]:
    """How far apart the members are on the headline indicator."""
    i = indicator.id
    reporting = printed[f"{i}.group.reporting"]
    if is_not_available(reporting) or reporting in ("0", "1"):
        return []
    text = _(
        "The members' values of the %(indicator)s run from %(lowest)s to %(highest)s, with an "
        "interquartile range of %(iqr)s"
    ) % {
        "indicator": indicator.title,
        "lowest": printed[f"{i}.group.lowest"],
        "highest": printed[f"{i}.group.highest"],
        "iqr": printed[f"{i}.group.iqr"],
    }
    return [make_finding(text + ".", refs.indicator(i))]


def _rank_moves(
    indicator: Indicator, printed: Mapping[str, str], previous_year: int | None, refs: Refs
) -> list[Finding]:
    """How many members rose, fell or kept their rank since the previous edition."""
    i = indicator.id
    compared = printed[f"{i}.members.compared"]
    if previous_year is None or is_not_available(compared) or compared == "0":
        return []
    text = _(
        "Since the %(year)s edition, %(fell)s of the %(compared)s members fell in the "
        "%(indicator)s, %(rose)s rose and %(held)s kept the same rank"
    ) % {
        "year": previous_year,
        "fell": printed[f"{i}.members.declined"],
        "compared": compared,
        "indicator": indicator.title,
        "rose": printed[f"{i}.members.improved"],
        "held": printed[f"{i}.members.unchanged"],
    }
    return [make_finding(text + ".", refs.indicator(i, change=True))]


def _contrasts(printed: Mapping[str, str], refs: Refs) -> list[Finding]:
    """Members in the top quarter on one index and the bottom quarter on another."""
    if printed["contrasts"] == "none":
        return []
    text = _(
        "Members stand high on one index and low on another (in the top and bottom quarter "
        "of the members): %(contrasts)s"
    ) % {"contrasts": printed["contrasts"]}
    return [
        make_finding(
            text + ".", Ref("indicator-table", table_label(refs.tables["indicator-table"]))
        )
    ]


def _values(frames: aggregate.Frames, indicator_id: str) -> pd.Series:
    """The members' reported values of an indicator, indexed by member code."""
    rows = frames.values[frames.values["indicator"] == indicator_id]
    return rows.set_index("member")["value"].dropna()


def _survey(frames: aggregate.Frames, indicator: Indicator, column: str = "data_year") -> str:
    source = frames.values if column == "data_year" else frames.change
    year = data_year(source, indicator.id, column)
    return _(" (%(year)s data)") % {"year": year} if year else ""


def _standing(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    indicator: Indicator,
    previous_year: int | None,
    year: int,
    refs: Refs,
) -> list[Finding]:
    """The group median against the previous edition's (unless the series breaks) and
    against the survey's published averages: how many members are above each."""
    values = _values(frames, indicator.id)
    if values.empty:
        return []
    dec, unit = indicator.decimals, indicator.unit
    median = exact_median(values)
    text = _("The group median %(indicator)s%(survey)s is %(median)s") % {
        "indicator": indicator.title,
        "survey": _survey(frames, indicator),
        "median": format_median(median, dec, unit),
    }
    series_break = indicator.break_at(year) if previous_year is not None else None
    before = frames.change.loc[frames.change["indicator"] == indicator.id, "previous"].dropna()
    if series_break is not None:
        text += _(", a new series that is not compared with the %(year)s edition's") % {
            "year": previous_year
        }
    elif previous_year is not None and len(before):
        previous_median = exact_median(before)
        text += _(
            ", against %(previous)s in the %(year)s edition%(survey)s, a change of %(change)s"
        ) % {
            "previous": format_median(previous_median, dec, unit),
            "year": previous_year,
            "survey": _survey(frames, indicator, "previous_data_year"),
            "change": format_change(median, previous_median, dec, unit),
        }
    for ref in references(indicator, frames.values):
        level = exact(ref.value)
        better = sum(
            1
            for v in map(exact, values)
            if v is not None
            and level is not None
            and (v > level if indicator.higher_is_better else v < level)
        )
        said = {"who": _how_many(better, len(values)), "reference": reference_words(ref)}
        if indicator.higher_is_better:
            text += (
                ngettext(
                    "; %(who)s is above %(reference)s", "; %(who)s are above %(reference)s", better
                )
                % said
            )
        else:
            text += (
                ngettext(
                    "; %(who)s is better than %(reference)s",
                    "; %(who)s are better than %(reference)s",
                    better,
                )
                % said
            )
    return [make_finding(text + ".", refs.indicator(indicator.id))]


def _how_many(k: int, n: int) -> str:
    """ "all 10 members", "7 of 9 members", "no member", "one member of 9" """
    if k == 0:
        return _("no member")
    if k == n:
        return _("all %(count)s members") % {"count": n} if n > 1 else _("the one member reporting")
    return _("%(count)s of %(total)s members") % {"count": k, "total": n}


def _leader(
    wg: WorkingGroup, frames: aggregate.Frames, indicator: Indicator, refs: Refs
) -> list[Finding]:
    """Who leads the indicator and by how much over the next (ties named as ties)."""
    values = _values(frames, indicator.id)
    if len(values) < 2:
        return []
    order = best_first(values, indicator)
    leaders = tied_with(values, indicator, 0)
    top = format_number(order.iloc[0], indicator.decimals)
    labels = [member_label(wg, c) for c in leaders]
    if len(leaders) > 1:
        text = _("%(leaders)s share the lead on the %(indicator)s, at %(value)s each") % {
            "leaders": listed(labels),
            "indicator": indicator.title,
            "value": top,
        }
    else:
        nxt = tied_with(values, indicator, len(leaders))
        second = order.iloc[len(leaders)]
        gap = printed_change(order.iloc[0], second, indicator.decimals)
        assert gap is not None  # both values are reported
        text = _(
            "%(leader)s leads the group on the %(indicator)s at %(value)s, %(gap)s ahead of "
            "%(next)s (%(next_value)s)"
        ) % {
            "leader": labels[0],
            "indicator": indicator.title,
            "value": top,
            "gap": format_number(abs(gap), indicator.decimals),
            "next": listed([member_label(wg, c) for c in nxt]),
            "next_value": format_number(second, indicator.decimals),
        }
    return [make_finding(text + ".", refs.indicator(indicator.id))]


def _movers(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    indicator: Indicator,
    previous_year: int | None,
    year: int,
    refs: Refs,
) -> list[Finding]:
    """Who improved and who declined most since the previous edition, by the printed
    change; none where the series breaks. Ties are named together."""
    if previous_year is None or indicator.break_at(year) is not None:
        return []
    rows = frames.change[(frames.change["indicator"] == indicator.id)].dropna(
        subset=["value", "previous"]
    )
    if rows.empty:
        return []
    dec, sign = indicator.decimals, 1 if indicator.higher_is_better else -1
    gains = {
        str(r.member): sign * printed_change(r.value, r.previous, dec)  # type: ignore[operator]
        for r in rows.itertuples()
    }
    by_member = {str(r.member): r for r in rows.itertuples()}

    def described(codes: list[str]) -> str:
        r = by_member[codes[0]]
        moved = format_change(r.value, r.previous, dec, indicator.unit)
        if indicator.unit == "rank":
            before, now = ordinal(as_int(r.previous)), ordinal(as_int(r.value))
            span = (
                _("%(moved)s, from %(before)s to %(now)s")
                % {"moved": moved, "before": before, "now": now}
                if len(codes) == 1
                else _("%(moved)s each") % {"moved": moved}
            )
        else:
            before, now = format_number(r.previous, dec), format_number(r.value, dec)
            span = (
                moved
                if len(codes) > 1
                else _("%(moved)s, from %(before)s to %(now)s")
                % {"moved": moved, "before": before, "now": now}
            )
        return f"{listed([member_label(wg, c) for c in codes])} ({span})"

    best, worst = max(gains.values()), min(gains.values())
    up = [c for c, g in gains.items() if g == best]
    down = [c for c, g in gains.items() if g == worst]
    rank = indicator.unit == "rank"
    if best > 0:
        first = (_("%(who)s rose most") if rank else _("%(who)s improved most")) % {
            "who": described(up)
        }
    else:
        first = _("no member rose") if rank else _("no member improved")
    if worst < 0:
        second = (_("%(who)s fell most") if rank else _("%(who)s declined most")) % {
            "who": described(down)
        }
    else:
        second = _("no member fell") if rank else _("no member declined")
    text = _("Since the %(year)s edition, on the %(indicator)s, %(first)s, and %(second)s") % {
        "year": previous_year,
        "indicator": indicator.title,
        "first": first,
        "second": second,
    }
    return [make_finding(text + ".", refs.indicator(indicator.id, change=True))]
