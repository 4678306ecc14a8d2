"""Validation issues of a workbook, said as a spreadsheet user sees them: at the cell that
holds the value (a missing contact e-mail at the e-mail's value cell, not the header), in
the order of the sheets' tabs and rows, and with hints in spreadsheet words ("the cell holds
text: type the number again or set the cell to Number") instead of the YAML file's ("remove
the quotes"), which the workbook was converted to for checking.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from .issues import Issue
from .workbook_cells import (
    CONTRIBUTION,
    DATA_SHEETS,
    FIELDS,
    INDICATORS,
    INSTRUCTIONS,
    Kind,
    ReadWorkbook,
    Where,
    get_path,
)
from .yamlsource import FieldPath, format_path

TAB_ORDER = (INSTRUCTIONS, *DATA_SHEETS)
_CELL = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_NUMBER = re.compile(r"\s*[-+]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][-+]?[0-9]+)?\s*%?\s*")
_PART = re.compile(r"\[([0-9]+)\]|([^.\[\]]+)")

TEXT_NOT_NUMBER = "the cell holds text: type the number again or set the cell to Number"


def order_of(where: Where) -> tuple[int, int, int]:
    """Where a cell comes when a person reads the workbook: its sheet's tab, row, column."""
    sheet, cell = where
    tab = TAB_ORDER.index(sheet) if sheet in TAB_ORDER else len(TAB_ORDER)
    match = _CELL.fullmatch(cell)
    if match is None:
        return tab, 0, 0
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - ord("A") + 1
    return tab, int(match.group(2)), column


def place_in_workbook(issues: list[Issue], found: ReadWorkbook) -> None:
    """Give each issue the sheet and cell of its field, and hints in spreadsheet words
    (in place), instead of a line of the YAML that the workbook was converted to."""
    by_field = {format_path(p): where for p, where in found.cells.items()}
    for index, issue in enumerate(issues):
        if issue.cell is not None:
            continue
        path = field_path(issue.field)
        where = _nearest(issue.field, by_field) or (CONTRIBUTION, "A1")
        hint = spreadsheet_hint(issue, found.kinds.get(where), get_path(found.data, path))
        if path in FIELDS and path not in found.cells:
            hint = (
                f"the row '{issue.field}' is missing from the {CONTRIBUTION} sheet: add it "
                "back (its name in column A, its value in column B)"
            )
        issues[index] = dataclasses.replace(
            issue,
            cell=f"{where[0]}!{where[1]}",
            line=None,
            column=None,
            hint=hint,
            order=order_of(where),
        )


def field_path(name: str) -> FieldPath:
    """`initiatives[0].started` as the path ("initiatives", 0, "started")."""
    return tuple(
        int(number) if number else key for number, key in _PART.findall(name) if number or key
    )


def _nearest(name: str, by_field: dict[str, Where]) -> Where | None:
    while name:
        if name in by_field:
            return by_field[name]
        shorter = re.sub(r"(\.[^.\[\]]+|\[[0-9]+\])$", "", name)
        if shorter == name:
            return None
        name = shorter
    return None


def spreadsheet_hint(issue: Issue, kind: Kind | None, value: Any) -> str | None:
    """The issue's hint as said to someone who typed into a cell of `kind` holding
    `value`; the issue's own hint when it needs no spreadsheet words."""
    if issue.code == "missing-field":
        return "fill in this cell"
    if kind in ("number", "year"):
        return _number_hint(issue, kind, value)
    if kind in ("date", "month"):
        return _date_hint(issue, kind, value)
    if kind == "text" and issue.code == "wrong-type" and _is_number_or_date(value):
        return "the cell holds a number or a date: set the cell to Text and type it again"
    return issue.hint


def _number_hint(issue: Issue, kind: Kind, value: Any) -> str | None:
    if not isinstance(value, str) or issue.code not in ("wrong-type", "decimal-comma"):
        return issue.hint
    if issue.code == "decimal-comma":
        return (
            f"the cell holds the text '{value.strip()}': type the number again with the "
            "decimal separator of your spreadsheet's language (a point in English: "
            f"{value.strip().replace(',', '.')}), or set the cell to Number"
        )
    if _NUMBER.fullmatch(value):
        own = issue.hint or ""
        return TEXT_NOT_NUMBER + (f" ({own})" if own.startswith("did you mean") else "")
    if kind == "number" and issue.field.startswith("indicators"):
        return (
            "the cell holds text: type a number, or leave the cell empty and say why in "
            f"reason_missing (on the {INDICATORS} sheet)"
        )
    return "the cell holds text: type a number" + (" (a year, e.g. 2024)" if kind == "year" else "")


def _date_hint(issue: Issue, kind: Kind, value: Any) -> str | None:
    if issue.code not in ("invalid-date", "wrong-type"):
        return issue.hint
    if isinstance(value, dt.datetime):
        return "the cell holds a date and a time: type the date again, without the time"
    if kind == "date":
        return (
            "type the date as YYYY-MM-DD, e.g. 2025-02-14, in a cell set to Date "
            "(the template's cell is)"
        )
    return (
        "type YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2024-12, in a cell set to Text (the "
        "template's cell is: it keeps what you type)"
    )


def _is_number_or_date(value: Any) -> bool:
    return isinstance(value, (int, float, dt.date)) and not isinstance(value, bool)
