"""A contribution as a spreadsheet (openpyxl): for members who would rather fill in a
workbook than write YAML.

`write_workbook` lays a contribution (or the skeleton's TODO placeholders) out as one sheet
per part of the v1 format, with drop-down lists for the catalogue's codes and the
format's choices, and a sheet of instructions; `read_workbook` turns a filled-in workbook
back into the v1 data, remembering which cell each value came from, so that validation
issues name the sheet, the cell and the field. YAML → workbook → YAML keeps every field
(tests/unit/inputs/test_workbook.py round-trips every demo contribution).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import WorkbookRefused
from .models import PLACEHOLDER, WorkingGroup
from .workbook_limits import MAX_COMPRESSION_RATIO as MAX_COMPRESSION_RATIO
from .workbook_limits import MAX_SHEET_CELLS as MAX_SHEET_CELLS
from .workbook_limits import MAX_SHEET_ROWS as MAX_SHEET_ROWS
from .workbook_limits import MAX_WORKBOOK_BYTES as MAX_WORKBOOK_BYTES
from .workbook_limits import MAX_WORKBOOK_CELLS as MAX_WORKBOOK_CELLS
from .workbook_limits import MAX_WORKBOOK_PARTS as MAX_WORKBOOK_PARTS
from .workbook_limits import MAX_WORKBOOK_SHEETS as MAX_WORKBOOK_SHEETS
from .workbook_limits import MAX_WORKBOOK_UNPACKED_BYTES as MAX_WORKBOOK_UNPACKED_BYTES
from .workbook_limits import WorkbookProblem as WorkbookProblem
from .workbook_limits import measure_workbook
from .yamlsource import FieldPath, format_path

CONTRIBUTION = "Contribution"
LEGAL = "Legal instruments"
INITIATIVES = "Initiatives"
LINKS = "Links"
INDICATORS = "Indicators"
INSTRUCTIONS = "Instructions"

#: The Contribution sheet: one field per row (column A the field, B its value).
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


@dataclass
class ReadWorkbook:
    """What a workbook holds: the v1 data, and for each field the cell it came from."""

    data: dict[str, Any]
    cells: dict[FieldPath, tuple[str, str]] = field(default_factory=dict)  # sheet, "C2"
    problems: list[tuple[str, str | None, str]] = field(default_factory=list)  # sheet, cell, text

    def cell_of(self, path: FieldPath) -> tuple[str, str] | None:
        """The cell of `path`, or of the nearest field above it that has one."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.cells:
                return self.cells[path[:end]]
        return None


def _get(data: Any, path: Iterable[str | int]) -> Any:
    for part in path:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
    return data


def _put(data: dict[str, Any], path: FieldPath, value: Any) -> None:
    current = data
    for part in path[:-1]:
        current = current.setdefault(str(part), {})
    current[str(path[-1])] = value


