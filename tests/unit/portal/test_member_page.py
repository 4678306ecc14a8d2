"""The member's page that starts them off (issue 38): the deadline with the days left in
the edition's time zone, what is expected and the guide, the template, their accepted file
as YAML and as a workbook, last year's file pre-filled, image upload through the checks of
validate, sign-out, and every time shown in the edition's zone with its offset."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import random
import re
import struct
import warnings
from pathlib import Path
from typing import Unpack

import httpx
import pytest

with warnings.catch_warnings():
    # Starlette asks for httpx2 for its test client; httpx (in the lock) still works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import DEMO_INPUTS, Who, copy_inputs, edition_tree
from wgreport.inputs.models import Edition
from wgreport.inputs.validation import load_edition, load_working_group
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store
from wgreport.review.deadline import deadline_status, edition_zone, local_time

# --- the edition's time zone ----------------------------------------------------------------


def _edition_with(tmp_path: Path, line: str | None) -> tuple[Edition | None, list[str]]:
    inputs = edition_tree(tmp_path)
    path = inputs / "2024" / "edition.yaml"
    text = path.read_text(encoding="utf-8").replace("time_zone: Asia/Seoul\n", "")
    if line is not None:
        text = text.replace("deadline: 2025-02-28\n", f"deadline: 2025-02-28\n{line}\n", 1)
    path.write_text(text, encoding="utf-8")
    wg, _ = load_working_group(inputs / "working-group.yaml")
    edition, report = load_edition(path, wg, 2024)
    return edition, [f"{i.code} {i.field} {i.message} {i.hint}" for i in report.issues]


def test_the_demo_edition_is_in_seoul_and_an_edition_without_a_zone_is_in_utc(
    tmp_path: Path,
) -> None:
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    demo, _ = load_edition(DEMO_INPUTS / "2024" / "edition.yaml", wg, 2024)
    assert demo is not None and demo.time_zone == "Asia/Seoul"
    assert str(edition_zone(demo)) == "Asia/Seoul"
    plain, issues = _edition_with(tmp_path, None)
    assert issues == [] and plain is not None
    assert edition_zone(plain).utcoffset(dt.datetime(2025, 1, 1)) == dt.timedelta(0)


@pytest.mark.parametrize("name", ["Asia/Seul", "../../etc/passwd", "Mars/Olympus_Mons", ""])
def test_a_time_zone_that_is_not_one_is_refused_with_a_hint(tmp_path: Path, name: str) -> None:
    edition, issues = _edition_with(tmp_path, f'time_zone: "{name}"')
    assert edition is None
    (issue,) = issues
    assert issue.startswith("invalid-choice time_zone"), issue
    assert "is not a time zone name" in issue and "Asia/Seoul" in issue


def test_times_are_shown_in_the_zone_with_their_offset() -> None:
    seoul = edition_zone(_demo_edition())
    assert local_time("2025-02-14T08:05:00+00:00", seoul) == "2025-02-14 17:05 (UTC+09:00)"
    assert local_time("2025-02-14T20:05:00Z", seoul) == "2025-02-15 05:05 (UTC+09:00)"
    assert local_time("2025-02-14T08:05:00+00:00", dt.UTC) == "2025-02-14 08:05 (UTC+00:00)"
    assert local_time(None, seoul) == ""


def _demo_edition() -> Edition:
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    edition, _ = load_edition(DEMO_INPUTS / "2024" / "edition.yaml", wg, 2024)
    assert edition is not None
    return edition


def _seoul(day: str, time: str) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=ZoneInfo("Asia/Seoul"))


def test_the_days_left_are_counted_from_today_in_the_editions_zone() -> None:
    edition = _demo_edition()  # deadline 2025-02-28, Asia/Seoul
    early = deadline_status(edition, _seoul("2025-02-14", "10:00"), submitted=False)
    assert (early.state, early.days_left, early.words) == ("open", 14, "14 days left.")
    assert early.due == "28 February 2025, 23:59 (UTC+09:00)"
    # 27 February 16:00 UTC is already 28 February in Seoul: the last day, not one day left
    last = deadline_status(edition, dt.datetime(2025, 2, 27, 16, 0, tzinfo=dt.UTC), submitted=False)
    assert (last.state, last.days_left) == ("due today", 0)
    one = deadline_status(edition, _seoul("2025-02-27", "23:00"), submitted=False)
    assert one.words == "1 day left."
    late = deadline_status(edition, _seoul("2025-03-03", "09:00"), submitted=False)
    assert (late.state, late.days_left) == ("late", -3)
    assert late.words.startswith("3 days late: upload your contribution")
    past = deadline_status(edition, _seoul("2025-03-01", "09:00"), submitted=True)
    assert past.state == "past" and "passed 1 day ago; your contribution is in" in past.words
    closed = deadline_status(edition, _seoul("2025-04-01", "09:00"), submitted=True, closed=True)
    assert (closed.state, closed.words) == (
        "closed",
        "The call is closed: the final report is out.",
    )


# --- the member's page ------------------------------------------------------------------------


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    inputs = copy_inputs(tmp_path)
    outputs = tmp_path / "outputs"
    return Portal(inputs, outputs, 2024, Store(tmp_path / "portal"), base_url="http://testserver")


def _client(portal: Portal, role: str = "member", **who: Unpack[Who]) -> TestClient:
    _, token = portal.store.invite(role, f"{role}@example.org", **who)
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.get(f"/signin/{token}").status_code == 200
    assert client.post(f"/signin/{token}").status_code == 303
    return client


def _member(portal: Portal, code: str = "KR") -> TestClient:
    return _client(portal, "member", member=code)


def _csrf(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found
    return found[1]


def _text(page: str, ident: str) -> str:
    """The words of the element with id `ident`, tags removed."""
    found = re.search(rf'<(\w+)[^>]* id="{ident}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, ident
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found[2])).split())


def _at(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """The member's page's clock (the days left, today's date) at `when` (UTC)."""
    from wgreport.runtime import clock

    fixed = dt.datetime.fromisoformat(when)
    monkeypatch.setattr(clock, "utc_now", lambda: fixed)


def test_the_page_gives_the_deadline_with_the_days_left_what_is_expected_and_the_guide(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    _at(monkeypatch, "2025-02-14T08:05:00+00:00")
    page = _member(portal).get("/member").text
    assert _text(page, "deadline") == (
        "Deadline: 28 February 2025, 23:59 (UTC+09:00). 14 days left."
    )
    assert "Asia/Seoul" in _text(page, "zone")
    assert "Agile and Active Digital Governance" in page  # the edition's title
    expected = _text(page, "expected")
    assert "1 to 12 initiatives" in expected and "Digital identity and trust services" in expected
    assert "required, E-Government Development Index; Online Service Index" in expected
    assert 'href="/guide/members"' in page and 'href="/guide/members#7-issue-codes"' in page
    # the accepted file is offered, not last year's
    assert 'href="/member/contribution.xlsx"' in page and "/member/previous" not in page
    assert 'href="/member/template.xlsx"' in page and 'href="/member/template.yaml"' in page
    _at(monkeypatch, "2025-03-03T01:00:00+00:00")
    late = _member(portal).get("/member").text
    assert "3 days ago; your contribution is in" in _text(late, "deadline")
    (portal.inputs_dir / "2024" / "contributions" / "KR.yaml").unlink()
    nothing = _member(portal).get("/member").text
    assert "3 days late: upload your contribution" in _text(nothing, "deadline")


def test_every_time_on_the_page_is_in_the_editions_zone_with_its_offset(
    portal: Portal,
) -> None:
    client = _member(portal)
    body = (DEMO_INPUTS / "2024" / "contributions" / "KR.yaml").read_bytes()
    csrf = _csrf(client.get("/member").text)
    sent = client.post(
        "/member/upload", data={"csrf": csrf}, files={"contribution": ("KR.yaml", body)}
    )
    assert sent.status_code == 303
    record = portal.store.revisions(2024, "KR")[-1]
    page = client.get("/member").text
    seoul = local_time(record["at"], edition_zone(_demo_edition()))
    assert seoul.endswith("(UTC+09:00)") and seoul in _text(page, "revisions")
    assert record["at"] not in page  # no raw UTC ISO time
    # the country-validation notice too (the demo's round: confirmed 2025-03-04T09:00:00Z)
    assert "2025-03-04 18:00 (UTC+09:00)" in _text(page, "validation-notice")


def test_the_guide_is_served_rendered_and_sanitised_to_whoever_is_signed_in(
    portal: Portal,
) -> None:
    page = _member(portal).get("/guide/members")
    assert page.status_code == 200
    assert '<h2 id="1-getting-started">1. Getting started</h2>' in page.text
    assert 'href="#1-getting-started"' in page.text  # its contents link to its headings
    assert "<script" not in page.text and 'href="javascript:' not in page.text
    assert 'action="/signout"' in page.text and 'href="/member"' in page.text
    assert (
        _client(portal, "reviewer", reviewer="gb-reviewer").get("/guide/members").status_code == 200
    )
    stranger = TestClient(make_app(portal), follow_redirects=False)
    assert stranger.get("/guide/members").status_code == 403


def test_the_template_is_the_skeleton_and_the_workbook_of_the_members_own_code(
    portal: Portal, tmp_path: Path
) -> None:
    from wgreport.inputs.skeleton import make_skeleton
    from wgreport.inputs.workbook import read_workbook, skeleton_data, write_workbook

    wg, _ = load_working_group(portal.inputs_dir / "working-group.yaml")
    assert wg is not None
    client = _member(portal, "EE")
    yaml = client.get("/member/template.yaml")
    assert yaml.status_code == 200 and yaml.text == make_skeleton(wg, "EE", 2024)
    assert yaml.headers["content-disposition"] == 'attachment; filename="EE.yaml"'
    book = client.get("/member/template.xlsx")
    assert book.headers["content-disposition"] == 'attachment; filename="EE.xlsx"'
    saved, made = tmp_path / "EE.xlsx", tmp_path / "made" / "EE.xlsx"
    saved.write_bytes(book.content)
    made.parent.mkdir()
    made.write_bytes(write_workbook(skeleton_data(wg, "EE", 2024), wg))
    assert read_workbook(saved).data == read_workbook(made).data  # wgreport template's


@pytest.mark.parametrize("code", ["EE", "DK"])  # DK keeps its indicators in a CSV
def test_the_accepted_file_downloads_as_yaml_and_as_a_workbook_that_is_accepted_back(
    portal: Portal, code: str
) -> None:
    accepted = portal.inputs_dir / "2024" / "contributions" / f"{code}.yaml"
    before = accepted.read_bytes()
    client = _member(portal, code)
    assert client.get("/member/contribution.yaml").content == before
    book = client.get("/member/contribution.xlsx")
    assert book.status_code == 200
    assert book.headers["content-type"].startswith("application/vnd.openxmlformats")
    csrf = _csrf(client.get("/member").text)
    sent = client.post("/member/upload", data={"csrf": csrf},
                       files={"contribution": (f"{code}.xlsx", book.content)})  # fmt: skip
    assert sent.status_code == 303
    assert portal.store.revisions(2024, code)[-1]["status"] == "accepted"
    from wgreport.inputs.prefill import contribution_data

    kept = portal.inputs_dir.parent / "before.yaml"
    kept.write_bytes(before)
    (kept.parent / f"{code}.indicators.csv").write_bytes(
        (DEMO_INPUTS / "2024" / "contributions" / "DK.indicators.csv").read_bytes()
    )
    assert contribution_data(accepted) == contribution_data(kept)  # every value kept
    downloads = [r for r in portal.store.audit_lines() if r["action"] == "download"]
    assert {r["file"] for r in downloads} == {"contribution.yaml", "contribution.xlsx"}


def test_without_a_file_this_edition_last_editions_is_offered_pre_filled(
    portal: Portal, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from wgreport.inputs.workbook import read_workbook
    from wgreport.inputs.yamlsource import load_yaml

    _at(monkeypatch, "2025-02-13T16:30:00+00:00")  # 14 February in Seoul
    (portal.inputs_dir / "2024" / "contributions" / "KR.yaml").unlink()
    client = _member(portal)
    page = client.get("/member").text
    assert "contribution to the 2023 edition" in _text(page, "previous-file")
    assert "/member/contribution" not in page
    assert client.get("/member/contribution.xlsx").status_code == 404
    last_year = load_yaml(DEMO_INPUTS / "2023" / "contributions" / "KR.yaml").data
    saved = tmp_path / "KR.xlsx"
    saved.write_bytes(client.get("/member/previous.xlsx").content)
    data = read_workbook(saved).data
    assert data["year"] == 2024 and data["submitted"] in ("2025-02-14", dt.date(2025, 2, 14))
    assert data["summary"] == last_year["summary"]
    assert data["initiatives"][0]["title"] == last_year["initiatives"][0]["title"]
    yaml_text = client.get("/member/previous.yaml").text
    assert "year: 2024\n" in yaml_text and "submitted: 2025-02-14\n" in yaml_text
    (portal.inputs_dir / "2023" / "contributions" / "KR.yaml").unlink()
    none = client.get("/member").text
    assert "You have nothing for 2024 yet." in _text(none, "no-file")
    assert client.get("/member/previous.xlsx").status_code == 404


# --- images -----------------------------------------------------------------------------------


def _png(width: int = 160, height: int = 96, pad: int = 0) -> bytes:
    from wgreport.inputs.demodata import png_image

    return png_image(random.Random(1), width, height) + b"\0" * pad


def _send_image(client: TestClient, name: str, body: bytes) -> httpx.Response:
    csrf = _csrf(client.get("/member").text)
    response: httpx.Response = client.post(
        "/member/images", data={"csrf": csrf}, files={"image": (name, body)}
    )
    return response


def test_an_image_is_checked_written_whole_listed_and_audited_and_replaced_by_its_name(
    portal: Portal,
) -> None:
    client = _member(portal)
    folder = portal.inputs_dir / "2024" / "contributions" / "KR"
    first = _png(pad=100 * 1024)  # over the 64 KiB of a form without a file
    assert _send_image(client, "portal-map.png", first).status_code == 303
    assert (folder / "portal-map.png").read_bytes() == first
    assert not list(folder.glob(".*.tmp"))
    page = client.get("/member").text
    listed = _text(page, "image-list")
    assert "KR/portal-map.png" in listed and "(UTC+09:00)" in listed
    assert "KR/benefits-flow.svg" in listed  # the accepted file's own, marked as used
    second = _png(200, 100)
    assert _send_image(client, "portal-map.png", second).status_code == 303
    assert (folder / "portal-map.png").read_bytes() == second
    lines = [r for r in portal.store.audit_lines() if r["action"] == "image-upload"]
    assert [(r["file"], r["replaced"]) for r in lines] == [
        ("KR/portal-map.png", None),
        ("KR/portal-map.png", hashlib.sha256(first).hexdigest()),
    ]
    assert lines[1]["sha256"] == hashlib.sha256(second).hexdigest()


SCRIPTED_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)


@pytest.mark.parametrize(
    ("name", "body", "words"),
    [
        ("chart.gif", b"GIF89a", "'chart.gif' is not a PNG, JPEG or SVG file"),
        ("my chart.png", _png(), "cannot be used as an image's name"),
        (".hidden.png", _png(), "cannot be used as an image's name"),
        ("chart.png", b"not a picture at all", "'KR/chart.png' does not contain a PNG image"),
        ("huge.png", _png()[:16] + struct.pack(">II", 20_000, 20_000) + _png()[24:],
         "20,000 × 20,000 pixels"),
        ("flow.svg", SCRIPTED_SVG, "The SVG image 'KR/flow.svg' contains a <script> element"),
        ("big.png", _png(pad=5 * 1024 * 1024), "at most 5,120 KiB are allowed"),
    ],
)  # fmt: skip
def test_an_image_that_validate_would_refuse_is_refused_in_words_and_nothing_is_kept(
    portal: Portal, name: str, body: bytes, words: str
) -> None:
    client = _member(portal)
    folder = portal.inputs_dir / "2024" / "contributions" / "KR"
    before = sorted(p.name for p in folder.iterdir())
    response = _send_image(client, name, body)
    assert response.status_code == 400, response.text
    said = _text(response.text, "image-refusal")
    assert said.startswith("Not kept: ") and words in said, said
    assert 'aria-describedby="image-refusal"' in response.text
    assert sorted(p.name for p in folder.iterdir()) == before
    assert not any(r["action"] == "image-upload" for r in portal.store.audit_lines())


def test_an_image_form_without_its_token_or_past_its_size_is_refused(portal: Portal) -> None:
    client = _member(portal)
    forged = client.post("/member/images", data={"csrf": "x"}, files={"image": ("a.png", _png())})
    assert forged.status_code == 403
    huge = _png(pad=portal.limits.image_body_bytes)
    assert _send_image(client, "a.png", huge).status_code == 413
    assert not (portal.inputs_dir / "2024" / "contributions" / "KR" / "a.png").exists()


def test_an_image_the_file_names_is_uploaded_and_the_file_is_then_accepted(
    portal: Portal,
) -> None:
    client = _member(portal)
    text = (DEMO_INPUTS / "2024" / "contributions" / "KR.yaml").read_text(encoding="utf-8")
    body = text.replace("KR/benefits-flow.svg", "KR/portal-map.png", 1).encode("utf-8")
    assert "KR/portal-map.png" in body.decode()

    def upload() -> str:
        csrf = _csrf(client.get("/member").text)
        client.post(
            "/member/upload", data={"csrf": csrf}, files={"contribution": ("KR.yaml", body)}
        )
        return str(portal.store.revisions(2024, "KR")[-1]["status"])

    assert upload() == "not valid"
    page = client.get("/member").text
    assert "KR/portal-map.png" in _text(page, "missing-images")
    assert 'href="#images"' in _text(page, "problems") or 'href="#images"' in page
    assert _send_image(client, "portal-map.png", _png()).status_code == 303
    assert upload() == "accepted"
    assert "yes" in _text(client.get("/member").text, "image-list")


def test_sign_out_is_on_the_members_pages(portal: Portal) -> None:
    client = _member(portal)
    for path in ("/member", "/guide/members"):
        page = client.get(path).text
        assert re.search(r'<form method="post" action="/signout" id="signout">', page), path
    signed_out = client.post("/signout", data={"csrf": _csrf(client.get("/member").text)})
    assert signed_out.status_code == 200
    assert client.get("/member").status_code == 403
