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
    # its downloads offer its own PDF (the data files are the same for every language)
    assert '<a href="report.ko.pdf">report.ko.pdf</a>: 이 보고서의 PDF' in html
    assert '<a href="report.pdf">report.pdf</a>: This report as PDF' in english


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


def test_the_manifest_records_the_parts_in_english_and_the_translation_files(
    korean_draft: Path,
) -> None:
    import html as html_module

    manifest = json.loads((korean_draft / "manifest.json").read_text(encoding="utf-8"))
    parts = manifest["languages"]["ko"]["original_parts"]
    page = (korean_draft / "report.ko.html").read_text(encoding="utf-8")
    line = re.search(r'<p class="original-language">(.*?)</p>', page, re.S)
    assert line, "no original-language line"
    printed = html_module.unescape(re.sub(r"<[^>]+>", "", line[1])).split(":", 1)[1]
    assert parts and ", ".join(parts) in " ".join(printed.split())  # the about chapter's list
    # members by their Korean names (Babel's); Korea's contribution is translated whole
    assert "영국" in parts and not any("대한민국" in p for p in parts)
    inputs = manifest["inputs"]
    assert {"inputs/translations/ko/group.yaml", "inputs/2024/translations/ko/KR.yaml"} <= set(
        inputs
    )
    validation = json.loads((korean_draft / "validation.json").read_text(encoding="utf-8"))
    files = [f["file"] for f in validation["translations"]["files"]]
    assert files == [
        "inputs/2024/translations/ko/KR.yaml",
        "inputs/translations/ko/group.yaml",
        "inputs/2024/translations/ko/edition.yaml",
    ]


def test_the_korean_page_matches_its_golden_copy(korean_draft: Path) -> None:
    from tests.support.goldentree import GOLDEN_KOREAN, korean_page

    assert GOLDEN_KOREAN.exists(), "run `make golden` (scripts/update-golden) and review"
    expected = GOLDEN_KOREAN.read_text(encoding="utf-8")
    actual = korean_page(korean_draft)
    if actual != expected:
        import difflib

        diff = difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), n=1)
        pytest.fail("report.ko.html differs from tests/golden/korean/ (run `make golden` and "
                    "review):\n" + "".join(list(diff)[:40]))  # fmt: skip


def test_the_korean_pdf_has_its_chrome_numbers_and_findings_in_korean(korean_draft: Path) -> None:
    text = " ".join(pdf_text(korean_draft / "report.ko.pdf").split())
    # the method chapter and the annexes' words
    for words in ("보고 기간 및 자료 기준일", "계열 단절", "중앙값", "완결성"):
        assert words in text, words
    # a computed finding, its numbers as the report rounds them, the rank's words
    assert re.search(r"중앙값은 0\.9140입니다", text), "no finding in Korean"
    assert re.search(r"\d+계단 (상승|하락)", text), "no rank change in Korean"
    assert re.search(r"\d+위에서 \d+위(으)?로", text), "no ranks in Korean"
    # a particle after a Korean word or a number takes its word's form (after a word in
    # another script it stays as written: its reading is not known)
    assert "덴마크가" in text
    assert not re.search(r"[가-힣0-9](이\(가\)|은\(는\)|을\(를\)|\(으\)로)", text)
    # dates and the draft's label
    assert "2025년 2월 28일" in text and "초안 001" in text
    # members by their Korean names; the status words of the spec
    for name in ("대한민국", "영국", "에스토니아", "진행 중", "완료"):
        assert name in text, name
    # English chrome that used to be there
    # (the key messages, people's English text, say "The group median …" as written)
    english_chrome = ("leads the group on", "(2024 data)", "Draft 001", "n/a", "Group median",
                      "in progress", ", page ", "Page 3 of")  # fmt: skip
    for english in english_chrome:
        assert english not in text, english
    assert "\ufffd" not in text  # no character the fonts could not map
    assert re.search(r"\b\d+ / 6\d쪽", text), "no page footer in Korean"
    assert re.search(r", \d+쪽", text), "no cross-reference's page in Korean"
    assert not re.search(r"Page \d+ of \d+", text)


def test_the_korean_charts_have_their_titles_and_labels_in_korean(korean_draft: Path) -> None:
    html = (korean_draft / "report.ko.html").read_text(encoding="utf-8")
    texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", html)
    labels = " ".join(texts)
    assert "이니셔티브" in labels  # an axis's label
    assert any(t.startswith("그룹 중앙값 ") for t in texts), "no reference label in Korean"
    assert "대한민국" in labels and "Korea" not in labels
    assert "주제별·회원국별 이니셔티브" in html  # a chart's title
    # and in the PDF, where the charts are drawn with their text
    text = " ".join(pdf_text(korean_draft / "report.ko.pdf").split())
    assert "그룹 중앙값" in text and "상태별·회원국별 이니셔티브" in text


HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")


def broken_hangul_words(pdf_text: str, words: set[str]) -> list[str]:
    """The runs of Hangul in `pdf_text` that are no whole run of Hangul in `words` (the
    page's text and the catalogue's): a word cut at a line's end reads as two pieces that
    are neither of them a word (대한민 / 국). A line of one syllable alone is a chart's
    rotated label, which pdftotext reads a glyph a line."""
    return sorted(
        {
            run
            for line in pdf_text.splitlines()
            if not re.fullmatch(r"\s*[\uac00-\ud7a3]\s*", line)
            for run in HANGUL_RUN.findall(line)
            if run not in words
        }
    )


def test_a_cut_word_is_found() -> None:
    assert broken_hangul_words("대한민\n국이 앞섭니다", {"대한민국이", "앞섭니다"}) == [
        "국이",
        "대한민",
    ]
    assert broken_hangul_words("대한민국이\n앞섭니다", {"대한민국이", "앞섭니다"}) == []


def test_no_hangul_word_is_cut_at_a_line_s_end_in_the_korean_pdf(korean_draft: Path) -> None:
    """Korean words are kept whole (WeasyPrint has no `word-break: keep-all`: each word is
    kept on its line, render/languages.py): every run of Hangul the PDF prints is a whole
    word of the page or of the catalogue's Korean."""
    import html as html_module

    from babel.messages.pofile import read_po

    from wgreport.i18n import catalogue_path

    page = (korean_draft / "report.ko.html").read_text(encoding="utf-8")
    page = re.sub(r"<style\b.*?</style>|<script\b.*?</script>", " ", page, flags=re.S)
    # a word's text may lie across inline tags (<em>거버넌스</em>를): read both ways
    words = {
        run
        for joiner in (" ", "")
        for run in HANGUL_RUN.findall(html_module.unescape(re.sub(r"<[^>]+>", joiner, page)))
    }
    with catalogue_path("ko").open("rb") as po:
        for message in read_po(po, locale="ko"):
            string = message.string
            strings = [string] if isinstance(string, str) else list(string or ())
            for one in strings:
                words |= set(HANGUL_RUN.findall(one or ""))
    text = pdf_text(korean_draft / "report.ko.pdf")
    assert HANGUL_RUN.search(text)
    assert broken_hangul_words(text, words) == []
