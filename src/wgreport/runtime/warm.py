"""The warm builder: a process that has imported the build once, and forks each build.

A `wgreport build` pays about 2 to 3 s (on 2 cores) before its flow's first line: Python
imports Prefect, pandas, the flow and the library. A one-member rebuild of the demo takes
only about twice that in all. So next to the project's background Prefect server
(background.py), its supervisor keeps a builder (`python -m wgreport.cli.builder HOME`)
that has imported all of it, and listens on `HOME/warm-builder.sock`.

`wgreport build` on the embedded default (no PREFECT_API_URL, no Dask address, not
`--verbose`) asks it first (`delegate`). It sends its arguments, environment, working
folder, umask and its standard input, output and error (the file descriptors themselves,
SCM_RIGHTS), and the builder forks: the child takes them all on and runs the same command
(`serve`'s `run`), writing to the user's terminal or pipe directly. The `wgreport build`
process stays as its stand-in: it forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT to the
child, and exits with its status when the child has ended. When the stand-in goes (killed),
the child kills its process group (itself, its render workers): a build is never left
running with nobody to report to.

The builder answers only what it can run as a fresh process would (the same flow run, the
same files written, the same output); otherwise it refuses, and the command builds in its
own process as before (nothing is lost but time):
- the code changed: a module it has imported has a new modification time or size (the
  builder then exits; the supervisor starts a new one);
- the environment differs where it counts at import time (IMPORT_TIME_ENV: PYTHON*,
  PREFECT_HOME, PREFECT_LOGGING_*, MPL*, the locale, typer's and rich's colours), or the
  interpreter or `sys.path` differ;
- the caller is another user (SO_PEERCRED);
- it runs more than one thread (forking would copy held locks).
Prefect's settings are read again from the caller's environment in the child
(flows/launch.settings_read_again), since Prefect reads them once, at its import.

The builder also learns: a child writes the modules it had to import
(`warm-builder.learned`), and the builder imports them between builds, so that the next
build finds them loaded (a module whose import starts a thread is written to
`warm-builder.unsafe` and never imported again: the builder must not fork with threads).

Where it still differs from a process of its own: a child killed by a signal makes its
caller exit 1, not die of that signal; Ctrl-Z stops only the caller; interpreter options
(-W, -X, -O) are the builder's. `WGREPORT_WARM_BUILDER=0` turns it off. Imports no Prefect.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, cast

SOCKET = "warm-builder.sock"
LEARNED = "warm-builder.learned"
UNSAFE = "warm-builder.unsafe"
#: Environment variables read when a module is imported, not when it is used: the caller's
#: must equal the builder's (see `refusal`).
IMPORT_TIME_ENV = (
    "PYTHON",
    "PREFECT_HOME",
    "PREFECT_LOGGING_",
    "MPL",
    "LANG",
    "LC_",
    "TYPER_",
    "FORCE_COLOR",
    "NO_COLOR",
    "PY_COLORS",
    "TERMINAL_WIDTH",
    "GITHUB_ACTIONS",
)
#: The longest path a Unix socket's address may hold on Linux (sun_path), less its NUL.
MAX_SOCKET_PATH = 107
#: How long a caller waits for the builder's answer before it builds itself.
ANSWER_TIMEOUT = 10.0
#: Set in a build the builder forked: that build must not ask the builder again.
_IN_BUILDER = False


def in_builder() -> bool:
    """Whether this process is a build the warm builder forked."""
    return _IN_BUILDER


def enabled() -> bool:
    return os.environ.get("WGREPORT_WARM_BUILDER", "1").strip().lower() not in {"0", "false", "no"}


def socket_path(home: Path) -> Path | None:
    """The builder's socket in this Prefect home, or None where a path that long cannot be
    a socket's address (the builder then does not start)."""
    path = home / SOCKET
    return path if len(os.fsencode(path)) <= MAX_SOCKET_PATH else None


#: The package's sources as they were when the builder started, before its imports: a
#: source edited while it imports (seconds) is then seen as changed (`Builder.stale`).
_EARLY: dict[str, tuple[int, int]] = {}


def remember_sources() -> None:
    """Note the times and sizes of the package's sources now (the builder's first step;
    again, a no-op, when the builder starts serving)."""
    _note(map(str, Path(__file__).resolve().parents[1].rglob("*.py")), _EARLY)


