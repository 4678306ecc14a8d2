"""The portal's reviewer page offers a draft's report in both languages (issue 42): the
Korean PDF and page beside the English, each downloaded from the portal, the Korean page's
links to the English one leading to the portal's address of it."""

from __future__ import annotations

import json
import re
import shutil
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import copy_inputs
from tests.support.goldentree import GOLDEN_TREE
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store

DRAFT = GOLDEN_TREE / "drafts" / "001"
KOREAN_PAGE = """<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>보고서</title>
<link rel="alternate" hreflang="en" href="report.html"></head><body>
<nav><a href="report.html" hreflang="en">English</a> · <a href="report.ko.html">한국어</a></nav>
<p><a href="report.ko.pdf">PDF</a> <a href="comments.html">검토 의견</a></p></body></html>"""


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    inputs = copy_inputs(tmp_path)
    outputs = tmp_path / "outputs"
    draft = outputs / "2024" / "drafts" / "001"
    shutil.copytree(DRAFT, draft)
    (draft / "report.pdf").write_bytes(b"%PDF-1.7 a stand-in draft\n")
    (draft / "report.ko.pdf").write_bytes(b"%PDF-1.7 a stand-in Korean draft\n")
    (draft / "report.ko.html").write_text(KOREAN_PAGE, encoding="utf-8")
    manifest = json.loads((draft / "manifest.json").read_text(encoding="utf-8"))
    manifest["languages"] = {"ko": {"pages": 12, "render_warnings": [],
                                    "files": ["report.ko.html", "report.ko.pdf"]}}  # fmt: skip
    (draft / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return Portal(inputs, outputs, 2024, Store(tmp_path / "portal"), base_url="http://testserver")


def _reviewer(portal: Portal) -> TestClient:
    _, token = portal.store.invite("reviewer", "r@example.org", reviewer="ee-review-team")
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.post(f"/signin/{token}").status_code == 303
    return client


def test_the_reviewers_page_offers_both_languages(portal: Portal) -> None:
    client = _reviewer(portal)
    page = client.get("/review").text
    row = re.search(r'<tr data-draft="001">.*?</tr>', page, re.S)
    assert row is not None
    assert (
        '<span lang="en">English</span>: <a href="/review/download/001/report.pdf" hreflang="en">PDF</a>'
        in row[0]
    )
    assert (
        '<span lang="ko">한국어</span>: <a href="/review/download/001/report.ko.pdf" hreflang="ko">'
        'PDF</a> · <a href="/review/download/001/report.ko.html" hreflang="ko">HTML</a> (12 pages)'
    ) in row[0]
    korean = client.get("/review", headers={"accept-language": "ko"}).text
    assert "(12쪽)" in korean


def test_the_korean_files_download_and_link_to_the_portal(portal: Portal) -> None:
    client = _reviewer(portal)
    pdf = client.get("/review/download/001/report.ko.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-1.7 a stand-in Korean")
    assert "2024-draft-001-report.ko.pdf" in pdf.headers["content-disposition"]
    page = client.get("/review/download/001/report.ko.html")
    assert page.status_code == 200
    assert 'href="http://testserver/review/download/001/report.html"' in page.text
    assert 'href="http://testserver/review/download/001/report.ko.pdf"' in page.text
    assert "comments.html" not in page.text  # not offered: the link goes, its text stays
    audit = [x for x in portal.store.audit_lines() if x["action"] == "download"]
    assert [x["file"] for x in audit] == ["report.ko.pdf", "report.ko.html"]


def test_a_language_the_draft_lacks_is_not_offered(portal: Portal) -> None:
    draft = portal.outputs_dir / "2024" / "drafts" / "001"
    (draft / "report.ko.pdf").unlink()
    client = _reviewer(portal)
    assert "report.ko" not in client.get("/review").text
    assert client.get("/review/download/001/report.ko.pdf").status_code == 403
    assert client.get("/review/download/001/report.fr.pdf").status_code == 403
