"""The portal under hostile clients and faults (issue 35): sign-in links good once,
revocation, sign-out, idle sessions, form tokens spent across restarts, rate limits,
quotas, body limits, headers on every response, hosts, a full disk, a tamper-evident
audit log with every refusal in it, private files, and the JSON state of earlier
versions migrated."""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import threading
import time
import warnings
from pathlib import Path
from typing import Unpack

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.types import Message

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import DEMO_INPUTS, Who, copy_inputs
from wgreport.portal import app as portal_app
from wgreport.portal import reviewpages
from wgreport.portal.app import COOKIE, SECURITY_HEADERS, Portal, make_app
from wgreport.portal.limits import PortalLimits
from wgreport.portal.store import Store

KR = (DEMO_INPUTS / "2024" / "contributions" / "KR.yaml").read_bytes()


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    inputs = copy_inputs(tmp_path)
    return Portal(inputs, tmp_path / "outputs", 2024, Store(tmp_path / "portal"),
                  base_url="http://testserver")  # fmt: skip


def _browser(portal: Portal) -> TestClient:
    return TestClient(make_app(portal), follow_redirects=False)


def _signed_in(portal: Portal, role: str = "member", email: str = "kr@example.org",
               **who: Unpack[Who]) -> TestClient:  # fmt: skip
    if role == "member" and not who:
        who = {"member": "KR"}
    _, token = portal.store.invite(role, email, **who)
    client = _browser(portal)
    assert client.post(f"/signin/{token}").status_code == 303
    return client


def _csrf(client: TestClient, page: str = "/member") -> str:
    response = client.get(page)
    assert response.status_code == 200, response.text[:300]
    found = re.search(r'name="csrf" value="([^"]+)"', response.text)
    assert found
    return found[1]


def _upload(client: TestClient, body: bytes, name: str = "KR.yaml") -> httpx.Response:
    response: httpx.Response = client.post("/member/upload", data={"csrf": _csrf(client)},
                                           files={"contribution": (name, body)})  # fmt: skip
    return response


# --- sign-in links, sessions, revocation -----------------------------------------------------


def test_a_sign_in_link_is_good_once(portal: Portal) -> None:
    _, token = portal.store.invite("member", "kr@example.org", member="KR")
    first = _browser(portal)
    # opening the link (as a mail scanner does) does not spend it; pressing its button does
    assert first.get(f"/signin/{token}").status_code == 200
    assert first.post(f"/signin/{token}").status_code == 303
    assert first.get("/member").status_code == 200
    second = _browser(portal)
    again = second.post(f"/signin/{token}")
    assert again.status_code == 403 and "a link signs in once" in again.text
    assert second.get("/member").status_code == 403


def test_a_new_invitation_revokes_the_earlier_one_and_ends_its_sessions(portal: Portal) -> None:
    _, old_token = portal.store.invite("member", "kr@example.org", member="KR")
    old = _browser(portal)
    assert old.post(f"/signin/{old_token}").status_code == 303
    new, _ = portal.store.invite("member", "KR@example.org", member="KR")
    assert old.get("/member").status_code == 403
    refused = _browser(portal).post(f"/signin/{old_token}")
    assert refused.status_code == 403 and "withdrawn" in refused.text
    (earlier,) = [i for i in portal.store.invitations() if i.id != new.id]
    assert earlier.revoked_reason == f"replaced by invitation {new.id}"


def test_the_secretariat_revokes_an_invitation_and_ends_a_session_from_its_page(
    portal: Portal,
) -> None:
    member = _signed_in(portal)
    (session,) = portal.store.sessions()
    secretariat = _signed_in(portal, "secretariat", "sec@example.org")
    page = secretariat.get("/secretariat").text
    assert session.id in page and "kr@example.org" in page
    token = _csrf(secretariat, "/secretariat")
    ended = secretariat.post("/secretariat/revoke", data={"csrf": token, "id": session.id})
    assert ended.status_code == 303
    assert member.get("/member").status_code == 403
    invitation = next(i for i in portal.store.invitations() if i.role == "member")
    token = _csrf(secretariat, "/secretariat")
    assert secretariat.post("/secretariat/revoke",
                            data={"csrf": token, "id": invitation.id}).status_code == 303  # fmt: skip
    revoked = portal.store.by_id(invitation.id)
    assert revoked is not None and revoked.revoked
    token = _csrf(secretariat, "/secretariat")
    bad = secretariat.post("/secretariat/revoke", data={"csrf": token, "id": "nobody"})
    assert bad.status_code == 404 and "not an open invitation or session" in bad.text
    assert any(x["action"] == "revoke" for x in portal.store.audit_lines())


