"""The portal's database: one SQLite file (WAL, `synchronous=FULL`, so a committed change
is on disk), a connection per thread, one transaction per change, the schema brought up to
date on first use; the rate limits' counts and the audit log live in it too."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from ..errors import DiskFull
from ..layout import PORTAL_DB
from . import auditlog
from .files import is_full, private_file
from .schema import INVITATION_FIELDS, MIGRATIONS, SCHEMA_VERSION, import_json_state


class Actor(Protocol):
    """Who an audit line names (an invitation): its public id and its role."""

    @property
    def id(self) -> str: ...
    @property
    def role(self) -> str: ...


DB_NAME = PORTAL_DB


class Database:
    """The portal's state under `folder`. Safe to use from several threads (a connection
    per thread) and processes (SQLite's locking; one writer at a time)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._local = threading.local()
        self._opened = False
        self._open_lock = threading.Lock()

    # --- the database ---------------------------------------------------------------------

    @property
    def db_path(self) -> Path:
        return self.folder / DB_NAME

    def _prepare_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        private_file(self.db_path)

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            if not self._opened:
                with self._open_lock:
                    if not self._opened:
                        self._prepare_folder()
                        self._opened = True
            conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None,
                                   check_same_thread=False)  # fmt: skip
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn, self._local.pid = conn, os.getpid()
            self._migrate(conn)
        return conn

    @contextlib.contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction (BEGIN IMMEDIATE: the writer's lock from the start)."""
        conn = self._connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if is_full(exc):
                raise DiskFull("the portal's database is full") from exc
            raise
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            if is_full(exc) and not isinstance(exc, DiskFull):
                raise DiskFull("the portal's disk is full") from exc
            raise

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Bring the database to SCHEMA_VERSION; the JSON state of earlier versions is read
        in and its files renamed `*.migrated` (kept: nothing of it is lost)."""
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version >= SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            migrated: list[Path] = []
            for number, sql in MIGRATIONS:
                if number > version:
                    for statement in sql.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    if number == 1:
                        migrated = import_json_state(conn, self.folder, INVITATION_FIELDS)
                    conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        for path in migrated:  # kept, renamed: nothing of the old state is lost
            with contextlib.suppress(OSError):
                path.rename(path.with_name(path.name + ".migrated"))

    def secret(self) -> str:
        """The key that signs session cookies: made on first use, kept private."""
        with self.tx() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
            if row is not None:
                return str(row[0])
            old = self.folder / "secret"  # an earlier version's key file
            value = (old.read_text(encoding="utf-8").strip() if old.is_file()
                     else secrets.token_urlsafe(48))  # fmt: skip
            conn.execute("INSERT INTO meta (key, value) VALUES ('secret', ?)", (value,))
            return value

    def harden(self) -> list[str]:
        """Make the folder 0700 and every file under it 0600 (an older version's files
        were world-readable); the paths changed."""
        self._connection()
        changed = []
        for root, dirs, files in os.walk(self.folder):
            for name in dirs:
                path = Path(root) / name
                if path.stat().st_mode & 0o077:
                    os.chmod(path, 0o700)
                    changed.append(str(path))
            for name in files:
                path = Path(root) / name
                if not path.is_symlink() and path.stat().st_mode & 0o077:
                    os.chmod(path, 0o600)
                    changed.append(str(path))
        return changed

    # --- rate limits ----------------------------------------------------------------------

    def attempt(self, kind: str, key: str, limit: int, window_seconds: float) -> bool:
        """Count one attempt of `kind` by `key`: False when `limit` attempts were already
        counted within the window (the attempt is then not counted)."""

        now = time.time()
        with self.tx() as conn:
            conn.execute("DELETE FROM attempts WHERE kind = ? AND at < ?",
                         (kind, now - window_seconds))  # fmt: skip
            count = conn.execute("SELECT count(*) FROM attempts WHERE kind = ? AND key = ?",
                                 (kind, key)).fetchone()[0]  # fmt: skip
            if count >= limit:
                return False
            conn.execute("INSERT INTO attempts (kind, key, at) VALUES (?, ?, ?)",
                         (kind, key, now))  # fmt: skip
            return True

    # --- audit ----------------------------------------------------------------------------

    def audit(
        self,
        action: str,
        who: Actor | None,
        *,
        client: str | None = None,
        agent: str | None = None,
        **details: Any,
    ) -> None:
        """Append one line to the audit log, in its own transaction (on disk on return)."""
        with self.tx() as conn:
            auditlog.append(conn, action, who.id if who else None,
                               who.role if who else None, client, agent, details)  # fmt: skip

    def audit_rows(self) -> list[dict[str, Any]]:
        rows = self._connection().execute("SELECT * FROM audit ORDER BY id")
        return [{**dict(r), "details": json.loads(r["details"])} for r in rows]

    def audit_lines(self) -> list[dict[str, Any]]:
        """The audit log as flat records: at, action, who, role, client and the details."""
        return [
            {k: v for k, v in row.items() if k not in ("details", "prev", "hash")} | row["details"]
            for row in self.audit_rows()
        ]

    def audit_hash_at(self, line: int) -> str | None:
        """The hash of audit line `line`, or None when there is no such line."""
        row = self._connection().execute("SELECT hash FROM audit WHERE id = ?", (line,))
        found = row.fetchone()
        return str(found[0]) if found is not None else None

    def verify_audit(self) -> tuple[list[str], int, str]:
        """Every break of the audit chain, the number of lines and the head hash."""
        return auditlog.verify(self._connection())
