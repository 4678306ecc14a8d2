"""The live preview reads what a build reads (issue 41): its page is the library's page of
the same inputs, the editorial chapters (key messages) and the previous edition's checks
included, and it does not make the files only publishing needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SMALL, copy_inputs, library_settings
from wgreport.build import outputs, pipeline, steps
from wgreport.inputs.edition import load_edition_inputs
from wgreport.layout import Inputs
from wgreport.live.rebuild import LiveBuilder

YEAR = 2024
SENTENCE = "A key message written while the preview was open."


def _builder(tmp_path: Path) -> LiveBuilder:
    inputs = copy_inputs(tmp_path, members=SMALL)
    settings = library_settings(inputs, tmp_path / "outputs")
    return LiveBuilder(settings, YEAR)


def test_the_preview_shows_the_editorial_chapters_and_their_saves(tmp_path: Path) -> None:
    builder = _builder(tmp_path)
    first = builder.build()
    assert first.failure is None and first.html is not None
    assert 'id="key-messages"' in first.html
    assert "The group still leads the world on digital government" in first.html
    messages = Inputs(builder.settings.inputs_dir).edition(YEAR).folder / "key-messages.md"
    with messages.open("a", encoding="utf-8") as out:
        out.write(f"\n{SENTENCE}\n")
    assert SENTENCE in (builder.build([messages]).html or "")


def test_the_preview_context_is_the_library_build_s(tmp_path: Path) -> None:
    builder = _builder(tmp_path)
    built = builder.build()
    assert built.ctx is not None
    settings = builder.settings
    loaded = load_edition_inputs(settings.inputs_dir, YEAR)
    read = pipeline.read_edition(loaded, settings.outputs_dir)
    aggregated = steps.AGGREGATE(loaded, read)
    figures = steps.CHARTS(loaded, aggregated, settings.cache_dir)
    library = steps.CONTEXT(loaded, built.ctx.build, aggregated, figures, read).ctx
    assert built.ctx.editorial == library.editorial
    assert built.ctx.validation_notes == library.validation_notes
    assert built.ctx.model_dump() == library.model_dump()


def test_the_preview_does_not_make_the_files_only_publishing_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []

    def data_files(*args: object) -> dict[str, bytes]:
        made.append("data")
        return {}

    monkeypatch.setattr(outputs, "data_files", data_files)
    monkeypatch.setattr(outputs, "comments_data", lambda *a: made.append("comments"))
    built = _builder(tmp_path).build()
    assert built.failure is None and made == []
