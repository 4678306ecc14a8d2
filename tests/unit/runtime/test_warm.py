"""The warm builder (runtime/warm.py) with test commands instead of a build
(tests/support/warmrun.py): a child that takes on its caller, signals forwarded, a killed
caller's build killed, the modules it learns, and what it refuses. No Prefect; the build
through it is tests/e2e/test_flow_e2e.py's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.waiting import eventually
from wgreport.runtime import background, warm

ROOT = Path(__file__).resolve().parents[3]
CLIENT = """
import os, sys
from pathlib import Path
from wgreport.runtime import warm
code = warm.delegate(Path(sys.argv[1]), sys.argv[2:], dict(os.environ))
if code is None:
    print("built in its own process")
    sys.exit(99)
sys.exit(code)
"""


@dataclass
class Running:
    home: Path
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]
    modules: Path

    def ask(self, *argv: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
        """A caller at a pipe, with the builder's environment unless `env` is given."""
        command = [sys.executable, "-P", "-c", CLIENT, str(self.home), *argv]
        options: dict[str, object] = {"env": self.env, "capture_output": True, "text": True,
                                      "timeout": 60, **kwargs}  # fmt: skip
        return subprocess.run(command, **options)  # type: ignore[call-overload,no-any-return]

    def start(self, *argv: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-P", "-c", CLIENT, str(self.home), *argv]
        return subprocess.Popen(command, env=self.env, stdout=subprocess.PIPE, text=True)


@pytest.fixture
def builder(tmp_path: Path) -> Iterator[Running]:
    home, modules = tmp_path / "home", tmp_path / "modules"
    home.mkdir()
    modules.mkdir()
    (modules / "learnme.py").write_text("VALUE = 1\n", encoding="utf-8")
    env = {**os.environ, "WGREPORT_WARM_BUILDER": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(modules)])
    log = tmp_path / "builder.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-P", "-m", "tests.support.warmrun", str(home)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    running = Running(home, process, log, env, modules)
    try:
        assert eventually(lambda: "ready" in log.read_text(encoding="utf-8"), 20), log.read_text()
        yield running
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert not (home / warm.SOCKET).exists()  # it takes its socket away


def test_a_build_runs_in_a_child_that_takes_on_its_caller(builder: Running, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    env = {**builder.env, "WARM_TEST_VALUE": "from the caller", "WARM_TEST_EXIT": "7"}
    done = builder.ask("show", cwd=work, env=env, umask=0o027)
    assert done.returncode == 7, done
    seen = json.loads(done.stdout)
    assert seen["ppid"] == builder.process.pid  # forked by the builder
    assert seen["pgid"] == seen["pid"]  # a process group of its own, for its workers
    assert seen["cwd"] == str(work)
    assert seen["umask"] == 0o027
    assert seen["argv"] == ["wgreport", "show"]
    assert seen["env"] == "from the caller"
    assert seen["tty"] is False
    assert done.stderr == "on stderr\n"  # the caller's own standard error
    assert f"build in process {seen['pid']}: wgreport show" in builder.log.read_text()
    assert eventually(lambda: not background.alive(seen["pid"]), 20)  # reaped


def test_signals_reach_the_build_and_a_killed_caller_takes_it_along(builder: Running) -> None:
    with builder.start("wait") as caller:
        assert caller.stdout is not None
        assert caller.stdout.readline().startswith("waiting ")
        caller.send_signal(signal.SIGTERM)
        assert caller.wait(timeout=20) == 128 + signal.SIGTERM
        assert caller.stdout.read() == "got signal 15\n"

    with builder.start("wait") as caller:
        assert caller.stdout is not None
        build = int(caller.stdout.readline().split()[1])
        caller.kill()  # SIGKILL: nothing forwarded; the build sees its caller's socket close
        caller.wait(timeout=20)
    assert eventually(lambda: not background.alive(build), 20), "the build outlived its caller"
    assert builder.process.poll() is None  # the builder itself goes on


def test_it_learns_what_builds_import_and_stops_when_that_code_changes(
    builder: Running,
) -> None:
    first = builder.ask("show", "learnme")
    assert json.loads(first.stdout)["loaded"] == []
    assert builder.ask("import", "learnme").returncode == 0
    assert "learnme" in (builder.home / warm.LEARNED).read_text(encoding="utf-8").split()

    def learned() -> bool:
        return bool(json.loads(builder.ask("show", "learnme").stdout)["loaded"] == ["learnme"])

    assert eventually(learned, 20), "the builder did not import what the last build imported"
    # a module it has loaded changes: that build runs in its caller's process, and the
    # builder exits (its supervisor starts a new one)
    (builder.modules / "learnme.py").write_text("VALUE = 2  # changed\n", encoding="utf-8")
    done = builder.ask("show")
    assert done.returncode == 99, done
    assert builder.process.wait(timeout=20) == 0
    assert "the code changed" in builder.log.read_text(encoding="utf-8")


def test_what_it_cannot_run_as_a_fresh_process_would_runs_in_its_caller(
    builder: Running, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # an environment variable read at import time
    done = builder.ask("show", env={**builder.env, "PYTHONHASHSEED": "123"})
    assert done.returncode == 99, done
    assert "refused a build: an environment that differs" in builder.log.read_text()
    # another module path
    other = {**builder.env, "PYTHONPATH": builder.env["PYTHONPATH"] + os.pathsep + "/nowhere"}
    assert builder.ask("show", env=other).returncode == 99
    assert builder.process.poll() is None  # it keeps serving the callers it matches
    assert builder.ask("show").returncode == 0
    # turned off on the caller's side: not asked at all
    before = builder.log.read_text(encoding="utf-8")
    assert builder.ask("show", env={**builder.env, "WGREPORT_WARM_BUILDER": "0"}).returncode == 99
    assert builder.log.read_text(encoding="utf-8") == before
    # no builder in that home
    monkeypatch.delenv("WGREPORT_WARM_BUILDER", raising=False)
    assert warm.delegate(tmp_path, ["show"], dict(os.environ)) is None
