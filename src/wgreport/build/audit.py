"""The audit trail: `outputs/<year>/builds.log`, one JSON line per build.

Each line says who built (user and host), when (start and end, real time, never the pinned
build time), with which parameters, by which way (the library or the Prefect flow), the
result (`success`, `refused`, `failed` or `interrupted`) with the error, and the draft or
final written. Lines are appended with O_APPEND in one write and fsynced, under the year's
lock; a build that cannot get the lock appends its `failed` line without it (one O_APPEND
write is not interleaved with another's on a local disk). A build killed with SIGKILL
writes no line: nothing of it was published, and the next build repairs what it left
(`recovered` in that build's line says what).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import PublishError
from ..layout import BUILDS_LOG, DRAFTS, YearOutputs
from .publish import LOCK_WAIT_SECONDS, recover_year, year_lock

LOG_NAME = BUILDS_LOG  # the name tests and messages use


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER variable and no password entry (some containers)
        return str(os.getuid())


@dataclass
class BuildEntry:
    """One line of builds.log, filled in while the build runs."""

    year: int
    via: str
    parameters: dict[str, Any]
    started_at: str = field(default_factory=_now)
    user: str = field(default_factory=_user)
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    result: str = "failed"
    error: str | None = None
    folder: Path | None = None
    run_id: str | None = None
    recovered: list[str] = field(default_factory=list)
    written: bool = False

    def published(self, folder: Path) -> None:
        self.folder = folder
        self.result = "success"

    def failed(self, exc: BaseException) -> None:
        from ..errors import FinalExists, FinalRefused

        if isinstance(exc, FinalRefused | FinalExists):
            self.result = "refused"
        elif not isinstance(exc, Exception):  # Ctrl-C, an exit, Prefect's TerminationSignal
            self.result = "interrupted"
        else:
            self.result = "failed"
        self.error = f"{type(exc).__name__}: {_describe(exc)}"
        self.folder = None

    def to_dict(self, year_dir: Path) -> dict[str, Any]:
        folder = self.folder
        return {
            "started_at": self.started_at,
            "finished_at": _now(),
            "user": self.user,
            "host": self.host,
            "pid": self.pid,
            "via": self.via,
            "run_id": self.run_id,
            "tool_version": __version__,
            "year": self.year,
            "parameters": self.parameters,
            "result": self.result,
            "error": self.error,
            "draft": folder.name if folder is not None and folder.parent.name == DRAFTS
            else None,
            "folder": folder.relative_to(year_dir).as_posix() if folder is not None else None,
            "recovered": self.recovered,
        }  # fmt: skip


def _describe(exc: BaseException) -> str:
    """The exception's text; for a signal turned into an exception (Prefect's
    TerminationSignal says nothing else), the signal's name."""
    text = str(exc)
    number = getattr(exc, "signal", None)
    if not text and isinstance(number, int):
        import signal

        with contextlib.suppress(ValueError):
            return signal.Signals(number).name
    return text


def append_entry(year_dir: Path, entry: BuildEntry) -> None:
    """Append the entry as one line: one O_APPEND write, then fsync."""
    line = json.dumps(entry.to_dict(year_dir), ensure_ascii=False, sort_keys=False) + "\n"
    fd = os.open(YearOutputs(year_dir).builds_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    entry.written = True


def read_log(year_dir: Path) -> list[dict[str, Any]]:
    """The year's builds.log, one dict per line (an empty list when there is none)."""
    path = YearOutputs(year_dir).builds_log
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@contextlib.contextmanager
def recorded_build(
    year_dir: Path,
    parameters: Mapping[str, Any],
    *,
    via: str,
    run_id: str | None = None,
    wait_seconds: float = LOCK_WAIT_SECONDS,
) -> Iterator[BuildEntry]:
    """Hold the year's lock for a build and append its line to builds.log when it ends.

    The build calls `entry.published(folder)` when its draft or final is in place; an
    exception marks it refused, failed or interrupted, is recorded, and propagates.
    """
    entry = BuildEntry(
        year=int(year_dir.name), via=via, parameters=_plain(parameters), run_id=run_id
    )
    try:
        with year_lock(year_dir, wait_seconds):
            try:
                entry.recovered = recover_year(year_dir)
                yield entry
            except BaseException as exc:
                entry.failed(exc)
                raise
            finally:
                _append_quietly(year_dir, entry)
    except PublishError as exc:  # the lock could not be had: record that too
        if not entry.written:
            entry.failed(exc)
            _append_quietly(year_dir, entry)
        raise


def _append_quietly(year_dir: Path, entry: BuildEntry) -> None:
    """Append, but never let a failing log hide the build's own result or error."""
    import logging

    try:
        append_entry(year_dir, entry)
    except OSError as exc:
        logging.getLogger("wgreport").warning("could not append to %s: %s", LOG_NAME, exc)


def _plain(parameters: Mapping[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Path) else v for k, v in parameters.items()}


def append_unlocked(
    year_dir: Path, entry: BuildEntry, parameters: Mapping[str, Any], error: str
) -> None:
    """Record, as `failed` with `error`, a build of this process that is stopped from
    another thread (the Prefect API watch, flows/watchdog.py) while the build holds the
    year's lock: one O_APPEND write, as for a build that could not get the lock. Nothing is
    written when the build recorded its own line already."""
    try:
        mine = [
            line
            for line in read_log(year_dir)
            if line.get("pid") == entry.pid and line.get("started_at", "") >= entry.started_at
        ]
    except (OSError, ValueError):
        mine = []
    if mine:
        return
    entry.parameters = _plain(parameters)
    entry.result, entry.error, entry.folder = "failed", error, None
    year_dir.mkdir(parents=True, exist_ok=True)
    _append_quietly(year_dir, entry)
