"""Workbooks typed for their content (issue 38): each value cell of `wgreport template
--format xlsx` formatted for what it holds, required fields marked, an indicator's unit and
bounds beside its value, Instructions that name the member and the portal; and a filled-in
workbook's problems at the cell that holds the value, in the order of the sheets and rows,
with hints in spreadsheet words."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS
from wgreport.cli.main import app
from wgreport.inputs.workbook import read_workbook
from wgreport.inputs.workbook_cells import partial_date_shown

runner = CliRunner()
FOLDER = "inputs/2024/contributions"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(DEMO_INPUTS, tmp_path / "inputs")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "inputs"


def _skeleton(tree: Path, member: str = "KR", out: str = "KR.xlsx") -> Path:
    made = runner.invoke(app, ["template", "--member", member, "--year", "2024", "--format", "xlsx", "--out", out, "--inputs", str(tree)])  # fmt: skip
    assert made.exit_code == 0, made.output
    return Path(out)


def _from_kr(tree: Path) -> Path:
    """KR's 2024 contribution as a workbook, in place of its YAML file."""
    made = runner.invoke(app, ["template", "--from", f"{FOLDER}/KR.yaml", "--format", "xlsx", "--out", f"{FOLDER}/KR.xlsx", "--inputs", str(tree)])  # fmt: skip
    assert made.exit_code == 0, made.output
    (tree / "2024" / "contributions" / "KR.yaml").unlink()
    return tree / "2024" / "contributions" / "KR.xlsx"


def _issues(book: Path) -> list[dict[str, Any]]:
    out = runner.invoke(app, ["validate", "--format", "json", str(book)]).output
    issues: list[dict[str, Any]] = json.loads(out)["files"][0]["issues"]
    return issues


def _rows(sheet: Any) -> dict[str, int]:
    return {str(sheet[f"A{r}"].value).split(" (")[0]: r for r in range(2, sheet.max_row + 1)}


def test_each_value_cell_is_formatted_for_what_it_holds(tree: Path) -> None:
    book = load_workbook(_skeleton(tree))
    contribution, rows = book["Contribution"], _rows(book["Contribution"])
    formats = {name: contribution[f"B{rows[name]}"].number_format for name in rows}
    assert formats["year"] == "General" and formats["governance.strategy.horizon"] == "General"
    assert formats["submitted"] == "yyyy-mm-dd"
    assert formats["governance.strategy.adopted"] == "@"  # 2024-12 stays the month
    assert formats["contact.email"] == "@" and formats["summary"] == "@"
    indicators = book["Indicators"]
    assert [c.value for c in indicators[1]][:4] == ["id (required)", "value", "unit", "bounds"]
    assert indicators["B2"].number_format == "General"  # 0.9679 typed is a number
    # Rows a member adds take their column's format.
    assert indicators.column_dimensions["B"].number_format == "General"
    assert book["Initiatives"].column_dimensions["E"].number_format == "@"  # started
    assert book["Initiatives"].column_dimensions["B"].number_format == "@"  # title


def test_required_fields_are_marked_and_each_value_has_its_unit_and_bounds(tree: Path) -> None:
    book = load_workbook(_skeleton(tree))
    contribution, rows = book["Contribution"], _rows(book["Contribution"])
    email = contribution[f"A{rows['contact.email']}"]
    assert email.value == "contact.email (required)" and email.font.b
    assert contribution[f"B{rows['contact.email']}"].fill.fgColor.rgb.endswith("FFF2CC")
    url = contribution[f"A{rows['governance.strategy.url']}"]
    assert url.value == "governance.strategy.url" and not url.font.b
    assert contribution[f"C{rows['case_study.title']}"].value.startswith(
        "optional; required with a case_study"
    )
    assert contribution[f"C{rows['submitted']}"].value == (
        "required · a date, YYYY-MM-DD (e.g. 2025-02-14)"
    )
    headers = [c.value for c in book["Initiatives"][1]]
    assert "started (required)" in headers and "ended" in headers
    indicators = book["Indicators"]
    beside = {indicators[f"A{r}"].value: (indicators[f"C{r}"].value, indicators[f"D{r}"].value) for r in range(2, 6)}  # fmt: skip
    assert beside == {"egdi": ("index", "0 to 1"), "osi": ("index", "0 to 1"),
                      "egdi-rank": ("rank", "1 to 193"), "dgi": ("index", "0 to 1")}  # fmt: skip
    prompts = {str(dv.sqref): dv.prompt for dv in indicators.data_validations.dataValidation}
    assert "a number, index, 0 to 1" in prompts["B2"]
    instructions = "\n".join(str(c.value) for c in book["Instructions"]["A"] if c.value)
    assert "yellow cell" in instructions and "egdi: E-Government Development Index (index, 0 to 1)" in instructions  # fmt: skip


