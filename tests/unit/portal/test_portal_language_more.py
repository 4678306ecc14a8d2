"""What the portal still showed in English on a Korean page (issue 42, part C): the words
of its forms' refusals (invitations, the final, a build, a reviewer's comment), a comment's
kinds and statuses, the screen-reader words of a change (`[deleted: …]`), the "or" of a
list, the edition's stage and steps, the preflight's headings and checks, a preview's
failure and the e-mails. Each in Korean for a Korean reader, the English unchanged."""

from __future__ import annotations

import html
import re
import shutil
import sys
import warnings
from pathlib import Path

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
