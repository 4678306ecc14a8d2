"""A workbook measured before it is parsed: openpyxl parses whatever it is given, so a
75 KB zip bomb took a validation to 459 MB and a workbook of 5,000 sheets to 11.5 s.

`measure_workbook` reads only the zip's central directory, `xl/workbook.xml` with its
relationships, and each sheet's XML streamed in chunks, and says which limit a workbook
passes (the limits are the constants below; docs/limits.md lists them). The reader
(`workbook.read_workbook`), `wgreport validate` and the portal call it first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# openpyxl parses whatever it is given: a 75 KB zip bomb or a workbook of 5,000 sheets
# costs hundreds of megabytes or many seconds. The template has 6 sheets, 14 parts and
# about 400 cells; a filled-in contribution a few thousand cells.
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024  # the .xlsx file itself
MAX_WORKBOOK_UNPACKED_BYTES = 20 * 1024 * 1024  # all its parts, unpacked
MAX_WORKBOOK_PARTS = 200  # zip entries
MAX_COMPRESSION_RATIO = 100  # unpacked ÷ packed size of one part …
RATIO_FROM_BYTES = 1024 * 1024  # … checked for parts larger than this unpacked
MAX_WORKBOOK_SHEETS = 20
MAX_SHEET_ROWS = 5_000
MAX_SHEET_CELLS = 50_000
MAX_WORKBOOK_CELLS = 100_000  # all sheets together
MAX_WORKBOOK_XML_BYTES = 1024 * 1024  # xl/workbook.xml and its relationships, read whole
MEASURE_CHUNK = 64 * 1024  # bytes of a sheet's XML unpacked at a time while counting


@dataclass(frozen=True)
class WorkbookProblem:
    """Why a workbook is refused before it is parsed: an issue code (`workbook-too-large`
    for a limit, `file-unreadable` for a file that is no workbook), a message with the
    measured figure and the limit, and a hint."""

    code: str
    message: str
    hint: str


_SMALLER = (
    "keep only the contribution's sheets and rows: start again from "
    "`wgreport template --format xlsx` and copy the values in"
)
_NOT_A_WORKBOOK = (
    "save it as an Excel workbook (.xlsx) without a password, or start again from "
    "`wgreport template --format xlsx`"
)


def _code_and_hint(too_large: bool) -> tuple[str, str]:
    """A refusal's issue code and hint: a limit passed, or a file that is no workbook."""
    if too_large:
        return "workbook-too-large", _SMALLER
    return "file-unreadable", _NOT_A_WORKBOOK


def _too_large(message: str) -> WorkbookProblem:
    code, hint = _code_and_hint(True)
    return WorkbookProblem(code, message, hint)


def _unreadable(message: str) -> WorkbookProblem:
    code, hint = _code_and_hint(False)
    return WorkbookProblem(code, message, hint)


