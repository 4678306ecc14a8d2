"""The largest workbook the portal takes: a member's real contribution as the template's
workbook, plus filler sheets up to every limit a workbook must meet before it is parsed.

    PYTHONPATH=src .venv/bin/python benchmarks/largest_workbook.py [--member KR] [--year 2024]
                                                              [--out KR-largest.xlsx]

The contribution (inputs/<year>/contributions/<CODE>.yaml) is laid out by
`wgreport.inputs.workbook.write_workbook`, as `wgreport template --from CODE.yaml --format xlsx`
does; then sheets "Notes 01", "Notes 02", ... are added up to MAX_WORKBOOK_SHEETS, each with
MAX_SHEET_ROWS rows, holding together exactly MAX_WORKBOOK_CELLS cells (the contribution's
cells included), each a distinct text. The texts are sized so that the workbook unpacks to
just under MAX_WORKBOOK_UNPACKED_BYTES, and made partly random so that the file itself is
just under the portal's 2 MiB upload limit (the compression ratio stays far below
MAX_COMPRESSION_RATIO). The reader ignores sheets it does not know, so the workbook is the
member's contribution (valid if the YAML is), and openpyxl parses every filler cell all the
same. `measure_workbook` must pass it: `build` raises if it does not.
"""

from __future__ import annotations

import argparse
import io
import random
import string
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
UPLOAD_BYTES = 2 * 1024 * 1024  # wgreport.portal.limits.PortalLimits.upload_bytes
SLACK_BYTES = 16 * 1024  # aim this far under the upload limit (zip sizes vary a little)
FILLER = (
    "Note kept in the workbook by the member's office; it is not part of the contribution "
    "and the reader ignores this sheet, but the spreadsheet parser reads every cell of it. "
) * 4


@dataclass(frozen=True)
class Built:
    path: Path
    bytes: int
    unpacked: int
    largest_ratio: float
    sheets: int
    rows: int  # over all sheets, as measure_workbook counts them
    cells: int
    filler_cells: int
    text_chars: float  # each filler text's length, on average
    random_chars: float  # of which random
    builds: int  # workbooks built to come this close to the limits


def _count(data: bytes) -> tuple[int, int, int]:
    """(sheets, rows, cells) of a workbook, counted as measure_workbook counts them."""
    from wgreport.inputs.workbook_limits import _count_sheet, _sheet_parts

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = {i.filename for i in archive.infolist()}
        sheets = _sheet_parts(archive, names)
        rows = cells = 0
        for _, part in sheets:
            r, c = _count_sheet(archive, part)
            rows, cells = rows + r, cells + c
    return len(sheets), rows, cells


def _zip_figures(data: bytes) -> tuple[int, float]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        return sum(i.file_size for i in infos), max(
            i.file_size / max(i.compress_size, 1) for i in infos
        )


def _contribution(inputs: Path, member: str, year: int) -> tuple[dict[str, Any], Any]:
    from wgreport.inputs.validation import load_working_group
    from wgreport.inputs.yamlsource import load_yaml

    wg, _ = load_working_group(inputs / "working-group.yaml")
    loaded = load_yaml(inputs / str(year) / "contributions" / f"{member}.yaml")
    if not isinstance(loaded.data, dict):
        raise SystemExit(f"{member}.yaml of {year} cannot be read")
    return loaded.data, wg


def _share(average: float, number: int) -> int:
    """The `number`th of whole shares that average `average` (e.g. 12.5: 12, 13, 12, ...)."""
    return int(average * (number + 1)) - int(average * number)


