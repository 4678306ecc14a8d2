"""The secretariat answers review comments in the portal (issue 37): the status and
response are written into the reviewer's file in the documented `wgreport/review/v1`
format, the reviewer's text and YAML comments kept, the earlier answer kept in `history`;
the file is checked as `wgreport comments` checks it before it is written; a refused
answer keeps what was typed and says why in words; the reviewer sees the answer."""

from __future__ import annotations

import html
import json
import re
import shutil
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import copy_inputs
from tests.support.goldentree import GOLDEN_TREE
from wgreport.cli.main import app
from wgreport.inputs.models import Review
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store
from wgreport.review.answers import answer_comment

REVIEW = """\
# yaml-language-server: $schema=../../../schemas/review-v1.schema.json
schema: wgreport/review/v1
year: 2024
reviewer:
  id: ee-review-team              # the file's name without .yaml
  name: Aino Example
  organisation: Estonian review team
comments:
  - id: 1                         # my first comment
    draft: 1
    section: summary
    page: 3
    quote: "eight of ten members"
    comment: |
      The count of members with a strategy looks wrong.
      See the governance table.
    proposed_change: Recount from the governance table.
    kind: factual
  # the next one is minor
  - id: 2
    draft: 1
    section: KR
    comment: A typo in the second paragraph.
    proposed_change: Fix it.
    kind: editorial
"""


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    inputs = copy_inputs(tmp_path)
    outputs = tmp_path / "outputs"
    shutil.copytree(GOLDEN_TREE / "drafts" / "001", outputs / "2024" / "drafts" / "001")
    reviews = inputs / "2024" / "reviews"
    reviews.mkdir()
    (reviews / "ee-review-team.yaml").write_text(REVIEW, encoding="utf-8")
    return Portal(inputs, outputs, 2024, Store(tmp_path / "portal"), base_url="http://testserver")


def _review_file(portal: Portal) -> Path:
    return portal.inputs_dir / "2024" / "reviews" / "ee-review-team.yaml"


def _desk(portal: Portal) -> TestClient:
    _, token = portal.store.invite("secretariat", "sec@example.org")
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.post(f"/signin/{token}").status_code == 303
    return client


def _answer(client: TestClient, ref: str, status: str, response: str) -> tuple[int, str]:
    page = client.get("/secretariat/comments")
    assert page.status_code == 200, page.text[:300]
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    sent = client.post("/secretariat/comments/answer",
                       data={"csrf": token[1], "ref": ref, "status": status,
                             "response": response})  # fmt: skip
    return sent.status_code, sent.text


def _comments_cli(portal: Portal) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(app, ["comments", "--year", "2024", "--format", "json",
                                      "--inputs", str(portal.inputs_dir),
                                      "--outputs", str(portal.outputs_dir)])  # fmt: skip
    rows = json.loads(result.output)["comments"] if result.exit_code == 0 else []
    return result.exit_code, rows


def _card(page: str, ref: str) -> str:
    found = re.search(rf'<article class="card"[^>]*data-ref="{re.escape(ref)}".*?</article>',
                      page, re.S)  # fmt: skip
    assert found, page
    return found[0]


def test_the_page_lists_every_comment_with_its_fields(portal: Portal) -> None:
    page = _desk(portal).get("/secretariat/comments").text
    card = _card(page, "ee-review-team#1")
    for text in ("Aino Example", "Estonian review team", "001", "Executive summary",
                 "page 3", "factual", "eight of ten members",
                 "The count of members with a strategy looks wrong.",
                 "Recount from the governance table.", "open"):  # fmt: skip
        assert text in html.unescape(card), text
    assert "A typo in the second paragraph." in _card(page, "ee-review-team#2")
    assert "2 comment(s): 2 open" in page


def test_two_answers_are_written_with_the_first_kept_in_history(portal: Portal) -> None:
    desk = _desk(portal)
    assert _answer(desk, "ee-review-team#1", "accepted", "Corrected\r\nin draft 2.")[0] == 303
    assert _answer(desk, "ee-review-team#1", "rejected", "The count was right after all.")[0] == 303
    text = _review_file(portal).read_text(encoding="utf-8")
    # the reviewer's text and YAML comments are kept, line for line
    kept = [line for line in REVIEW.splitlines() if "kind: factual" not in line]
    assert [line for line in text.splitlines() if line in kept] == kept
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(text)
    first = data["comments"][0]
    assert (first["status"], first["response"]) == ("rejected", "The count was right after all.")
    assert first["answered_by"] == "sec@example.org"
    (earlier,) = first["history"]
    assert (earlier["status"], earlier["response"], earlier["by"]) == (
        "accepted", "Corrected\nin draft 2.", "sec@example.org")  # fmt: skip
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(earlier["at"]))
    assert "history" not in data["comments"][1] and "status" not in data["comments"][1]
    Review.model_validate(data)  # the documented format, with its optional fields
    code, rows = _comments_cli(portal)  # the written file checks as `wgreport comments`
    assert code == 0
    assert [(r["ref"], r["status"], r["response"]) for r in rows] == [
        ("ee-review-team#1", "rejected", "The count was right after all."),
        ("ee-review-team#2", "open", ""),
    ]
    lines = [x for x in portal.store.audit_lines() if x["action"] == "comment-answered"]
    assert [(x["ref"], x["status"], x["replaced"]) for x in lines] == [
        ("ee-review-team#1", "accepted", False), ("ee-review-team#1", "rejected", True)]  # fmt: skip
    page = desk.get("/secretariat/comments").text
    history = _card(page, "ee-review-team#1")
    assert "1 earlier answer(s)" in history and "Corrected\nin draft 2." in html.unescape(history)


