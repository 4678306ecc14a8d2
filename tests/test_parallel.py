"""Per-chapter parallel rendering reads exactly like a single-pass render: pages, text,
page numbers (contents, cross-references, footers), outline, links, metadata; and the
part cache re-renders only what changed."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from wgreport.inputs import load_edition_inputs
from wgreport.parallel import render_parallel, split_parts
from wgreport.pipeline import image_folders, make_build_info, make_context
from wgreport.render import render_html, render_pdf

from .conftest import DEMO_INPUTS, ROOT

TEMPLATES = ROOT / "templates"


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    out: list[tuple[int, str, int]] = []

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


def _summary(pdf: bytes) -> dict[str, Any]:
    reader = PdfReader(io.BytesIO(pdf))
    return {
        "pages": [page.extract_text() for page in reader.pages],
        "outline": _outline(reader),
        "links": _links(reader),
        "dests": {
            name: reader.get_destination_page_number(dest)
            for name, dest in reader.named_destinations.items()
        },
        "metadata": dict(reader.metadata or {}),
        "lang": str(reader.trailer["/Root"].get("/Lang")),
    }


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    ctx = make_context(loaded, make_build_info(7))
    html = render_html(ctx, TEMPLATES, for_print=True)
    roots = image_folders(loaded)
    single, _ = render_pdf(html, TEMPLATES, image_roots=roots)
    return {"html": html, "roots": roots, "single": _summary(single)}


@pytest.fixture(scope="module")
def cold(demo: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    cache = tmp_path_factory.mktemp("parts")
    pdf, warnings, stats = render_parallel(
        demo["html"], TEMPLATES, image_roots=demo["roots"], workers=2, cache_dir=cache
    )
    return {"pdf": pdf, "warnings": warnings, "stats": stats, "cache": cache}


def test_the_html_splits_into_front_matter_chapters_and_annexes(demo: dict[str, Any]) -> None:
    parts = split_parts(demo["html"])
    assert len(parts) == 1 + 6 + 10 + 4
    assert "contents" in parts[0].owned and "main" in parts[1].owned
    assert "member-kr" in parts[7].owned and "annex-status" in parts[-1].owned
    assert set(parts[0].foreign) >= {"foreword", "member-kr", "annex-status"}
    every = [i for p in parts for i in p.owned]
    assert len(every) == len(set(every)), "an anchor is owned by two parts"


def test_parallel_render_is_the_same_as_one_pass(
    demo: dict[str, Any], cold: dict[str, Any]
) -> None:
    merged = _summary(cold["pdf"])
    single = demo["single"]
    assert len(merged["pages"]) == len(single["pages"]) == 60
    for number, (a, b) in enumerate(zip(single["pages"], merged["pages"], strict=True)):
        assert a == b, f"page {number + 1} differs"
    assert merged["outline"] == single["outline"] and len(single["outline"]) > 50
    assert merged["links"] == single["links"] and len(single["links"]) > 100
    assert merged["dests"] == single["dests"]
    assert merged["metadata"] == single["metadata"] and merged["lang"] == "en"
    assert cold["warnings"] == []
    stats = cold["stats"]
    assert (stats.parts, stats.laid_out, stats.rendered, stats.passes) == (21, 21, 21, 1)


def test_a_warm_cache_lays_out_nothing(demo: dict[str, Any], cold: dict[str, Any]) -> None:
    pdf, _, stats = render_parallel(
        demo["html"], TEMPLATES, image_roots=demo["roots"], workers=2, cache_dir=cold["cache"]
    )
    assert (stats.laid_out, stats.rendered) == (0, 0)
    assert _summary(pdf) == _summary(cold["pdf"])


def test_one_changed_chapter_is_the_only_part_rendered_again(
    demo: dict[str, Any], cold: dict[str, Any]
) -> None:
    html = demo["html"].replace("pilot to\nroutine operation", "pilot to\neveryday operation", 1)
    assert html != demo["html"]
    changed = [
        p.index for p in split_parts(html) if p.html != split_parts(demo["html"])[p.index].html
    ]
    _, _, stats = render_parallel(
        html, TEMPLATES, image_roots=demo["roots"], workers=2, cache_dir=cold["cache"]
    )
    assert len(changed) == 1
    assert stats.rendered_parts == changed and stats.laid_out == 1


def test_a_longer_chapter_moves_every_later_page_number(
    demo: dict[str, Any], cold: dict[str, Any], tmp_path: Path
) -> None:
    filler = "<p>" + "An added paragraph that makes Korea's chapter longer. " * 40 + "</p>"
    marker = "<h2>Republic of Korea</h2>"  # a chapter's running head comes from its h2
    html = demo["html"].replace(marker, marker + filler * 6, 1)
    pdf, _, stats = render_parallel(
        html, TEMPLATES, image_roots=demo["roots"], workers=2, cache_dir=cold["cache"]
    )
    single, _ = render_pdf(html, TEMPLATES, image_roots=demo["roots"])
    merged, expected = _summary(pdf), _summary(single)
    assert len(merged["pages"]) == len(expected["pages"]) > 60
    assert merged == expected
    assert stats.laid_out == 1  # only Korea's chapter needed a new pre-pass


def test_a_build_with_workers_renders_in_parallel_and_reuses_its_parts(tmp_path: Path) -> None:
    import json

    from wgreport.pipeline import build
    from wgreport.settings import Settings

    from .conftest import copy_inputs

    settings = Settings(
        root=ROOT,
        inputs_dir=copy_inputs(tmp_path),
        outputs_dir=tmp_path / "outputs",
        render_workers=2,
    )
    first, second = build(settings, 2024), build(settings, 2024)
    one, two = (json.loads((f / "manifest.json").read_text("utf-8")) for f in (first, second))
    assert one["render"] == {
        "mode": "parallel", "workers": 2, "parts": 21, "parts_laid_out": 21,
        "parts_rendered": 21, "passes": 1,
    }  # fmt: skip
    # The second draft differs only in its label ("Draft 002"), on every page: every part
    # is rendered again, but no layout is needed.
    assert two["render"]["parts_laid_out"] == 0 and two["pages"] == one["pages"] == 60
    assert (settings.outputs_dir / ".cache" / "parts" / "pdf").is_dir()
