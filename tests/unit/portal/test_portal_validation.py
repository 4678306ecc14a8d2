"""Country validation in the portal (issue 37): the secretariat opens a round on a draft
and follows it, each member is written to; a member sees only the pages of its own
chapter of that draft (a PDF cut at the chapter's bookmarks, read back with pypdf) and
confirms them or returns corrections; a change after confirming asks for a new
confirmation. On a copy of the demo inputs and a small draft with a real report.pdf."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import shutil
import warnings
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Unpack, cast

import pikepdf
import pytest
from pypdf import PdfReader

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import Who, copy_inputs
from tests.support.draftpdf import chapter_draft, pages_of
from tests.support.editions import fake_draft
from tests.support.smtpserver import free_port, smtp_server
from wgreport.layout import Inputs, Outputs
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store
from wgreport.review.confirmations import load_record, member_states

YEAR = 2024
KR_ADDRESS = "kr-contact@example.org"  # working-group.yaml's e-mail of KR


@pytest.fixture(autouse=True)
def _no_smtp(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WGREPORT_SMTP_HOST", "WGREPORT_PORTAL_URL", "WGREPORT_MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    """The demo inputs (their record: a round on draft 001, every member confirmed), and
    draft 001 (a manifest only) and draft 002 (a real PDF with chapters for KR and GB)."""
    inputs = copy_inputs(tmp_path)
    outputs = tmp_path / "outputs"
    fake_draft(outputs, 1)
    chapter_draft(outputs, 2)
    return Portal(inputs, outputs, YEAR, Store(tmp_path / "portal"), base_url="http://testserver")


def _client(portal: Portal, role: str, email: str, **who: Unpack[Who]) -> TestClient:
    _, token = portal.store.invite(role, email, **who)
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.post(f"/signin/{token}").status_code == 303
    return client


def _secretariat(portal: Portal) -> TestClient:
    return _client(portal, "secretariat", "sec@example.org")


def _member(portal: Portal, code: str) -> TestClient:
    return _client(portal, "member", f"{code.lower()}-deputy@example.org", member=code)


def _csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text[:500]
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found[1]


def _post(client: TestClient, path: str, back: str, **fields: str) -> tuple[int, str]:
    response = client.post(path, data={"csrf": _csrf(client, back), **fields})
    return response.status_code, response.text


def _open(client: TestClient, draft: str = "002", due: str = "") -> tuple[int, str]:
    return _post(
        client, "/secretariat/validation/open", "/secretariat/validation", draft=draft, due=due
    )


def _outbox(portal: Portal) -> list[EmailMessage]:
    folder = Outputs(portal.outputs_dir).outbox
    files = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]


def _row(page: str, code: str) -> str:
    found = re.search(rf'<tr data-member="{code}"[^>]*>(.*?)</tr>', page, re.S)
    assert found, page
    return found[0]


def _text(page: str, ident: str) -> str:
    found = re.search(rf'<(p|div)\b[^>]*\bid="{ident}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, page
    return html.unescape(re.sub(r"<[^>]+>", "", found[2]))


def _audit(portal: Portal, action: str) -> list[dict[str, object]]:
    return [x for x in portal.store.audit_lines() if x["action"] == action]


def _in_ten_days() -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)).isoformat()


def test_the_secretariat_opens_a_round_and_every_member_is_asked_and_written_to(
    portal: Portal,
) -> None:
    desk = _secretariat(portal)
    page = desk.get("/secretariat/validation").text
    assert "Draft 001, opened on 2025-03-03" in page  # the demo's round, all confirmed
    assert 'data-state="confirmed"' in _row(page, "KR")
    assert re.search(r'<option value="002">Draft 002 \(the newest\)</option>', page)
    assert '<option value="001">' not in page  # the open round is on 001: only newer ones
    due = _in_ten_days()
    status, page = _open(desk, "002", due)
    assert status == 200, page
    current = load_record(portal.inputs_dir, YEAR).current
    assert current is not None and (current.draft, str(current.due)) == (2, due)
    assert current.opened_by == "sec@example.org"
    assert "Opened a round on draft 002" in page
    assert {s.state for s in member_states(portal.inputs_dir, YEAR).values()} == {"requested"}
    assert "requested" in _row(page, "KR") and "requested" in _row(page, "DK")
    messages = _outbox(portal)
    assert len(messages) == 10
    assert {str(m["X-Wgreport-Kind"]) for m in messages} == {"validation-request"}
    kr = next(m for m in messages if str(m["To"]) == KR_ADDRESS)
    assert "Please check your chapter in draft 002" in str(kr["Subject"])
    body = cast(str, cast(EmailMessage, kr.get_body(("plain",))).get_content())
    assert "Republic of Korea (KR)" in body and "http://testserver/member" in body
    assert "United Kingdom" not in body  # never another member's data
    assert "written to the outbox" in _text(page, "sent")
    (line,) = _audit(portal, "validation-opened")
    assert line["draft"] == 2 and line["due"] == due and line["not_sent"] == 0


@pytest.mark.parametrize(
    ("draft", "due", "status", "words"),
    [
        ("001", "", 409, "a round on draft 001 is already open"),
        ("007", "", 409, "there is no draft 007"),
        ("two", "", 400, "'two' is not a draft number"),
        ("002", "14/03/2025", 400, "'14/03/2025' is not a date: write it as YYYY-MM-DD"),
        ("002", "2001-01-01", 409, "the due date 2001-01-01 is before today"),
    ],
)
def test_a_refused_round_says_why_in_words_and_keeps_what_was_chosen(
    portal: Portal, draft: str, due: str, status: int, words: str
) -> None:
    desk = _secretariat(portal)
    got, page = _open(desk, draft, due)
    assert got == status
    assert words in html.unescape(page), page
    if due:
        assert f'value="{due}"' in page
    assert load_record(portal.inputs_dir, YEAR).current.draft == 1  # type: ignore[union-attr]
    assert _outbox(portal) == [] and not _audit(portal, "validation-opened")


def test_a_member_sees_only_the_pages_of_its_own_chapter(portal: Portal) -> None:
    desk = _secretariat(portal)
    assert _open(desk)[0] == 200
    korea = _member(portal, "KR")
    notice = _text(korea.get("/member").text, "validation-notice")
    assert "asks you to check your chapter in draft 002" in notice
    page = korea.get("/member/validation").text
    assert "2. Republic of Korea" in page and "pages 3 to 4 of draft 002" in page
    chapter = korea.get("/member/validation/chapter.pdf")
    assert chapter.status_code == 200 and chapter.headers["content-type"] == "application/pdf"
    assert "2024-draft-002-KR-chapter.pdf" in chapter.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(chapter.content))
    texts = [p.extract_text() for p in reader.pages]
    assert texts == ["CHAPTER-KR page 1 of 2", "CHAPTER-KR page 2 of 2"]
    # the draft's link from KR's page to GB's carries no page of GB's into the file
    with pikepdf.open(io.BytesIO(chapter.content)) as pdf:
        pages = [
            o
            for o in pdf.objects
            if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Page"
        ]
        assert len(pages) == 2
    assert _audit(portal, "download")[-1]["file"] == "chapter.pdf"
    britain = _member(portal, "GB")
    texts = [
        p.extract_text()
        for p in PdfReader(io.BytesIO(britain.get("/member/validation/chapter.pdf").content)).pages
    ]
    assert texts == [f"CHAPTER-GB page {n} of 3" for n in (1, 2, 3)]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed")
def test_the_pages_are_shown_as_images_and_another_members_are_not(portal: Portal) -> None:
    desk = _secretariat(portal)
    assert _open(desk)[0] == 200
    korea = _member(portal, "KR")
    page = korea.get("/member/validation").text
    shown = re.findall(r'<img src="/member/validation/page/(\d+)\.png"', page)
    assert [int(n) for n in shown] == list(pages_of("KR"))
    image = korea.get("/member/validation/page/3.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert image.headers["content-type"] == "image/png"
    for other in [*pages_of("GB"), 1, 8, 99]:  # GB's pages, the foreword, an annex, none
        refused = korea.get(f"/member/validation/page/{other}.png")
        assert refused.status_code == 404 and b"PNG" not in refused.content[:8]


def test_korea_cannot_fetch_britains_pages_or_state(portal: Portal) -> None:
    desk = _secretariat(portal)
    assert _open(desk)[0] == 200
    britain = _member(portal, "GB")
    assert (
        _post(
            britain,
            "/member/validation/corrections",
            "/member/validation",
            comment="GB-SECRET: the budget is 12 million",
            page="6",
        )[0]
        == 303
    )
    korea = _member(portal, "KR")
    for path in ("/member/validation", "/member"):
        page = korea.get(path).text.split("<main>")[1]
        assert "GB" not in re.sub(r'value="[^"]*"', "", page)
        assert "United Kingdom" not in page and "GB-SECRET" not in page
        assert "You returned corrections" not in page
    texts = [
        p.extract_text()
        for p in PdfReader(io.BytesIO(korea.get("/member/validation/chapter.pdf").content)).pages
    ]
    assert all("CHAPTER-KR" in t for t in texts) and not any("GB" in t for t in texts)
    # no address names a member: asking for another country's chapter gets one's own, or
    # nothing
    asked = korea.get("/member/validation/chapter.pdf?member=GB")
    texts = [p.extract_text() for p in PdfReader(io.BytesIO(asked.content)).pages]
    assert texts == ["CHAPTER-KR page 1 of 2", "CHAPTER-KR page 2 of 2"]
    for path in ("/member/validation/GB", "/member/validation/page/6.png"):
        assert korea.get(path).status_code == 404


def test_a_member_confirms_and_the_secretariat_sees_when_and_by_whom(portal: Portal) -> None:
    desk = _secretariat(portal)
    assert _open(desk)[0] == 200
    korea = _member(portal, "KR")
    status, _ = _post(korea, "/member/validation/confirm", "/member/validation")
    assert status == 303
    states = member_states(portal.inputs_dir, YEAR)
    assert states["KR"].state == "confirmed" and states["KR"].by == "kr-deputy@example.org"
    assert "You confirmed your chapter in draft 002" in _text(
        korea.get("/member/validation").text, "state"
    )
    assert "You confirmed" in _text(korea.get("/member").text, "validation-notice")
    row = _row(desk.get("/secretariat/validation").text, "KR")
    assert "confirmed" in row and "kr-deputy@example.org" in row and " UTC" in row
    assert 'data-state="requested"' in _row(desk.get("/secretariat/validation").text, "GB")
    (line,) = _audit(portal, "validation-confirmed")
    assert line["member"] == "KR" and line["draft"] == 2 and line["content"]


def test_a_changed_contribution_must_be_confirmed_again(portal: Portal) -> None:
    desk = _secretariat(portal)
    assert _open(desk)[0] == 200
    korea = _member(portal, "KR")
    assert _post(korea, "/member/validation/confirm", "/member/validation")[0] == 303
    path = Inputs(portal.inputs_dir).edition(YEAR).contribution("KR")
    text = path.read_text(encoding="utf-8")
    assert "value: 0.96789" in text
    path.write_text(text.replace("value: 0.96789", "value: 0.95", 1), encoding="utf-8")
    notice = _text(korea.get("/member").text, "validation-notice")
    assert "Changed since you confirmed" in notice and "Confirm again" in notice
    page = korea.get("/member/validation").text
    assert 'data-state="changed since confirmed"' in page and "Confirm again" in page
    assert 'data-state="changed since confirmed"' in _row(
        desk.get("/secretariat/validation").text, "KR"
    )
    assert _post(korea, "/member/validation/confirm", "/member/validation")[0] == 303
    assert member_states(portal.inputs_dir, YEAR)["KR"].state == "confirmed"


def test_corrections_are_a_review_comment_linked_from_the_secretariats_page(
    portal: Portal,
) -> None:
    desk = _secretariat(portal)
    assert _open(desk)[0] == 200
    korea = _member(portal, "KR")
    status, _ = _post(
        korea,
        "/member/validation/corrections",
        "/member/validation",
        comment="The 2023 strategy was adopted in April, not May.",
        page="4",
    )
    assert status == 303
    state = member_states(portal.inputs_dir, YEAR)["KR"]
    assert state.state == "corrections" and state.comment == "kr-validation#1"
    review = Inputs(portal.inputs_dir).edition(YEAR).reviews / "kr-validation.yaml"
    written = review.read_text(encoding="utf-8")
    assert "adopted in April, not May" in written and "page: 4" in written
    row = _row(desk.get("/secretariat/validation").text, "KR")
    assert 'href="/secretariat/comments#c-kr-validation-1"' in row
    assert 'id="c-kr-validation-1"' in desk.get("/secretariat/comments").text
    assert "You returned corrections" in _text(korea.get("/member").text, "validation-notice")
    (line,) = _audit(portal, "validation-corrections")
    assert line["comment"] == "kr-validation#1" and line["page"] == 4


@pytest.mark.parametrize(
    ("comment", "page", "field", "words"),
    [
        ("   ", "", "comment", "Say what is to be corrected"),
        ("Wrong year.", "four", "page", "'four' is not a page number"),
        ("Wrong year.", "6", "page", "Page 6 is not in your chapter, which is pages 3 to 4"),
        ("x" * 20_001, "", "comment", "At most 20,000 characters"),
    ],
)
def test_refused_corrections_say_why_and_keep_what_was_typed(
    portal: Portal, comment: str, page: str, field: str, words: str
) -> None:
    desk = _secretariat(portal)
    assert _open(desk)[0] == 200
    korea = _member(portal, "KR")
    status, text = _post(
        korea, "/member/validation/corrections", "/member/validation", comment=comment, page=page
    )
    assert status == 400
    problem = re.search(
        rf'<span class="bad field-problem" id="problem-{field}">([^<]+)</span>', text
    )
    assert problem and words in html.unescape(problem[1]), text
    assert f'aria-describedby="problem-{field}"' in text
    if comment.strip():
        assert html.escape(comment[:200]) in text
    assert f'value="{page}"' in text
    assert member_states(portal.inputs_dir, YEAR)["KR"].state == "requested"
    assert not (Inputs(portal.inputs_dir).edition(YEAR).reviews / "kr-validation.yaml").exists()


def test_without_a_round_asking_them_members_see_no_notice_and_cannot_answer(
    portal: Portal, tmp_path: Path
) -> None:
    Inputs(portal.inputs_dir).edition(YEAR).country_validation.unlink()
    korea = _member(portal, "KR")
    assert 'id="validation-notice"' not in korea.get("/member").text
    page = korea.get("/member/validation").text
    assert "No country-validation round asks you" in page and "confirm-form" not in page
    assert korea.get("/member/validation/chapter.pdf").status_code == 404
    status, text = _post(korea, "/member/validation/confirm", "/member/validation")
    assert status == 409 and "no country-validation round is open" in html.unescape(text)


def test_reminders_go_to_those_who_have_not_confirmed(portal: Portal) -> None:
    desk = _secretariat(portal)
    assert _open(desk)[0] == 200
    for code in ("KR", "GB"):
        assert (
            _post(_member(portal, code), "/member/validation/confirm", "/member/validation")[0]
            == 303
        )
    assert (
        _post(
            _member(portal, "EE"),
            "/member/validation/corrections",
            "/member/validation",
            comment="A typo in the case study title.",
        )[0]
        == 303
    )
    folder = Outputs(portal.outputs_dir).outbox
    shutil.rmtree(folder)
    status, page = _post(desk, "/secretariat/validation/remind", "/secretariat/validation")
    assert status == 200
    reminded = sorted(str(m["To"]) for m in _outbox(portal))
    assert reminded == sorted(
        f"{c.lower()}-contact@example.org" for c in ("CA", "NZ", "PT", "MX", "IL", "UY", "DK")
    )
    assert {str(m["X-Wgreport-Kind"]) for m in _outbox(portal)} == {"validation-reminder"}
    assert "Reminders to the 7 member(s) who have not confirmed" in _text(page, "sent")
    (line,) = _audit(portal, "validation-reminded")
    assert line["members"] == ["CA", "NZ", "PT", "MX", "IL", "UY", "DK"]


def test_the_requests_go_over_smtp_one_member_each(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as server:
        monkeypatch.setenv("WGREPORT_SMTP_HOST", server.host)
        monkeypatch.setenv("WGREPORT_SMTP_PORT", str(server.port))
        monkeypatch.setenv("WGREPORT_SMTP_STARTTLS", "0")
        monkeypatch.setenv("WGREPORT_MAIL_FROM", "secretariat@example.org")
        desk = _secretariat(portal)
        status, page = _open(desk, "002", _in_ten_days())
        received = list(server.received)
    assert status == 200 and "10 sent: each message" in _text(page, "sent")
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(
        f"{c.lower()}-contact@example.org"
        for c in ("KR", "GB", "EE", "CA", "NZ", "PT", "MX", "IL", "UY", "DK")
    )
    assert all(len(r.rcpt_tos) == 1 for r in received)  # nobody sees another's address
    korea = next(r for r in received if r.rcpt_tos == [KR_ADDRESS])
    assert "Please check your chapter in draft 002" in str(korea.message["Subject"])
    assert "Republic of Korea (KR)" in " ".join(korea.body.split())
    assert "Please answer by" in korea.body and _outbox(portal) == []


def test_an_smtp_failure_never_fails_opening_the_round(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WGREPORT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WGREPORT_SMTP_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("WGREPORT_SMTP_STARTTLS", "0")
    monkeypatch.setenv("WGREPORT_MAIL_FROM", "secretariat@example.org")
    desk = _secretariat(portal)
    status, page = _open(desk)
    assert status == 200
    assert load_record(portal.inputs_dir, YEAR).current.draft == 2  # type: ignore[union-attr]
    assert "not sent, kept in the outbox" in _text(page, "sent")
    assert "10 message(s) not sent, kept in the outbox" in _text(page, "not-sent")
    assert len(_outbox(portal)) == 10  # each kept, with its .failed note
    failed = _audit(portal, "mail-failed")
    assert len(failed) == 10 and {x["kind"] for x in failed} == {"validation-request"}
    assert _audit(portal, "validation-opened")[0]["not_sent"] == 10


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        ("member", "GET", "/secretariat/validation"),
        ("member", "POST", "/secretariat/validation/open"),
        ("member", "POST", "/secretariat/validation/remind"),
        ("reviewer", "GET", "/member/validation"),
        ("reviewer", "GET", "/member/validation/chapter.pdf"),
        ("reviewer", "GET", "/member/validation/page/3.png"),
        ("secretariat", "POST", "/member/validation/confirm"),
        ("secretariat", "GET", "/member/validation/chapter.pdf"),
        ("reviewer", "GET", "/secretariat/validation"),
    ],
)
def test_each_page_is_its_roles_only(portal: Portal, role: str, method: str, path: str) -> None:
    who: Who = {"member": "KR"} if role == "member" else {}
    client = _client(portal, role, f"{role}@example.org", **who)
    response = client.request(method, path)
    assert response.status_code == 403 and "%PDF" not in response.text


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("member", "/member/validation/confirm"),
        ("member", "/member/validation/corrections"),
        ("secretariat", "/secretariat/validation/open"),
        ("secretariat", "/secretariat/validation/remind"),
    ],
)
def test_every_form_needs_its_token(portal: Portal, role: str, path: str) -> None:
    who: Who = {"member": "KR"} if role == "member" else {}
    client = _client(portal, role, f"{role}@example.org", **who)
    fields = {"draft": "002"} if path.endswith("open") else {}
    fields |= {"comment": "x"} if path.endswith("corrections") else {}
    response = client.post(path, data={"csrf": "forged", **fields})
    assert response.status_code == 403 and "This form has expired" in response.text
    assert load_record(portal.inputs_dir, YEAR).current.draft == 1  # type: ignore[union-attr]
    assert member_states(portal.inputs_dir, YEAR)["KR"].state == "confirmed"


def test_the_pages_have_no_script_and_no_refresh(portal: Portal) -> None:
    desk = _secretariat(portal)
    assert _open(desk)[0] == 200
    korea = _member(portal, "KR")
    for client, path in (
        (desk, "/secretariat/validation"),
        (korea, "/member/validation"),
        (korea, "/member"),
    ):
        page = client.get(path).text
        assert "<script" not in page and "http-equiv" not in page
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_a_long_correction_in_another_script_is_taken_whole(portal: Portal) -> None:
    desk = _secretariat(portal)
    assert _open(desk)[0] == 200
    korea = _member(portal, "KR")
    text = "정책 이름이 틀렸습니다. " * 1500  # 21,000 bytes of text, ~190,000 once URL-encoded
    status, page = _post(
        korea, "/member/validation/corrections", "/member/validation", comment=text[:19_999]
    )
    assert status == 303, page[:300]
    assert member_states(portal.inputs_dir, YEAR)["KR"].state == "corrections"
