"""'Did you mean …' hints."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# Codes people commonly write instead of the ISO 3166-1 alpha-2 ones.
MEMBER_CODE_ALIASES = {"UK": "GB", "EL": "GR", "KO": "KR", "SK": "KR", "ROK": "KR", "UR": "UY"}


def did_you_mean(value: str, choices: Iterable[str]) -> str | None:
    """The closest choice to `value`, as a hint, or None when nothing is close."""
    options = sorted(set(choices))
    if not options:
        return None
    alias = MEMBER_CODE_ALIASES.get(value.upper())
    if alias in options:
        return f"did you mean '{alias}'?"
    lowered = {o.lower(): o for o in options}
    if value.lower() in lowered and lowered[value.lower()] != value:
        return f"did you mean '{lowered[value.lower()]}'?"
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{lowered[close[0]]}'?"
    if len(options) <= 12:
        return "expected one of: " + ", ".join(f"'{o}'" for o in options)
    return None
