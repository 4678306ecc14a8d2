"""The template workbook in a real office suite (issue 38): LibreOffice Calc, headless, types
into `wgreport template --format xlsx` what a member types (tests/support/office_typist.py,
with Calc's own parsing of typed input), saves it as .xlsx, and `wgreport validate` takes
the numbers as numbers and the dates as the member meant them; two mistakes are reported at
their cells, in the order of the sheets, with hints in spreadsheet words.

Needs `soffice` (libreoffice-calc-nogui) and LibreOffice's Python `uno` module (python3-uno),
both installed by `scripts/setup-system.sh --test`. Skipped when they are missing on a
developer's machine; a failure in CI (CI=true).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS, ROOT
from wgreport.cli.main import app
from wgreport.inputs.workbook import read_workbook

runner = CliRunner()
TYPIST = ROOT / "tests" / "support" / "office_typist.py"
UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python")


def _office() -> str:
    """The Python that can drive LibreOffice; skipped (or, in CI, failed) without one."""
    python = next(
        (
            p
            for p in UNO_PYTHONS
            if Path(p).exists()
            and subprocess.run([p, "-c", "import uno"], capture_output=True, check=False).returncode
            == 0
        ),
        None,
    )
    missing = [
        what
        for what, ok in [
            ("soffice (libreoffice-calc-nogui)", shutil.which("soffice")),
            ("LibreOffice's Python module uno (python3-uno)", python),
        ]
        if not ok
    ]
    if missing:
        reason = (
            "LibreOffice is needed to type into the workbook: "
            + ", ".join(missing)
            + " missing; run scripts/setup-system.sh --test"
        )
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(reason)
        pytest.skip(reason)
    assert python is not None
    return python


def _template(tmp_path: Path) -> tuple[Path, Path]:
    inputs = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, inputs)
    book = tmp_path / "KR-template.xlsx"
    made = runner.invoke(app, ["template", "--member", "KR", "--year", "2024", "--format", "xlsx", "--out", str(book), "--inputs", str(inputs)])  # fmt: skip
    assert made.exit_code == 0, made.output
    return inputs, book


def _type(python: str, tmp_path: Path, book: Path, edits: list[list[str]]) -> Path:
    """The workbook as LibreOffice saves it after `edits` ([sheet, cell, typed text])."""
    out = tmp_path / "typed" / "KR.xlsx"
    out.parent.mkdir()
    (tmp_path / "edits.json").write_text(json.dumps(edits), encoding="utf-8")
    done = subprocess.run(
        [python, str(TYPIST), str(book), str(out), str(tmp_path / "profile"), str(tmp_path / "edits.json")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and out.is_file(), done.stdout[-2000:] + done.stderr[-2000:]
    return out


def _validate(inputs: Path, book: Path) -> dict[str, Any]:
    result = runner.invoke(app, ["validate", "--format", "json", "--inputs", str(inputs), str(book)])  # fmt: skip
    report: dict[str, Any] = json.loads(result.output)["files"][0]
    return report


SUMMARY = (
    "Korea opened a one-stop portal for benefits, so that a family applies once for the "
    "support it is entitled to; the government also published guidance on the use of "
    "artificial intelligence in public services and reviewed its digital identity rules."
)
#: What a member of KR types into the template: every TODO replaced, numbers and dates
#: typed as people type them, a second initiative added on a new row.
FILLED = [
    ["Contribution", "B5", "2025-02-14"],
    ["Contribution", "B6", "Kim Min-jun"],
    ["Contribution", "B7", "minjun.kim@mois.example.kr"],
    ["Contribution", "B9", SUMMARY],
    ["Contribution", "B10", "Ministry of the Interior and Safety"],
    ["Contribution", "B12", "Digital Platform Government Plan"],
    ["Contribution", "B13", "2024-12"],
    ["Contribution", "B15", "2030"],
    ["Legal instruments", "A2", "Electronic Government Act"],
    ["Legal instruments", "B2", "2001"],
    ["Initiatives", "A2", "one-stop-benefits"],
    ["Initiatives", "B2", "One-stop benefits"],
    ["Initiatives", "C2", "agile-governance"],
    ["Initiatives", "E2", "2024-12"],
    ["Initiatives", "G2", "A single portal where families apply for benefits."],
    ["Initiatives", "A3", "ai-guidance"],
    ["Initiatives", "B3", "Guidance on AI"],
    ["Initiatives", "C3", "ai-in-government"],
    ["Initiatives", "D3", "planned"],
    ["Initiatives", "E3", "2025-03"],
    ["Initiatives", "G3", "Guidance for civil servants on AI in public services."],
    ["Indicators", "B2", "0.9679"],
    ["Indicators", "F2", "UN E-Government Survey 2024"],
    ["Indicators", "B3", "0.9125"],
    ["Indicators", "F3", "UN E-Government Survey 2024"],
    ["Indicators", "B4", "4"],
    ["Indicators", "F4", "UN E-Government Survey 2024"],
    ["Indicators", "B5", "0.935"],
    ["Indicators", "F5", "OECD Digital Government Index 2023"],
]


def test_values_typed_in_libreoffice_validate_as_the_member_meant_them(tmp_path: Path) -> None:
    python = _office()
    inputs, template = _template(tmp_path)
    typed = _type(python, tmp_path, template, FILLED)
    report = _validate(inputs, typed)
    assert report["valid"], report["issues"]
    data = read_workbook(typed).data
    assert [i["value"] for i in data["indicators"]] == [0.9679, 0.9125, 4, 0.935]
    assert data["submitted"] == dt.date(2025, 2, 14)
    assert data["governance"]["strategy"]["adopted"] == "2024-12"  # the month, not 1 December
    assert data["governance"]["strategy"]["horizon"] == 2030
    assert [i["started"] for i in data["initiatives"]] == ["2024-12", "2025-03"]
    assert data["governance"]["legal_instruments"] == [
        {"title": "Electronic Government Act", "year": 2001}
    ]


def test_two_mistakes_typed_in_libreoffice_are_said_at_their_cells_in_spreadsheet_words(
    tmp_path: Path,
) -> None:
    python = _office()
    inputs, template = _template(tmp_path)
    mistakes = [
        ["Indicators", "B2", "0,9679"],  # a decimal comma: Calc (English) keeps it as text
        ["Contribution", "B5", "14/02/2025"],  # not a date in English: kept as text
    ]
    edits = [e for e in FILLED if e[:2] not in ([m[:2] for m in mistakes])] + mistakes
    report = _validate(inputs, _type(python, tmp_path, template, edits))
    errors = [i for i in report["issues"] if i["severity"] == "error"]
    assert [(i["cell"], i["code"]) for i in errors] == [
        ("Contribution!B5", "invalid-date"),  # the Contribution sheet comes first
        ("Indicators!B2", "decimal-comma"),
    ]
    date, number = errors
    assert "type the date as YYYY-MM-DD" in date["hint"] and "cell set to Date" in date["hint"]
    assert number["hint"].startswith("the cell holds the text '0,9679'")
    assert "set the cell to Number" in number["hint"]
    assert not any("quote" in (i["hint"] or "") for i in report["issues"])
