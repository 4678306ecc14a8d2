"""The portal rehearsed in a real browser: `wgreport portal` on a loopback port over a copy
of the demo inputs, one invitation per role, and tools/browser/portal.mjs driving Debian's
headless Chromium through the pages. Used by tests/e2e/test_portal_browser.py and by
`make portal-images` (scripts/portal-images), which keeps its screenshots."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.conftest import Who

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools" / "browser"
WGREPORT = [sys.executable, "-m", "wgreport"]
KR = (ROOT / "inputs" / "2024" / "contributions" / "KR.yaml").read_bytes()
#: Korea's contribution with two errors: a theme that is not the group's, a value out of
#: its indicator's bounds.
TWO_ERRORS = KR.replace(b"theme: active-governance", b"theme: agile-goverance", 1).replace(
    b"value: 0.96789", b"value: 96.79", 1
)


@dataclass
class Rehearsal:
    base_url: str
    links: dict[str, str]  # role -> sign-in link
    inputs: Path
    outputs: Path
    portal_dir: Path
    files: Path  # the member's files to upload, downloads


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"wgreport portal exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"wgreport portal did not answer on port {port} in {seconds:g} s")


@contextlib.contextmanager
def rehearsal(base: Path, env: dict[str, str] | None = None) -> Iterator[Rehearsal]:
    """`wgreport portal` over a copy of the demo inputs in `base`, with one invitation per
    role; `env` is added to its environment (and so to the builds it starts)."""
    from wgreport.portal.store import Store

    inputs = base / "inputs"
    shutil.copytree(ROOT / "inputs", inputs)
    outputs, portal_dir, files = base / "outputs", base / "portal", base / "files"
    files.mkdir()
    (files / "KR-two-errors.yaml").write_bytes(TWO_ERRORS)
    (files / "KR.yaml").write_bytes(KR)
    store = Store(portal_dir)
    links = {}
    port = _free_port()
    invitations: list[tuple[str, Who]] = [
        ("member", {"member": "KR"}),
        ("reviewer", {"reviewer": "jane-example", "name": "Jane Example",
                      "organisation": "Example Review Office"}),
        ("secretariat", {}),
    ]  # fmt: skip
    for role, who in invitations:
        _, token = store.invite(role, f"{role}@example.org", **who)
        links[role] = f"http://127.0.0.1:{port}/signin/{token}"
    command = [*WGREPORT, "portal", "--port", str(port), "--year", "2024",
               "--inputs", str(inputs), "--outputs", str(outputs)]  # fmt: skip
    full_env = {**os.environ, "WGREPORT_PORTAL_DIR": str(portal_dir), **(env or {})}
    log = (base / "portal.log").open("wb")
    process = subprocess.Popen(command, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, process)
        yield Rehearsal(f"http://127.0.0.1:{port}", links, inputs, outputs, portal_dir, files)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def drive(
    run: Rehearsal,
    *,
    build: bool = True,
    screenshots: Path | None = None,
    comment: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Each role's visit in Chromium (tools/browser/portal.mjs); what it saw."""
    plan = {
        "base": run.base_url,
        "downloads": str(run.files),
        "screenshots": str(screenshots) if screenshots else None,
        "member": {
            "link": run.links["member"],
            "bad": str(run.files / "KR-two-errors.yaml"),
            "good": str(run.files / "KR.yaml"),
        },
        "secretariat": {"link": run.links["secretariat"], "build": build, "timeout_ms": 300_000},
        "reviewer": {
            "link": run.links["reviewer"],
            "comment": comment
            or {
                "section": "KR",
                "page": 12,
                "kind": "editorial",
                "comment": "The second paragraph repeats the first one's figures.",
                "proposed_change": "Keep the figures in the first paragraph only.",
            },
        },
    }
    path = run.files / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    proc = subprocess.run(
        ["node", str(TOOLS / "portal.mjs"), str(path)],
        capture_output=True, text=True, timeout=420, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        portal_log = (run.files.parent / "portal.log").read_text(errors="replace")[-3000:]
        raise AssertionError(f"{proc.stderr[-3000:]}\n--- portal log ---\n{portal_log}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result
