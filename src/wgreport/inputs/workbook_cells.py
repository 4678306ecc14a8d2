"""What each cell of a contribution workbook holds: its sheet and column, the kind of value
(text, a number, a year, a date, or a partial date), whether it is required, the cell
format that keeps what a person types, and how a cell's value is read back.

The kinds and their cell formats (docs/members-guide.md, "Or fill in a spreadsheet"):

- text: the Text format (`@`), so that `2023-03` or `0012` typed in stays as typed;
- a number or a year: the General number format, so that `0.9679` typed in Excel or
  LibreOffice is stored as the number 0.9679 (General shows every digit typed, where a
  fixed format such as `0.00` would show 0.97);
- a date (`submitted`): a date format, `yyyy-mm-dd`, so that `2025-02-14` typed in is a date
  and is shown as it was typed;
- a partial date (`started`, `ended`, `adopted`: YYYY, YYYY-MM or YYYY-MM-DD): the Text
  format, so that `2024-12` stays the month it is. A cell that holds a date all the same
  (pasted, or typed into a General cell of Excel, which makes `2024-12` the 1st of December)
  is read back as the month when its day is the 1st and its format shows no day (`mmm-yy`,
  `yyyy-mm`), as the year when its format shows neither day nor month, and as the day
  otherwise: what the cell shows is what the member meant.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, get_args

from pydantic import BaseModel

from .models import Contribution, IndicatorValue, Initiative, LegalInstrument, Link
from .yamlsource import FieldPath, format_path

CONTRIBUTION = "Contribution"
LEGAL = "Legal instruments"
INITIATIVES = "Initiatives"
LINKS = "Links"
INDICATORS = "Indicators"
INSTRUCTIONS = "Instructions"
#: The sheets that hold the contribution, in the order of their tabs (after Instructions).
DATA_SHEETS = (CONTRIBUTION, LEGAL, INITIATIVES, LINKS, INDICATORS)

#: The Contribution sheet: one field per row (column A the field, B its value, C what to
#: write there).
FIELDS: tuple[FieldPath, ...] = (
    ("schema",),
    ("member",),
    ("year",),
    ("submitted",),
    ("contact", "name"),
    ("contact", "email"),
    ("contact", "organisation"),
    ("summary",),
    ("governance", "lead_institution"),
    ("governance", "coordination_model"),
    ("governance", "strategy", "title"),
    ("governance", "strategy", "adopted"),
    ("governance", "strategy", "url"),
    ("governance", "strategy", "horizon"),
    ("indicators_file",),
    ("case_study", "title"),
    ("case_study", "body"),
    ("case_study", "image", "file"),
    ("case_study", "image", "alt"),
)
# The list sheets: their columns, as paths inside one item.
INITIATIVE_COLUMNS: tuple[FieldPath, ...] = (
    ("id",), ("title",), ("theme",), ("status",), ("started",), ("ended",), ("description",),
    ("outcomes",), ("image", "file"), ("image", "alt"),
)  # fmt: skip
LINK_COLUMNS = ("initiative", "title", "url")
INDICATOR_COLUMNS = ("id", "value", "data_year", "source", "note", "reason_missing")
LEGAL_COLUMNS = ("title", "year")
STATUSES = ("planned", "in-progress", "completed", "discontinued")
COORDINATION = ("centralised", "decentralised", "hybrid")
#: Outcomes share one cell, one per line.
OUTCOME_SEPARATOR = "\n"

#: Written after the name of a required field (column A of Contribution, a list sheet's
#: header); the reader reads the name with or without it.
REQUIRED_MARK = " (required)"
#: Columns that only inform (what to write; an indicator's unit and bounds): written by the
#: template, never read.
GUIDE_COLUMN = "what to write"
UNIT_COLUMN = "unit"
BOUNDS_COLUMN = "bounds"
INFO_COLUMNS = (GUIDE_COLUMN, UNIT_COLUMN, BOUNDS_COLUMN)

Kind = Literal["text", "number", "year", "date", "month"]
#: A cell of a data sheet: ("Initiatives", "C2").
Where = tuple[str, str]


class LayoutProblem(NamedTuple):
    """A workbook not laid out as the template: the sheet, the cell (None for a missing
    sheet), what is wrong, and what to do."""

    sheet: str
    cell: str | None
    text: str
    hint: str | None = None


@dataclass
class ReadWorkbook:
    """What a workbook holds: the v1 data, for each field the cell it came from (also for
    an empty cell, so that "missing" is said at the cell to fill in), what kind of value
    each cell holds, and the layout problems that stopped the reading."""

    data: dict[str, Any]
    cells: dict[FieldPath, Where] = field(default_factory=dict)
    problems: list[LayoutProblem] = field(default_factory=list)
    kinds: dict[Where, Kind] = field(default_factory=dict)

    def cell_of(self, path: FieldPath) -> Where | None:
        """The cell of `path`, or of the nearest field above it that has one."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.cells:
                return self.cells[path[:end]]
        return None


