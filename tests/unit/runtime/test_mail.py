"""runtime.mail: the outbox by default, SMTP when configured (a real aiosmtpd server on
loopback), and a failure that names the server and keeps the message."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.smtpserver import free_port, smtp_server
from wgreport.errors import MailError
from wgreport.layout import Outputs
from wgreport.runtime.mail import FAILED_SUFFIX, KIND_HEADER, SENT_BY_SMTP, Mailer
from wgreport.runtime.settings import MailSettings, Settings, get_settings, mail_settings

SENDER = "secretariat@example.org"
PASSWORD = "correct-horse-battery-staple"


def _message(to: str = "kr-contact@example.org", subject: str = "Hello") -> EmailMessage:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Sat, 15 Mar 2025 09:00:00 +0000"
    message[KIND_HEADER] = "reminder"
    message.set_content("Dear colleague,\n\nThe portal: http://127.0.0.1:8080/member\n")
    return message


def _smtp(port: int, **changes: object) -> MailSettings:
    fields: dict[str, object] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "smtp_timeout": 10.0,
        "sender": SENDER,
    }
    fields.update(changes)
    return MailSettings.model_validate(fields)


def _read(path: Path) -> EmailMessage:
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def test_without_smtp_the_message_is_written_to_the_outbox(tmp_path: Path) -> None:
    settings = Settings(root=ROOT, inputs_dir=tmp_path / "inputs", outputs_dir=tmp_path / "out")
    mailer = Mailer.from_settings(settings)
    where = Path(mailer.send(_message()))
    outbox = Outputs(tmp_path / "out").outbox
    assert where.parent == outbox and list(outbox.iterdir()) == [where]  # no temporary left
    assert re.fullmatch(r"20250315T090000Z-reminder-[0-9a-f]{12}\.eml", where.name)
    back = _read(where)
    assert back["To"] == "kr-contact@example.org" and back["Subject"] == "Hello"
    body = back.get_body(("plain",))
    assert body is not None and "http://127.0.0.1:8080/member" in body.get_content()
    assert "outbox" in mailer.describe()


def test_two_messages_are_two_files(tmp_path: Path) -> None:
    mailer = Mailer(tmp_path / "outbox", MailSettings())
    first = mailer.send(_message(subject="One"))
    second = mailer.send(_message(subject="Two"))
    assert first != second and len(list((tmp_path / "outbox").glob("*.eml"))) == 2


def test_over_smtp_the_server_gets_the_message(tmp_path: Path) -> None:
    with smtp_server() as server:
        mailer = Mailer(tmp_path / "outbox", _smtp(server.port))
        assert mailer.send(_message()) == SENT_BY_SMTP
    (got,) = server.received
    assert got.mail_from == SENDER and got.rcpt_tos == ["kr-contact@example.org"]
    assert got.message["Subject"] == "Hello" and "/member" in got.body
    assert not (tmp_path / "outbox").exists()  # sent: nothing kept


def test_smtp_down_is_a_clear_error_and_the_message_is_kept(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    mailer = Mailer(tmp_path / "outbox", _smtp(port))
    with pytest.raises(MailError) as caught:
        mailer.send(_message(subject="Your contribution was accepted"))
    text = str(caught.value)
    assert f"127.0.0.1:{port}" in text and "connection was refused" in text
    assert "kr-contact@example.org" in text and "Your contribution was accepted" in text
    kept = caught.value.kept
    assert kept is not None and kept.is_file()
    assert _read(kept)["Subject"] == "Your contribution was accepted"
    note = kept.with_name(kept.name + FAILED_SUFFIX).read_text(encoding="utf-8")
    assert f"127.0.0.1:{port}" in note and "refused" in note


def test_a_refused_recipient_is_named_with_the_servers_answer(tmp_path: Path) -> None:
    with smtp_server(refuse={"gone@example.org"}) as server:
        mailer = Mailer(tmp_path / "outbox", _smtp(server.port))
        with pytest.raises(MailError, match=r"gone@example.org: 550 5\.1\.1 mailbox unavailable"):
            mailer.send(_message(to="gone@example.org"))
    assert server.received == []
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_sign_in_and_the_password_is_never_shown(tmp_path: Path) -> None:
    with smtp_server(login=("wg", PASSWORD)) as server:
        good = Mailer(
            tmp_path / "outbox", _smtp(server.port, smtp_user="wg", smtp_password=PASSWORD)
        )
        assert good.send(_message()) == SENT_BY_SMTP
        bad = _smtp(server.port, smtp_user="wg", smtp_password="not-" + PASSWORD)
        with pytest.raises(MailError, match="signing in was refused: 535") as caught:
            Mailer(tmp_path / "outbox", bad).send(_message())
    assert len(server.received) == 1 and server.received[0].signed_in
    kept = caught.value.kept
    assert kept is not None
    shown = [
        str(caught.value),
        kept.with_name(kept.name + FAILED_SUFFIX).read_text(encoding="utf-8"),
        repr(bad),
        str(bad),
    ]
    assert not any(PASSWORD in text for text in shown)


def test_a_password_is_not_sent_unencrypted_to_another_machine(tmp_path: Path) -> None:
    settings = _smtp(587, smtp_host="smtp.example.org", smtp_password=PASSWORD, smtp_user="wg")
    with pytest.raises(MailError, match="password unencrypted"):
        Mailer(tmp_path / "outbox", settings).send(_message())
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_smtp_needs_a_sender_address(tmp_path: Path) -> None:
    message = _message()
    del message["From"]
    with pytest.raises(MailError, match="WGREPORT_MAIL_FROM"):
        Mailer(tmp_path / "outbox", _smtp(free_port(), sender="wgreport@localhost")).send(message)


def test_an_outbox_that_cannot_be_written_is_an_error(tmp_path: Path) -> None:
    blocked = tmp_path / "outbox"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(MailError, match="could not be written to the outbox"):
        Mailer(blocked, MailSettings()).send(_message())


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "WGREPORT_SMTP_HOST": "smtp.example.org",
        "WGREPORT_SMTP_PORT": "2525",
        "WGREPORT_SMTP_USER": "wg",
        "WGREPORT_SMTP_PASSWORD": PASSWORD,
        "WGREPORT_SMTP_STARTTLS": "0",
        "WGREPORT_MAIL_FROM": SENDER,
        "WGREPORT_PORTAL_URL": "https://portal.example.org/",
    }.items():
        monkeypatch.setenv(name, value)
    mail = get_settings().mail
    assert (mail.smtp_host, mail.smtp_port, mail.smtp_user) == ("smtp.example.org", 2525, "wg")
    assert mail.smtp_password is not None and mail.smtp_password.get_secret_value() == PASSWORD
    assert not mail.smtp_starttls and mail.sender == SENDER
    assert mail.portal_url == "https://portal.example.org"
    assert PASSWORD not in repr(get_settings())


def test_the_default_is_the_outbox(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WGREPORT_SMTP_HOST", "WGREPORT_MAIL_FROM", "WGREPORT_PORTAL_URL"):
        monkeypatch.delenv(name, raising=False)
    mail = mail_settings()
    assert mail.smtp_host is None and mail.smtp_starttls
    assert mail.portal_url == "http://127.0.0.1:8080"
