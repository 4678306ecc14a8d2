"""Setting up a year and the command line's consistency (issue 21): `wgreport edition new`,
impossible years refused, a skeleton only for an edition that exists, `--version`, `-h`,
`python -m wgreport`, and `--format` only where it works."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS
from wgreport import __version__
from wgreport.cli.main import app
from wgreport.inputs.validation import load_edition, load_working_group

runner = CliRunner()


def said(output: str) -> str:
    """The output as one line of words, without the box that typer draws around errors."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, folder)
    return folder


def test_edition_new_writes_the_year_from_the_previous_one(inputs: Path) -> None:
    args = ["edition", "new", "--year", "2025", "--deadline", "2026-02-27"]
    result = runner.invoke(app, [*args, "--inputs", str(inputs)])
    assert result.exit_code == 0, result.output
    folder = inputs / "2025"
    assert (folder / "contributions").is_dir() and not any((folder / "contributions").iterdir())
    assert (folder / "foreword.md").read_text(encoding="utf-8").startswith("TODO")
    wg, _ = load_working_group(inputs / "working-group.yaml")
    edition, report = load_edition(folder / "edition.yaml", wg, 2025)
    assert report.valid, report.issues
    assert edition is not None and edition.year == 2025 and edition.previous_edition == 2024
    assert edition.deadline.isoformat() == "2026-02-27" == str(edition.data_cutoff)
    assert edition.approval is None and edition.publication_date is None  # the 2024 final's
    assert (
        edition.subtitle is not None
        and "2025" in edition.subtitle
        and "2024" not in edition.subtitle
    )
    previous, _ = load_edition(inputs / "2024" / "edition.yaml", wg, 2024)
    assert previous is not None and edition.sources == previous.sources  # carried, to update
    text = (folder / "edition.yaml").read_text(encoding="utf-8")
    assert "\n  - name: Secretariat" in text  # the secretariat's layout kept
    # what to edit next, the schedule's window included
    for words in ("edition.yaml", "foreword.md", "prefect.yaml, deployment draft-weekly",
                  "accessed", "wgreport new --member CODE --year 2025"):  # fmt: skip
        assert words in result.output, words
    # never overwrites
    again = runner.invoke(app, [*args, "--inputs", str(inputs)])
    assert again.exit_code == 2 and "already exists" in again.output
    assert (folder / "edition.yaml").read_text(encoding="utf-8") == text


def test_edition_new_gives_the_weekly_window_up_to_the_deadline(inputs: Path) -> None:
    args = ["edition", "new", "--year", "2099", "--deadline", "2100-02-27"]
    result = runner.invoke(app, [*args, "--inputs", str(inputs)])
    assert result.exit_code == 0, result.output
    assert "set `year: 2099`" in result.output
    assert "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=21000228T000000" in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--year", "25", "--deadline", "2026-02-27"], "25 is not an edition year"),
        (["--year", "2025", "--deadline", "2029-02-27"], "is not in 2025 or 2026"),
        (["--year", "2025", "--deadline", "27/02/2026"], "--deadline"),
        (["--year", "2025", "--deadline", "2026-02-27", "--from", "2019"], "no edition 2019"),
    ],
)
def test_edition_new_refuses_what_cannot_be(inputs: Path, args: list[str], words: str) -> None:
    result = runner.invoke(app, ["edition", "new", *args, "--inputs", str(inputs)])
    assert result.exit_code == 2
    assert words in said(result.output)
    assert not (inputs / "2025").exists()


@pytest.mark.parametrize(
    "command",
    ["new --member KR --inputs", "status --inputs", "build --inputs", "diff 1 2 --outputs"],
)
def test_an_impossible_year_is_refused(inputs: Path, command: str) -> None:
    result = runner.invoke(app, [*command.split(), str(inputs), "--year", "25"])
    assert result.exit_code == 2
    assert "25 is not an edition year: write the year in full" in said(result.output)


def test_new_refuses_an_edition_that_does_not_exist(inputs: Path) -> None:
    result = runner.invoke(
        app, ["new", "--member", "KR", "--year", "2025", "--inputs", str(inputs)]
    )
    assert result.exit_code == 2
    assert "there is no 2025 edition" in result.output
    assert "wgreport edition new --year 2025" in result.output
    assert not (inputs / "2025").exists()


def test_version_and_short_help() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"wgreport {__version__}\n"
    for args in (["-h"], ["validate", "-h"], ["edition", "-h"], ["edition", "new", "-h"]):
        shown = runner.invoke(app, args)
        assert shown.exit_code == 0 and "Usage:" in shown.output, args


def test_python_dash_m_is_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wgreport", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout == f"wgreport {__version__}\n", done.stderr
    helped = subprocess.run(
        [sys.executable, "-m", "wgreport", "-h"], capture_output=True, text=True
    )
    assert "Usage: wgreport " in helped.stdout


@pytest.mark.parametrize("command", ["status --inputs", "diff 1 2 --outputs"])
def test_format_offers_only_what_the_command_can_print(inputs: Path, command: str) -> None:
    args = [*command.split(), str(inputs), "--year", "2024", "--format", "github"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "'github' is not one of 'text', 'json'" in said(result.output)