def test_the_instructions_name_the_member_and_the_portal(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WGREPORT_PORTAL_URL", "https://portal.example.org/")
    book = load_workbook(_skeleton(tree, "EE", "EE.xlsx"))
    text = "\n".join(str(c.value) for c in book["Instructions"]["A"] if c.value)
    assert "Contribution of Estonia (EE)" in text
    assert "upload EE.xlsx on the portal, https://portal.example.org/member" in text
    assert "KR" not in text


def test_a_date_in_a_partial_date_cell_is_read_as_what_it_shows() -> None:
    first = dt.date(2024, 12, 1)
    assert partial_date_shown(first, "mmm-yy") == "2024-12"  # Excel's 2024-12 in General
    assert partial_date_shown(first, "YYYY-MM") == "2024-12"
    assert partial_date_shown(first, "[$-409]mmmm\\ yyyy;@") == "2024-12"
    assert partial_date_shown(dt.date(2024, 1, 1), "yyyy") == "2024"
    assert partial_date_shown(first, "yyyy-mm-dd") == first  # the day is shown: a day
    assert partial_date_shown(dt.date(2024, 12, 15), "mmm-yy") == dt.date(2024, 12, 15)
    assert partial_date_shown(first, "General") == first


def test_a_month_typed_as_a_date_and_a_percentage_are_read_as_meant(tree: Path) -> None:
    path = _from_kr(tree)
    book = load_workbook(path)
    book["Initiatives"]["E2"] = dt.datetime(2024, 12, 1)
    book["Initiatives"]["E2"].number_format = "mmm-yy"
    book["Indicators"]["B2"] = 0.9679000000000001  # 96.79% typed into a General cell
    book.save(path)
    data = read_workbook(path).data
    assert data["initiatives"][0]["started"] == "2024-12"
    assert data["indicators"][0]["value"] == 0.9679


def test_problems_are_at_the_value_cell_in_sheet_order_with_spreadsheet_hints(tree: Path) -> None:
    path = _from_kr(tree)
    book = load_workbook(path)
    rows = _rows(book["Contribution"])
    book["Contribution"][f"B{rows['contact.email']}"] = None
    book["Indicators"]["B2"] = "0.9679"  # a number typed into a Text cell
    book["Initiatives"]["C2"] = "agile-goverance"
    book.save(path)
    issues = _issues(path)
    assert [(i["cell"], i["code"]) for i in issues] == [
        (f"Contribution!B{rows['contact.email']}", "missing-field"),  # not A1
        ("Initiatives!C2", "unknown-theme"),
        ("Indicators!B2", "wrong-type"),
    ]
    hints = [i["hint"] for i in issues]
    assert hints[0] == "fill in this cell"
    assert hints[2] == "the cell holds text: type the number again or set the cell to Number"


def test_a_renamed_sheet_or_column_gets_a_did_you_mean(tree: Path) -> None:
    path = _from_kr(tree)
    book = load_workbook(path)
    book["Indicators"].title = "Indicatrs"
    book.save(path)
    (issue,) = _issues(path)
    assert issue["cell"] == "Indicatrs!A1" and issue["code"] == "workbook-layout"
    assert issue["hint"].startswith("did you mean 'Indicators'? rename the sheet 'Indicatrs'")
    book["Indicatrs"].title = "Indicators"
    book["Initiatives"]["E1"] = "startd"
    book.save(path)
    (issue,) = _issues(path)
    assert issue["cell"] == "Initiatives!E1" and "did you mean 'started'?" in issue["hint"]


def test_a_workbook_of_the_earlier_template_still_reads(tree: Path) -> None:
    """Without the required marks and the unit, bounds and guide columns."""
    path = _from_kr(tree)
    expected = read_workbook(path).data
    book = load_workbook(path)
    for sheet in book.worksheets[1:]:
        for cell in sheet[1]:
            if isinstance(cell.value, str):
                cell.value = cell.value.removesuffix(" (required)")
        for row in range(2, sheet.max_row + 1):
            label = sheet[f"A{row}"]
            if sheet.title == "Contribution" and isinstance(label.value, str):
                label.value = label.value.removesuffix(" (required)")
    book["Indicators"].delete_cols(3, 2)
    book["Contribution"].delete_cols(3)
    book.save(path)
    again = read_workbook(path)
    assert again.problems == [] and again.data == expected
