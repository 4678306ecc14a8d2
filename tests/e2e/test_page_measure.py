"""Issue 40, the web page in the real Chromium: charts fit a phone's width, with a link to
each at full size; a reading measure of about 70-90 characters on a desktop screen; and
axe-core finds nothing, its best-practice rules included."""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.support.browsercheck import _require

SCRIPT = ROOT / "tests" / "support" / "pagemeasure.mjs"


@functools.cache  # a page at one width is measured once (each run starts Chromium and axe)
def _measure(file: Path, width: int, fragment: str = "") -> dict[str, Any]:
    _require()
    args = ["node", str(SCRIPT), str(file), str(width), *([fragment] if fragment else [])]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_charts_fit_a_phone_and_link_to_their_full_size(library_draft: Path) -> None:
    page = library_draft / "report.html"
    phone = _measure(page, 390)
    charts = phone["charts"]
    assert len(charts) >= 9
    assert phone["scrollWidth"] <= phone["viewportWidth"] == 390
    cut = [c["id"] for c in charts if c["right"] > phone["viewportWidth"] + 0.5 or c["left"] < 0]
    assert cut == [], f"charts cut off at the right at 390 px: {cut}"
    assert [c["fullSize"] for c in charts] == [f"#{c['id']}-full" for c in charts]
    # the link shows the chart at full size, scrolling sideways in its own box
    followed = _measure(page, 390, "fig-egdi-full")
    egdi = next(c for c in followed["charts"] if c["id"] == "fig-egdi")
    assert egdi["width"] > 500
    assert followed["scrollWidth"] <= followed["viewportWidth"]
    assert followed["minSvgTextPx"] >= 6.5


def test_the_reading_measure_is_about_70_to_90_characters_on_a_desktop(
    library_draft: Path,
) -> None:
    desktop = _measure(library_draft / "report.html", 1280)
    assert desktop["paragraphs"] >= 20
    assert 70 <= desktop["medianMeasure"] <= 90, desktop["medianMeasure"]


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_core_with_best_practices_finds_nothing(library_draft: Path, width: int) -> None:
    result = _measure(library_draft / "report.html", width)
    assert result["axePasses"] > 10  # axe really ran its rules
    assert result["violations"] == [], result["violations"]
