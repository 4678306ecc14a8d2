"""The portal end to end in the real Chromium the suite uses (issues 20 and 38): `wgreport
portal` on loopback, each role at its pages as a person would use them, in one rehearsal of
two phases (tests/support/portalbrowser.py), every page checked by axe at 1280 and 390 px.

- A member with nothing for the edition yet downloads last edition's file as a workbook,
  pre-filled, types this year's values into it in LibreOffice with two mistakes, uploads it
  and sees them at their cells with spreadsheet hints, types the two cells again and is
  accepted, and opens the preview of their chapter when it is ready. Then they upload a YAML
  file with two errors, see both with their lines, upload the fixed file and are accepted
  (the file in inputs/ is then what they sent).
- The secretariat starts a draft build, which is `wgreport build` in its own process, the
  Prefect flow on the session's Prefect test server, and sees it end with its draft.
- A reviewer downloads the newest draft (its sha256 is the manifest's) and comments: first
  with a page past the draft's last, refused with everything typed kept and the reason at
  the field, then with the right page; the comment is then listed by `wgreport comments`.
- Second phase: the secretariat answers the comment on its comments page, the reviewer
  replies, and the secretariat sees the reply; the member changes one word of the summary,
  the secretariat builds draft 002, and the reviewer's page shows the word struck through
  and the new one inserted.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import SMALL
from tests.e2e.test_workbook_office import _office
from tests.support.browsercheck import _require
from tests.support.portalbrowser import (
    ANSWER,
    COMMENT,
    FIRST,
    KR,
    REPLY,
    SECOND,
    TWO_ERRORS,
    Rehearsal,
    drive,
    rehearsal,
)
from wgreport.build.audit import LOG_NAME
from wgreport.portal.store import Store


@dataclass
class Visit:
    run: Rehearsal
    seen: dict[str, Any]  # what Chromium saw, both phases
    first: dict[str, Any]  # the state after the first phase (one draft, one open comment)


def _comments(run: Rehearsal) -> dict[str, Any]:
    from wgreport.cli.main import app

    listed = CliRunner().invoke(
        app, ["comments", "--year", "2024", "--inputs", str(run.inputs),
              "--outputs", str(run.outputs), "--format", "json"],
    )  # fmt: skip
    assert listed.exit_code == 0, listed.output
    found: dict[str, Any] = json.loads(listed.output)
    return found


def _state(run: Rehearsal) -> dict[str, Any]:
    log = run.outputs / "2024" / LOG_NAME
    return {
        "kr": (run.inputs / "2024" / "contributions" / "KR.yaml").read_bytes(),
        "build_log": [json.loads(x) for x in log.read_text().splitlines()],
        "build_rows": Store(run.portal_dir).build_rows(2024),
        "comments": _comments(run)["comments"],
        "audit": [line["action"] for line in Store(run.portal_dir).audit_lines()],
    }


@pytest.fixture(scope="module")
def visit(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Visit]:
    from prefect.settings import PREFECT_API_URL

    _require()
    office = _office()  # LibreOffice types into the workbook
    base = tmp_path_factory.mktemp("portal-browser")
    # the builds the portal starts report to this session's Prefect test server
    env = {"PREFECT_API_URL": str(PREFECT_API_URL.value())}
    # the small edition (Korea, the United Kingdom, Estonia): what is checked is Korea's
    # pages, one comment and one changed word, and the drafts' numbers, not ten members
    with rehearsal(base, env, members=SMALL) as run:
        seen = drive(run, FIRST, office_python=office)
        first = _state(run)
        second = drive(run, SECOND, office_python=office)
        seen = {**seen, **second, "errors": seen["errors"] + second["errors"],
                "checks": seen["checks"] + second["checks"],
                "expected_not_seen": seen["expected_not_seen"] + second["expected_not_seen"]}  # fmt: skip
        yield Visit(run, seen, first)


def _line_of(text: bytes, needle: str) -> int:
    return next(n for n, line in enumerate(text.decode().splitlines(), 1) if needle in line)


def test_a_member_fills_last_years_workbook_in_libreoffice_and_previews_the_chapter(
    visit: Visit,
) -> None:
    from wgreport.inputs.workbook import read_workbook

    seen = visit.seen
    book = seen["workbook"]
    assert book["landed"] == "/member"
    assert book["deadline"].startswith("Deadline: 28 February 2025, 23:59 (UTC+09:00).")
    assert "Start from your contribution to the 2023 edition" in book["offered"]
    # the workbook downloaded is last edition's, made this edition's
    assert book["download_name"] == "KR.xlsx"
    prefilled = read_workbook(Path(book["prefilled"])).data
    assert (prefilled["member"], prefilled["year"]) == ("KR", 2024)
    assert prefilled["indicators"][0]["value"] == 0.9529  # 2023's, kept for them to check
    assert prefilled["summary"].startswith("Korea's work in 2023")
    # typed in LibreOffice: the values as Calc stored them
    typed = {(t["sheet"], t["cell"]): t for t in book["typed"]}
    assert typed["Indicators", "B3"]["value"] == 0.9125  # a number, typed as a person does
    assert typed["Indicators", "B2"]["shown"] == "0,9679"  # the mistakes, kept as text
    assert typed["Contribution", "B5"]["shown"] == "14/02/2025"
    # two mistakes, each at its cell, in the sheets' order, with spreadsheet hints
    assert book["first_verdict"].startswith("Not valid")
    problems = book["problems"]
    assert [p["cell"] for p in problems] == ["Contribution!B5", "Indicators!B2"], problems
    date, number = problems
    assert date["where"] == "KR.xlsx, cell Contribution!B5"
    assert "invalid-date" in date["text"] and "'14/02/2025'" in date["text"]
    assert "type the date as YYYY-MM-DD" in date["hint"] and "cell set to Date" in date["hint"]
    assert "decimal-comma" in number["text"]
    assert number["hint"].startswith("the cell holds the text '0,9679'")
    assert "set the cell to Number" in number["hint"]
    assert not any("quote" in p["hint"] for p in problems)
    # typed again: accepted, as what the member meant
    assert book["verdict"].startswith("Accepted") and book["problems_after"] == 0
    fixed = {(t["sheet"], t["cell"]): t for t in book["fixes"]}
    assert fixed["Indicators", "B2"]["value"] == 0.9679
    assert book["accepted_links"] == ["/member/contribution.xlsx", "/member/contribution.yaml"]
    # the preview of the chapter, on its page once ready, and its PDF
    assert book["preview_first"] == "preparing" and book["preview_path"] == "/member/preview"
    # its "refresh" links load the page again (one to /member#preview only scrolled)
    assert book["reloaded_first"] and all(book["reloaded"]), book["reloaded"]
    assert book["preview_state"] == "ready", book["preview_text"]
    assert book["preview_text"].startswith("Ready at ")
    assert "(UTC+09:00), from revision" in book["preview_text"]  # the edition's time zone
    assert "“5. Republic of Korea”" in book["preview_text"]
    pages = len(book["preview_images"])
    assert pages >= 1 and book["preview_images_loaded"] == pages
    assert book["preview_pdf_name"].startswith("2024-KR-chapter-preview-")
    assert "preview" in book["preview_pdf_name"]
    text = subprocess.run(["pdftotext", "-layout", book["preview_pdf"], "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "Republic of Korea" in text and "Preview" in text
    assert "one-stop notification of benefits reached local governments" in " ".join(text.split())
    assert book["back"] == "/member"


def test_a_member_sees_both_errors_with_their_lines_then_is_accepted(visit: Visit) -> None:
    seen = visit.seen
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
    assert visit.first["kr"] == KR
    assert seen["errors"] == []  # no script error, no console error, on any page
    assert seen["expected_not_seen"] == []  # the refused comment was answered 400


def test_the_secretariats_build_is_the_flow_and_makes_a_draft(visit: Visit) -> None:
    seen, first = visit.seen, visit.first
    secretariat = seen["secretariat"]
    assert secretariat["landed"] == "/secretariat"
    assert secretariat["started"] == "running"
    assert secretariat["status"] == "succeeded", secretariat["log"]
    assert secretariat["draft_link"] == "/review/download/001/report.pdf"
    # followed while the build ran (tens of seconds), its "Refresh" link loaded the page
    # again (one to /secretariat#draft-builds only scrolled it, and "running" stayed)
    reloaded = secretariat["reloaded"] + seen["build2"]["reloaded"]
    assert reloaded and all(reloaded), reloaded
    # the build log records a Prefect flow run: the CLI's flow, not a library call
    (entry,) = first["build_log"]
    assert (entry["via"], entry["result"], entry["draft"]) == ("prefect", "success", "001")
    assert entry["run_id"]
    assert "Draft 001 of 2024" in secretariat["log"]
    (record,) = first["build_rows"]
    assert record["email"] == "secretariat@example.org" and record["exit_code"] == 0


def test_a_reviewer_downloads_the_newest_draft_and_comments(visit: Visit) -> None:
    run, seen, first = visit.run, visit.seen, visit.first
    reviewer = seen["reviewer"]
    assert reviewer["landed"] == "/review" and reviewer["draft"] == "001"
    folder = run.outputs / "2024" / "drafts" / "001"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    downloaded = Path(reviewer["download_path"]).read_bytes()
    assert hashlib.sha256(downloaded).hexdigest() == manifest["outputs"]["report.pdf"]
    assert reviewer["listed_sha256"] == manifest["outputs"]["report.pdf"]
    assert reviewer["download_name"] == "2024-draft-001-report.pdf"
    assert any("repeats the first one's figures" in row for row in reviewer["mine"])
    rows = first["comments"]
    assert [(r["ref"], r["draft"], r["section"], r["page"], r["status"]) for r in rows] == [
        ("jane-example#1", 1, "KR", 12, "open")
    ]
    for action in ("signin", "upload", "build-started", "build-finished", "download", "comment"):
        assert action in first["audit"], first["audit"]


def test_a_refused_comment_comes_back_as_typed_with_the_reason_at_its_field(
    visit: Visit,
) -> None:
    refused = visit.seen["reviewer"]["refused"]
    pages = json.loads(
        (visit.run.outputs / "2024" / "drafts" / "001" / "manifest.json").read_text()
    )["pages"]
    assert refused["kept"] == {
        "draft": "1", "section": "KR", "page": str(COMMENT["refused_page"]),
        "comment": COMMENT["comment"], "proposed_change": COMMENT["proposed_change"],
        "kind": COMMENT["kind"],
    }  # fmt: skip
    assert refused["at_page"] == (f"Page {COMMENT['refused_page']} is past the draft's last "
                                  f"page, {pages}: write the number printed at the foot of "
                                  "the page.")  # fmt: skip
    assert (refused["page_invalid"], refused["page_described_by"]) == ("true", "problem-page")
    assert "nothing you typed is lost" in refused["problems"]
    assert ".yaml" not in refused["problems"] and "comments[" not in refused["problems"]
    assert visit.seen["reviewer"]["after"] == "/review"
    assert len(visit.first["comments"]) == 1  # the refused one was not written


def test_the_secretariat_answers_and_the_reviewer_replies_in_the_thread(visit: Visit) -> None:
    seen = visit.seen
    answer, reply = seen["answer"], seen["reply"]
    assert answer["landed"] == "/secretariat/comments"
    assert answer["comment"] == COMMENT["comment"]
    assert (
        answer["status"].startswith(ANSWER["status"]) and answer["response"] == ANSWER["response"]
    )
    assert reply["status"].startswith(ANSWER["status"]) and reply["answer"] == ANSWER["response"]
    assert reply["landed"] == f"/review#c-{REPLY['comment']}"
    assert reply["thread"] == [{"by": "jane-example", "text": REPLY["text"]}]
    assert reply["secretariat_sees"] == reply["thread"]
    (row,) = _comments(visit.run)["comments"]
    assert (row["ref"], row["status"], row["response"]) == (
        ANSWER["ref"], ANSWER["status"], ANSWER["response"],
    )  # fmt: skip
    assert [(r["by"], r["text"]) for r in row["replies"]] == [("jane-example", REPLY["text"])]
    audit = [line["action"] for line in Store(visit.run.portal_dir).audit_lines()]
    assert "comment-answered" in audit, audit
    assert "comment-reply" in audit


def test_a_changed_word_shows_as_a_word_difference_on_the_review_page(visit: Visit) -> None:
    seen = visit.seen
    assert seen["edit"]["verdict"].startswith("Accepted")
    assert seen["build2"]["status"] == "succeeded", seen["build2"]["log"]
    assert seen["build2"]["draft_link"] == "/review/download/002/report.pdf"
    words = seen["words"]
    assert words["drafts"] == ["002", "001"]
    assert words["heading"] == "What changed in draft 002, in words"
    (kr,) = words["members"]
    assert kr["member"] == "KR" and kr["fields"] == ["summary"]
    assert (kr["deleted"], kr["inserted"]) == (["several"], ["many"])
    (excerpt,) = kr["html"]
    assert "Korea moved <del>several</del><ins>many</ins> Digital" in " ".join(excerpt.split())


def test_every_page_visited_passes_axe_at_both_widths_and_fits_a_phone(visit: Visit) -> None:
    checks = visit.seen["checks"]
    visited = {c["page"] for c in checks}
    for page in visited:
        assert sorted(c["width"] for c in checks if c["page"] == page) == [390, 1280], page
    assert {c["path"].split("/")[1] for c in checks} >= {
        "signin",
        "member",
        "secretariat",
        "review",
    }
    assert {"/member/preview", "/secretariat/comments"} <= {c["path"] for c in checks}
    # the pages no step lands on, visited for the check (tools/browser/portal.mjs `tour`)
    toured = {"/member/validation", "/guide/members", "/secretariat/people",
              "/secretariat/validation", "/secretariat/final"}  # fmt: skip
    assert visit.seen["tour"] == {path: path for path in toured}
    assert toured <= {c["path"] for c in checks}
    assert all(c["passes"] > 5 for c in checks), checks  # axe really ran its rules
    violations = [(c["page"], c["width"], v["id"], v["nodes"]) for c in checks
                  for v in c["violations"]]  # fmt: skip
    assert violations == []
    sideways = [(c["page"], c["width"], c["scrollWidth"]) for c in checks
                if c["scrollWidth"] > c["viewportWidth"]]  # fmt: skip
    assert sideways == []
