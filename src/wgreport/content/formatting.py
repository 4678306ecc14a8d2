"""How numbers and missing values are shown, in tables, charts and findings alike.

Every printed number goes through `format_number` (or `format_change`, `format_median`),
which rounds the value *as written* half-up, the convention of the UN and OECD tables:
0.99535 prints as 0.9954 at four decimals, never 0.9953 (as binary floating point does).

Values reach the report as Python floats (the YAML and CSV readers parse them). `exact`
turns a float back into the decimal that was written: `repr` gives the shortest decimal
that reads back as the same float, and for a number written with at most 15 significant
digits (every published indicator value; the UN export has five decimals) that is the
number as written. Sums, differences and medians are then computed in `Decimal`, so a
median of 0.9011 and 0.9012 is 0.90115 exactly and prints as 0.9012.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from ..i18n import SOURCE_LANGUAGE, current_language, long_date
from ..i18n import gettext as _
from ..locales import N_

#: Units whose values are whole numbers (a median of two of them may fall on a half).
WHOLE_UNITS = ("rank", "count")


def is_missing(value: Any) -> bool:
    """None, pandas NA or NaN: a value that is not there."""
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, Decimal) and value.is_nan())
    )


def exact(value: Any) -> Decimal | None:
    """The number as written, as a `Decimal`; None when missing."""
    if is_missing(value):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError(f"{value!r} is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        return Decimal(value.strip())
    return Decimal(repr(float(value)))


def rounded(value: Any, decimals: int) -> Decimal | None:
    """`value` rounded half-up to `decimals` places, from the number as written."""
    number = exact(value)
    if number is None:
        return None
    result = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return result.copy_abs() if result.is_zero() else result  # never "-0.00"


def not_available() -> str:
    """What a missing value prints: "n/a" (in the report's language)."""
    return _("n/a")


def is_not_available(text: str) -> bool:
    """Whether a printed value is the missing value's text, in English or the report's
    language (the facts print either)."""
    return text in ("n/a", not_available())


def localised(number: Decimal, *, signed: bool = False, locale: str | None = None) -> str:
    """A number already rounded by the report's rules, written with the decimal and grouping
    symbols of `locale` (by default the report's language) by Babel: its digits are kept as
    they are (0.9140 keeps its four decimals). English keeps the report's own form (commas
    between thousands). The sign is ASCII: U+2212 is not in Noto Sans, and fonts are pinned."""
    lang = locale or current_language()
    if lang == SOURCE_LANGUAGE:
        return f"{number:+,f}" if signed else f"{number:,f}"
    from babel.numbers import format_decimal

    decimals = max(0, -int(number.as_tuple().exponent))
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(abs(number), format=pattern, locale=lang, decimal_quantization=False)
    sign = "-" if number < 0 else ("+" if signed else "")
    return sign + text


def format_number(value: Any, decimals: int, *, signed: bool = False) -> str:
    """A number with the catalogue's decimals, rounded half-up; "n/a" when missing (never
    zero). Thousands are grouped with commas (in another language, by its locale's rules).

    The sign is ASCII: U+2212 is not in Noto Sans, and fonts are pinned."""
    number = rounded(value, decimals)
    if number is None:
        return not_available()
    return localised(number, signed=signed)


def format_written(value: Any) -> str:
    """A published reference value exactly as its source prints it (0.61 stays 0.61)."""
    number = exact(value)
    return not_available() if number is None else localised(number)


def exact_median(values: Iterable[Any]) -> Decimal | None:
    """The median of the values present, in exact decimal arithmetic; None when none is."""
    present = [d for d in (exact(v) for v in values) if d is not None]
    return statistics.median(present) if present else None


def format_median(value: Any, decimals: int, unit: str) -> str:
    """A group median. For whole-number units (ranks, counts) a median between two values
    prints its half: a median rank of 19.5 is 19.5, not 20."""
    number = exact(value)
    if number is not None and decimals == 0 and unit in WHOLE_UNITS and number % 1:
        return format_number(number, 1)
    return format_number(number, decimals)


def printed_change(current: Any, previous: Any, decimals: int) -> Decimal | None:
    """A change as the report prints it: the printed current value minus the printed
    previous value, so that the three printed figures always agree."""
    now, before = rounded(current, decimals), rounded(previous, decimals)
    if now is None or before is None:
        return None
    return now - before


def format_change(current: Any, previous: Any, decimals: int, unit: str) -> str:
    """The printed change between two printed values. A rank reads the way a reader says
    it: from 11th to 7th is "up 4" (rank 1 is best), the other way "down 4"."""
    change = printed_change(current, previous, decimals)
    if change is None:
        return not_available()
    if unit == "rank":
        places = int(-change)
        if places == 0:
            return _("unchanged")
        if places > 0:
            return _("up %(places)s") % {"places": places}
        return _("down %(places)s") % {"places": -places}
    return format_number(change, decimals, signed=True)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st… (in another language, its own form of a
    rank: 3위)."""
    if current_language() != SOURCE_LANGUAGE:
        return _("%(number)s (ordinal)") % {"number": n}
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def as_float(value: Any) -> float:
    """A pandas scalar as a float; NaN when missing."""
    return math.nan if value is None or pd.isna(value) else float(value)


def as_int(value: Any) -> int:
    """A pandas count as an int."""
    return int(value)


def format_day(value: Any) -> str:
    """A date as running text writes it: "28 February 2025" (in Korean: 2025년 2월 28일)."""
    date = pd.Timestamp(str(value))
    return long_date(date.date()) or f"{date.day} {date.strftime('%B %Y')}"


#: The catalogue's units as running text names them (working-group.yaml's `unit`).
UNIT_NAMES = {
    "index": N_("index"),
    "rank": N_("rank"),
    "percent": N_("percent"),
    "count": N_("count"),
    "currency": N_("currency"),
    "years": N_("years"),
    "score": N_("score"),
}


def unit_name(unit: str) -> str:
    """A unit's name in the report's language (English: the catalogue's own word)."""
    if current_language() == SOURCE_LANGUAGE:
        return unit
    return _(UNIT_NAMES.get(unit, unit))


#: An initiative's status as the report names it (the spec's enumeration).
STATUS_NAMES = {
    "planned": N_("Planned"),
    "in-progress": N_("In progress"),
    "completed": N_("Completed"),
    "discontinued": N_("Discontinued"),
}
#: A governance's coordination model as the report names it (the spec's enumeration).
COORDINATION_NAMES = {
    "centralised": N_("Centralised"),
    "decentralised": N_("Decentralised"),
    "hybrid": N_("Hybrid"),
}


def status_title(status: str) -> str:
    """An initiative's status in the report's language ("In progress", 진행 중)."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def coordination_title(model: str) -> str:
    """A coordination model in the report's language ("Hybrid", 혼합형)."""
    return _(COORDINATION_NAMES[model]) if model in COORDINATION_NAMES else model


#: A member's submission status as the status annex prints it (inputs.edition.MemberStatus).
STATUS_LABELS = {
    "submitted": N_("submitted"),
    "submitted late": N_("submitted late"),
    "submitted, not valid": N_("submitted, not valid"),
    "submitted late, not valid": N_("submitted late, not valid"),
    "not submitted": N_("not submitted"),
    "not submitted, overdue": N_("not submitted, overdue"),
    # a final does not say who was late, nor "not valid" (the status annex's words)
    "not included": N_("not included"),
    "submitted late, not included": N_("submitted late, not included"),
    "submitted, not included": N_("submitted, not included"),
}


def status_label(label: str) -> str:
    """A submission status in the report's language (English: as given); one this does not
    know (a member left out at render time, with its reason) stays as it is."""
    if current_language() == SOURCE_LANGUAGE:
        return label
    return _(STATUS_LABELS[label]) if label in STATUS_LABELS else label


_DRAFT = re.compile(r"^Draft (\d+)$")


def draft_label(label: str) -> str:
    """A draft's label ("Draft 001", as the build names it) in the report's language."""
    match = _DRAFT.match(label)
    if match is None or current_language() == SOURCE_LANGUAGE:
        return label
    return _("Draft %(number)s") % {"number": match[1]}


def format_moment(value: str) -> str:
    """A build's time (ISO 8601, UTC) as the report prints it: as given in English; in
    another language its long date and the time (2025년 3월 15일 09:00 UTC)."""
    lang = current_language()
    if lang == SOURCE_LANGUAGE:
        return value
    moment = pd.Timestamp(value)
    day = long_date(moment.date()) or moment.date().isoformat()
    zone = " UTC" if moment.tzinfo is not None and moment.utcoffset() == pd.Timedelta(0) else ""
    return f"{day} {moment:%H:%M}{zone}"


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def format_when(value: Any) -> str:
    """A date as the inputs give it (2023-04-14, 2022-06 or 2021) in the report's language:
    as given in English; in another language its own form, by Babel's locale data
    (2023년 4월 14일, 2022년 6월, 2021년). Anything else stays as it is."""
    text = str(value)
    lang = current_language()
    match = _PARTIAL_DATE.match(text)
    if lang == SOURCE_LANGUAGE or match is None:
        return text
    import datetime

    from babel.dates import format_skeleton

    year, month, day = int(match[1]), int(match[2] or 1), int(match[3] or 1)
    when = datetime.date(year, month, day)
    if match[3]:
        return long_date(when) or text
    return format_skeleton("yMMMM" if match[2] else "y", when, locale=lang)
