"""A preview of a member's own chapter (issue 38): the library lays out one member's chapter
alone, numbered as in the report and marked "Preview" on every page (read back with pypdf);
the portal makes it in a child process after each accepted upload and shows it only to
that member; a newer upload supersedes a preview still being made."""

from __future__ import annotations

import io
import json
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import DEMO_INPUTS, copy_inputs
from wgreport.build import pipeline
from wgreport.build.plan import make_build_info
from wgreport.build.preview import ChapterPreview, chapter_source, preview_chapter
from wgreport.inputs.edition import load_edition_inputs
from wgreport.portal import preview as previews
from wgreport.portal.app import Portal, make_app
from wgreport.portal.chapters import page_images
from wgreport.portal.store import Store
from wgreport.render.html import render_html
from wgreport.render.pdf.parts import split_parts
from wgreport.runtime.settings import get_settings

YEAR = 2024
TEMPLATES = get_settings().templates_dir
KR = (DEMO_INPUTS / "2024" / "contributions" / "KR.yaml").read_bytes()


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[tuple[str, str]]]:
    """The demo inputs, the whole report's print HTML as a draft has it (charts, images)
    and its members' chapters (id, title)."""
    inputs = copy_inputs(tmp_path_factory.mktemp("report"))
    loaded = load_edition_inputs(inputs, YEAR)
    ctx = pipeline.make_context(loaded, make_build_info(1))
    members = [(c.id, c.title) for c in ctx.chapters if c.member is not None]
    return inputs, render_html(ctx, TEMPLATES, for_print=True), members


@pytest.fixture(scope="module")
def kr(report: tuple[Path, str, list[tuple[str, str]]]) -> ChapterPreview:
    return preview_chapter(report[0], YEAR, "KR", TEMPLATES)


def test_the_preview_is_the_members_chapter_alone_numbered_as_in_the_report(
    report: tuple[Path, str, list[tuple[str, str]]], kr: ChapterPreview
) -> None:
    _, _, members = report
    title = dict(members)["member-kr"]
    assert re.fullmatch(r"\d+\. Republic of Korea", title)
    assert kr.title == title and title.startswith(f"{kr.number}. ")
    pages = _text(kr.pdf)
    assert len(pages) == kr.pages > 1
    text = "\n".join(pages)
    assert title in text and f"Table {kr.number}.1." in text  # the report's numbers
    for number, page in enumerate(pages, start=1):
        assert "Preview ·" in page and "not for citation" in page, page  # on every page
        assert f"Page {number} of {kr.pages}" in page
    others = [t for c, t in members if c != "member-kr"]
    assert len(others) == 9
    assert not [t for t in others if t in text]  # no other member's chapter
    assert "Executive summary" not in text and "Annex A." not in text
    info = PdfReader(io.BytesIO(kr.pdf)).metadata
    assert (
        info is not None and info.title == f"Preview: {title} (Agile and Active Digital Governance)"
    )


def test_the_chapter_is_cut_from_the_html_a_draft_lays_it_out_from(
    report: tuple[Path, str, list[tuple[str, str]]],
) -> None:
    """Without the charts, the comments, the other members' images or their previous
    contributions, each member's chapter is the same part, byte for byte, as the whole
    report's (so the same numbers, and the same entry of the parts cache)."""
    inputs, whole, members = report
    ids = [c for c, _ in members]
    drafted = {p.section: p.html for p in split_parts(whole, _chapter_ids(whole))}
    for code in sorted(c.removeprefix("member-").upper() for c in ids):
        source = chapter_source(inputs, YEAR, code, TEMPLATES)
        parts = {p.section: p.html for p in split_parts(source.html, source.chapters)}
        assert source.chapter.id in ids
        assert parts[source.chapter.id] == drafted[source.chapter.id], code


def _chapter_ids(html: str) -> list[str]:
    return re.findall(r'<section class="chapter[^"]*" id="([^"]+)"', html)


def test_a_member_without_a_valid_contribution_gets_a_reason_not_a_chapter(
    tmp_path: Path,
) -> None:
    inputs = copy_inputs(tmp_path)
    (inputs / "2024" / "contributions" / "MX.yaml").write_text("member: MX\n", encoding="utf-8")
    result = previews_run(inputs, "MX", tmp_path / "out.pdf")
    assert result["ok"] is False and not (tmp_path / "out.pdf").exists()
    assert "Mexico" in result["reason"] and "not valid" in result["reason"]


def previews_run(inputs: Path, code: str, out: Path) -> dict[str, Any]:
    from wgreport.build.preview import run

    return run({"inputs": str(inputs), "year": YEAR, "code": code,
                "templates": str(TEMPLATES), "out": str(out)})  # fmt: skip


# --- in the portal ------------------------------------------------------------------------


@pytest.fixture
def portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Portal:
    monkeypatch.setenv("WGREPORT_PREVIEWS_AT_ONCE", "2")
    inputs = copy_inputs(tmp_path)
    return Portal(inputs, tmp_path / "outputs", YEAR, Store(tmp_path / "portal"),
                  base_url="http://testserver")  # fmt: skip


def _member(portal: Portal, code: str) -> TestClient:
    _, token = portal.store.invite("member", f"{code.lower()}@example.org", member=code)
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.post(f"/signin/{token}").status_code == 303
    return client


def _upload(client: TestClient, body: bytes, name: str) -> None:
    page = client.get("/member")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    response = client.post(
        "/member/upload", data={"csrf": found[1]}, files={"contribution": (name, body)}
    )
    assert response.status_code == 303, response.text


