"""Writing a contribution as a workbook (`wgreport template --format xlsx`): one sheet per
part of the v1 format, each value cell formatted for its content (workbook_cells), required
fields marked, an indicator's unit and bounds beside its value, drop-down lists and input
messages, and an Instructions sheet that names the member and where to send the workbook.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from .models import WorkingGroup
from .workbook_cells import (
    BOUNDS_COLUMN,
    CONTRIBUTION,
    COORDINATION,
    FIELDS,
    GUIDE_COLUMN,
    INDICATOR_COLUMNS,
    INDICATORS,
    INITIATIVE_COLUMNS,
    INITIATIVES,
    INSTRUCTIONS,
    LEGAL,
    LEGAL_COLUMNS,
    LINK_COLUMNS,
    LINKS,
    NUMBER_FORMATS,
    OUTCOME_SEPARATOR,
    REQUIRED_MARK,
    STATUSES,
    UNIT_COLUMN,
    Kind,
    bounds_text,
    get_path,
    guidance,
    items_of,
    kind_of,
    requirement,
)
from .yamlsource import FieldPath, format_path

#: The rows of a list sheet that get its drop-down lists and input messages.
LIST_ROWS = 200
REQUIRED_FILL = "FFF2CC"  # light yellow: a required field's cell
INFO_FILL = "F2F2F2"  # light grey: a column that only informs
INFO_COLOUR = "595959"


def write_workbook(
    data: dict[str, Any], wg: WorkingGroup | None, *, portal_url: str | None = None
) -> bytes:
    """The workbook of a contribution's `data` (a parsed v1 file, or `skeleton_data`);
    `portal_url`, the portal's address, is named in the Instructions as where to send it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    intro = book.active
    assert intro is not None
    intro.title = INSTRUCTIONS
    for row in instructions(data, wg, portal_url):
        intro.append([row])
    intro.column_dimensions["A"].width = 110
    intro["A1"].font = Font(bold=True, size=14)
    _contribution_sheet(book.create_sheet(CONTRIBUTION), data)
    for title, columns, rows in _list_rows(data, wg):
        _list_sheet(book.create_sheet(title), title, columns, rows)
    _add_choices(book, wg, data)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "bold": Font(bold=True),
        "info": Font(italic=True, color=INFO_COLOUR),
        "required": PatternFill("solid", start_color=REQUIRED_FILL, end_color=REQUIRED_FILL),
        "grey": PatternFill("solid", start_color=INFO_FILL, end_color=INFO_FILL),
    }


def _contribution_sheet(sheet: Any, data: dict[str, Any]) -> None:
    """One field per row: its name (bold, "(required)" when it is), its value in a cell
    formatted for its content, and what to write there."""
    style = _styles()
    sheet.append(["field", "value", GUIDE_COLUMN])
    for index, path in enumerate(FIELDS, start=2):
        required, _ = requirement(CONTRIBUTION, path)
        name = format_path(path) + (REQUIRED_MARK if required else "")
        sheet.append([name, cell_value(get_path(data, path)), guidance(CONTRIBUTION, path)])
        label, value, guide = sheet[f"A{index}"], sheet[f"B{index}"], sheet[f"C{index}"]
        value.number_format = cell_format(kind_of(CONTRIBUTION, path), value.value)
        value.alignment = guide.alignment = label.alignment = style["wrap"]
        guide.font, guide.fill = style["info"], style["grey"]
        if required:
            label.font, value.fill = style["bold"], style["required"]
    for cell in sheet[1]:
        cell.font = style["bold"]
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 80
    sheet.column_dimensions["C"].width = 48
    sheet.freeze_panes = "A2"


def _list_rows(
    data: dict[str, Any], wg: WorkingGroup | None
) -> list[tuple[str, list[FieldPath | str], list[list[Any]]]]:
    """Each list sheet: its columns (an info column as its bare name) and rows."""
    indicator_columns: list[FieldPath | str] = [("id",), ("value",), UNIT_COLUMN, BOUNDS_COLUMN]
    indicator_columns += [(c,) for c in INDICATOR_COLUMNS[2:]]

    def indicator_row(item: dict[str, Any]) -> list[Any]:
        found = wg.indicator(str(item.get("id"))) if wg is not None else None
        info = {
            UNIT_COLUMN: found.unit if found else None,
            BOUNDS_COLUMN: bounds_text(found.min, found.max) if found else None,
        }
        return [
            info[c] if isinstance(c, str) else cell_value(get_path(item, c))
            for c in indicator_columns
        ]

    initiatives = items_of(data.get("initiatives"))
    return [
        (LEGAL, [(c,) for c in LEGAL_COLUMNS],
         [[get_path(x, (c,)) for c in LEGAL_COLUMNS]
          for x in items_of(get_path(data, ("governance", "legal_instruments")))]),
        (INITIATIVES, list(INITIATIVE_COLUMNS),
         [[_initiative_cell(x, c) for c in INITIATIVE_COLUMNS] for x in initiatives]),
        (LINKS, [(c,) for c in LINK_COLUMNS],
         [[x.get("id"), get_path(link, ("title",)), get_path(link, ("url",))]
          for x in initiatives for link in items_of(x.get("links"))]),
        (INDICATORS, indicator_columns,
         [indicator_row(x) for x in items_of(data.get("indicators"))]),
    ]  # fmt: skip


