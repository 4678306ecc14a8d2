"""A contribution as a spreadsheet (openpyxl): for members who would rather fill in a
workbook than write YAML.

`write_workbook` (workbook_write) lays a contribution (or the skeleton's TODO placeholders)
out as one sheet per part of the v1 format, each value cell formatted for what it holds
(workbook_cells), required fields marked, with drop-down lists and input messages, and a
sheet of instructions; `read_workbook` turns a filled-in workbook back into the v1 data,
remembering which cell each value came from, so that validation issues name the sheet, the
cell and the field, in spreadsheet words (workbook_issues). YAML → workbook → YAML keeps
every field (tests/unit/inputs/test_workbook.py round-trips every demo contribution).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..errors import WorkbookRefused
from .issues import Issue
from .models import PLACEHOLDER, WorkingGroup
from .suggest import did_you_mean
from .workbook_cells import CONTRIBUTION as CONTRIBUTION
from .workbook_cells import DATA_SHEETS as DATA_SHEETS
from .workbook_cells import FIELDS as FIELDS
from .workbook_cells import INDICATOR_COLUMNS as INDICATOR_COLUMNS
from .workbook_cells import INDICATORS as INDICATORS
from .workbook_cells import INFO_COLUMNS, Where, header_name, kind_of, read_cell
from .workbook_cells import INITIATIVE_COLUMNS as INITIATIVE_COLUMNS
from .workbook_cells import INITIATIVES as INITIATIVES
from .workbook_cells import INSTRUCTIONS as INSTRUCTIONS
from .workbook_cells import LEGAL as LEGAL
from .workbook_cells import LEGAL_COLUMNS as LEGAL_COLUMNS
from .workbook_cells import LINK_COLUMNS as LINK_COLUMNS
from .workbook_cells import LINKS as LINKS
from .workbook_cells import OUTCOME_SEPARATOR as OUTCOME_SEPARATOR
from .workbook_cells import LayoutProblem as LayoutProblem
from .workbook_cells import ReadWorkbook as ReadWorkbook
from .workbook_issues import order_of
from .workbook_issues import place_in_workbook as place_in_workbook
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
from .workbook_write import write_workbook as write_workbook
from .yamlsource import FieldPath, format_path


def _put(data: dict[str, Any], path: FieldPath, value: Any) -> None:
    current = data
    for part in path[:-1]:
        current = current.setdefault(str(part), {})
    current[str(path[-1])] = value


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
    others = [n for n in book.sheetnames if n not in (*DATA_SHEETS, INSTRUCTIONS)]
    for title in DATA_SHEETS:
        if title not in book.sheetnames:
            found.problems.append(_missing_sheet(title, others))
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


def _missing_sheet(title: str, others: list[str]) -> LayoutProblem:
    """A data sheet that is not there, with the sheet that looks like it renamed."""
    for other in others:
        if (did_you_mean(other, [title]) or "").startswith("did you mean"):
            return LayoutProblem(
                other,
                "A1",
                f"the sheet '{title}' is missing; is '{other}' that sheet renamed?",
                f"did you mean '{title}'? rename the sheet '{other}' back to '{title}' "
                "(double-click its tab)",
            )
    return LayoutProblem(
        title,
        None,
        f"the sheet '{title}' is missing",
        f"add it back from `wgreport template --format xlsx`, named '{title}'",
    )


def _record(found: ReadWorkbook, path: FieldPath, where: Where, kind: Any) -> None:
    found.cells[path] = where
    found.kinds[where] = kind


def _read_fields(sheet: Any, found: ReadWorkbook) -> None:
    """The Contribution sheet: each field's row, read by its name in column A; the cell
    of each field is remembered even when empty (a missing field is said there)."""
    known = {format_path(p): p for p in FIELDS}
    for row in sheet.iter_rows(min_row=2):
        name = row[0].value
        if name is None:
            continue
        path = known.get(header_name(name))
        if path is None:
            found.problems.append(
                LayoutProblem(
                    sheet.title,
                    row[0].coordinate,
                    f"'{name}' is not a field of a contribution",
                    _misspelt(str(name), known),
                )
            )
            continue
        where = (sheet.title, f"B{row[0].row}")
        kind = kind_of(CONTRIBUTION, path)
        _record(found, path, where, kind)
        value = read_cell(row[1], kind) if len(row) > 1 else None
        if value is not None:
            _put(found.data, path, value)


def _misspelt(name: str, known: Any) -> str:
    guess = did_you_mean(header_name(name), list(known))
    if guess is not None and guess.startswith("did you mean"):
        return f"{guess} keep the names of `wgreport template --format xlsx`"
    return "keep the sheets and header rows of `wgreport template --format xlsx`"


def _header(sheet: Any, columns: list[FieldPath], found: ReadWorkbook) -> list[FieldPath | None]:
    expected = {format_path(c): c for c in columns}
    header: list[FieldPath | None] = []
    for cell in next(sheet.iter_rows(min_row=1, max_row=1), ()):
        name = header_name(cell.value)
        if name and name not in expected and name not in INFO_COLUMNS:
            found.problems.append(
                LayoutProblem(
                    sheet.title,
                    cell.coordinate,
                    f"'{cell.value}' is not a column of this sheet",
                    _misspelt(name, expected),
                )
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
    last_row = 1
    for row in sheet.iter_rows(min_row=2):
        values = [(read_cell(c, kind_of(title, col) if col else "text"), c)
                  for c, col in zip(row, header, strict=False)]  # fmt: skip
        if all(v is None for v, _ in values):
            continue
        item: dict[str, Any] = {}
        index = len(items)
        for (value, cell), column in zip(values, header, strict=False):
            if column is None:
                continue
            _record(
                found, (*base, index, *column), (title, cell.coordinate), kind_of(title, column)
            )
            if value is None and column[0] not in keep_empty:
                continue
            if column == ("outcomes",) and isinstance(value, str):
                value = [o for o in value.split(OUTCOME_SEPARATOR) if o.strip()]
            _put(item, column, value)
        found.cells[(*base, index)] = (title, f"A{row[0].row}")
        last_row = row[0].row
        items.append(item)
    found.cells.setdefault(base, (title, f"A{last_row + 1}"))  # where a missing row goes
    if items or title == INITIATIVES:
        _put(found.data, base, items)


def _read_links(sheet: Any, found: ReadWorkbook) -> None:
    header = _header(sheet, [(c,) for c in LINK_COLUMNS], found)
    initiatives = found.data.get("initiatives") or []
    by_id = {i.get("id"): n for n, i in enumerate(initiatives)}
    for row in sheet.iter_rows(min_row=2):
        values = {
            col[0]: (read_cell(c, "text"), c) for c, col in zip(row, header, strict=False) if col
        }
        if all(v is None for v, _ in values.values()):
            continue
        owner, owner_cell = values.get("initiative", (None, row[0]))
        if owner not in by_id:
            found.problems.append(
                LayoutProblem(
                    LINKS,
                    owner_cell.coordinate,
                    f"no initiative has the id '{owner}'",
                    did_you_mean(str(owner), [str(i) for i in by_id if i is not None])
                    or "write the id of a row of the Initiatives sheet",
                )
            )
            continue
        n = by_id[owner]
        links = initiatives[n].setdefault("links", [])
        link = {k: v for k, (v, _) in values.items() if k != "initiative" and v is not None}
        for key, (_, cell) in values.items():
            if key != "initiative":
                _record(
                    found,
                    ("initiatives", n, "links", len(links), key),
                    (LINKS, cell.coordinate),
                    "text",
                )
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
    for sheet, cell, text, hint in found.problems:
        source.issues.append(
            Issue(
                "error",
                "workbook-layout",
                f"sheet '{sheet}'{f', cell {cell}' if cell else ''}: {text}",
                cell=f"{sheet}!{cell}" if cell else None,
                hint=hint or "keep the sheets and header rows of `wgreport template --format xlsx`",
                order=order_of((sheet, cell or "A1")),
            )
        )
    if found.problems:
        return source, found
    text = to_yaml(found.data)
    source.text = text
    parse_yaml_text(source, text)
    return source, found
