"""An edition's time zone as its file names it: an IANA name (`Asia/Seoul`) that the
machine's time-zone database knows; and the languages it names for its report (`ko`),
each one with a catalogue shipped. Standard library and pydantic only."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

_TIME_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}")


def _time_zone(value: str) -> str:
    """An IANA time zone name the machine's time-zone database knows (`Asia/Seoul`)."""
    import zoneinfo

    name = value.strip()
    known = False
    if _TIME_ZONE.fullmatch(name):
        try:
            zoneinfo.ZoneInfo(name)
            known = True
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
    if not known:
        raise PydanticCustomError(
            "invalid-choice",
            "'{value}' is not a time zone name",
            {
                "value": value[:60],
                "hint": "write an IANA time zone name, e.g. Asia/Seoul, Europe/Tallinn or UTC",
            },
        )
    return name


TimeZone = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(_time_zone),
    Field(json_schema_extra={"examples": ["Asia/Seoul", "Europe/Tallinn", "UTC"]}),
]


def _report_language(value: str) -> str:
    """A language the report can be built in: English, or one with a catalogue shipped."""
    from ..locales import shipped_languages

    languages = shipped_languages()
    if value not in languages:
        raise PydanticCustomError(
            "invalid-choice",
            "'{value}' is not a language the report can be built in",
            {
                "value": value[:60],
                "hint": f"write one of {', '.join(languages)}; a new language is a message "
                "catalogue: see the README's 'Languages'",
            },
        )
    return value


ReportLanguage = Annotated[
    str,
    StringConstraints(max_length=16),
    AfterValidator(_report_language),
    Field(json_schema_extra={"examples": ["en", "ko"]}),
]
