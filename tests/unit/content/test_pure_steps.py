"""The middle steps are pure (issue 36): the read step, after validation, reads everything
the later steps need from disk (the previous edition, validated; the foreword; the images
as data; the review files), and the aggregate and context steps run on its output with
the inputs folder gone and every way of reading a file refused. The comment pages are
written by publishing, from what the context step computed."""

from __future__ import annotations

import builtins
import io
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, ROOT, copy_inputs
from wgreport.build import outputs, steps
from wgreport.build.pipeline import EditionRead
from wgreport.build.plan import make_build_info
from wgreport.inputs.edition import LoadedEdition, load_edition_inputs


class FileRead(AssertionError):
    """A pure step touched the file system."""


@contextmanager
def no_file_system(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every usual way of reading a file or a folder raises `FileRead`."""

    def refuse(name: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            raise FileRead(f"{name}{args!r}")

        return refused

    with monkeypatch.context() as patch:
        patch.setattr(builtins, "open", refuse("open"))
        patch.setattr(io, "open", refuse("io.open"))
        for name in ("open", "scandir", "listdir", "stat", "walk"):
            patch.setattr(os, name, refuse(f"os.{name}"))
        for name in ("open", "read_text", "read_bytes", "iterdir", "glob", "rglob",
                     "exists", "is_dir", "is_file", "stat"):  # fmt: skip
            patch.setattr(Path, name, refuse(f"Path.{name}"))
        yield


def _edition_with_reviews(tmp_path: Path) -> tuple[Path, Path, LoadedEdition]:
    """The demo inputs (2024, with 2023 before it) with two reviewers' files, and the two
    drafts they comment on."""
    inputs = copy_inputs(tmp_path)
    shutil.copytree(FIXTURES / "reviews" / "valid", inputs / "2024" / "reviews")
    out = tmp_path / "outputs"
    for number in ("001", "002"):
        folder = out / "2024" / "drafts" / number
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(json.dumps({"pages": 60}), encoding="utf-8")
    return inputs, out, load_edition_inputs(inputs, 2024)


def test_the_read_step_reads_what_the_later_steps_need(tmp_path: Path) -> None:
    inputs, out, loaded = _edition_with_reviews(tmp_path)
    assert steps.STEPS.index(steps.READ) == steps.STEPS.index(steps.VALIDATE) + 1
    assert steps.READ.io and not steps.AGGREGATE.io and not steps.CONTEXT.io

    read = steps.READ(loaded, out)

    assert isinstance(read, EditionRead)
    assert read.previous_year == 2023
    assert sorted(read.previous) == sorted(load_edition_inputs(inputs, 2023).contributions)
    foreword = (inputs / "2024" / "foreword.md").read_text(encoding="utf-8")
    assert read.foreword == foreword
    assert read.images["KR/benefits-flow.svg"].startswith("data:image/svg+xml;base64,")
    assert read.reviews is not None
    assert {f.reviewer for f in read.reviews.files} == {"ee-review-team", "nz-reader"}
    assert read.reviews.rows


def test_aggregate_and_context_read_nothing_from_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs, out, loaded = _edition_with_reviews(tmp_path)
    build = make_build_info(3)
    read = steps.READ(loaded, out)
    # the same steps with the file system there, as the expectation (and for lazy imports)
    aggregated = steps.AGGREGATE(loaded, read)
    figures = steps.CHARTS(loaded, aggregated, None)
    expected = steps.CONTEXT(loaded, build, aggregated, figures, read)

    inputs.rename(tmp_path / "inputs-gone")
    out.rename(tmp_path / "outputs-gone")
    with no_file_system(monkeypatch):
        pure_aggregated = steps.AGGREGATE(loaded, read)
        contexted = steps.CONTEXT(loaded, build, pure_aggregated, figures, read)

    assert pure_aggregated.previous_year == 2023
    assert pure_aggregated.frames.change["previous"].notna().any()
    assert pure_aggregated.frames.values.equals(aggregated.frames.values)
    assert pure_aggregated.frames.change.equals(aggregated.frames.change)
    ctx = contexted.ctx
    assert ctx == expected.ctx
    assert contexted.data == expected.data
    assert ctx.previous_year == 2023
    assert ctx.foreword_html
    assert any(
        (i.image_src or "").startswith("data:image/") for m in ctx.members for i in m.initiatives
    )
    assert ctx.comments is not None and ctx.comments.total == len(contexted.comments.rows) > 0


def test_the_comment_pages_are_written_by_publishing(tmp_path: Path) -> None:
    _, out, loaded = _edition_with_reviews(tmp_path)
    read = steps.READ(loaded, out)
    aggregated = steps.AGGREGATE(loaded, read)
    contexted = steps.CONTEXT(loaded, make_build_info(3), aggregated, [], read)

    assert not {"comments.html", "comments.csv"} & set(contexted.data)
    assert contexted.comments.label == "Draft 003"
    files = outputs.comment_files(contexted.comments, ROOT / "templates")
    assert set(files) == {"comments.html", "comments.csv"}
    for reviewer in ("ee-review-team", "nz-reader"):
        assert reviewer in files["comments.html"].decode("utf-8")
        assert reviewer in files["comments.csv"].decode("utf-8")