def test_people_and_revoke_on_the_command_line(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from wgreport.cli.main import app

    monkeypatch.setenv("WGREPORT_PORTAL_DIR", str(portal.store.folder))
    member = _signed_in(portal)
    invitation = portal.store.invitations()[0]
    listed = CliRunner().invoke(app, ["portal", "people"])
    assert listed.exit_code == 0, listed.output
    assert invitation.id in listed.output and "used" in listed.output
    assert "session" in listed.output and "open since" in listed.output
    as_json = json.loads(CliRunner().invoke(app, ["portal", "people", "--format", "json"]).output)
    assert as_json[0]["state"] == "used" and "token_sha256" not in as_json[0]["invitation"]
    revoked = CliRunner().invoke(app, ["portal", "revoke", invitation.id])
    assert revoked.exit_code == 0 and "Revoked invitation" in revoked.output
    assert member.get("/member").status_code == 403
    unknown = CliRunner().invoke(app, ["portal", "revoke", invitation.id])
    assert unknown.exit_code == 2 and "not an open invitation" in unknown.output


def test_sign_out_ends_the_session_on_the_server(portal: Portal) -> None:
    client = _signed_in(portal)
    cookie = client.cookies[COOKIE]
    out = client.post("/signout", data={"csrf": _csrf(client)})
    assert out.status_code == 200 and "signed out" in out.text
    replay = _browser(portal)
    replay.cookies.set(COOKIE, cookie)  # a copy of the cookie taken before
    assert replay.get("/member").status_code == 403
    (session,) = portal.store.sessions()
    assert session.ended_reason == "signed out"


def test_an_idle_session_ends(portal: Portal) -> None:
    client = _signed_in(portal)
    with portal.store.tx() as conn:
        conn.execute("UPDATE sessions SET last_seen = '2020-01-01T00:00:00+00:00'")
    assert client.get("/member").status_code == 403
    assert portal.store.sessions()[0].ended_reason == "idle"


def test_a_spent_form_token_stays_spent_after_a_restart(portal: Portal) -> None:
    client = _signed_in(portal)
    token = _csrf(client)
    first = client.post("/member/upload", data={"csrf": token},
                        files={"contribution": ("KR.yaml", KR)})  # fmt: skip
    assert first.status_code == 303
    restarted = TestClient(make_app(portal), follow_redirects=False)  # a new app, same store
    restarted.cookies.set(COOKIE, client.cookies[COOKIE])
    replay = restarted.post("/member/upload", data={"csrf": token},
                            files={"contribution": ("KR.yaml", KR)})  # fmt: skip
    assert replay.status_code == 403
    assert "This form has expired" in replay.text and 'href="/member"' in replay.text
    assert "new invitation" not in replay.text
    assert len(portal.store.revisions(2024, "KR")) == 1


def test_sign_in_attempts_are_limited_per_client(portal: Portal) -> None:
    portal.limits = PortalLimits(signin_attempts=5)
    client = _browser(portal)
    codes = [client.get(f"/signin/guess{n}").status_code for n in range(7)]
    assert codes == [403] * 5 + [429] * 2
    _, token = portal.store.invite("member", "kr@example.org", member="KR")
    late = client.post(f"/signin/{token}")  # even a good link waits for the window
    assert late.status_code == 429 and "Too many sign-in attempts" in late.text
    assert late.headers["retry-after"] == str(portal.limits.signin_window_seconds)


# --- bounded work -----------------------------------------------------------------------------


def test_a_body_past_the_limit_is_refused_before_it_is_read(portal: Portal) -> None:
    """Driven at the ASGI level (the test client reads a whole body before it calls the
    application): a body with no Content-Length is refused once the bytes read pass the
    limit, not after 320 MiB."""
    import anyio

    client = _signed_in(portal)
    token = _csrf(client)
    app = make_app(portal)
    read = {"bytes": 0, "messages": 0}
    sent: list[Message] = []
    boundary = b"b0undary"
    head = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n'
            + token.encode() + b"\r\n--" + boundary + b'\r\nContent-Disposition: form-data; '
            b'name="contribution"; filename="KR.yaml"\r\n\r\n')  # fmt: skip

    async def receive() -> Message:
        read["messages"] += 1
        chunk = head if read["messages"] == 1 else b"x" * 65536
        read["bytes"] += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": read["messages"] < 5000}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/member/upload", "raw_path": b"",
             "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
             "server": ("testserver", 80), "client": ("198.51.100.7", 5000),
             "headers": [(b"host", b"testserver"),
                         (b"cookie", f"{COOKIE}={client.cookies[COOKIE]}".encode()),
                         (b"content-type", b"multipart/form-data; boundary=" + boundary)]}  # fmt: skip

    async def run() -> None:
        async with app.router.lifespan_context(app):
            await app(scope, receive, send)

    anyio.run(run)
    assert sent[0]["status"] == 413
    assert read["bytes"] < 3 * 1024 * 1024, read  # stopped near the limit, not at 320 MiB
    declared = client.post("/member/upload", content=b"x",
                           headers={"content-length": str(300 * 1024 * 1024)})  # fmt: skip
    assert declared.status_code == 413 and "larger than" in declared.text
    assert portal.store.revisions(2024, "KR") == []
    assert not [p for p in portal.store.folder.rglob("*") if p.name.endswith(".tmp")]
    refusals = [x for x in portal.store.audit_lines() if x["action"] == "refused"]
    assert {x["status"] for x in refusals} == {413}
    assert "198.51.100.7" in {x["client"] for x in refusals}