_KINDS: dict[tuple[str, FieldPath], Kind] = {
    (CONTRIBUTION, ("year",)): "year",
    (CONTRIBUTION, ("submitted",)): "date",
    (CONTRIBUTION, ("governance", "strategy", "adopted")): "month",
    (CONTRIBUTION, ("governance", "strategy", "horizon")): "year",
    (INITIATIVES, ("started",)): "month",
    (INITIATIVES, ("ended",)): "month",
    (LEGAL, ("year",)): "year",
    (INDICATORS, ("value",)): "number",
    (INDICATORS, ("data_year",)): "year",
}
#: The cell format of each kind (see the module's docstring).
NUMBER_FORMATS: dict[Kind, str] = {
    "text": "@",
    "number": "General",
    "year": "General",
    "date": "yyyy-mm-dd",
    "month": "@",
}
_KIND_WORDS: dict[Kind, str] = {
    "text": "text",
    "number": "a number",
    "year": "a year, e.g. 2024",
    "date": "a date, YYYY-MM-DD (e.g. 2025-02-14)",
    "month": "YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2024-12): kept as typed",
}
_NOTES: dict[tuple[str, FieldPath], str] = {
    (CONTRIBUTION, ("schema",)): "leave as it is",
    (CONTRIBUTION, ("member",)): "your member code",
    (CONTRIBUTION, ("contact", "email")): "an e-mail address",
    (CONTRIBUTION, ("summary",)): "a few sentences (Markdown)",
    (CONTRIBUTION, ("governance", "coordination_model")): "choose from the list",
    (CONTRIBUTION, ("governance", "strategy", "url")): "a web address, https://…",
    (CONTRIBUTION, ("indicators_file",)): "a CSV file instead of the Indicators sheet",
    (CONTRIBUTION, ("case_study", "body")): "Markdown",
    (CONTRIBUTION, ("case_study", "image", "file")): "a PNG, JPEG or SVG beside the workbook",
    (INITIATIVES, ("id",)): "lowercase letters, digits and dashes, e.g. one-stop-benefits",
    (INITIATIVES, ("theme",)): "choose from the list",
    (INITIATIVES, ("status",)): "choose from the list",
    (INITIATIVES, ("description",)): "Markdown",
    (INITIATIVES, ("outcomes",)): "one per line (Alt+Enter)",
    (LINKS, ("initiative",)): "the id of its initiative",
    (LINKS, ("url",)): "a web address, https://…",
    (INDICATORS, ("id",)): "choose from the list",
    (INDICATORS, ("reason_missing",)): "why there is no value, when value is empty",
}
_ITEM_MODELS: dict[str, type[BaseModel]] = {
    LEGAL: LegalInstrument,
    INITIATIVES: Initiative,
    LINKS: Link,
    INDICATORS: IndicatorValue,
}


def kind_of(sheet: str, column: FieldPath) -> Kind:
    """The kind of value a field holds (text unless listed)."""
    return _KINDS.get((sheet, column), "text")


