"""The portal (issue 20): each role sees and does only what it may, over HTTP with
Starlette's test client. Members upload and see their own country's validation; an upload
is kept as a revision and, when valid, written atomically as the member's file."""

from __future__ import annotations

import html
import json
import re
import shutil
import threading
import warnings
from pathlib import Path
from typing import Unpack

import httpx
import pytest

with warnings.catch_warnings():
    # Starlette 1.10 asks for httpx2 for its test client; httpx (in the lock) still works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import DEMO_INPUTS, Who, copy_inputs
from tests.support.goldentree import GOLDEN_TREE
from wgreport.portal.app import COOKIE, Portal, make_app
from wgreport.portal.store import Store

GOLDEN_DRAFT = GOLDEN_TREE / "drafts" / "001"


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    inputs = copy_inputs(tmp_path)
    outputs = tmp_path / "outputs"
    draft = outputs / "2024" / "drafts" / "001"
    shutil.copytree(GOLDEN_DRAFT, draft)
    (draft / "report.pdf").write_bytes(b"%PDF-1.7 a stand-in draft\n")
    return Portal(inputs, outputs, 2024, Store(tmp_path / "portal"), base_url="http://testserver")


def _client(portal: Portal, role: str, email: str | None = None, **who: Unpack[Who]) -> TestClient:
    """A browser signed in through a fresh invitation of `role` (the link's page, then
    its button)."""
    _, token = portal.store.invite(role, email or f"{role}@example.org", **who)
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.get(f"/signin/{token}").status_code == 200
    response = client.post(f"/signin/{token}")
    assert response.status_code == 303, response.text
    return client


def _csrf(client: TestClient) -> str:
    page = client.get("/member")
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found[1]


def _upload(
    client: TestClient, body: bytes, name: str = "KR.yaml", csrf: str | None = None
) -> httpx.Response:
    token = csrf if csrf is not None else _csrf(client)
    response: httpx.Response = client.post(
        "/member/upload", data={"csrf": token}, files={"contribution": (name, body)}
    )
    return response


KR = (DEMO_INPUTS / "2024" / "contributions" / "KR.yaml").read_bytes()
TWO_ERRORS = KR.replace(b"theme: active-governance", b"theme: agile-goverance", 1).replace(
    b"value: 0.96789", b"value: 96.79", 1
)


def test_invitations_keep_only_a_hash_of_the_token(portal: Portal) -> None:
    _, token = portal.store.invite("member", "kr@example.org", member="KR")
    stored = portal.store.db_path.read_bytes()
    assert token.encode() not in stored and len(portal.store.invitations()) == 1
    assert portal.store.find(token) is not None and portal.store.find(token + "x") is None


def test_a_member_uploads_two_errors_then_a_fix_and_is_accepted(portal: Portal) -> None:
    client = _client(portal, "member", member="KR")
    accepted = portal.inputs_dir / "2024" / "contributions" / "KR.yaml"
    before = accepted.read_bytes()
    assert _upload(client, TWO_ERRORS).status_code == 303
    page = client.get("/member").text
    assert "Not valid" in page
    assert "KR.yaml:" in page and "unknown-theme" in page and "out-of-bounds" in page
    assert re.search(r"KR\.yaml:\d+:\d+: error unknown-theme", page)  # with its line
    theme_line = TWO_ERRORS.decode().splitlines().index("    theme: agile-goverance") + 1
    value_line = next(n for n, line in enumerate(TWO_ERRORS.decode().splitlines(), 1)
                      if "value: 96.79" in line)  # fmt: skip
    rows = re.findall(r'<tr class="error">(.*?)</tr>', page, re.S)
    assert len(rows) == 2, page  # both errors, each in its row with its line
    assert f"line {theme_line}, column" in rows[0] and "unknown-theme" in rows[0]
    assert f"line {value_line}, column" in rows[1] and "out-of-bounds" in rows[1]
    assert accepted.read_bytes() == before  # an invalid upload changes nothing
    fixed = KR.replace(b"Test", b"Test", 1) + b"# checked again\n"
    assert _upload(client, fixed).status_code == 303
    page = client.get("/member").text
    assert "Accepted" in page
    assert accepted.read_bytes() == fixed
    revisions = portal.store.revisions(2024, "KR")
    assert [(r["revision"], r["status"]) for r in revisions] == [(1, "not valid"), (2, "accepted")]
    assert (portal.store.revisions_dir(2024, "KR") / "001.yaml").read_bytes() == TWO_ERRORS
    actions = [line["action"] for line in portal.store.audit_lines()]
    assert actions.count("upload") == 2 and "signin" in actions


