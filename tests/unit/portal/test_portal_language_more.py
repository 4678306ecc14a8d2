"""What the portal still showed in English on a Korean page (issue 42, part C): the words
of its forms' refusals (invitations, the final, a build, a reviewer's comment), a comment's
kinds and statuses, the screen-reader words of a change (`[deleted: …]`), the "or" of a
list, the edition's stage and steps, the preflight's headings and checks, a preview's
failure and the e-mails. Each in Korean for a Korean reader, the English unchanged."""

from __future__ import annotations

import contextlib
import html
import re
import shutil
import sys
import warnings
from email.message import EmailMessage
from pathlib import Path
from typing import cast

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from httpx import Response
    from starlette.testclient import TestClient

from tests.conftest import copy_inputs
from tests.support.goldentree import GOLDEN_TREE
from wgreport.portal import language
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    inputs = copy_inputs(tmp_path)
    outputs = tmp_path / "outputs"
    shutil.copytree(GOLDEN_TREE / "drafts" / "001", outputs / "2024" / "drafts" / "001")
    return Portal(inputs, outputs, 2024, Store(tmp_path / "portal"), base_url="http://testserver")


def _client(portal: Portal, role: str, lang: str = "ko", **who: str) -> TestClient:
    _, token = portal.store.invite(role, f"{role}@example.org", **who)  # type: ignore[arg-type]
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.post(f"/signin/{token}").status_code == 303
    client.cookies.set(language.COOKIE, lang)
    return client


def _reviewer(portal: Portal, lang: str = "ko") -> TestClient:
    return _client(portal, "reviewer", lang, reviewer="ee-review-team", name="Aino Example",
                   organisation="Estonian review team")  # fmt: skip