def _list_sheet(
    sheet: Any, title: str, columns: list[FieldPath | str], rows: list[list[Any]]
) -> None:
    """A list sheet: a header (required columns marked), one item per row, each column
    formatted for its content down to LIST_ROWS so that rows a member adds are too."""
    from openpyxl.utils import get_column_letter

    style = _styles()
    header = []
    for column in columns:
        required = not isinstance(column, str) and requirement(title, column)[0]
        name = column if isinstance(column, str) else format_path(column)
        header.append(name + (REQUIRED_MARK if required else ""))
    sheet.append(header)
    for row in rows:
        sheet.append([cell_value(v) for v in row])
    for number, column in enumerate(columns, start=1):
        letter = get_column_letter(number)
        info = isinstance(column, str)
        kind: Kind = "text" if isinstance(column, str) else kind_of(title, column)
        sheet.column_dimensions[letter].width = 14 if info else 28
        head = sheet[f"{letter}1"]
        head.font, head.alignment = style["bold"], style["wrap"]
        if info:
            head.fill = style["grey"]
        elif header[number - 1].endswith(REQUIRED_MARK):
            head.fill = style["required"]
        for index in range(2, len(rows) + 2):
            cell = sheet[f"{letter}{index}"]
            cell.number_format, cell.alignment = cell_format(kind, cell.value), style["wrap"]
            if info:
                cell.font, cell.fill = style["info"], style["grey"]
        # Rows a member adds below take the column's format.
        dimension = sheet.column_dimensions[letter]
        dimension.number_format = NUMBER_FORMATS[kind]
        dimension.alignment = style["wrap"]
    sheet.freeze_panes = "A2"


def cell_format(kind: Kind, value: Any) -> str:
    """A value cell's format: its kind's, but a date format for a date (a partial date
    written as a full date is one; a spreadsheet stores a date as a number)."""
    import datetime as dt

    return NUMBER_FORMATS["date"] if isinstance(value, dt.date) else NUMBER_FORMATS[kind]


def cell_value(value: Any) -> Any:
    """A value as a cell holds it: a text, a number, a date, or its text."""
    import datetime as dt

    if value is None or isinstance(value, (bool, int, float, str, dt.date)):
        return value
    return str(value)


def _initiative_cell(item: dict[str, Any], column: FieldPath) -> Any:
    value = get_path(item, column)
    if column == ("outcomes",):
        return OUTCOME_SEPARATOR.join(str(o) for o in value) if isinstance(value, list) else None
    return value


def _add_choices(book: Any, wg: WorkingGroup | None, data: dict[str, Any]) -> None:
    """Each value cell's input message (what to write: required, the kind of value, an
    indicator's unit and bounds), with a drop-down list where the value is a choice
    (themes, statuses, coordination models, indicator ids). A cell has one validation."""
    from openpyxl.worksheet.datavalidation import DataValidation

    def rule(sheet: str, cells: str, title: str, prompt: str, options: Iterable[str] = ()) -> None:
        listed = ",".join(options)
        if len(listed) > 255:  # Excel's limit for an inline list
            listed = ""
        made = DataValidation(
            type="list" if listed else None,
            formula1=f'"{listed}"' if listed else None,
            allow_blank=True,
            showInputMessage=True,
            showErrorMessage=bool(listed),
            promptTitle=title[:32],
            prompt=prompt[:255],
        )
        if listed:
            made.error = "Choose a value from the list"
        book[sheet].add_data_validation(made)
        made.add(cells)

    choices: dict[tuple[str, FieldPath], Iterable[str]] = {
        (CONTRIBUTION, ("governance", "coordination_model")): COORDINATION,
        (INITIATIVES, ("status",)): STATUSES,
    }
    if wg is not None:
        choices[(INITIATIVES, ("theme",))] = [t.id for t in wg.themes]
        choices[(INDICATORS, ("id",))] = [i.id for i in wg.indicators]
    for row, path in enumerate(FIELDS, start=2):
        options = choices.get((CONTRIBUTION, path), ())
        rule(CONTRIBUTION, f"B{row}", format_path(path), guidance(CONTRIBUTION, path), options)
    for title, columns in (
        (LEGAL, [(c,) for c in LEGAL_COLUMNS]),
        (INITIATIVES, list(INITIATIVE_COLUMNS)),
        (LINKS, [(c,) for c in LINK_COLUMNS]),
        (INDICATORS, [(c,) for c in INDICATOR_COLUMNS if c != "value"]),
    ):
        letters = _letters(book[title])
        for column in columns:
            letter = letters[format_path(column)]
            rule(title, f"{letter}2:{letter}{LIST_ROWS}", format_path(column),
                 guidance(title, column), choices.get((title, column), ()))  # fmt: skip
    _indicator_prompts(book, wg, data, rule)


