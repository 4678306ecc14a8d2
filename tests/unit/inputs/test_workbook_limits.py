"""A workbook is measured before it is parsed (issue 35, "Bounded work"): a zip bomb or a
workbook of thousands of sheets is refused from the zip's directory and a streamed count,
without openpyxl. Hostile workbooks are made here, streamed; none is committed.

(Measured on the code before: `wgreport validate` of the 200 MiB bomb below took 143 s and
694 MiB; of the 5,000-sheet workbook, 15.6 s and 145 MiB. After: under a second and about
60 MiB each, the interpreter's own.)
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS, validate_in_demo
from wgreport.cli.main import app
from wgreport.errors import WorkbookRefused
from wgreport.inputs import workbook_limits as workbook
from wgreport.inputs.validation import load_working_group
from wgreport.inputs.workbook import (
    MAX_SHEET_ROWS,
    MAX_WORKBOOK_SHEETS,
    read_workbook,
    write_workbook,
)
from wgreport.inputs.workbook_limits import measure_workbook
from wgreport.inputs.yamlsource import load_yaml

runner = CliRunner()
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEAD = f'<worksheet xmlns="{NS}"><sheetData>'.encode()
TAIL = b"</sheetData></worksheet>"
Writer = Callable[[zipfile.ZipFile, str], None]


def _book(path: Path, sheets: list[Writer]) -> Path:
    """A minimal workbook: its workbook.xml, relationships and one part per sheet."""
    count = range(1, len(sheets) + 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml",
                         f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
                         + "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in count)
                         + "</sheets></workbook>")  # fmt: skip
        archive.writestr("xl/_rels/workbook.xml.rels",
                         "<Relationships>"
                         + "".join(f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.xml"/>'
                                   for i in count)
                         + "</Relationships>")  # fmt: skip
        for i, write in zip(count, sheets, strict=True):
            write(archive, f"xl/worksheets/sheet{i}.xml")
    return path


def _rows(rows: int, dimension: str | None = None) -> Writer:
    def write(archive: zipfile.ZipFile, name: str) -> None:
        head = HEAD
        if dimension is not None:
            head = f'<worksheet xmlns="{NS}"><dimension ref="{dimension}"/><sheetData>'.encode()
        body = b"".join(b'<row r="%d"><c r="A%d"/></row>' % (n, n) for n in range(1, rows + 1))
        archive.writestr(name, head + body + TAIL)

    return write


def _bomb(size: int) -> Writer:
    """A sheet of `size` bytes of rows, written a mebibyte at a time (never held whole)."""

    def write(archive: zipfile.ZipFile, name: str) -> None:
        row = b'<row r="1"><c r="A1"/></row>'
        block = row * (1024 * 1024 // len(row))
        with archive.open(name, "w", force_zip64=True) as fh:
            fh.write(HEAD)
            for _ in range(size // len(block) + 1):
                fh.write(block)
            fh.write(TAIL)

    return write


@pytest.fixture
def no_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything asks openpyxl to parse a workbook."""
    import openpyxl

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl was asked to parse the workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def _codes(problems: list[workbook.WorkbookProblem]) -> list[str]:
    return [p.code for p in problems]


def test_a_zip_bomb_is_refused_from_the_zip_directory(tmp_path: Path, no_openpyxl: None) -> None:
    path = _book(tmp_path / "bomb.xlsx", [_bomb(200 * 1024 * 1024)])
    assert path.stat().st_size < 1024 * 1024  # 200 MiB of rows in well under 1 MiB
    problems = measure_workbook(path)
    assert _codes(problems) == ["workbook-too-large", "workbook-too-large"]
    assert "unpacks to 201.0 MiB; at most 20.0 MiB are allowed (limit: unpacked size)" in (
        problems[0].message
    )
    assert "(limit: compression ratio)" in problems[1].message
    assert "wgreport template --format xlsx" in problems[0].hint
    with pytest.raises(WorkbookRefused):
        read_workbook(path)


def test_validate_reports_the_bomb_without_parsing_it(tmp_path: Path, no_openpyxl: None) -> None:
    folder = tmp_path / "contributions"
    folder.mkdir()
    path = _book(folder / "KR.xlsx", [_bomb(200 * 1024 * 1024)])
    result = validate_in_demo(path)
    issues = [(i.severity, i.code) for r in result.reports for i in r.issues]
    assert ("error", "workbook-too-large") in issues
    assert not result.valid
    cli = runner.invoke(app, ["validate", str(path)])
    assert cli.exit_code == 1
    assert "error workbook-too-large: the workbook unpacks to 201.0 MiB" in cli.output


