"""Loaded by every Python process whose PYTHONPATH starts with this folder (the site module
imports `sitecustomize` at start-up): records each attempt to resolve or reach an address
outside loopback, with the process and a short stack, in the file $WGREPORT_TEST_NETLOG.

It only records; the connection goes ahead (and fails on a machine without internet). The
telemetry test runs a build with this on every process of it (the CLI, the background
Prefect server, the render workers) and asserts that the file stays empty.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import traceback
from typing import Any

_LOG = os.environ.get("WGREPORT_TEST_NETLOG")
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def _is_local(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).strip("[]").lower()
    if name in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return False  # a host name: resolving it already leaves the machine
    return address.is_loopback or address.is_unspecified


def _record(what: str, host: object) -> None:
    if _LOG is None or _is_local(host):
        return
    stack = "".join(traceback.format_stack(limit=12)[:-2])
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(f"pid {os.getpid()}: {what} {host!r}\n{stack}\n")


if _LOG:
    _getaddrinfo = socket.getaddrinfo
    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: bytes | str | None, *args: Any, **kwargs: Any) -> Any:
        _record("getaddrinfo", host)
        return _getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.SocketType, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _record("connect", address[0])
        return _connect(self, address)

    def connect_ex(self: socket.SocketType, address: Any) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _record("connect", address[0])
        return _connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    # Recording wrappers in place of socket's own methods: mypy flags any method assigned.
    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
