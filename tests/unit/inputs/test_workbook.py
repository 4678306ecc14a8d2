"""The spreadsheet form of a contribution (issue 20): `wgreport template --format xlsx`,
`wgreport validate` of a workbook with issues at their sheet and cell, and YAML → workbook
→ YAML identical in content for every demo contribution."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS
from wgreport.cli.main import app
from wgreport.inputs.models import WorkingGroup
from wgreport.inputs.validation import load_working_group
from wgreport.inputs.workbook import read_workbook, to_yaml, write_workbook
from wgreport.inputs.yamlsource import Source, load_yaml, parse_yaml_text

runner = CliRunner()
DEMO = sorted(DEMO_INPUTS.glob("*/contributions/*.yaml"))


@pytest.fixture(scope="module")
def wg() -> WorkingGroup:
    group, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    assert group is not None
    return group


@pytest.mark.parametrize("path", DEMO, ids=lambda p: f"{p.parent.parent.name}-{p.stem}")
def test_every_demo_contribution_round_trips_unchanged(
    path: Path, wg: WorkingGroup, tmp_path: Path
) -> None:
    data = load_yaml(path).data
    book = tmp_path / f"{path.stem}.xlsx"
    book.write_bytes(write_workbook(data, wg))
    back = read_workbook(book)
    assert back.problems == []
    assert back.data == data  # every field, with its type (dates, numbers, nulls, lists)
    again = Source(path=path, display="again")
    parse_yaml_text(again, to_yaml(back.data))
    assert again.issues == [] and again.data == data  # and the YAML written from it


def _tree(tmp_path: Path) -> Path:
    inputs = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, inputs)
    return inputs


def test_a_workbook_gives_each_issue_its_sheet_and_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    folder = "inputs/2024/contributions"
    made = runner.invoke(app, ["template", "--from", f"{folder}/KR.yaml", "--format", "xlsx",
                               "--out", f"{folder}/KR.xlsx", "--inputs", str(inputs)])  # fmt: skip
    assert made.exit_code == 0, made.output
    (inputs / "2024" / "contributions" / "KR.yaml").unlink()  # one file per member
    book = load_workbook(inputs / "2024" / "contributions" / "KR.xlsx")
    book["Initiatives"]["C2"] = "agile-goverance"
    book["Indicators"]["B2"] = 96.79
    book.save(inputs / "2024" / "contributions" / "KR.xlsx")
    result = runner.invoke(app, ["validate", f"{folder}/KR.xlsx"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        f"{folder}/KR.xlsx[Initiatives!C2]: error unknown-theme: 'agile-goverance' is not a theme of this working group [initiatives[0].theme]"
        in lines
    )
    assert (
        f"{folder}/KR.xlsx[Indicators!B2]: error out-of-bounds: 96.79 is outside the bounds of 'egdi' (0 to 1) [indicators[0].value]"
        in lines
    )
    as_json = json.loads(
        runner.invoke(app, ["validate", "--format", "json", f"{folder}/KR.xlsx"]).output
    )
    cells = {i["code"]: i["cell"] for i in as_json["files"][0]["issues"]}
    assert cells == {"unknown-theme": "Initiatives!C2", "out-of-bounds": "Indicators!B2"}


def test_the_skeleton_workbook_has_the_lists_and_fails_until_filled_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    target = "inputs/2024/contributions/KR.xlsx"
    args = ["template", "--member", "KR", "--year", "2024", "--format", "xlsx", "--out", target, "--inputs", str(inputs)]  # fmt: skip
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "already exists" in again.output  # never overwrites
    book = load_workbook(tmp_path / target)
    assert book.sheetnames == ["Instructions", "Contribution", "Legal instruments", "Initiatives", "Links", "Indicators"]  # fmt: skip
    lists = {
        (ws.title, str(dv.sqref)): dv.formula1
        for ws in book.worksheets
        for dv in ws.data_validations.dataValidation
    }
    assert lists[("Initiatives", "D2:D200")] == '"planned,in-progress,completed,discontinued"'
    assert "agile-governance" in lists[("Initiatives", "C2:C200")]
    assert lists[("Indicators", "A2:A200")] == '"egdi,osi,egdi-rank,dgi"'
    (inputs / "2024" / "contributions" / "KR.yaml").unlink()
    result = json.loads(runner.invoke(app, ["validate", "--format", "json", target]).output)
    issues = result["files"][0]["issues"]
    assert {i["code"] for i in issues if i["severity"] == "error"} == {"not-filled-in"}
    assert all(i.get("cell") for i in issues)
    assert {"Contribution!B6", "Initiatives!B2"} <= {i["cell"] for i in issues}


def test_a_workbook_without_its_sheets_or_not_a_workbook_is_refused_clearly(tmp_path: Path) -> None:
    folder = tmp_path / "inputs" / "2024" / "contributions"
    shutil.copytree(DEMO_INPUTS, tmp_path / "inputs")
    from openpyxl import Workbook

    Workbook().save(folder / "GB.xlsx")
    (folder / "EE.xlsx").write_bytes(b"not a zip file")
    out = json.loads(runner.invoke(app, ["validate", "--format", "json", str(folder / "GB.xlsx"), str(folder / "EE.xlsx")]).output)  # fmt: skip
    codes = {f["file"].split("/")[-1]: [i["code"] for i in f["issues"]] for f in out["files"]}
    assert codes["GB.xlsx"] == ["workbook-layout"] * 5  # the five sheets
    assert codes["EE.xlsx"] == ["file-unreadable"]


def test_yaml_from_a_workbook_is_the_v1_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    source = "inputs/2024/contributions/IL.yaml"
    assert runner.invoke(app, ["template", "--from", source, "--format", "xlsx", "--out", "IL.xlsx", "--inputs", str(inputs)]).exit_code == 0  # fmt: skip
    done = runner.invoke(
        app, ["template", "--from", "IL.xlsx", "--format", "yaml", "--out", "IL.yaml"]
    )
    assert done.exit_code == 0, done.output
    assert load_yaml(tmp_path / "IL.yaml").data == load_yaml(tmp_path / source).data


def test_a_workbook_outside_inputs_gets_its_editions_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["template", "--member", "KR", "--year", "2024", "--format", "xlsx", "--inputs", str(DEMO_INPUTS)]  # fmt: skip
    assert runner.invoke(app, args).exit_code == 0
    result = runner.invoke(app, ["validate", "--inputs", str(DEMO_INPUTS), "KR.xlsx"])
    assert "checks-not-run" not in result.output and "not-filled-in" in result.output
