"""The report's data tables (Annex B and the members' tables) as `DataTable`s, and the
small naming helpers the context shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..i18n import SOURCE_LANGUAGE, current_language
from ..i18n import gettext as _
from ..inputs.models import Contribution, WorkingGroup
from . import aggregate
from .compare import names as _english_names
from .compare import previous_sources_note
from .formatting import (
    format_change,
    format_number,
    format_when,
    is_missing,
    not_available,
    status_title,
)
from .reportmodel import DataTable


def _text(value: Any) -> str:
    """A cell's text: '' for missing values (pandas NA or NaN), never 'nan'."""
    return "" if is_missing(value) else str(value)


def values_table(wg: WorkingGroup, frames: aggregate.Frames, number: str) -> DataTable:
    """Every indicator value, a row per member and indicator, with its year and source.

    A source (or note) that every value of an indicator shares is said once, in a note
    under the table, not in each of its rows; a column left empty is dropped."""
    decimals = {i.id: i.decimals for i in wg.indicators}
    values = frames.values
    rows = [
        [
            member_label(wg, str(r.member)),
            _indicator_title(wg, str(r.indicator)),
            format_number(r.value, decimals[str(r.indicator)]),
            _text(r.data_year),
            _text(r.source),
            _text(r.note) or _text(r.reason_missing),
        ]
        for r in values.itertuples()
    ]
    indicators = [str(i) for i in values["indicator"]]
    reported = [not is_missing(v) for v in values["value"]]
    columns = [_("Member"), _("Indicator"), _("Value"), _("Year"), _("Source"), _("Note")]
    notes = []
    for column in (4, 5):
        said: dict[str, list[str]] = {}  # a shared text → the indicators it is said of
        for indicator in dict.fromkeys(indicators):
            mine = [n for n, i in enumerate(indicators) if i == indicator and reported[n]]
            shared = {rows[n][column] for n in mine}
            if len(mine) > 1 and len(shared) == 1 and (text := shared.pop()):
                said.setdefault(text, []).append(_indicator_title(wg, indicator))
                for n in mine:
                    rows[n][column] = ""
        said_of = (
            _("Source of every value of %(indicators)s: %(text)s.")
            if column == 4
            else _("Note of every value of %(indicators)s: %(text)s.")
        )
        notes += [
            said_of % {"indicators": _and(names), "text": text.rstrip(".")}
            for text, names in said.items()
        ]
    keep = [c for c in range(len(columns)) if c < 4 or any(row[c] for row in rows)]
    return DataTable(
        id="values-table",
        number=number,
        title=_("Every indicator value, with its year and source"),
        columns=[columns[c] for c in keep],
        rows=[[row[c] for c in keep] for row in rows],
        notes=notes,
    )