def test_uploads_have_an_hourly_quota_per_member(portal: Portal) -> None:
    portal.limits = PortalLimits(uploads_per_hour=3)
    client = _signed_in(portal)
    for n in range(3):
        assert _upload(client, KR + f"# {n}\n".encode()).status_code == 303
    refused = _upload(client, KR + b"# one too many\n")
    assert refused.status_code == 429 and "at most 3 uploads" in refused.text
    assert refused.headers["retry-after"] == "3600"
    assert len(portal.store.revisions(2024, "KR")) == 3
    assert len(list(portal.store.revisions_dir(2024, "KR").glob("*.yaml"))) == 3


def test_a_slow_check_does_not_hold_other_people(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one member's file is checked (here a stand-in that blocks its thread until
    the other page has been served, or 10 s, as a long validation would), another person's
    page is served at once."""
    from wgreport.portal.checker import CheckResult

    checking, served = threading.Event(), threading.Event()

    def slow(*args: object, **kwargs: object) -> CheckResult:
        checking.set()
        served.wait(10)  # a page that waited for the check is served after it
        return CheckResult(False, ["slow"], [])

    monkeypatch.setattr(portal_app, "check_upload", slow)
    member = _signed_in(portal)
    token = _csrf(member)
    reviewer = _signed_in(portal, "reviewer", "r@example.org", reviewer="r-one")
    done: dict[str, float] = {}

    def upload() -> None:
        member.post("/member/upload", data={"csrf": token},
                    files={"contribution": ("KR.yaml", KR)})  # fmt: skip
        done["upload"] = time.monotonic()

    thread = threading.Thread(target=upload)
    thread.start()
    assert checking.wait(30), "the upload's check did not start"
    assert reviewer.get("/review").status_code == 200
    done["page"] = time.monotonic()
    served.set()
    thread.join()
    assert done["page"] < done["upload"]  # the page did not wait for the check


def test_a_check_past_its_time_or_memory_is_stopped_with_a_clear_refusal(portal: Portal) -> None:
    from wgreport.portal.checker import check_upload

    path = portal.inputs_dir / "2024" / "contributions" / "KR.yaml"
    slow = check_upload(portal.inputs_dir, 2024, "KR", path, PortalLimits(check_seconds=0.01))
    assert not slow.valid and slow.refusal and "longer than 0.01 seconds" in slow.refusal
    small = check_upload(portal.inputs_dir, 2024, "KR", path,
                         PortalLimits(check_memory_bytes=64 * 1024))  # fmt: skip
    assert not small.valid and small.refusal and "more than 64 KiB of memory" in small.refusal
    fine = check_upload(portal.inputs_dir, 2024, "KR", path)
    assert fine.valid and fine.refusal is None


def test_the_yaml_made_from_a_workbook_meets_the_upload_limit(portal: Portal) -> None:
    """A small workbook whose YAML is larger than an uploaded file may be is refused
    (it was accepted as a YAML file validate and the build then refused)."""
    from wgreport.inputs.validation import load_working_group
    from wgreport.inputs.workbook import write_workbook
    from wgreport.inputs.yamlsource import load_yaml

    wg, _ = load_working_group(portal.inputs_dir / "working-group.yaml")
    path = portal.inputs_dir / "2024" / "contributions" / "KR.yaml"
    before = path.read_bytes()
    data = load_yaml(path).data
    for initiative in data["initiatives"]:  # text that compresses well, each within its limit
        initiative["description"] += " Interoperability-transformation." * 100  # 100 words
    workbook = write_workbook(data, wg)
    made = len(KR) + 100 * 33 * len(data["initiatives"])  # about the YAML's size
    limit = len(workbook) + 1024
    assert limit < made, (len(workbook), made)
    portal.limits = PortalLimits(upload_bytes=limit, body_bytes=64 * 1024)
    client = _signed_in(portal)
    assert _upload(client, workbook, "KR.xlsx").status_code == 303
    (record,) = portal.store.revisions(2024, "KR")
    assert record["status"] == "refused" and "The YAML made from this workbook" in record["message"]
    assert "The YAML made from this workbook" in client.get("/member").text
    assert path.read_bytes() == before


# --- every response and every refusal accounted for -------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nowhere", 404), ("POST", "/member", 405), ("GET", "/member/", 404),
     ("GET", "/signin/x", 403), ("GET", "/", 403)],
)  # fmt: skip
def test_every_response_carries_the_security_headers(
    portal: Portal, method: str, path: str, status: int
) -> None:
    response = _browser(portal).request(method, path)
    assert response.status_code == status
    for key, value in SECURITY_HEADERS.items():
        assert response.headers[key] == value, key


def test_a_500_gets_a_page_with_the_headers_and_an_audit_line(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(reviewpages, "drafts", broken)
    client = TestClient(make_app(portal), follow_redirects=False, raise_server_exceptions=False)
    _, token = portal.store.invite("reviewer", "r@example.org", reviewer="r-one")
    assert client.post(f"/signin/{token}").status_code == 303
    response = client.get("/review", headers={"user-agent": "probe/1.0"})
    assert response.status_code == 500 and "nothing of it was kept" in response.text
    assert (
        response.headers["content-security-policy"] == SECURITY_HEADERS["content-security-policy"]
    )
    (line,) = [x for x in portal.store.audit_lines() if x["action"] == "error"]
    assert line["client"] == "testclient" and line["agent"] == "probe/1.0"
    assert "RuntimeError: a bug" in line["reason"] and line["who"]


def test_redirects_use_the_base_url_and_other_hosts_are_refused(portal: Portal) -> None:
    _, token = portal.store.invite("member", "kr@example.org", member="KR")
    client = _browser(portal)
    evil = client.post(f"/signin/{token}", headers={"host": "evil.example"})
    assert evil.status_code == 400 and "location" not in evil.headers
    signed = client.post(f"/signin/{token}")
    assert signed.headers["location"] == "http://testserver/"
    slash = client.get("/member/", headers={"host": "testserver"})
    assert slash.status_code == 404 and "location" not in slash.headers
    assert any(x["action"] == "refused" and x["status"] == 400
               for x in portal.store.audit_lines())  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(fields=st.dictionaries(
    st.sampled_from(["draft", "section", "page", "quote", "comment", "proposed_change", "kind"]),
    st.text(max_size=40)))  # fmt: skip
def test_no_form_value_makes_a_500(tmp_path_factory: pytest.TempPathFactory,
                                   fields: dict[str, str]) -> None:  # fmt: skip
    base = tmp_path_factory.mktemp("fuzz")
    portal = Portal(copy_inputs(base), base / "outputs", 2024, Store(base / "portal"),
                    base_url="http://testserver")  # fmt: skip
    client = _signed_in(portal, "reviewer", "r@example.org", reviewer="r-one")
    token = _csrf(client, "/review")
    response = client.post("/review/comment", data={**fields, "csrf": token})
    assert response.status_code in (303, 400), response.text[:500]


def test_a_superscript_digit_in_the_page_field_is_a_400_not_a_500(portal: Portal) -> None:
    client = _signed_in(portal, "reviewer", "r@example.org", reviewer="r-one")
    form = {"draft": "1", "section": "summary", "page": "²", "comment": "x",
            "proposed_change": "y", "kind": "factual", "csrf": _csrf(client, "/review")}  # fmt: skip
    response = client.post("/review/comment", data=form)
    assert response.status_code == 400 and "The comment was not added" in response.text


def test_anonymous_refusals_are_logged_at_a_bounded_rate(portal: Portal) -> None:
    client = _browser(portal)
    for _ in range(60):
        assert client.get("/member").status_code == 403
    refused = [x for x in portal.store.audit_lines() if x["action"] == "refused"]
    assert len(refused) == portal.limits.refusal_lines_per_minute
    assert all(x["client"] == "testclient" and x["path"] == "/member" for x in refused)


def test_a_full_disk_gives_a_clear_page_and_leaves_nothing_half_written(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _signed_in(portal)
    token = _csrf(client)
    real_fsync = os.fsync

    def full(fd: int) -> None:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)  # the os the store writes through
    response = client.post("/member/upload", data={"csrf": token},
                           files={"contribution": ("KR.yaml", KR)})  # fmt: skip
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert response.status_code == 507 and "disk is full" in response.text
    assert response.headers["x-frame-options"] == "DENY"
    assert portal.store.revisions(2024, "KR") == []
    leftovers = [p for p in portal.store.folder.rglob("*") if p.is_file()
                 and p.parent.name == "KR"]  # fmt: skip
    assert leftovers == []
    assert client.get("/member").status_code == 200
    assert _upload(client, KR).status_code == 303  # and the next upload goes through


# --- the audit log -----------------------------------------------------------------------------


def test_the_audit_log_finds_an_edit_a_removal_and_a_cut(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from wgreport.cli.main import app

    monkeypatch.setenv("WGREPORT_PORTAL_DIR", str(portal.store.folder))
    client = _signed_in(portal)
    assert _upload(client, KR).status_code == 303
    good = CliRunner().invoke(app, ["portal", "audit", "--verify"])
    assert good.exit_code == 0 and "intact" in good.output
    head = re.search(r"head (\d+:[0-9a-f]{64})", good.output)
    assert head is not None
    count = len(portal.store.audit_rows())
    assert count >= 4
    db = portal.store

    def broken(sql: str, *args: object) -> list[str]:
        with db.tx() as conn:
            conn.execute("SAVEPOINT s")
            conn.execute(sql, args)
            problems = db.verify_audit()[0]
            conn.execute("ROLLBACK TO s")
        return problems

    assert any("was changed" in p for p in broken(
        "UPDATE audit SET action = 'nothing' WHERE id = 2"))  # fmt: skip
    assert any("missing" in p for p in broken("DELETE FROM audit WHERE id = 2"))
    assert any("was cut" in p for p in broken("DELETE FROM audit WHERE id = ?", count))
    with db.tx() as conn:
        conn.execute("UPDATE audit SET client = '203.0.113.9' WHERE id = 1")
    bad = CliRunner().invoke(app, ["portal", "audit", "--verify"])
    assert bad.exit_code == 1 and "line 1 was changed" in bad.output
    assert db._connection().execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: fsynced
    # a log rewritten whole from line 2 on (a consistent new chain) passes a plain check,
    # but not one against the head noted before
    with db.tx() as conn:
        conn.execute("DELETE FROM audit WHERE id >= 2")
        conn.execute("DELETE FROM meta WHERE key = 'audit_head'")
        conn.execute("UPDATE audit SET client = NULL WHERE id = 1")
    with db.tx() as conn:
        row = conn.execute("SELECT * FROM audit WHERE id = 1").fetchone()
        from wgreport.portal import auditlog

        line = {k: row[k] for k in ("id", "at", "action", "who", "role", "client", "agent")}
        line["details"] = json.loads(row["details"])
        conn.execute(
            "UPDATE audit SET hash = ? WHERE id = 1", (auditlog.audit_hash(row["prev"], line),)
        )
    for _ in range(count):
        db.audit("forged", None)
    assert CliRunner().invoke(app, ["portal", "audit", "--verify"]).exit_code == 0
    noted = CliRunner().invoke(app, ["portal", "audit", "--verify", "--noted", head[1]])
    assert noted.exit_code == 1 and "is not the line that was noted" in noted.output


def test_the_audit_log_records_the_client_of_every_action(portal: Portal) -> None:
    client = _signed_in(portal)
    assert _upload(client, KR).status_code == 303
    lines = portal.store.audit_lines()
    for action in ("signin", "upload-received", "upload"):
        (line,) = [x for x in lines if x["action"] == action]
        assert line["client"] == "testclient", line


# --- files and migration ------------------------------------------------------------------------


def test_the_portal_folder_is_private(portal: Portal) -> None:
    portal.store.folder.mkdir()
    loose = portal.store.folder / "secret"
    loose.write_text("from an older version")
    os.chmod(loose, 0o644)
    client = _signed_in(portal)
    assert _upload(client, KR).status_code == 303
    assert stat.S_IMODE(portal.store.folder.stat().st_mode) == 0o700
    for path in portal.store.folder.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


def test_json_state_of_an_earlier_version_is_migrated(tmp_path: Path) -> None:
    folder = tmp_path / "portal"
    (folder / "revisions" / "2024" / "KR").mkdir(parents=True)
    invitation = {"id": "abc123abc123", "role": "member", "email": "kr@example.org",
                  "member": "KR", "reviewer": None, "token_sha256": "0" * 64,
                  "created": "2025-01-01T00:00:00+00:00",
                  "expires": "2099-01-01T00:00:00+00:00"}  # fmt: skip
    (folder / "invitations.json").write_text(json.dumps([invitation]))
    (folder / "revisions" / "2024" / "KR" / "001.yaml").write_bytes(KR)
    meta = {"revision": 1, "sha256": "1" * 64, "bytes": len(KR), "file": "001.yaml",
            "by": "abc123abc123", "email": "kr@example.org", "at": "2025-01-02T00:00:00+00:00",
            "status": "received"}  # fmt: skip
    (folder / "revisions" / "2024" / "KR" / "001.json").write_text(json.dumps(meta))
    (folder / "audit.log").write_text(json.dumps({"at": "2025-01-01T00:00:00+00:00",
                                                  "action": "invite", "who": None}) + "\n")  # fmt: skip
    store = Store(folder)
    assert [i.id for i in store.invitations()] == ["abc123abc123"]
    (revision,) = store.revisions(2024, "KR")
    assert revision["status"] == "interrupted"  # "received" for good: cut by a crash
    assert store.audit_lines()[0]["action"] == "invite"
    assert (folder / "invitations.json.migrated").is_file()
    assert (folder / "audit.log.migrated").is_file()
    assert store.verify_audit()[0] == []


def test_an_older_upload_checked_last_never_replaces_a_newer_accepted_one(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uploads are checked at once; revision 1's check ends after revision 2 was accepted:
    revision 1 is recorded as superseded and the member's file stays revision 2."""
    from wgreport.portal.checker import CheckResult

    first_started, second_done = threading.Event(), threading.Event()

    def check(inputs: Path, year: int, code: str, path: Path, limits: object) -> CheckResult:
        if path.name.startswith("001"):
            first_started.set()
            assert second_done.wait(30)  # revision 2 is accepted meanwhile
        return CheckResult(True, [], [])

    monkeypatch.setattr(portal_app, "check_upload", check)
    portal.limits = PortalLimits(checks_at_once=2)
    one = _signed_in(portal, email="kr1@example.org")
    two = _signed_in(portal, email="kr2@example.org")
    tokens = [_csrf(one), _csrf(two)]
    older, newer = KR + b"# older\n", KR + b"# newer\n"
    codes: list[int] = []

    def send(client: TestClient, token: str, body: bytes) -> None:
        response = client.post("/member/upload", data={"csrf": token},
                               files={"contribution": ("KR.yaml", body)})  # fmt: skip
        codes.append(response.status_code)

    first = threading.Thread(target=send, args=(one, tokens[0], older))
    first.start()
    assert first_started.wait(30)
    send(two, tokens[1], newer)
    second_done.set()
    first.join(30)
    assert codes == [303, 303]
    accepted = portal.inputs_dir / "2024" / "contributions" / "KR.yaml"
    assert accepted.read_bytes() == newer
    statuses = {r["revision"]: r["status"] for r in portal.store.revisions(2024, "KR")}
    assert statuses == {1: "superseded", 2: "accepted"}
    assert "revision 2" in portal.store.revisions(2024, "KR")[0]["message"]


