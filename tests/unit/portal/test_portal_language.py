"""The portal in the member's language (issue 42): English and Korean from the report's
catalogues, chosen per request: the language switch (kept in a cookie) first, then the
browser's Accept-Language with its q-values, then English; `<html lang>` follows."""

from __future__ import annotations

import html
import re
import warnings
from pathlib import Path
from typing import Unpack

import pytest

with warnings.catch_warnings():
    # Starlette asks for httpx2 for its test client; httpx (in the lock) still works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import Who, edition_tree
from tests.support import catalogues
from wgreport.portal import language
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store

KOREAN = "ko-KR,ko;q=0.9,en;q=0.8"


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    inputs = edition_tree(tmp_path)
    return Portal(
        inputs, tmp_path / "outputs", 2024, Store(tmp_path / "portal"),
        base_url="http://testserver",
    )  # fmt: skip


def _client(portal: Portal, role: str = "member", **who: Unpack[Who]) -> TestClient:
    _, token = portal.store.invite(role, f"{role}@example.org", **who)
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.get(f"/signin/{token}").status_code == 200
    assert client.post(f"/signin/{token}").status_code == 303
    return client


def _lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', page)
    assert found, page[:200]
    return found[1]


def _h1(page: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert found
    return html.unescape(re.sub(r"<[^>]+>", "", found[1]))


# --- Accept-Language ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ko-KR,ko;q=0.9,en;q=0.8", "ko"),
        ("ko", "ko"),
        ("en", "en"),
        (None, "en"),
        ("", "en"),
        ("en-US,en;q=0.9,ko;q=0.8", "en"),
        ("en;q=0.5,ko;q=0.8", "ko"),  # the q-values rank, not the order
        ("ko;q=0,en;q=0.3", "en"),  # q=0: not wanted
        ("fr-FR,fr;q=0.9,de;q=0.8", "en"),  # no shipped language asked for
        ("fr-FR,fr;q=0.9,ko;q=0.5", "ko"),
        ("*", "en"),
        ("ko;q=banana,en", "en"),  # a malformed q-value does not count
        ("ko;q=1.5", "en"),
    ],
)
def test_the_browsers_language_is_negotiated_with_its_q_values(
    header: str | None, expected: str
) -> None:
    assert language.choose(None, header) == expected


def test_the_switchs_cookie_wins_and_an_unknown_one_is_ignored() -> None:
    assert language.choose("en", KOREAN) == "en"
    assert language.choose("ko", "en") == "ko"
    assert language.choose("xx", KOREAN) == "ko"
    assert language.choose("xx", None) == "en"


def test_a_korean_browser_gets_the_sign_in_page_in_korean_and_others_in_english(
    portal: Portal,
) -> None:
    _, token = portal.store.invite("member", "kr@example.org", member="KR")
    client = TestClient(make_app(portal), follow_redirects=False)
    korean = client.get(f"/signin/{token}", headers={"accept-language": KOREAN})
    assert korean.status_code == 200
    assert _lang(korean.text) == "ko" and korean.headers["content-language"] == "ko"
    assert _h1(korean.text) == "로그인"
    assert ">로그인</button>" in korean.text
    assert "이 링크는 KR 회원국(kr@example.org)에 대한 초대입니다." in html.unescape(korean.text)
    for header in ({"accept-language": "en"}, {}, {"accept-language": "fr-CA,fr;q=0.9"}):
        english = client.get(f"/signin/{token}", headers=header)
        assert _lang(english.text) == "en" and _h1(english.text) == "Sign in"
        assert "This link is your invitation as member of KR" in english.text


def test_the_switch_overrides_the_browser_and_is_remembered(portal: Portal) -> None:
    client = _client(portal, "member", member="KR")
    assert _lang(client.get("/member", headers={"accept-language": "en"}).text) == "en"
    switched = client.get("/language", params={"lang": "ko", "next": "/member"})
    assert switched.status_code == 303
    assert switched.headers["location"] == "http://testserver/member"
    cookie = switched.headers["set-cookie"]
    assert cookie.startswith("wgreport_lang=ko;") and "HttpOnly" in cookie
    # the browser still says English; the choice wins, on this page and the next ones
    for path in ("/member", "/member/validation", "/guide/members"):
        answer = client.get(path, headers={"accept-language": "en"})
        assert answer.status_code == 200 and _lang(answer.text) == "ko", path
    back = client.get("/language", params={"lang": "en", "next": "/member"})
    assert back.headers["set-cookie"].startswith("wgreport_lang=en;")
    assert _lang(client.get("/member", headers={"accept-language": KOREAN}).text) == "en"


