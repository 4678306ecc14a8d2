"""Chapters from data: ctx.chapters drives the includes, headings, contents and every
cross-reference label, so a reordered or renamed annex moves all of them together."""

from __future__ import annotations

import functools
import html as htmllib
import re

import pytest

from tests.conftest import DEMO_INPUTS, ROOT
from wgreport.build.pipeline import make_context
from wgreport.build.plan import make_build_info
from wgreport.content import numbering
from wgreport.content.reportmodel import ReportContext
from wgreport.inputs.edition import load_edition_inputs
from wgreport.render.html import render_html


def _render() -> tuple[ReportContext, str]:
    ctx = make_context(load_edition_inputs(DEMO_INPUTS, 2024), make_build_info(1))
    return ctx, render_html(ctx, ROOT / "templates")


@functools.cache
def _demo() -> tuple[ReportContext, str]:
    """The demo's context and page, made once for the tests that only read them."""
    return _render()


def test_every_chapter_is_a_section_with_its_heading_in_order() -> None:
    ctx, html = _demo()
    found = re.findall(r'<section class="chapter[^"]*" id="([^"]+)">\s*<h2>([^<]+)</h2>', html)
    assert [(c.id, c.title) for c in ctx.chapters] == found
    labels = [c.label for c in ctx.chapters if c.label]
    assert labels == [f"Chapter {n}" for n in range(1, 15)] + [f"Annex {x}" for x in "ABCD"]
    assert [c.title for c in ctx.chapters][:3] == [
        "Foreword",
        "Figures, tables and abbreviations",
        "Executive summary",
    ]
    assert ctx.chapters[3].title == "1. About the working group and its method"
    assert ctx.chapters[7].title == "5. Republic of Korea"  # the formal name, once


def test_figures_and_tables_are_numbered_within_their_chapters() -> None:
    ctx, html = _demo()
    html = htmllib.unescape(html)
    assert [f.number for f in ctx.front.figures] == [
        "3.1",
        "3.2",
        *[f"4.{i}" for i in range(1, 8)],
        "5.1",  # Korea's initiative image, and Estonia's case study's
        "7.1",
    ]
    numbers = [t.number for t in ctx.front.tables]
    assert numbers[:4] == ["1.1", "2.1", "4.1", "5.1"] and numbers[-3:] == ["B.12", "C.1", "D.1"]
    for entry in ctx.front.tables:
        assert f"Table {entry.number}. {entry.title}</caption>" in html, entry
    for entry in ctx.front.figures:
        assert f"Figure {entry.number}." in html, entry


def test_cross_references_follow_the_annex_order(monkeypatch: pytest.MonkeyPatch) -> None:
    swapped = [numbering.ANNEXES[3], *numbering.ANNEXES[:3]]  # the status annex first
    monkeypatch.setattr(numbering, "ANNEXES", swapped)
    ctx, html = _render()
    assert ctx.label("annex-status") == "Annex A"
    assert ctx.label("annex-indicators") == "Annex B"
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "is set out for the secretariat in Annex A." in text
    assert "the indicators' definitions in Annex B." in text
    assert "<h2>Annex A. Submission status and validation notes</h2>" in html


def test_a_reference_to_an_unknown_or_unlabelled_chapter_fails() -> None:
    ctx, _ = _demo()
    with pytest.raises(KeyError, match="no chapter 'annex-z'"):
        ctx.label("annex-z")
    with pytest.raises(ValueError, match="no label"):
        ctx.label("summary")
