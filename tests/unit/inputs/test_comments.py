"""Reviewers' structured comments: line-precise issues, the resolution table, the command."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES, ROOT, copy_inputs
from wgreport.cli.main import app
from wgreport.inputs.comments import comments_csv, load_reviews, summarise, validate_review
from wgreport.inputs.issues import Severity
from wgreport.inputs.models import WorkingGroup
from wgreport.inputs.validation import load_working_group

REVIEWS = FIXTURES / "reviews"


@pytest.fixture(scope="module")
def wg() -> WorkingGroup:
    group, report = load_working_group(ROOT / "inputs" / "working-group.yaml")
    assert group is not None, report
    return group


def _issues(
    path: Path, wg: WorkingGroup, drafts: dict[int, int] | None = None
) -> list[tuple[int | None, int | None, Severity, str, str]]:
    result = validate_review(path, wg, 2024, drafts, display=path.name)
    return [(i.line, i.column, i.severity, i.code, i.field) for i in result.report.sorted_issues()]


def test_a_file_with_errors_gives_line_precise_issues(wg: WorkingGroup) -> None:
    assert _issues(REVIEWS / "invalid" / "gb-reviewer.yaml", wg) == [
        (2, 7, "error", "year-mismatch", "year"),
        (4, 7, "error", "reviewer-mismatch", "reviewer.id"),
        (10, 14, "error", "unknown-section", "comments[0].section"),
        (14, 9, "error", "duplicate-id", "comments[1].id"),
        (20, 13, "error", "response-missing", "comments[1].status"),
        (26, 11, "error", "invalid-choice", "comments[2].kind"),
    ]


def test_hints_name_the_fix(wg: WorkingGroup) -> None:
    result = validate_review(REVIEWS / "invalid" / "gb-reviewer.yaml", wg, 2024)
    hints = {i.code: i.hint for i in result.report.issues}
    assert hints["unknown-section"] == "did you mean 'summary'?"
    assert (
        hints["reviewer-mismatch"]
        == "write id: gb-reviewer, or rename the file to gb-reviewers.yaml"
    )
    assert "editorial" in (hints["invalid-choice"] or "")


def test_drafts_and_pages_are_checked_against_the_published_drafts(wg: WorkingGroup) -> None:
    issues = _issues(REVIEWS / "invalid" / "gb-reviewer.yaml", wg, drafts={1: 60, 2: 61})
    found = {(line, code, field) for line, _, _, code, field in issues}
    assert (22, "unknown-draft", "comments[2].draft") in found
    assert (30, "out-of-range", "comments[3].page") in found
    # draft 1 exists: no warning on the comments that name it
    assert not any(f.startswith("comments[4]") for _, _, f in found)
    warning = next(i for i in issues if i[3] == "unknown-draft")
    assert warning[2] == "warning"


def test_comments_with_their_own_errors_are_left_out_and_counted(wg: WorkingGroup) -> None:
    result = validate_review(REVIEWS / "invalid" / "gb-reviewer.yaml", wg, 2024)
    # items 0 (section), 1 (duplicate id, no response) and 2 (kind) have errors; the file's
    # own errors (year, reviewer id) do not hide the valid comments 4 and 5
    assert [r.ref for r in result.rows] == ["gb-reviewer#4", "gb-reviewer#5"]
    assert result.left_out == 3


def test_a_valid_set_gives_the_expected_resolution_table(tmp_path: Path, wg: WorkingGroup) -> None:
    edition = tmp_path / "2024"
    shutil.copytree(REVIEWS / "valid", edition / "reviews")
    reviews = load_reviews(edition, wg, 2024, {1: 60, 2: 60}, display_root=tmp_path)
    assert reviews.report.valid and not any(f.issues for f in reviews.report.files)
    table = [
        (r.ref, f"{r.draft:03d}", r.section, r.page, r.kind, r.status, r.response)
        for r in reviews.rows
    ]
    assert table == [
        ("ee-review-team#1", "001", "summary", 4, "factual", "accepted",
         "Corrected to nine of ten in draft 002."),
        ("ee-review-team#2", "001", "EE", None, "substantive", "open", ""),
        ("ee-review-team#3", "002", "annex-b", 50, "editorial", "rejected",
         "The layout follows the group's house style; no change."),
        ("nz-reader#1", "002", "indicators", None, "editorial", "open", ""),
        ("nz-reader#2", "002", "summary", None, "substantive", "deferred",
         "Will be addressed once all contributions are in."),
    ]  # fmt: skip
    assert reviews.rows[1].section_title == "Estonia"
    assert reviews.rows[0].file == "2024/reviews/ee-review-team.yaml"
    assert reviews.rows[0].line == 11
    summary = summarise(reviews, wg)
    assert summary.total == 5 and summary.reviewers == 2 and summary.left_out == 0
    assert summary.by_status == {"open": 2, "accepted": 1, "rejected": 1, "deferred": 1}
    assert summary.by_kind == {"editorial": 2, "substantive": 2, "factual": 1}
    assert summary.open_by_section == [("indicators", "Indicators", 1), ("EE", "Estonia", 1)]
    rows = list(csv.DictReader(io.StringIO(comments_csv(reviews.rows).decode())))
    assert [r["ref"] for r in rows] == [t[0] for t in table]
    assert rows[0]["quote"] == "eight of ten members" and rows[1]["page"] == ""


@pytest.fixture
def edition_with_reviews(tmp_path: Path) -> Path:
    inputs = copy_inputs(tmp_path)
    reviews = inputs / "2024" / "reviews"
    reviews.mkdir()
    for path in [*(REVIEWS / "valid").glob("*.yaml"), *(REVIEWS / "invalid").glob("*.yaml")]:
        shutil.copy(path, reviews / path.name)
    return inputs


def test_comments_command_prints_issues_then_the_table(edition_with_reviews: Path) -> None:
    args = ["comments", "--year", "2024", "--inputs", str(edition_with_reviews)]
    args += ["--outputs", str(edition_with_reviews.parent / "outputs")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output  # gb-reviewer.yaml has errors
    assert "gb-reviewer.yaml:10:14: error unknown-section" in result.output
    assert "ee-review-team#1" in result.output and "nz-reader#2" in result.output
    assert "7 comment(s) from 3 reviewer(s): 4 open, 1 accepted, 1 rejected, 1 deferred." in (
        result.output
    )
    assert "3 comment(s) not shown" in result.output

    as_json = CliRunner().invoke(app, [*args, "--format", "json", "--status", "open"])
    data = json.loads(as_json.output)
    assert [c["ref"] for c in data["comments"]] == [
        "ee-review-team#2",
        "gb-reviewer#4",
        "gb-reviewer#5",
        "nz-reader#1",
    ]
    assert data["summary"]["left_out"] == 3 and data["validation"]["valid"] is False

    as_csv = CliRunner().invoke(app, [*args, "--format", "csv"])
    assert as_csv.output.splitlines()[0].startswith("ref,reviewer,organisation,draft,section")
    assert len(as_csv.output.splitlines()) == 8


def test_comments_command_usage_errors(edition_with_reviews: Path) -> None:
    runner = CliRunner()
    bad_status = runner.invoke(
        app, ["comments", "--year", "2024", "--inputs", str(edition_with_reviews), "--status", "x"]
    )
    assert bad_status.exit_code == 2
    no_year = runner.invoke(
        app, ["comments", "--year", "1999", "--inputs", str(edition_with_reviews)]
    )
    assert no_year.exit_code == 2 and "no edition 1999" in no_year.output


def test_validate_checks_review_files_as_reviews(edition_with_reviews: Path) -> None:
    folder = edition_with_reviews / "2024" / "reviews"
    result = CliRunner().invoke(
        app,
        ["validate", str(folder), "--inputs", str(edition_with_reviews), "--format", "json"],
        env={"WGREPORT_OUTPUTS": str(edition_with_reviews.parent / "outputs")},
    )  # no drafts: the project's own outputs/ must not count
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["summary"] == {"files": 3, "valid": 2, "errors": 6, "warnings": 0}
    codes = {i["code"] for f in data["files"] for i in f["issues"]}
    assert "reviewer-mismatch" in codes and "missing-field" not in codes
