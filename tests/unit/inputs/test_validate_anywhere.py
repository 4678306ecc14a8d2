"""`wgreport validate` on a copy outside inputs/ (issue 21): it either runs the group's
checks, against the catalogue and the edition that --inputs and the file's year name, or
says plainly, on the file and in the summary, which checks could not run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS, FIXTURES, copy_inputs
from wgreport.cli.main import app

runner = CliRunner()


def _slipped_copy(folder: Path, year: int = 2024) -> Path:
    """Korea's valid file with an unknown theme, an unknown indicator and an index of 400."""
    text = (FIXTURES / "valid" / "KR.yaml").read_text(encoding="utf-8")
    for old, new in (
        ("theme: active-governance", "theme: no-such-theme"),
        ("value: 0.96789", "value: 400"),
        ("id: dgi\n", "id: made-up\n"),
        ("year: 2024\n", f"year: {year}\n"),
    ):
        assert old in text, old
        text = text.replace(old, new, 1)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "KR.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def _validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", *args])
    return result.exit_code, result.output


def test_a_copy_with_no_group_in_reach_is_not_called_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slipped_copy(tmp_path / "x")
    code, out = _validate(tmp_path / "x", monkeypatch, "KR.yaml")
    lines = out.splitlines()
    assert lines[0].startswith(
        "KR.yaml:1:1: warning checks-not-run: only the file's format was checked: "
        "no working-group.yaml was found"
    )
    assert "--inputs PATH" in lines[1]
    assert lines[-1] == (
        "1 file(s) checked: 1 valid, 0 error(s), 1 warning(s); "
        "some of the group's checks did not run on 1 file(s) (checks-not-run above)"
    )
    assert code == 0  # the format is valid: a warning, not an error, but said plainly
    code, out = _validate(tmp_path / "x", monkeypatch, "--format", "json", "KR.yaml")
    summary = json.loads(out)["summary"]
    assert summary == {"files": 1, "valid": 1, "errors": 0, "warnings": 1, "checks_not_run": 1}


def test_a_copy_with_inputs_given_gets_every_group_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slipped_copy(tmp_path / "x")
    code, out = _validate(tmp_path / "x", monkeypatch, "--inputs", str(DEMO_INPUTS), "KR.yaml")
    assert code == 1
    codes = [line.split(": ")[1] for line in out.splitlines() if line.startswith("KR.yaml:")]
    assert sorted(codes) == [
        "error out-of-bounds",
        "error unknown-indicator",
        "error unknown-theme",
        "warning missing-indicator",
    ]
    assert "checks-not-run" not in out and "did not run" not in out


def test_a_year_with_no_edition_says_the_editions_checks_did_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slipped_copy(tmp_path / "x", year=2031)
    code, out = _validate(tmp_path / "x", monkeypatch, "--inputs", str(DEMO_INPUTS), "KR.yaml")
    assert code == 1  # the catalogue's checks ran
    assert "error unknown-theme" in out
    warning = next(line for line in out.splitlines() if "checks-not-run" in line)
    assert warning.endswith(f"{DEMO_INPUTS / '2031' / 'edition.yaml'} was not found")
    assert "did not run on 1 file(s)" in out.splitlines()[-1]


def test_a_file_in_its_place_has_no_such_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _validate(DEMO_INPUTS.parent, monkeypatch, "inputs/2024/contributions/KR.yaml")
    assert code == 0 and "checks-not-run" not in out


def test_an_upload_is_checked_as_validate_checks_the_members_file_in_place(
    tmp_path: Path,
) -> None:
    """The portal's door into validation: a file kept anywhere, sent for KR, gives the
    issues `wgreport validate` gives for inputs/<year>/contributions/KR.yaml holding it
    (its images found in the member's folder), under the member's file name."""
    from wgreport.inputs.validate_paths import validate_paths, validate_upload

    inputs = copy_inputs(tmp_path)
    in_place = inputs / "2024" / "contributions" / "KR.yaml"
    broken = in_place.read_text(encoding="utf-8").replace(
        "theme: active-governance", "theme: agile-goverance", 1
    )
    sent = tmp_path / "kept" / "upload-17.yaml"
    sent.parent.mkdir()
    sent.write_text(broken, encoding="utf-8")
    upload = validate_upload(sent, inputs, 2024, "KR")
    in_place.write_text(broken, encoding="utf-8")
    direct = validate_paths([in_place], inputs)

    def issues(report: Any) -> list[tuple[str, int, str]]:
        return [(i.code, i.line, i.field) for f in report.files for i in f.issues]

    assert issues(upload) == issues(direct) and issues(upload)
    assert [f.file for f in upload.files] == ["KR.yaml"]
    assert not upload.valid
