"""The report page in real tools: the W3C Nu HTML Checker and axe-core in headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.browsercheck import browser, vnu_many


@pytest.fixture(scope="module")
def html_errors(library_draft: Path, library_final: Path) -> dict[str, list[dict[str, Any]]]:
    """The HTML checker's errors for the draft's and the final's report pages, checked in
    one run of the checker."""
    pages = {"library_draft": library_draft, "library_final": library_final}
    found = vnu_many([folder / "report.html" for folder in pages.values()])
    return {which: found[folder / "report.html"] for which, folder in pages.items()}


@pytest.mark.parametrize("which", ["library_draft", "library_final"])
def test_nu_html_checker_finds_no_errors(
    which: str, html_errors: dict[str, list[dict[str, Any]]]
) -> None:
    errors = html_errors[which]
    assert errors == [], [(e.get("lastLine"), e["message"]) for e in errors[:10]]


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_core_finds_no_wcag21_aa_violations(library_draft: Path, width: int) -> None:
    result = browser("axe", library_draft / "report.html", width)
    assert result["passes"] > 10  # axe really ran its rules
    assert result["violations"] == [], result["violations"]


def test_contents_stick_on_wide_screens_and_phones_need_no_sideways_scroll(
    library_draft: Path,
) -> None:
    wide = browser("layout", library_draft / "report.html", 1280)
    phone = browser("layout", library_draft / "report.html", 375)
    assert wide["tocPosition"] == "sticky"
    assert phone["tocPosition"] == "static"
    assert phone["scrollWidth"] <= phone["viewportWidth"]
    assert wide["charts"] == wide["chartsLabelled"] >= 8  # inline SVG, role=img, title, desc
    assert wide["images"] >= 2 and wide["brokenImages"] == []  # members' images as data: URLs
    assert wide["rtl"] and set(wide["rtl"]) == {"rtl"}  # Hebrew is laid out right to left


def test_report_page_works_offline_and_runs_nothing(library_draft: Path) -> None:
    result = browser("load", library_draft / "report.html")
    assert result["requests"] == []
    assert result["errors"] == [] and result["dialogs"] == [] and not result["scriptsRan"]


def test_every_link_on_the_page_resolves_or_is_a_download(library_draft: Path) -> None:
    result = browser("links", library_draft / "report.html")
    local = [link for link in result["links"] if link["href"].startswith("file:")]
    broken = [link["href"] for link in local if not link["exists"]]
    assert local and broken == [], broken


def test_a_contents_link_does_not_park_its_heading_under_the_draft_banner(
    library_draft: Path,
) -> None:
    result = browser("anchors", library_draft / "report.html", 1280)
    landed = result["landed"]
    assert len(landed) >= 20
    hidden = [x["href"] for x in landed if x["headingTop"] < x["bannerBottom"] - 0.5]
    assert hidden == []
    assert all(x["bannerBottom"] > 0 for x in landed)  # the banner is there, and sticky


def test_chart_text_stays_legible_on_a_phone(library_draft: Path) -> None:
    result = browser("anchors", library_draft / "report.html", 390)
    # an SVG scales with its box: at 390 px its smallest text is still about 7 px high
    assert result["minSvgTextPx"] is not None and result["minSvgTextPx"] >= 6.5


# --- the Korean page (issue 42): the same checks as the English one -------------------------


@pytest.fixture
def korean_page(korean_draft: Path) -> Path:
    """report.ko.html of the session's Korean draft of the demo (conftest.korean_draft),
    beside the English report.html it links."""
    from wgreport.layout import Draft

    return Draft(korean_draft).report_html_in("ko")


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_core_finds_no_violations_on_the_korean_page(korean_page: Path, width: int) -> None:
    assert korean_page.read_text(encoding="utf-8").startswith('<!DOCTYPE html>\n<html lang="ko"')
    result = browser("axe", korean_page, width)
    assert result["passes"] > 10  # axe really ran its rules
    assert result["violations"] == [], result["violations"]


def test_the_korean_page_loads_offline_with_no_console_error(korean_page: Path) -> None:
    result = browser("load", korean_page)
    assert result["requests"] == []
    assert result["errors"] == [] and result["dialogs"] == [] and not result["scriptsRan"]
    phone = browser("layout", korean_page, 375)
    assert phone["scrollWidth"] <= phone["viewportWidth"]  # no sideways scroll in Korean


def test_the_korean_page_s_contents_charts_and_anchors_work_as_the_english_ones(
    korean_page: Path,
) -> None:
    wide = browser("layout", korean_page, 1280)
    assert wide["tocPosition"] == "sticky"
    assert wide["charts"] == wide["chartsLabelled"] >= 8  # inline SVG, role=img, title, desc
    assert wide["images"] >= 2 and wide["brokenImages"] == []
    landed = browser("anchors", korean_page, 1280)["landed"]
    assert len(landed) >= 20
    assert [x["href"] for x in landed if x["headingTop"] < x["bannerBottom"] - 0.5] == []
    phone = browser("anchors", korean_page, 390)
    assert phone["minSvgTextPx"] is not None and phone["minSvgTextPx"] >= 6.5
