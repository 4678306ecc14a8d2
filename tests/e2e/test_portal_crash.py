"""A member's upload killed (SIGKILL) at each of its steps, in a real `wgreport portal`
process: after a restart the member's file is the old one or the new one, whole; the
revision's record says which, and the audit log has a line for it and is intact; the
member's page answers 200 and the next upload is accepted (issue 35)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import copy_inputs
from tests.support.killpoints import UPLOAD_POINTS
from wgreport.portal.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60  # a hang guard, not a measurement
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the portal exited with {process.returncode}"
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise AssertionError(f"the portal did not answer on port {port}")


@contextlib.contextmanager
def _portal(
    base: Path, port: int, point: str | None = None, marker: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    args = ["portal", "--port", str(port), "--year", "2024", "--inputs", str(base / "inputs"),
            "--outputs", str(base / "outputs")]  # fmt: skip
    if point is None:
        command = [sys.executable, "-m", "wgreport", *args]
    else:
        command = [
            sys.executable,
            "-m",
            "tests.support.killpoints",
            point,
            str(marker),
            "--",
            *args,
        ]
    env = {**os.environ, "WGREPORT_PORTAL_DIR": str(base / "portal")}
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_for(port, process)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _csrf(client: httpx.Client) -> str:
    page = client.get("/member")
    assert page.status_code == 200, page.text[:500]
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found[1]


def _upload(client: httpx.Client, body: bytes) -> httpx.Response:
    return client.post("/member/upload", data={"csrf": _csrf(client)},
                       files={"contribution": ("KR.yaml", body)}, timeout=120)  # fmt: skip


@pytest.mark.parametrize("point", [p.name for p in UPLOAD_POINTS])
def test_an_upload_killed_at_each_step_leaves_a_whole_file_and_a_record(
    tmp_path: Path, point: str
) -> None:
    inputs = copy_inputs(tmp_path)
    accepted = inputs / "2024" / "contributions" / "KR.yaml"
    old = accepted.read_bytes()
    new = old + f"# sent before the kill at {point}\n".encode()
    store = Store(tmp_path / "portal")
    _, token = store.invite("member", "kr@example.org", member="KR")
    port = _free_port()
    marker = tmp_path / "reached"
    first = httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=False)
    with first, _portal(tmp_path, port, point, marker) as process:
        assert first.post(f"/signin/{token}").status_code == 303
        sending = threading.Thread(target=_send_quietly, args=(first, new))
        sending.start()
        deadline = time.monotonic() + 120  # a hang guard
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), f"the upload never reached {point}"
        os.killpg(process.pid, signal.SIGKILL)
        sending.join(30)
    # the file is the old one or the new one, whole
    now = accepted.read_bytes()
    assert now in (old, new), f"{point}: the member's file is neither the old nor the new one"
    assert not list(accepted.parent.glob(".KR.yaml.*")), "a temporary file was left"
    # the same browser (its session cookie) after a restart, which settles the cut upload
    client = httpx.Client(base_url=first.base_url, cookies=first.cookies, follow_redirects=False)
    with client, _portal(tmp_path, port):
        page = client.get("/member")
        assert page.status_code == 200, page.text[:500]
        (record,) = Store(tmp_path / "portal").revisions(2024, "KR")
        assert record["status"] == ("accepted" if now == new else "interrupted"), record
        assert record["message"] or point == "upload-recorded"  # says what happened
        lines = Store(tmp_path / "portal").audit_lines()
        if now == new:  # the file changed: an audit line says so, with its digest
            import hashlib

            digest = hashlib.sha256(new).hexdigest()
            assert any(x["action"] in ("upload", "upload-recovered") and x.get("sha256") == digest
                       and x.get("revision") == 1 for x in lines), lines  # fmt: skip
        assert any(x["action"] == "upload-received" for x in lines)
        again = new + b"# and after the restart\n"
        assert _upload(client, again).status_code == 303
        assert accepted.read_bytes() == again
        revisions = Store(tmp_path / "portal").revisions(2024, "KR")
        assert [r["status"] for r in revisions][-1] == "accepted"
        assert "Accepted" in client.get("/member").text
    problems, _, _ = Store(tmp_path / "portal").verify_audit()
    assert problems == []


def _send_quietly(client: httpx.Client, body: bytes) -> None:
    with contextlib.suppress(httpx.HTTPError):
        _upload(client, body)
