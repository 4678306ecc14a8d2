"""The live preview's rebuild (issue 41): the edition made again in this process through
the library's steps, only what changed validated again, the problems of the saved files as
`wgreport validate` gives them, the last good page kept when a build fails, nothing written
but outputs/<year>/preview/."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SMALL, copy_inputs
from wgreport.build import steps
from wgreport.layout import Inputs, Outputs
from wgreport.live.pdfjob import changed_sections, section_digests
from wgreport.live.rebuild import LiveBuilder
from wgreport.render.html import render_html
from wgreport.runtime.settings import Settings

YEAR = 2024


def _builder(tmp_path: Path, root: Path = ROOT) -> LiveBuilder:
    inputs = copy_inputs(tmp_path, members=SMALL)
    settings = Settings(root=root, inputs_dir=inputs, outputs_dir=tmp_path / "outputs")
    return LiveBuilder(settings, YEAR)


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The contributions the VALIDATE step is run on, by file name."""
    seen: list[str] = []
    real = steps.VALIDATE

    def counted(setup: Any, path: Path) -> Any:
        seen.append(path.name)
        return real(setup, path)

    monkeypatch.setattr(steps, "VALIDATE", counted)
    return seen


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_save_rebuilds_the_page_validating_only_the_changed_contribution(
    tmp_path: Path, validations: list[str]
) -> None:
    builder = _builder(tmp_path)
    folder = Inputs(builder.settings.inputs_dir).edition(YEAR)
    first = builder.build()
    assert first.number == 1 and first.failure is None and first.errors == 0
    assert sorted(validations) == ["EE.yaml", "GB.yaml", "KR.yaml"]
    assert builder.files.report_html.read_text(encoding="utf-8") == first.html

    validations.clear()
    with folder.foreword.open("a", encoding="utf-8") as out:
        out.write("\nA sentence written while the preview runs.\n")
    second = builder.build([folder.foreword])
    assert second.number == 2 and "A sentence written while the preview runs." in (
        second.html or ""
    )
    assert validations == []  # no contribution changed: none validated again
    assert second.changed == ("inputs/2024/foreword.md",)

    _edit(folder.contribution("KR"), "In 2024 Korea moved", "In 2024 Korea swiftly moved")
    third = builder.build([folder.contribution("KR")])
    assert validations == ["KR.yaml"]
    assert "In 2024 Korea swiftly moved" in (third.html or "")


def test_a_broken_contribution_is_shown_at_its_line_and_goes_when_fixed(tmp_path: Path) -> None:
    builder = _builder(tmp_path)
    kr = Inputs(builder.settings.inputs_dir).edition(YEAR).contribution("KR")
    builder.build()
    good = kr.read_text(encoding="utf-8")
    _edit(kr, "\nyear: 2024\n", "\nyear: twenty\n")
    broken = builder.build([kr])
    assert broken.errors == 1 and broken.failure is None
    (problem,) = broken.problems
    assert (problem.file, problem.line, problem.field) == (
        "inputs/2024/contributions/KR.yaml",
        4,
        "year",
    )
    assert problem.where == "inputs/2024/contributions/KR.yaml:4:7"
    assert "whole number" in problem.message
    kr.write_text(good, encoding="utf-8")
    fixed = builder.build([kr])
    assert fixed.problems == () and fixed.errors == 0


def test_a_broken_edition_file_keeps_the_last_page_and_says_where(tmp_path: Path) -> None:
    builder = _builder(tmp_path)
    first = builder.build()
    edition = Inputs(builder.settings.inputs_dir).edition(YEAR).settings
    _edit(edition, "\nyear: 2024\n", "\nyear: [2024\n")
    failed = builder.build([edition])
    assert failed.failure is not None and failed.html == first.html
    assert failed.ctx is None  # nothing for the background PDF
    assert any(p.file == "inputs/2024/edition.yaml" and p.line for p in failed.problems), failed


def test_a_broken_template_keeps_the_last_page_and_names_the_template(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "templates", root / "templates")
    builder = _builder(tmp_path, root)
    first = builder.build()
    report = root / "templates" / "report.html.j2"
    report.write_text(report.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    failed = builder.build([report])
    assert failed.html == first.html
    assert failed.failure is not None and "report.html.j2" in failed.failure
    assert "line" in failed.failure and "save it again" in failed.failure


def test_the_preview_writes_no_draft(tmp_path: Path) -> None:
    builder = _builder(tmp_path)
    builder.build()
    year = Outputs(builder.settings.outputs_dir).year(YEAR)
    assert not year.drafts.exists() and not year.final.folder.exists()
    assert not year.builds_log.exists() and not year.latest.exists()
    assert sorted(p.name for p in year.folder.iterdir()) == ["preview"]


def test_only_the_chapter_whose_content_changed_is_laid_out_again(tmp_path: Path) -> None:
    builder = _builder(tmp_path)
    templates = builder.settings.templates_dir

    def digests() -> dict[str, str]:
        built = builder.build()
        assert built.ctx is not None
        print_html = render_html(built.ctx, templates, for_print=True)
        return section_digests(print_html, [c.id for c in built.ctx.chapters])

    first = digests()
    assert changed_sections({}, first) == []  # the first build: nothing to compare with
    assert changed_sections(first, digests()) == []  # rebuilt unchanged: no chapter
    kr = Inputs(builder.settings.inputs_dir).edition(YEAR).contribution("KR")
    _edit(kr, "In 2024 Korea moved", "In 2024 Korea swiftly moved")
    assert changed_sections(first, digests()) == ["member-kr"]


def test_a_save_elsewhere_does_not_concern_the_preview(tmp_path: Path) -> None:
    builder = _builder(tmp_path)
    inputs = Inputs(builder.settings.inputs_dir)
    assert builder.concerns(inputs.edition(YEAR).contribution("KR"))
    assert builder.concerns(builder.settings.templates_dir / "report.html.j2")
    assert builder.concerns(inputs.working_group)
    assert not builder.concerns(inputs.edition(YEAR).folder / "contributions" / ".KR.yaml.swp")
    assert not builder.concerns(inputs.edition(YEAR).folder / "contributions" / "KR.yaml~")
    assert not builder.concerns(tmp_path / "elsewhere.yaml")


def test_the_aggregate_is_made_again_only_when_a_contribution_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = _builder(tmp_path)
    folder = Inputs(builder.settings.inputs_dir).edition(YEAR)
    made: list[int] = []
    real = steps.AGGREGATE

    def counted(loaded: Any, read: Any) -> Any:
        made.append(len(loaded.contributions))
        return real(loaded, read)

    monkeypatch.setattr(steps, "AGGREGATE", counted)
    builder.build()
    with folder.foreword.open("a", encoding="utf-8") as out:
        out.write("\nAn editorial sentence.\n")
    second = builder.build([folder.foreword])
    assert made == [3] and "An editorial sentence." in (second.html or "")
    _edit(folder.contribution("KR"), "\nyear: 2024\n", "\nyear: twenty\n")
    builder.build([folder.contribution("KR")])
    assert made == [3, 2]  # KR left out: the tables made again without it