def test_the_same_answer_again_changes_nothing(portal: Portal) -> None:
    desk = _desk(portal)
    assert _answer(desk, "ee-review-team#2", "accepted", "Fixed.")[0] == 303
    before = _review_file(portal).read_bytes()
    assert _answer(desk, "ee-review-team#2", "accepted", "  Fixed.\n")[0] == 303
    assert _review_file(portal).read_bytes() == before  # no history of an unchanged answer
    answers = [x for x in portal.store.audit_lines() if x["action"] == "comment-answered"]
    assert len(answers) == 1


def test_the_reviewer_sees_the_status_and_response_of_their_comments(portal: Portal) -> None:
    desk = _desk(portal)
    assert _answer(desk, "ee-review-team#2", "deferred", "To the 2025 edition.")[0] == 303
    _, token = portal.store.invite("reviewer", "aino@example.org", reviewer="ee-review-team")
    reviewer = TestClient(make_app(portal), follow_redirects=False)
    assert reviewer.post(f"/signin/{token}").status_code == 303
    row = re.search(r'<article class="card" id="c-2".*?</article>', reviewer.get("/review").text,
                    re.S)  # fmt: skip
    assert row
    assert "deferred" in row[0] and "To the 2025 edition." in row[0]


@pytest.mark.parametrize(
    ("status", "response", "field", "words"),
    [
        ("accepted", "   ", "response", "Write a response: a comment marked 'accepted' needs one"),
        ("done", "Fixed.", "status", "'done' is not a status: choose one of open, accepted"),
        ("accepted", "é" * 20_001, "response", "The response is 20,001 characters long"),
    ],
)
def test_a_refused_answer_keeps_what_was_typed_and_says_why_in_words(
    portal: Portal, status: str, response: str, field: str, words: str
) -> None:
    desk = _desk(portal)
    before = _review_file(portal).read_bytes()
    code, page = _answer(desk, "ee-review-team#1", status, response)
    assert code == 400
    assert _review_file(portal).read_bytes() == before
    refusal = re.search(r'<p class="bad" id="refusal">(.*?)</p>', page, re.S)
    assert refusal and words in html.unescape(refusal[1])
    assert not re.search(r":\d+:\d+|comments\[", refusal[1])  # words, not a YAML position
    card = _card(page, "ee-review-team#1")
    assert f">{html.escape(response)}</textarea>" in card  # what was typed, kept
    if status in ("accepted",):
        assert '<option value="accepted" selected>' in card
    assert "field-problem" in card
    assert not [x for x in portal.store.audit_lines() if x["action"] == "comment-answered"]


def test_an_answer_that_would_make_the_file_invalid_is_refused(portal: Portal) -> None:
    """Checked as `wgreport comments` checks the file: here, a history past its 100
    answers (schema: maxItems) is refused, and the file stays as it was."""
    path = _review_file(portal)
    entries = "".join(f"      - status: deferred\n        response: Round {n}.\n"
                      for n in range(100))  # fmt: skip
    text = REVIEW.replace(
        "    kind: factual\n",
        "    kind: factual\n    response: Later.\n    status: deferred\n    history:\n" + entries,
    )
    path.write_text(text, encoding="utf-8")
    assert _comments_cli(portal)[0] == 0
    code, page = _answer(_desk(portal), "ee-review-team#1", "accepted", "Done at last.")
    assert code == 400
    refusal = re.search(r'<p class="bad" id="refusal">(.*?)</p>', page, re.S)
    assert refusal and "Earlier answers:" in html.unescape(refusal[1]), page
    assert path.read_text(encoding="utf-8") == text


def test_unknown_comments_and_files_are_refused_by_name(portal: Portal) -> None:
    for ref, words in (
        ("ee-review-team#9", "There is no comment 9 in the file of reviewer 'ee-review-team'"),
        ("nobody#1", "There is no review file of reviewer 'nobody' in the 2024 edition"),
        ("ee-review-team", "is not a comment's reference"),
    ):
        done = answer_comment(portal.inputs_dir, portal.outputs_dir, 2024, ref, "accepted",
                              "Done.", by="sec@example.org")  # fmt: skip
        assert not done.ok and words in done.problems["ref"], done.problems
    assert _review_file(portal).read_text(encoding="utf-8") == REVIEW


def test_a_hand_written_answer_goes_to_history_without_a_time(portal: Portal) -> None:
    path = _review_file(portal)
    path.write_text(REVIEW.replace("    kind: editorial\n", "    kind: editorial\n"
                                   "    response: \"Noted.\"  # by hand\n"
                                   "    status: accepted\n"), encoding="utf-8")  # fmt: skip
    done = answer_comment(portal.inputs_dir, portal.outputs_dir, 2024, "ee-review-team#2",
                          "open", "", by="sec@example.org", at="2025-03-05T09:12:00Z")  # fmt: skip
    assert (
        done.ok and done.changed and done.replaced == {"status": "accepted", "response": "Noted."}
    )
    text = path.read_text(encoding="utf-8")
    assert "    status: open\n    answered_at: '2025-03-05T09:12:00Z'\n" in text
    assert '    history:\n      - status: accepted\n        response: "Noted."\n' in text
    assert 'response: "Noted."  # by hand' not in text  # the answer itself went
    assert _comments_cli(portal)[0] == 0
