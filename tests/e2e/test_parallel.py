"""Per-chapter parallel rendering reads exactly like a single-pass render: pages, text,
page numbers (contents, cross-references, footers), outline, links, metadata; and the
part cache re-renders only what changed."""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import DEMO_INPUTS, ROOT
from wgreport.build.pipeline import image_folders, make_context
from wgreport.build.plan import make_build_info
from wgreport.errors import RenderError
from wgreport.inputs.edition import load_edition_inputs
from wgreport.render.html import render_html, render_pdf
from wgreport.render.pdf.parts import split_parts
from wgreport.render.pdf.schedule import render_parallel

TEMPLATES = ROOT / "templates"
# The demo edition's page count: pinned here, the one place to change when the report's
# content moves it.
# Issue 40 took 2 pages off the 62 (short tables kept whole, notes kept with their table),
# issue 39 added 2 (the key messages, the new findings).
DEMO_PAGES = 62


def _outline(reader: PdfReader) -> list[tuple[int, str, int | None]]:
    out: list[tuple[int, str, int | None]] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((level, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return out


def _links(reader: PdfReader) -> list[tuple[Any, ...]]:
    names = reader.named_destinations
    out: list[tuple[Any, ...]] = []
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            rect = tuple(round(float(x), 1) for x in annot["/Rect"])
            if "/Dest" in annot:
                name = str(annot["/Dest"])
                target = reader.get_destination_page_number(names[name])
                out.append((number, rect, name, target))
            else:
                out.append((number, rect, str(annot["/A"].get("/URI"))))
    return out


# What the stamp adds to a page after the front matter (wgreport.render.pdf.stamp). It is drawn after
# the page's own content, so text extraction finds it later in the page's text than in a
# single pass, where the label comes before the running heads: a page's text is compared
# with the stamped lines taken out (whitespace normalised), and the stamped lines apart.
_STAMPED = re.compile(r"Draft \d{3} · built \S+ · not for citation|Page \d+ of \d+")


def _page_text(text: str) -> tuple[str, list[str]]:
    # pypdf guesses a space from the gap between glyph runs; where the DRAFT mark's runs
    # interleave with the page's, the guess differs between the merged and the single
    # document though the glyphs are the same: the text is compared without spaces.
    return "".join(_STAMPED.sub(" ", text).split()), sorted(_STAMPED.findall(text))


def _texts(pdf: bytes) -> list[str]:
    """Each page's text, as poppler's pdftotext reads it (in reading order, from the
    glyphs' positions): a tenth of the time of pypdf's `extract_text` on the demo's 62
    pages, which is what made this file slow."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return out.split("\f")[:-1]  # each page ends with a form feed


@functools.cache  # the same PDF's pages are read once (the cold render's by three tests)
def _summary(pdf: bytes) -> dict[str, Any]:
    reader = PdfReader(io.BytesIO(pdf))
    texts = _texts(pdf)
    assert len(texts) == len(reader.pages)
    return {
        "pages": [_page_text(text) for text in texts],
        "outline": _outline(reader),
        "links": _links(reader),
        "dests": {
            name: reader.get_destination_page_number(dest)
            for name, dest in reader.named_destinations.items()
        },
        "metadata": dict(reader.metadata or {}),
        "lang": str(reader.root_object.get("/Lang")),
    }


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    ctx = make_context(loaded, make_build_info(7))
    html = render_html(ctx, TEMPLATES, for_print=True)
    roots = image_folders(loaded)
    single, _ = render_pdf(html, TEMPLATES, image_roots=roots)
    chapters = [c.id for c in ctx.chapters]
    return {"html": html, "roots": roots, "single": _summary(single), "single_pdf": single,
            "chapters": chapters}  # fmt: skip


@pytest.fixture(scope="module")
def cold(demo: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    cache = tmp_path_factory.mktemp("parts")
    pdf, warnings, stats = render_parallel(
        demo["html"],
        TEMPLATES,
        chapters=demo["chapters"],
        image_roots=demo["roots"],
        workers=2,
        cache_dir=cache,
    )
    return {"pdf": pdf, "warnings": warnings, "stats": stats, "cache": cache}


def test_the_html_splits_into_front_matter_chapters_and_annexes(demo: dict[str, Any]) -> None:
    parts = split_parts(demo["html"], demo["chapters"])
    assert len(parts) == 1 + 7 + 10 + 4
    assert "contents" in parts[0].owned and "main" in parts[1].owned
    assert "member-kr" in parts[8].owned and "annex-status" in parts[-1].owned
    assert set(parts[0].foreign) >= {"foreword", "member-kr", "annex-status"}
    every = [i for p in parts for i in p.owned]
    assert len(every) == len(set(every)), "an anchor is owned by two parts"


def test_parallel_render_is_the_same_as_one_pass(
    demo: dict[str, Any], cold: dict[str, Any]
) -> None:
    merged = _summary(cold["pdf"])
    single = demo["single"]
    assert len(merged["pages"]) == len(single["pages"]) == DEMO_PAGES
    for number, (a, b) in enumerate(zip(single["pages"], merged["pages"], strict=True)):
        assert a == b, f"page {number + 1} differs"
    assert merged["outline"] == single["outline"] and len(single["outline"]) > 50
    assert merged["links"] == single["links"] and len(single["links"]) > 100
    assert merged["dests"] == single["dests"]
    assert merged["metadata"] == single["metadata"] and merged["lang"] == "en"
    # the cover and its verso (the imprint) carry no page footer
    for number, (_, stamped) in enumerate(merged["pages"][2:], start=3):
        assert f"Page {number} of {DEMO_PAGES}" in stamped and any(
            "Draft 007" in s for s in stamped
        )
    assert cold["warnings"] == []
    stats = cold["stats"]
    # Each part is laid out once; only the six that print page numbers (the contents, the
    # lists of figures and tables, and the chapters with cross-references) are laid out with placeholders first.
    assert (stats.parts, stats.laid_out, stats.rendered, stats.passes) == (22, 6, 22, 1)


def _pixels(pdf: Path, folder: Path) -> list[bytes]:
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(pdf), str(folder / "p")], check=True)
    return [p.read_bytes() for p in sorted(folder.glob("p-*.pgm"))]


def test_parallel_pages_look_the_same_as_one_pass(
    demo: dict[str, Any], cold: dict[str, Any], tmp_path: Path
) -> None:
    """Every page, drawn by poppler, is pixel for pixel the one-pass page: the stamped
    footers and labels sit exactly where WeasyPrint puts them."""
    (tmp_path / "single.pdf").write_bytes(demo["single_pdf"])
    (tmp_path / "parallel.pdf").write_bytes(cold["pdf"])
    single = _pixels(tmp_path / "single.pdf", tmp_path / "a")
    merged = _pixels(tmp_path / "parallel.pdf", tmp_path / "b")
    assert len(single) == len(merged) == DEMO_PAGES
    differ = [n + 1 for n, (a, b) in enumerate(zip(single, merged, strict=True)) if a != b]
    assert differ == []
    single_fonts, merged_fonts = (_fonts(tmp_path / f) for f in ("single.pdf", "parallel.pdf"))
    assert merged_fonts == single_fonts and "Noto-Sans" in merged_fonts


def _fonts(pdf: Path) -> set[str]:
    """The fonts of a PDF (pdffonts), without subset tags; each must be embedded."""
    lines = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert lines and all(line.split()[-5] == "yes" for line in lines), "a font is not embedded"
    return {line.split()[0].split("+")[-1] for line in lines}


def _structure(pdf: bytes) -> tuple[Counter[str], bool]:
    """A tagged PDF's structure elements by type, and whether its parent tree is whole:
    every page's /StructParents and annotation's /StructParent is a key, each key once, and
    every element's page is a page of the document."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        tree = doc.Root.StructTreeRoot
        nums = list(tree.ParentTree.Nums)
        keys = [int(k) for k in nums[::2]]
        used = [int(p.obj.StructParents) for p in doc.pages]
        used += [
            int(a.StructParent)
            for p in doc.pages
            for a in p.obj.get("/Annots", [])
            if "/StructParent" in a
        ]
        pages = {p.obj.objgen for p in doc.pages}
        counts: Counter[str] = Counter()
        whole = len(keys) == len(set(keys)) and set(used) <= set(keys)
        stack: list[pikepdf.Object | None] = (
            list(tree.K) if isinstance(tree.K, pikepdf.Array) else [tree.K]
        )
        while stack:
            element = stack.pop()
            if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
                continue
            counts[str(element.S)] += 1
            whole = whole and ("/Pg" not in element or element.Pg.objgen in pages)
            kids = element.get("/K")
            stack += list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        return counts, whole and bool(doc.Root.MarkInfo.Marked)


def test_a_draft_is_tagged_and_the_merge_keeps_the_whole_structure(
    demo: dict[str, Any], cold: dict[str, Any]
) -> None:
    single, single_whole = _structure(demo["single_pdf"])
    merged, merged_whole = _structure(cold["pdf"])
    assert single_whole and merged_whole
    assert single["/H2"] >= 20 and single["/Figure"] >= 9 and single["/Table"] >= 20
    # the merged document has one Document element and every part's elements under it;
    # its footers are stamped as artifacts where a one-pass layout tags them as paragraphs
    assert merged["/Document"] == 1
    content = ("/H1", "/H2", "/H3", "/H4", "/Figure", "/Caption", "/Table", "/TR", "/TH",
               "/TD", "/L", "/LI", "/Link", "/BlockQuote")  # fmt: skip
    assert {k: merged[k] for k in content} == {k: single[k] for k in content}


def test_the_parts_are_the_chapters_of_the_context(demo: dict[str, Any]) -> None:
    """The cut follows ctx.chapters: a chapter the HTML lacks, or one it has that the
    context does not list, is an error naming it, never a different cut."""
    parts = split_parts(demo["html"], demo["chapters"])
    assert [p.section for p in parts[1:]] == demo["chapters"]
    with pytest.raises(RenderError, match="no chapter annex-extra"):
        split_parts(demo["html"], [*demo["chapters"], "annex-extra"])
    with pytest.raises(RenderError, match=r"not those of ctx\.chapters"):
        split_parts(demo["html"], demo["chapters"][:-1])
    with pytest.raises(RenderError, match=r"not those of ctx\.chapters"):
        split_parts(demo["html"], [demo["chapters"][1], demo["chapters"][0], *demo["chapters"][2:]])


def test_a_warm_cache_lays_out_nothing(demo: dict[str, Any], cold: dict[str, Any]) -> None:
    pdf, _, stats = render_parallel(
        demo["html"],
        TEMPLATES,
        chapters=demo["chapters"],
        image_roots=demo["roots"],
        workers=2,
        cache_dir=cold["cache"],
    )
    assert (stats.laid_out, stats.rendered) == (0, 0)
    assert _summary(pdf) == _summary(cold["pdf"])


def test_one_changed_chapter_is_the_only_part_rendered_again(
    demo: dict[str, Any], cold: dict[str, Any]
) -> None:
    html = demo["html"].replace("pilot to\nroutine operation", "pilot to\neveryday operation", 1)
    assert html != demo["html"]
    changed = [
        p.index
        for p in split_parts(html, demo["chapters"])
        if p.html != split_parts(demo["html"], demo["chapters"])[p.index].html
    ]
    _, _, stats = render_parallel(
        html,
        TEMPLATES,
        chapters=demo["chapters"],
        image_roots=demo["roots"],
        workers=2,
        cache_dir=cold["cache"],
    )
    assert len(changed) == 1
    # A member's chapter prints no page numbers: it is rendered once, and no placeholder
    # layout is needed.
    assert stats.rendered_parts == changed and stats.laid_out == 0


def test_a_longer_chapter_moves_every_later_page_number(
    demo: dict[str, Any], cold: dict[str, Any], tmp_path: Path
) -> None:
    filler = "<p>" + "An added paragraph that makes Korea's chapter longer. " * 40 + "</p>"
    marker = "<h2>5. Republic of Korea</h2>"  # a chapter's running head comes from its h2
    html = demo["html"].replace(marker, marker + filler * 6, 1)
    pdf, _, stats = render_parallel(
        html,
        TEMPLATES,
        chapters=demo["chapters"],
        image_roots=demo["roots"],
        workers=2,
        cache_dir=cold["cache"],
    )
    single, _ = render_pdf(html, TEMPLATES, image_roots=demo["roots"])
    merged, expected = _summary(pdf), _summary(single)
    assert len(merged["pages"]) == len(expected["pages"]) > DEMO_PAGES
    assert merged == expected
    # Korea's chapter is rendered; the contents and the cross-references to what follows
    # it move, so the parts with those page numbers are rendered again, from their cached
    # placeholder layouts; every other part is reused where it now lands.
    parts = split_parts(html, demo["chapters"])
    korea = next(p.index for p in parts if p.section == "member-kr")
    numbered = {p.index for p in parts if p.numbered}
    assert stats.laid_out == 0 and {korea, 0} <= set(stats.rendered_parts)
    assert set(stats.rendered_parts) <= numbered | {korea} and len(numbered) == 6


def _gone(pid: int, within: float = 30.0) -> bool:
    """Whether process `pid` has ended (and been reaped) within `within` seconds."""
    import os
    import time

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_a_one_pass_render_over_its_time_limit_names_the_slow_member(
    demo: dict[str, Any], cold: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One pass (a final, or --workers 1) that hangs is stopped at its time limit; the
    chapters are then timed one by one (the others from the cache), which names the member
    whose chapter hangs. Both hung workers are stopped."""
    import shutil
    import time

    from tests.support import slowparts
    from wgreport.errors import PartsTimedOut
    from wgreport.render.pdf import schedule
    from wgreport.render.pdf.schedule import render_single

    pids = tmp_path / "slow.pids"
    monkeypatch.setenv("WGREPORT_TEST_SLOW_PIDS", str(pids))
    monkeypatch.setattr(schedule, "worker_pool", slowparts.pool)
    cache = tmp_path / "parts"
    shutil.copytree(cold["cache"], cache)
    # Korea's chapter changed (not in the cache), as a new contribution would be.
    html = demo["html"].replace(slowparts.SLOW_SECTION, slowparts.SLOW_SECTION + ' lang="en"')
    assert html != demo["html"]
    started = time.monotonic()
    with pytest.raises(PartsTimedOut) as caught:
        render_single(html, TEMPLATES, chapters=demo["chapters"], image_roots=demo["roots"], time_limit=6,
                      chapter_time_limit=4, cache_dir=cache, workers=2)  # fmt: skip
    assert time.monotonic() - started < 120  # not the slow workers' ten minutes
    assert caught.value.sections == ["member-kr"] and caught.value.limit == 4
    killed = [int(p) for p in pids.read_text("utf-8").split()]
    assert len(killed) == 2, "the one pass, then Korea's chapter alone"
    assert all(_gone(pid) for pid in killed), "a hung worker was left running"


def test_a_one_pass_render_over_its_time_limit_without_a_slow_chapter_names_the_limit(
    demo: dict[str, Any], cold: dict[str, Any], tmp_path: Path
) -> None:
    import shutil

    from wgreport.errors import RenderError
    from wgreport.render.pdf.schedule import render_single

    cache = tmp_path / "parts"
    shutil.copytree(cold["cache"], cache)  # every chapter lays out in no time: cached
    with pytest.raises(RenderError, match=r"one pass within the time limit of 0\.5 s.*"
                       r"WGREPORT_DOCUMENT_TIME_LIMIT.*within 300 s"):  # fmt: skip
        render_single(demo["html"], TEMPLATES, chapters=demo["chapters"], image_roots=demo["roots"], time_limit=0.5,
                      chapter_time_limit=300, cache_dir=cache, workers=2)  # fmt: skip


def test_a_part_taken_from_the_cache_keeps_its_warnings(
    demo: dict[str, Any], cold: dict[str, Any], tmp_path: Path
) -> None:
    """WeasyPrint's warnings of a part are the draft's (manifest `render_warnings`) whether
    the part is laid out or taken from the cache: a second build reports what the first did.
    Each is reported once, as one pass reports it, also for a part that prints page numbers
    (laid out with placeholders first, then rendered; both passes give the warning), and in
    the parts' order, not the order the workers finished them in."""
    import shutil

    cache = tmp_path / "parts"
    shutil.copytree(cold["cache"], cache)
    html = demo["html"].replace(
        "pilot to\nroutine operation",
        'pilot to\n<span style="frobnicate: 1">routine</span> operation',
        1,
    )
    governance = html.index('id="governance"')  # a numbered part (it cites other pages)
    opening = html.index("<p>", governance)
    html = html[:opening] + '<p style="defenestrate: 1">' + html[opening + len("<p>") :]
    assert html.count("frobnicate") == html.count("defenestrate") == 1
    runs = [
        render_parallel(
            html,
            TEMPLATES,
            chapters=demo["chapters"],
            image_roots=demo["roots"],
            workers=2,
            cache_dir=cache,
        )
        for _ in range(2)
    ]
    (_, laid_out, first), (_, kept, second) = runs
    assert first.rendered >= 2 and second.rendered == 0 and second.laid_out == 0
    for word in ("frobnicate", "defenestrate"):
        assert sum(word in w for w in laid_out) == 1, (word, laid_out)
    # the numbered part (governance) comes before the member's chapter in the report
    where = [i for i, w in enumerate(laid_out) if "defenestrate" in w or "frobnicate" in w]
    assert "defenestrate" in laid_out[where[0]] and "frobnicate" in laid_out[where[1]]
    assert kept == laid_out


def test_the_next_draft_renders_its_front_matter_beside_the_changed_chapter(
    demo: dict[str, Any], cold: dict[str, Any], tmp_path: Path
) -> None:
    """A new draft changes the front matter's labels (its draft number), so its numbered
    render is needed every build; with a member's text changed too, it used to wait for
    that chapter's layout. It is now rendered beside it, on the guess that the chapter lays
    out as its latest render did (schedule._ahead): one pass, each part rendered once, and
    the same PDF as without the guess."""
    # words no other test of this module writes: the module's cache does not have the part
    html = demo["html"].replace("pilot to\nroutine operation", "pilot to\nsteady operation", 1)
    html = html.replace("Draft 007", "Draft 008")
    parts = split_parts(html, demo["chapters"])
    before = split_parts(demo["html"], demo["chapters"])
    changed = sorted(p.index for p in parts if p.html != before[p.index].html)
    assert changed[0] == 0 and len(changed) == 2  # the front matter and one chapter
    cache = tmp_path / "cache"
    shutil.copytree(cold["cache"], cache)
    # the newest render is the demo's draft 007 (other tests of this module rendered the
    # same chapter otherwise since): every part comes from the cache and is remembered
    _, _, last = render_parallel(
        demo["html"], TEMPLATES, chapters=demo["chapters"], image_roots=demo["roots"],
        workers=2, cache_dir=cache,
    )  # fmt: skip
    assert last.rendered_parts == []
    pdf, _, stats = render_parallel(
        html, TEMPLATES, chapters=demo["chapters"], image_roots=demo["roots"], workers=2,
        cache_dir=cache,
    )  # fmt: skip
    assert sorted(stats.rendered_parts) == changed and stats.passes == 1
    # the same render without a guess: the chapter's latest layout forgotten
    unguessed = tmp_path / "unguessed"
    shutil.copytree(cold["cache"], unguessed)
    shutil.rmtree(unguessed / "parts" / "latest")
    again, _, without = render_parallel(
        html, TEMPLATES, chapters=demo["chapters"], image_roots=demo["roots"], workers=2,
        cache_dir=unguessed,
    )  # fmt: skip
    assert without.rendered_parts == [changed[1], 0]  # the chapter, then the front matter
    assert again == pdf
