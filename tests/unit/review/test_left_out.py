"""A member left out is not a member who deleted everything (issue 21): the diff and the
review page say "MX left out: submitted, not valid (2 errors)"; a late and invalid
contribution stays late; a member with nothing after the deadline is overdue."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

from tests.conftest import DEMO_INPUTS, ROOT, copy_inputs
from tests.support.goldentree import GOLDEN_TREE
from wgreport.inputs.edition import load_edition_inputs, member_status
from wgreport.inputs.validation import ContributionResult
from wgreport.review.draftdiff import changes_lines, compare_drafts
from wgreport.review.pages import render_review_page, review_page

GOLDEN_DRAFT = GOLDEN_TREE / "drafts" / "001"


def _drop_member(path: Path, member: str) -> None:
    with path.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    assert any(r["member"] == member for r in rows)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["member"] != member)


def _two_drafts(tmp_path: Path) -> Path:
    """Draft 001 with every member, and 002 where Mexico's changed file made it invalid."""
    year_dir = tmp_path / "2024"
    first = year_dir / "drafts" / "001"
    second = year_dir / "drafts" / "002"
    shutil.copytree(GOLDEN_DRAFT, first)
    shutil.copytree(GOLDEN_DRAFT, second)
    manifest = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    manifest["members_included"].remove("MX")
    manifest["members_left_out"] = [
        {"member": "MX", "reason": "submitted late, not valid", "errors": 2}
    ]
    manifest["inputs"]["inputs/2024/contributions/MX.yaml"] = "0" * 64
    (second / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for name in ("initiatives.csv", "indicators.csv"):
        _drop_member(second / "data" / name, "MX")
    return year_dir


def test_the_diff_says_left_out_not_removed(tmp_path: Path) -> None:
    year_dir = _two_drafts(tmp_path)
    changes = compare_drafts(year_dir / "drafts" / "001", year_dir / "drafts" / "002")
    lines = changes_lines(changes)
    assert "MX left out: submitted late, not valid (2 errors)" in lines
    assert not [line for line in lines if line.startswith("MX: initiative removed")]
    assert not [line for line in lines if "→ n/a" in line]
    assert changes.to_dict()["left_out"] == [
        {"member": "MX", "reason": "submitted late, not valid", "errors": 2}
    ]
    # and back: valid again, in again, not "added" item by item
    back = changes_lines(compare_drafts(year_dir / "drafts" / "002", year_dir / "drafts" / "001"))
    assert "MX included again: valid again" in back
    assert not [line for line in back if line.startswith("MX: initiative added")]


def test_the_review_page_says_left_out_with_the_errors(tmp_path: Path) -> None:
    year_dir = _two_drafts(tmp_path)
    html = render_review_page(review_page(year_dir), ROOT / "templates")
    assert "MX left out: submitted late, not valid (2 errors)" in html
    assert "MX: submitted late, not valid (2 errors)" in html  # the submission status
    assert "initiative removed" not in html


def test_an_invalid_late_contribution_is_still_late(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path)
    mexico = inputs / "2024" / "contributions" / "MX.yaml"
    text = mexico.read_text(encoding="utf-8")
    assert "submitted: 2025-03-04" in text  # after the deadline 2025-02-28
    mexico.write_text(text.replace("\nsummary:", "\nsumary:", 1), encoding="utf-8")
    status = {s.code: s for s in load_edition_inputs(inputs, 2024).status}
    assert not status["MX"].valid and status["MX"].late
    assert status["MX"].label == "submitted late, not valid"


def test_overdue_only_after_the_deadline() -> None:
    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    results: dict[str, ContributionResult] = {}  # nobody submitted
    wg, edition = loaded.working_group, loaded.edition
    before = member_status(wg, edition, results, edition.deadline)
    after = member_status(wg, edition, results, edition.deadline + dt.timedelta(days=1))
    assert {s.label for s in before} == {"not submitted"}
    assert {s.label for s in after} == {"not submitted, overdue"}
    assert all(s.overdue for s in after) and not any(s.overdue for s in before)