def _with_filler(base: bytes, filler_cells: int, chars: float, random_chars: float) -> bytes:
    from openpyxl import load_workbook

    from wgreport.inputs.workbook_limits import MAX_SHEET_ROWS, MAX_WORKBOOK_SHEETS

    book = load_workbook(io.BytesIO(base))
    extra = MAX_WORKBOOK_SHEETS - len(book.sheetnames)
    rng = random.Random(35)
    alphabet = string.ascii_letters + string.digits
    number = 0
    for k in range(extra):
        sheet = book.create_sheet(f"Notes {k + 1:02d}")
        cells = filler_cells // extra + (1 if k < filler_cells % extra else 0)
        doubles = max(0, min(MAX_SHEET_ROWS, cells - MAX_SHEET_ROWS))
        for row in range(min(MAX_SHEET_ROWS, cells)):
            values = []
            for _ in range(2 if row < doubles else 1):
                number += 1
                noise = "".join(rng.choices(alphabet, k=_share(random_chars, number)))
                text = f"{number:06d} {noise} {FILLER}"[: max(_share(chars, number), 9)]
                # no space at the end: openpyxl would add xml:space="preserve" to the cell
                values.append(text[:-1] + "." if text.endswith(" ") else text)
            sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(out: Path, member: str = "KR", year: int = 2024, inputs: Path = ROOT / "inputs") -> Built:
    """Write the largest workbook of `member`'s contribution to `out` (see the module)."""
    from wgreport.inputs.workbook import write_workbook
    from wgreport.inputs.workbook_limits import (
        MAX_WORKBOOK_CELLS,
        MAX_WORKBOOK_UNPACKED_BYTES,
        measure_workbook,
    )

    data, wg = _contribution(inputs, member, year)
    base = write_workbook(data, wg)
    _, _, base_cells = _count(_with_filler(base, 0, 0, 0))  # as openpyxl saves it again
    filler_cells = MAX_WORKBOOK_CELLS - base_cells
    # A first guess (per text about 61 bytes of XML around it, `<row>`, `<c>`, `<is><t>`;
    # about 11 bytes compressed besides its random chars, 0.75 byte each), then corrected
    # from what was built: the unpacked size by the texts' length, the file's size by
    # their random part.
    chars = (MAX_WORKBOOK_UNPACKED_BYTES - 128 * 1024) / filler_cells - 61
    random_chars = ((UPLOAD_BYTES - SLACK_BYTES) / filler_cells - 11) / 0.75
    body = b""
    builds = 0
    while builds < 6:
        builds += 1
        body = _with_filler(base, filler_cells, chars, random_chars)
        unpacked, _ = _zip_figures(body)
        _, _, cells = _count(body)
        size_gap = UPLOAD_BYTES - SLACK_BYTES - len(body)
        unpacked_gap = MAX_WORKBOOK_UNPACKED_BYTES - 128 * 1024 - unpacked
        if (
            cells == MAX_WORKBOOK_CELLS
            and UPLOAD_BYTES - 2 * SLACK_BYTES <= len(body) <= UPLOAD_BYTES - SLACK_BYTES // 4
            and (0 <= unpacked_gap < 256 * 1024)
        ):
            break
        filler_cells += MAX_WORKBOOK_CELLS - cells
        chars += unpacked_gap / filler_cells
        random_chars = max(0.0, min(random_chars + size_gap / 0.75 / filler_cells, chars - 16))
    out.write_bytes(body)
    problems = measure_workbook(out)
    if problems or len(body) > UPLOAD_BYTES:
        raise SystemExit(
            f"{out}: {len(body):,} bytes; past a limit: {[p.message for p in problems]}"
        )
    sheets, rows, cells = _count(body)
    unpacked, ratio = _zip_figures(body)
    return Built(out, len(body), unpacked, ratio, sheets, rows, cells, filler_cells, chars,
                 random_chars, builds)  # fmt: skip


def describe(built: Built) -> str:
    from wgreport.inputs.workbook_limits import (
        MAX_COMPRESSION_RATIO,
        MAX_WORKBOOK_CELLS,
        MAX_WORKBOOK_SHEETS,
        MAX_WORKBOOK_UNPACKED_BYTES,
    )

    mib = 1024 * 1024
    return (
        f"{built.bytes / mib:.3f} MiB of {UPLOAD_BYTES / mib:.0f} MiB (upload limit), "
        f"unpacked {built.unpacked / mib:.2f} MiB of {MAX_WORKBOOK_UNPACKED_BYTES / mib:.0f}, "
        f"largest part ratio {built.largest_ratio:.1f} of {MAX_COMPRESSION_RATIO}, "
        f"{built.sheets} sheets of {MAX_WORKBOOK_SHEETS}, {built.rows:,} rows, "
        f"{built.cells:,} cells of {MAX_WORKBOOK_CELLS:,} ({built.filler_cells:,} filler texts "
        f"of {built.text_chars:.1f} chars, {built.random_chars:.1f} random); "
        "measure_workbook passes it"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--member", default="KR")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--out", type=Path, default=Path("KR-largest.xlsx"))
    args = parser.parse_args()
    built = build(args.out, args.member.upper(), args.year)
    print(f"{built.path}: {describe(built)}")


if __name__ == "__main__":
    main()
