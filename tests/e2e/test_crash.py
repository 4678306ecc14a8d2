"""Crash safety, quick version: builds killed with SIGKILL at four moments (while
validating, half-way through writing a draft, just after the rename, and half-way through
replacing the final). After each kill nothing published changed and nothing incomplete is
visible; each next build gets the lock the killed one held, and the last one succeeds and
leaves no temporaries. benchmarks/killtest.py runs all twenty moments, also through
`wgreport build`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SMALL, copy_inputs, library_settings
from tests.support.crashcheck import leftovers, problems_after_kill, published
from tests.support.killpoints import BY_NAME, build_command, run_and_kill
from wgreport.build.audit import read_log
from wgreport.build.publish import digest_tree
from wgreport.build.steps import build

QUICK = ["validate-6", "half-written", "renamed", "final-exchanged"]


@pytest.mark.skipif(sys.platform != "linux", reason="SIGKILL and renameat2: Linux")
def test_builds_killed_at_four_moments_destroy_and_hide_nothing(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path, members=SMALL)  # what is killed does not depend on ten
    outputs = tmp_path / "outputs"
    year_dir = outputs / "2024"
    settings = library_settings(inputs, outputs)
    build(settings, 2024)
    build(settings, 2024, final=True)
    inputs_digest = digest_tree(inputs)
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
    for name in QUICK:
        before = published(year_dir)
        marker = tmp_path / f"reached-{name}"
        command = build_command(name, marker, inputs, outputs, cli=False,
                                final=BY_NAME[name].final)  # fmt: skip
        result = run_and_kill(command, marker, env=env)
        # Reaching the point means this build got the lock the previous killed build held.
        assert result.reached, f"{name}: the build ended (exit {result.returncode}) first"
        assert result.returncode == -9
        assert problems_after_kill(year_dir, before, inputs, inputs_digest) == [], name
        if name == "renamed":  # killed just after its draft was renamed into place
            assert set(published(year_dir)) - set(before) == {"drafts/002"}
    assert (year_dir / "final").is_dir()
    # the last kill left the old final's files under the swap's temporary name
    assert [n.split("-")[0] for n in leftovers(year_dir)] == [".pending"]

    before = published(year_dir)
    folder = build(settings, 2024)
    assert problems_after_kill(year_dir, before, inputs, inputs_digest) == []
    assert folder.name == "003" and leftovers(year_dir) == []
    assert (year_dir / "latest").resolve() == folder.resolve()
    # The supersede killed just after the exchange had put its final in place; the old
    # final is kept, and what the next build finished is in its builds.log line.
    manifest = json.loads((year_dir / "final" / "manifest.json").read_text(encoding="utf-8"))
    assert (year_dir / manifest["supersedes"]).is_dir()
    last = read_log(year_dir)[-1]
    assert last["result"] == "success"
    assert any("finished replacing the final" in r for r in last["recovered"])


def test_every_kill_point_names_a_function_the_build_calls() -> None:
    """The benchmark's twenty moments hook functions by name: a renamed or moved function
    would leave a moment that can never be reached (or that fails to arm)."""
    from tests.support.killpoints import POINTS, _resolve

    assert len(POINTS) == 20
    for point in POINTS:
        for target in point.targets:
            owner, name = _resolve(target)
            assert callable(getattr(owner, name, None)), target