def test_five_thousand_sheets_are_refused(tmp_path: Path, no_openpyxl: None) -> None:
    path = _book(tmp_path / "many.xlsx", [_rows(1)] * 5_000)
    messages = [p.message for p in measure_workbook(path)]
    assert (
        f"the workbook has 5,000 sheets; at most {MAX_WORKBOOK_SHEETS} are allowed "
        "(limit: workbook sheets)" in messages
    )
    assert any("(limit: workbook parts)" in m for m in messages)


def test_more_sheets_than_allowed_but_few_parts(tmp_path: Path) -> None:
    path = _book(tmp_path / "many.xlsx", [_rows(1)] * (MAX_WORKBOOK_SHEETS + 1))
    assert [p.message for p in measure_workbook(path)] == [
        f"the workbook has {MAX_WORKBOOK_SHEETS + 1} sheets; at most {MAX_WORKBOOK_SHEETS} are "
        "allowed (limit: workbook sheets)"
    ]
    assert measure_workbook(_book(tmp_path / "ok.xlsx", [_rows(1)] * MAX_WORKBOOK_SHEETS)) == []


def test_rows_are_counted_when_the_dimension_is_absent_or_lies(tmp_path: Path) -> None:
    rows = MAX_SHEET_ROWS + 1
    for name, dimension in (("absent", None), ("lies", "A1")):
        problems = measure_workbook(_book(tmp_path / f"{name}.xlsx", [_rows(rows, dimension)]))
        assert len(problems) == 1 and "(limit: sheet size)" in problems[0].message, name
        assert f"the sheet 'S1' has more than {MAX_SHEET_ROWS:,} rows" in problems[0].message
    assert measure_workbook(_book(tmp_path / "ok.xlsx", [_rows(MAX_SHEET_ROWS)])) == []


def test_a_dimension_past_the_limits_is_refused_before_counting(tmp_path: Path) -> None:
    problems = measure_workbook(_book(tmp_path / "wide.xlsx", [_rows(3, "A1:Z100000")]))
    assert [p.message for p in problems] == [
        "the sheet 'S1' has more than 5,000 rows and more than 50,000 cells; at most 5,000 rows "
        "and 50,000 cells are allowed (limit: sheet size)"
    ]


def test_tags_split_across_chunks_are_counted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "MEASURE_CHUNK", 37)  # every tag lands on a boundary somewhere
    path = _book(tmp_path / "rows.xlsx", [_rows(1_000)])
    with zipfile.ZipFile(path) as archive:
        assert workbook._count_sheet(archive, "xl/worksheets/sheet1.xml") == (1_000, 1_000)


def test_files_that_are_no_workbook_are_unreadable(tmp_path: Path) -> None:
    text = tmp_path / "text.xlsx"
    text.write_text("id,value\n", encoding="utf-8")
    encrypted = tmp_path / "encrypted.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)  # an OLE file
    no_workbook = tmp_path / "zip.xlsx"
    with zipfile.ZipFile(no_workbook, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    for path, words in (
        (text, "is not an Excel workbook"),
        (encrypted, "password-protected"),
        (no_workbook, "has no xl/workbook.xml"),
    ):
        problems = measure_workbook(path)
        assert _codes(problems) == ["file-unreadable"], path.name
        assert words in problems[0].message


def test_the_template_and_every_demo_contribution_pass(tmp_path: Path) -> None:
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    made = runner.invoke(app, ["template", "--member", "KR", "--year", "2024", "--format",
                               "xlsx", "--out", str(tmp_path / "KR.xlsx"),
                               "--inputs", str(DEMO_INPUTS)])  # fmt: skip
    assert made.exit_code == 0, made.output
    assert measure_workbook(tmp_path / "KR.xlsx") == []
    for contribution in sorted(DEMO_INPUTS.glob("*/contributions/*.yaml")):
        path = tmp_path / f"{contribution.parent.parent.name}-{contribution.stem}.xlsx"
        path.write_bytes(write_workbook(load_yaml(contribution).data, wg))
        assert measure_workbook(path) == [], path.name
        assert read_workbook(path).problems == []


def test_template_from_a_bomb_is_a_usage_error(tmp_path: Path, no_openpyxl: None) -> None:
    path = _book(tmp_path / "KR.xlsx", [_bomb(30 * 1024 * 1024)])
    result = runner.invoke(app, ["template", "--from", str(path), "--format", "yaml",
                                 "--out", str(tmp_path / "KR.yaml")])  # fmt: skip
    assert result.exit_code == 2
    assert "limit: unpacked size" in result.output
    assert not (tmp_path / "KR.yaml").exists()


def test_the_limits_page_gives_each_workbook_limit_its_value() -> None:
    from tests.conftest import ROOT

    page = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| [^|]+ \| ([^|]+) \| `([A-Z_]+)` \|$", page, re.M)
    assert len(rows) == 8
    for shown, name in rows:
        value = getattr(workbook, name)
        expected = f"{value // (1024 * 1024)} MiB" if name.endswith("_BYTES") else f"{value:,}"
        assert shown.strip() == expected, name
