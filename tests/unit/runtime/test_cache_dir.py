"""Where the build cache lives: the outputs' `.cache/`, or `WGREPORT_CACHE_DIR`."""

from __future__ import annotations

from pathlib import Path

import pytest

from wgreport.runtime.settings import get_settings


def test_the_cache_is_in_the_outputs_unless_wgreport_cache_dir_names_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WGREPORT_CACHE_DIR", raising=False)
    outputs = tmp_path / "outputs"
    assert get_settings(outputs=outputs).cache_dir == outputs / ".cache"
    monkeypatch.setenv("WGREPORT_CACHE_DIR", "   ")  # blank: not set
    assert get_settings(outputs=outputs).cache_dir == outputs / ".cache"
    # a relative folder is taken from the current folder, once, as an absolute path
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WGREPORT_CACHE_DIR", "shared/cache")
    settings = get_settings(outputs=outputs)
    assert settings.cache_dir == tmp_path.resolve() / "shared" / "cache"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WGREPORT_CACHE_DIR", "~/wgreport-cache")
    assert get_settings(outputs=outputs).cache_dir == (tmp_path / "home").resolve() / (
        "wgreport-cache"
    )
