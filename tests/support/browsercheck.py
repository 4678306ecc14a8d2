"""Run the browser and HTML checks of tools/browser (installed by `make test`)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

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


def browser(mode: str, file: Path, width: int = 1280) -> dict[str, Any]:
    """`node check.mjs MODE FILE WIDTH` in headless Chromium; its JSON result."""
    _require()
    proc = subprocess.run(
        ["node", str(TOOLS / "check.mjs"), mode, str(file), str(width)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def vnu(file: Path) -> list[dict[str, Any]]:
    """The W3C Nu HTML Checker's errors for `file` (warnings and info left out)."""
    _require()
    proc = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", str(file)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    messages: list[dict[str, Any]] = json.loads(proc.stderr or proc.stdout)["messages"]
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
