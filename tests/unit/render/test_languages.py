"""The language of parts (WCAG 3.1.2, PDF/UA-1 §7.2): Korean and Hebrew text says which
language it is, in the HTML and in the tagged PDF's structure."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pikepdf

from tests.conftest import ROOT
from wgreport.render.html import render_pdf
from wgreport.render.languages import mark_korean


def test_korean_runs_are_marked_in_text_only() -> None:
    html = (
        '<html lang="en"><head><title>정부</title><style>a::after { content: " <" attr(href)'
        ' ">" }</style></head><body><p title="정부">정부 24 and 디지털 플랫폼 (<b>정다은</b>)'
        "</p><svg><text>한국</text></svg></body></html>"
    )
    marked = mark_korean(html)
    assert '<p title="정부"><span lang="ko">정부</span> 24 and ' in marked
    assert '<span lang="ko">디지털 플랫폼</span> (<b><span lang="ko">정다은</span></b>)' in marked
    assert "<title>정부</title>" in marked  # the head is not the page's text
    assert '" <" attr(href) ">"' in marked  # nor is a style sheet, even with a "<" in it
    assert "<svg><text>한국</text></svg>" in marked  # nor inline SVG (a span is no SVG)
    assert mark_korean("English only <b>text</b>") == "English only <b>text</b>"


def _mcids(node: Any) -> list[int]:
    """The marked-content ids below a structure element."""
    if isinstance(node, int):
        return [int(node)]
    if isinstance(node, pikepdf.Array):
        return [m for child in node for m in _mcids(child)]
    if isinstance(node, pikepdf.Dictionary) and "/K" in node:
        return _mcids(node.K)
    return []


def _languages(pdf: pikepdf.Pdf) -> list[tuple[str, str, list[int]]]:
    """(structure type, /Lang, the marked-content ids below it) of each element with a /Lang."""
    found: list[tuple[str, str, list[int]]] = []

    def walk(node: Any) -> None:
        if isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            if "/Lang" in node:
                found.append((str(node.S), str(node.Lang), _mcids(node)))
            if "/K" in node:
                walk(node.K)

    walk(pdf.Root.StructTreeRoot.K)
    return found


def _glyphs_of(pdf: pikepdf.Pdf, mcid: int) -> int:
    """How many glyphs (two-byte CIDs) the page draws inside marked content `mcid`."""
    inside, count = False, 0
    for instruction in pikepdf.parse_content_stream(pdf.pages[0]):
        operands, name = instruction.operands, str(instruction.operator)
        if name == "BDC" and int(operands[1].get("/MCID", -1)) == mcid:
            inside = True
        elif name == "EMC":
            inside = False
        elif inside and name == "TJ":
            count += sum(len(bytes(x)) // 2 for x in operands[0] if isinstance(x, pikepdf.String))
        elif inside and name == "Tj":
            count += len(bytes(operands[0])) // 2
    return count


def test_a_korean_span_is_a_structure_element_with_its_language(tmp_path: Path) -> None:
    html = mark_korean(
        '<html lang="en"><head><title>t</title></head><body>'
        "<p>The committee (디지털플랫폼정부위원회) met.</p>"
        '<p dir="rtl" lang="he">כל השירותים</p></body></html>'
    )
    pdf_bytes, _ = render_pdf(html, ROOT / "templates")
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    tagged = _languages(pdf)
    assert [(kind, lang) for kind, lang, _ in tagged] == [("/Span", "ko"), ("/P", "he")]
    (_, _, mcids) = tagged[0]
    assert sum(_glyphs_of(pdf, m) for m in mcids) == len("디지털플랫폼정부위원회")
    assert str(pdf.Root.Lang) == "en"  # the page's own language stays the catalog's


#: The sha256 of `weasyprint.pdf.tags._build_box_tree`'s source in WeasyPrint 70.0, the
#: function `languages.tag_languages` wraps (docs/upstream/weasyprint-structure-lang.md).
CHECKED_BUILD_BOX_TREE = "e8338d00c41d15e44fa8fee551485b32cae9cab59b17ca5220d562e0f314cb00"


def test_the_wrapped_weasyprint_function_is_the_one_we_checked() -> None:
    """Fails when a WeasyPrint upgrade changes the private function we wrap: check whether
    upstream now writes /Lang itself (then drop the wrapper) or the wrapper still fits,
    and record the new digest."""
    import ast
    import hashlib

    import weasyprint.pdf.tags as tags

    source = Path(tags.__file__).read_text(encoding="utf-8")
    (function,) = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name == "_build_box_tree"
    ]
    text = ast.get_source_segment(source, function) or ""
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == CHECKED_BUILD_BOX_TREE