def _and(names: Sequence[str]) -> str:
    """ "the A", "the A and the B", "the A, the B and the C"."""
    if current_language() != SOURCE_LANGUAGE:
        return joined(names)
    named = [f"the {n}" for n in names]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def joined(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C", in the report's language."""
    if current_language() == SOURCE_LANGUAGE or len(items) <= 1:
        return _english_names(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def values_by_member_table(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    number: str,
    previous_year: int | None,
    figures: Mapping[str, str],
    figure_ids: Sequence[str],
) -> DataTable:
    """A large group's indicator data in one table, a row per member: each indicator's value
    and, with a previous edition, that edition's value and the change (else the data year).
    It is the data of every indicator figure."""
    change = frames.change.set_index(["member", "indicator"])
    values = frames.values.set_index(["member", "indicator"])
    codes = [m.code for m in wg.members if m.code in set(frames.values["member"])]
    with_change = previous_year is not None and bool(frames.change["previous"].notna().any())
    sub = (
        [_("This edition"), _("%(year)s edition") % {"year": previous_year}, _("Change")]
        if with_change
        else []
    )
    sub = sub or [_("Value"), _("Data year")]
    rows = []
    for code in codes:
        cells = [member_label(wg, code)]
        for i in wg.indicators:
            key = (code, i.id)
            value = values.at[key, "value"] if key in values.index else None
            cells.append(format_number(value, i.decimals))
            if with_change:
                has = key in change.index
                before = change.at[key, "previous"] if has else None
                comparable = bool(change.at[key, "comparable"]) if has else True
                cells.append(format_number(before, i.decimals))
                cells.append(
                    format_change(value, before, i.decimals, i.unit) if comparable else _("break")
                )
            else:
                year = values.at[key, "data_year"] if key in values.index else None
                cells.append(_text(year))
        rows.append(cells)
    numbers = list(dict.fromkeys(figures[f] for f in figure_ids))  # in report order
    shown = (
        _("Data for Figures %(first)s–%(last)s: ") % {"first": numbers[0], "last": numbers[-1]}
        if len(numbers) > 1
        else (_("Data for Figure %(number)s: ") % {"number": numbers[0]} if numbers else "")
    )
    title = (
        _("%(shown)sIndicator values by member, against the %(year)s edition")
        if with_change
        else _("%(shown)sIndicator values by member, with the data year")
    ) % {"shown": shown, "year": previous_year}
    return DataTable(
        id="values-table",
        number=number,
        title=title,
        columns=[_("Member"), *[c for _i in wg.indicators for c in sub]],
        rows=rows,
        notes=[
            _(
                "%(na)s: no value (the completeness table gives the reason). "
                "Sources and data years are in the next table. A change is the printed value "
                "minus the printed previous value; a rank's change reads up (better) or down."
            )
            % {"na": not_available()}
        ]
        + _previous_notes(wg, frames, previous_year if with_change else None)
        + [f"{i.title}: {i.caveat}" for i in wg.indicators if i.caveat],
        column_groups=[(i.title, len(sub)) for i in wg.indicators],
        dense=True,
    )


def _previous_notes(
    wg: WorkingGroup, frames: aggregate.Frames, previous_year: int | None
) -> list[str]:
    """Where the previous edition's values come from, and each break in series (no change
    is computed across one)."""
    if previous_year is None:
        return []
    notes = []
    for indicator in wg.indicators:
        note = previous_sources_note(wg, frames.change, indicator, previous_year)
        if note:
            notes.append(note)
        rows = frames.change[frames.change["indicator"] == indicator.id]
        later = [b for b in indicator.series_breaks if b.edition > previous_year]
        cut = min(later, key=lambda b: b.edition) if later else None
        if cut is not None and len(rows) and not rows["comparable"].any():
            notes.append(
                _("%(indicator)s: break in series, no change computed. %(reason)s")
                % {"indicator": indicator.title, "reason": cut.reason}
            )
    return notes


def sources_table(wg: WorkingGroup, frames: aggregate.Frames, number: str) -> DataTable:
    """A large group's sources: per indicator, each source and data year with the members
    whose values come from it (the most common named as "the other N members")."""
    reported = frames.values[frames.values["value"].notna()]
    rows = []
    for indicator in wg.indicators:
        subset = reported[reported["indicator"] == indicator.id]
        if subset.empty:
            continue
        keys = subset.assign(
            source=subset["source"].map(_text), year=subset["data_year"].map(_text)
        )
        groups = [
            (source, year, list(group["member"]))
            for (source, year), group in keys.groupby(["source", "year"], sort=False)
        ]
        # The largest group last, as "the other N members"; the others name their members.
        groups.sort(key=lambda g: -len(g[2]))
        largest, rest = groups[0], groups[1:]
        for source, year, codes in rest:
            names = ", ".join(member_label(wg, str(c)) for c in codes)
            rows.append([indicator.title, source or _("not given"), year, names])
        whole = len(largest[2])
        who = (
            _("the other %(count)s members") if rest else _("all %(count)s members reporting")
        ) % {"count": whole}
        rows.append([indicator.title, largest[0] or _("not given"), largest[1], who])
    return DataTable(
        id="sources-table",
        number=number,
        title=_("Sources and data years of the indicator values"),
        columns=[_("Indicator"), _("Source"), _("Data year"), _("Members")],
        rows=rows,
        notes=[],
        dense=True,
    )


def initiatives_table(
    wg: WorkingGroup, frames: aggregate.Frames, number: str, *, dense: bool = False
) -> DataTable:
    """Every initiative, a row each, in the group's order (`dense`: a row a line)."""
    # A dense table keeps each period on one line (no-break spaces, and a word joiner after
    # the dash, which allows a break after it otherwise): a row a line.
    dash = "\u00a0–\u2060\u00a0" if dense else " – "
    rows = [
        [
            member_label(wg, str(r.member)),
            str(r.title),
            theme_title(wg, str(r.theme)),
            status_title(str(r.status)),
            format_when(r.started)
            + (f"{dash}{format_when(r.ended)}" if isinstance(r.ended, str) else ""),
        ]
        for r in frames.initiatives.itertuples()
    ]
    return DataTable(
        id="initiatives-table",
        number=number,
        title=_("Every initiative, with its theme, status and period"),
        columns=[_("Member"), _("Initiative"), _("Theme"), _("Status"), _("Period")],
        rows=rows,
        notes=[],
        dense=dense,
    )


def completeness_table(
    wg: WorkingGroup, frames: aggregate.Frames, number: str, *, dense: bool = False
) -> DataTable:
    """Who reported what. In a large group's (`dense`) annex, only the members with a
    missing value or a note on a value, the others counted in a note."""
    if dense:
        return _gaps_table(wg, frames, number)
    comp = frames.completeness
    rows = []
    for member in wg.members:
        subset = comp[comp["member"] == member.code]
        if subset.empty:
            continue
        missing = subset[~subset["reported"]]
        rows.append(
            [
                member.label,
                _of(int(subset["reported"].sum()), len(subset)),
                "; ".join(
                    f"{_indicator_title(wg, str(r.indicator))}: {r.reason}"
                    for r in missing.itertuples()
                )
                or _("all reported"),
            ]
        )
    return DataTable(
        id="completeness-table",
        number=number,
        title=_("Completeness: indicators reported by each member, and why values are missing"),
        columns=[_("Member"), _("Indicators reported"), _("Missing values and reasons")],
        rows=rows,
        notes=[_missing_note()],
    )


def _of(count: int, total: int) -> str:
    """ "7 of 9" """
    return _("%(count)s of %(total)s") % {"count": count, "total": total}


def _missing_note() -> str:
    return _("A missing value is shown as %(na)s, never as zero, and is left out of medians.") % {
        "na": not_available()
    }


def _gaps_table(wg: WorkingGroup, frames: aggregate.Frames, number: str) -> DataTable:
    comp, values = frames.completeness, frames.values
    rows = []
    members = 0
    for member in wg.members:
        subset = comp[comp["member"] == member.code]
        if subset.empty:
            continue
        members += 1
        missing = subset[~subset["reported"]]
        noted = values[(values["member"] == member.code) & values["value"].notna()]
        noted = noted[noted["note"].map(lambda v: bool(_text(v)))]
        if missing.empty and noted.empty:
            continue
        rows.append(
            [
                member.label,
                _of(int(subset["reported"].sum()), len(subset)),
                "; ".join(
                    f"{_indicator_title(wg, str(r.indicator))}: {not_available()}, {r.reason}"
                    for r in missing.itertuples()
                )
                or "–",
                "; ".join(
                    f"{_indicator_title(wg, str(r.indicator))}: {r.note}"
                    for r in noted.itertuples()
                )
                or "–",
            ]
        )
    others = members - len(rows)
    return DataTable(
        id="completeness-table",
        number=number,
        title=_("Completeness: the members with a missing value or a note on a value"),
        columns=[
            _("Member"),
            _("Indicators reported"),
            _("Missing values and reasons"),
            _("Notes"),
        ],
        rows=rows,
        notes=[
            _("The other %(others)s of %(members)s members reported every indicator, with no note.")
            % {"others": others, "members": members}
            if rows
            else _("All %(members)s members reported every indicator, with no note.")
            % {"members": members},
            _missing_note(),
        ],
        dense=True,
    )


def _indicator_title(wg: WorkingGroup, indicator_id: str) -> str:
    indicator = wg.indicator(indicator_id)
    return indicator.title if indicator else indicator_id


def contributions_in_order(
    wg: WorkingGroup, contributions: Mapping[str, Contribution]
) -> list[tuple[str, Contribution]]:
    """The members' contributions as (code, contribution), in the group's order."""
    return [(m.code, contributions[m.code]) for m in wg.members if m.code in contributions]


def member_name(wg: WorkingGroup, code: str) -> str:
    """The member's name (its code when the group does not know it)."""
    member = wg.member(code)
    return member.name if member else code


def member_label(wg: WorkingGroup, code: str) -> str:
    """The member's label as the report prints it (its code when unknown)."""
    member = wg.member(code)
    return member.label if member else code


def theme_title(wg: WorkingGroup, theme_id: str) -> str:
    """The theme's title (its id when the group does not know it)."""
    theme = wg.theme(theme_id)
    return theme.title if theme else theme_id
