"""outputs/<year>/builds.log: one JSON line per build, whatever its result."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_inputs, library_settings
from wgreport.build.audit import LOG_NAME, read_log, recorded_build
from wgreport.build.publish import year_lock
from wgreport.build.steps import build
from wgreport.errors import FinalExists, FinalRefused, PublishError

KEYS = {
    "started_at", "finished_at", "user", "host", "pid", "via", "run_id", "tool_version",
    "year", "parameters", "result", "error", "draft", "folder", "recovered",
}  # fmt: skip


def test_refused_finals_are_recorded(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path)
    (inputs / "2024" / "contributions" / "NZ.yaml").write_text("member: NZ\n", encoding="utf-8")
    outputs = tmp_path / "outputs"
    settings = library_settings(inputs, outputs)
    with pytest.raises(FinalRefused):
        build(settings, 2024, final=True)
    (outputs / "2024" / "final").mkdir()
    with pytest.raises(FinalExists):
        build(settings, 2024, final=True, allow_missing=["NZ"])
    log = read_log(outputs / "2024")
    assert [e["result"] for e in log] == ["refused", "refused"]
    assert log[0]["error"].startswith("FinalRefused: Preflight of the 2024 final")
    assert "--allow-missing NZ" in log[0]["error"]
    assert log[1]["error"].startswith("FinalExists:")
    assert log[1]["parameters"]["allow_missing"] == ["NZ"] and log[1]["parameters"]["final"]
    assert all(e["draft"] is None and e["folder"] is None for e in log)


def test_failures_interruptions_and_lock_timeouts_are_recorded(tmp_path: Path) -> None:
    year_dir = tmp_path / "2024"
    with pytest.raises(ValueError), recorded_build(year_dir, {"year": 2024}, via="library"):
        raise ValueError("boom")
    with (
        pytest.raises(KeyboardInterrupt),
        recorded_build(year_dir, {"year": 2024}, via="library"),
    ):
        raise KeyboardInterrupt
    with (
        year_lock(year_dir),
        pytest.raises(PublishError, match="holds"),
        recorded_build(year_dir, {"year": 2024}, via="prefect", wait_seconds=0.3),
    ):
        pass
    with recorded_build(year_dir, {"year": 2024, "path": tmp_path}, via="library") as entry:
        (year_dir / "drafts" / "007").mkdir(parents=True)
        entry.published(year_dir / "drafts" / "007")
    log = read_log(year_dir)
    assert [(e["result"], e["via"]) for e in log] == [
        ("failed", "library"),
        ("interrupted", "library"),
        ("failed", "prefect"),
        ("success", "library"),
    ]
    assert log[0]["error"] == "ValueError: boom"
    assert "another build of 2024 holds" in log[2]["error"]
    assert log[3]["draft"] == "007" and log[3]["parameters"]["path"] == str(tmp_path)


def test_an_unwritable_log_does_not_hide_the_build_result(tmp_path: Path) -> None:
    year_dir = tmp_path / "2024"
    (year_dir / LOG_NAME).mkdir(parents=True)  # a folder where the log should be
    with pytest.raises(ValueError, match="boom"), recorded_build(year_dir, {}, via="library"):
        raise ValueError("boom")
