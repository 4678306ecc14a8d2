"""`wgreport preview` in the real Chromium (issue 41): the preview open in a page; the
foreword edited, the page shows the new sentence; a contribution broken, the page shows
the problem at its line; fixed, the problem goes; nothing new under outputs/<year>/drafts;
Ctrl-C stops it cleanly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SMALL, copy_inputs, library_settings
from tests.support.livepreview import drive, live_preview
from wgreport.layout import Inputs, Outputs

SENTENCE = "This sentence was written while the preview was open."
#: What the page asks of the server: the report, its script, the events, the PDF's part.
PAGE_REQUESTS = {"/", "/_live/live.js", "/_live/events", "/_live/pdf", "/favicon.ico"}


def test_the_live_preview_follows_the_saves_in_chromium(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path, members=SMALL)
    outputs = tmp_path / "outputs"
    edition = Inputs(inputs).edition(2024)
    foreword, kr = edition.foreword, edition.contribution("KR")
    good = kr.read_text(encoding="utf-8")
    broken = good.replace("\nyear: 2024\n", "\nyear: twenty\n", 1)
    assert broken != good
    steps: list[dict[str, Any]] = [
        {"name": "foreword", "path": str(foreword), "text": SENTENCE,
         "content": foreword.read_text(encoding="utf-8") + f"\n{SENTENCE}\n"},
        {"name": "broken", "path": str(kr), "content": broken,
         "problem": "inputs/2024/contributions/KR.yaml:4:7"},
        {"name": "fixed", "path": str(kr), "content": good, "no_problems": True},
    ]  # fmt: skip
    with live_preview(inputs, outputs) as run:
        seen = drive(run.url, steps, tmp_path)
        code, printed = run.stop()

    assert seen["opened"] == {"build": 1, "connected": True}, seen
    assert [(s["name"], s["ok"]) for s in seen["steps"]] == [
        ("foreword", True), ("broken", True), ("fixed", True)], seen  # fmt: skip
    assert seen["steps"][0]["shows_text"] is True
    # the foreword's new text swapped into the open page, not the whole page loaded again;
    # a chapter left out changes the contents: the page is loaded again
    assert [s["reloaded"] for s in seen["steps"]] == [False, True, True], seen["steps"]
    problems = seen["steps"][1]["problems"]
    assert "inputs/2024/contributions/KR.yaml:4:7" in problems
    assert "'year' should be a whole number" in problems
    assert seen["steps"][2]["problems"] is None
    assert seen["errors"] == []
    # the page listens and reloads; it never polls: nothing but its own requests
    assert set(seen["requests"]) <= PAGE_REQUESTS, seen["requests"]
    assert seen["requests"].count("/") <= 1 + 2 * len(steps), seen["requests"]

    assert code == 0, printed
    assert "Traceback" not in printed and "Warning" not in printed
    assert "Live preview stopped." in printed
    year = Outputs(outputs).year(2024)
    assert not year.drafts.exists() and not year.final.folder.exists()
    assert sorted(p.name for p in year.folder.iterdir()) == ["preview"]
    assert SENTENCE in year.preview.report_html.read_text(encoding="utf-8")


def test_only_the_changed_chapter_is_laid_out_again_with_its_page_images(tmp_path: Path) -> None:
    import shutil

    from wgreport.live.pdfjob import changed_pages, whole_pdf
    from wgreport.live.rebuild import LiveBuilder
    from wgreport.render.pdf.report import count_pages

    inputs = copy_inputs(tmp_path, members=SMALL)
    settings = library_settings(inputs, tmp_path / "outputs")
    builder = LiveBuilder(settings, 2024)
    files = builder.files
    part, digests = changed_pages(builder.build(), settings, files, {})
    assert part.chapters == () and not part.complete  # the first build: nothing to compare
    first = whole_pdf(settings, files, 1)
    assert first.complete and first.pdf == files.report_pdf
    assert count_pages(files.report_pdf.read_bytes()) == first.pages > 10

    kr = Inputs(inputs).edition(2024).contribution("KR")
    kr.write_text(kr.read_text(encoding="utf-8").replace(
        "In 2024 Korea moved", "In 2024 Korea swiftly moved", 1), encoding="utf-8")  # fmt: skip
    part, _ = changed_pages(builder.build([kr]), settings, files, digests)
    assert part.changed == ("member-kr",)
    (chapter,) = part.chapters
    assert chapter.id == "member-kr" and chapter.pdf == files.chapter_pdf("member-kr")
    pages = count_pages(chapter.pdf.read_bytes())
    if shutil.which("pdftoppm"):
        assert chapter.images == tuple(
            files.page_image("member-kr", n) for n in range(1, pages + 1)
        )
        assert all(p.read_bytes().startswith(b"\x89PNG") for p in chapter.images)
    second = whole_pdf(settings, files, 2)
    assert second.complete and second.chapters == part.chapters
    assert not Outputs(settings.outputs_dir).year(2024).drafts.exists()


def test_a_section_swapped_in_carries_the_new_build_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the foreword's section is sent to the open page; the draft banner outside it
    still shows the new build's time (the tests' pinned clock unset: each build its own)."""
    monkeypatch.delenv("WGREPORT_BUILD_TIME", raising=False)
    inputs = copy_inputs(tmp_path, members=SMALL)
    foreword = Inputs(inputs).edition(2024).foreword
    steps: list[dict[str, Any]] = [
        {"name": f"foreword {n}", "path": str(foreword), "text": f"{SENTENCE} ({n})",
         "content": foreword.read_text(encoding="utf-8") + f"\n{SENTENCE} ({n})\n"}
        for n in (1, 2)
    ]  # fmt: skip
    with live_preview(inputs, tmp_path / "outputs", "--no-pdf") as run:
        seen = drive(run.url, steps, tmp_path)
    assert [(s["ok"], s["reloaded"]) for s in seen["steps"]] == [(True, False)] * 2, seen
    assert seen["errors"] == [], seen["errors"]
    for step in seen["steps"]:
        made = re.search(r"Live preview, build \d+ \((\S+), ", step["bar"])
        assert made is not None, step["bar"]
        assert f"built {made.group(1)} " in step["banner"], (step["banner"], step["bar"])
