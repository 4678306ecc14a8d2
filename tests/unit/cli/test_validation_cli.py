"""`wgreport edition status`, `wgreport validation open/status/confirm/corrections`, and the
default `--year` (the edition open or in review, said on standard error), through typer's
CliRunner on a copy of the demo inputs with fake drafts (no build). Today is the tests'
pinned build time, 2025-03-15: the 2024 call has closed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import copy_inputs
from tests.support.editions import SECRETARIAT, fake_draft
from wgreport.cli.main import app
from wgreport.errors import PublishError
from wgreport.inputs.edition_setup import new_edition

runner = CliRunner()
USING_2025 = (
    "Using the 2025 edition (open for contributions until 2026-02-27); name another with --year."
)


@pytest.fixture
def dirs(tmp_path: Path) -> list[str]:
    """--inputs and --outputs of a demo copy whose draft 003 of 2024 is published."""
    inputs = copy_inputs(tmp_path)
    (inputs / "2024" / "country-validation.yaml").unlink()  # before its country validation
    fake_draft(tmp_path / "outputs", 3)
    return ["--inputs", str(inputs), "--outputs", str(tmp_path / "outputs")]


def test_edition_status_defaults_to_the_open_edition_and_says_so(dirs: list[str]) -> None:
    new_edition(Path(dirs[1]), 2025, dt.date(2026, 2, 27))  # the 2025 call is open
    result = runner.invoke(app, ["edition", "status", *dirs])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == USING_2025
    lines = result.stdout.splitlines()
    assert lines[0] == "The 2025 edition: open (open for contributions until 2026-02-27)"
    assert "  [ ] 0 of 10 members submitted a valid contribution (not submitted: " in (
        "\n".join(lines)
    )


def test_build_without_a_year_builds_the_open_edition_not_the_closed_one(
    dirs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    new_edition(Path(dirs[1]), 2026, dt.date(2027, 2, 26))  # the call open for 2026
    asked: list[int] = []

    def fake_build(settings: object, request: object, verbose: bool = False) -> None:
        asked.append(request.year)  # type: ignore[attr-defined]
        raise PublishError("stopped by the test")

    monkeypatch.setattr("wgreport.flows.launch.build_with_prefect", fake_build)
    result = runner.invoke(app, ["build", *dirs])
    assert asked == [2026]  # the code before chose 2024, whose deadline had passed
    assert (
        "Using the 2026 edition (open for contributions until 2027-02-26); name another "
        "with --year." in result.stderr
    )
    assert "Building a new draft of the 2026 edition" in result.stderr


def test_a_named_year_is_used_without_a_word(dirs: list[str]) -> None:
    result = runner.invoke(app, ["edition", "status", "--year", "2023", *dirs])
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith("The 2023 edition: drafting (the deadline ")


def test_edition_status_as_json(dirs: list[str]) -> None:
    result = runner.invoke(app, ["edition", "status", "--year", "2024", "--format", "json", *dirs])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert (found["year"], found["name"], found["drafts"]) == (2024, "review", [3])
    assert found["dates"]["deadline"] == "2025-02-28"
    assert found["members"][0] == {
        "code": "KR", "name": "Republic of Korea", "status": "submitted", "submitted": True,
        "valid": True, "late": False, "overdue": False, "validation": "not requested",
    }  # fmt: skip
    assert {"done": False, "text": "publish: wgreport publish --year 2024 --out DIR"} in found[
        "checklist"
    ]


def test_a_round_from_opening_to_confirmations_and_corrections(dirs: list[str]) -> None:
    opened = runner.invoke(app, ["validation", "open", "--draft", "3", "--by", SECRETARIAT, *dirs])
    assert opened.exit_code == 0, opened.output
    assert "Using the 2024 edition (in review: draft 003 is the newest)" in opened.stderr
    assert opened.stdout.startswith(
        "Opened a country-validation round on draft 003 of the 2024 edition for 10 members;"
    )
    confirmed = runner.invoke(app, ["validation", "confirm", "--member", "KR", *dirs])
    assert confirmed.exit_code == 0, confirmed.output
    assert confirmed.stdout.startswith("Recorded: KR confirmed its chapter of draft 003 (by ")
    corrections = runner.invoke(
        app,
        ["validation", "corrections", "--member", "GB", "--comment", "Table 3: 2024 value.",
         "--page", "12", "--by", "gb@example.org", *dirs],
    )  # fmt: skip
    assert corrections.exit_code == 0, corrections.output
    assert "as comment gb-validation#1 in " in corrections.stdout
    status = runner.invoke(app, ["validation", "status", *dirs])
    assert status.exit_code == 0, status.output
    lines = status.stdout.splitlines()
    assert lines[0].startswith("Country validation of the 2024 edition: round on draft 003")
    kr = next(line for line in lines if line.startswith("  KR"))
    assert kr.startswith("  KR  confirmed 20") and "country-validation.yaml:8]" in kr
    gb = next(line for line in lines if line.startswith("  GB"))
    assert "corrections" in gb and "by gb@example.org (gb-validation#1)" in gb
    assert lines[-1] == "1 of 10 members confirmed."
    checked = runner.invoke(app, ["validate", f"{dirs[1]}/2024", "--inputs", dirs[1]])
    assert checked.exit_code == 0, checked.output
    stage = runner.invoke(app, ["edition", "status", *dirs])
    assert stage.stdout.startswith(
        "The 2024 edition: country validation (country validation of draft 003: 1 of 10 confirmed)"
    )


def test_refusals_are_said_with_what_to_do(dirs: list[str]) -> None:
    nothing_open = runner.invoke(app, ["validation", "confirm", "--member", "KR", *dirs])
    assert nothing_open.exit_code == 1
    assert "no country-validation round is open for the 2024 edition" in nothing_open.stderr
    assert "wgreport validation open --draft N --year 2024" in nothing_open.stderr
    no_draft = runner.invoke(
        app, ["validation", "open", "--draft", "9", "--by", SECRETARIAT, *dirs]
    )
    assert no_draft.exit_code == 1
    assert "there is no draft 009 of the 2024 edition" in no_draft.stderr
    nobody = runner.invoke(app, ["validation", "status", "--year", "2031", *dirs])
    assert nobody.exit_code == 2 and "no edition 2031" in nobody.stderr
