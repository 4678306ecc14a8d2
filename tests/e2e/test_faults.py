"""Injected faults: a full disk while writing, a read-only outputs folder, a missing
template, stylesheet or font. Each gives a clear error naming what is wrong, and leaves no
partial output. (A task that raises once is retried: tests/e2e/test_flow_secretariat.py.)"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DEMO_INPUTS, ROOT, SMALL, copy_inputs, library_settings
from tests.support.crashcheck import leftovers
from wgreport.build import publish
from wgreport.build.audit import read_log
from wgreport.build.publish import digest_tree, next_draft_number, year_lock
from wgreport.errors import PublishError, RenderError
from wgreport.render.html import check_fonts, render_html, render_pdf

TEMPLATES = ROOT / "templates"


def _publish(outputs: Path, files: dict[str, bytes]) -> Path:
    with year_lock(outputs / "2024"):
        number = next_draft_number(outputs, 2024)
        return publish.publish_draft(outputs, 2024, number, files, {"year": 2024}).folder


def _disk_fills_after(monkeypatch: pytest.MonkeyPatch, files: int) -> dict[str, int]:
    """`_write` writes `files` files, then half of the next one, then fails with ENOSPC."""
    real = publish._write
    seen = {"n": 0}

    def write(path: Path, data: bytes) -> None:
        seen["n"] += 1
        if seen["n"] > files:
            with path.open("xb") as fh:
                fh.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data)

    monkeypatch.setattr(publish, "_write", write)
    return seen


def test_a_full_disk_while_writing_a_draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _publish(tmp_path, {"report.pdf": b"one", "report.html": b"<p>one"})
    before = digest_tree(first)
    _disk_fills_after(monkeypatch, 1)
    with pytest.raises(PublishError, match=r"the disk is full .* nothing was published"):
        _publish(tmp_path, {"report.pdf": b"two" * 1000, "report.html": b"<p>two"})
    drafts = tmp_path / "2024" / "drafts"
    assert sorted(p.name for p in drafts.iterdir()) == ["001"]  # no partial 002, no .tmp-
    assert digest_tree(first) == before
    assert (tmp_path / "2024" / "latest").resolve() == first.resolve()


def test_a_full_disk_in_a_whole_build_is_a_clear_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wgreport.build.steps import build

    # the small edition: the draft writes the same files whatever its members
    inputs = copy_inputs(tmp_path, members=SMALL)
    digest = digest_tree(inputs)
    outputs = tmp_path / "outputs"
    seen = _disk_fills_after(monkeypatch, 4)
    with pytest.raises(PublishError, match="the disk is full"):
        build(library_settings(inputs, outputs), 2024)
    assert seen["n"] == 5  # the fault struck half-way through the draft
    year_dir = outputs / "2024"
    assert not (year_dir / "drafts").exists() or not any((year_dir / "drafts").iterdir())
    assert leftovers(year_dir) == [] and not (year_dir / "latest").exists()
    assert digest_tree(inputs) == digest
    entry = read_log(year_dir)[-1]
    assert entry["result"] == "failed" and "disk is full" in entry["error"]
    assert entry["draft"] is None


def _read_only(monkeypatch: pytest.MonkeyPatch, outputs: Path) -> None:
    """Writing anything under `outputs` fails as on a read-only mount (root ignores chmod)."""
    real_mkdir, real_open = Path.mkdir, Path.open

    def refuse(path: Path) -> None:
        if path.is_relative_to(outputs):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        refuse(self)
        real_mkdir(self, *args, **kwargs)

    def open_(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if set(mode) & set("wax+"):
            refuse(self)
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    monkeypatch.setattr(Path, "open", open_)


@pytest.mark.parametrize("exists", [False, True], ids=["new-year", "existing-year"])
def test_a_read_only_outputs_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exists: bool
) -> None:
    outputs = tmp_path / "outputs"
    if exists:
        (outputs / "2024").mkdir(parents=True)
    _read_only(monkeypatch, outputs)
    with pytest.raises(PublishError, match=r"cannot write under .*Read-only file system; check"):
        _publish(outputs, {"report.pdf": b"x"})


def _templates(tmp_path: Path) -> Path:
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy)
    return copy


@pytest.fixture(scope="module")
def demo_context() -> Any:
    from wgreport.build.pipeline import make_context
    from wgreport.build.plan import make_build_info
    from wgreport.inputs.edition import load_edition_inputs

    return make_context(load_edition_inputs(DEMO_INPUTS, 2024), make_build_info(1))


def test_a_missing_template_is_named(tmp_path: Path, demo_context: Any) -> None:
    templates = _templates(tmp_path)
    (templates / "sections" / "_member.html.j2").unlink()
    with pytest.raises(RenderError, match=r"template sections/_member.html.j2 not found in"):
        render_html(demo_context, templates)
    (templates / "report.html.j2").unlink()
    with pytest.raises(RenderError, match=r"template report.html.j2 not found in"):
        render_html(demo_context, templates)


def test_a_missing_stylesheet_is_named(tmp_path: Path) -> None:
    templates = _templates(tmp_path)
    (templates / "paged.css").unlink()
    with pytest.raises(RenderError, match=r"stylesheet paged.css not found in"):
        render_pdf("<p>x</p>", templates)


def test_a_missing_font_is_named(tmp_path: Path) -> None:
    templates = _templates(tmp_path)
    check_fonts(templates)  # the real templates' fonts are installed
    with (templates / "report.css").open("a", encoding="utf-8") as fh:
        fh.write('\nblockquote { font-family: "Wgreport Missing Serif", serif; }\n')
    with pytest.raises(
        RenderError, match=r"font 'Wgreport Missing Serif' \(named in templates/report.css\)"
    ):
        render_pdf("<p>x</p>", templates)
