"""Upload receipts (issue 37): after each upload is settled, the member who sent it gets a
receipt at their invitation's address: accepted, or not accepted with the count of its
problems. In the outbox when no SMTP server is set, over SMTP (a real aiosmtpd server on
loopback) when one is; a server that fails never fails the upload."""

from __future__ import annotations

import warnings
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import cast

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import DEMO_INPUTS, copy_inputs
from tests.support.smtpserver import free_port, smtp_server
from wgreport.layout import Outputs
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store

DEPUTY = "kr-deputy@example.org"  # the invitation's address, not the working group's
KR = (DEMO_INPUTS / "2024" / "contributions" / "KR.yaml").read_bytes()
TWO_ERRORS = KR.replace(b"theme: active-governance", b"theme: agile-goverance", 1).replace(
    b"value: 0.96789", b"value: 96.79", 1
)


@pytest.fixture(autouse=True)
def _no_smtp(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WGREPORT_SMTP_HOST", "WGREPORT_PORTAL_URL", "WGREPORT_MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    inputs = copy_inputs(tmp_path)
    return Portal(
        inputs, tmp_path / "outputs", 2024, Store(tmp_path / "portal"), base_url="http://testserver"
    )


def _korea(portal: Portal) -> TestClient:
    _, token = portal.store.invite("member", DEPUTY, member="KR")
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.post(f"/signin/{token}").status_code == 303
    return client


def _upload(client: TestClient, body: bytes, name: str = "KR.yaml") -> int:
    page = client.get("/member").text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/member/upload", data={"csrf": csrf}, files={"contribution": (name, body)}
    )
    return int(response.status_code)


def _outbox(portal: Portal) -> list[tuple[Path, EmailMessage]]:
    folder = Outputs(portal.outputs_dir).outbox
    files = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    return [(p, message_from_bytes(p.read_bytes(), policy=policy.default)) for p in files]


def _body(message: EmailMessage) -> str:
    text = cast(str, cast(EmailMessage, message.get_body(("plain",))).get_content())
    return " ".join(text.split())  # as read, not as wrapped


def test_an_accepted_upload_writes_its_receipt_to_the_outbox(portal: Portal) -> None:
    korea = _korea(portal)
    assert _upload(korea, KR) == 303
    assert portal.store.revisions(2024, "KR")[-1]["status"] == "accepted"
    ((path, message),) = _outbox(portal)
    assert path.name.endswith(".eml") and "-upload-receipt-" in path.name
    assert str(message["To"]) == DEPUTY
    assert str(message["Subject"]) == "[wgreport 2024] Your contribution was accepted"
    body = _body(message)
    assert "the file KR.yaml" in body and "Republic of Korea (KR)" in body
    assert "http://testserver/member" in body  # the portal's own address
    assert "United Kingdom" not in body


def test_a_refused_upload_says_how_many_problems_it_has(portal: Portal) -> None:
    korea = _korea(portal)
    assert _upload(korea, TWO_ERRORS, name="../../KR-fixed.yaml") == 303
    assert portal.store.revisions(2024, "KR")[-1]["status"] == "not valid"
    ((_, message),) = _outbox(portal)
    assert str(message["To"]) == DEPUTY
    assert str(message["Subject"]) == "[wgreport 2024] Your upload was refused: 2 problems to fix"
    body = _body(message)
    assert "found 2 problems" in body and "the file KR-fixed.yaml," in body and "../" not in body


def test_each_upload_gets_its_own_receipt(portal: Portal) -> None:
    korea = _korea(portal)
    assert _upload(korea, TWO_ERRORS) == 303
    assert _upload(korea, KR) == 303
    subjects = sorted(str(m["Subject"]) for _, m in _outbox(portal))
    assert subjects == [
        "[wgreport 2024] Your contribution was accepted",
        "[wgreport 2024] Your upload was refused: 2 problems to fix",
    ]


def test_a_receipt_goes_over_smtp_when_a_server_is_set(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server() as server:
        monkeypatch.setenv("WGREPORT_SMTP_HOST", server.host)
        monkeypatch.setenv("WGREPORT_SMTP_PORT", str(server.port))
        monkeypatch.setenv("WGREPORT_SMTP_STARTTLS", "0")
        monkeypatch.setenv("WGREPORT_MAIL_FROM", "secretariat@example.org")
        monkeypatch.setenv("WGREPORT_PORTAL_URL", "https://portal.example.org")
        korea = _korea(portal)
        assert _upload(korea, TWO_ERRORS) == 303
        (received,) = server.received
    assert received.rcpt_tos == [DEPUTY] and received.mail_from == "secretariat@example.org"
    assert str(received.message["Subject"]).endswith("Your upload was refused: 2 problems to fix")
    assert "https://portal.example.org/member" in received.body
    assert _outbox(portal) == []  # sent, so not kept
    assert not [x for x in portal.store.audit_lines() if x["action"] == "mail-failed"]


def test_an_smtp_failure_keeps_the_receipt_and_never_fails_the_upload(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WGREPORT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WGREPORT_SMTP_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("WGREPORT_SMTP_STARTTLS", "0")
    monkeypatch.setenv("WGREPORT_MAIL_FROM", "secretariat@example.org")
    korea = _korea(portal)
    assert _upload(korea, KR) == 303
    assert portal.store.revisions(2024, "KR")[-1]["status"] == "accepted"
    assert "Accepted" in korea.get("/member").text
    ((path, message),) = _outbox(portal)
    assert str(message["To"]) == DEPUTY
    assert path.with_name(path.name + ".failed").is_file()
    (line,) = [x for x in portal.store.audit_lines() if x["action"] == "mail-failed"]
    assert line["kind"] == "upload-receipt" and line["to"] == DEPUTY and line["revision"] == 1
    assert "connection was refused" in str(line["reason"]) and line["kept"] == str(path)


def test_an_unwritable_outbox_never_fails_the_upload(portal: Portal) -> None:
    outbox = Outputs(portal.outputs_dir).outbox
    outbox.parent.mkdir(parents=True, exist_ok=True)
    outbox.write_text("a file where the outbox folder should be", encoding="utf-8")
    korea = _korea(portal)
    assert _upload(korea, KR) == 303
    assert portal.store.revisions(2024, "KR")[-1]["status"] == "accepted"
    (line,) = [x for x in portal.store.audit_lines() if x["action"] == "mail-failed"]
    assert "could not be written to the outbox" in str(line["reason"])
