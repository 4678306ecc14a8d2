"""The review page (outputs/<year>/index.html) lists a draft's report in its other
languages beside the English (issue 42): the Korean PDF and page, their pages and the
PDF's sha256, when the draft's manifest records them and the files are there."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

from tests.conftest import ROOT
from tests.support.goldentree import GOLDEN_TREE
from wgreport.review.pages import render_review_page, review_page

GOLDEN_DRAFT = GOLDEN_TREE / "drafts" / "001"
KOREAN_PDF = b"%PDF-1.7 Korean report, not a real one"


def _year(tmp_path: Path, *, korean: bool) -> Path:
    """outputs/2024 with draft 001 (English only) and draft 002 (English and Korean)."""
    year_dir = tmp_path / "2024"
    first, second = year_dir / "drafts" / "001", year_dir / "drafts" / "002"
    shutil.copytree(GOLDEN_DRAFT, first)
    shutil.copytree(GOLDEN_DRAFT, second)
    if korean:
        (second / "report.ko.pdf").write_bytes(KOREAN_PDF)
        (second / "report.ko.html").write_text('<html lang="ko"></html>', encoding="utf-8")
        manifest = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
        manifest["draft"] = "002"
        manifest["languages"] = {
            "ko": {"pages": 41, "render_warnings": [], "files": ["report.ko.html", "report.ko.pdf"]}
        }
        manifest["outputs"]["report.ko.pdf"] = hashlib.sha256(KOREAN_PDF).hexdigest()
        (second / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return year_dir


def test_a_draft_in_two_languages_lists_both(tmp_path: Path) -> None:
    year_dir = _year(tmp_path, korean=True)
    page = review_page(year_dir)
    newest, oldest = page.drafts
    (korean,) = newest.translations
    assert (korean.lang, korean.name, korean.pages) == ("ko", "한국어", 41)
    assert (korean.pdf, korean.html) == ("drafts/002/report.ko.pdf", "drafts/002/report.ko.html")
    assert korean.pdf_sha256 == hashlib.sha256(KOREAN_PDF).hexdigest()
    assert oldest.translations == []
    html = render_review_page(page, ROOT / "templates")
    draft = re.search(r'<section class="draft" id="draft-002".*?</section>', html, re.S)
    assert draft is not None
    assert (
        '<span lang="en">English</span>: <a href="drafts/002/report.pdf" hreflang="en">PDF</a>'
        in (draft[0])
    )
    assert (
        '<p class="translation" data-lang="ko"><span lang="ko">한국어</span>: '
        '<a href="drafts/002/report.ko.pdf" hreflang="ko">PDF</a> · '
        '<a href="drafts/002/report.ko.html" hreflang="ko">HTML</a> · 41 pages · 0 kB</p>'
    ) in draft[0]
    assert f"<code>{hashlib.sha256(KOREAN_PDF).hexdigest()}</code>" in draft[0]
    first = re.search(r'<section class="draft" id="draft-001".*?</section>', html, re.S)
    assert first is not None and "report.ko" not in first[0] and "English" not in first[0]


def test_a_recorded_language_whose_files_are_gone_is_not_linked(tmp_path: Path) -> None:
    year_dir = _year(tmp_path, korean=True)
    (year_dir / "drafts" / "002" / "report.ko.pdf").unlink()
    assert [d.translations for d in review_page(year_dir).drafts] == [[], []]