def _note(names: Iterable[str | None], into: dict[str, tuple[int, int]]) -> None:
    """The modification time and size of each file not noted yet."""
    for name in names:
        if name and name not in into:
            with contextlib.suppress(OSError):
                stat = os.stat(name)
                into[name] = (stat.st_mtime_ns, stat.st_size)


def import_time_env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith(IMPORT_TIME_ENV)}


# -- the caller's side: `wgreport build` ------------------------------------------------


def delegate(home: Path, argv: list[str], env: dict[str, str]) -> int | None:
    """Run the command `argv` (without the program's name) in the warm builder of `home`
    with the environment `env`; its exit status, or None when there is no builder, it
    refuses, or it does not answer (the caller then runs the command itself)."""
    path = socket_path(home)
    if _IN_BUILDER or not enabled() or path is None or not path.exists():
        return None
    if threading.current_thread() is not threading.main_thread():
        return None  # it could not forward signals
    fds = [0, 1, 2]
    try:
        for fd in fds:
            os.fstat(fd)
    except OSError:  # a closed standard stream: nothing to hand over
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with _Forwarding() as forwarding:
        try:
            connection.settimeout(ANSWER_TIMEOUT)
            connection.connect(str(path))
            socket.send_fds(connection, [_message(_request(argv, env))], fds)
            lines = _lines(connection)
            answer = next(lines, None)
            if answer is None or "pid" not in answer:
                return None  # refused (the reason is in the background server's log), or gone
            connection.settimeout(None)
            forwarding.started(int(answer["pid"]))
            status = None
            for message in lines:  # until the child has ended: its copy of the socket closed
                status = message.get("exit", status)
            return 1 if status is None else int(status)  # None: it ended without a word
        except (OSError, ValueError):
            # before the child started: build here; after: it ran (or runs), do not twice
            return None if forwarding.child is None else 1
        finally:
            connection.close()


