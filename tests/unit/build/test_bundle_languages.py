"""The published bundle of a final built in several languages (issue 42): report.ko.pdf
and report.ko.html beside the English, in SHA256SUMS, their links kept; the landing page
offering both languages (hreflang links, the Korean lines in Korean)."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

from tests.conftest import FIXTURES
from tests.unit.build.test_bundle import PAGE, context, pdf_bytes
from wgreport.build.bundle import publish_bundle
from wgreport.build.publish import publish_final, verify_folder
from wgreport.layout import Inputs

KOREAN_PAGE = """<!DOCTYPE html>
<html lang="ko"><head><meta charset="utf-8"><title>보고서</title>
<link rel="alternate" hreflang="en" href="report.html">
<link rel="alternate" hreflang="ko" href="report.ko.html"></head><body>
<nav class="languages"><a href="report.html" hreflang="en" lang="en">English</a> ·
<a href="report.ko.html" hreflang="ko" aria-current="true">한국어</a></nav>
<p><a href="report.ko.pdf">PDF</a> <a href="comments.html">검토 의견</a></p>
</body></html>
"""


def _final(root: Path, languages: bool = True) -> tuple[Path, Path]:
    inputs, outputs = root / "inputs", root / "outputs"
    reviews = Inputs(inputs).edition(2024).reviews
    reviews.mkdir(parents=True)
    shutil.copy(FIXTURES / "reviews" / "valid" / "ee-review-team.yaml", reviews)
    english = PAGE.format(
        extra='<nav><a href="report.ko.html" hreflang="ko">한국어</a></nav>'
    ).encode()
    files = {
        "report.html": english,
        "report.pdf": pdf_bytes(),
        "data/indicators.csv": b"member,indicator,value,data_year\nKR,egdi,0.97,2024\n",
        "data/themes.csv": b"theme,KR,GB\nagile-governance,1,0\n",
        "report.json": json.dumps(context()).encode(),
        "comments.html": b"<p>typo</p>",
        "comments.csv": b"reviewer,comment\n",
        "validation.json": b'{"files": []}\n',
    }
    manifest: dict[str, object] = {"year": 2024, "built_at": "2025-03-15T09:00:00Z", "pages": 1}
    if languages:
        files["report.ko.html"] = KOREAN_PAGE.encode()
        files["report.ko.pdf"] = pdf_bytes("연례 보고서 2024")
        manifest["languages"] = {
            "ko": {"pages": 3, "render_warnings": [], "files": ["report.ko.html", "report.ko.pdf"]}
        }
    publish_final(outputs, 2024, files, manifest)
    return inputs, outputs


def test_the_bundle_holds_the_korean_report_listed_in_its_sums(tmp_path: Path) -> None:
    inputs, outputs = _final(tmp_path)
    made = publish_bundle(inputs, outputs, 2024, tmp_path / "public")
    assert {"report.ko.html", "report.ko.pdf", "report.html", "report.pdf"} <= set(made.files)
    public = tmp_path / "public"
    final = outputs / "2024" / "final"
    assert (public / "report.ko.pdf").read_bytes() == (final / "report.ko.pdf").read_bytes()
    sums = (public / "SHA256SUMS").read_text(encoding="utf-8")
    assert re.search(r"^[0-9a-f]{64}  report\.ko\.pdf$", sums, re.M)
    assert re.search(r"^[0-9a-f]{64}  report\.ko\.html$", sums, re.M)
    assert all(result == "OK" for _, result in verify_folder(public))
    korean = (public / "report.ko.html").read_text(encoding="utf-8")
    # the links between the languages and to the Korean PDF stay; the internal file goes
    assert '<a href="report.html" hreflang="en" lang="en">English</a>' in korean
    assert '<a href="report.ko.pdf">PDF</a>' in korean
    assert "comments.html" not in korean and "검토 의견" in korean
    english = (public / "report.html").read_text(encoding="utf-8")
    assert '<a href="report.ko.html" hreflang="ko">한국어</a>' in english


def test_the_landing_page_offers_both_languages(tmp_path: Path) -> None:
    inputs, outputs = _final(tmp_path)
    publish_bundle(inputs, outputs, 2024, tmp_path / "public")
    index = (tmp_path / "public" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" hreflang="en" href="report.html">' in index
    assert '<link rel="alternate" hreflang="ko" href="report.ko.html">' in index
    section = re.search(r'<section lang="ko" id="report-ko".*?</section>', index, re.S)
    assert section is not None
    text = html.unescape(section[0])
    assert '<a href="report.ko.html" hreflang="ko">브라우저에서 읽기</a> (HTML, 한 페이지)' in text
    assert re.search(
        r'<a href="report.ko.pdf" hreflang="ko">PDF 다운로드</a> \(0\.\d MB, 3쪽', text
    )
    assert "한국어" in text
    assert re.search(
        r"SHA-256 \(<span lang=\"ko\">한국어</span>, <code>report.ko.pdf</code>\)", index
    )


def test_a_final_in_english_only_publishes_as_before(tmp_path: Path) -> None:
    inputs, outputs = _final(tmp_path, languages=False)
    made = publish_bundle(inputs, outputs, 2024, tmp_path / "public")
    assert not [name for name in made.files if ".ko." in name]
    index = (tmp_path / "public" / "index.html").read_text(encoding="utf-8")
    assert "hreflang" not in index and 'lang="ko"' not in index
    english = (tmp_path / "public" / "report.html").read_text(encoding="utf-8")
    assert "report.ko.html" not in english and "한국어" in english  # the link's text stays
