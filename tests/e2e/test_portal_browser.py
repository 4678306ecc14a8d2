"""The portal end to end in the real Chromium the suite uses (issue 20): `wgreport portal`
on loopback, each role at its pages as a person would use them.

- A member signs in, uploads a file with two errors, sees both with their lines, uploads
  the fixed file and is accepted (the file in inputs/ is then what they sent).
- The secretariat starts a draft build, which is `wgreport build` in its own process, the
  Prefect flow on the session's Prefect test server, and sees it end with its draft.
- A reviewer downloads the newest draft (its sha256 is the manifest's) and comments; the
  comment is then listed by `wgreport comments`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.support.browsercheck import _require
from tests.support.portalbrowser import KR, TWO_ERRORS, Rehearsal, drive, rehearsal
from wgreport.build.audit import LOG_NAME
from wgreport.portal.store import Store


@pytest.fixture(scope="module")
def visit(
    prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Rehearsal, dict[str, Any]]]:
    from prefect.settings import PREFECT_API_URL

    _require()
    base = tmp_path_factory.mktemp("portal-browser")
    # the builds the portal starts report to this session's Prefect test server
    env = {"PREFECT_API_URL": str(PREFECT_API_URL.value())}
    with rehearsal(base, env) as run:
        yield run, drive(run)


def _line_of(text: bytes, needle: str) -> int:
    return next(n for n, line in enumerate(text.decode().splitlines(), 1) if needle in line)


def test_a_member_sees_both_errors_with_their_lines_then_is_accepted(
    visit: tuple[Rehearsal, dict[str, Any]],
) -> None:
    run, seen = visit
    member = seen["member"]
    assert member["landed"] == "/member"
    assert member["first_verdict"].startswith("Not valid")
    problems = member["problems"]
    assert len(problems) == 2, problems
    theme, value = _line_of(TWO_ERRORS, "agile-goverance"), _line_of(TWO_ERRORS, "96.79")
    assert problems[0]["at"].startswith(f"line {theme}, column ")
    assert "unknown-theme" in problems[0]["text"] and "agile-governance" in problems[0]["text"]
    assert problems[1]["at"].startswith(f"line {value}, column ")
    assert "out-of-bounds" in problems[1]["text"]
    assert member["verdict"].startswith("Accepted") and member["problems_after"] == 0
    assert (run.inputs / "2024" / "contributions" / "KR.yaml").read_bytes() == KR
    assert seen["errors"] == []  # no script error, no console error, on any page


def test_the_secretariats_build_is_the_flow_and_makes_a_draft(
    visit: tuple[Rehearsal, dict[str, Any]],
) -> None:
    run, seen = visit
    secretariat = seen["secretariat"]
    assert secretariat["landed"] == "/secretariat"
    assert secretariat["started"] == "running"
    assert secretariat["status"] == "succeeded", secretariat["log"]
    assert secretariat["draft_link"] == "/review/download/001/report.pdf"
    # the build log records a Prefect flow run: the CLI's flow, not a library call
    (entry,) = [json.loads(x) for x in (run.outputs / "2024" / LOG_NAME).read_text().splitlines()]
    assert (entry["via"], entry["result"], entry["draft"]) == ("prefect", "success", "001")
    assert entry["run_id"]
    assert "Draft 001 of 2024" in secretariat["log"]
    (record,) = Store(run.portal_dir).build_rows(2024)
    assert record["email"] == "secretariat@example.org" and record["exit_code"] == 0


def test_a_reviewer_downloads_the_newest_draft_and_comments(
    visit: tuple[Rehearsal, dict[str, Any]],
) -> None:
    from wgreport.cli.main import app

    run, seen = visit
    reviewer = seen["reviewer"]
    assert reviewer["landed"] == "/review" and reviewer["draft"] == "001"
    folder = run.outputs / "2024" / "drafts" / "001"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    downloaded = Path(reviewer["download_path"]).read_bytes()
    assert hashlib.sha256(downloaded).hexdigest() == manifest["outputs"]["report.pdf"]
    assert reviewer["listed_sha256"] == manifest["outputs"]["report.pdf"]
    assert reviewer["download_name"] == "2024-draft-001-report.pdf"
    assert any("repeats the first one's figures" in row for row in reviewer["mine"])
    listed = CliRunner().invoke(
        app, ["comments", "--year", "2024", "--inputs", str(run.inputs),
              "--outputs", str(run.outputs), "--format", "json"],
    )  # fmt: skip
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)["comments"]
    assert [(r["ref"], r["draft"], r["section"], r["page"], r["status"]) for r in rows] == [
        ("jane-example#1", 1, "KR", 12, "open")
    ]
    audit = [line["action"] for line in Store(run.portal_dir).audit_lines()]
    for action in ("signin", "upload", "build-started", "build-finished", "download", "comment"):
        assert action in audit, audit
