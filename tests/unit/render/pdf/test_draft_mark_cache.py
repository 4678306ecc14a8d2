"""The DRAFT mark's outlines are cut once and then read from the cache (issue 41)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from wgreport.render.pdf import watermark

pytestmark = pytest.mark.skipif(shutil.which("fc-match") is None, reason="needs fontconfig")


def test_the_marks_outlines_are_read_back_from_the_cache_not_cut_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uncached = watermark.mark_content(595.0, 842.0)
    assert watermark.mark_content(595.0, 842.0, cache_dir=tmp_path) == uncached
    assert list((tmp_path / "draft-mark").rglob("*"))  # kept

    def refuse(*_: Any) -> Any:
        raise AssertionError("the outlines were cut again")

    monkeypatch.setattr(watermark, "_outline_ops", refuse)
    assert watermark.mark_content(595.0, 842.0, cache_dir=tmp_path) == uncached


def test_another_text_is_cut_for_itself(tmp_path: Path) -> None:
    draft = watermark.outline_ops("DRAFT", tmp_path)
    other = watermark.outline_ops("PROOF", tmp_path)
    assert draft != other
    assert watermark.outline_ops("PROOF", tmp_path) == other
