"""The report in Korean (issue 42): `wgreport build --lang ko` writes report.ko.pdf and
report.ko.html beside the English files of the same draft, listed in its manifest and
SHA256SUMS; the Korean PDF read back has its chrome and dates in Korean, /Lang ko-KR, and
every font embedded (no glyph missing)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, SMALL, copy_inputs


@pytest.fixture(scope="module")
def korean_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from wgreport.build.steps import BuildRequest, SequentialRunner, run_build
    from wgreport.runtime.settings import Settings

    base = tmp_path_factory.mktemp("korean")
    # the small edition (Korea's Hangul among its three members): what is read back is the
    # chrome, the dates, the fonts and the language tags, which ten members print alike
    inputs = copy_inputs(base, members=SMALL)
    settings = Settings(root=ROOT, inputs_dir=inputs, outputs_dir=base / "outputs")
    return run_build(settings, BuildRequest(2024, languages=("ko",)), SequentialRunner()).folder


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True)  # fmt: skip
    return out.stdout


def test_the_korean_files_are_beside_the_english_ones_in_the_same_draft(
    korean_draft: Path,
) -> None:
    names = {p.name for p in korean_draft.iterdir()}
    assert {"report.pdf", "report.html", "report.ko.pdf", "report.ko.html"} <= names
    manifest = json.loads((korean_draft / "manifest.json").read_text(encoding="utf-8"))
    korean = manifest["languages"]["ko"]
    assert korean["files"] == ["report.ko.html", "report.ko.pdf"]
    assert korean["render_warnings"] == []
    sums = (korean_draft / "SHA256SUMS").read_text(encoding="utf-8")
    assert "report.ko.pdf" in sums and "report.ko.html" in sums
    english = (korean_draft / "report.html").read_text(encoding="utf-8")
    assert english.startswith('<!DOCTYPE html>\n<html lang="en"')
    assert "목차" not in english


def test_the_korean_web_page_says_its_language(korean_draft: Path) -> None:
    html = (korean_draft / "report.ko.html").read_text(encoding="utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="ko"')
    # each language's page links the other's (alternate links, a language switch)
    assert '<link rel="alternate" hreflang="en" href="report.html" title="English">' in html
    english = (korean_draft / "report.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" hreflang="ko" href="report.ko.html" title="한국어">' in english
    assert (
        '<a href="report.ko.html" hreflang="ko" lang="ko"><span lang="ko">한국어</span></a>'
        in english
    )
    assert "word-break: keep-all" in html  # Hangul words kept whole (korean.css)


def test_the_korean_pdf_reads_back_in_korean(korean_draft: Path) -> None:
    import pikepdf

    pdf = korean_draft / "report.ko.pdf"
    text = pdf_text(pdf)
    for heading in ("목차", "거버넌스 개요", "이니셔티브", "감사의 글"):
        assert heading in text, heading
    assert re.search(r"\d{4}년 \d{1,2}월 \d{1,2}일", text), "no date in Korean form"
    assert "28 February 2025" not in text  # the deadline, as English writes it
    with pikepdf.open(pdf) as document:
        assert str(document.Root.Lang) == "ko-KR"
        manifest = json.loads((korean_draft / "manifest.json").read_text(encoding="utf-8"))
        assert len(document.pages) == manifest["languages"]["ko"]["pages"]


def test_every_font_of_the_korean_pdf_is_embedded(korean_draft: Path) -> None:
    out = subprocess.run(["pdffonts", str(korean_draft / "report.ko.pdf")],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    rows = out.splitlines()[2:]
    assert any("Noto-Sans-CJK-KR" in row for row in rows), out
    # Hangul in the installed faces only: no slant synthesised (Hangul has no italic)
    assert not any("CJK" in row and "Oblique" in row for row in rows), out
    # columns: name type encoding emb sub uni object ID
    not_embedded = [row for row in rows if row.split()[-5] != "yes"]
    assert not_embedded == [], out


def test_the_parts_left_in_english_are_tagged_en_in_the_pdf(korean_draft: Path) -> None:
    import pikepdf

    languages: set[str] = set()
    seen: set[tuple[int, int]] = set()

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if node.objgen != (0, 0):
                if node.objgen in seen:
                    return
                seen.add(node.objgen)
            if "/S" in node and "/Lang" in node:
                languages.add(str(node.Lang))
            if "/K" in node:
                walk(node.K)
        elif isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)

    with pikepdf.open(korean_draft / "report.ko.pdf") as document:
        walk(document.Root.StructTreeRoot)
    assert "en" in languages  # members' texts and the foreword, printed as written
    assert "ko" not in languages  # the page's own language is the catalog's, not marked