def measure_workbook(path: Path) -> list[WorkbookProblem]:
    """The limits a workbook exceeds, or why it is no workbook; [] when it may be parsed.

    Reads only the zip's central directory, `xl/workbook.xml` with its relationships, and
    each sheet's XML streamed in chunks (its `<dimension>`, then its `<row>` and `<c>`
    elements counted), never more than MAX_WORKBOOK_UNPACKED_BYTES in all; no openpyxl.
    """
    import zipfile

    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        return [_unreadable(f"cannot read the workbook: {exc}")]
    if magic.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE file: an encrypted .xlsx, or .xls
        return [_unreadable("the workbook is password-protected or in the old .xls format")]
    if size > MAX_WORKBOOK_BYTES:
        return [
            _too_large(
                f"the workbook is {_mib(size)}; at most {_mib(MAX_WORKBOOK_BYTES)} are "
                "allowed (limit: workbook size)"
            )
        ]
    try:
        with zipfile.ZipFile(path) as archive:
            return _measure_archive(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        return [_unreadable(f"the file is not an Excel workbook (.xlsx): {str(exc)[:120]}")]


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MiB"


def _measure_archive(archive: Any) -> list[WorkbookProblem]:
    infos = archive.infolist()
    if any(info.flag_bits & 0x1 for info in infos):
        return [_unreadable("the workbook is password-protected (encrypted)")]
    problems: list[WorkbookProblem] = []
    if len(infos) > MAX_WORKBOOK_PARTS:
        problems.append(
            _too_large(
                f"the workbook has {len(infos):,} parts; at most {MAX_WORKBOOK_PARTS:,} are "
                "allowed (limit: workbook parts)"
            )
        )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_WORKBOOK_UNPACKED_BYTES:
        problems.append(
            _too_large(
                f"the workbook unpacks to {_mib(unpacked)}; at most "
                f"{_mib(MAX_WORKBOOK_UNPACKED_BYTES)} are allowed (limit: unpacked size)"
            )
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            problems.append(
                _too_large(
                    f"the part {info.filename} unpacks to {ratio:,.0f} times its packed size "
                    f"({_mib(info.file_size)}); at most {MAX_COMPRESSION_RATIO} times is "
                    "allowed (limit: compression ratio)"
                )
            )
    if any("unpack" in p.message for p in problems):
        return problems  # nothing is read from a bomb, not even its workbook.xml
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        return [
            *problems,
            _unreadable("the file is not an Excel workbook: it has no xl/workbook.xml"),
        ]
    sheets = _sheet_parts(archive, names)
    if len(sheets) > MAX_WORKBOOK_SHEETS:
        problems.append(
            _too_large(
                f"the workbook has {len(sheets):,} sheets; at most {MAX_WORKBOOK_SHEETS} are "
                "allowed (limit: workbook sheets)"
            )
        )
    if problems:
        return problems
    total = 0
    for name, part in sheets:
        if part not in names:
            continue  # openpyxl says which sheet is missing
        rows, cells = _count_sheet(archive, part)
        total += cells
        if rows > MAX_SHEET_ROWS or cells > MAX_SHEET_CELLS:
            return [
                _too_large(
                    f"the sheet '{name}' has {_at_least(rows, MAX_SHEET_ROWS)} rows and "
                    f"{_at_least(cells, MAX_SHEET_CELLS)} cells; at most {MAX_SHEET_ROWS:,} "
                    f"rows and {MAX_SHEET_CELLS:,} cells are allowed (limit: sheet size)"
                )
            ]
        if total > MAX_WORKBOOK_CELLS:
            return [
                _too_large(
                    f"the workbook's sheets have more than {MAX_WORKBOOK_CELLS:,} cells "
                    "together (limit: workbook cells)"
                )
            ]
    return []


def _at_least(count: int, limit: int) -> str:
    return f"more than {limit:,}" if count > limit else f"{count:,}"


_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?(sheet|Relationship)\s([^>]*)>")
_ATTRIBUTE = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _read_small(archive: Any, name: str) -> bytes:
    with archive.open(name) as fh:
        data: bytes = fh.read(MAX_WORKBOOK_XML_BYTES + 1)
    if len(data) > MAX_WORKBOOK_XML_BYTES:
        raise ValueError(f"{name} is over {_mib(MAX_WORKBOOK_XML_BYTES)}")
    return data


def _sheet_parts(archive: Any, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, part name) for each sheet of xl/workbook.xml, and each worksheet part
    no sheet names (openpyxl does not read those, but they are counted all the same)."""
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for _, attributes in _TAG.findall(_read_small(archive, "xl/_rels/workbook.xml.rels")):
            found = _attributes(attributes)
            target = found.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[found.get("Id", "")] = part
    sheets: list[tuple[str, str]] = []
    for kind, attributes in _TAG.findall(_read_small(archive, "xl/workbook.xml")):
        if kind == b"sheet":
            found = _attributes(attributes)
            rel = next((v for k, v in found.items() if k.endswith(":id")), "")
            sheets.append((found.get("name", "?"), targets.get(rel, "")))
    named = {part for _, part in sheets}
    sheets += [
        (n, n)
        for n in sorted(names - named)
        if n.startswith("xl/worksheets/") and n.endswith(".xml")
    ]
    return sheets


def _attributes(raw: bytes) -> dict[str, str]:
    return {
        k.decode("utf-8", "replace"): (a or b).decode("utf-8", "replace")
        for k, a, b in _ATTRIBUTE.findall(raw)
    }


_DIMENSION = re.compile(
    rb"<(?:[A-Za-z_][\w.-]{0,15}:)?dimension\s[^>]*ref=\"([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?\""
)
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?row[\s/>]")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?c[\s/>]")
_LONGEST_TAG = 24  # bytes a counted tag's start can span: kept from one chunk to the next


def _count_sheet(archive: Any, part: str) -> tuple[int, int]:
    """A sheet's rows and cells: from its `<dimension ref="A1:J20">` when that is already
    past the limits, else counted in its XML, unpacked a chunk at a time and never more
    than MAX_WORKBOOK_UNPACKED_BYTES (the count stops once past the limits)."""
    rows = cells = read = 0
    tail = b""
    first = True
    with archive.open(part) as fh:
        while chunk := fh.read(MEASURE_CHUNK):
            read += len(chunk)
            buffer = tail + chunk
            if first:
                first = False
                dimension = _DIMENSION.search(buffer)
                if dimension is not None:
                    width, height = _dimension_size(dimension.groups())
                    if height > MAX_SHEET_ROWS or width * height > MAX_SHEET_CELLS:
                        return height, width * height
            # Count tags that start before the tail kept for the next chunk.
            end = max(len(buffer) - _LONGEST_TAG, 0)
            rows += sum(1 for m in _ROW.finditer(buffer) if m.start() < end)
            cells += sum(1 for m in _CELL.finditer(buffer) if m.start() < end)
            tail = buffer[end:]
            if rows > MAX_SHEET_ROWS or cells > MAX_SHEET_CELLS:
                break
            if read > MAX_WORKBOOK_UNPACKED_BYTES:
                break
    rows += len(_ROW.findall(tail))
    cells += len(_CELL.findall(tail))
    return rows, cells


def _dimension_size(groups: tuple[bytes | None, ...]) -> tuple[int, int]:
    """(columns, rows) of a dimension's range, e.g. A1:J20 → (10, 20)."""
    first_col, first_row, last_col, last_row = groups
    if last_col is None or last_row is None:
        return 1, 1
    assert first_col is not None and first_row is not None

    def column(letters: bytes) -> int:
        number = 0
        for ch in letters:
            number = number * 26 + (ch - ord("A") + 1)
        return number

    width = abs(column(last_col) - column(first_col)) + 1
    height = abs(int(last_row) - int(first_row)) + 1
    return width, height
