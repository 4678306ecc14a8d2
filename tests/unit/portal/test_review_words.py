"""The portal's drafts (issue 38): the newest draft's changes in words (a one-word edit in
Korea's summary shown deleted and inserted, the member's text escaped), every change line
shown (collapsed past eight, never cut with a pointer to `wgreport diff`)."""

from __future__ import annotations

import json
import re
import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's test client asks for httpx2
    from starlette.testclient import TestClient

from tests.conftest import copy_inputs
from tests.support.goldentree import GOLDEN_TREE
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    """Drafts 001 (the golden draft) and 002, where Korea's summary has one word changed,
    and a script tag added to its strategy; 002's initiatives.csv moved eleven statuses."""
    outputs = tmp_path / "outputs"
    drafts = outputs / "2024" / "drafts"
    shutil.copytree(GOLDEN_TREE / "drafts" / "001", drafts / "001")
    shutil.copytree(drafts / "001", drafts / "002")
    second = drafts / "002"
    manifest = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    manifest["draft"] = "002"
    for key in manifest["inputs"]:
        if "/contributions/" in key and key.endswith(("KR.yaml", "GB.yaml", "EE.yaml", "DK.yaml")):
            manifest["inputs"][key] = "0" * 64
    (second / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    report: dict[str, Any] = json.loads((second / "report.json").read_text(encoding="utf-8"))
    korea = report["members"][0]
    korea["summary_html"] = korea["summary_html"].replace("moved several", "moved many")
    korea["governance"]["strategy"] += " <script>alert(1)</script>"
    (second / "report.json").write_text(json.dumps(report), encoding="utf-8")
    initiatives = (second / "data" / "initiatives.csv").read_text(encoding="utf-8")
    moved = re.sub(r",(in-progress|planned),", ",discontinued,", initiatives)
    (second / "data" / "initiatives.csv").write_text(moved, encoding="utf-8")
    for folder in (drafts / "001", second):
        (folder / "report.pdf").write_bytes(b"%PDF-1.7 a stand-in draft\n")
    store = Store(tmp_path / "portal")
    return Portal(copy_inputs(tmp_path), outputs, 2024, store, base_url="http://testserver")


def _review(portal: Portal) -> str:
    _, token = portal.store.invite("reviewer", "jane@example.org", reviewer="jane-example")
    client = TestClient(make_app(portal), follow_redirects=False)
    client.get(f"/signin/{token}")
    assert client.post(f"/signin/{token}").status_code == 303
    page = client.get("/review")
    assert page.status_code == 200, page.text
    text: str = page.text
    return text


def test_the_newest_drafts_words_are_on_the_review_page(portal: Portal) -> None:
    page = _review(portal)
    words = page[page.index('<section id="words"') :]
    words = words[: words.index("</section>")]
    assert "What changed in draft 002, in words" in words
    assert (
        "In 2024 Korea moved <del>several</del><ins>many</ins> Digital Platform Government "
        "projects from pilot to routine operation."
    ) in words
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in words
    assert "<script" not in page
    assert re.search(
        r'<details class="words" data-member="KR" open>\s*<summary>KR: 2 changed', words
    )


def test_every_change_line_is_shown_and_no_command_is_named(portal: Portal) -> None:
    page = _review(portal)
    rows = dict(re.findall(r'<tr data-draft="(\d{3})">(.*?)</tr>', page, re.S))
    lines = re.findall(r"status of [\w-]+: [\w-]+ → discontinued", rows["002"])
    assert len(lines) > 8  # all of them, behind a summary
    assert re.search(rf"<details><summary>{len(lines) + 4} changes</summary>", rows["002"])
    assert "wgreport diff" not in page and "more (" not in page
