"""'Did you mean …' hints."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

# Codes people commonly write instead of the ISO 3166-1 alpha-2 ones.
MEMBER_CODE_ALIASES = {"UK": "GB", "EL": "GR", "KO": "KR", "SK": "KR", "ROK": "KR", "UR": "UY"}


def edit_distance(a: str, b: str) -> int:
    """How many letters to insert, delete, replace or swap (two neighbours) to turn `a`
    into `b` (the optimal string alignment distance)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def close_matches(
    word: str, possibilities: Sequence[str], n: int = 3, cutoff: float = 0.6
) -> list[str]:
    """`difflib.get_close_matches(word, possibilities, n, cutoff)`, the same list, without
    comparing the possibilities that cannot match: a possibility shares at most as many
    letters with `word` as it has letters that occur in `word` (counted by str.translate,
    in C), and difflib's three ratios are at most that bound. A file with 26,000 unknown
    keys asked this for each missing key: 8 times 26,000 SequenceMatchers, 9 of the 12.6 s
    of its validation (profiled)."""
    in_word = {ord(letter): None for letter in set(word)}
    length = len(word)
    likely = [
        p
        for p in possibilities
        if not (total := len(p) + length)
        or 2.0 * min(len(p) - len(p.translate(in_word)), length) / total >= cutoff
    ]
    return difflib.get_close_matches(word, likely, n=n, cutoff=cutoff)


def closest(value: str, options: Iterable[str]) -> str | None:
    """The option `value` most likely misspells, matched on the whole of it: at most one
    slip per three letters of the longer of the two. A long shared part alone is not a
    match (`e-goverment` is not `ai-in-government`, though both end in `government`)."""
    candidates = close_matches(value, list(options), n=5, cutoff=0.6)
    scored = [
        (distance, -difflib.SequenceMatcher(None, value, option).ratio(), option)
        for option in candidates
        if (distance := edit_distance(value, option)) <= max(1, max(len(value), len(option)) // 3)
    ]
    return min(scored)[2] if scored else None


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
    close = closest(value.lower(), lowered)
    if close:
        return f"did you mean '{lowered[close]}'?"
    if len(options) <= 12:
        return "expected one of: " + ", ".join(f"'{o}'" for o in options)
    return None
