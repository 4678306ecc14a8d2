"""Draft builds, and finals, the secretariat starts from the portal.

A build is `wgreport build --year YEAR --inputs … --outputs …` in its own process: the
command the secretariat would type, so the same Prefect flow on the same Prefect API
(the project's background server, or PREFECT_API_URL), and the portal's process never
imports Prefect. One build at a time per edition. Each is kept under the portal's folder
as a row of the store's `builds` table (who started it, when, its process and that
process's start time, its status, exit code and the draft it made) and
`builds/<year>/NNN.log` (what the command printed: its stages as they are reached, then
its summary or its error), so the page shows progress while it runs. How it ended, and
the draft it made, are read from the build's own line in `outputs/<year>/builds.log`.

A final is the same command with `--final` and the overrides asked for: the preflight's
checks by name and the members by code, turned into options from a fixed list
(`final_arguments`), never from the text of a form.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from ..i18n import gettext
from ..layout import Outputs, PortalFiles
from ..runtime.background import alive
from ..runtime.clock import utc_now_iso
from .files import private_dirs
from .store import Invitation, Store

#: A builds.log result → the portal's status of the build.
_STATUS = {"success": "succeeded", "interrupted": "interrupted"}
_MEMBER_CODE = re.compile(r"[A-Z]{2}")


def final_arguments(
    allow: Collection[str] = (), missing: Collection[str] = (), supersede: bool = False
) -> list[str]:
    """The options of `wgreport build` for a final: `--final`, then each override's flag in
    the preflight's order of its checks (`build.preflight.CHECKS`), `--allow-missing CODE`
    per member (sorted), and `--supersede`. A name that is not a check, or a code that is
    not a member code, is refused (ValueError): nothing else reaches the command line."""
    from ..build.preflight import CHECKS

    flags = {c.name: c.flag for c in CHECKS if c.name != "members"}
    unknown = sorted(set(allow) - set(flags))
    if unknown:
        raise ValueError(f"not a check of the preflight: {', '.join(unknown)}")
    codes = sorted(set(missing))
    bad = [c for c in codes if not _MEMBER_CODE.fullmatch(c)]
    if bad:
        raise ValueError(f"not a member code: {', '.join(bad)}")
    out = ["--final", *(flag for name, flag in flags.items() if name in allow)]
    for code in codes:
        out += ["--allow-missing", code]
    return [*out, "--supersede"] if supersede else out


class Builds:
    """The builds of one edition: start one, list them, read a build's log."""

    def __init__(
        self,
        store: Store,
        year: int,
        inputs_dir: Path,
        outputs_dir: Path,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.store = store
        self.year = year
        self.inputs_dir = inputs_dir
        self.outputs_dir = outputs_dir
        self.env = dict(env or {})
        self.folder = PortalFiles(store.folder).builds(year)
        self._threads: dict[int, threading.Thread] = {}

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "wgreport", "build", "--year", str(self.year),
            "--inputs", str(self.inputs_dir), "--outputs", str(self.outputs_dir),
        ]  # fmt: skip

    # --- records --------------------------------------------------------------------------

    def _update(self, number: int, **values: Any) -> None:
        with self.store.tx() as conn:
            conn.execute(
                f"UPDATE builds SET {', '.join(f'{k} = ?' for k in values)} "
                "WHERE year = ? AND build = ?",
                [*values.values(), self.year, number],
            )

    def logged(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """The build's line in `outputs/<year>/builds.log` (the audit trail every build
        writes): the one of its process on this host, begun after the portal started it."""
        from ..build.audit import read_log

        started = dt.datetime.fromisoformat(record["started"])
        for line in reversed(read_log(Outputs(self.outputs_dir).year(self.year).folder)):
            if line.get("pid") != record.get("pid") or line.get("host") != socket.gethostname():
                continue
            begun = dt.datetime.fromisoformat(str(line.get("started_at")).replace("Z", "+00:00"))
            if begun >= started - dt.timedelta(seconds=1):
                return dict(line)
        return None

    def _outcome(self, record: dict[str, Any], exit_code: int | None) -> tuple[str, str | None]:
        """(status, draft) from the build's builds.log line: no line, the build died
        before it could write one (interrupted) or was refused its start (failed)."""
        line = self.logged(record)
        if line is None:
            return ("interrupted" if exit_code is None or exit_code < 0 else "failed"), None
        status = _STATUS.get(str(line.get("result")), "failed")
        if status == "succeeded" and exit_code not in (None, 0):
            status = "failed"
        return status, line.get("draft") if status == "succeeded" else None

    def _settle(self, record: dict[str, Any]) -> dict[str, Any]:
        if record["status"] == "running" and not self._running(record):
            # its process ended while no portal waited for it (the portal was restarted):
            # the build's line in builds.log tells how it ended
            status, draft = self._outcome(record, None)
            record.update(status=status, draft=draft, finished=utc_now_iso())
            self._update(record["build"], status=status, draft=draft, finished=record["finished"])
        return record

    def _running(self, record: dict[str, Any]) -> bool:
        thread = self._threads.get(int(record["build"]))
        if thread is not None:
            return thread.is_alive()
        pid = record.get("pid")
        if not pid or not alive(int(pid)):
            return False
        # the same process, not another that was given its number since
        return record.get("pid_started") is not None and record["pid_started"] == started_at(
            int(pid)
        )

    def records(self) -> list[dict[str, Any]]:
        """Every build of the edition, the newest first; `final` says whether it is a final
        and `flags` are its options after `--final` (read from its command)."""
        return [_kind(self._settle(r)) for r in self.store.build_rows(self.year)]

    def log_tail(self, number: int, lines: int = 15) -> list[str]:
        path = PortalFiles(self.store.folder).build_log(self.year, number)
        if not path.is_file():
            return []
        text = path.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if line.strip()][-lines:]

    # --- starting and finishing -----------------------------------------------------------

    def start(
        self, who: Invitation, final: bool = False, allow: Collection[str] = (),
        missing: Collection[str] = (), supersede: bool = False,
    ) -> tuple[dict[str, Any] | None, str | None]:  # fmt: skip
        """Start a draft build, or with `final` the final with the overrides `allow` (the
        preflight's checks by name), `missing` (member codes) and `supersede`; (its record,
        None), or (None, why not) when one runs."""
        if not final and (allow or missing or supersede):
            raise ValueError("overrides and supersede apply only to a final")
        extra = final_arguments(allow, missing, supersede) if final else []
        command = [*self.command(), *extra]
        with self.store.accepting(self.year, "builds"):
            running = [r for r in self.records() if r["status"] == "running"]
            if running:
                return None, gettext("Build %(build)s is still running: wait for it.") % {
                    "build": running[0]["build"]}  # fmt: skip
            private_dirs(self.folder, self.store.folder)
            rows = self.store.build_rows(self.year)
            number = max((int(r["build"]) for r in rows), default=0) + 1
            path = PortalFiles(self.store.folder).build_log(self.year, number)
            log = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
            try:
                process = subprocess.Popen(
                    command, stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, env={**os.environ, **self.env},
                    start_new_session=True,
                )  # fmt: skip
            finally:
                log.close()
            record = {
                "build": number, "year": self.year, "by": who.id, "email": who.email,
                "started": utc_now_iso(), "pid": process.pid,
                "pid_started": started_at(process.pid),
                "status": "running", "command": " ".join(command[2:]),
                "finished": None, "exit_code": None, "draft": None,
            }  # fmt: skip
            with self.store.tx() as conn:
                conn.execute(
                    f"INSERT INTO builds ({', '.join(record)}) "
                    f"VALUES ({', '.join('?' * len(record))})", list(record.values()),
                )  # fmt: skip
            thread = threading.Thread(
                target=self._finish, args=(record, process), daemon=True,
                name=f"wgreport-portal-build-{number}",
            )  # fmt: skip
            self._threads[number] = thread
            thread.start()
        self.store.audit("build-started", who, build=number, year=self.year, final=final,
                         flags=extra[1:])  # fmt: skip
        return _kind(dict(record)), None

    def _finish(self, record: dict[str, Any], process: subprocess.Popen[bytes]) -> None:
        code = process.wait()
        status, draft = self._outcome(record, code)
        self._update(record["build"], finished=utc_now_iso(), exit_code=code, status=status,
                     draft=draft)  # fmt: skip
        self.store.audit(
            "build-finished", None, build=record["build"], year=self.year,
            status=status, exit_code=code, draft=draft,
        )  # fmt: skip

    def wait(self, number: int, timeout: float | None = None) -> dict[str, Any]:
        """Wait for a build this portal started (tests and the load benchmark)."""
        thread = self._threads.get(number)
        if thread is not None:
            thread.join(timeout)
        record = self.store.build_row(self.year, number)
        assert record is not None, f"no build {number}"
        return _kind(self._settle(record))


def _kind(record: dict[str, Any]) -> dict[str, Any]:
    """A build's record with `final` and its `flags` (the options after `--final`)."""
    words = str(record.get("command") or "").split()
    final = "--final" in words
    flags = words[words.index("--final") + 1 :] if final else []
    return {**record, "final": final, "flags": flags}


def started_at(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot, from /proc), or None: with the
    pid it names one process, even after the pid was given to another."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return fields[19] if len(fields) > 19 else None