def requirement(sheet: str, column: FieldPath) -> tuple[bool, str | None]:
    """Whether a field must be filled in, and the optional part that makes it required
    when given (`case_study` for `case_study.title`); (False, None) for an optional field.
    Read from the v1 models, so the marks follow the format."""
    if sheet == LINKS and column == ("initiative",):
        return True, None
    if sheet == INDICATORS and column == ("value",):
        return False, None  # a number, or empty with a reason_missing
    model: type[BaseModel] | None = Contribution if sheet == CONTRIBUTION else _ITEM_MODELS[sheet]
    optional_parent: FieldPath | None = None
    for depth, part in enumerate(column):
        fields = {(f.alias or n): f for n, f in model.model_fields.items()} if model else {}
        info = fields.get(str(part))
        if info is None:
            return False, None
        last = depth == len(column) - 1
        if not info.is_required():
            if last:
                return False, None
            optional_parent = optional_parent or column[: depth + 1]
        model = _model_in(info.annotation)
    if optional_parent is not None:
        return False, format_path(optional_parent)
    return True, None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def guidance(sheet: str, column: FieldPath) -> str:
    """What to write in a field, as the template's "what to write" column and the cell's
    input message say it: required or optional, the kind of value, a note."""
    if sheet == INDICATORS and column == ("value",):
        return "a number within the bounds beside it; or empty, with a reason_missing"
    required, parent = requirement(sheet, column)
    if required:
        need = "required"
    elif parent is not None:
        need = f"optional; required with a {parent}"
    else:
        need = "optional"
    kind = kind_of(sheet, column)
    words = _NOTES.get((sheet, column), _KIND_WORDS[kind])
    return f"{need} · {words}"


def bounds_text(low: float | None, high: float | None) -> str:
    """An indicator's bounds in words: `0 to 1`, `at least 0`, or empty."""

    def shown(x: float) -> str:
        return f"{x:g}"

    if low is not None and high is not None:
        return f"{shown(low)} to {shown(high)}"
    if low is not None:
        return f"at least {shown(low)}"
    if high is not None:
        return f"at most {shown(high)}"
    return ""


def header_name(raw: Any) -> str:
    """A header or field name as written, without the required mark."""
    name = str(raw).strip() if raw is not None else ""
    return name.removesuffix(REQUIRED_MARK).strip()


def get_path(data: Any, path: Iterable[str | int]) -> Any:
    """The value at `path` in nested data, or None."""
    for part in path:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
    return data


def items_of(value: Any) -> list[dict[str, Any]]:
    """The mappings of a list (the items of a list sheet)."""
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


# --- reading ------------------------------------------------------------------------------


def read_cell(cell: Any, kind: Kind) -> Any:
    """A cell's value as the v1 data holds it: an empty text is no value; a date with no
    time is a date; a number as a spreadsheet shows it (15 significant digits: 96.79% is
    stored as 0.9679000000000001); a date in a partial-date cell as what it shows."""
    raw = cell.value
    if isinstance(raw, str) and raw == "":
        return None
    if isinstance(raw, float) and kind in ("number", "year"):
        return float(f"{raw:.15g}")
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time():
            return raw
        raw = raw.date()
    if isinstance(raw, dt.date) and kind == "month":
        return partial_date_shown(raw, str(cell.number_format or ""))
    return raw


_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def partial_date_shown(day: dt.date, number_format: str) -> str | dt.date:
    """A date in a partial-date cell as its format shows it: `2024-12` for the 1st of
    December shown as `mmm-yy` or `yyyy-mm`, `2024` for the 1st of January shown as `yyyy`,
    else the date itself."""
    codes = _QUOTED.sub("", number_format.split(";")[0]).lower()
    if "y" not in codes or "d" in codes:  # no date format, or one that shows the day
        return day
    shows_month = "m" in codes
    if shows_month and day.day == 1:
        return f"{day.year:04d}-{day.month:02d}"
    if not shows_month and day.day == 1 and day.month == 1:
        return f"{day.year:04d}"
    return day
