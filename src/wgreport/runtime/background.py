"""The embedded default's Prefect server, kept running between builds.

Prefect's temporary server costs every `wgreport build` its start-up (11-27 s on a 2-core
machine, more than the 10-member build itself). So on the embedded default a build looks
for the project's background server (its state in `$PREFECT_HOME/background-server.json`),
reuses it when it answers, and otherwise starts one: `prefect server start` on a free
loopback port, under a small supervisor (`python -m wgreport.runtime.background`) that stops it
after `WGREPORT_SERVER_IDLE` seconds (default 900) in which no build held it. Builds hold
`background-server.inuse` with a shared lock while they run, so the supervisor never stops
a server under a running build. If the server cannot start, the build falls back to the
temporary server, as before.

`WGREPORT_PREFECT_SERVER=temporary` keeps the temporary server (the test suite sets it);
an explicit PREFECT_API_URL (a `wgreport server`, a Prefect server of your own) wins over
both. Imports no Prefect: it runs before Prefect reads its settings.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wgreport.runtime import settings, warm

STATE = "background-server.json"
LOCK = "background-server.lock"
IN_USE = "background-server.inuse"
LOG = "background-server.log"
DEFAULT_IDLE = 900.0
START_TIMEOUT = 180.0
#: The services a build's server needs: the settings of every command and of the
#: temporary server (no analytics, no automations, no event stream out to websockets),
#: and no UI (no one browses the background server; `wgreport server` serves one).
SERVER_ENV = {
    **settings.PREFECT_SETTINGS,
    **settings.TEMPORARY_SERVER,
    **settings.TELEMETRY_OFF,
    "PREFECT_SERVER_UI_ENABLED": "false",
}


@dataclass(frozen=True)
class Server:
    pid: int  # the supervisor's
    api_url: str


def mode() -> str:
    return os.environ.get("WGREPORT_PREFECT_SERVER", "background").strip().lower()


def idle_seconds() -> float:
    return float(os.environ.get("WGREPORT_SERVER_IDLE", DEFAULT_IDLE))


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def read_state(home: Path) -> Server | None:
    try:
        data = json.loads((home / STATE).read_text(encoding="utf-8"))
        return Server(pid=int(data["pid"]), api_url=str(data["api_url"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def running(home: Path) -> Server | None:
    """The background server of this Prefect home, if it runs and answers."""
    server = read_state(home)
    if server and alive(server.pid) and healthy(server.api_url):
        return server
    return None


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting for its parent to reap it does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _locked(path: Path, kind: int) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, kind)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure(home: Path, timeout: float = START_TIMEOUT) -> Server:
    """The running background server, started first if there is none (one at a time)."""
    with _locked(home / LOCK, fcntl.LOCK_EX):
        server = running(home)
        if server:
            return server
        with contextlib.suppress(OSError):
            (home / STATE).unlink()  # a server that no longer answers
        port = _free_port()
        env = {**os.environ, "PREFECT_HOME": str(home), **SERVER_ENV}
        env.pop("PREFECT_API_URL", None)
        command = ["wgreport.runtime.background", str(home), str(port), str(idle_seconds())]
        with (home / LOG).open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", *command],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # outlives the build; the build's Ctrl-C stays there
            )
        process.wait(timeout=30)  # the launcher forks the supervisor and returns at once
        api_url = f"http://127.0.0.1:{port}/api"
        deadline = time.monotonic() + timeout
        state: Server | None = None
        while time.monotonic() < deadline:
            state = read_state(home)
            if state and not alive(state.pid):
                raise RuntimeError(f"the background Prefect server exited (see {home / LOG})")
            if state and state.api_url == api_url and healthy(api_url):
                return state
            time.sleep(0.3)
        if state:
            os.kill(state.pid, signal.SIGTERM)
        raise RuntimeError(f"the background Prefect server did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def held(home: Path) -> Iterator[None]:
    """While a build runs: the supervisor does not stop the server (a shared lock), and the
    server's idle time starts again when the build ends."""
    with _locked(home / IN_USE, fcntl.LOCK_SH):
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                (home / IN_USE).touch()


def stop(home: Path) -> bool:
    """Stop the background server of this home; False when none was running."""
    server = read_state(home)
    if not server or not alive(server.pid):
        with contextlib.suppress(OSError):
            (home / STATE).unlink()
        return False
    os.kill(server.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while alive(server.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return True


def _idle_for(home: Path) -> float:
    """Seconds since a build last held the server, or 0 while one holds it."""
    path = home / IN_USE
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0.0
        fcntl.flock(handle, fcntl.LOCK_UN)
    return time.time() - path.stat().st_mtime


#: At most one new warm builder per this many seconds (one whose code changed exits).
BUILDER_RESTART = 30.0


def start_builder(home: Path) -> subprocess.Popen[bytes] | None:
    """The warm builder of this home (runtime/warm.py), with the supervisor's environment
    (`ensure` gave it no PREFECT_API_URL); None when turned off."""
    if not warm.enabled() or warm.socket_path(home) is None:
        return None
    # -P: no working folder in its module path, so that builds started anywhere match it
    command = [sys.executable, "-P", "-m", "wgreport.cli.builder", str(home)]
    return subprocess.Popen(command, stdin=subprocess.DEVNULL)


def kept_builder(
    builder: subprocess.Popen[bytes] | None, home: Path, started: float
) -> tuple[subprocess.Popen[bytes] | None, float]:
    """A new builder when the last one exited (its code changed), at most one per
    BUILDER_RESTART seconds."""
    if builder is None or builder.poll() is None:
        return builder, started
    if time.monotonic() - started < BUILDER_RESTART:
        return builder, started
    return start_builder(home), time.monotonic()


def stop_builder(builder: subprocess.Popen[bytes] | None) -> None:
    if builder is None or builder.poll() is not None:
        return
    builder.terminate()
    try:
        builder.wait(timeout=10)
    except subprocess.TimeoutExpired:
        builder.kill()


def supervise(home: Path, port: int, idle: float) -> int:
    """Run `prefect server start` on the port until it has been idle for `idle` seconds,
    and the warm builder beside it."""
    (home / IN_USE).touch()
    command = ["prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen([sys.executable, "-m", *command])
    builder, builder_started = start_builder(home), time.monotonic()
    state = {
        "pid": os.getpid(),
        "server_pid": server.pid,
        "api_url": f"http://127.0.0.1:{port}/api",
        "started": time.time(),
        "idle_seconds": idle,
    }
    (home / STATE).write_text(json.dumps(state), encoding="utf-8")

    def finish(*_: object) -> None:
        server.terminate()

    signal.signal(signal.SIGTERM, finish)
    try:
        while server.poll() is None:
            time.sleep(min(5.0, max(idle / 4, 0.5)))
            if _idle_for(home) > idle:
                server.terminate()
            builder, builder_started = kept_builder(builder, home, builder_started)
        return server.wait(timeout=30)
    finally:
        stop_builder(builder)
        mine = read_state(home)
        if mine and mine.pid == os.getpid():
            with contextlib.suppress(OSError):
                (home / STATE).unlink()


if __name__ == "__main__":
    if os.fork():  # the launcher returns; the supervisor lives on in its own session
        os._exit(0)
    sys.exit(supervise(Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
