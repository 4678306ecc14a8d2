"""Sending e-mail: over SMTP when a server is configured, else into the outbox folder.

The embedded default needs nothing set up: each message is written to `outputs/outbox/` as
`<UTC time>-<kind>-<short hash>.eml` (`layout.Outputs.outbox`), which any mail program
opens and `email.message_from_bytes` reads back, so the secretariat sees exactly what would
go out. With WGREPORT_SMTP_HOST set, messages are sent with smtplib (STARTTLS unless
WGREPORT_SMTP_STARTTLS=0).

A message that cannot be sent is never lost: it is written to the outbox all the same,
with a note `<name>.eml.failed` beside it saying when and why (the server, its port and
what it answered), and `MailError` names both. The password is never written anywhere:
not in the note, the error or a log line.

Standard library only (smtplib, email): the portal and the flows both send.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import hashlib
import ipaddress
import os
import re
import smtplib
import ssl
import tempfile
from email import policy
from email.message import EmailMessage
from pathlib import Path

from ..errors import MailError
from ..layout import Outputs, shown
from .clock import utc_now
from .settings import DEFAULT_MAIL_FROM, MailSettings, Settings

#: The header naming what a message is (receipt, reminder…): the outbox file's `<kind>`.
KIND_HEADER = "X-Wgreport-Kind"
#: What `Mailer.send` returns for a message the SMTP server accepted.
SENT_BY_SMTP = "smtp"
FAILED_SUFFIX = ".failed"
EML_SUFFIX = ".eml"

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def message_kind(message: EmailMessage) -> str:
    """The message's kind (its X-Wgreport-Kind header) as a file-name part: `reminder`."""
    kind = re.sub(r"[^a-z0-9]+", "-", str(message.get(KIND_HEADER) or "message").lower())
    return kind.strip("-")[:40] or "message"


def message_bytes(message: EmailMessage) -> bytes:
    """The message as it goes on the wire (CRLF line ends), and as the outbox keeps it."""
    return message.as_bytes(policy=policy.SMTP)


def outbox_name(message: EmailMessage, data: bytes) -> str:
    """`<UTC time>-<kind>-<short hash>.eml`: the time is the message's Date (else now), the
    hash is of its bytes, so two files of one name hold the same message."""
    when = utc_now()
    date = message.get("Date")
    if date:
        with contextlib.suppress(TypeError, ValueError):
            parsed = email.utils.parsedate_to_datetime(str(date))
            if parsed.tzinfo is not None:
                when = parsed
    stamp = when.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{stamp}-{message_kind(message)}-{digest}{EML_SUFFIX}"