def _csrf(client: TestClient, path: str, action: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(rf'action="{re.escape(action)}"[^>]*>\s*<input type="hidden" '
                      r'name="csrf" value="([^"]+)"', page.text)  # fmt: skip
    assert found, page.text
    return found[1]


def _any_csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found
    return found[1]


def _text(answer: Response) -> str:
    return html.unescape(answer.text)


# --- the screen reader's words of a change, and the "or" of a list ------------------------------


def test_the_deleted_and_inserted_words_for_a_screen_reader_follow_the_page(
    portal: Portal,
) -> None:
    korean = _reviewer(portal).get("/review").text
    assert 'del::before { content: " [삭제됨: "; }' in korean
    assert 'ins::before { content: " [삽입됨: "; }' in korean
    assert "[deleted:" not in korean and "[inserted:" not in korean
    english = _reviewer(portal, "en").get("/review").text
    assert 'del::before { content: " [deleted: "; }' in english


def test_a_css_word_cannot_end_its_string_or_the_style() -> None:
    from wgreport.portal.web import css_string

    assert str(css_string('삭제됨: "x" </style>')) == "삭제됨: \\22 x\\22  \\3c \\2f style\\3e "


def test_the_reminders_states_are_joined_by_the_languages_or(portal: Portal) -> None:
    korean = _text(_client(portal, "secretariat").get("/secretariat/validation"))
    assert "(요청됨 또는 확인 이후 변경됨)" in korean and " or " not in korean
    english = _text(_client(portal, "secretariat", "en").get("/secretariat/validation"))
    assert "(requested or changed since confirmed)" in english


# --- a comment's kinds and statuses ---------------------------------------------------------------


def test_a_comments_kinds_are_offered_in_korean_with_their_values_unchanged(
    portal: Portal,
) -> None:
    page = _reviewer(portal).get("/review").text
    assert '<option value="editorial">편집</option>' in page
    assert '<option value="factual">사실 관계</option>' in page
    assert ">editorial<" not in page


def test_the_comments_statuses_are_shown_in_korean(portal: Portal) -> None:
    reviewer = _reviewer(portal)
    form = {"draft": "1", "section": "KR", "comment": "The count looks wrong.",
            "kind": "factual", "csrf": _csrf(reviewer, "/review", "/review/comment")}  # fmt: skip
    assert reviewer.post("/review/comment", data=form).status_code == 303
    mine = _text(reviewer.get("/review"))
    assert "<strong>미결</strong>" in mine and "<dd>사실 관계</dd>" in mine
    desk = _text(_client(portal, "secretariat").get("/secretariat/comments"))
    assert "1 미결, 0 승인됨, 0 거부됨, 0 보류됨" in desk
    assert '<option value="deferred">보류됨</option>' in desk
    assert ">open</a>" not in desk and "<strong>open</strong>" not in desk


# --- refusals of the forms ---------------------------------------------------------------------


def test_a_refused_comment_says_why_in_korean_at_each_field(portal: Portal) -> None:
    reviewer = _reviewer(portal)
    form = {"draft": "1", "section": "KR", "page": "abc", "comment": "", "kind": "urgent",
            "csrf": _csrf(reviewer, "/review", "/review/comment")}  # fmt: skip
    answer = reviewer.post("/review/comment", data=form)
    assert answer.status_code == 400
    text = _text(answer)
    assert "쪽은 12와 같은 정수로 쓰거나(“abc”이(가) 아님) 칸을 비워 두십시오." in text
    assert "의견을(를) 쓰십시오. 칸이 비어 있습니다." in text
    assert "종류를 선택하십시오: 편집, 내용 또는 사실 관계." in text
    assert '<a href="#comment">의견</a>' in text
    assert "Write the" not in text and "Choose the kind" not in text


def test_a_refused_invitation_says_why_in_korean(portal: Portal) -> None:
    desk = _client(portal, "secretariat")
    form = {"role": "member", "email": "not-an-address", "member": "XX",
            "csrf": _csrf(desk, "/secretariat/people", "/secretariat/people/invite")}  # fmt: skip
    answer = desk.post("/secretariat/people/invite", data=form)
    assert answer.status_code == 400
    text = _text(answer)
    assert "'not-an-address'은(는) 전자우편 주소가 아닙니다." in text
    assert "'XX'은(는) 작업반의 회원국 코드가 아닙니다" in text
    assert "is not an e-mail address" not in text
    reviewer = {"role": "reviewer", "email": "r@ministry.example", "reviewer": "Bad Id",
                "csrf": _csrf(desk, "/secretariat/people", "/secretariat/people/invite")}  # fmt: skip
    text = _text(desk.post("/secretariat/people/invite", data=reviewer))
    assert "'Bad Id'은(는) 검토자 ID가 아닙니다." in text
    assert "검토자의 이름을 쓰십시오." in text and "검토자의 소속 기관을 쓰십시오." in text


def test_a_refused_revocation_says_why_in_korean(portal: Portal) -> None:
    desk = _client(portal, "secretariat")
    form = {
        "id": "nosuch",
        "csrf": _csrf(desk, "/secretariat/people", "/secretariat/people/revoke"),
    }
    answer = desk.post("/secretariat/people/revoke", data=form)
    assert answer.status_code == 404
    assert "nosuch은(는) 열려 있는 초대나 세션이 아닙니다" in _text(answer)


def test_a_build_refused_while_one_runs_says_so_in_korean(
    portal: Portal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wgreport.portal.builds import Builds

    release = tmp_path / "release"
    script = (
        f"import pathlib, time\nwhile not pathlib.Path({str(release)!r}).exists(): time.sleep(0.05)"
    )
    monkeypatch.setattr(Builds, "command", lambda self: [sys.executable, "-c", script])
    desk = _client(portal, "secretariat")
    first = desk.post("/secretariat/build",
                      data={"csrf": _csrf(desk, "/secretariat", "/secretariat/build")})  # fmt: skip
    assert first.status_code == 303
    try:
        second = desk.post("/secretariat/build",
                           data={"csrf": _csrf(desk, "/secretariat", "/secretariat/build")})  # fmt: skip
        assert second.status_code == 409
        assert "빌드 1이(가) 아직 실행 중입니다. 끝날 때까지 기다리십시오." in _text(second)
        refusals = [x["reason"] for x in portal.store.audit_lines() if x["action"] == "refused"]
        assert refusals == ["a build is running"]  # the audit stays English
    finally:
        release.write_text("go", encoding="utf-8")
        portal.builds.wait(1, timeout=60)


def test_a_missing_final_is_refused_in_korean(portal: Portal) -> None:
    answer = _client(portal, "secretariat").get("/secretariat/final/report.pdf")
    assert answer.status_code == 404
    assert "아직 최종본이 없습니다." in _text(answer)


# --- the edition's stage and next steps ---------------------------------------------------------


def _section(page: str, ident: str) -> str:
    found = re.search(rf'<section id="{ident}".*?</section>', page, re.S)
    assert found, page[:300]
    return found[0]


def test_the_editions_stage_dates_and_steps_are_in_korean(portal: Portal) -> None:
    page = _client(portal, "secretariat").get("/secretariat").text
    edition = html.unescape(_section(page, "edition"))
    assert '<span id="stage">검토</span>' in edition
    assert "검토 중: 초안 001이(가) 최신." in edition
    assert "<dt>마감일</dt>" in edition and "<dt>자료 기준일</dt>" in edition
    assert "호 설정: inputs/2024/edition.yaml이(가) 유효함" in edition
    assert "초안 작성: 초안 001이(가) 작성됨" in edition
    assert "사전 점검: wgreport check --final --year 2024 실행" in edition
    assert ">사전 점검 목록 보기</a>" in edition
    assert 'lang="en"' not in edition  # every sentence of the demo's edition is of a known form
    english = _client(portal, "secretariat", "en").get("/secretariat").text
    assert "In review: draft 001 is the newest." in html.unescape(_section(english, "edition"))


def _troubled(portal: Portal) -> None:
    """The demo with a member that sent nothing, one not valid, an open comment, a review
    file with an error, and a country-validation round waiting for answers."""
    edition = portal.inputs_dir / "2024"
    (edition / "contributions" / "KR.yaml").unlink()
    dk = edition / "contributions" / "DK.yaml"
    dk.write_text(dk.read_text(encoding="utf-8").replace("submitted: 2025-02-11",
                  "submitted: someday"), encoding="utf-8")  # fmt: skip
    (edition / "reviews").mkdir(exist_ok=True)
    (edition / "reviews" / "nz-reader.yaml").write_text(
        "schema: wgreport/review/v1\nyear: 2024\nreviewer:\n  id: nz-reader\n  name: J S\n"
        "  organisation: An office\ncomments:\n  - id: 1\n    draft: 1\n    section: summary\n"
        "    comment: The count looks wrong.\n    kind: factual\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("drafts", [True, False])
@pytest.mark.parametrize("round_open", [True, False])
def test_every_sentence_of_an_editions_stage_has_its_korean(
    portal: Portal, drafts: bool, round_open: bool
) -> None:
    import datetime as dt

    from wgreport import i18n
    from wgreport.portal.stagewords import shown
    from wgreport.review.cycle import stage

    _troubled(portal)
    if not drafts:
        shutil.rmtree(portal.outputs_dir / "2024")
    if not round_open:  # no country-validation round; a review file with an error
        (portal.inputs_dir / "2024" / "country-validation.yaml").unlink()
        (portal.inputs_dir / "2024" / "reviews" / "xx-broken.yaml").write_text(
            "schema: wgreport/review/v1\nyear: 2024\n", encoding="utf-8"
        )
    sentences = []
    for today in (dt.date(2024, 12, 1), dt.date(2025, 6, 1)):  # before and after the deadline
        found = stage(portal.inputs_dir, portal.outputs_dir, 2024, today)
        sentences += [found.reason, *(s.text for s in found.checklist)]
    assert any("not submitted: KR" in s for s in sentences)
    if not round_open:
        assert any(s.startswith("review files with errors") for s in sentences)
        assert any(s.startswith("country validation: open a round") for s in sentences)
        assert any(s.startswith(("open for", "the deadline", "in review")) for s in sentences)
    with i18n.language("ko"):
        for sentence in sentences:
            words = shown(sentence)
            assert not words.english and HANGUL.search(words.text), sentence
            assert "not submitted" not in words.text and "not valid" not in words.text
    with i18n.language("en"):
        assert [shown(s).text for s in sentences] == sentences  # the English as it was


def test_a_sentence_of_no_known_form_stays_english_and_says_so() -> None:
    from wgreport import i18n
    from wgreport.portal.stagewords import shown

    with i18n.language("ko"):
        words = shown("fix: something new")
        assert words.text == "fix: something new" and words.english


# --- the final's preflight --------------------------------------------------------------------


def test_the_preflights_headings_and_checks_are_in_korean_its_problems_marked_english(
    portal: Portal,
) -> None:
    (portal.inputs_dir / "2024" / "foreword.md").write_text("TODO: the foreword.\n", "utf-8")
    desk = _client(portal, "secretariat")
    page = html.unescape(desk.get("/secretariat/final").text)
    group = re.search(
        r'<section class="card check" id="check-placeholders".*?</section>', page, re.S
    )
    assert group, page
    assert "<h3>자리표시 문구 (1)</h3>" in group[0]
    assert re.search(r'<span class="where">[^<]*foreword\.md, 1행</span>', group[0])
    assert '<span class="text" lang="en">' in group[0]  # the library's words, said to be English
    assert '<span class="text fix" lang="en">' in group[0]
    assert "자리표시 문구 <code>--allow-placeholders</code>" in page  # the override's label
    token = _csrf(desk, "/secretariat/final", "/secretariat/final/start")
    refused = desk.post("/secretariat/final/start", data={"csrf": token})
    assert refused.status_code == 409
    assert "최종본을 시작하지 않았습니다. 아래 문제 1건이" in _text(refused)
    english = html.unescape(_client(portal, "secretariat", "en").get("/secretariat/final").text)
    assert "<h3>Placeholder text (1)</h3>" in english and 'class="text" lang="en"' not in english


def test_every_preflight_check_and_stage_has_words_in_the_catalogue() -> None:
    from wgreport.build.preflight import CHECKS
    from wgreport.portal.finalpages import CHECK_TITLES
    from wgreport.portal.stagewords import STAGE_NAMES
    from wgreport.review.cycle import STAGES

    assert {c.title for c in CHECKS} <= set(CHECK_TITLES)
    assert set(STAGES) == set(STAGE_NAMES)


# --- a preview's failure ---------------------------------------------------------------------


def _preview_state(portal: Portal, state: dict[str, object]) -> None:
    import json

    from wgreport.portal.preview import previews

    folder = previews(portal).folder("KR")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "state.json").write_text(json.dumps(state), encoding="utf-8")


def _preview_words(client: TestClient) -> str:
    found = re.search(r'<p id="preview-state" data-state="failed"[^>]*>(.*?)</p>',
                      client.get("/member").text, re.S)  # fmt: skip
    assert found
    return html.unescape(re.sub(r"<[^>]+>", "", found[1]))


def test_a_previews_failure_is_said_in_the_readers_language_when_shown(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wgreport.portal.preview import TOO_LONG, failed

    monkeypatch.setenv("WGREPORT_PREVIEWS_AT_ONCE", "1")
    _preview_state(portal, {**failed(TOO_LONG, seconds="120"), "revision": 3})
    korean = _client(portal, "member", member="KR")
    words = _preview_words(korean)
    assert "미리 보기를 만드는 데 120초가 넘게 걸려 중지했습니다." in words, words
    missing = korean.get("/member/preview/chapter.pdf")
    assert missing.status_code == 404
    assert "미리 보기를 만들지 못했습니다: 미리 보기를 만드는 데 120초" in _text(missing)
    english = _client(portal, "member", "en", member="KR")
    assert "Making the preview took longer than 120 seconds, so it was stopped." in (
        _preview_words(english)
    )


def test_a_previews_failure_kept_by_an_earlier_portal_is_shown_as_it_was_kept(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WGREPORT_PREVIEWS_AT_ONCE", "1")
    old = "Making the preview took longer than 120 seconds, so it was stopped."
    _preview_state(portal, {"state": "failed", "reason": old, "revision": 2})
    assert old in _preview_words(_client(portal, "member", member="KR"))


# --- an upload's outcome kept in the database ---------------------------------------------------


def test_an_uploads_kept_outcome_is_said_in_the_readers_language_when_shown(
    portal: Portal,
) -> None:
    korean = _client(portal, "member", member="KR")
    who = portal.store.invitations()[-1]
    number, _path = portal.store.add_revision(2024, "KR", b"contact: {}\n", ".yaml", who)
    record = portal.store.revision(2024, "KR", number)
    assert record is not None
    portal.store.settle(record, "stopped")  # kept in English, as every portal kept it
    kept = portal.store.revision(2024, "KR", number)
    assert kept is not None and kept["message"].startswith("The portal stopped while checking")
    page = _text(korean.get("/member"))
    verdict = re.search(r'<p class="bad" id="verdict">(.*?)</p>', page, re.S)
    assert verdict and verdict[1] == (
        "이 업로드를 검사하는 동안 포털이 멈췄습니다. 아무것도 바뀌지 않았습니다. 다시 업로드하십시오."
    )
    english = _text(_client(portal, "member", "en", member="KR").get("/member"))
    assert "The portal stopped while checking this upload; nothing was changed." in english


@pytest.mark.parametrize(
    "kept",
    [
        "Valid, but revision 4, sent after it, was accepted first and is your contribution.",
        "Checking this file took longer than 20 seconds, so it was stopped. A contribution is "
        "checked in about a second: send the template's file with your content (no extra "
        "sheets, rows or large cells).",
        "Checking this file needed more than 512 MiB of memory, so it was stopped. Send the "
        "template's file with your content only.",
        "The YAML made from this workbook is 3000 KiB, more than the 2048 KiB an uploaded file "
        "may be. Shorten the longest texts.",
        "Accepted (the portal failed just after writing it).",
        "The portal failed before this upload was written; your contribution is unchanged. "
        "Upload it again.",
    ],
)
def test_each_kept_outcome_of_an_upload_has_its_korean(kept: str) -> None:
    from wgreport import i18n
    from wgreport.portal.uploadwords import upload_message

    with i18n.language("ko"):
        words = upload_message(kept)
    assert not words.english and HANGUL.search(words.text)
    with i18n.language("en"):
        assert upload_message(kept).text == kept
    assert not upload_message("Something new.").english  # English page: nothing to mark


# --- the e-mails in the recipient's language ------------------------------------------------------


@pytest.fixture
def mail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Portal:
    """The demo inputs with draft 001 (a manifest) and 002 (chapters of KR and GB), no SMTP
    server: the messages land in the outbox."""
    from tests.support.draftpdf import chapter_draft
    from tests.support.editions import fake_draft

    for name in ("WGREPORT_SMTP_HOST", "WGREPORT_PORTAL_URL", "WGREPORT_MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    inputs = copy_inputs(tmp_path)
    outputs = tmp_path / "outputs"
    fake_draft(outputs, 1)
    chapter_draft(outputs, 2)
    return Portal(inputs, outputs, 2024, Store(tmp_path / "portal"), base_url="http://testserver")


def _outbox(portal: Portal) -> list[EmailMessage]:
    from email import message_from_bytes, policy

    from wgreport.layout import Outputs

    folder = Outputs(portal.outputs_dir).outbox
    files = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]


def _body(message: EmailMessage) -> str:
    text = cast(str, cast(EmailMessage, message.get_body(("plain",))).get_content())
    return " ".join(text.split())


def _upload(client: TestClient, body: bytes) -> None:
    page = client.get("/member").text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    sent = client.post("/member/upload", data={"csrf": csrf},
                       files={"contribution": ("KR.yaml", body)})  # fmt: skip
    assert sent.status_code == 303


def test_an_upload_receipt_is_in_the_language_of_the_page_it_was_sent_from(mail: Portal) -> None:
    from tests.conftest import DEMO_INPUTS

    kr = (DEMO_INPUTS / "2024" / "contributions" / "KR.yaml").read_bytes()
    _upload(_client(mail, "member", member="KR"), kr)
    (korean,) = _outbox(mail)
    assert str(korean["Subject"]) == "[wgreport 2024] 기고문이 승인되었습니다"
    assert str(korean["Content-Language"]) == "ko"
    body = _body(korean)
    assert body.startswith("안녕하십니까, 포털이 파일 KR.yaml을(를) 2024년 호(")
    assert "Republic of Korea (KR)의 기고문으로 승인했습니다" in body
    assert "http://testserver/member" in body and "Dear colleague" not in body
    assert mail.store.language_of("member@example.org") == "ko"  # kept as theirs
    broken = kr.replace(b"theme: active-governance", b"theme: agile-goverance", 1)
    _upload(_client(mail, "member", "en", member="KR"), broken)
    (english,) = [m for m in _outbox(mail) if str(m["Subject"]) != str(korean["Subject"])]
    assert str(english["Subject"]) == "[wgreport 2024] Your upload was refused: 1 problem to fix"
    assert _body(english).startswith("Dear colleague, The portal checked the file KR.yaml")
    assert english["Content-Language"] is None  # the library's English message, as before


def test_validation_requests_follow_the_language_each_address_reads_the_portal_in(
    mail: Portal,
) -> None:
    # KR's address in working-group.yaml signs in and reads the portal in Korean; GB's
    # address never signed in, and nobody of GB did: English
    _client(mail, "member", member="KR")
    mail.store.invite("member", "kr-contact@example.org", member="KR")
    kr_contact = mail.store.invitations()[-1]
    mail.store.remember_language(kr_contact, "ko")
    desk = _client(mail, "secretariat", "en")
    token = _csrf(desk, "/secretariat/validation", "/secretariat/validation/open")
    opened = desk.post("/secretariat/validation/open",
                       data={"csrf": token, "draft": "002", "due": ""})  # fmt: skip
    assert opened.status_code in (200, 303), opened.text[:300]
    sent = {str(m["To"]): m for m in _outbox(mail)}
    korean = sent["kr-contact@example.org"]
    assert str(korean["Subject"]) == "[wgreport 2024] 초안 002의 귀국 장을 확인해 주십시오"
    assert "포털에서 확인하거나 수정 사항을 보내 주십시오" in _body(korean)
    gb = next(m for to, m in sent.items() if "gb" in to.lower() or "uk" in to.lower())
    assert str(gb["Subject"]) == "[wgreport 2024] Please check your chapter in draft 002"


def test_the_language_kept_is_the_switchs_and_a_members_people_speak_for_its_address(
    portal: Portal,
) -> None:
    client = _client(portal, "member", "en", member="KR")
    assert portal.store.language_of("MEMBER@example.org") is None  # never signed in with a choice
    client.get("/language", params={"lang": "ko", "next": "/member"})
    assert portal.store.language_of("member@example.org") == "ko"
    assert portal.store.language_of("someone-else@example.org", "KR") == "ko"
    assert portal.store.language_of("someone-else@example.org", "GB") is None


def test_every_e_mail_in_korean_keeps_the_englishs_values(portal: Portal) -> None:
    import datetime as dt

    from wgreport.inputs.validation import load_working_group
    from wgreport.layout import Inputs
    from wgreport.portal import mailtexts
    from wgreport.review import messages

    wg, _issues = load_working_group(Inputs(portal.inputs_dir).working_group)
    assert wg is not None
    kr = wg.member("KR")
    assert kr is not None
    head = messages.Letterhead(2024, "A title", wg.name, dt.date(2025, 2, 28),
                               "https://portal.example.org", "sec@example.org")  # fmt: skip
    due = dt.date(2025, 3, 14)
    made = [
        mailtexts.upload_receipt(head, kr, "a@example.org", "ko", accepted=False, problems=2),
        mailtexts.validation_request(head, kr, "a@example.org", 2, due, "ko"),
        mailtexts.validation_reminder(head, kr, "a@example.org", 2, None, "ko", changed=True),
    ]
    for message in made:
        body = _body(message)
        assert "https://portal.example.org/member" in body and "Republic of Korea (KR)" in body
        assert HANGUL.search(str(message["Subject"])) and not re.search(r"\b(the|your)\b", body)
    assert "2025년 2월 28일" in _body(made[0]) and "문제 2건" in _body(made[0])
    assert "2025년 3월 14일까지 답해 주십시오." in _body(made[1])
    english = mailtexts.validation_request(head, kr, "a@example.org", 2, due, "en")
    same = messages.validation_request(head, kr, "a@example.org", 2, due)
    assert _body(english) == _body(same)


def test_signing_in_from_a_korean_browser_keeps_korean_as_the_persons_language(
    portal: Portal,
) -> None:
    _, token = portal.store.invite("member", "kr-deputy@example.org", member="KR")
    client = TestClient(make_app(portal), follow_redirects=False)
    signed = client.post(f"/signin/{token}", headers={"accept-language": "ko-KR,ko;q=0.9"})
    assert signed.status_code == 303
    assert portal.store.language_of("kr-deputy@example.org") == "ko"


def test_a_database_of_the_earlier_schema_gets_the_languages_table(tmp_path: Path) -> None:
    import sqlite3

    from wgreport.portal.database import DB_NAME
    from wgreport.portal.schema import MIGRATIONS

    folder = tmp_path / "portal"
    folder.mkdir(mode=0o700)
    with contextlib.closing(sqlite3.connect(folder / DB_NAME)) as conn:
        conn.executescript(MIGRATIONS[0][1] + "PRAGMA user_version = 1;")
    store = Store(folder)
    invitation, _token = store.invite("member", "kr-deputy@example.org", member="KR")
    assert store.language_of("kr-deputy@example.org") is None
    store.remember_language(invitation, "ko")
    assert store.language_of("kr-deputy@example.org") == "ko"


# --- refused answers and replies to comments -------------------------------------------------------


def test_a_refused_answer_and_reply_say_why_in_korean(portal: Portal) -> None:
    reviewer = _reviewer(portal)
    form = {"draft": "1", "section": "KR", "comment": "The count looks wrong.",
            "kind": "factual", "csrf": _csrf(reviewer, "/review", "/review/comment")}  # fmt: skip
    assert reviewer.post("/review/comment", data=form).status_code == 303
    desk = _client(portal, "secretariat")
    token = _any_csrf(desk, "/secretariat/comments")
    answer = desk.post("/secretariat/comments/answer", data={
        "csrf": token, "ref": "ee-review-team#1", "status": "rejected", "response": ""})  # fmt: skip
    assert answer.status_code == 400
    assert "답변을 쓰십시오. '거부됨'(으)로 표시한 의견에는" in _text(answer)
    token = _any_csrf(desk, "/secretariat/comments")
    reply = desk.post("/secretariat/comments/reply",
                      data={"csrf": token, "ref": "ee-review-team#1", "reply": " "})  # fmt: skip
    assert reply.status_code == 400 and "답글을 쓰십시오. 칸이 비어 있습니다." in _text(reply)
    token = _any_csrf(desk, "/secretariat/comments")
    fine = desk.post("/secretariat/comments/reply",
                     data={"csrf": token, "ref": "ee-review-team#1", "reply": "Which table?"})  # fmt: skip
    assert fine.status_code == 303
    token = _any_csrf(reviewer, "/review")
    own = reviewer.post("/review/reply", data={"csrf": token, "comment": "1", "reply": ""})
    assert own.status_code == 400 and "답글을 쓰십시오. 칸이 비어 있습니다." in _text(own)


def test_each_refusal_of_an_answer_has_its_korean() -> None:
    from wgreport import i18n
    from wgreport.portal.commentwords import comment_problem

    said = [
        "The response is 20,001 characters long; at most 20,000 are kept. Shorten it, or "
        "refer to a longer document.",
        "'closed' is not a status: choose one of open, accepted, rejected, deferred.",
        "The reply is 20,001 characters long; at most 20,000 are kept. Shorten it, or split it "
        "into several replies.",
        "The thread of ee-review-team#3 has 200 replies, the most a comment keeps: start a new "
        "comment.",
        "There is no comment 9 in the file of reviewer 'ee-review-team' "
        "(inputs/2024/reviews/ee-review-team.yaml).",
    ]
    with i18n.language("ko"):
        for text in said:
            assert HANGUL.search(comment_problem(text)), text
    with i18n.language("en"):
        assert [comment_problem(t) for t in said] == said


# --- the country-validation forms --------------------------------------------------------------


def test_a_refused_round_and_its_deliveries_are_said_in_korean(mail: Portal) -> None:
    desk = _client(mail, "secretariat")
    token = _any_csrf(desk, "/secretariat/validation")
    refused = desk.post("/secretariat/validation/open",
                        data={"csrf": token, "draft": "two", "due": "soon"})  # fmt: skip
    assert refused.status_code == 400
    text = _text(refused)
    assert "'two'은(는) 초안 번호가 아닙니다." in text and "'soon'은(는) 날짜가 아닙니다." in text
    token = _any_csrf(desk, "/secretariat/validation")
    opened = desk.post("/secretariat/validation/open",
                       data={"csrf": token, "draft": "002", "due": ""})  # fmt: skip
    page = (
        _text(opened) if opened.status_code == 200 else _text(desk.get("/secretariat/validation"))
    )
    assert "보낼 편지함에 씀(" in page and "no SMTP server is set" not in page


def test_a_members_chapter_pages_are_named_in_korean_on_the_validation_page(
    mail: Portal,
) -> None:
    desk = _client(mail, "secretariat", "en")
    token = _any_csrf(desk, "/secretariat/validation")
    desk.post("/secretariat/validation/open", data={"csrf": token, "draft": "002", "due": ""})
    member = _client(mail, "member", member="KR")
    page = _text(member.get("/member/validation"))
    assert re.search(r"\d+~\d+쪽|\d+쪽", page) and not re.search(r"\bpages? \d", page)
    missing = member.get("/member/validation/page/999.png")
    assert missing.status_code == 404
    assert re.search(
        r"그 쪽의 이미지가 없습니다\. 귀국 장은 초안 002의 [\d~]+쪽입니다\.", _text(missing)
    )


def test_a_too_large_image_is_refused_in_korean() -> None:
    from wgreport import i18n
    from wgreport.inputs.checks.common import MAX_IMAGE_BYTES
    from wgreport.portal.memberpages import check_image

    with i18n.language("ko"):
        words = check_image("KR", "flow.png", b"\0" * (MAX_IMAGE_BYTES + 1))
    assert words is not None and words.startswith("이미지가 ") and "KiB 이상입니다" in words
