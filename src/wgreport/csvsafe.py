"""CSV cells that a spreadsheet will not run: the one rule every published CSV follows.

A spreadsheet (Excel, LibreOffice, Google Sheets) opening a CSV treats a cell that starts
with `=`, `+`, `-` or `@` as a formula, and some also after a leading tab or carriage
return: a member's initiative title or a reviewer's comment reading
`=HYPERLINK("https://…","…")` or `=cmd|' /C calc'!A0` would run on the reader's machine.
As OWASP recommends ("CSV Injection"), such a *text* cell is written with a leading
apostrophe, which spreadsheets show as text and do not evaluate. Numbers are left alone:
a value of -0.0167 is written as -0.0167, as the number it is.

Kept free of pandas (the comment table is written without it); `safe_frame` only calls
the frame's own methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: The first characters that make a spreadsheet read a text cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value` as a CSV cell: text starting with a formula character gets a leading `'`.

    Only `str` values change; numbers, booleans, dates and missing values are returned
    as they are (a negative number is a number, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with `safe_cell` applied to its text: every cell of its text
    columns, its column labels and its index labels. Numeric and boolean columns are
    left as they are."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype.kind in "biufcmM":  # bool, integer, float, complex, datetime
            continue
        # Only the hostile cells are replaced: the others keep their values and the
        # column its dtype (a mapped object column of numbers would be re-inferred).
        hostile = series.map(_is_formula).astype(bool)
        if hostile.any():
            out[column] = series.where(~hostile, series.map(safe_cell))
    out.columns = _safe_labels(out.columns)
    out.index = _safe_labels(out.index)
    return out


def _is_formula(value: Any) -> bool:
    return safe_cell(value) is not value


def _safe_labels(labels: pd.Index) -> pd.Index:
    if not any(_is_formula(v) for v in labels):
        return labels
    return labels.map(safe_cell).rename(labels.name)
