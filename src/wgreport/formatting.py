"""How numbers and missing values are shown, in tables and charts alike."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def is_missing(value: Any) -> bool:
    """None, pandas NA or NaN: a value that is not there."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def format_number(value: Any, decimals: int, *, signed: bool = False) -> str:
    """A number with the catalogue's decimals; "n/a" when missing (never zero).

    The sign is ASCII: U+2212 is not in Noto Sans, and fonts are pinned."""
    if is_missing(value):
        return "n/a"
    return f"{float(value):+,.{decimals}f}" if signed else f"{float(value):,.{decimals}f}"


def as_float(value: Any) -> float:
    """A pandas scalar as a float; NaN when missing."""
    return math.nan if value is None or pd.isna(value) else float(value)


def as_int(value: Any) -> int:
    """A pandas count as an int."""
    return int(value)
