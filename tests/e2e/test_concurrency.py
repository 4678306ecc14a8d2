"""Builds at once: four builds of the same year and one of another year, each in its own
process. Same-year builds wait for each other; every draft that appears is complete and
distinct, and no number is used twice. Another year's build is not held up."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

from tests.conftest import SMALL, _keep_members, copy_inputs, library_settings
from wgreport.build.audit import read_log
from wgreport.build.publish import verify_folder, year_lock

SAME_YEAR = 4


def _build_in_process(inputs: str, outputs: str, year: int, queue: Any) -> None:
    from wgreport.build.steps import build

    settings = library_settings(Path(inputs), Path(outputs))
    queue.put((year, str(build(settings, year))))


def test_four_builds_of_one_year_and_one_of_another_at_once(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path, members=SMALL)  # the locking does not depend on ten
    _keep_members(inputs / "2023", SMALL)  # nor does the other year's build, also of three
    outputs = tmp_path / "outputs"
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()

    def start(year: int) -> Any:
        process = ctx.Process(
            target=_build_in_process, args=(str(inputs), str(outputs), year, queue)
        )
        process.start()
        return process

    # Hold 2024's lock, as a running build would: the four 2024 builds must wait for it,
    # and the 2023 build must finish regardless.
    with year_lock(outputs / "2024"):
        same = [start(2024) for _ in range(SAME_YEAR)]
        other = start(2023)
        other.join(timeout=600)
        assert other.exitcode == 0
        assert queue.get(timeout=5)[0] == 2023
        assert not (outputs / "2024" / "drafts").exists()  # all four still waiting
    for process in same:
        process.join(timeout=900)
        assert process.exitcode == 0
    folders = sorted(Path(queue.get(timeout=5)[1]) for _ in same)
    assert [f.name for f in folders] == ["001", "002", "003", "004"]
    pdfs = set()
    for folder in folders:
        assert all(result == "OK" for _, result in verify_folder(folder)), folder
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["draft"] == folder.name
        pdfs.add(manifest["outputs"]["report.pdf"])
    assert len(pdfs) == SAME_YEAR  # distinct drafts: each PDF carries its own draft number
    assert sorted(p.name for p in (outputs / "2024" / "drafts").iterdir()) == [
        f.name for f in folders
    ]
    log = read_log(outputs / "2024")
    assert sorted(e["draft"] for e in log) == ["001", "002", "003", "004"]
    assert len({e["pid"] for e in log}) == SAME_YEAR
    assert [e["draft"] for e in read_log(outputs / "2023")] == ["001"]
