"""The reviewers' forms and threads in the portal (issue 38): a refused comment comes back
with everything typed and the reason in words at its field; "proposed change" is
optional; each comment shows the answer and takes a reply (the secretariat replies on its
comments page), kept in the review format; the drafts' CSVs, the final, the changes and a
zip of the HTML that works on its own can be downloaded."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import warnings
import zipfile
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import copy_inputs
from tests.support.goldentree import GOLDEN_TREE
from wgreport.build.bundle import dangling_links
from wgreport.inputs.yamlsource import load_yaml
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store
from wgreport.review.answers import answer_comment

DRAFT = GOLDEN_TREE / "drafts" / "001"
PAGES = json.loads((DRAFT / "manifest.json").read_text(encoding="utf-8"))["pages"]
TYPED = {"draft": "1", "section": "KR", "page": "90", "quote": "nine of ten & more",
         "comment": "The count <looks> wrong.\nSee the table.",
         "proposed_change": "Recount \"it\".", "kind": "substantive"}  # fmt: skip


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    inputs = copy_inputs(tmp_path)
    outputs = tmp_path / "outputs"
    draft = outputs / "2024" / "drafts" / "001"
    shutil.copytree(DRAFT, draft)
    (draft / "report.pdf").write_bytes(b"%PDF-1.7 a stand-in draft\n")
    return Portal(inputs, outputs, 2024, Store(tmp_path / "portal"), base_url="http://testserver")


def _client(portal: Portal, role: str, **who: str) -> TestClient:
    _, token = portal.store.invite(role, f"{role}@example.org", **who)  # type: ignore[arg-type]
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.post(f"/signin/{token}").status_code == 303
    return client


def _reviewer(portal: Portal) -> TestClient:
    return _client(portal, "reviewer", reviewer="ee-review-team", name="Aino Example",
                   organisation="Estonian review team")  # fmt: skip


def _csrf(client: TestClient, path: str = "/review") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found
    return found[1]


def _review_file(portal: Portal) -> Path:
    return portal.inputs_dir / "2024" / "reviews" / "ee-review-team.yaml"


def _form(page: str) -> str:
    found = re.search(r'<form method="post" action="/review/comment".*?</form>', page, re.S)
    assert found, page
    return found[0]


# --- a refused comment -------------------------------------------------------------------


def test_a_refused_comment_keeps_everything_typed_and_says_why_at_the_field(
    portal: Portal,
) -> None:
    client = _reviewer(portal)
    sent = client.post("/review/comment", data={**TYPED, "csrf": _csrf(client)})
    assert sent.status_code == 400
    assert not _review_file(portal).exists()  # nothing written
    form = _form(sent.text)
    assert 'value="90"' in form and 'value="nine of ten &amp; more"' in form
    assert ">The count &lt;looks&gt; wrong.\nSee the table.</textarea>" in form
    assert ">Recount &#34;it&#34;.</textarea>" in form
    assert re.search(r'<option value="1" selected>001</option>', form)
    assert re.search(r'<option value="KR" selected>', form)
    assert '<option value="substantive" selected>substantive</option>' in form
    # the reason, in words, beside the page field, which says it is the one at fault
    words = f"Page 90 is past the draft's last page, {PAGES}"
    page_field = re.search(r'<p><label for="page">.*?</p>', form, re.S)
    assert page_field and words in html.unescape(page_field[0])
    assert 'aria-invalid="true" aria-describedby="problem-page"' in page_field[0]
    assert 'id="problem-page"' in page_field[0]
    # no file position, no field path
    text = html.unescape(sent.text)
    assert "ee-review-team.yaml" not in text and "comments[0]" not in text
    assert not re.search(r"\.yaml:\d+:\d+", text)
    assert '<a href="#page">Page</a>' in sent.text  # the summary leads to the field
    # sent again, corrected, it is accepted
    fixed = client.post("/review/comment", data={**TYPED, "page": "12", "csrf": _csrf(client)})
    assert fixed.status_code == 303
    (comment,) = load_yaml(_review_file(portal)).data["comments"]
    assert comment["page"] == 12 and comment["quote"] == "nine of ten & more"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"page": "abc"}, "page", "Write the page as a whole number, such as 12 (not “abc”)"),
        ({"page": "0"}, "page", "Pages are numbered from 1"),
        ({"comment": "   "}, "comment", "Write the comment: the field is empty."),
        ({"quote": "q" * 2001}, "quote", "The quote is 2,001 characters long; at most 2,000"),
        ({"kind": "urgent"}, "kind", "Choose the kind: editorial, substantive or factual."),
        ({"section": "sumary"}, "section", "“sumary” is not a section of the report."),
    ],
)
def test_each_refusal_is_in_words_at_its_field(
    portal: Portal, change: dict[str, str], field: str, words: str
) -> None:
    client = _reviewer(portal)
    sent = client.post("/review/comment",
                       data={**TYPED, "page": "3", **change, "csrf": _csrf(client)})  # fmt: skip
    assert sent.status_code == 400
    problem = re.search(rf'<span class="bad field-problem" id="problem-{field}">(.*?)</span>',
                        sent.text, re.S)  # fmt: skip
    assert problem and words in html.unescape(problem[1]), sent.text
    assert not _review_file(portal).exists()


def test_an_error_already_in_the_file_does_not_refuse_a_new_comment(portal: Portal) -> None:
    client = _reviewer(portal)
    assert client.post("/review/comment",
                       data={**TYPED, "page": "3", "csrf": _csrf(client)}).status_code == 303  # fmt: skip
    path = _review_file(portal)
    path.write_text(path.read_text("utf-8").replace("section: KR", "section: XX"), "utf-8")
    assert client.post("/review/comment",
                       data={**TYPED, "page": "4", "csrf": _csrf(client)}).status_code == 303  # fmt: skip
    assert [c["page"] for c in load_yaml(path).data["comments"]] == [3, 4]


# --- proposed change optional -----------------------------------------------------------


def test_a_question_needs_no_proposed_change(portal: Portal) -> None:
    client = _reviewer(portal)
    page = client.get("/review").text
    field = re.search(r'<textarea id="proposed_change"[^>]*>', page)
    assert field and "required" not in field[0]
    question = {**TYPED, "page": "", "proposed_change": "", "comment": "Is 2023 final?"}
    assert client.post("/review/comment",
                       data={**question, "csrf": _csrf(client)}).status_code == 303  # fmt: skip
    (comment,) = load_yaml(_review_file(portal)).data["comments"]
    assert "proposed_change" not in comment and "page" not in comment
    card = re.search(r'<article class="card" id="c-1".*?</article>', client.get("/review").text,
                     re.S)  # fmt: skip
    assert card and "Is 2023 final?" in card[0] and "Proposed change" not in card[0]


# --- the thread ------------------------------------------------------------------------


def _send_comment_and_answer(portal: Portal) -> TestClient:
    client = _reviewer(portal)
    assert client.post("/review/comment",
                       data={**TYPED, "page": "3", "csrf": _csrf(client)}).status_code == 303  # fmt: skip
    done = answer_comment(portal.inputs_dir, portal.outputs_dir, 2024, "ee-review-team#1",
                          "accepted", "Recounted: nine of ten.", by="sec@example.org")  # fmt: skip
    assert done.changed
    return client


def test_the_reviewer_and_the_secretariat_reply_in_the_comments_thread(portal: Portal) -> None:
    reviewer = _send_comment_and_answer(portal)
    page = reviewer.get("/review").text
    card = re.search(r'<article class="card" id="c-1".*?</article>', page, re.S)
    assert card and "Recounted: nine of ten." in card[0] and "accepted" in card[0]
    assert 'action="/review/reply"' in card[0]
    sent = reviewer.post("/review/reply", data={"csrf": _csrf(reviewer), "comment": "1",
                                                "reply": "Thanks. And Annex B?"})  # fmt: skip
    assert sent.status_code == 303 and sent.headers["location"].endswith("/review#c-1")
    desk = _client(portal, "secretariat")
    comments = desk.get("/secretariat/comments").text
    assert "Thanks. And Annex B?" in comments and 'action="/secretariat/comments/reply"' in comments
    token = _csrf(desk, "/secretariat/comments")
    answered = desk.post("/secretariat/comments/reply",
                         data={"csrf": token, "ref": "ee-review-team#1",
                               "reply": "Annex B was corrected too."})  # fmt: skip
    assert answered.status_code == 303
    (comment,) = load_yaml(_review_file(portal)).data["comments"]
    assert [(r["by"], r["text"]) for r in comment["replies"]] == [
        ("ee-review-team", "Thanks. And Annex B?"),
        ("secretariat", "Annex B was corrected too."),
    ]
    assert comment["status"] == "accepted"  # a reply does not change the status
    page = reviewer.get("/review").text
    thread = re.search(r'<ol class="thread".*?</ol>', page, re.S)
    assert thread
    assert re.search(r"<strong>You</strong>, [0-9-]+ [0-9:]+Z: <span class=\"text\">Thanks",
                     thread[0])  # fmt: skip
    assert "<strong>The secretariat</strong>" in thread[0]
    audit = [x for x in portal.store.audit_lines() if x["action"] == "comment-reply"]
    assert [(x["role"], x["ref"], x["reply"]) for x in audit] == [
        ("reviewer", "ee-review-team#1", 1),
        ("secretariat", "ee-review-team#1", 2),
    ]


def test_a_refused_reply_keeps_what_was_typed(portal: Portal) -> None:
    reviewer = _send_comment_and_answer(portal)
    before = _review_file(portal).read_bytes()
    long = "é" * 20_001
    sent = reviewer.post("/review/reply",
                         data={"csrf": _csrf(reviewer), "comment": "1", "reply": long})  # fmt: skip
    assert sent.status_code == 400
    form = re.search(r'<form method="post" action="/review/reply" id="reply-1">.*?</form>',
                     sent.text, re.S)  # fmt: skip
    assert form and f">{long}</textarea>" in form[0]
    assert "The reply is 20,001 characters long" in form[0]
    assert 'aria-invalid="true"' in form[0]
    assert _review_file(portal).read_bytes() == before
    # the secretariat's refused reply too, at its own form, the answer form untouched
    desk = _client(portal, "secretariat")
    sent = desk.post("/secretariat/comments/reply",
                     data={"csrf": _csrf(desk, "/secretariat/comments"),
                           "ref": "ee-review-team#1", "reply": "  "})  # fmt: skip
    assert sent.status_code == 400
    form = re.search(r'<form method="post" action="/secretariat/comments/reply".*?</form>',
                     sent.text, re.S)  # fmt: skip
    assert form and "Write your reply: the box is empty." in form[0]
    answer = re.search(r'<textarea id="response-c-ee-review-team-1"[^>]*>([^<]*)</textarea>',
                       sent.text)  # fmt: skip
    assert answer and answer[1] == "Recounted: nine of ten."
    assert _review_file(portal).read_bytes() == before


def test_replies_need_a_fresh_token_and_the_reviewers_own_comment(portal: Portal) -> None:
    reviewer = _send_comment_and_answer(portal)
    before = _review_file(portal).read_bytes()
    assert reviewer.post("/review/reply", data={"comment": "1", "reply": "Hi"}).status_code == 403
    other = _client(portal, "reviewer", reviewer="nz-reader")
    sent = other.post("/review/reply", data={"csrf": _csrf(other), "comment": "1",
                                             "reply": "Not mine"})  # fmt: skip
    assert sent.status_code == 400  # nz-reader#1 does not exist: no one else's thread
    member = _client(portal, "member", member="KR")
    assert member.post("/review/reply", data={"comment": "1", "reply": "x"}).status_code == 403
    assert reviewer.post("/secretariat/comments/reply",
                         data={"ref": "ee-review-team#1", "reply": "x"}).status_code == 403  # fmt: skip
    assert _review_file(portal).read_bytes() == before


# --- downloads -------------------------------------------------------------------------


def test_the_data_tables_download_one_by_one(portal: Portal) -> None:
    client = _reviewer(portal)
    page = client.get("/review").text
    for name in sorted(p.name for p in (DRAFT / "data").glob("*.csv")):
        assert f'href="/review/download/001/data/{name}"' in page
        got = client.get(f"/review/download/001/data/{name}")
        assert got.status_code == 200 and got.content == (DRAFT / "data" / name).read_bytes()
        assert f"2024-draft-001-data-{name}" in got.headers["content-disposition"]
    for bad in ("../manifest.json", "nothing.csv", ".hidden.csv", "indicators.CSV"):
        assert client.get(f"/review/download/001/data/{bad}").status_code in (403, 404)
    assert client.get("/review/download/002/data/indicators.csv").status_code == 403


def test_the_html_zip_works_on_its_own(portal: Portal) -> None:
    client = _reviewer(portal)
    assert 'href="/review/download/001/report-html.zip"' in client.get("/review").text
    got = client.get("/review/download/001/report-html.zip")
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(got.content))
    names = set(archive.namelist())
    csvs = {f"2024-draft-001/data/{p.name}" for p in (DRAFT / "data").glob("*.csv")}
    assert names == {"2024-draft-001/report.html", "2024-draft-001/report.pdf", *csvs}
    page = archive.read("2024-draft-001/report.html").decode("utf-8")
    present = {n.removeprefix("2024-draft-001/") for n in names}
    assert dangling_links(page, present) == []  # every link leads to a file of the zip
    assert 'href="data/indicators.csv"' in page and 'href="report.pdf"' in page
    for internal in ("report.json", "comments.html", "comments.csv", "manifest.json"):
        assert f'href="{internal}"' not in page  # not offered: not linked
    original = (DRAFT / "report.html").read_text(encoding="utf-8")
    assert 'href="comments.html"' in original  # (the draft's own page links them)


def test_report_html_alone_links_to_the_portals_files(portal: Portal) -> None:
    client = _reviewer(portal)
    got = client.get("/review/download/001/report.html")
    assert got.status_code == 200
    page = got.text
    link = "http://testserver/review/download/001/data/indicators.csv"
    assert f'href="{link}"' in page
    assert 'href="http://testserver/review/download/001/report.pdf"' in page
    assert 'href="comments.html"' not in page and 'href="report.json"' not in page
    assert client.get(link.removeprefix("http://testserver")).status_code == 200
    assert 'href="#foreword"' in page or 'href="#' in page  # anchors stay in the page


def _second_draft(portal: Portal, name: str = "002") -> Path:
    drafts = portal.outputs_dir / "2024" / "drafts"
    folder = drafts / name if name != "final" else portal.outputs_dir / "2024" / "final"
    shutil.copytree(drafts / "001", folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["inputs"]["inputs/2024/contributions/KR.yaml"] = "0" * 64
    if name == "final":
        manifest["final"] = True
    else:
        manifest["draft"] = name
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_what_changed_downloads_as_text_and_json(portal: Portal) -> None:
    client = _reviewer(portal)
    first = client.get("/review/download/001/changes.txt")
    assert first.status_code == 200 and "Draft 001 is the first draft" in first.text
    _second_draft(portal)
    page = client.get("/review").text
    assert 'href="/review/download/002/changes.txt"' in page
    assert 'href="/review/download/002/changes.json"' in page
    text = client.get("/review/download/002/changes.txt")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert text.text.startswith("What changed in draft 002 of the 2024 edition, from draft 001")
    assert "- KR: contribution changed" in text.text
    data = client.get("/review/download/002/changes.json").json()
    assert data["draft"] == "002" and data["previous"] == "001"
    assert data["changes"]["contributions_changed"] == ["KR"]
    assert "KR: contribution changed" in data["lines"]
    assert client.get("/review/download/003/changes.json").status_code == 403


def test_the_final_downloads_once_it_exists(portal: Portal) -> None:
    client = _reviewer(portal)
    assert 'id="final"' not in client.get("/review").text
    assert client.get("/review/download/final/report.pdf").status_code == 403
    _second_draft(portal, "final")
    page = client.get("/review").text
    assert 'id="final"' in page and 'href="/review/download/final/report.pdf"' in page
    got = client.get("/review/download/final/report.pdf")
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    assert "2024-final-report.pdf" in got.headers["content-disposition"]
    assert client.get("/review/download/final/data/indicators.csv").status_code == 200
    changes = client.get("/review/download/final/changes.txt").text
    assert "What changed in the final of the 2024 edition, from draft 001" in changes
    downloads = [x for x in portal.store.audit_lines() if x["action"] == "download"]
    assert {(x["draft"], x["file"]) for x in downloads} >= {
        ("final", "report.pdf"), ("final", "data/indicators.csv"), ("final", "changes.txt")
    }  # fmt: skip


def test_the_review_page_has_no_script_and_every_form_its_token(portal: Portal) -> None:
    _send_comment_and_answer(portal)
    client = _reviewer(portal)
    page = client.get("/review").text
    assert "<script" not in page and 'http-equiv="refresh"' not in page
    forms = re.findall(r"<form .*?</form>", page, re.S)
    assert len(forms) >= 3  # sign-out, the comment, a reply
    assert all('name="csrf"' in f for f in forms)
