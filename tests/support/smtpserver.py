"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the tests of
e-mail notifications; and a port where nothing listens."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session


def free_port() -> int:
    """A loopback port nothing listens on (bound, read, released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    """One message as the server got it: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    signed_in: bool = False

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return cast(str, cast(EmailMessage, part).get_content())


@dataclass
class Collector:
    """aiosmtpd's handler: keeps each message; refuses the recipients in `refuse`."""

    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        data = envelope.content
        assert isinstance(data, bytes)
        message = message_from_bytes(data, policy=policy.default)
        self.received.append(
            Received(
                str(envelope.mail_from),
                list(envelope.rcpt_tos),
                message,
                bool(session.authenticated),
            )
        )
        return "250 Message accepted"


@dataclass
class Server:
    host: str
    port: int
    collector: Collector

    @property
    def received(self) -> list[Received]:
        return self.collector.received


def _authenticator(user: str, password: str) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            user.encode(),
            password.encode(),
        )
        return AuthResult(success=ok, handled=False)  # False: the server answers 535

    return check


@contextmanager
def smtp_server(
    refuse: set[str] | None = None, login: tuple[str, str] | None = None
) -> Iterator[Server]:
    """A running SMTP server on 127.0.0.1 (no TLS); with `login`, it accepts that sign-in
    (and refuses any other: 535)."""
    collector = Collector(refuse=set(refuse or ()))
    port = free_port()
    options: dict[str, Any] = {}
    if login is not None:
        options = {
            "authenticator": _authenticator(*login),
            "auth_require_tls": False,  # loopback, no TLS: the client signs in in clear
        }
    controller = Controller(collector, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield Server("127.0.0.1", port, collector)
    finally:
        controller.stop()
