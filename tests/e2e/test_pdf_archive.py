"""The demo's draft and final as archives and assistive technology expect them, read back:
PDF 1.7, XMP metadata with the PDF/UA-1 identifier, the machine-checkable PDF/UA-1
conditions (tests/support/pdfua.py), one embedded font per face, and the Hebrew quotation
ruled on its right (where its lines start), in the PDF and in the HTML (Chromium)."""

from __future__ import annotations

import io
import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from tests.support.browsercheck import TOOLS, _require
from tests.support.pdfua import ua_problems, xmp_properties

DC = "{http://purl.org/dc/elements/1.1/}"
XMP = "{http://ns.adobe.com/xap/1.0/}"
HEBREW = re.compile("[\u0590-\u05ff]")
RULE = (0xC9, 0xD2, 0xDC)  # templates/report.css --rule, the quotation's rule


@pytest.fixture(scope="module", params=["draft", "final"])
def report(request: pytest.FixtureRequest) -> Path:
    """The demo draft's or final's report.pdf."""
    folder: Path = request.getfixturevalue(f"library_{request.param}")
    return folder / "report.pdf"


def test_the_pdf_meets_the_machine_checkable_pdf_ua_1_conditions(report: Path) -> None:
    assert ua_problems(report) == []


def test_the_pdf_is_1_7_with_xmp_metadata_from_the_build(report: Path) -> None:
    with pikepdf.open(report) as pdf:
        assert pdf.pdf_version == "1.7"
        assert report.read_bytes().startswith(b"%PDF-1.7")
        meta = xmp_properties(pdf.Root.Metadata.read_bytes())
        info = pdf.docinfo
        assert meta[f"{DC}title"] == str(info.Title)
        assert meta[f"{DC}creator"] == str(info.Author)
        assert meta[f"{DC}language"] == str(pdf.Root.Lang) == "en"
        assert meta[f"{XMP}CreateDate"].startswith("20")
        assert meta[f"{XMP}ModifyDate"] == meta[f"{XMP}CreateDate"]
        assert meta["{http://www.aiim.org/pdfua/ns/id/}part"] == "1"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)


def _font_programs(pdf: pikepdf.Pdf) -> Counter[str]:
    """Embedded font programs by face (the font name without its subset tag)."""
    faces: Counter[str] = Counter()
    for obj in pdf.objects:
        if (
            isinstance(obj, pikepdf.Dictionary)
            and obj.get("/Type") == pikepdf.Name.FontDescriptor
            and any(k in obj for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        ):
            faces[str(obj.FontName).split("+", 1)[-1]] += 1
    return faces


def test_each_face_is_embedded_once_across_the_merged_parts(report: Path) -> None:
    with pikepdf.open(report) as pdf:
        faces = _font_programs(pdf)
        fonts = [
            o
            for o in pdf.objects
            if isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == pikepdf.Name.Type0
        ]
    assert {"Noto-Sans", "Noto-Sans-Bold", "Noto-Sans-CJK-KR", "Noto-Sans-Hebrew"} <= set(faces)
    assert set(faces.values()) == {1}, faces
    assert len(fonts) == len(faces)
    # every glyph still has its outline: the Korean text extracts, the draft is small
    assert report.stat().st_size < 1_200_000, report.stat().st_size  # 2.46 MB before


def _words(pdf: Path) -> list[tuple[int, float, float, float, float, str]]:
    xml = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    out = []
    for number, body in enumerate(re.findall(r"<page [^>]*>(.*?)</page>", xml, re.S), start=1):
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            body,
        ):
            out.append((number, float(x0), float(y0), float(x1), float(y1), word))
    return out


def _rule_columns(pdf: Path, page: int, top: float, bottom: float) -> list[float]:
    """The x positions (pt) of the vertical lines in the quotation rule's colour that run
    the height of [top, bottom] on `page`."""
    from PIL import Image

    scale = 2  # 144 dpi
    png = subprocess.run(
        ["pdftoppm", "-r", str(72 * scale), "-f", str(page), "-l", str(page), "-png", str(pdf)],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    image = Image.open(io.BytesIO(png)).convert("RGB")
    rows = range(int(top * scale) + 2, int(bottom * scale) - 2)
    columns = []
    for x in range(image.width):
        hits = sum(
            all(abs(a - b) <= 14 for a, b in zip(image.getpixel((x, y)), RULE, strict=True))  # type: ignore[arg-type]
            for y in rows
        )
        if hits >= 0.9 * len(rows):
            columns.append(x / scale)
    return columns


def test_the_hebrew_quotation_is_ruled_on_its_right_in_the_pdf(report: Path) -> None:
    hebrew = [w for w in _words(report) if HEBREW.search(w[5])]
    # the quotation: the longest line of Hebrew (the others are Hebrew names in English text)
    (page, line), _ = Counter((w[0], round(w[2])) for w in hebrew).most_common(1)[0]
    quote = [w for w in hebrew if (w[0], round(w[2])) == (page, line)]
    left, right = min(w[1] for w in quote), max(w[3] for w in quote)
    top, bottom = min(w[2] for w in quote), max(w[4] for w in quote)
    columns = _rule_columns(report, page, top, bottom)
    assert columns, "no quotation rule found beside the Hebrew quotation"
    assert all(x > right for x in columns), (columns, left, right)


def _styles(html: Path, selector: str, *properties: str) -> list[dict[str, str]]:
    """Computed styles of the elements matching `selector`, in headless Chromium."""
    _require()
    proc = subprocess.run(
        ["node", str(TOOLS / "styles.mjs"), str(html), selector, *properties],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    result: list[dict[str, str]] = json.loads(proc.stdout)["elements"]
    return result


def test_the_hebrew_quotation_is_ruled_on_its_right_in_the_html(library_draft: Path) -> None:
    quotes = _styles(
        library_draft / "report.html",
        "blockquote",
        "direction", "border-left-width", "border-right-width", "text",
    )  # fmt: skip
    hebrew = [q for q in quotes if HEBREW.search(q["text"])]
    latin = [q for q in quotes if not HEBREW.search(q["text"])]
    assert hebrew
    for quote in hebrew:
        assert (quote["direction"], quote["border-right-width"], quote["border-left-width"]) == (
            "rtl", "3px", "0px"
        )  # fmt: skip
    for quote in latin:
        assert (quote["direction"], quote["border-left-width"]) == ("ltr", "3px")