def _write_atomically(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` as `folder/name`: a temporary file in the folder, flushed to disk, then
    renamed into place, so a reader never sees half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    fd, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _server_said(exc: BaseException) -> str:
    """What went wrong, in the server's words when it answered."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address}: {code} {_text(reply)}" for address, (code, reply) in exc.recipients.items()
        )
        return f"the server refused the recipients {refused}"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (
            f"the server refused the sender {exc.sender}: {exc.smtp_code} {_text(exc.smtp_error)}"
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"signing in was refused: {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the server said {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return (
            f"{exc} (the server offers no STARTTLS; WGREPORT_SMTP_STARTTLS=0 is only for a "
            "relay on this machine)"
        )
    if isinstance(exc, ConnectionRefusedError):
        return "the connection was refused (no SMTP server listens there)"
    if isinstance(exc, TimeoutError):
        return "the server did not answer in time"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc}"
    return str(exc) or type(exc).__name__


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def recipients(message: EmailMessage) -> list[str]:
    """The addresses of the message's To, Cc and Bcc headers."""
    found = [
        address
        for header in ("To", "Cc", "Bcc")
        for _, address in email.utils.getaddresses([str(v) for v in message.get_all(header, [])])
        if address
    ]
    return found


class Mailer:
    """Sends messages over SMTP when a server is configured, else keeps them in the outbox."""

    def __init__(self, outbox: Path, mail: MailSettings) -> None:
        self.outbox = outbox
        self.mail = mail

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer:
        """The mailer of these settings: their SMTP server, and the outputs' outbox."""
        return cls(Outputs(settings.outputs_dir).outbox, settings.mail)

    @property
    def via_smtp(self) -> bool:
        return bool(self.mail.smtp_host)

    def describe(self) -> str:
        """Where messages go, for a person: the server, or the outbox folder."""
        if self.via_smtp:
            return f"the SMTP server {self.mail.smtp_host}:{self.mail.smtp_port}"
        return f"the outbox {shown(self.outbox)} (no SMTP server set: WGREPORT_SMTP_HOST)"

    def send(self, message: EmailMessage) -> str:
        """Send `message`; return where it went: "smtp", or the path of its .eml file in
        the outbox. Over SMTP, a failure writes the message to the outbox with a
        `.eml.failed` note beside it and raises MailError (which names both); callers that
        must not fail because of an e-mail (an upload) catch it."""
        if not message.get("From"):
            message["From"] = self.mail.sender
        if not self.via_smtp:
            return str(self._keep_or_fail(message, "no SMTP server is set"))
        try:
            self._send_smtp(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise self._failed(message, _server_said(exc)) from exc
        return SENT_BY_SMTP

    def keep(self, message: EmailMessage) -> Path:
        """Write `message` to the outbox, atomically; return its file."""
        data = message_bytes(message)
        return _write_atomically(self.outbox, outbox_name(message, data), data)

    def _keep_or_fail(self, message: EmailMessage, why: str) -> Path:
        try:
            return self.keep(message)
        except OSError as exc:
            raise MailError(
                f"the {message_kind(message)} '{message.get('Subject', '')}' to "
                f"{', '.join(recipients(message)) or 'nobody'} was not sent ({why}) and could "
                f"not be written to the outbox {shown(self.outbox)}: {exc.strerror or exc}; "
                "check that the outputs folder is writable and has room"
            ) from exc

    def _failed(self, message: EmailMessage, reason: str) -> MailError:
        host, port = self.mail.smtp_host, self.mail.smtp_port
        kept = self._keep_or_fail(message, f"SMTP server {host}:{port}: {reason}")
        note = (
            f"Not sent at {utc_now().isoformat()}: SMTP server {host}:{port}: {reason}\n"
            f"To: {', '.join(recipients(message))}\nSubject: {message.get('Subject', '')}\n"
        )
        noted = _write_atomically(kept.parent, kept.name + FAILED_SUFFIX, note.encode("utf-8"))
        return MailError(
            f"could not send the {message_kind(message)} '{message.get('Subject', '')}' to "
            f"{', '.join(recipients(message)) or 'nobody'} over SMTP at {host}:{port}: "
            f"{reason}. The message is kept in {shown(kept)} (why: {shown(noted)}); check "
            "WGREPORT_SMTP_HOST, WGREPORT_SMTP_PORT and the server, then send it again "
            "(any mail program opens the .eml file).",
            kept=kept,
        )

    def _send_smtp(self, message: EmailMessage) -> None:
        mail = self.mail
        host = mail.smtp_host or ""
        if mail.smtp_password is not None and not mail.smtp_starttls and not _is_loopback(host):
            raise smtplib.SMTPException(
                "refusing to send the password unencrypted to a server on another machine "
                "(WGREPORT_SMTP_STARTTLS is off); turn STARTTLS on"
            )
        if mail.sender == DEFAULT_MAIL_FROM and str(message.get("From")) == DEFAULT_MAIL_FROM:
            raise smtplib.SMTPException(
                f"no sender address: set WGREPORT_MAIL_FROM (the From of the messages; "
                f"{DEFAULT_MAIL_FROM} is for the outbox only)"
            )
        with smtplib.SMTP(host, mail.smtp_port, timeout=mail.smtp_timeout) as smtp:
            if mail.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if mail.smtp_user:
                password = mail.smtp_password.get_secret_value() if mail.smtp_password else ""
                smtp.login(mail.smtp_user, password)
            refused = smtp.send_message(message)
        if refused:  # some recipients accepted, others not: say who was not
            raise smtplib.SMTPRecipientsRefused(refused)
