"""Builds that fail fast and clean up (issue 35).

- A build killed with SIGKILL or SIGTERM while its chapters are laid out takes its render
  workers (and the fork server they come from) with it.
- `wgreport build` sent SIGTERM stops as an interrupted build: its line in builds.log,
  nothing published, no process of it left.
- A build whose Prefect server dies stops within seconds, publishes nothing, says in one
  line which server stopped answering, and records that in builds.log.

Each build runs in a child process that pauses at an exact point (tests/support/killpoints.py):
while the workers lay out the chapters, or in the PDF stage until the test has killed the
Prefect server.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.conftest import ROOT, SMALL, copy_inputs
from tests.support.crashcheck import leftovers, problems_after_kill, published
from wgreport.build.audit import read_log
from wgreport.build.publish import digest_tree

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="signals, /proc: Linux")

#: The child: `python -c RUNNER MARKER RESUME TARGET... -- BUILD`, where BUILD is
#: `--library INPUTS OUTPUTS` or the arguments of `wgreport build`; RESUME is "-" for a
#: pause that lasts until the test kills the child.
RUNNER = """
import sys
from pathlib import Path
from tests.support.killpoints import KillPoint, arm

split = sys.argv.index("--")
marker, resume, *targets = sys.argv[1:split]
build = sys.argv[split + 1:]
arm(KillPoint("pause", "test", tuple(targets)), Path(marker),
    resume=None if resume == "-" else Path(resume))
if build[0] == "--library":
    from wgreport.runtime.settings import Settings
    from wgreport.build.steps import build as run

    run(Settings(root=Path.cwd(), inputs_dir=Path(build[1]), outputs_dir=Path(build[2])), 2024)
    sys.exit(0)
from wgreport.cli.main import app

code = app(build, standalone_mode=False)
sys.exit(code if isinstance(code, int) else 0)
"""
#: The first wait for a part in render_parallel: the workers are laying out the chapters.
WORKERS_BUSY = "wgreport.render.pdf.schedule:wait"
#: The PDF stage of the build (as the kill point "pdf").
PDF_STAGE = (
    "wgreport.render.pdf.schedule:render_single",
    "wgreport.render.pdf.schedule:render_parallel",
)
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
    inputs = copy_inputs(tmp_path, members=SMALL)
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
    inputs = copy_inputs(tmp_path, members=SMALL)
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


def test_the_watch_stops_a_build_whose_api_never_answers_and_never_publishes() -> None:
    """The watchdog on its own: a dead API is reported once, after the grace period, and
    publishing waits for an API that answers (here: never) instead of going ahead."""
    import threading

    from wgreport.flows.watchdog import ApiWatch

    lost = threading.Event()
    published_anyway = threading.Event()
    url = f"http://127.0.0.1:{_free_port()}/api"  # nothing listens there
    with ApiWatch(url, lost.set, grace=0.5, interval=0.1) as watch:

        def publish() -> None:
            with watch.publishing():
                published_anyway.set()

        threading.Thread(target=publish, daemon=True).start()
        assert lost.wait(HANG_GUARD)
    assert not published_anyway.is_set()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_build_whose_prefect_server_dies_stops_fast_and_publishes_nothing(
    tmp_path: Path, group_reaper: list[int], migrated_prefect_db: Path
) -> None:
    from tests.support.prefecthome import seed
    from wgreport.runtime import background

    home = seed(tmp_path / "prefect", migrated_prefect_db)
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    server_env = {**os.environ, "PREFECT_HOME": str(home), **background.SERVER_ENV}
    server_env.pop("PREFECT_API_URL", None)
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
             "--port", str(port)],
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    group_reaper.append(server.pid)
    deadline = time.monotonic() + HANG_GUARD
    while not background.healthy(api) and server.poll() is None and time.monotonic() < deadline:
        time.sleep(0.3)
    assert background.healthy(api), (tmp_path / "server.log").read_text(encoding="utf-8")

    inputs = copy_inputs(tmp_path, members=SMALL)
    outputs = tmp_path / "outputs"
    year_dir = outputs / "2024"
    inputs_digest = digest_tree(inputs)
    resume = tmp_path / "resume"
    build = ["build", "--year", "2024", "--inputs", str(inputs), "--outputs", str(outputs)]
    env = _env(PREFECT_API_URL=api, PREFECT_HOME=str(home))
    proc, _ = _start(tmp_path, PDF_STAGE, build, resume=resume, env=env)
    group_reaper.append(proc.pid)

    os.killpg(server.pid, signal.SIGKILL)  # the server dies in the middle of the build
    server.wait()
    killed = time.monotonic()
    resume.touch()  # the build goes on: lays out its PDF, would publish
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=60)  # today's build publishes, then fails minutes later
    took = time.monotonic() - killed
    assert proc.returncode == 1, f"still running {took:.0f} s after the server died"
    assert took < 30
    stderr = (tmp_path / "stderr").read_text(encoding="utf-8").strip().splitlines()
    assert api in stderr[-1] and "stopped answering" in stderr[-1], stderr[-5:]
    assert published(year_dir) == {}  # no draft
    assert problems_after_kill(year_dir, {}, inputs, inputs_digest) == []
    assert leftovers(year_dir) == []
    (line,) = read_log(year_dir)
    assert line["result"] == "failed" and api in line["error"]


def test_a_build_that_fails_on_its_lost_api_says_so_instead_of_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the flow fails on the lost API before the watch stops it, the build's error is
    the same one line (and, had it published already, says that instead)."""
    from wgreport.flows import launch
    from wgreport.flows.watchdog import ApiWatch

    url = f"http://127.0.0.1:{_free_port()}/api"
    watch = ApiWatch(url, lambda: None)
    monkeypatch.setattr(launch, "_watched", (watch, True))
    message = launch.lost_api()
    assert message is not None and url in message and "nothing was published" in message
    watch.published = True
    message = launch.lost_api()
    assert message is not None and url in message and "after it had published" in message
    monkeypatch.setattr(launch, "_watched", None)  # Prefect's temporary server: not watched
    assert launch.lost_api() is None
