"""The recorder the telemetry test relies on (tests/support/netlog/sitecustomize.py) does record:
a process that resolves a name or connects outside loopback leaves a line, loopback none."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NETLOG = Path(__file__).resolve().parents[1] / "support" / "netlog"

PROBE = """
import socket
socket.getaddrinfo("localhost", 80)
s = socket.socket(); s.settimeout(0.2)
try:
    s.connect(("127.0.0.1", 9))
except OSError:
    pass
if OUTSIDE:
    try:
        socket.getaddrinfo("api2.amplitude.com", 443)
    except OSError:
        pass
    s = socket.socket(); s.settimeout(0.2)
    try:
        s.connect(("192.0.2.1", 9))
    except OSError:
        pass
"""


def _run(tmp_path: Path, outside: bool) -> str:
    log = tmp_path / f"net-{outside}.log"
    env = {**os.environ, "WGREPORT_TEST_NETLOG": str(log), "PYTHONPATH": str(NETLOG)}
    code = f"OUTSIDE = {outside}\n" + PROBE
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    return log.read_text(encoding="utf-8") if log.exists() else ""


def test_loopback_is_not_recorded(tmp_path: Path) -> None:
    assert _run(tmp_path, outside=False) == ""


def test_a_name_and_an_address_outside_are_recorded(tmp_path: Path) -> None:
    log = _run(tmp_path, outside=True)
    assert "getaddrinfo 'api2.amplitude.com'" in log
    assert "connect '192.0.2.1'" in log


def test_importing_wgreport_turns_prefects_analytics_off_whatever_the_environment() -> None:
    env = {**os.environ, "DO_NOT_TRACK": "0", "PREFECT_SERVER_ANALYTICS_ENABLED": "true"}
    code = (
        "import os, wgreport, prefect\n"
        "from prefect._internal.analytics import is_telemetry_enabled\n"
        "from prefect.settings import get_current_settings\n"
        "print(os.environ['DO_NOT_TRACK'], is_telemetry_enabled(),"
        " get_current_settings().server.analytics_enabled)\n"
    )
    env = {k: v for k, v in env.items() if k not in {"CI", "GITHUB_ACTIONS"}}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "False", "False"]
