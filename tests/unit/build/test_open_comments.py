"""A final with unresolved review comments (issue 21): refused, before anything is
rendered, unless --allow-open-comments is given; then the manifest records it and the
build's summary says so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS, FIXTURES, copy_inputs, library_settings
from wgreport.build.audit import read_log
from wgreport.build.preflight import comment_problems
from wgreport.build.steps import build
from wgreport.cli.main import app
from wgreport.errors import FinalRefused
from wgreport.inputs.comments import load_reviews
from wgreport.inputs.validation import load_working_group
from wgreport.terminal import print_summary

REVIEWS = FIXTURES / "reviews"


def _with_reviews(tmp_path: Path) -> tuple[Path, Path]:
    """The demo inputs with the valid review files (ee-review-team#2 and nz-reader#1 are still open), and
    two published drafts for them to refer to."""
    inputs = copy_inputs(tmp_path)
    shutil.copytree(REVIEWS / "valid", inputs / "2024" / "reviews")
    outputs = tmp_path / "outputs"
    for number in ("001", "002"):
        folder = outputs / "2024" / "drafts" / number
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(json.dumps({"pages": 60}), encoding="utf-8")
    return inputs, outputs


def test_open_comments_refuse_the_final_unless_allowed(tmp_path: Path) -> None:
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    edition = tmp_path / "2024"
    shutil.copytree(REVIEWS / "valid", edition / "reviews")
    reviews = load_reviews(edition, wg, 2024, {1: 60, 2: 60})
    found = list(comment_problems(reviews, 2024))
    assert [p.message.split()[0] for p in found] == ["ee-review-team#2", "nz-reader#1"]
    assert {p.flag for p in found} == {"--allow-open-comments"}
    # comments that cannot be read (errors of their own) are not known to be resolved
    broken = tmp_path / "broken" / "2024" / "reviews"
    broken.mkdir(parents=True)
    shutil.copy(REVIEWS / "invalid" / "gb-reviewer.yaml", broken)
    unreadable = load_reviews(broken.parent, wg, 2024, {1: 60, 2: 60})
    assert unreadable.left_out == 4
    found = list(comment_problems(unreadable, 2024))
    assert [p.count for p in found if "cannot be read" in p.message] == [4]
    assert "4 comments cannot be read" in found[-1].message


def test_resolved_comments_let_the_final_through(tmp_path: Path) -> None:
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    edition = tmp_path / "2024"
    shutil.copytree(REVIEWS / "valid", edition / "reviews")
    reader = edition / "reviews" / "nz-reader.yaml"
    text = reader.read_text(encoding="utf-8")
    resolved = "    kind: editorial\n    response: Added to each caption.\n    status: accepted\n"
    reader.write_text(text.replace("    kind: editorial\n", resolved, 1), encoding="utf-8")
    team = edition / "reviews" / "ee-review-team.yaml"
    text = team.read_text(encoding="utf-8")
    resolved = "    kind: substantive\n    response: Two sentences added.\n    status: accepted\n"
    team.write_text(text.replace("    kind: substantive\n", resolved, 1), encoding="utf-8")
    reviews = load_reviews(edition, wg, 2024, {1: 60, 2: 60})
    assert reviews.report.valid
    assert list(comment_problems(reviews, 2024)) == []


def test_a_final_build_is_refused_before_rendering_and_recorded(tmp_path: Path) -> None:
    inputs, outputs = _with_reviews(tmp_path)
    settings = library_settings(inputs, outputs)
    with pytest.raises(FinalRefused, match="Review comments not resolved"):
        build(settings, 2024, final=True)
    assert not (outputs / "2024" / "final").exists()
    log = read_log(outputs / "2024")
    assert [e["result"] for e in log] == ["refused"]
    assert "--allow-open-comments" in log[0]["error"]


def test_the_manifest_and_summary_record_a_final_published_with_open_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = {
        "final": True, "pages": 70, "members_included": ["KR"], "members_left_out": [],
        "published_with_open_comments": 1, "allowed_by": "--allow-open-comments",
    }  # fmt: skip
    print_summary(tmp_path, manifest, 2024)
    out = capsys.readouterr().out
    assert "published with 1 unresolved review comment(s): --allow-open-comments" in out


def test_the_option_applies_only_to_a_final() -> None:
    result = CliRunner().invoke(app, ["build", "--year", "2024", "--allow-open-comments"])
    assert result.exit_code == 2 and "only with --final" in result.output
