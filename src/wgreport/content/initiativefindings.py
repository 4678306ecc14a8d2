"""The key findings about initiatives: the practices (themes) most and fewest members report,
what is new, completed and discontinued since the previous edition. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..i18n import gettext, ngettext
from ..inputs.models import WorkingGroup
from . import aggregate
from .findingtext import Refs, counted, make_finding
from .findingtext import listed as listed_names
from .formatting import format_when, is_not_available
from .reportmodel import MAX_LISTED, NOTABLE, Finding
from .tables import member_label, theme_title

_ = gettext


def discontinued_findings(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    printed: Mapping[str, str],
    previous_year: int | None,
    refs: Refs,
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
    return [make_finding(text + ".", refs.themes("fig-status"))]


def practice_findings(wg: WorkingGroup, frames: aggregate.Frames, refs: Refs) -> list[Finding]:
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
        ) % {"count": counted(most), "reporting": reporting}
        return [make_finding(text + ".", refs.themes())]
    text = (
        _theme_clause(wg, reach, most, reporting, "most")
        + "; "
        + _theme_clause(wg, reach, fewest, reporting, "fewest")
    )
    return [make_finding(text[0].upper() + text[1:] + ".", refs.themes())]


def _theme_clause(wg: WorkingGroup, reach: pd.Series, n: int, of: int, which: str) -> str:
    themes = [f"'{theme_title(wg, str(t))}'" for t, v in reach.items() if int(v) == n]
    members = ngettext("%(count)s member", "%(count)s members", n) % {"count": counted(n)}
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
    listed = {"count": counted(len(themes)), "members": members, "themes": listed_names(themes)}
    if which == "most":
        return (
            _("%(count)s themes are reported by the most members, %(members)s each: %(themes)s")
            % listed
        )
    return (
        _("%(count)s themes are reported by the fewest members, %(members)s each: %(themes)s")
        % listed
    )


def new_since_findings(
    wg: WorkingGroup,
    frames: aggregate.Frames,
    year: int,
    previous_year: int | None,
    refs: Refs,
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
                "count": counted(len(new)).capitalize(),
                "members": counted(members),
                "year": previous_year,
                "themes": listed_names(lead),
                "top": top,
            }
            findings.append(make_finding(text + ".", refs.themes()))
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
        findings.append(make_finding(text, refs.themes("fig-status")))
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
