"""Validation: the demo is clean, and every bad file in fixtures/invalid/ gives its issues.

Each fixture starts with a header naming what it must produce, e.g.

    # expect: unknown-theme@27:12, duplicate-key@9
    # file: GB.yaml                   (optional: the name it is validated under; default KR.yaml)

`code@line` or `code@line:column`; `code@NAME:line` for an issue in another file (the CSV).
Line numbers count the header lines. Every expected issue must be reported, and no other
error may be. A fixture `<name>.csv` next to `<name>.yaml` is copied as `<CODE>.indicators.csv`.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import DEMO_INPUTS, FIXTURES, edition_tree
from wgreport.inputs.edition import load_edition_inputs
from wgreport.inputs.validation import (
    ContributionResult,
    EditionContext,
    load_edition,
    load_working_group,
    validate_contribution,
)

INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))
_EXPECT = re.compile(r"([a-z0-9-]+)@(?:([A-Za-z0-9_.-]+\.[a-z]+):)?(\d+)(?::(\d+))?")


@dataclass(frozen=True)
class Expected:
    code: str
    file: str
    line: int
    column: int | None


def read_header(path: Path) -> tuple[list[Expected], str]:
    expected: list[Expected] = []
    header = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    name = next((h.split(":", 1)[1].strip() for h in header if h.startswith("# file:")), "KR.yaml")
    for line in header:
        if line.startswith("# expect:"):
            for m in _EXPECT.finditer(line.split(":", 1)[1]):
                expected.append(
                    Expected(m[1], m[2] or name, int(m[3]), int(m[4]) if m[4] else None)
                )
    return expected, name


def validate_in_tree(inputs: Path, path: Path) -> ContributionResult:
    wg, _ = load_working_group(inputs / "working-group.yaml")
    edition, _ = load_edition(inputs / "2024" / "edition.yaml", wg, 2024)
    ctx = EditionContext(wg, 2024, edition, path.parent)
    return validate_contribution(path, ctx)


def test_there_are_at_least_forty_invalid_fixtures() -> None:
    assert len(INVALID) >= 40


@pytest.mark.parametrize("fixture", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_reports_expected_issues(fixture: Path, tmp_path: Path) -> None:
    expected, name = read_header(fixture)
    assert expected, f"{fixture.name} has no '# expect:' header"
    inputs = edition_tree(tmp_path)
    target = inputs / "2024" / "contributions" / name
    shutil.copy(fixture, target)
    csv = fixture.with_suffix(".csv")
    if csv.exists():
        shutil.copy(csv, target.parent / f"{Path(name).stem}.indicators.csv")
    result = validate_in_tree(inputs, target)

    found = {
        (issue.code, Path(report.file).name, issue.line, issue.column)
        for report in result.reports
        for issue in report.issues
    }
    for exp in expected:
        matches = [
            f
            for f in found
            if f[0] == exp.code
            and f[1] == exp.file
            and f[2] == exp.line
            and (exp.column is None or f[3] == exp.column)
        ]
        assert matches, f"{exp} not reported; got {sorted(found, key=str)}"
    expected_codes = {e.code for e in expected}
    unexpected = [
        (i.code, i.line, i.message)
        for r in result.reports
        for i in r.issues
        if i.severity == "error" and i.code not in expected_codes
    ]
    assert not unexpected
    if any(i.severity == "error" for r in result.reports for i in r.issues):
        assert result.contribution is None
        assert not result.valid


def test_valid_fixture_is_valid(tmp_path: Path) -> None:
    inputs = edition_tree(tmp_path)
    target = inputs / "2024" / "contributions" / "KR.yaml"
    shutil.copy(FIXTURES / "valid" / "KR.yaml", target)
    result = validate_in_tree(inputs, target)
    assert [i for r in result.reports for i in r.issues] == []
    assert result.contribution is not None
    assert result.contribution.initiatives[1].ended == "2024-06"


@pytest.mark.parametrize("year", [2023, 2024])
def test_demo_editions_have_no_errors(year: int) -> None:
    loaded = load_edition_inputs(DEMO_INPUTS, year)
    errors = [
        (f.file, i.code, i.line, i.message)
        for f in loaded.report.files
        for i in f.issues
        if i.severity == "error"
    ]
    assert errors == []
    assert sorted(loaded.contributions) == sorted(
        ["KR", "GB", "EE", "CA", "NZ", "PT", "MX", "IL", "UY", "DK"]
    )


def test_demo_csv_indicators_are_loaded() -> None:
    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    dk = loaded.contributions["DK"]
    assert dk.indicators_file == "DK.indicators.csv"
    assert {v.id for v in dk.indicators} == {"egdi", "osi", "egdi-rank", "dgi"}


def test_late_submission_is_a_warning_and_shown_in_status() -> None:
    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    mx = next(s for s in loaded.status if s.code == "MX")
    assert mx.valid and mx.late and mx.label == "submitted late"
    report = next(f for f in loaded.report.files if f.file.endswith("MX.yaml"))
    assert [(i.severity, i.code, i.line) for i in report.issues] == [
        ("warning", "late-submission", 5)
    ]


def test_symlinked_image_leading_outside_is_refused(tmp_path: Path) -> None:
    inputs = edition_tree(tmp_path)
    contributions = inputs / "2024" / "contributions"
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 32)
    (contributions / "KR").mkdir()
    (contributions / "KR" / "diagram.png").symlink_to(secret)
    text = (FIXTURES / "valid" / "KR.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    description: A shared catalogue of public APIs.\n",
        "    description: A shared catalogue of public APIs.\n"
        "    image:\n      file: KR/diagram.png\n      alt: A diagram\n",
    )
    target = contributions / "KR.yaml"
    target.write_text(text, encoding="utf-8")
    result = validate_in_tree(inputs, target)
    issues = [(i.code, i.field) for r in result.reports for i in r.issues]
    assert issues == [("image-path-outside", "initiatives[1].image.file")]


def test_two_files_for_one_member_are_an_error(tmp_path: Path) -> None:
    inputs = edition_tree(tmp_path)
    contributions = inputs / "2024" / "contributions"
    shutil.copy(FIXTURES / "valid" / "KR.yaml", contributions / "KR.yaml")
    shutil.copy(FIXTURES / "valid" / "KR.yaml", contributions / "KR.yml")
    loaded = load_edition_inputs(inputs, 2024)
    dup = [
        (Path(f.file).name, i.code)
        for f in loaded.report.files
        for i in f.issues
        if i.code == "duplicate-member"
    ]
    assert dup == [("KR.yml", "duplicate-member")]


def _variant(tmp_path: Path, old: str, new: str) -> list[tuple[str, int | None, str | None]]:
    inputs = edition_tree(tmp_path)
    target = inputs / "2024" / "contributions" / "KR.yaml"
    text = (FIXTURES / "valid" / "KR.yaml").read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new), encoding="utf-8")
    result = validate_in_tree(inputs, target)
    return [(i.code, i.line, i.hint) for r in result.reports for i in r.sorted_issues()]


def test_no_indicators_at_all_misses_the_required_ones(tmp_path: Path) -> None:
    text = (FIXTURES / "valid" / "KR.yaml").read_text(encoding="utf-8")
    head = text[: text.index("indicators:\n")]
    found = _variant(tmp_path, text, head)
    errors = [(c, line) for c, line, _ in found]
    assert ("missing-indicator", 1) in errors
    assert len([c for c, _ in errors if c == "missing-indicator"]) == 4


def test_not_a_number_is_refused(tmp_path: Path) -> None:
    found = _variant(tmp_path, "value: 0.96789", "value: .nan")
    assert [c for c, _, _ in found] == ["wrong-type"]


def test_text_starting_with_todos_is_not_a_placeholder(tmp_path: Path) -> None:
    found = _variant(
        tmp_path,
        "title: Cross-ministry open API hub",
        "title: TODOS CONECTADOS programme",
    )
    assert found == []


def test_thousands_or_decimal_comma_is_never_guessed(tmp_path: Path) -> None:
    found = _variant(tmp_path, "value: 4\n", "value: 1,000\n")
    assert found[0][0] == "decimal-comma"
    assert found[0][2] is not None and "1.000" in found[0][2] and "1000" in found[0][2]


def test_lowercase_file_name_hint_renames_the_file(tmp_path: Path) -> None:
    inputs = edition_tree(tmp_path)
    target = inputs / "2024" / "contributions" / "kr.yaml"
    shutil.copy(FIXTURES / "valid" / "KR.yaml", target)
    result = validate_in_tree(inputs, target)
    mismatch = [i for r in result.reports for i in r.issues if i.code == "member-mismatch"]
    assert mismatch and mismatch[0].hint == "rename the file to KR.yaml"
