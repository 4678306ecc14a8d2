"""Reviewers: three drafts with known changes; the diff and the review page report exactly
those; SHA256SUMS and `wgreport verify`; the review page in the HTML checkers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES, copy_inputs, library_settings
from tests.support.browsercheck import browser, vnu
from wgreport.cli.main import app

NEW_INITIATIVE = """  - id: public-ai-registry
    title: Public register of AI systems used by ministries
    theme: ai-in-government
    status: planned
    started: 2024-11
    description: |
      A public register listing the AI systems that ministries use in decisions about
      residents, with their purpose and the person accountable for each.
    outcomes:
      - Scope agreed with the ministries
"""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def three_drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from wgreport.build.steps import build

    base = tmp_path_factory.mktemp("review")
    # Four members: the two changed, the one removed, Estonia whose chapter a reviewer
    # comments on. What is checked is per member, so the other six would only add pages.
    inputs = copy_inputs(base, members=("KR", "GB", "EE", "NZ"))
    settings = library_settings(inputs, base / "outputs")
    contributions = inputs / "2024" / "contributions"
    first = build(settings, 2024)
    # draft 2: an indicator value (GB's EGDI) and an added initiative (KR)
    _edit(contributions / "GB.yaml", "value: 0.95773", "value: 0.96")
    _edit(contributions / "KR.yaml", "\nindicators:\n", "\n" + NEW_INITIATIVE + "indicators:\n")
    second = build(settings, 2024)
    # draft 3: a changed status (GB's single sign-on completed) and a removed member (NZ)
    _edit(
        contributions / "GB.yaml",
        "    status: in-progress\n    started: 2021-06\n",
        "    status: completed\n    started: 2021-06\n    ended: 2024-12\n",
    )
    (contributions / "NZ.yaml").unlink()
    # and two reviewers' comments on drafts 1 and 2 (not an input change the diff reports)
    shutil.copytree(FIXTURES / "reviews" / "valid", inputs / "2024" / "reviews")
    # the comment on Annex B's page 50 of the ten-member draft: page 30 of this one's 35
    _edit(inputs / "2024" / "reviews" / "ee-review-team.yaml", "page: 50", "page: 30")
    third = build(settings, 2024)
    return {"year_dir": base / "outputs" / "2024", "drafts": [first, second, third]}


def _diff(year_dir: Path, a: str, b: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["diff", "--year", "2024", a, b, "--outputs", str(year_dir.parent), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def test_diff_reports_exactly_the_changes(three_drafts: dict[str, Any]) -> None:
    year_dir = three_drafts["year_dir"]
    one_two = _diff(year_dir, "1", "2")
    assert one_two["contributions_changed"] == ["GB", "KR"]
    assert one_two["contributions_added"] == [] and one_two["contributions_removed"] == []
    assert one_two["editorial"] == [] and one_two["note"] is None
    members = {m["member"]: m for m in one_two["members"]}
    assert set(members) == {"GB", "KR"}
    assert members["GB"]["indicator_changes"] == [["egdi", "0.95773", "0.96"]]
    assert members["GB"]["initiatives_added"] == members["GB"]["status_changes"] == []
    assert members["KR"]["initiatives_added"] == [
        "public-ai-registry: Public register of AI systems used by ministries"
    ]
    assert members["KR"]["indicator_changes"] == [] and members["KR"]["status_changes"] == []

    two_three = _diff(year_dir, "002", "3")
    assert two_three["contributions_removed"] == ["NZ"]
    assert two_three["contributions_changed"] == ["GB"]
    assert two_three["contributions_added"] == [] and two_three["editorial"] == []
    assert two_three["members"] == [
        {
            "member": "GB",
            "initiatives_added": [],
            "initiatives_removed": [],
            "status_changes": [["single-sign-on", "in-progress", "completed"]],
            "indicator_changes": [],
            "text_changes": [],
        }
    ]
    text = (
        CliRunner()
        .invoke(app, ["diff", "--year", "2024", "2", "3", "--outputs", str(year_dir.parent)])
        .output
    )
    assert "NZ: contribution removed" in text
    assert "GB: status of single-sign-on: in-progress → completed" in text


def test_rebuilding_unchanged_inputs_says_so(three_drafts: dict[str, Any]) -> None:
    from wgreport.review.draftdiff import compare_drafts

    same = compare_drafts(three_drafts["drafts"][2], three_drafts["drafts"][2])
    assert same.note == "No input, template or tool changed: a rebuild."
    assert same.contributions_changed == [] and same.members == []


def test_review_page_lists_drafts_newest_first_with_their_changes(
    three_drafts: dict[str, Any],
) -> None:
    html = (three_drafts["year_dir"] / "index.html").read_text(encoding="utf-8")
    order = [html.index(f'<h3 id="draft-{n}-title">') for n in ("003", "002", "001")]
    assert order == sorted(order)
    for folder in three_drafts["drafts"]:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["outputs"]["report.pdf"] in html
    draft3 = html[html.index('id="draft-003"') : html.index('id="draft-002"')]
    items = [line for line in draft3.split("<li>")[1:]]
    lines = [i.split("</li>")[0] for i in items]
    assert lines[:3] == [
        "NZ: contribution removed",
        "GB: contribution changed",
        "GB: status of single-sign-on: in-progress → completed",
    ]
    # without NZ the group's values move: each key-messages sentence citing one is listed
    assert lines[3:] and all(x.startswith("editorial: key-messages.md line ") for x in lines[3:])
    assert "3 members included" in html and "NZ: not submitted" in html


def test_review_page_passes_the_html_checks_and_its_links_resolve(
    three_drafts: dict[str, Any],
) -> None:
    page = three_drafts["year_dir"] / "index.html"
    assert vnu(page) == []
    assert browser("axe", page)["violations"] == []
    links = browser("links", page)["links"]
    assert len(links) >= 3 * 6 and all(link["exists"] for link in links), links


def test_verify_checks_a_downloaded_copy(three_drafts: dict[str, Any], tmp_path: Path) -> None:
    copy = tmp_path / "003"
    shutil.copytree(three_drafts["drafts"][2], copy)
    runner = CliRunner()
    ok = runner.invoke(app, ["verify", str(copy)])
    assert ok.exit_code == 0 and "report.pdf: OK" in ok.output
    sums = (copy / "SHA256SUMS").read_text(encoding="utf-8")
    assert "  manifest.json\n" in sums and "  report.pdf\n" in sums
    (copy / "report.pdf").write_bytes(b"%PDF-1.7 tampered")
    (copy / "data" / "themes.csv").unlink()
    bad = runner.invoke(app, ["verify", str(copy)])
    assert bad.exit_code == 1
    assert "report.pdf: FAILED" in bad.output and "data/themes.csv: missing" in bad.output


def test_each_draft_carries_the_comment_resolution_table(three_drafts: dict[str, Any]) -> None:
    import csv
    import io

    first, _, third = three_drafts["drafts"]
    assert (first / "comments.csv").read_text(encoding="utf-8").count("\n") == 1  # header
    rows = list(csv.DictReader(io.StringIO((third / "comments.csv").read_text("utf-8"))))
    assert [(r["ref"], r["status"]) for r in rows] == [
        ("ee-review-team#1", "accepted"),
        ("ee-review-team#2", "open"),
        ("ee-review-team#3", "rejected"),
        ("nz-reader#1", "open"),
        ("nz-reader#2", "deferred"),
    ]
    page = (third / "comments.html").read_text(encoding="utf-8")
    assert 'id="c-ee-review-team-1"' in page and "Corrected to nine of ten" in page
    sums = (third / "SHA256SUMS").read_text(encoding="utf-8")
    assert "  comments.csv\n" in sums and "  comments.html\n" in sums
    review_page = (three_drafts["year_dir"] / "index.html").read_text(encoding="utf-8")
    assert 'href="drafts/003/comments.html"' in review_page


def test_the_status_annex_summarises_the_comments(three_drafts: dict[str, Any]) -> None:
    from pypdf import PdfReader

    first, _, third = three_drafts["drafts"]
    assert "No review comments have been received." in (first / "report.html").read_text("utf-8")
    text = " ".join(
        (page.extract_text() or "") for page in PdfReader(third / "report.pdf").pages[-3:]
    )
    text = " ".join(text.split())
    assert "5 comments from 2 reviewers: 2 open, 1 accepted, 1 rejected, 1 deferred." in text
    assert "Open review comments by section" in text
    html = (third / "report.html").read_text(encoding="utf-8")
    annex = html[html.index('id="comments-table"') :]
    cells = [c.split("</th>")[0] for c in annex.split('<th scope="row">')[1:3]]
    assert cells == ["Indicators", "Estonia"]


def test_the_comments_page_passes_the_html_checks(three_drafts: dict[str, Any]) -> None:
    page = three_drafts["drafts"][2] / "comments.html"
    assert vnu(page) == []
    assert browser("axe", page)["violations"] == []