def _cell_value(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        return value
    if isinstance(value, dt.date):
        return value
    return str(value)


def skeleton_data(wg: WorkingGroup, member: str, year: int) -> dict[str, Any]:
    """The skeleton's content (wgreport new) as data: what is known, TODO for the rest."""
    found = wg.member(member)
    if found is None:
        raise ValueError(f"{member} is not a member of {wg.name}")
    todo = PLACEHOLDER
    return {
        "schema": "wgreport/contribution/v1",
        "member": member,
        "year": year,
        "submitted": f"{todo} (YYYY-MM-DD)",
        "contact": {"name": f"{todo} (your name)", "email": f"{todo} (your work e-mail)",
                    "organisation": found.ministry},
        "summary": f"{todo} what changed in digital governance this year, in a few sentences.",
        "governance": {
            "lead_institution": todo,
            "coordination_model": "centralised",
            "strategy": {"title": todo, "adopted": f"{todo} (YYYY, YYYY-MM or YYYY-MM-DD)"},
        },
        "initiatives": [{"id": "todo-initiative-id", "title": todo, "theme": todo,
                         "status": "in-progress", "started": f"{todo} (YYYY-MM)",
                         "description": f"{todo} what the initiative does, for whom."}],
        "indicators": [{"id": i.id, "value": f"{todo} (a number; or empty, with a reason_missing)",
                        "data_year": year, "source": todo}
                       for i in wg.indicators],
    }  # fmt: skip


def write_workbook(data: dict[str, Any], wg: WorkingGroup | None) -> bytes:
    """The workbook of a contribution's `data` (a parsed v1 file, or `skeleton_data`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    intro = book.active
    assert intro is not None
    intro.title = INSTRUCTIONS
    for row in _instructions(wg):
        intro.append([row])
    intro.column_dimensions["A"].width = 110
    intro["A1"].font = Font(bold=True, size=14)
    wrap = Alignment(wrap_text=True, vertical="top")

    sheet = book.create_sheet(CONTRIBUTION)
    sheet.append(["field", "value"])
    for path in FIELDS:
        sheet.append([format_path(path), _cell_value(_get(data, path))])
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 90
    rows: list[tuple[str, list[list[Any]]]] = [
        (LEGAL, [[_get(x, (c,)) for c in LEGAL_COLUMNS]
                 for x in _items(_get(data, ("governance", "legal_instruments")))]),
        (INITIATIVES, [[_initiative_cell(x, c) for c in INITIATIVE_COLUMNS]
                       for x in _items(data.get("initiatives"))]),
        (LINKS, [[x.get("id"), _get(link, ("title",)), _get(link, ("url",))]
                 for x in _items(data.get("initiatives")) for link in _items(x.get("links"))]),
        (INDICATORS, [[_cell_value(_get(x, (c,))) for c in INDICATOR_COLUMNS]
                      for x in _items(data.get("indicators"))]),
    ]  # fmt: skip
    headers = {
        LEGAL: list(LEGAL_COLUMNS),
        INITIATIVES: [format_path(c) for c in INITIATIVE_COLUMNS],
        LINKS: list(LINK_COLUMNS),
        INDICATORS: list(INDICATOR_COLUMNS),
    }
    for title, values in rows:
        list_sheet = book.create_sheet(title)
        list_sheet.append(headers[title])
        for value_row in values:
            list_sheet.append([_cell_value(v) for v in value_row])
        for index in range(len(headers[title])):
            list_sheet.column_dimensions[chr(ord("A") + index)].width = 28
    for ws in book.worksheets[1:]:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = wrap
                if isinstance(cell.value, str):
                    cell.number_format = "@"  # text stays text (2023-03, 0012)
        ws.freeze_panes = "A2"
    _add_choices(book, wg)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _items(value: Any) -> list[dict[str, Any]]:
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _initiative_cell(item: dict[str, Any], column: FieldPath) -> Any:
    value = _get(item, column)
    if column == ("outcomes",):
        return OUTCOME_SEPARATOR.join(str(o) for o in value) if isinstance(value, list) else None
    return value


def _add_choices(book: Any, wg: WorkingGroup | None) -> None:
    """Drop-down lists: themes, statuses, coordination models and indicator ids."""
    from openpyxl.worksheet.datavalidation import DataValidation

    def choose(sheet: str, cells: str, options: Iterable[str]) -> None:
        listed = ",".join(options)
        if not listed or len(listed) > 255:  # Excel's limit for an inline list
            return
        rule = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
        rule.error = "Choose a value from the list"
        book[sheet].add_data_validation(rule)
        rule.add(cells)

    choose(INITIATIVES, "D2:D200", STATUSES)
    row = FIELDS.index(("governance", "coordination_model")) + 2
    choose(CONTRIBUTION, f"B{row}", COORDINATION)
    if wg is not None:
        choose(INITIATIVES, "C2:C200", [t.id for t in wg.themes])
        choose(INDICATORS, "A2:A200", [i.id for i in wg.indicators])


def _instructions(wg: WorkingGroup | None) -> list[str]:
    lines = [
        "Contribution to the annual report: the spreadsheet form",
        "",
        "Fill in the sheets, replace every text that starts with TODO, and check the file "
        "with: wgreport validate KR.xlsx (the same checks as for the YAML file).",
        f"{CONTRIBUTION}: one field per row; write the value in column B. Dates as "
        "YYYY-MM-DD; partial dates (started, adopted) as YYYY or YYYY-MM.",
        f"{INITIATIVES}: one initiative per row (1 to 12). outcomes: one per line in the "
        "cell (Alt+Enter). theme and status: choose from the list.",
        f"{LINKS}: one link per row; 'initiative' is the id of the initiative it belongs to.",
        f"{INDICATORS}: one row per indicator; leave value empty and give reason_missing "
        "when there is none.",
        f"{LEGAL}: the legal instruments of your governance, with their year.",
        "Leave a cell empty for an optional field you do not use. Do not rename the sheets "
        "or the header row.",
    ]
    if wg is not None:
        lines += ["", "Indicators of the catalogue:"]
        lines += [f"  {i.id}: {i.title} ({i.unit})" for i in wg.indicators]
        lines += ["", "Themes: " + ", ".join(t.id for t in wg.themes)]
    return lines


# --- reading ------------------------------------------------------------------------------


def read_workbook(path: Path) -> ReadWorkbook:
    """The v1 data of a filled-in workbook, and where each value came from. Measured
    first (measure_workbook): a workbook past a limit raises WorkbookRefused unparsed."""
    from openpyxl import load_workbook

    problems = measure_workbook(path)
    if problems:
        raise WorkbookRefused(problems)
    book = load_workbook(path, data_only=True, read_only=False)
    found = ReadWorkbook(data={})
    for title in (CONTRIBUTION, LEGAL, INITIATIVES, LINKS, INDICATORS):
        if title not in book.sheetnames:
            found.problems.append((title, None, f"the sheet '{title}' is missing"))
    if found.problems:
        return found
    _read_fields(book[CONTRIBUTION], found)
    _read_list(
        book[LEGAL],
        LEGAL,
        [(c,) for c in LEGAL_COLUMNS],
        ("governance", "legal_instruments"),
        found,
    )
    _read_list(book[INITIATIVES], INITIATIVES, list(INITIATIVE_COLUMNS), ("initiatives",), found)
    _read_list(
        book[INDICATORS],
        INDICATORS,
        [(c,) for c in INDICATOR_COLUMNS],
        ("indicators",),
        found,
        keep_empty={"value"},
    )
    _read_links(book[LINKS], found)
    return found


def _value(raw: Any) -> Any:
    if isinstance(raw, dt.datetime):
        return raw.date() if raw.time() == dt.time() else raw
    if isinstance(raw, str) and raw == "":
        return None
    return raw


def _read_fields(sheet: Any, found: ReadWorkbook) -> None:
    known = {format_path(p): p for p in FIELDS}
    for row in sheet.iter_rows(min_row=2):
        name = row[0].value
        if name is None:
            continue
        cell = row[1] if len(row) > 1 else None
        path = known.get(str(name).strip())
        if path is None:
            found.problems.append(
                (sheet.title, row[0].coordinate, f"'{name}' is not a field of a contribution")
            )
            continue
        value = _value(cell.value) if cell is not None else None
        if value is None:
            continue
        _put(found.data, path, value)
        found.cells[path] = (sheet.title, cell.coordinate if cell is not None else "B1")


def _header(sheet: Any, columns: list[FieldPath], found: ReadWorkbook) -> list[FieldPath | None]:
    expected = {format_path(c): c for c in columns}
    header: list[FieldPath | None] = []
    for cell in next(sheet.iter_rows(min_row=1, max_row=1), ()):
        name = str(cell.value).strip() if cell.value is not None else ""
        if name and name not in expected:
            found.problems.append(
                (sheet.title, cell.coordinate, f"'{name}' is not a column of this sheet")
            )
        header.append(expected.get(name))
    return header


def _read_list(
    sheet: Any,
    title: str,
    columns: list[FieldPath],
    base: FieldPath,
    found: ReadWorkbook,
    keep_empty: set[str] = frozenset(),  # type: ignore[assignment]
) -> None:
    header = _header(sheet, columns, found)
    items: list[dict[str, Any]] = []
    for row in sheet.iter_rows(min_row=2):
        values = [(_value(c.value), c) for c in row]
        if all(v is None for v, _ in values):
            continue
        item: dict[str, Any] = {}
        index = len(items)
        for (value, cell), column in zip(values, header, strict=False):
            if column is None:
                continue
            if value is None and column[0] not in keep_empty:
                continue
            if column == ("outcomes",) and isinstance(value, str):
                value = [o for o in value.split(OUTCOME_SEPARATOR) if o.strip()]
            _put(item, column, value)
            found.cells[(*base, index, *column)] = (title, cell.coordinate)
        found.cells[(*base, index)] = (title, f"A{row[0].row}")
        items.append(item)
    if items or title == INITIATIVES:
        _put(found.data, base, items)


def _read_links(sheet: Any, found: ReadWorkbook) -> None:
    header = _header(sheet, [(c,) for c in LINK_COLUMNS], found)
    initiatives = found.data.get("initiatives") or []
    by_id = {i.get("id"): n for n, i in enumerate(initiatives)}
    for row in sheet.iter_rows(min_row=2):
        values = {col[0]: (_value(c.value), c) for c, col in zip(row, header, strict=False) if col}
        if all(v is None for v, _ in values.values()):
            continue
        owner, owner_cell = values.get("initiative", (None, row[0]))
        if owner not in by_id:
            found.problems.append(
                (LINKS, owner_cell.coordinate, f"no initiative has the id '{owner}'")
            )
            continue
        n = by_id[owner]
        links = initiatives[n].setdefault("links", [])
        link = {k: v for k, (v, _) in values.items() if k != "initiative" and v is not None}
        for key, (_, cell) in values.items():
            if key != "initiative":
                found.cells[("initiatives", n, "links", len(links), key)] = (LINKS, cell.coordinate)
        links.append(link)


def to_yaml(data: dict[str, Any]) -> str:
    """The v1 YAML text of workbook data (block scalars for texts over several lines)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.scalarstring import LiteralScalarString

    def literal(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: literal(v) for k, v in value.items()}
        if isinstance(value, list):
            return [literal(v) for v in value]
        if isinstance(value, str) and "\n" in value:
            return LiteralScalarString(value)
        return value

    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(literal(data), out)
    return out.getvalue()


# --- validation ---------------------------------------------------------------------------


def workbook_source(path: Path, display: str | None = None) -> tuple[Any, ReadWorkbook | None]:
    """A Source for a workbook: its data converted to the v1 YAML and parsed as a
    contribution file is, with the workbook read; issues on it name no line yet."""
    from .yamlsource import Source, parse_yaml_text

    source = Source(path=path, display=display or str(path))
    try:
        found = read_workbook(path)
    except WorkbookRefused as refused:
        for problem in refused.problems:
            source.add("error", problem.code, problem.message, hint=problem.hint)
        return source, None
    except Exception as exc:  # a damaged or foreign file: openpyxl raises many kinds
        source.add(
            "error",
            "file-unreadable",
            f"cannot read the workbook: {type(exc).__name__}: {str(exc)[:200]}",
            hint="save it again as an Excel workbook (.xlsx), from `wgreport template`",
        )
        return source, None
    for sheet, cell, text in found.problems:
        source.add(
            "error",
            "workbook-layout",
            f"sheet '{sheet}'{f', cell {cell}' if cell else ''}: {text}",
            hint="keep the sheets and header rows of `wgreport template --format xlsx`",
        )
    if found.problems:
        return source, found
    text = to_yaml(found.data)
    source.text = text
    parse_yaml_text(source, text)
    return source, found


def place_in_workbook(issues: list[Any], found: ReadWorkbook) -> None:
    """Give each issue the sheet and cell of its field (in place), instead of a line of
    the YAML that the workbook was converted to."""
    import dataclasses

    by_field = {format_path(p): where for p, where in found.cells.items()}
    for index, issue in enumerate(issues):
        if issue.cell is not None:
            continue
        where = _nearest(issue.field, by_field) or (CONTRIBUTION, "A1")
        issues[index] = dataclasses.replace(
            issue, cell=f"{where[0]}!{where[1]}", line=None, column=None
        )


def _nearest(name: str, by_field: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    import re

    while name:
        if name in by_field:
            return by_field[name]
        shorter = re.sub(r"(\.[^.\[\]]+|\[[0-9]+\])$", "", name)
        if shorter == name:
            return None
        name = shorter
    return None