def test_a_syntax_error_shows_where_it_starts_and_where_it_was_noticed(portal: Portal) -> None:
    client = _client(portal, "member", member="KR")
    lines = KR.decode().splitlines()
    title = next(n for n, line in enumerate(lines) if "lead_institution: " in line)
    lines[title] = lines[title].replace("lead_institution: ", 'lead_institution: "', 1)
    assert _upload(client, ("\n".join(lines) + "\n").encode()).status_code == 303
    page = client.get("/member").text
    (issue,) = portal.store.revisions(2024, "KR")[-1]["issues"]
    assert issue["code"] == "yaml-syntax" and issue["line"] == title + 1
    assert issue["noticed_line"] > issue["line"]
    (row,) = re.findall(r'<tr class="error">(.*?)</tr>', page, re.S)
    assert f'<span class="at">line {title + 1}, column {issue["column"]}</span>' in row
    assert (f"noticed by the YAML reader at line {issue['noticed_line']}, "
            f"column {issue['noticed_column']}") in row  # fmt: skip


def test_a_workbook_upload_is_accepted_as_the_v1_yaml(portal: Portal, tmp_path: Path) -> None:
    from wgreport.inputs.validation import load_working_group
    from wgreport.inputs.workbook import write_workbook
    from wgreport.inputs.yamlsource import load_yaml

    wg, _ = load_working_group(portal.inputs_dir / "working-group.yaml")
    path = portal.inputs_dir / "2024" / "contributions" / "EE.yaml"
    data = load_yaml(path).data
    client = _client(portal, "member", member="EE")
    assert _upload(client, write_workbook(data, wg), name="EE.xlsx").status_code == 303
    assert "Accepted" in client.get("/member").text
    assert load_yaml(path).data == data


# (role, method, path, expected status) for every page and action
MATRIX = [
    ("member", "GET", "/member", 200),
    ("member", "GET", "/review", 403),
    ("member", "GET", "/review/download/001/report.pdf", 403),
    ("member", "GET", "/secretariat", 403),
    ("reviewer", "GET", "/member", 403),
    ("reviewer", "POST", "/member/upload", 403),
    ("reviewer", "GET", "/review", 200),
    ("reviewer", "GET", "/review/download/001/report.pdf", 200),
    ("reviewer", "GET", "/review/download/001/manifest.json", 403),
    ("reviewer", "GET", "/review/download/002/report.pdf", 403),
    ("reviewer", "GET", "/review/download/..%2F..%2Fportal/secret", 404),  # no route
    ("reviewer", "GET", "/secretariat", 403),
    ("secretariat", "GET", "/secretariat", 200),
    ("secretariat", "GET", "/review", 200),
    ("secretariat", "GET", "/member", 403),
    ("secretariat", "POST", "/member/upload", 403),
    ("member", "POST", "/secretariat/build", 403),
    ("reviewer", "POST", "/secretariat/build", 403),
    ("secretariat", "POST", "/secretariat/build", 403),  # without its form's CSRF token
    ("member", "POST", "/review/comment", 403),
    ("secretariat", "POST", "/review/comment", 403),
]


@pytest.mark.parametrize(("role", "method", "path", "status"), MATRIX)
def test_each_role_reaches_only_its_pages(
    portal: Portal, role: str, method: str, path: str, status: int
) -> None:
    who: Who = {"member": "KR"} if role == "member" else {}
    client = _client(portal, role, **who)
    response = client.request(method, path)
    assert response.status_code == status, response.text[:300]
    if status == 403:  # the role's refusal, or a form without its token
        assert "Not allowed" in response.text or "This form has expired" in response.text
        assert "Republic of Korea" not in response.text and "%PDF" not in response.text


def test_a_member_sees_and_changes_only_their_own_country(portal: Portal) -> None:
    korea = _client(portal, "member", member="KR")
    assert _upload(korea, TWO_ERRORS).status_code == 303
    estonia = _client(portal, "member", member="EE")
    page = estonia.get("/member").text
    assert "EE: your contribution" in page and "agile-goverance" not in page
    # (the form tokens are random text that may hold "KR": they are left out)
    assert "KR" not in re.sub(r'value="[^"]*"', "", page.split("<main>")[1])
    # an Estonian upload of Korea's file is checked and stored as Estonia's, never Korea's
    assert _upload(estonia, KR, name="KR.yaml").status_code == 303
    assert portal.store.revisions(2024, "EE")[0]["status"] == "not valid"  # member-mismatch
    assert len(portal.store.revisions(2024, "KR")) == 1


