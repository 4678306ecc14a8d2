"""A final, read back: tagged PDF/UA-1, metadata, attachments, no draft mark."""

from __future__ import annotations

import itertools
import subprocess
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, StreamObject

from wgreport.render.html import FINAL_VARIANT, unexpected_warnings

if TYPE_CHECKING:
    import pikepdf

BUILD_TIME = "2025-03-15T09:00:00+00:00"  # pinned by conftest


def text(pdf: Path, *pages: int) -> str:
    args = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    cmd = ["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def _dict(obj: object) -> DictionaryObject:
    """A PDF dictionary (pypdf types a looked-up value as any PDF object)."""
    assert isinstance(obj, DictionaryObject)
    return obj


def structure(reader: PdfReader) -> tuple[Counter[str], list[Any], list[int]]:
    """Structure element counts, the figures' Alt texts and the heading levels in order."""
    counts: Counter[str] = Counter()
    alts: list[Any] = []
    headings: list[int] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not isinstance(node, dict):
            return
        kind = str(node.get("/S", ""))
        if kind:
            counts[kind] += 1
            if kind == "/Figure":
                alts.append(node.get("/Alt"))
            if kind in {f"/H{n}" for n in range(1, 7)}:
                headings.append(int(kind[2]))
        if "/K" in node:
            walk(node["/K"])

    walk(_dict(reader.trailer["/Root"])["/StructTreeRoot"])
    return counts, alts, headings


@pytest.fixture(scope="module")
def reader(library_final: Path) -> PdfReader:
    return PdfReader(library_final / "report.pdf")


def test_final_is_tagged_pdf_ua_1(reader: PdfReader, library_final: Path) -> None:
    assert FINAL_VARIANT == "pdf/ua-1"
    root = _dict(reader.trailer["/Root"])
    assert bool(_dict(root["/MarkInfo"])["/Marked"])
    assert str(root["/Lang"]) == "en"
    assert bool(_dict(root["/ViewerPreferences"])["/DisplayDocTitle"])
    assert reader.pdf_header == "%PDF-1.7"
    xmp = reader.xmp_metadata
    assert xmp is not None
    metadata = root["/Metadata"].get_object()
    assert isinstance(metadata, StreamObject)
    raw = metadata.get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in raw or "<pdfuaid:part>1</pdfuaid:part>" in raw
    counts, alts, headings = structure(reader)
    assert counts["/Document"] == 1
    assert counts["/Table"] >= 20 and counts["/TH"] >= counts["/Table"]  # headers marked
    assert counts["/Figure"] >= 10 and all(alt for alt in alts)  # alt text on every figure
    assert headings[0] == 1
    for previous, level in itertools.pairwise(headings):
        assert level <= previous + 1, headings  # headings in order, none skipped


def test_final_metadata_comes_from_the_build(reader: PdfReader) -> None:
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Agile and Active Digital Governance — Annual Report 2024"
    assert meta.author == "Digital Nations Digital Governance Working Group"
    assert meta.subject and "2024" in meta.subject
    assert "digital government" in str(meta.get("/Keywords"))
    assert meta.creation_date is not None
    assert meta.creation_date.isoformat() == BUILD_TIME


def test_final_embeds_the_data_csvs(reader: PdfReader) -> None:
    attachments = reader.attachments
    assert "indicators.csv" in attachments and "initiatives.csv" in attachments
    indicators = attachments["indicators.csv"][0].decode("utf-8")
    assert indicators.startswith("member,indicator,") and "KR,egdi," in indicators


def test_final_has_no_draft_mark_and_a_draft_has_one(
    library_final: Path, library_draft: Path
) -> None:
    import pikepdf

    final = PdfReader(library_final / "report.pdf")
    assert not any("DRAFT" in page.extract_text() for page in final.pages)
    assert "Draft 0" not in text(library_final / "report.pdf")
    with pikepdf.open(library_final / "report.pdf") as pdf:
        assert not any(b"/Watermark" in _content(page) for page in pdf.pages)
    draft = PdfReader(library_draft / "report.pdf")
    with pikepdf.open(library_draft / "report.pdf") as pdf:
        marks = [_content(page) for page in pdf.pages]
    for page, content in zip(draft.pages, marks, strict=True):
        # the mark is drawn (filled outlines in an /Artifact of subtype Watermark) on every
        # page, and it is not text: neither pypdf nor pdftotext reads "DRAFT" or a piece of it
        assert b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC" in content
        page_text = page.extract_text()
        assert "DRAFT" not in page_text
        assert "Draft 001 · built 2025-03-15T09:00:00Z" in page_text
    words = set(text(library_draft / "report.pdf").split())
    assert not words & {"DR", "AF", "T", "DRAFT"}


def test_a_paragraph_copied_from_a_draft_is_only_the_paragraph(library_draft: Path) -> None:
    page = text(library_draft / "report.pdf").split("\f")[8]  # a page of running text
    paragraphs = [p for p in page.split("\n\n") if len(p) > 200]
    assert paragraphs
    for paragraph in paragraphs:
        assert not any(line.strip() in {"DR", "AF", "T"} for line in paragraph.splitlines())


def _content(page: pikepdf.Page) -> bytes:
    import pikepdf

    contents = page.obj.get("/Contents")
    items = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    return b"".join(c.read_bytes() for c in items if c is not None)


def test_final_renders_without_unexpected_warnings(library_final: Path) -> None:
    warnings = (library_final / "warnings.txt").read_text(encoding="utf-8").splitlines()
    assert unexpected_warnings(warnings) == []


def test_every_font_in_the_final_is_embedded(library_final: Path) -> None:
    rows = subprocess.run(
        ["pdffonts", str(library_final / "report.pdf")], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(rows) >= 4
    assert all(row.split()[-5] == "yes" for row in rows), rows
