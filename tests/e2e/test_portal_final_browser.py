"""The secretariat's page while a build runs, and the final's page with a long checklist,
in headless Chromium at a phone's width (390 px): axe-core finds no WCAG 2.1 AA violation
(a meta refresh was one, critical), and nothing needs sideways scrolling."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from tests.support.browsercheck import browser
from tests.unit.portal.test_portal_final import ALL_TICKED, _client, _start, broken  # noqa: F401
from wgreport.portal.app import Portal


def test_the_year_and_final_pages_pass_axe_and_fit_a_phone(
    broken: Portal,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wgreport.portal.builds import Builds

    script = "import time; print('  [1/9] Reading', flush=True); time.sleep(60)"
    monkeypatch.setattr(Builds, "command", lambda self: [sys.executable, "-c", script])
    client = _client(broken)
    pages = {"final-checklist": client.get("/secretariat/final").text}
    assert _start(client, **ALL_TICKED).status_code == 303
    try:
        pages["secretariat-running"] = client.get("/secretariat").text
        pages["final-running"] = client.get("/secretariat/final").text
    finally:
        (record,) = broken.builds.records()
        os.killpg(int(record["pid"]), signal.SIGTERM)
        broken.builds.wait(1, timeout=30)
    assert 'id="build-running"' in pages["secretariat-running"]
    for name, html in pages.items():
        file = tmp_path / f"{name}.html"
        file.write_text(html, encoding="utf-8")
        result = browser("axe", file, 390)
        assert result["passes"] > 10, name  # axe really ran its rules
        assert result["violations"] == [], (name, result["violations"])
        layout = browser("layout", file, 390)
        assert layout["scrollWidth"] <= layout["viewportWidth"], (name, layout)
