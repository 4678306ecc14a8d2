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
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..i18n import SOURCE_LANGUAGE, current_language, gettext, ngettext
from ..inputs.edition import LoadedEdition
from ..inputs.factrefs import reference_labels, reference_slug
from ..inputs.models import Indicator, WorkingGroup
from . import aggregate
from .compare import (
    best_first,
    count_word,
    data_year,
    names,
    reference_text,
    references,
    running_label,
    tied_with,
)
from .facts import Fact, compute_facts
from .formatting import (
    as_int,
    exact,
    exact_median,
    format_change,
    format_median,
    format_number,
    format_when,
    format_written,
    is_not_available,
    ordinal,
    printed_change,
)
from .reportmodel import MAX_LISTED, NOTABLE, Finding
from .tables import joined, member_label, theme_title

_ = gettext


def _english() -> bool:
    return current_language() == SOURCE_LANGUAGE


def _names(labels: Sequence[str]) -> str:
    """ "Korea", "Korea and Estonia", "Korea, Estonia and Denmark", in the report's
    language."""
    return names(labels) if _english() else joined(list(labels))


def _count(n: int) -> str:
    """A count in words up to twelve in English ("three"); its figure in another language."""
    return count_word(n) if _english() else str(n)


def _reference(ref: Any) -> str:
    """ "the 2024 world average of 0.6382" """
    if _english():
        return reference_text(ref)
    return _("the %(year)s %(label)s of %(value)s") % {
        "year": ref.data_year,
        "label": ref.label,
        "value": format_written(ref.value),
    }


def _running(label: str) -> str:
    return running_label(label) if _english() else label


def _trend(trend: str) -> str:
    """How a gap moved between editions (the facts' word), in the report's language."""
    words = {
        "narrowed": _("narrowed"),
        "widened": _("widened"),
        "held": _("held"),
        "reversed": _("reversed"),
    }
    return words.get(trend, trend)


@dataclass(frozen=True)
class _Ref:
    """What a finding rests on: an element id and its printed name ("Figure 3")."""

    id: str
    title: str


@dataclass(frozen=True)
class _Refs:
    """The figure and table numbers a finding can point at."""

    figures: Mapping[str, str]
    tables: Mapping[str, str]

    def indicator(self, indicator_id: str, change: bool = False) -> _Ref:
        """The indicator's chart (or its change chart), else the indicator matrix."""
        figure = f"fig-change-{indicator_id}" if change else f"fig-{indicator_id}"
        if figure in self.figures:
            return _Ref(figure, _figure(self.figures[figure]))
        if change and f"fig-{indicator_id}" in self.figures:
            return self.indicator(indicator_id)
        return _Ref("indicator-table", _table(self.tables["indicator-table"]))

    def themes(self, figure: str = "fig-themes") -> _Ref:
        if figure in self.figures:
            return _Ref(figure, _figure(self.figures[figure]))
        return _Ref("initiatives-table", _table(self.tables["initiatives-table"]))


def _figure(number: str) -> str:
    return gettext("Figure %(number)s") % {"number": number}


def _table(number: str) -> str:
    return gettext("Table %(number)s") % {"number": number}


def _finding(text: str, ref: _Ref) -> Finding:
    return Finding(text=text, ref=ref.id, ref_title=ref.title)


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
    refs = _Refs(figures, tables)
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
    out += _practices(wg, frames, refs)
    out += _new_since(wg, frames, loaded.year, previous_year, refs)
    out += _discontinued(wg, frames, printed, previous_year, refs)
    return out