def _letters(sheet: Any) -> dict[str, str]:
    """Each column's letter by its name (without the required mark)."""
    return {str(c.value).removesuffix(REQUIRED_MARK): c.column_letter for c in sheet[1] if c.value}


def _indicator_prompts(book: Any, wg: WorkingGroup | None, data: dict[str, Any], rule: Any) -> None:
    """An indicator value's input message names its indicator, unit and bounds."""
    letter = _letters(book[INDICATORS])["value"]
    items = items_of(data.get("indicators"))
    for row, item in enumerate(items, start=2):
        found = wg.indicator(str(item.get("id"))) if wg is not None else None
        if found is None:
            prompt = guidance(INDICATORS, ("value",))
        else:
            within = bounds_text(found.min, found.max)
            prompt = f"{found.title}: a number, {found.unit}" + (f", {within}" if within else "")
            prompt += "; or empty, with a reason_missing"
        rule(INDICATORS, f"{letter}{row}", f"value of {item.get('id')}", prompt)
    rule(INDICATORS, f"{letter}{len(items) + 2}:{letter}{LIST_ROWS}", "value",
         guidance(INDICATORS, ("value",)))  # fmt: skip


def instructions(
    data: dict[str, Any], wg: WorkingGroup | None, portal_url: str | None
) -> list[str]:
    """The Instructions sheet: whose workbook it is, where to send it, how to fill it in."""
    member = data.get("member") if isinstance(data.get("member"), str) else None
    found = wg.member(member) if wg is not None and member else None
    file = f"{member}.xlsx" if member else "the workbook"
    if portal_url:
        send = (
            f"Send it: upload {file} on the portal, {portal_url.rstrip('/')}/member (sign in "
            "with the link the secretariat sent you). The portal checks it at once and lists "
            "each problem at its sheet and cell; correct them and upload again."
        )
    else:
        send = (
            f"Send it: upload {file} on the working group's portal (the secretariat sends "
            "you its address). The portal checks it at once and lists each problem at its "
            "sheet and cell; correct them and upload again."
        )
    whose = (
        f" of {found.name} ({member})" if found is not None else (f" of {member}" if member else "")
    )
    year = data.get("year")
    edition = f"the {year} annual report" if isinstance(year, int) else "the annual report"
    lines = [
        f"Contribution{whose} to {edition}: the spreadsheet form",
        "",
        send,
        f"(With wgreport installed, `wgreport validate {file}` runs the same checks.)",
        "",
        "Replace every text that starts with TODO. Required fields have their name in bold "
        "with '(required)' and a yellow cell; leave an optional field you do not use empty. "
        "The grey columns (what to write, unit, bounds) are there to help and are not read.",
        "Each value cell is set for what it holds, so type as you would: numbers (value, "
        "year, data_year) as numbers, e.g. 0.9679; submitted as a date, YYYY-MM-DD "
        "(e.g. 2025-02-14); started, ended and adopted as YYYY, YYYY-MM or YYYY-MM-DD "
        "(e.g. 2024-12): those cells are text cells and keep the month as you typed it; "
        "everything else as text.",
        f"{CONTRIBUTION}: one field per row; write the value in column B.",
        f"{INITIATIVES}: one initiative per row (1 to 12). outcomes: one per line in the "
        "cell (Alt+Enter). theme and status: choose from the list.",
        f"{LINKS}: one link per row; 'initiative' is the id of the initiative it belongs to.",
        f"{INDICATORS}: one row per indicator, its unit and bounds beside the value; leave "
        "value empty and give reason_missing when there is none.",
        f"{LEGAL}: the legal instruments of your governance, with their year.",
        "Do not rename the sheets or change the header rows.",
    ]
    if wg is not None:
        lines += ["", "Indicators of the catalogue:"]
        for i in wg.indicators:
            within = bounds_text(i.min, i.max)
            lines.append(f"  {i.id}: {i.title} ({i.unit}{', ' + within if within else ''})")
        lines += ["", "Themes: " + ", ".join(t.id for t in wg.themes)]
    return lines
