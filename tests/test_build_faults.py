"""Builds that fail fast and clean up (issue 35).

- A build killed with SIGKILL or SIGTERM while its chapters are laid out takes its render
  workers (and the fork server they come from) with it.
- `wgreport build` sent SIGTERM stops as an interrupted build: its line in builds.log,
  nothing published, no process of it left.
- A build whose Prefect server dies stops within seconds, publishes nothing, says in one
  line which server stopped answering, and records that in builds.log.

Each build runs in a child process that pauses at an exact point (tests/killpoints.py):
while the workers lay out the chapters, or in the PDF stage until the test has killed the
Prefect server.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from wgreport.audit import read_log

from .conftest import ROOT, copy_inputs
from .crashcheck import leftovers, published

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="signals, /proc: Linux")

#: The child: `python -c RUNNER MARKER RESUME TARGET... -- BUILD`, where BUILD is
#: `--library INPUTS OUTPUTS` or the arguments of `wgreport build`; RESUME is "-" for a
#: pause that lasts until the test kills the child.
RUNNER = """
import sys
from pathlib import Path
from tests.killpoints import KillPoint, arm

split = sys.argv.index("--")
marker, resume, *targets = sys.argv[1:split]
build = sys.argv[split + 1:]
arm(KillPoint("pause", "test", tuple(targets)), Path(marker),
    resume=None if resume == "-" else Path(resume))
if build[0] == "--library":
    from wgreport.settings import Settings
    from wgreport.steps import build as run

    run(Settings(root=Path.cwd(), inputs_dir=Path(build[1]), outputs_dir=Path(build[2])), 2024)
    sys.exit(0)
from wgreport.cli import app

code = app(build, standalone_mode=False)
sys.exit(code if isinstance(code, int) else 0)
"""
#: The first wait for a part in render_parallel: the workers are laying out the chapters.
WORKERS_BUSY = "wgreport.pdf.schedule:wait"
HANG_GUARD = 600.0  # seconds: only so that a broken build cannot hang the suite


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
        "WGREPORT_RENDER_WORKERS": "2",
        **extra,
    }


def _start(
    tmp_path: Path, targets: tuple[str, ...], build: list[str], *, resume: Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], Path]:  # fmt: skip
    marker = tmp_path / "paused"
    command = [sys.executable, "-c", RUNNER, str(marker), str(resume or "-"), *targets, "--"]
    with (tmp_path / "stderr").open("wb") as stderr:
        proc = subprocess.Popen(
            [*command, *build],
            cwd=ROOT,
            env=env or _env(),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # its own group: the cleanup below can end what is left
        )
    deadline = time.monotonic() + HANG_GUARD
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), f"the build ended (exit {proc.returncode}) before its pause"
    return proc, marker


def _alive(processes: list[psutil.Process]) -> list[str]:
    out = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                out.append(f"{process.pid} {' '.join(process.cmdline())[:100]}")
        except psutil.NoSuchProcess:
            pass
    return out


def _gone_within(processes: list[psutil.Process], seconds: float) -> list[str]:
    """The processes still running after `seconds` (then killed, to leave nothing)."""
    deadline = time.monotonic() + seconds
    while _alive(processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _alive(processes)
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    return left


@pytest.fixture
def group_reaper() -> Iterator[list[int]]:
    """Process groups to SIGKILL after the test, whatever happened in it."""
    groups: list[int] = []
    yield groups
    for group in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_render_takes_its_workers_with_it(
    tmp_path: Path, sig: signal.Signals, group_reaper: list[int]
) -> None:
    inputs = copy_inputs(tmp_path)
    proc, _ = _start(
        tmp_path, (WORKERS_BUSY,), ["--library", str(inputs), str(tmp_path / "outputs")]
    )
    group_reaper.append(proc.pid)
    descendants = psutil.Process(proc.pid).children(recursive=True)
    names = " ".join(" ".join(p.cmdline()) for p in descendants)
    assert "forkserver" in names and len(descendants) >= 3  # the server and 2 workers
    os.kill(proc.pid, sig)  # the build alone, not its group
    proc.wait()
    assert _gone_within(descendants, 10) == []


def test_wgreport_build_stopped_by_sigterm_is_recorded_and_leaves_nothing(
    tmp_path: Path, group_reaper: list[int]
) -> None:
    inputs = copy_inputs(tmp_path)
    outputs = tmp_path / "outputs"
    build = ["build", "--year", "2024", "--inputs", str(inputs), "--outputs", str(outputs)]
    proc, _ = _start(tmp_path, (WORKERS_BUSY,), build)
    group_reaper.append(proc.pid)
    descendants = psutil.Process(proc.pid).children(recursive=True)
    assert len(descendants) >= 4  # Prefect's temporary server, the fork server, 2 workers
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=HANG_GUARD) == 128 + 15
    assert _gone_within(descendants, 10) == []
    year_dir = outputs / "2024"
    assert published(year_dir) == {} and leftovers(year_dir) == []
    (line,) = read_log(year_dir)
    assert line["result"] == "interrupted" and "SIGTERM" in line["error"], line["error"]
    stderr = (tmp_path / "stderr").read_text(encoding="utf-8").strip().splitlines()
    assert "interrupted" in stderr[-1] and "SIGTERM" in stderr[-1]
