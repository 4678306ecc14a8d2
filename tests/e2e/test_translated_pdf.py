"""The Korean PDF tags what is printed translated as the page's language and what is left in
English as English (issue 42; WCAG 3.1.2, PDF/UA-1 §7.2): in its structure tree, read back
with pikepdf, the marked content holding Korea's translated summary has no `/Lang (en)` on
its way up (it is the document's ko-KR), and another member's summary, printed in English,
has. Its text per marked content is read with pypdf. A two-member copy of the demo, the
Korean PDF laid out in one pass; no Prefect."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest

from tests.conftest import ROOT, copy_inputs

MEMBERS = ("KR", "GB")
KOREAN_SUMMARY = "일상적인"  # Korea's summary in Korean: "…시범 단계에서 일상적인 운영으로 옮겼다"
ENGLISH_SUMMARY = "organisational change"  # the United Kingdom's, untranslated

Key = tuple[int, int]  # (page index, marked-content id)


@pytest.fixture(scope="module")
def korean_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from wgreport.build.pipeline import image_folders, make_context
    from wgreport.build.plan import make_build_info
    from wgreport.i18n import language
    from wgreport.inputs.edition import load_edition_inputs
    from wgreport.render.html import render_html
    from wgreport.render.pdf.report import render_pdf_report

    folder = tmp_path_factory.mktemp("translated-pdf")
    loaded = load_edition_inputs(copy_inputs(folder, MEMBERS), 2024)
    with language("ko"):
        ctx = make_context(loaded, make_build_info(1), lang="ko")
    html = render_html(ctx, ROOT / "templates", lang="ko")
    rendered = render_pdf_report(ctx, html, ROOT / "templates", lang="ko", workers=1,
                                 image_roots=image_folders(loaded))  # fmt: skip
    path = folder / "report.ko.pdf"
    path.write_bytes(rendered.pdf)
    return path


def languages_of_content(path: Path) -> dict[Key, str]:
    """Each marked content's language: the /Lang of its nearest structure element that has
    one, else the document's."""
    found: dict[Key, str] = {}
    with pikepdf.open(path) as pdf:
        pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}

        def walk(node: Any, lang: str, page: int) -> None:
            if isinstance(node, pikepdf.Array):
                for child in node:
                    walk(child, lang, page)
            elif isinstance(node, pikepdf.Dictionary):
                if "/Pg" in node:
                    page = pages.get(node.Pg.objgen, page)
                if "/Lang" in node:
                    lang = str(node.Lang)
                if "/MCID" in node and "/S" not in node:  # a marked-content reference
                    found[(page, int(node.MCID))] = lang
                elif "/K" in node:
                    walk(node.K, lang, page)
            elif isinstance(node, int):
                found[(page, node)] = lang

        walk(pdf.Root.StructTreeRoot.K, str(pdf.Root.Lang), -1)
    return found


def _page_texts(page: pypdf.PageObject) -> dict[int, str]:
    """The text each marked content of `page` draws, by its id."""
    texts: dict[int, str] = defaultdict(str)
    open_ids: list[int | None] = []

    def before(op: bytes, args: Any, cm: Any, tm: Any) -> None:
        if op == b"BDC":
            props = args[1] if len(args) > 1 else None
            mcid = props.get("/MCID") if isinstance(props, dict) else None
            open_ids.append(None if mcid is None else int(mcid))
        elif op == b"BMC":
            open_ids.append(None)
        elif op == b"EMC" and open_ids:
            open_ids.pop()

    def text(piece: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        mcid = next((m for m in reversed(open_ids) if m is not None), None)
        if mcid is not None:
            texts[mcid] += piece

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def text_of_content(path: Path) -> dict[Key, str]:
    """The text each marked content draws, page by page."""
    return {
        (n, mcid): text
        for n, page in enumerate(pypdf.PdfReader(path).pages)
        for mcid, text in _page_texts(page).items()
    }


def test_koreas_translated_summary_is_not_tagged_english_and_another_members_is(
    korean_pdf: Path,
) -> None:
    languages, texts = languages_of_content(korean_pdf), text_of_content(korean_pdf)
    with pikepdf.open(korean_pdf) as pdf:
        assert str(pdf.Root.Lang) == "ko-KR"
    korean = [key for key, text in texts.items() if KOREAN_SUMMARY in text]
    english = [key for key, text in texts.items() if ENGLISH_SUMMARY in text]
    assert korean and english, "the summaries' text was not found in the PDF"
    assert all(key in languages for key in korean + english)  # every one is tagged content
    assert {languages[key] for key in korean} == {"ko-KR"}  # the page's own: no /Lang (en)
    assert {languages[key] for key in english} == {"en"}
