"""A cross-reference to an item on its own page reads without a page number ("Table 2.1",
not "Table 2.1, page 11" on page 11), in a draft laid out per chapter and in a final laid
out in one pass; one to another page keeps its number. Read back from the PDF, page by page
(pdftotext)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

#: "Table 2.1, page 11", "See Figure 4.1, page 9", "Data: Table B.3, page 50"
_REFERENCE = re.compile(r"\b(Table|Figure) ([A-Z0-9]+(?:\.\d+)*),\s+page\s+(\d+)")


@pytest.fixture(scope="module", params=["draft", "final"])
def report(request: pytest.FixtureRequest) -> Path:
    folder: Path = request.getfixturevalue(f"library_{request.param}")
    return folder / "report.pdf"


def _page_texts(pdf: Path) -> list[str]:
    count = len(PdfReader(pdf).pages)
    texts = []
    for number in range(1, count + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        texts.append(" ".join(text.split()))
    return texts


def _references(pdf: Path) -> list[tuple[int, str, int]]:
    """Each printed "<item>, page N" as (the page it is on, the item, N)."""
    return [
        (number, f"{m[1]} {m[2]}", int(m[3]))
        for number, text in enumerate(_page_texts(pdf), start=1)
        for m in _REFERENCE.finditer(text)
    ]


def test_no_reference_names_its_own_page(report: Path) -> None:
    own = [(page, item) for page, item, named in _references(report) if named == page]
    assert own == [], f"cross-references naming the page they are on: {own}"


def test_references_to_other_pages_keep_their_number(report: Path) -> None:
    others = [(page, item, named) for page, item, named in _references(report) if named != page]
    assert len(others) >= 5, others
    reader = PdfReader(report)
    texts = _page_texts(report)
    for page, item, named in others:
        # the page named is where the item is: its caption's number is printed there
        assert item.split()[1] in texts[named - 1], (page, item, named)
    assert len(reader.pages) >= max(named for _, _, named in others)
