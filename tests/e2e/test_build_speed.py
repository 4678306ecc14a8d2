"""Issue 41, builds nearer the floor: what the build no longer does twice (the benchmarks
in benchmarks/run.py measure the time; these tests pin the behaviour that saves it)."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from wgreport.build.steps import HTML


class Untraversable(dict[str, str]):
    """A step's argument that fails the test if Prefect walks into it looking for futures."""

    def items(self) -> Any:
        raise AssertionError("Prefect walked into a step's argument")

    def __iter__(self) -> Any:
        raise AssertionError("Prefect walked into a step's argument")


def test_a_step_run_as_a_task_gets_its_arguments_unwalked(
    prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect import flow, task

    from wgreport.flows import annual_report

    seen: list[Any] = []

    def step_fn(first: Any, second: Any) -> str:
        seen.extend([first, second])
        return "done"

    monkeypatch.setitem(
        annual_report.TASKS, HTML.name, task(name=HTML.name, persist_result=False)(step_fn)
    )
    argument = Untraversable(a="b")

    @flow
    def one_step() -> str:
        step: Any = HTML  # a step of two arguments, as step_fn is
        return str(annual_report.PrefectRunner().run(step, argument, second=3))

    assert one_step() == "done"
    # the task got the values themselves, not Prefect's wrappers
    assert seen[0] is argument and seen[1] == 3


def test_a_draft_laid_out_per_chapter_is_written_once_marked_and_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Merging, the DRAFT mark and the last pass (finish.py) share one open document: the
    file is written once, not written and read back for each of the three."""
    import pikepdf

    from tests.conftest import DEMO_INPUTS, ROOT
    from wgreport.build.pipeline import image_folders, make_context
    from wgreport.build.plan import make_build_info
    from wgreport.inputs.edition import load_edition_inputs
    from wgreport.render.html import render_html
    from wgreport.render.pdf.report import render_pdf_report

    saves: list[int] = []
    save = pikepdf.Pdf.save

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        saves.append(1)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(pikepdf.Pdf, "save", counted)
    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    ctx = make_context(loaded, make_build_info(7))
    templates = ROOT / "templates"
    rendered = render_pdf_report(
        ctx,
        render_html(ctx, templates),
        templates,
        image_roots=image_folders(loaded),
        workers=2,
        cache_dir=tmp_path,
    )
    assert dict(rendered.render)["mode"] == "parallel"
    assert len(saves) == 1
    with pikepdf.open(io.BytesIO(rendered.pdf)) as pdf:
        assert pdf.pdf_version == "1.7"  # finished (finish.py)
        assert "pdfuaid:part" in str(pdf.open_metadata())
        assert len(pdf.pages) == rendered.pages
        for page in pdf.pages:  # marked (watermark.py), every page
            assert "/WgWatermarkGS" in page.Resources.ExtGState
        faces = Counter(
            str(font.BaseFont).split("+", 1)[-1]
            for font in pdf.objects
            if isinstance(font, pikepdf.Dictionary) and font.get("/Subtype") == "/Type0"
        )
        assert faces and max(faces.values()) == 1  # one font per face (finish.py)
