"""The date fields of the inputs, checked before pydantic reads them: a partial date (YYYY,
YYYY-MM or YYYY-MM-DD, kept as written), a full date, and the time of an answer."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic_core import PydanticCustomError

PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
ANSWER_TIME = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)


def partial_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise PydanticCustomError(
            "invalid-date", "a date without a time is expected", {"hint": "write YYYY-MM-DD"}
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        match = PARTIAL_DATE.fullmatch(value.strip())
        if match:
            year, month, day = match.groups()
            try:
                dt.date(int(year), int(month or 1), int(day or 1))
            except ValueError:
                pass
            else:
                return value.strip()
    raise PydanticCustomError(
        "invalid-date",
        "'{value}' is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD",
        {"value": str(value)[:40], "hint": "for example 2023, 2023-04 or 2023-04-14"},
    )


def full_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PydanticCustomError(
        "invalid-date",
        "'{value}' is not a date in the form YYYY-MM-DD",
        {"value": str(value)[:40], "hint": "for example 2025-02-14 (year, month, day)"},
    )


def answer_time(value: Any) -> Any:
    """When the secretariat answered: an ISO 8601 date and time (UTC), or a date."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(ANSWER_TIME, value.strip()):
        try:
            dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return value.strip()
    raise PydanticCustomError(
        "invalid-date",
        "'{value}' is not a date and time in the form YYYY-MM-DDTHH:MM:SSZ",
        {"value": str(value)[:40], "hint": "for example 2025-03-05T09:12:00Z (UTC)"},
    )
