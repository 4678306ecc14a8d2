"""Run the browser and HTML checks of tools/browser (installed by `make test`)."""

from __future__ import annotations

import atexit
import json
import select
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote

from tests.conftest import ROOT

TOOLS = ROOT / "tools" / "browser"
VNU = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")


def _require() -> None:
    missing = [
        what
        for what, ok in [
            ("node", shutil.which("node")),
            ("java", shutil.which("java")),
            ("chromium", CHROMIUM.exists()),
            ("tools/browser/node_modules (npm ci)", (TOOLS / "node_modules").is_dir()),
        ]
        if not ok
    ]
    if missing:
        raise AssertionError(
            "the browser checks need " + ", ".join(missing) + ": run `make test` to install them"
        )


class BrowserChecker:
    """One `node check.mjs serve` (one Chromium) for every browser check of this process (a
    pytest session, or one xdist worker): Chromium starts once instead of once a check. A
    browser that crashed is started again by check.mjs; a node process that died is started
    again here, and the check sent once more."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.stderr: IO[str] | None = None
        self.launches = 0  # Chromium starts reported by the running node process
        self.starts = 0  # node processes started

    def _start(self) -> subprocess.Popen[str]:
        self.close()
        self.stderr = tempfile.TemporaryFile("w+")  # noqa: SIM115 - kept for the process's life
        self.proc = subprocess.Popen(
            ["node", str(TOOLS / "check.mjs"), "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.starts += 1
        return self.proc

    def _stderr_tail(self) -> str:
        if self.stderr is None:
            return ""
        self.stderr.seek(0)
        return self.stderr.read()[-3000:]

    def _ask(self, proc: subprocess.Popen[str], line: str, timeout: float) -> str | None:
        """The node process's answer to `line`; None if it died first."""
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(line)
            proc.stdin.flush()
        except BrokenPipeError:
            return None
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            proc.kill()
            proc.wait()
            raise AssertionError(
                f"the browser check {line.strip()} gave no answer in {timeout:.0f} s "
                f"(stopped); check.mjs said: {self._stderr_tail()}"
            )
        answer = proc.stdout.readline()
        return answer or None

    def check(self, mode: str, file: Path, width: int, timeout: float = 180) -> dict[str, Any]:
        line = json.dumps({"mode": mode, "file": str(file), "width": width}) + "\n"
        answer = None
        for _ in range(2):
            proc = self.proc if self.proc is not None and self.proc.poll() is None else None
            answer = self._ask(proc or self._start(), line, timeout)
            if answer is not None:
                break
        assert answer is not None, (
            f"the browser checker (node check.mjs serve) died twice on {mode} {file}: "
            + self._stderr_tail()
        )
        reply: dict[str, Any] = json.loads(answer)
        self.launches = int(reply["launches"])
        assert reply["ok"], f"the browser check {mode} of {file} failed: {reply['error']}"
        result: dict[str, Any] = reply["result"]
        return result

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.close()  # check.mjs closes its browser and ends
                proc.wait(timeout=20)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
            proc.stdout.close()
        if self.stderr is not None:
            self.stderr.close()
            self.stderr = None


_checker: BrowserChecker | None = None


def checker() -> BrowserChecker:
    """This process's browser checker, started at its first check and closed at exit."""
    global _checker
    if _checker is None:
        _checker = BrowserChecker()
        atexit.register(_checker.close)
    return _checker


def browser(mode: str, file: Path, width: int = 1280) -> dict[str, Any]:
    """Check MODE (check.mjs's) of `file` at `width` in this process's headless Chromium;
    its JSON result."""
    _require()
    return checker().check(mode, file, width)


def vnu(file: Path) -> list[dict[str, Any]]:
    """The W3C Nu HTML Checker's errors for `file` (warnings and info left out)."""
    return vnu_many([file])[file]


def vnu_many(files: Sequence[Path]) -> dict[Path, list[dict[str, Any]]]:
    """The W3C Nu HTML Checker's errors for each of `files` (warnings and info left out),
    all checked by one run of the checker: a run's cost is mostly starting its JVM (about
    3.5 s of CPU), each further file adds little. Its messages are mapped back to their
    file by their "url"."""
    _require()
    absolute = {file: file.absolute() for file in files}
    proc = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always"]
        + [str(path) for path in absolute.values()],
        capture_output=True,
        text=True,
        timeout=180 + 30 * len(files),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    messages: list[dict[str, Any]] = json.loads(proc.stderr or proc.stdout)["messages"]
    errors: dict[Path, list[dict[str, Any]]] = {path: [] for path in absolute.values()}
    for message in messages:
        if not (message.get("type") == "error" or message.get("subType") == "fatal"):
            continue
        url = str(message.get("url", ""))
        path = Path(unquote(url.removeprefix("file:"))) if url.startswith("file:") else None
        assert path in errors, (
            f"the HTML checker reported {message.get('message')!r} for {url or 'no file'}, "
            f"not one of the files checked: {[str(p) for p in errors]}"
        )
        errors[path].append(message)
    return {file: errors[path] for file, path in absolute.items()}
