"""The demo's pages (draft and final) as an editor turns them, read back from the PDF: a table that
breaks says "Table N (continued)" on each later page; no page under half full but a
chapter's last; no page that begins with what belongs to the item before it (a table's
notes, a member's indicator sources, an initiative's line of links) and holds little else.
Word boxes come from `pdftotext -bbox`; tables' pages from the tagged PDF's structure tree
(WeasyPrint tags each page's piece of a table as a Table of its own, with its /Pg)."""

from __future__ import annotations

import html as htmllib
import re
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader

from tests.conftest import page_of

MM = 72 / 25.4
MARGIN_TOP = MARGIN_BOTTOM = 22 * MM  # templates/paged.css @page margin
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
Box = tuple[float, float, float, float, str]


@pytest.fixture(scope="module", params=["draft", "final"])
def report(request: pytest.FixtureRequest) -> Path:
    """The folder of the demo's draft or final (report.pdf and report.html): a draft is laid
    out per chapter, a final in one pass."""
    folder: Path = request.getfixturevalue(f"library_{request.param}")
    return folder


@pytest.fixture(scope="module")
def pages(report: Path) -> list[tuple[float, list[Box]]]:
    """Each page's height and the word boxes of its body (between the margins)."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(report / "report.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    out = []
    for height, body in re.findall(
        r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', xml, re.S
    ):
        bottom = float(height) - MARGIN_BOTTOM
        boxes = [
            (float(x0), float(y0), float(x1), float(y1), htmllib.unescape(t))
            for x0, y0, x1, y1, t in _WORD.findall(body)
        ]
        out.append(
            (float(height), [b for b in boxes if b[1] > MARGIN_TOP - 2 and b[3] < bottom + 2])
        )
    return out


def _head(pdf: Path, page: int) -> str:
    """The text of a page's head (the top margin), where paged.css sets the running lines."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    words = [(float(y0), htmllib.unescape(t)) for _, y0, _, _, t in _WORD.findall(xml)]
    return " ".join(t for y0, t in words if y0 < MARGIN_TOP - 2)


def _fill(height: float, boxes: list[Box]) -> float:
    bottom = height - MARGIN_BOTTOM
    low = max((b[3] for b in boxes), default=MARGIN_TOP)
    return (low - MARGIN_TOP) / (bottom - MARGIN_TOP)


def _chapter_starts(pdf: Path) -> set[int]:
    reader = PdfReader(pdf)
    return {page_of(reader, item) for item in reader.outline if not isinstance(item, list)}


def _kids(element: Any) -> list[Any]:
    k = element.get("/K")
    return list(k) if isinstance(k, pikepdf.Array) else ([k] if k is not None else [])


def _table_pages(pdf: Path) -> list[list[int]]:
    """Each table (in document order) as the pages its pieces are on."""
    pieces: list[tuple[bool, int]] = []
    with pikepdf.open(pdf) as doc:
        number = {page.obj.objgen: n for n, page in enumerate(doc.pages, start=1)}
        stack = _kids(doc.Root.StructTreeRoot)
        while stack:
            element = stack.pop(0)
            if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
                continue
            if pikepdf.Name.Table == element.S:
                parts = [k for k in _kids(element) if isinstance(k, pikepdf.Dictionary)]
                caption = any(p.get("/S") == pikepdf.Name.Caption for p in parts)
                pieces.append((caption, number[element.Pg.objgen]))
                continue
            stack[0:0] = _kids(element)
    tables: list[list[int]] = []
    for caption, page in pieces:
        if caption or not tables:
            tables.append([page])
        elif page != tables[-1][-1]:
            tables[-1].append(page)
    return tables


def test_a_table_that_breaks_says_continued_on_each_later_page(report: Path) -> None:
    pdf = report / "report.pdf"
    page = (report / "report.html").read_text(encoding="utf-8")
    numbers = re.findall(r"<caption[^>]*>Table ([A-Z0-9]+(?:\.\d+)*)\. ", page)
    tables = _table_pages(pdf)
    assert len(tables) == len(numbers) >= 25
    expected = {
        p: f"Table {n} (continued)" for n, ps in zip(numbers, tables, strict=True) for p in ps[1:]
    }
    assert expected, "the demo has tables across pages"
    labelled = {}
    for number in range(3, len(PdfReader(pdf).pages) + 1):
        found = re.search(r"Table [A-Z0-9.]+ \(continued\)", _head(pdf, number))
        if found:
            labelled[number] = found.group(0)
    assert labelled == expected


def test_no_page_is_under_half_full_but_a_chapter_s_last(
    report: Path, pages: list[tuple[float, list[Box]]]
) -> None:
    starts = _chapter_starts(report / "report.pdf")
    low = [
        (number, round(_fill(height, boxes), 2))
        for number, (height, boxes) in enumerate(pages, start=1)
        if number > 2  # the cover and its verso are designed pages
        and number + 1 not in starts
        and number != len(pages)
        and _fill(height, boxes) < 0.5
    ]
    assert low == []


def _link_lines(report: Path) -> list[str]:
    """The first link title of each initiative's line of links."""
    page = (report / "report.html").read_text(encoding="utf-8")
    lines = re.findall(r'<p class="links"><a [^>]*>([^<]+)</a>', page)
    return [htmllib.unescape(t).split()[0] for t in lines]


def _finding_starts(report: Path) -> set[str]:
    """The first two words of each of the summary's findings: a bullet that is an item of
    its own, not a note or an outcome that belongs to the item before it."""
    page = (report / "report.html").read_text(encoding="utf-8")
    found = re.search(r'<ul class="findings">(.*?)</ul>', page, re.S)
    assert found
    items = re.findall(r"<li>\s*([^<]+)", found.group(1))
    return {" ".join(htmllib.unescape(t).split()[:2]) for t in items}


def test_no_page_begins_with_what_belongs_to_the_item_before_it(
    report: Path, pages: list[tuple[float, list[Box]]]
) -> None:
    """A page that opens with a table's note, a member's indicator sources or an
    initiative's links, and holds less than half a page, is a page of leftovers."""
    links = set(_link_lines(report))
    findings = _finding_starts(report)
    assert links and findings
    leftovers = []
    for number, (height, boxes) in enumerate(pages, start=1):
        if number <= 2 or not boxes:
            continue
        top = min(b[1] for b in boxes)
        line = " ".join(b[4] for b in sorted(boxes) if abs(b[1] - top) < 2)
        first = line.split()[0]
        finding = " ".join(line.split()[1:3]) in findings  # a finding is an item of its own
        belongs = (first == "•" and not finding) or first in {"Note:", "Source:"}
        belongs = belongs or (first in links and "<http" in line)
        if belongs and _fill(height, boxes) < 0.5:
            leftovers.append((number, line[:60]))
    assert leftovers == []
