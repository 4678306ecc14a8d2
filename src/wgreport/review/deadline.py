"""An edition's time zone, times shown in it, and its deadline with the days left.

The edition's `time_zone` (an IANA name, default UTC) is where its deadline falls: the
deadline is the end of that day there, and "today" is the date there. Times kept in UTC
(the portal's records) are shown in it with their offset: `2025-02-14 17:05 (UTC+09:00)`.

Standard library only: the member-facing commands may import it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from ..inputs.models import Edition
from .messages import long_date

DEFAULT_ZONE = "UTC"


def edition_zone(edition: Edition | None) -> dt.tzinfo:
    """The edition's time zone (UTC when it names none, or when the machine's time-zone
    database does not know the name: validation says so)."""
    name = edition.time_zone if edition is not None and edition.time_zone else DEFAULT_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return dt.UTC


def utc_offset(zone: dt.tzinfo, when: dt.datetime) -> str:
    """`UTC+09:00`, `UTC-03:30`, `UTC+00:00`: the zone's offset at `when`."""
    offset = when.astimezone(zone).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def local_time(at: str | dt.datetime | None, zone: dt.tzinfo) -> str:
    """A time kept in UTC (an ISO 8601 text or an aware datetime) as a person there reads
    it: `2025-02-14 17:05 (UTC+09:00)`. A time without a zone is taken as UTC; an empty or
    unreadable one is shown as it is."""
    if at is None or at == "":
        return ""
    when = at
    if isinstance(when, str):
        try:
            when = dt.datetime.fromisoformat(when.strip().replace("Z", "+00:00"))
        except ValueError:
            return at if isinstance(at, str) else str(at)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    here = when.astimezone(zone)
    return f"{here:%Y-%m-%d %H:%M} ({utc_offset(zone, when)})"


@dataclass(frozen=True)
class DeadlineStatus:
    """Where an edition's call stands for one member, in words for its page."""

    deadline: dt.date
    #: The last minute of the deadline day in the edition's zone, shown with its offset.
    due: str
    #: Days from today (in the edition's zone) to the deadline day; negative when past.
    days_left: int
    #: "open", "due today", "late" (past, nothing accepted), "past" (past, accepted) or
    #: "closed" (the final is out).
    state: str
    words: str


def deadline_status(
    edition: Edition, now: dt.datetime, *, submitted: bool, closed: bool = False
) -> DeadlineStatus:
    """The call of `edition` at `now` for a member who has (`submitted`) or has not an
    accepted contribution; `closed` when the final report is out."""
    zone = edition_zone(edition)
    end = dt.datetime.combine(edition.deadline, dt.time(23, 59), tzinfo=zone)
    due = f"{long_date(edition.deadline)}, {end:%H:%M} ({utc_offset(zone, end)})"
    today = now.astimezone(zone).date()
    days = (edition.deadline - today).days
    if closed:
        state, words = "closed", "The call is closed: the final report is out."
    elif days > 0:
        state = "open"
        words = f"{days} day{'s' if days != 1 else ''} left."
    elif days == 0:
        state, words = "due today", "Due today: this is the last day."
    elif submitted:
        state = "past"
        words = (
            f"The deadline passed {-days} day{'s' if days != -1 else ''} ago; your "
            "contribution is in. You can still correct it until the secretariat builds the "
            "final."
        )
    else:
        state = "late"
        words = (
            f"{-days} day{'s' if days != -1 else ''} late: upload your contribution as soon "
            "as you can, or tell the secretariat when it will come."
        )
    return DeadlineStatus(edition.deadline, due, days, state, words)