def test_no_cookie_a_tampered_one_or_a_wrong_token_gets_403(portal: Portal) -> None:
    anonymous = TestClient(make_app(portal), follow_redirects=False)
    assert anonymous.get("/member").status_code == 403
    assert anonymous.get("/signin/not-a-token").status_code == 403
    client = _client(portal, "member", member="KR")
    cookie = client.cookies[COOKIE]
    client.cookies.set(COOKIE, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert client.get("/member").status_code == 403
    refusals = [x for x in portal.store.audit_lines() if x["action"] == "refused"]
    assert {"/signin/not-a-token", "/member"} <= {x["path"] for x in refusals}
    assert all(x["client"] == "testclient" and x["status"] == 403 for x in refusals)


def test_an_expired_invitation_gets_a_clear_page_and_403_even_when_signed_in(
    portal: Portal,
) -> None:
    client = _client(portal, "member", member="KR")
    _, token = portal.store.invite("member", "late@example.org", member="KR")
    with portal.store.tx() as conn:
        conn.execute("UPDATE invitations SET expires = '2020-01-01T00:00:00+00:00'")
    fresh = TestClient(make_app(portal), follow_redirects=False)
    assert fresh.get(f"/signin/{token}").status_code == 403
    refused = fresh.post(f"/signin/{token}")
    assert refused.status_code == 403
    assert "not valid, or it has expired" in refused.text
    assert "KR" not in refused.text.split("<main", 1)[-1]
    signed_in = client.get("/member")
    assert signed_in.status_code == 403
    assert "KR.yaml" not in signed_in.text


def test_a_replayed_or_foreign_csrf_token_is_refused(portal: Portal) -> None:
    client = _client(portal, "member", member="KR")
    token = _csrf(client)
    assert _upload(client, KR, csrf=token).status_code == 303
    assert _upload(client, KR, csrf=token).status_code == 403  # used once
    other = _client(portal, "member", email="deputy@example.org", member="KR")
    assert _upload(other, KR, csrf=_csrf(client)).status_code == 403  # another session's
    assert _upload(client, KR, csrf="").status_code == 403
    assert len(portal.store.revisions(2024, "KR")) == 1


def test_security_headers_and_cookie_flags(portal: Portal) -> None:
    _, token = portal.store.invite("member", "kr@example.org", member="KR")
    client = TestClient(make_app(portal), follow_redirects=False)
    signin = client.post(f"/signin/{token}")
    cookie = signin.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = client.get("/member")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-frame-options"] == "DENY"


def test_uploads_are_limited_in_type_and_size(portal: Portal) -> None:
    client = _client(portal, "member", member="KR")
    assert _upload(client, b"#!/bin/sh\n", name="KR.sh").status_code == 400
    assert _upload(client, b"a: 1\n" * 500_000).status_code in (400, 413)
    assert portal.store.revisions(2024, "KR") == []


def test_two_uploads_at_once_keep_both_and_one_whole_accepted_file(portal: Portal) -> None:
    clients = [_client(portal, "member", email=f"kr{n}@example.org", member="KR") for n in (1, 2)]
    bodies = [KR + b"# first\n", KR + b"# second\n"]
    tokens = [_csrf(c) for c in clients]
    codes: list[int] = []
    threads = [
        threading.Thread(
            target=lambda c=c, b=b, t=t: codes.append(_upload(c, b, csrf=t).status_code)
        )
        for c, b, t in zip(clients, bodies, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [303, 303]
    revisions = portal.store.revisions(2024, "KR")
    assert [r["revision"] for r in revisions] == [1, 2]
    # both valid: the newer is accepted; the older too, unless its check ended after the
    # newer was accepted (then it is superseded and never replaces it)
    assert revisions[1]["status"] == "accepted"
    assert revisions[0]["status"] in ("accepted", "superseded")
    accepted = (portal.inputs_dir / "2024" / "contributions" / "KR.yaml").read_bytes()
    store_dir = portal.store.revisions_dir(2024, "KR")
    assert accepted == (store_dir / revisions[1]["file"]).read_bytes()  # the newer, whole
    assert not list((portal.inputs_dir / "2024" / "contributions").glob(".*.tmp"))


def _review_csrf(client: TestClient) -> str:
    page = client.get("/review")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert page.status_code == 200 and found
    return found[1]


COMMENT = {"draft": "1", "section": "summary", "page": "3", "quote": "eight of ten",
           "comment": "The count looks wrong.", "proposed_change": "Recount it.",
           "kind": "factual"}  # fmt: skip


def test_a_reviewers_comment_is_written_in_the_review_format_and_listed(portal: Portal) -> None:
    from typer.testing import CliRunner

    from wgreport.cli.main import app

    client = _client(portal, "reviewer", reviewer="ee-review-team", name="Aino Example",
                     organisation="Estonian review team")  # fmt: skip
    sent = client.post("/review/comment", data={**COMMENT, "csrf": _review_csrf(client)})
    assert sent.status_code == 303, sent.text[:500]
    path = portal.inputs_dir / "2024" / "reviews" / "ee-review-team.yaml"
    assert path.is_file()
    assert "The count looks wrong." in client.get("/review").text  # listed back
    # a second comment gets the next id; a bad one is refused with its reason, file unchanged
    assert client.post("/review/comment", data={**COMMENT, "csrf": _review_csrf(client)}).status_code == 303  # fmt: skip
    before = path.read_text(encoding="utf-8")
    bad = client.post("/review/comment", data={**COMMENT, "section": "nowhere", "csrf": _review_csrf(client)})  # fmt: skip
    assert bad.status_code == 400 and "is not a section of the report" in html.unescape(bad.text)
    assert path.read_text(encoding="utf-8") == before
    table = CliRunner().invoke(app, ["comments", "--year", "2024", "--format", "json",
                                     "--inputs", str(portal.inputs_dir),
                                     "--outputs", str(portal.outputs_dir)])  # fmt: skip
    assert table.exit_code == 0, table.output
    rows = json.loads(table.output)["comments"]
    assert [(r["ref"], r["status"]) for r in rows] == [
        ("ee-review-team#1", "open"),
        ("ee-review-team#2", "open"),
    ]
    assert "comment" in [x["action"] for x in portal.store.audit_lines()]
    table_page = _client(portal, "secretariat").get("/secretariat").text
    assert "ee-review-team#1" in table_page and "The count looks wrong." in table_page


def test_only_reviewers_comment_and_only_with_a_fresh_token(portal: Portal) -> None:
    member = _client(portal, "member", member="KR")
    assert member.post("/review/comment", data=COMMENT).status_code == 403
    secretariat = _client(portal, "secretariat")
    assert secretariat.post("/review/comment", data=COMMENT).status_code == 403
    reviewer = _client(portal, "reviewer", reviewer="nz-reader")
    token = _review_csrf(reviewer)
    assert reviewer.post("/review/comment", data={**COMMENT, "csrf": token}).status_code == 303
    assert reviewer.post("/review/comment", data={**COMMENT, "csrf": token}).status_code == 403
    assert not (portal.inputs_dir / "2024" / "reviews" / "kr.yaml").exists()


def _secretariat_csrf(client: TestClient) -> str:
    page = client.get("/secretariat")
    assert page.status_code == 200, page.text
    found = re.search(r'action="/secretariat/build">\s*<input type="hidden" name="csrf" '
                      r'value="([^"]+)"', page.text)  # fmt: skip
    assert found, page.text
    return found[1]


def test_the_secretariat_starts_one_build_at_a_time_and_sees_how_it_ended(
    portal: Portal, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The build's process is `wgreport build` (the flow itself runs in
    test_portal_browser.py); here a slow stand-in shows one build at a time, the log,
    and a failed build's status, and no build starts on a replayed token."""
    import sys

    from wgreport.portal.builds import Builds

    assert Builds.command(portal.builds)[1:4] == ["-m", "wgreport", "build"]
    # the stand-in runs until the test has seen it running (a file it waits for), or 30 s
    go_on = tmp_path / "go-on"
    script = "import os, sys, time; print('  [1/9] Reading'); sys.stdout.flush(); "
    script += f"end = time.monotonic() + 30\nwhile not os.path.exists({str(go_on)!r}) "
    script += "and time.monotonic() < end: time.sleep(0.02)\n"
    script += "print('wgreport: build failed: stand-in'); sys.exit(1)"
    monkeypatch.setattr(Builds, "command", lambda self: [sys.executable, "-c", script])
    client = _client(portal, "secretariat")
    token = _secretariat_csrf(client)
    assert client.post("/secretariat/build", data={"csrf": token}).status_code == 303
    assert client.post("/secretariat/build", data={"csrf": token}).status_code == 403  # replayed
    page = client.get("/secretariat").text
    # no meta refresh (axe: critical; it moves the page under a keyboard or a screen
    # reader): the build's state and a plain link to refresh
    assert "http-equiv" not in page and 'id="build-running"' in page and "running" in page
    assert re.search(r'<a href="/secretariat" id="refresh">Refresh</a>', page)  # reloads
    second = client.post("/secretariat/build", data={"csrf": _secretariat_csrf(client)})
    assert second.status_code == 409 and "Build 1 is still running" in second.text
    go_on.touch()
    record = portal.builds.wait(1, timeout=60)
    assert (record["status"], record["exit_code"], record["draft"]) == ("failed", 1, None)
    page = client.get("/secretariat").text
    assert "http-equiv" not in page and 'id="build-running"' not in page
    assert "wgreport: build failed: stand-in" in page and "exit code 1" in page
    actions = [line["action"] for line in portal.store.audit_lines()]
    assert actions.count("build-started") == 1 and actions.count("build-finished") == 1
    assert [b["build"] for b in portal.builds.records()] == [1]


def test_a_build_whose_portal_stopped_is_read_from_builds_log(portal: Portal) -> None:
    """A portal restarted while its build ran: the record says running, the process is
    gone; the build's own line in outputs/<year>/builds.log (its process, this host, begun
    after the portal started it) tells how it ended and which draft it made. What the
    build printed is not read: a line that looks like a summary proves nothing."""
    import os
    import socket

    from wgreport.portal.builds import Builds, started_at

    folder = portal.store.folder / "builds" / "2024"
    folder.mkdir(parents=True)
    dead = {"build": 1, "year": 2024, "by": "x", "email": "s@example.org",
            "started": "2025-03-15T09:00:00+00:00", "pid": 2**22 + 17, "status": "running"}  # fmt: skip
    log = portal.outputs_dir / "2024" / "builds.log"
    lines = [
        {"pid": 2**22 + 17, "host": socket.gethostname(), "result": "success", "draft": "004",
         "started_at": "2025-03-15T09:00:01Z"},
        # an earlier build with the same process id, before the portal started build 2
        {"pid": 2**22 + 18, "host": socket.gethostname(), "result": "success", "draft": "002",
         "started_at": "2025-03-14T09:00:01Z"},
    ]  # fmt: skip
    log.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    # build 3's process id now belongs to another process (this one, started later)
    reused = {**dead, "build": 3, "pid": os.getpid(), "pid_started": "1"}
    assert started_at(os.getpid()) not in (None, "1")
    with portal.store.tx() as conn:
        for row in (dead, {**dead, "build": 2, "pid": 2**22 + 18}, reused):
            conn.execute(f"INSERT INTO builds ({', '.join(row)}) VALUES "
                         f"({', '.join('?' * len(row))})", list(row.values()))  # fmt: skip
    (folder / "002.log").write_text("Draft 009 of 2024: 61 pages\n", encoding="utf-8")
    builds = Builds(portal.store, 2024, portal.inputs_dir, portal.outputs_dir).records()
    assert [(b["build"], b["status"], b["draft"]) for b in builds] == [
        (3, "interrupted", None),
        (2, "interrupted", None),
        (1, "succeeded", "004"),
    ]


def test_the_review_page_lists_each_draft_with_what_changed(portal: Portal) -> None:
    """As the published review page does (pages.review_page): the newest first, with its
    size, pages, sha256 and its changes from the draft before."""
    year_dir = portal.outputs_dir / "2024" / "drafts"
    shutil.copytree(year_dir / "001", year_dir / "002")
    manifest = json.loads((year_dir / "002" / "manifest.json").read_text(encoding="utf-8"))
    manifest["draft"] = "002"
    kr = next(k for k in manifest["inputs"] if k.endswith("KR.yaml"))
    manifest["inputs"][kr] = "0" * 64  # Korea's contribution changed
    (year_dir / "002" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    page = _client(portal, "reviewer", reviewer="jane-example").get("/review").text
    rows = re.findall(r'<tr data-draft="(\d{3})">(.*?)</tr>', page, re.S)
    assert [draft for draft, _ in rows] == ["002", "001"]
    assert "KR: contribution changed" in rows[0][1] and "the first draft" in rows[1][1]
    assert html.escape(manifest["outputs"]["report.pdf"]) in rows[0][1]