def _gaps(indicator: Indicator, printed: Mapping[str, str], refs: _Refs) -> list[Finding]:
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
            if trend != "held"
            else _("at %(gap)s") % {"gap": gap}
        )
        values = {
            "indicator": indicator.title,
            "reference": _running(label),
            "trend": _trend(trend),
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
        out.append(_finding(text + ".", refs.indicator(indicator.id, change=True)))
    return out


def _spread(indicator: Indicator, printed: Mapping[str, str], refs: _Refs) -> list[Finding]:
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
    return [_finding(text + ".", refs.indicator(i))]


def _rank_moves(
    indicator: Indicator, printed: Mapping[str, str], previous_year: int | None, refs: _Refs
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
    return [_finding(text + ".", refs.indicator(i, change=True))]


def _contrasts(printed: Mapping[str, str], refs: _Refs) -> list[Finding]:
    """Members in the top quarter on one index and the bottom quarter on another."""
    if printed["contrasts"] == "none":
        return []
    text = _(
        "Members stand high on one index and low on another (in the top and bottom quarter "
        "of the members): %(contrasts)s"
    ) % {"contrasts": printed["contrasts"]}
    return [_finding(text + ".", _Ref("indicator-table", _table(refs.tables["indicator-table"])))]


def _discontinued(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    printed: Mapping[str, str],
    previous_year: int | None,
    refs: _Refs,
) -> list[Finding]:
    """The initiatives discontinued since the previous edition, named (at most
    MAX_LISTED) with their members."""
    count = printed["initiatives.discontinued"]
    if count == "0" or is_not_available(count):
        return []
    before = frames.previous_initiatives
    done = set(
        zip(
            before[before["status"] == "discontinued"]["member"],
            before[before["status"] == "discontinued"]["id"],
            strict=True,
        )
    )
    rows = frames.initiatives[frames.initiatives["status"] == "discontinued"]
    named = [
        f"{r.title} ({member_label(wg, str(r.member))})"
        for r in rows.itertuples()
        if (r.member, r.id) not in done
    ]
    since = (
        gettext("since the %(year)s edition") % {"year": previous_year}
        if previous_year
        else gettext("in this edition")
    )
    text = ngettext(
        "%(count)s initiative was discontinued %(since)s",
        "%(count)s initiatives were discontinued %(since)s",
        int(count),
    ) % {"count": count, "since": since}
    if len(named) == int(count) and len(named) <= MAX_LISTED:
        text += ": " + "; ".join(named)
    return [_finding(text + ".", refs.themes("fig-status"))]


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
    refs: _Refs,
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
        said = {"who": _how_many(better, len(values)), "reference": _reference(ref)}
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
    return [_finding(text + ".", refs.indicator(indicator.id))]


def _how_many(k: int, n: int) -> str:
    """ "all 10 members", "7 of 9 members", "no member", "one member of 9" """
    if k == 0:
        return _("no member")
    if k == n:
        return _("all %(count)s members") % {"count": n} if n > 1 else _("the one member reporting")
    return _("%(count)s of %(total)s members") % {"count": k, "total": n}


def _leader(
    wg: WorkingGroup, frames: aggregate.Frames, indicator: Indicator, refs: _Refs
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
            "leaders": _names(labels),
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
            "next": _names([member_label(wg, c) for c in nxt]),
            "next_value": format_number(second, indicator.decimals),
        }
    return [_finding(text + ".", refs.indicator(indicator.id))]


def _movers(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    indicator: Indicator,
    previous_year: int | None,
    year: int,
    refs: _Refs,
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
        return f"{_names([member_label(wg, c) for c in codes])} ({span})"

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
    return [_finding(text + ".", refs.indicator(indicator.id, change=True))]


def _practices(wg: WorkingGroup, frames: aggregate.Frames, refs: _Refs) -> list[Finding]:
    """The practices (themes) most and fewest members report, ties named as ties."""
    if not frames.initiatives.shape[0]:
        return []
    reach = aggregate.themes_reach(frames.themes)["members"]
    reporting = len(frames.themes.columns)
    most, fewest = int(reach.max()), int(reach.min())
    if most == fewest:
        text = _(
            "Every theme is reported by %(count)s of the %(reporting)s members, so no practice "
            "stands out as more or less common"
        ) % {"count": _count(most), "reporting": reporting}
        return [_finding(text + ".", refs.themes())]
    text = (
        _theme_clause(wg, reach, most, reporting, "most")
        + "; "
        + _theme_clause(wg, reach, fewest, reporting, "fewest")
    )
    return [_finding(text[0].upper() + text[1:] + ".", refs.themes())]


def _theme_clause(wg: WorkingGroup, reach: pd.Series, n: int, of: int, which: str) -> str:
    themes = [f"'{theme_title(wg, str(t))}'" for t, v in reach.items() if int(v) == n]
    members = ngettext("%(count)s member", "%(count)s members", n) % {"count": _count(n)}
    said = {"theme": themes[0], "count": n, "of": of}
    if len(themes) == 1:
        if which == "most":
            return (
                _("%(theme)s is the practice reported by the most members (%(count)s of %(of)s)")
                % said
            )
        return (
            _("%(theme)s is the practice reported by the fewest members (%(count)s of %(of)s)")
            % said
        )
    listed = {"count": _count(len(themes)), "members": members, "themes": _names(themes)}
    if which == "most":
        return (
            _("%(count)s themes are reported by the most members, %(members)s each: %(themes)s")
            % listed
        )
    return (
        _("%(count)s themes are reported by the fewest members, %(members)s each: %(themes)s")
        % listed
    )


def _new_since(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    year: int,
    previous_year: int | None,
    refs: _Refs,
) -> list[Finding]:
    """The initiatives new since the previous edition, and those completed since."""
    findings: list[Finding] = []
    current, before = frames.initiatives, frames.previous_initiatives
    if previous_year is not None and not before.empty and not current.empty:
        known = set(zip(before["member"], before["id"], strict=True))
        new = current[
            [(m, i) not in known for m, i in zip(current["member"], current["id"], strict=True)]
        ]
        if len(new):
            counts = new["theme"].value_counts()
            top = int(counts.max())
            lead = [f"'{theme_title(wg, str(t))}'" for t, c in counts.items() if int(c) == top]
            members = new["member"].nunique()
            text = (
                _(
                    "%(count)s initiatives from %(members)s members are new since the %(year)s "
                    "edition; the most new ones are under %(themes)s (%(top)s)"
                )
                if len(lead) == 1
                else _(
                    "%(count)s initiatives from %(members)s members are new since the %(year)s "
                    "edition; the most new ones are under %(themes)s (%(top)s each)"
                )
            ) % {
                "count": _count(len(new)).capitalize(),
                "members": _count(members),
                "year": previous_year,
                "themes": _names(lead),
                "top": top,
            }
            findings.append(_finding(text + ".", refs.themes()))
    completed = _completed_this_edition(frames, year)
    since = (
        _("since the %(year)s edition") % {"year": previous_year}
        if previous_year
        else _("in this edition")
    )
    if completed and len(completed) <= MAX_LISTED:
        listed = "; ".join(
            f"{title} ({member_label(wg, code)})" for code, title, _t, _s in completed
        )
        text = _("%(count)s initiatives were completed %(since)s: %(listed)s.") % {
            "count": len(completed),
            "since": since,
            "listed": listed,
        }
        findings.append(_finding(text, refs.themes("fig-status")))
    elif completed:
        findings.append(
            Finding(
                text=_completed_counted(wg, completed, since),
                ref="initiatives-table",
                ref_title=_("Table %(number)s, every initiative with its status")
                % {"number": refs.tables["initiatives-table"]},
            )
        )
    return findings


def _completed_this_edition(frames: aggregate.Frames, year: int) -> list[tuple[str, str, str, str]]:
    """Initiatives completed now that were not completed in the previous edition (or, with no
    previous edition, whose end date falls in the reporting year): member, title, theme and
    start, in the group's order."""
    current = frames.initiatives[frames.initiatives["status"] == "completed"]
    before = frames.previous_initiatives
    done_before = set(
        zip(
            before[before["status"] == "completed"]["member"],
            before[before["status"] == "completed"]["id"],
            strict=True,
        )
    )
    out = []
    for row in current.itertuples():
        key = (str(row.member), str(row.id))
        item = (key[0], str(row.title), str(row.theme), str(row.started))
        if before.empty:
            if isinstance(row.ended, str) and row.ended.startswith(str(year)):
                out.append(item)
        elif key not in done_before:
            out.append(item)
    return out


def _completed_counted(
    wg: WorkingGroup, completed: list[tuple[str, str, str, str]], since: str
) -> str:
    """Too many completed initiatives to name: their count by theme, and the NOTABLE that
    ran longest (earliest start; one a member), the rest counted."""
    by_theme: dict[str, int] = {}
    for _m, _t, theme, _s in completed:
        by_theme[theme] = by_theme.get(theme, 0) + 1
    order = [t.id for t in wg.themes]
    themes = sorted(
        by_theme.items(),
        key=lambda kv: (-kv[1], order.index(kv[0]) if kv[0] in order else len(order)),
    )
    counts = ", ".join(
        _("%(count)s under '%(theme)s'") % {"count": n, "theme": theme_title(wg, t)}
        for t, n in themes
    )
    notable: list[tuple[str, str, str, str]] = []
    for item in sorted(completed, key=lambda i: i[3]):  # stable: the group's order on ties
        if all(item[0] != n[0] for n in notable):
            notable.append(item)
        if len(notable) == NOTABLE:
            break
    listed = "; ".join(
        _("%(title)s (%(member)s, started %(started)s)")
        % {"title": title, "member": member_label(wg, code), "started": format_when(started)}
        for code, title, _t, started in notable
    )
    rest = len(completed) - len(notable)
    return _(
        "%(count)s initiatives were completed %(since)s: %(counts)s. "
        "The longest-running were %(listed)s; and %(rest)s more."
    ) % {"count": len(completed), "since": since, "counts": counts, "listed": listed, "rest": rest}
