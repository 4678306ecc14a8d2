"""The Korean report's cover in Korean (issue 42): its first page prints the edition's
title, the group's name and the secretariat's line from the translation files, and not
the English title (nor the English running title on the pages after it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def korean_pdf(korean_draft: Path) -> Path:
    """The Korean PDF of the session's Korean draft of the demo (conftest.korean_draft)."""
    from wgreport.layout import Draft

    return Draft(korean_draft).report_pdf_in("ko")


def page_text(pdf: Path, first: int, last: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(first), "-l", str(last), "-layout", str(pdf), "-"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    return " ".join(out.stdout.split())


def test_the_korean_cover_prints_the_korean_title_and_names(korean_pdf: Path) -> None:
    cover = page_text(korean_pdf, 1, 1)
    assert "민첩하고 능동적인 디지털 거버넌스" in cover
    assert "디지털 네이션즈 디지털 거버넌스 작업반" in cover
    assert "대한민국 행정안전부" in cover
    assert "Agile and Active" not in cover
    assert "Working Group" not in cover and "Ministry of the Interior" not in cover
    assert "Agile and Active" not in page_text(korean_pdf, 2, 4)  # the running title
