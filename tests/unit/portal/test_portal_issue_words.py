"""A member's validation issues in the reader's language on the portal (issue 42): on a
Korean page each issue shows its place, its severity in Korean, its code and the code's
meaning from the catalogue, with the validator's exact English message and hint beside it,
marked `lang="en"`; the English page is as it was."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Unpack

import pytest
from markupsafe import escape

with warnings.catch_warnings():
    # Starlette asks for httpx2 for its test client; httpx (in the lock) still works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import DEMO_INPUTS, Who, copy_inputs
from wgreport import i18n
from wgreport.inputs.codes import ISSUE_CODES
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store

KOREAN = {"accept-language": "ko-KR,ko;q=0.9,en;q=0.8"}


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    inputs = copy_inputs(tmp_path)
    return Portal(
        inputs, tmp_path / "outputs", 2024, Store(tmp_path / "portal"),
        base_url="http://testserver",
    )  # fmt: skip


def _client(portal: Portal, **who: Unpack[Who]) -> TestClient:
    _, token = portal.store.invite("member", "member@example.org", **who)
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.get(f"/signin/{token}").status_code == 200
    assert client.post(f"/signin/{token}").status_code == 303
    return client


def _broken_upload(portal: Portal) -> TestClient:
    """KR's demo file with a misspelt key (a warning or error of its own) and an image that
    is not in the member's folder (image-not-found), uploaded and checked."""
    client = _client(portal, member="KR")
    text = (DEMO_INPUTS / "2024" / "contributions" / "KR.yaml").read_text(encoding="utf-8")
    body = text.replace("KR/benefits-flow.svg", "KR/portal-map.png", 1)
    assert "KR/portal-map.png" in body
    page = client.get("/member").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    client.post(
        "/member/upload",
        data={"csrf": csrf[1]},
        files={"contribution": ("KR.yaml", body.encode("utf-8"))},
    )
    assert portal.store.revisions(2024, "KR")[-1]["status"] == "not valid"
    return client


def _rows(page: str) -> list[str]:
    table = re.search(r'<table id="problems">(.*?)</table>', page, re.S)
    assert table, "no table of problems"
    return re.findall(r"<tr class=\"(?:error|warning)\">(.*?)</tr>", table[1], re.S)


def _issue(portal: Portal, code: str) -> dict[str, object]:
    found = [i for i in portal.store.revisions(2024, "KR")[-1]["issues"] if i["code"] == code]
    assert found, code
    return dict(found[0])


def test_a_korean_page_shows_the_severity_and_the_codes_meaning_in_korean_and_the_english_beside(
    portal: Portal,
) -> None:
    client = _broken_upload(portal)
    page = client.get("/member", headers=KOREAN).text
    issue = _issue(portal, "image-not-found")
    (row,) = [r for r in _rows(page) if "<code>image-not-found</code>" in r]
    with i18n.language("ko"):
        meaning = i18n.gettext(ISSUE_CODES["image-not-found"])
    assert meaning == "이미지 파일이 없습니다."
    assert "<strong>오류</strong>" in row
    assert f'<span class="meaning">{escape(meaning)}</span>' in row
    # the validator's exact English message and hint, kept beside it, marked English
    assert f'<span lang="en">{escape(str(issue["message"]))}</span>' in row
    assert issue["hint"] and f'<span lang="en">{escape(str(issue["hint"]))}</span>' in row
    # the place with the Korean labels of line and column
    assert f"{issue['line']}행 {issue['column']}열" in row
    # the list of the images it names that are not here: the English message marked too
    missing = re.search(r'<ul id="missing-images"[^>]*>(.*?)</ul>', page, re.S)
    assert missing and f'<span lang="en">{escape(str(issue["message"]))}</span>' in missing[1]


def test_every_issue_of_the_korean_page_has_its_korean_meaning(portal: Portal) -> None:
    client = _broken_upload(portal)
    page = client.get("/member", headers=KOREAN).text
    issues = portal.store.revisions(2024, "KR")[-1]["issues"]
    rows = _rows(page)
    assert len(rows) == len(issues) > 0
    with i18n.language("ko"):
        for issue, row in zip(issues, rows, strict=True):
            meaning = i18n.gettext(ISSUE_CODES[issue["code"]])
            assert f'<span class="meaning">{escape(meaning)}</span>' in row, row
            severity = {"error": "오류", "warning": "경고"}[issue["severity"]]
            assert f"<strong>{severity}</strong>" in row


def test_the_english_page_is_unchanged(portal: Portal) -> None:
    client = _broken_upload(portal)
    page = client.get("/member").text
    issue = _issue(portal, "image-not-found")
    (row,) = [r for r in _rows(page) if "<code>image-not-found</code>" in r]
    assert 'class="meaning"' not in page and 'lang="en"><' not in page
    field = f" in <code>{escape(str(issue['field']))}</code>" if issue["field"] else ""
    expected = (
        f"<td><strong>error</strong> <code>image-not-found</code>{field}: "
        f"{escape(str(issue['message']))}</td>"
    )
    assert expected in row
    assert f"<td>{escape(str(issue['hint']))} " in row
