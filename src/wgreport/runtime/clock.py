"""The clocks: the build's (now, or the time pinned for reproducible builds and tests),
and real time for records kept as they happen (the portal's state and audit log)."""

from __future__ import annotations

import datetime as dt
import os


def build_time() -> dt.datetime:
    """Now in UTC, or the pinned time from WGREPORT_BUILD_TIME / SOURCE_DATE_EPOCH."""
    pinned = os.environ.get("WGREPORT_BUILD_TIME")
    if pinned:
        return dt.datetime.fromisoformat(pinned).astimezone(dt.UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def utc_now() -> dt.datetime:
    """Now in UTC to the second, never pinned: when a record kept as it happens was made."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def utc_now_iso() -> str:
    return utc_now().isoformat()