def test_every_page_has_the_switch_back_to_itself(portal: Portal) -> None:
    client = _client(portal, "member", member="KR")
    page = client.get("/member", headers={"accept-language": KOREAN}).text
    nav = re.search(r'<nav class="languages"[^>]*>(.*?)</nav>', page, re.S)
    assert nav is not None
    links = re.findall(r'<a href="([^"]+)" lang="(\w+)" hreflang="\w+"([^>]*)>([^<]+)</a>', nav[1])
    assert [(html.unescape(h), lang, name) for h, lang, _, name in links] == [
        ("/language?lang=en&next=/member", "en", "English"),
        ("/language?lang=ko&next=/member", "ko", "한국어"),
    ]
    assert [bool(current) for _, _, current, _ in links] == [False, True]
    # a page refusing the request has it too (the 404 of an unknown address)
    missing = client.get("/nowhere", headers={"accept-language": KOREAN})
    assert missing.status_code == 404 and _lang(missing.text) == "ko"
    reasons = [x["reason"] for x in portal.store.audit_lines() if x["action"] == "refused"]
    assert reasons == ["404: There is no such page."]  # the audit line stays English
    assert "해당 페이지가 없습니다." in missing.text and "/language?lang=en&amp;next=/nowhere" in (
        missing.text
    )


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "member", "/language?x"],
)
def test_the_switch_goes_back_only_to_a_page_of_the_portal(portal: Portal, target: str) -> None:
    client = TestClient(make_app(portal), follow_redirects=False)
    answer = client.get("/language", params={"lang": "ko", "next": target})
    assert answer.status_code == 303 and answer.headers["location"] == "http://testserver/"


def test_an_unknown_language_is_not_kept(portal: Portal) -> None:
    client = TestClient(make_app(portal), follow_redirects=False)
    answer = client.get("/language", params={"lang": "xx", "next": "/"})
    assert answer.status_code == 303 and "set-cookie" not in answer.headers
    assert answer.headers["cross-origin-opener-policy"] == "same-origin"  # the guard's headers


def test_a_korean_members_page_has_korean_headings_and_buttons(portal: Portal) -> None:
    client = _client(portal, "member", member="KR")
    page = client.get("/member", headers={"accept-language": KOREAN}).text
    text = html.unescape(page)
    assert _h1(page) == "KR: 2024년 호 기고문"
    for heading in ("귀국 파일", "기고문 업로드", "귀국 이미지", "모든 업로드"):
        assert f">{heading}</h2>" in text, heading
    for button in ("업로드 및 검사", "이미지 업로드", "로그아웃"):
        assert f">{button}</button>" in text, button
    assert "마감일:" in text and "디지털 거버넌스 작업반" in text
    # no English sentence of the page's own is left (the validator's words are not shown yet)
    assert "Upload and check" not in text and "Your images" not in text
    assert re.search(r'<input type="hidden" name="csrf" value="[^"]+">', page)  # CSRF as before


def test_a_refused_upload_says_why_in_korean(portal: Portal) -> None:
    client = _client(portal, "member", member="KR")
    client.get("/language", params={"lang": "ko", "next": "/member"})
    page = client.get("/member").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    answer = client.post(
        "/member/upload",
        data={"csrf": csrf[1]},
        files={"contribution": ("KR.txt", b"hello", "text/plain")},
    )
    assert answer.status_code == 400 and _lang(answer.text) == "ko"
    assert ".yaml 파일 또는 서식의 .xlsx 통합 문서를 업로드하십시오." in answer.text


def test_a_sign_in_refusal_is_in_korean_and_audited_in_english(portal: Portal) -> None:
    client = TestClient(make_app(portal), follow_redirects=False)
    answer = client.get("/member", headers={"accept-language": KOREAN})
    assert answer.status_code == 403 and "초대 링크로 로그인하십시오." in answer.text
    refusals = [x for x in portal.store.audit_lines() if x["action"] == "refused"]
    assert [x["reason"] for x in refusals] == ["Sign in with the link of your invitation."]


def test_a_reviewers_page_is_in_korean(portal: Portal) -> None:
    client = _client(portal, "reviewer", reviewer="rev-a")
    page = client.get("/review", headers={"accept-language": KOREAN}).text
    assert _h1(page) == "2024년 호 초안" and _lang(page) == "ko"
    assert ">의견 추가</button>" in page and "아직 작성된 초안이 없습니다." in page


def test_the_english_pages_are_unchanged_in_english(portal: Portal) -> None:
    client = _client(portal, "member", member="KR")
    page = client.get("/member").text
    assert _lang(page) == "en" and _h1(page) == "KR: your contribution to the 2024 edition"
    assert ">Upload and check</button>" in page and 'lang="en"><' not in page


def test_the_catalogues_are_complete_with_the_portals_messages() -> None:
    fresh = catalogues.keys(catalogues.extract())
    assert ("Upload and check", None) in fresh  # the portal's templates are extracted
    assert ("This sign-in link is not valid, or it has expired.", None) in fresh  # its Python
    assert catalogues.problems() == []


@pytest.mark.parametrize(
    ("path", "korean"),
    [
        ("/secretariat", ["새 초안 작성", "제출 현황(마감일", "다음 단계", "사무국 페이지"]),
        ("/secretariat/people", ["로그인할 수 있는 사용자", ">초대</button>", "회원국 코드"]),
        ("/secretariat/comments", ["2024년 호 검토 의견", "아직 검토 의견이 없습니다."]),
        ("/secretariat/final", ["2024년 호 최종본", "사전 점검 목록", ">최종본 시작</button>"]),
        ("/secretariat/validation", ["2024년 호 국가 확인", "확인 절차 열기"]),
    ],
)
def test_the_secretariats_pages_are_in_korean(portal: Portal, path: str, korean: list[str]) -> None:
    client = _client(portal, "secretariat")
    page = client.get(path, headers={"accept-language": KOREAN})
    assert page.status_code == 200 and _lang(page.text) == "ko"
    text = html.unescape(page.text)
    for words in korean:
        assert words in text, words
    english = client.get(path).text
    assert _lang(english) == "en" and not re.search(
        r"[\uac00-\ud7a3]", english.replace("한국어", "")
    )
