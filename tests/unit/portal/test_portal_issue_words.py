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


# --- the most common messages worded in Korean (portal/issuewords) --------------------------


def _common_mistakes(portal: Portal) -> TestClient:
    """KR's demo file with the mistakes a member meets most: a misspelt key, a required
    field left out, a TODO left, a late date and an image that is not there."""
    client = _client(portal, member="KR")
    text = (DEMO_INPUTS / "2024" / "contributions" / "KR.yaml").read_text(encoding="utf-8")
    body = (
        text.replace("  email: daeun.jeong@kr.example\n", "  emial: daeun.jeong@kr.example\n", 1)
        .replace("  organisation: Ministry of the Interior and Safety\n", "  organisation: TODO\n")
        .replace("submitted: 2025-02-14\n", "submitted: 2025-03-05\n", 1)
        .replace("  name: Jeong Da-eun (정다은)\n", "", 1)
        .replace("KR/benefits-flow.svg", "KR/portal-map.png", 1)
        .replace("    status: in-progress\n", "    status: in progress\n", 1)
        .replace("year: 2024\n", "year: 2024\nmember: KR\n", 1)
    )
    assert body.count("emial:") == 1 and "organisation: TODO" in body
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/member").text)
    assert csrf is not None
    client.post(
        "/member/upload",
        data={"csrf": csrf[1]},
        files={"contribution": ("KR.yaml", body.encode("utf-8"))},
    )
    assert portal.store.revisions(2024, "KR")[-1]["status"] == "not valid"
    return client


@pytest.mark.parametrize(
    ("code", "message", "hint"),
    [
        (
            "unknown-key",
            "'emial'은(는) 이 자리에 있는 필드가 아닙니다",
            "'email'을(를) 뜻하셨습니까?",
        ),
        ("missing-field", "여기에 'name'이(가) 필요합니다", "추가하십시오(회원국 안내서 참조)"),
        (
            "not-filled-in",
            "'contact.organisation'에 자리 표시 'TODO'이(가) 아직 남아 있습니다",
            "TODO 텍스트를 실제 값으로 바꾸십시오",
        ),
        (
            "late-submission",
            "제출일 2025-03-05이(가) 마감일 2025-02-28보다 늦습니다",
            "보고서에 이 기고가 늦게 제출된 것으로 표시됩니다",
        ),
        (
            "image-not-found",
            "이미지 'KR/portal-map.png'이(가) 없습니다",
            "파일 이름(대소문자 구분)과 파일이 추가되었는지 확인하십시오",
        ),
        (
            "invalid-choice",
            "'in progress'은(는) 'status'에 허용되는 값이 아닙니다",
            "'in-progress'을(를) 뜻하셨습니까?",
        ),
        (
            "duplicate-key",
            "'member'이(가) 이 매핑에 두 번 나옵니다(처음은 3행)",
            "둘 중 하나만 남기고 다른 하나는 삭제하십시오",
        ),
    ],
    ids=lambda value: value if re.fullmatch(r"[a-z-]+", value) else "",
)
def test_the_common_messages_are_worded_in_korean_with_the_english_beside(
    portal: Portal, code: str, message: str, hint: str
) -> None:
    client = _common_mistakes(portal)
    page = client.get("/member", headers=KOREAN).text
    issue = _issue(portal, code)
    (row,) = [r for r in _rows(page) if f"<code>{code}</code>" in r]
    assert f'<span class="message">{escape(message)}</span>' in row
    assert f'<span class="hint">{escape(hint)}</span>' in row
    assert f'<span lang="en">{escape(str(issue["message"]))}</span>' in row
    assert f'<span lang="en">{escape(str(issue["hint"]))}</span>' in row
    # in English, neither the worded message nor the hint is added
    english = client.get("/member").text
    (row,) = [r for r in _rows(english) if f"<code>{code}</code>" in r]
    assert 'class="message"' not in row and 'class="hint"' not in row


