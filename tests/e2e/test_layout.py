"""The demo draft's layout, read back from its PDF: no page more than two-thirds empty but
the last page of a chapter, no table row left alone on either side of a page break (and
the header repeated), nothing past the margins. Word boxes come from `pdftotext -bbox`;
tables and rows from the tagged PDF's structure tree (WeasyPrint tags each page's piece
of a table as a Table of its own: the first with the caption, the rest continuations)."""

from __future__ import annotations

import re
import subprocess
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import page_of

MM = 72 / 25.4
MARGIN_TOP = MARGIN_BOTTOM = 22 * MM  # templates/paged.css @page margin
MARGIN_SIDE = 18 * MM
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


Box = tuple[float, float, float, float, str]  # x0, y0, x1, y1, the word


@pytest.fixture(scope="module")
def words(library_draft: Path) -> list[tuple[float, float, list[Box]]]:
    """Each page's width, height and word boxes (x0, y0, x1, y1, text): one pdftotext run
    for the whole module."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(library_draft / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xml, re.S)
    return [
        (
            float(w),
            float(h),
            [
                (float(x0), float(y0), float(x1), float(y1), t)
                for x0, y0, x1, y1, t in _WORD.findall(body)
            ],
        )
        for w, h, body in pages
    ]


def _chapter_starts(pdf: Path) -> set[int]:
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    return {page_of(reader, item) for item in reader.outline if not isinstance(item, list)}


def test_no_page_is_two_thirds_empty_but_a_chapter_s_last(
    library_draft: Path, words: list[tuple[float, float, list[Box]]]
) -> None:
    starts = _chapter_starts(library_draft / "report.pdf")
    empty = []
    for number, (_, height, boxes) in enumerate(words, start=1):
        if number <= 2:  # the cover and its verso are designed pages
            continue
        bottom = height - MARGIN_BOTTOM
        body = [b for b in boxes if b[1] > MARGIN_TOP - 2 and b[3] < bottom + 2]
        low = max((b[3] for b in body), default=MARGIN_TOP)
        fill = (low - MARGIN_TOP) / (bottom - MARGIN_TOP)
        last_of_chapter = number + 1 in starts or number == len(words)
        if fill < 1 / 3 and not last_of_chapter:
            empty.append((number, round(fill, 2)))
    assert empty == []


def test_charts_share_pages_as_small_multiples(
    library_draft: Path, words: list[tuple[float, float, list[Box]]]
) -> None:
    """A page with a chart is at least two-thirds full unless it ends its chapter: the two
    charts of one indicator share a page rather than each leaving half a page empty (at one
    chart per page, the indicator chapter's pages were 50-57% full)."""
    starts = _chapter_starts(library_draft / "report.pdf")
    titles = re.compile(r"^\d+\.\d+\.$")
    sparse, charts = [], 0
    for number, (_, height, boxes) in enumerate(words, start=1):
        texts = [b[4] for b in boxes]
        if not any(a == "Figure" and titles.match(b) for a, b in pairwise(texts)):
            continue
        charts += 1
        bottom = height - MARGIN_BOTTOM
        low = max(b[3] for b in boxes if b[3] < bottom + 2)
        fill = (low - MARGIN_TOP) / (bottom - MARGIN_TOP)
        if fill < 2 / 3 and number + 1 not in starts:
            sparse.append((number, round(fill, 2)))
    assert charts >= 5  # the demo's chart pages were found
    assert sparse == []


def test_nothing_runs_past_the_margins(words: list[tuple[float, float, list[Box]]]) -> None:
    outside = [
        (number, box)
        for number, (width, _, boxes) in enumerate(words, start=1)
        for box in boxes
        if box[0] < MARGIN_SIDE - 1 or box[2] > width - MARGIN_SIDE + 1
    ]
    assert outside == []


def _kids(element: Any) -> list[Any]:
    import pikepdf

    k = element.get("/K")
    return list(k) if isinstance(k, pikepdf.Array) else ([k] if k is not None else [])


def _table_pieces(pdf: Path) -> list[list[tuple[bool, int, int]]]:
    """Each table as its pieces, one a page: (has caption, header rows, body rows)."""
    import pikepdf

    pieces: list[tuple[bool, int, int]] = []
    with pikepdf.open(pdf) as doc:
        stack = _kids(doc.Root.StructTreeRoot)
        order: list[Any] = []
        while stack:  # depth first, in document order
            element = stack.pop(0)
            if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
                continue
            if pikepdf.Name.Table == element.S:
                order.append(element)
                continue
            stack[0:0] = _kids(element)
        for table in order:
            parts = [k for k in _kids(table) if isinstance(k, pikepdf.Dictionary)]
            rows = {
                s: sum(len(_kids(p)) for p in parts if p.get("/S") == pikepdf.Name(s))
                for s in ("/THead", "/TBody")
            }
            caption = any(p.get("/S") == pikepdf.Name.Caption for p in parts)
            pieces.append((caption, rows["/THead"], rows["/TBody"]))
    tables: list[list[tuple[bool, int, int]]] = []
    for piece in pieces:
        if piece[0] or not tables:
            tables.append([piece])
        else:
            tables[-1].append(piece)
    return tables


def test_a_table_breaks_with_two_rows_each_side_and_its_header_repeated(
    library_draft: Path,
) -> None:
    tables = _table_pieces(library_draft / "report.pdf")
    assert len(tables) >= 25
    split = [t for t in tables if len(t) > 1]
    assert split, "the demo has tables across pages"
    lone = [t for t in split if any(body < 2 for _, _, body in t)]
    assert lone == []
    assert all(head >= 1 for t in split for _, head, _ in t)  # the header on every page


def _layout_text(pdf: Path) -> str:
    """The whole PDF's text as pdftotext lays it out, pages separated by form feeds."""
    return subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_korean_words_do_not_break_inside_table_cells(library_draft: Path) -> None:
    from tests.conftest import DEMO_INPUTS
    from wgreport.inputs.edition import load_edition_inputs
    from wgreport.render.html import keep_korean_words

    assert keep_korean_words(
        "<p>정부 혁신</p><table><tr><td>A (정부혁신 계획)</td></tr></table>"
    ) == (
        '<p>정부 혁신</p><table><tr><td>A (<span class="nobr">정부혁신</span> '
        '<span class="nobr">계획</span>)</td></tr></table>'
    )
    korea = load_edition_inputs(DEMO_INPUTS, 2024).contributions["KR"]
    cells = f"{korea.governance.lead_institution} {korea.governance.strategy.title}"
    hangul = re.findall(r"[\uac00-\ud7a3]+", cells)
    assert len(hangul) >= 3
    text = _layout_text(library_draft / "report.pdf")
    printed = set(re.findall(r"[\uac00-\ud7a3]+", text))
    assert set(hangul) <= printed  # every word whole on its line, in the governance table too


def test_a_member_s_rank_prints_whole_in_its_table(library_draft: Path) -> None:
    """ "3rd of 10" on one line: a rank broken after "of" was read as 3rd of nothing."""
    html = (library_draft / "report.html").read_text(encoding="utf-8")
    pages = _layout_text(library_draft / "report.pdf").split("\f")
    tables = re.findall(r'<table class="data" id="tab-[a-z]{2}-indicators">.*?</table>', html, re.S)
    assert len(tables) == 10
    for table in tables:
        found = re.search(r"Table (\d+\.1)\.", table)
        assert found is not None
        number = found.group(1)
        ranks = re.findall(r'<td class="num[^"]*">(\d+(?:st|nd|rd|th)? of \d+)</td>', table)
        assert ranks, number
        at = next(i for i, page in enumerate(pages) if f"Table {number}." in page)
        text = pages[at] + pages[at + 1]  # the table may run on to the next page
        assert all(re.search(rf"\b{rank}\b", text) for rank in ranks), (number, ranks)