def _state(page: str) -> tuple[str, str]:
    found = re.search(r'<p id="preview-state" data-state="([^"]+)"[^>]*>(.*?)</p>', page, re.S)
    assert found, page
    return found[1], re.sub(r"<[^>]+>", "", found[2])


def test_after_an_accepted_upload_the_member_gets_the_preview_of_its_own_chapter(
    portal: Portal,
) -> None:
    kr = _member(portal, "KR")
    gb = _member(portal, "GB")
    assert _state(kr.get("/member").text)[0] == "none"
    for client in (kr, gb):  # nothing to show before a preview is ready
        assert client.get("/member/preview/chapter.pdf").status_code == 404
        assert client.get("/member/preview/page/1.png").status_code == 404
    _upload(kr, KR, "KR.yaml")
    state, words = _state(kr.get("/member").text)
    assert state == "preparing" and "revision 1" in words  # the upload did not wait for it
    assert kr.get("/member/preview/chapter.pdf").status_code == 404
    done = previews.previews(portal).wait("KR", timeout=300)
    assert done is not None and done["state"] == "ready", done
    state, words = _state(kr.get("/member").text)
    assert state == "ready" and "Ready at" in words and "Republic of Korea" in words, words
    response = kr.get("/member/preview/chapter.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert "preview" in response.headers["content-disposition"]
    text = "\n".join(_text(response.content))
    assert f"{done['title']}" in text and "Preview ·" in text
    # only the member's own: GB, signed in, has no preview, and no address names KR's
    assert gb.get("/member/preview/chapter.pdf").status_code == 404
    assert _state(gb.get("/member").text)[0] == "none"
    assert not list(Path(portal.outputs_dir).glob("*/drafts"))  # no draft was written
    page = kr.get("/member/preview").text
    assert 'src="/member/preview/page/1.png"' in page
    if page_images():
        image = kr.get("/member/preview/page/1.png")
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert kr.get(f"/member/preview/page/{int(done['pages']) + 1}.png").status_code == 404
    finished = [x for x in portal.store.audit_lines() if x["action"] == "preview-finished"]
    assert [(x["member"], x["revision"], x["status"]) for x in finished] == [("KR", 1, "ready")]


#: A stand-in for `python -m wgreport.build.preview`: waits while the marker file exists,
#: then writes a one-page PDF where asked.
FAKE = """
import json, pathlib, sys, time
request = json.loads(sys.stdin.read())
marker = pathlib.Path(sys.argv[1])
while marker.exists():
    time.sleep(0.05)
import pikepdf
pdf = pikepdf.new(); pdf.add_blank_page(); pdf.save(request["out"])
print(json.dumps({"ok": True, "number": "5", "title": "5. Republic of Korea", "pages": 1,
                  "seconds": 0.1}))
"""


def test_a_newer_upload_supersedes_the_preview_still_being_made(
    portal: Portal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "hold"
    marker.touch()
    monkeypatch.setattr(previews.Previews, "command",
                        lambda self: [sys.executable, "-c", FAKE, str(marker)])  # fmt: skip
    kr = _member(portal, "KR")
    made = previews.previews(portal)
    _upload(kr, KR, "KR.yaml")
    first = made._running["KR"].process
    assert first is not None and first.poll() is None  # being made, held
    _upload(kr, KR.replace(b"Korea moved", b"Korea has moved", 1), "KR.yaml")
    assert first.wait(timeout=30) < 0  # stopped: superseded by revision 2
    assert list(made._running) == ["KR"] and made._running["KR"].process is not first
    assert _state(kr.get("/member").text)[0] == "preparing"
    assert "revision 2" in _state(kr.get("/member").text)[1]
    marker.unlink()
    done = made.wait("KR", timeout=60)
    assert done is not None and done["state"] == "ready" and done["revision"] == 2
    time.sleep(0.2)  # the superseded watcher has nothing left to record
    finished = [x for x in portal.store.audit_lines() if x["action"] == "preview-finished"]
    assert [(x["revision"], x["status"]) for x in finished] == [(2, "ready")]
    assert kr.get("/member/preview/chapter.pdf").status_code == 200
    assert sorted(p.name for p in made.folder("KR").iterdir()) == ["chapter.pdf", "state.json"]


def test_a_failed_preview_says_why_and_can_be_made_again(
    portal: Portal, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    failing = "import sys; sys.stdin.read(); print('boom: no fonts', file=sys.stderr); sys.exit(1)"
    monkeypatch.setattr(previews.Previews, "command",
                        lambda self: [sys.executable, "-c", failing])  # fmt: skip
    kr = _member(portal, "KR")
    _upload(kr, KR, "KR.yaml")
    done = previews.previews(portal).wait("KR", timeout=60)
    assert done is not None and done["state"] == "failed"
    state, words = _state(kr.get("/member").text)
    assert state == "failed" and "boom: no fonts" in words and "tell the secretariat" in words
    response = kr.get("/member/preview/chapter.pdf")
    assert response.status_code == 404 and "could not be made" in response.text
    marker = tmp_path / "none"
    monkeypatch.setattr(previews.Previews, "command",
                        lambda self: [sys.executable, "-c", FAKE, str(marker)])  # fmt: skip
    page = kr.get("/member/preview").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token and 'action="/member/preview/again"' in page
    response = kr.post("/member/preview/again", data={"csrf": token[1]})
    assert response.status_code == 303
    done = previews.previews(portal).wait("KR", timeout=60)
    assert done is not None and done["state"] == "ready" and done["revision"] == 1
    assert (
        json.loads((previews.previews(portal).folder("KR") / "state.json").read_text())["state"]
        == "ready"
    )