def test_a_message_of_no_known_form_stays_english_with_the_codes_meaning() -> None:
    from wgreport.portal.issuewords import issue_hint, issue_message

    with i18n.language("ko"):
        assert issue_message("missing-field", "'email' is required here") == (
            "여기에 'email'이(가) 필요합니다"
        )
        # the whole message must match a form: a longer or other sentence is not worded
        assert issue_message("missing-field", "'email' is required here, twice") is None
        assert issue_message("wrong-type", "'year' should be a whole number") is None
        assert issue_hint("did you mean 'email'? or not") is None
        assert issue_message("invalid-url", "'www.gov.kr' is not a web address") == (
            "'www.gov.kr'은(는) 웹 주소가 아닙니다"
        )
        # a value holding a % or a quote's neighbour is put in as it is
        assert issue_message("unknown-key", "'100%(x)s' is not a field here") == (
            "'100%(x)s'은(는) 이 자리에 있는 필드가 아닙니다"
        )
    with i18n.language("en"):
        assert issue_message("missing-field", "'email' is required here") is None
        assert issue_hint("did you mean 'email'?") is None


def test_the_validators_own_date_link_and_empty_messages_are_worded_in_korean(
    tmp_path: Path,
) -> None:
    from wgreport.inputs.validate_paths import validate_upload
    from wgreport.portal.issuewords import issue_hint, issue_message

    inputs = copy_inputs(tmp_path)
    text = (inputs / "2024" / "contributions" / "KR.yaml").read_text(encoding="utf-8")
    body = (
        text.replace(
            "  organisation: Ministry of the Interior and Safety\n", "  organisation: ''\n"
        )
        .replace("submitted: 2025-02-14\n", "submitted: 2025-02-30\n", 1)
        .replace("url: https://www.gov.kr", "url: not a web address", 1)
    )
    body = re.sub(r"started: \S+", "started: 2024-13", body, count=1)
    upload = tmp_path / "KR.yaml"
    upload.write_text(body, encoding="utf-8")
    report = validate_upload(upload, inputs, 2024, "KR")
    with i18n.language("ko"):
        worded = {
            i.code + " " + i.field: (issue_message(i.code, i.message), issue_hint(i.hint or ""))
            for f in report.files
            for i in f.issues
        }
    assert worded == {
        "invalid-date submitted": (
            "'2025-02-30'은(는) 실제로 있는 날짜가 아닙니다",
            "실제로 있는 날짜를 YYYY-MM-DD 형식으로 쓰십시오",
        ),
        "empty-value contact.organisation": ("값이 비어 있습니다", None),
        "invalid-date initiatives[0].started": (
            "'2024-13'은(는) YYYY, YYYY-MM 또는 YYYY-MM-DD 형식의 날짜가 아닙니다",
            "예: 2023, 2023-04 또는 2023-04-14",
        ),
        "link-scheme initiatives[0].links[0].url": (
            "링크는 https:, http: 또는 mailto:로 시작해야 합니다('not a web address')",
            "전체 주소를 쓰십시오. 예: https://www.example.org",
        ),
    }


def test_a_workbooks_issue_is_placed_by_its_cell_in_korean(portal: Portal) -> None:
    from wgreport.inputs.validation import load_working_group
    from wgreport.inputs.workbook import write_workbook
    from wgreport.inputs.yamlsource import load_yaml

    wg, _ = load_working_group(portal.inputs_dir / "working-group.yaml")
    data = load_yaml(portal.inputs_dir / "2024" / "contributions" / "KR.yaml").data
    data["contact"]["organisation"] = "TODO"
    client = _client(portal, member="KR")
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/member").text)
    assert csrf is not None
    client.post(
        "/member/upload",
        data={"csrf": csrf[1]},
        files={"contribution": ("KR.xlsx", write_workbook(data, wg))},
    )
    issue = _issue(portal, "not-filled-in")
    assert issue["cell"] and issue["line"] is None
    page = client.get("/member", headers=KOREAN).text
    (row,) = [r for r in _rows(page) if "<code>not-filled-in</code>" in r]
    assert f'셀 <span class="cell">{escape(str(issue["cell"]))}</span>' in row
    with i18n.language("ko"):
        meaning = i18n.gettext(ISSUE_CODES["not-filled-in"])
    assert f'<span class="meaning">{escape(meaning)}</span>' in row
    assert f'<span lang="en">{escape(str(issue["message"]))}</span>' in row
