"""The executive summary's findings: sentences computed from the frames, each with the
table or chapter it comes from."""

from __future__ import annotations

import math
from collections.abc import Mapping

from . import aggregate
from .formatting import as_int, format_number
from .inputs import LoadedEdition
from .models import WorkingGroup
from .reportmodel import MAX_LISTED, NOTABLE, Finding
from .tables import _member_label, _theme_title


def _findings(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    previous_year: int | None,
    loaded: LoadedEdition,
    figures: Mapping[str, int],
    tables: Mapping[str, int],
) -> list[Finding]:
    """Key findings computed from the data, each pointing at the figure or table behind it."""
    return [
        Finding(
            text=f"{len(loaded.contributions)} of {len(loaded.status)} expected members "
            f"contributed a valid report to the {loaded.year} edition.",
            ref="status-table",
            ref_title=f"Table {tables['status-table']}",
        ),
        *_median_findings(wg, frames, previous_year, figures, tables),
        *_initiative_findings(wg, frames, loaded.year, figures, tables),
        *_missing_findings(frames, tables),
    ]


def _median_findings(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    previous_year: int | None,
    figures: Mapping[str, int],
    tables: Mapping[str, int],
) -> list[Finding]:
    """The first indicator's group median, against the previous edition's."""
    findings: list[Finding] = []
    stats, change = frames.statistics, frames.change
    for indicator in wg.indicators[:1]:
        median = float(stats.at[indicator.id, "median"])  # type: ignore[arg-type]
        if math.isnan(median):
            continue
        text = f"The group median {indicator.title} is {format_number(median, indicator.decimals)}"
        previous = change[change["indicator"] == indicator.id]["previous"].dropna()
        if previous_year is not None and len(previous):
            before = float(previous.median())
            delta = format_number(median - before, indicator.decimals, signed=True)
            text += (
                f", against {format_number(before, indicator.decimals)} in the "
                f"{previous_year} edition ({delta})"
            )
        ref = f"fig-{indicator.id}"
        findings.append(
            Finding(
                text=text + ".",
                ref=ref if ref in figures else "indicator-table",
                ref_title=f"Figure {figures[ref]}"
                if ref in figures
                else f"Table {tables['indicator-table']}",
            )
        )
    return findings


def _initiative_findings(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    year: int,
    figures: Mapping[str, int],
    tables: Mapping[str, int],
) -> list[Finding]:
    """The themes reported most and by the fewest members, and what was completed."""
    if not frames.initiatives.shape[0]:
        return []
    reach = aggregate.themes_reach(frames.themes)
    top = str(reach["initiatives"].idxmax())
    fewest = str(reach["members"].idxmin())
    theme_ref = (
        ("fig-themes", f"Figure {figures['fig-themes']}")
        if "fig-themes" in figures
        else ("governance-table", "the themes chapter")
    )
    findings = [
        Finding(
            text=f"Members reported {frames.initiatives.shape[0]} initiatives. "
            f"'{_theme_title(wg, top)}' is the most common theme "
            f"({as_int(reach.at[top, 'initiatives'])} initiatives from "
            f"{as_int(reach.at[top, 'members'])} members); "
            f"'{_theme_title(wg, fewest)}' is reported by the fewest members "
            f"({as_int(reach.at[fewest, 'members'])}).",
            ref=theme_ref[0],
            ref_title=theme_ref[1],
        )
    ]
    completed = _completed_this_edition(frames, year)
    if completed and len(completed) <= MAX_LISTED:
        names = "; ".join(f"{title} ({_member_label(wg, code)})" for code, title, _, _ in completed)
        status_ref = (
            ("fig-status", f"Figure {figures['fig-status']}")
            if "fig-status" in figures
            else ("themes", "the themes chapter")
        )
        findings.append(
            Finding(
                text=f"{len(completed)} initiatives were completed in this edition: {names}.",
                ref=status_ref[0],
                ref_title=status_ref[1],
            )
        )
    elif completed:
        findings.append(
            Finding(
                text=_completed_counted(wg, completed),
                ref="initiatives-table",
                ref_title=f"Table {tables['initiatives-table']}, every initiative with its status",
            )
        )
    return findings


def _missing_findings(frames: aggregate.Frames, tables: Mapping[str, int]) -> list[Finding]:
    """How many indicator values are not available (each is shown as n/a with its reason)."""
    missing = frames.completeness[~frames.completeness["reported"]]
    if not len(missing):
        return []
    one = len(missing) == 1
    return [
        Finding(
            text=f"{len(missing)} indicator {'value is' if one else 'values are'} not available; "
            f"{'it' if one else 'each'} is shown as n/a with its reason.",
            ref="completeness-table",
            ref_title=f"Table {tables['completeness-table']}",
        )
    ]


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


def _completed_counted(wg: WorkingGroup, completed: list[tuple[str, str, str, str]]) -> str:
    """Too many completed initiatives to name: their count by theme, and the NOTABLE that
    ran longest (earliest start; one a member), the rest counted."""
    by_theme: dict[str, int] = {}
    for _, _, theme, _ in completed:
        by_theme[theme] = by_theme.get(theme, 0) + 1
    order = [t.id for t in wg.themes]
    themes = sorted(
        by_theme.items(),
        key=lambda kv: (-kv[1], order.index(kv[0]) if kv[0] in order else len(order)),
    )
    counts = ", ".join(f"{n} under '{_theme_title(wg, t)}'" for t, n in themes)
    notable: list[tuple[str, str, str, str]] = []
    for item in sorted(completed, key=lambda i: i[3]):  # stable: the group's order on ties
        if all(item[0] != n[0] for n in notable):
            notable.append(item)
        if len(notable) == NOTABLE:
            break
    names = "; ".join(
        f"{title} ({_member_label(wg, code)}, started {started})"
        for code, title, _, started in notable
    )
    rest = len(completed) - len(notable)
    return (
        f"{len(completed)} initiatives were completed in this edition: {counts}. "
        f"The longest-running were {names}; and {rest} more."
    )
