"""A small published draft with a real report.pdf for the tests of country validation in
the portal: a few pages of text, a top-level bookmark per chapter (as the render's
WeasyPrint outline has), and the report.json that names each member's chapter."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf

from tests.support.editions import fake_draft
from wgreport.layout import REPORT_JSON, Outputs

#: (bookmark, member code or None, number of pages): the draft's chapters in order.
CHAPTERS: tuple[tuple[str, str | None, int], ...] = (
    ("Foreword", None, 1),
    ("1. About the working group and its method", None, 1),
    ("2. Republic of Korea", "KR", 2),
    ("3. United Kingdom", "GB", 3),
    ("Annex A. Indicator definitions and sources", None, 1),
)


def marker(code: str | None, title: str) -> str:
    """The words printed on each page of a chapter: a member's chapter names its code."""
    return f"CHAPTER-{code}" if code else f"PART-{title.split('.')[0].replace(' ', '-')}"


def pages_of(code: str) -> range:
    """The pages (from 1) of member `code`'s chapter in the draft."""
    first = 1
    for _, member, count in CHAPTERS:
        if member == code:
            return range(first, first + count)
        first += count
    raise KeyError(code)


def chapter_draft(outputs: Path, number: int, year: int = 2024) -> Path:
    """Publish draft `number` (its manifest, via `fake_draft`) with a report.pdf of
    `CHAPTERS` and its report.json; a link on KR's first page points to GB's last page.
    Returns the PDF's path."""
    total = sum(count for *_, count in CHAPTERS)
    fake_draft(outputs, number, pages=total, year=year)
    draft = Outputs(outputs).year(year).draft(number)
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    starts = []
    for title, code, count in CHAPTERS:
        starts.append((title, len(pdf.pages)))
        for index in range(count):
            page = pdf.add_blank_page(page_size=(595, 842))
            page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
            text = f"{marker(code, title)} page {index + 1} of {count}"
            page.obj.Contents = pdf.make_stream(f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode())
    kr, gb = pages_of("KR"), pages_of("GB")
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[72, 700, 300, 740],
        Dest=[pdf.pages[gb[-1] - 1].obj, pikepdf.Name.Fit],
    )
    pdf.pages[kr[0] - 1].obj.Annots = pdf.make_indirect(pikepdf.Array([link]))
    with pdf.open_outline() as outline:
        outline.root.extend(pikepdf.OutlineItem(title, start) for title, start in starts)
    pdf.save(draft.report_pdf)
    members = [code for _, code, _ in CHAPTERS if code]
    chapters = [
        {
            "id": f"member-{code.lower()}" if code else title.lower()[:8],
            "title": title,
            "member": members.index(code) if code else None,
        }
        for title, code, _ in CHAPTERS
    ]
    report = {"chapters": chapters, "members": [{"code": code} for code in members]}
    draft.file(REPORT_JSON).write_text(json.dumps(report), encoding="utf-8")
    return draft.report_pdf
