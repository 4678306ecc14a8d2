"""The previous edition's files, which supply values the report prints, are validated in the
build and their problems reported as the current edition's are (issue 39): in
validation.json (an optional `previous_edition`), in the status annex with the file and
line, every one a warning that does not stop a draft."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import copy_inputs, library_settings
from wgreport.build.outputs import validation_json
from wgreport.build.pipeline import make_context, read_edition
from wgreport.build.plan import make_build_info
from wgreport.inputs.edition import load_edition_inputs

WRONG_YEAR = "data_year: 2030"


def _inputs(base: Path, members: tuple[str, ...] | None = None) -> tuple[Path, int]:
    """A copy of the demo whose 2023 Korea has a data year after its edition (an error
    there), and the line it is on."""
    inputs = copy_inputs(base, members)
    path = inputs / "2023" / "contributions" / "KR.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(n for n, text in enumerate(lines) if "data_year: 2022" in text)
    lines[line] = lines[line].replace("data_year: 2022", WRONG_YEAR)
    path.write_text("".join(lines), encoding="utf-8")
    return inputs, line + 1


def test_the_previous_edition_s_problems_are_warnings_with_their_file_and_line(
    tmp_path: Path,
) -> None:
    inputs, line = _inputs(tmp_path)
    loaded = load_edition_inputs(inputs, 2024)
    read = read_edition(loaded)
    [kr] = [r for r in read.previous_checks if r.file.endswith("2023/contributions/KR.yaml")]
    [issue] = kr.issues
    assert (issue.severity, issue.code, issue.line) == ("warning", "data-year-after-edition", line)
    assert "the 2023 edition's file" in issue.message and "an error there" in issue.message
    assert not any(r.file.endswith("working-group.yaml") for r in read.previous_checks)

    report = json.loads(validation_json(loaded, (read.previous_year, read.previous_checks)))
    assert report["valid"] == loaded.report.valid
    previous = report["previous_edition"]
    assert previous["year"] == 2023
    [entry] = [f for f in previous["files"] if f["file"] == kr.file]
    assert entry["member"] == "KR" and entry["valid"] is True
    assert [(i["severity"], i["code"], i["line"]) for i in entry["issues"]] == [
        ("warning", "data-year-after-edition", line)
    ]
    assert any(f["file"].endswith("2023/edition.yaml") for f in previous["files"])

    ctx = make_context(loaded, make_build_info(None), read=read)
    notes = [(n.member, n.severity, n.code, n.where) for n in ctx.validation_notes]
    assert ("KR", "warning", "data-year-after-edition", f"2023 contribution, line {line}") in notes


def test_a_draft_publishes_them_and_is_not_stopped(tmp_path: Path) -> None:
    """validation.json and the review page (outputs/<year>/index.html) list them."""
    from wgreport.build.steps import build

    inputs, line = _inputs(tmp_path, ("KR", "GB"))
    settings = library_settings(inputs, tmp_path / "outputs")
    folder = build(settings, 2024)
    report = json.loads((folder / "validation.json").read_text(encoding="utf-8"))
    issues = [
        (f["file"].rsplit("/", 3)[-3:], i["severity"], i["code"], i["line"])
        for f in report["previous_edition"]["files"]
        for i in f["issues"]
    ]
    assert (["2023", "contributions", "KR.yaml"], "warning", "data-year-after-edition", line) in [
        (list(f), s, c, n) for f, s, c, n in issues
    ]
    page = (folder.parent.parent / "index.html").read_text(encoding="utf-8")
    assert "The 2023 edition's files, which supply values the report prints, have 1 problem" in page
    assert re.search(rf"inputs/2023/contributions/KR.yaml:{line}:\d+ data-year-after-edition", page)
