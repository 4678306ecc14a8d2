"""The live preview keeps the context's parts made from the aggregate alone (Annex B's
tables, the facts, the indicator matrix, the charts' figures) while no contribution, group
or edition file changed (issue 41: at 193 members they were half of a foreword save's
rebuild), and its context is still the library build's after such a save."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SMALL, copy_inputs, library_settings
from wgreport.build import pipeline, steps
from wgreport.content import context
from wgreport.content.facts import compute_facts
from wgreport.content.keptparts import AggregateParts, KeptParts
from wgreport.content.numbering import numbering, report_chapters
from wgreport.content.reportmodel import ReportContext
from wgreport.i18n import language
from wgreport.inputs.edition import load_edition_inputs
from wgreport.layout import Inputs
from wgreport.live.rebuild import Built, LiveBuilder

YEAR = 2024


@pytest.fixture
def facts_made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry each time the context's facts (one of the kept parts) are computed."""
    made: list[int] = []
    real = compute_facts

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(context, "compute_facts", counted)
    return made


def _builder(tmp_path: Path) -> LiveBuilder:
    inputs = copy_inputs(tmp_path, members=SMALL)
    settings = library_settings(inputs, tmp_path / "outputs")
    return LiveBuilder(settings, YEAR)


def _library_context(builder: LiveBuilder, built: Built) -> ReportContext:
    assert built.ctx is not None
    settings = builder.settings
    loaded = load_edition_inputs(settings.inputs_dir, YEAR)
    read = pipeline.read_edition(loaded, settings.outputs_dir)
    aggregated = steps.AGGREGATE(loaded, read)
    figures = steps.CHARTS(loaded, aggregated, settings.cache_dir)
    return steps.CONTEXT(loaded, built.ctx.build, aggregated, figures, read).ctx


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_foreword_save_keeps_them_and_the_context_is_the_library_s(
    tmp_path: Path, facts_made: list[int]
) -> None:
    builder = _builder(tmp_path)
    assert builder.build().failure is None and len(facts_made) == 1
    foreword = Inputs(builder.settings.inputs_dir).edition(YEAR).foreword
    with foreword.open("a", encoding="utf-8") as out:
        out.write("\nA sentence saved while the preview was open.\n")
    saved = builder.build([foreword])
    assert saved.failure is None and "A sentence saved while the preview" in (saved.html or "")
    assert len(facts_made) == 1  # kept: the aggregate did not change
    assert saved.ctx is not None
    library = _library_context(builder, saved)
    assert saved.ctx.data_tables == library.data_tables
    assert saved.ctx.model_dump() == library.model_dump()


def test_a_contribution_save_makes_them_again(tmp_path: Path, facts_made: list[int]) -> None:
    builder = _builder(tmp_path)
    first = builder.build()
    assert first.ctx is not None
    member = Inputs(builder.settings.inputs_dir).edition(YEAR).contribution("GB")
    _edit(member, "value: 0.95773", "value: 0.91234")
    saved = builder.build([member])
    assert saved.failure is None and saved.ctx is not None
    assert len(facts_made) == 2  # the aggregate changed: made again
    assert saved.ctx.data_tables != first.ctx.data_tables  # Annex B has the new value
    assert saved.ctx.model_dump() == _library_context(builder, saved).model_dump()


def test_kept_parts_are_made_again_for_other_frames_a_group_or_a_language(
    tmp_path: Path,
) -> None:
    loaded = load_edition_inputs(copy_inputs(tmp_path, members=SMALL), YEAR)
    aggregated = steps.AGGREGATE(loaded, pipeline.read_edition(loaded, tmp_path / "outputs"))
    frames, wg = aggregated.frames, loaded.working_group
    codes = [m.code for m in wg.members if m.code in loaded.contributions]
    chapters = report_chapters([(c, c) for c in codes], loaded.edition.chapters)
    n = numbering(wg, codes, [], None, chapters, False, {})
    kept, made = KeptParts(), []

    def make() -> AggregateParts:
        made.append(AggregateParts([], [], [], [], []))
        return made[-1]

    first = kept.parts(wg, frames, n, (YEAR, YEAR - 1), make)
    assert kept.parts(wg.model_copy(deep=True), frames, n, (YEAR, YEAR - 1), make) is first
    assert len(made) == 1  # an equal group, the same frames: kept
    renamed = wg.model_copy(update={"name": "Another group"})
    assert kept.parts(renamed, frames, n, (YEAR, YEAR - 1), make) is not first
    again = steps.AGGREGATE(loaded, pipeline.read_edition(loaded, tmp_path / "outputs"))
    assert kept.parts(renamed, again.frames, n, (YEAR, YEAR - 1), make) is made[-1]
    assert len(made) == 3  # other frames (equal or not): made again
    assert kept.parts(renamed, again.frames, n, (YEAR, None), make) is made[-1]
    with language("ko"):
        kept.parts(renamed, again.frames, n, (YEAR, None), make)
    assert len(made) == 5 and kept.made == 5


def test_the_images_are_read_again_only_when_an_image_or_a_contribution_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[int] = []
    real = pipeline.image_data_urls

    def counted(loaded: Any) -> dict[str, str]:
        read.append(1)
        return real(loaded)

    monkeypatch.setattr(pipeline, "image_data_urls", counted)
    builder = _builder(tmp_path)
    first = builder.build()
    folder = Inputs(builder.settings.inputs_dir).edition(YEAR)
    with folder.foreword.open("a", encoding="utf-8") as out:
        out.write("\nAnother sentence.\n")
    second = builder.build([folder.foreword])
    assert second.failure is None and len(read) == 1  # kept
    svg = folder.images("EE") / "once-only.svg"
    _edit(svg, "</svg>", '<rect x="1" y="1" width="2" height="2" fill="#123456"/></svg>')
    saved = builder.build([svg])
    assert len(read) == 2 and saved.ctx is not None and first.failure is None
    assert saved.html != second.html  # the image as saved, not as it was
    assert saved.ctx.model_dump() == _library_context(builder, saved).model_dump()