def _request(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    umask = os.umask(0o022)
    os.umask(umask)
    return {
        "argv": argv,
        "env": env,
        "cwd": os.getcwd(),
        "umask": umask,
        "executable": sys.executable,
        # without the script's folder or the working folder that Python puts first (-P: none)
        "path": sys.path if sys.flags.safe_path else sys.path[1:],
        "encoding": sys.stdout.encoding if sys.stdout else "utf-8",
    }


class _Forwarding:
    """The caller's signals while it waits for the builder: SIGINT, SIGTERM, SIGHUP and
    SIGQUIT go to the child once `started` has its pid; one that comes before is kept,
    then sent to it, or, when the command runs in the caller after all, raised there."""

    KINDS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)

    def __init__(self) -> None:
        self.child: int | None = None
        self.pending: list[int] = []

    def __enter__(self) -> _Forwarding:
        self.previous = {kind: signal.signal(kind, self._on_signal) for kind in self.KINDS}
        return self

    def started(self, pid: int) -> None:
        self.child = pid
        while self.pending:
            self._send(self.pending.pop(0))

    def _on_signal(self, signum: int, _frame: object) -> None:
        if self.child is None:
            self.pending.append(signum)
        else:
            self._send(signum)

    def _send(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(cast(int, self.child), signum)

    def __exit__(self, *_exc: object) -> None:
        for kind, handler in self.previous.items():
            signal.signal(kind, handler)
        for signum in self.pending:  # the command did not start in the builder
            signal.raise_signal(signum)


def _message(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode("utf-8") + b"\n"


def _lines(connection: socket.socket, first: bytes = b"") -> Iterator[dict[str, Any]]:
    """The JSON messages read from `connection`, one per line, until it closes."""
    buffer = first
    while True:
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield json.loads(line)
        chunk = connection.recv(65536)  # retried after a signal (PEP 475)
        if not chunk:
            return
        buffer += chunk


# -- the builder's side -------------------------------------------------------------------


class Builder:
    """The listening builder of one Prefect home; `run(argv)` runs a command in a child."""

    def __init__(self, home: Path, run: Callable[[list[str]], None]) -> None:
        self.home = home
        self.run = run
        self.pid = os.getpid()
        self.parent = os.getppid()
        self.started_env = import_time_env(dict(os.environ))
        # every source of the package, imported or not (the flow's cache keys hold a
        # digest of them all), as it was before the imports when the builder noted it then
        remember_sources()
        self.loaded: dict[str, tuple[int, int]] = dict(_EARLY)
        self.learned = 0
        self.remember_loaded()

    def remember_loaded(self) -> None:
        """The modification time and size of every module file imported so far."""
        _note([getattr(m, "__file__", None) for m in list(sys.modules.values())], self.loaded)

    def stale(self) -> str | None:
        for name, seen in self.loaded.items():
            try:
                stat = os.stat(name)
            except OSError:
                return f"{name} is gone"
            if (stat.st_mtime_ns, stat.st_size) != seen:
                return f"{name} changed"
        return None

    def refusal(self, request: dict[str, Any], peer_uid: int) -> tuple[str, bool] | None:
        """Why this request cannot run here as it would in a fresh process, and whether
        the builder must stop for it (its code changed, or it runs threads); or None."""
        if peer_uid != os.getuid():
            return f"a request from user {peer_uid}", False
        if request.get("executable") != sys.executable or request.get("path") != sys.path:
            return "another interpreter or module path", False
        if import_time_env(request.get("env", {})) != self.started_env:
            return "an environment that differs where modules read it at import", False
        if threading.active_count() != 1:
            return "the builder runs threads: it cannot fork safely", True
        stale = self.stale()
        return (f"the code changed ({stale})", True) if stale else None

    def learn(self) -> None:
        """Import what the builds so far had to import (warm-builder.learned), once the
        file has changed."""
        try:
            path = self.home / LEARNED
            mtime = path.stat().st_mtime_ns
            if mtime == self.learned:
                return
            self.learned = mtime
            names = path.read_text(encoding="utf-8").split()
        except OSError:
            return
        try:
            unsafe = set((self.home / UNSAFE).read_text(encoding="utf-8").split())
        except OSError:
            unsafe = set()
        for name in dict.fromkeys(names):
            if name in sys.modules or name in unsafe or name.startswith(("__", "_pytest")):
                continue
            with contextlib.suppress(Exception):
                __import__(name)
            if threading.active_count() != 1:  # refused from now on; never learned again
                with contextlib.suppress(OSError), (self.home / UNSAFE).open("a") as out:
                    out.write(name + "\n")
                break
        self.remember_loaded()

    def serve(self, listener: socket.socket) -> None:
        """Answer requests until the supervisor is gone, SIGTERM, or the code changed."""
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            while not stop.is_set() and os.getppid() == self.parent:
                ready = selector.select(timeout=1.0)
                _reap()
                if ready:
                    with contextlib.suppress(BlockingIOError, InterruptedError):
                        connection, _ = listener.accept()
                        with connection:
                            if not self.answer(connection, listener):
                                return
                self.learn()

    def answer(self, connection: socket.socket, listener: socket.socket) -> bool:
        """Fork a child for the request on `connection` (False: the builder must stop)."""
        fds: list[int] = []
        try:
            connection.settimeout(ANSWER_TIMEOUT)
            data, fds, _flags, _address = socket.recv_fds(connection, 65536, 3)
            request = next(_lines(connection, data))
            creds = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
            peer_uid = int.from_bytes(creds[4:8], sys.byteorder)
        except (OSError, ValueError, StopIteration) as exc:
            _close(fds)
            _log(f"a request that could not be read: {exc}")
            return True
        refused = self.refusal(request, peer_uid)
        if refused is None and len(fds) != 3:
            refused = "not the three standard streams", False
        if refused is not None:
            _close(fds)
            _log(f"refused a build: {refused[0]}" + ("; stopping" if refused[1] else ""))
            with contextlib.suppress(OSError):
                connection.sendall(_message({"refused": refused[0]}))
            return not refused[1]
        mine = connection.dup()  # the child's: the `with` in serve closes the builder's
        try:
            pid = os.fork()
        except OSError as exc:
            mine.close()
            _close(fds)
            _log(f"refused a build: cannot fork ({exc})")
            return True
        if pid == 0:  # the child: leaves through SystemExit or os._exit
            try:
                listener.close()
                connection.close()
                _take_on(mine, fds, request)
            except BaseException:  # before the command ran: its caller builds instead
                os._exit(1)
            _child(self, mine, request)
        mine.close()
        _close(fds)
        _log(f"build in process {pid}: wgreport {' '.join(request['argv'])}")
        return True


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _close(fds: list[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


def _log(text: str) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    with contextlib.suppress(OSError, ValueError):
        print(f"{stamp} warm builder: {text}", flush=True)


_EXIT: list[int] = []


def _take_on(connection: socket.socket, fds: list[int], request: dict[str, Any]) -> None:
    """In the forked child, before the command: become the caller's process (its
    signals' defaults, its standard streams, folder, umask and environment)."""
    global _IN_BUILDER
    _IN_BUILDER = True
    for kind in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(kind, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.setpgid(0, 0)  # its render workers join its group: killed with it (_watch_caller)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    _close(fds)
    env = request["env"]
    _standard_streams(str(request.get("encoding") or "utf-8"), bool(env.get("PYTHONUNBUFFERED")))
    os.chdir(request["cwd"])
    os.umask(int(request["umask"]))
    os.environ.clear()
    os.environ.update(env)
    time.tzset()
    sys.argv = ["wgreport", *request["argv"]]
    connection.settimeout(None)


def _child(builder: Builder, connection: socket.socket, request: dict[str, Any]) -> None:
    """In the forked child: run the caller's command and exit with its status (through the
    interpreter's normal exit, so that Prefect's and multiprocessing's exit handlers run as
    in a fresh process), which the caller reads from `connection`."""
    before = set(sys.modules)
    try:
        connection.sendall(_message({"pid": os.getpid()}))
    except OSError:  # the caller is gone (it gave up waiting, and builds itself)
        os._exit(1)
    atexit.register(_report_exit, connection, builder.home, before)
    threading.Thread(target=_watch_caller, args=(connection,), daemon=True).start()
    try:
        builder.run(list(request["argv"]))
        _EXIT.append(0)
    except SystemExit as exc:
        code = exc.code
        _EXIT.append(code if isinstance(code, int) else (0 if code is None else 1))
        raise
    except KeyboardInterrupt:
        _EXIT.append(128 + signal.SIGINT)
        raise
    except BaseException:
        _EXIT.append(1)
        raise
    raise SystemExit(0)


def _standard_streams(encoding: str, unbuffered: bool) -> None:
    """Python's standard streams again, on the caller's file descriptors: line-buffered
    on a terminal, as the interpreter makes them at its start (written through with
    PYTHONUNBUFFERED)."""
    sys.stdin = open(0, encoding=encoding, closefd=False)  # noqa: SIM115
    line = 1 if os.isatty(1) else -1
    sys.stdout = open(1, "w", line, encoding, closefd=False)  # noqa: SIM115
    if unbuffered:
        sys.stdout.reconfigure(write_through=True)
    sys.stderr = open(  # noqa: SIM115
        2, "w", 1, encoding, errors="backslashreplace", closefd=False
    )


def _report_exit(connection: socket.socket, home: Path, before: set[str]) -> None:
    """At the child's exit: the modules it imported (for the builder to learn), then its
    exit status to the caller."""
    new = sorted(
        name
        for name in set(sys.modules) - before
        if all(part.isidentifier() for part in name.split("."))
    )
    if new:
        with contextlib.suppress(OSError):
            descriptor = os.open(home / LEARNED, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, ("\n".join(new) + "\n").encode("utf-8"))
            finally:
                os.close(descriptor)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(OSError):
        connection.sendall(_message({"exit": _EXIT[-1] if _EXIT else 1}))


def _watch_caller(connection: socket.socket) -> None:
    """Kill the child's process group when its caller is gone (its end of the socket
    closed): nobody is left to report to, as when a build process is killed."""
    with contextlib.suppress(OSError):
        while connection.recv(4096):
            pass
    os.killpg(0, signal.SIGKILL)


def serve(home: Path, run: Callable[[list[str]], None]) -> int:
    """The builder's main loop on `HOME/warm-builder.sock`; returns when it should exit."""
    path = socket_path(home)
    if path is None or not enabled():
        return 0
    builder = Builder(home, run)
    builder.learn()
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mine: int | None = None  # the socket's inode, once bound
    try:
        old = os.umask(0o077)  # the socket: this user only (and SO_PEERCRED checks)
        try:
            listener.bind(str(path))
        finally:
            os.umask(old)
        mine = path.stat().st_ino
        listener.listen(16)
        listener.setblocking(False)
        _log(f"ready ({len(sys.modules)} modules loaded)")
        builder.serve(listener)
        return 0
    finally:
        if os.getpid() == builder.pid:  # not in a child leaving through here
            listener.close()
            with contextlib.suppress(OSError):
                if mine is not None and path.stat().st_ino == mine:  # not a newer builder's socket
                    path.unlink()