def test_a_checker_that_fails_leaves_no_upload_being_checked_forever(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the upload checker failed: boom")

    monkeypatch.setattr(portal_app, "check_upload", broken)
    _, token = portal.store.invite("member", "kr@example.org", member="KR")
    client = TestClient(make_app(portal), follow_redirects=False, raise_server_exceptions=False)
    assert client.post(f"/signin/{token}").status_code == 303
    response = client.post("/member/upload", data={"csrf": _csrf(client)},
                           files={"contribution": ("KR.yaml", KR)})  # fmt: skip
    assert response.status_code == 500
    (record,) = portal.store.revisions(2024, "KR")
    assert record["status"] == "interrupted" and "failed while checking" in record["message"]
    page = client.get("/member").text
    assert "Being checked" not in page and "failed while checking" in page


def test_a_long_comment_in_any_script_is_not_refused_as_too_large(portal: Portal) -> None:
    client = _signed_in(portal, "reviewer", "r@example.org", reviewer="r-one")
    form = {"draft": "1", "section": "summary", "comment": "Ж" * 12_000,
            "proposed_change": "я" * 12_000, "kind": "factual",
            "csrf": _csrf(client, "/review")}  # fmt: skip
    response = client.post("/review/comment", data=form)
    assert response.status_code != 413, response.text[:300]


def test_parallel_uploads_cannot_pass_the_hourly_quota_together(portal: Portal) -> None:
    """The quota is counted in the transaction that adds the revision."""
    portal.limits = PortalLimits(uploads_per_hour=2)
    clients = [_signed_in(portal, email=f"kr{n}@example.org") for n in range(4)]
    tokens = [_csrf(c) for c in clients]
    codes: list[int] = []

    def send(client: TestClient, token: str, n: int) -> None:
        response = client.post("/member/upload", data={"csrf": token},
                               files={"contribution": ("KR.yaml", KR + f"# {n}\n".encode())})  # fmt: skip
        codes.append(response.status_code)

    threads = [threading.Thread(target=send, args=(c, t, n))
               for n, (c, t) in enumerate(zip(clients, tokens, strict=True))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(codes) == [303, 303, 429, 429]
    assert len(portal.store.revisions(2024, "KR")) == 2


def test_a_sign_in_posted_from_another_site_is_refused_and_a_second_one_ends_the_first(
    portal: Portal,
) -> None:
    _, token = portal.store.invite("member", "kr@example.org", member="KR")
    browser = _browser(portal)
    refused = browser.post(f"/signin/{token}", headers={"sec-fetch-site": "cross-site"})
    assert refused.status_code == 403 and COOKIE not in browser.cookies
    assert (
        browser.post(f"/signin/{token}", headers={"sec-fetch-site": "same-origin"}).status_code
        == 303
    )
    first = browser.cookies[COOKIE]
    _, other = portal.store.invite("reviewer", "r@example.org", reviewer="r-one")
    assert browser.post(f"/signin/{other}").status_code == 303
    old = _browser(portal)
    old.cookies.set(COOKIE, first)
    assert old.get("/member").status_code == 403
    ended = [s for s in portal.store.sessions() if s.ended]
    assert [s.ended_reason for s in ended] == ["signed in again"]


def test_an_interpreter_starved_of_memory_is_a_memory_refusal_not_a_crash() -> None:
    """A checker at its memory bound does not always raise MemoryError where it can be
    caught: it may fail at exit ("lost sys.stderr", 120) or in C code (SystemError). Each
    is the memory refusal; any other failure stays an error of the checker."""
    from wgreport.portal.checker import out_of_memory

    assert out_of_memory(3, b"") and out_of_memory(-9, b"")
    assert out_of_memory(120, b"Exception ignored ... lost sys.stderr\n")
    assert out_of_memory(1, b"SystemError: <built-in function> returned NULL\n")
    assert out_of_memory(1, b"MemoryError\n")
    assert not out_of_memory(1, b"KeyError: 'year'\n")
    assert not out_of_memory(0, b"")
