"""`wgreport preview` in its own process on a free loopback port, and the page driven in
headless Chromium (tools/browser/live.mjs): for tests/e2e/test_live_preview.py and
benchmarks/live_preview.py."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import ROOT
from tests.support.browsercheck import TOOLS, _require


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Running:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def status(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "_live/status", timeout=10) as answer:
            found: dict[str, Any] = json.loads(answer.read())
            return found

    def stop(self, timeout: float = 60) -> tuple[int, str]:
        """Ctrl-C (SIGINT to the server's process), then its exit code and what it printed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return -9, self.log.read_text(encoding="utf-8", errors="replace")
        return self.proc.returncode, self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def live_preview(
    inputs: Path, outputs: Path, *more: str, year: int = 2024, ready_seconds: float = 600
) -> Iterator[Running]:
    """The preview serving, its first build done; stopped (SIGINT) on the way out."""
    port = free_port()
    log = outputs.parent / f"preview-{port}.log"
    outputs.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "wgreport", "preview", "--year", str(year),
               "--inputs", str(inputs), "--outputs", str(outputs), "--port", str(port),
               "--no-browser", *more]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})  # fmt: skip
    running = Running(proc, f"http://127.0.0.1:{port}/", log)
    try:
        deadline = time.monotonic() + ready_seconds
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"wgreport preview ended: {log.read_text()[-3000:]}")
            try:
                running.status()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"not serving: {log.read_text()[-3000:]}") from None
                time.sleep(0.1)
        yield running
    finally:
        running.stop()


def drive(url: str, steps: list[dict[str, Any]], folder: Path, timeout_ms: int = 60_000) -> Any:
    """The page at `url` open in headless Chromium, each step's save made and the page
    watched until it shows what the step waits for (tools/browser/live.mjs); what it saw."""
    _require()
    plan = folder / "live-plan.json"
    plan.write_text(json.dumps({"url": url, "steps": steps, "timeout_ms": timeout_ms}))
    proc = subprocess.run(["node", str(TOOLS / "live.mjs"), str(plan)], capture_output=True,
                          text=True, timeout=600, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)
