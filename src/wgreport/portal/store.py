"""What the portal keeps: one SQLite database, `portal.db`, under its folder (default
`.portal/` in the project), and the bodies of uploads as files beside it.

The database (the standard library's sqlite3, WAL, `synchronous=FULL` so that every
committed change is on disk) holds, each change in one transaction:

- `invitations`: who may sign in, as the sha256 of their link's token (never the token);
  a link is spent by its first sign-in, and a new invitation for the same person revokes
  the earlier one;
- `sessions`: server-side sessions (the cookie holds a random token, the table its
  sha256), ended on sign-out, revocation, an idle time or their maximum age;
- `csrf_spent`: the form tokens already used, so that a form is good once, across restarts;
- `revisions`: every upload's record, numbered per member, as a sequence of states
  (`received`, `checked`, `accepting`, then `accepted`, `not valid` or `refused`; an upload
  cut short by a crash becomes `interrupted`, or `accepted` when its file was written);
- `builds`: the draft builds the secretariat started;
- `attempts`: recent sign-in attempts and logged refusals, for the rate limits;
- `audit`: the audit log, tamper-evident: each line carries the sha256 of the line before,
  and `meta` holds the head (count and last hash), so `verify_audit` finds an edit or a cut.

Upload bodies are `revisions/<year>/<CODE>/NNN.<ext>`, written atomically before the row
that names them. The folder is 0700 and every file in it 0600. State kept as JSON files by
earlier versions (`invitations.json`, `revisions/*/*/NNN.json`, `builds/*/NNN.json`,
`audit.log`) is read into the database on first start and renamed `*.migrated`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ROLES = ("member", "reviewer", "secretariat")
#: How long an invitation link works when nobody has used it.
INVITATION_DAYS = 60
#: A session ends after this long without a request ...
SESSION_IDLE_SECONDS = 8 * 3600
#: ... and at the latest this long after sign-in.
SESSION_MAX_SECONDS = 14 * 24 * 3600
#: Revision states an upload passes through, and where it can end.
OPEN_STATES = ("received", "checked", "accepting")
SCHEMA_VERSION = 1
DB_NAME = "portal.db"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE invitations (
    id TEXT PRIMARY KEY, role TEXT NOT NULL, email TEXT NOT NULL, member TEXT,
    reviewer TEXT, name TEXT, organisation TEXT, token_sha256 TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL, expires TEXT NOT NULL, used TEXT, revoked TEXT,
    revoked_reason TEXT
);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL UNIQUE,
    invitation TEXT NOT NULL REFERENCES invitations(id), created TEXT NOT NULL,
    last_seen TEXT NOT NULL, expires TEXT NOT NULL, client TEXT, agent TEXT,
    ended TEXT, ended_reason TEXT
);
CREATE TABLE csrf_spent (token_sha256 TEXT PRIMARY KEY, spent TEXT NOT NULL);
CREATE TABLE revisions (
    year INTEGER NOT NULL, member TEXT NOT NULL, revision INTEGER NOT NULL,
    file TEXT NOT NULL, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, by TEXT,
    email TEXT, at TEXT NOT NULL, status TEXT NOT NULL, updated TEXT NOT NULL,
    report TEXT NOT NULL DEFAULT '[]', issues TEXT NOT NULL DEFAULT '[]',
    message TEXT, target TEXT, target_sha256 TEXT, previous_sha256 TEXT,
    PRIMARY KEY (year, member, revision)
);
CREATE TABLE builds (
    year INTEGER NOT NULL, build INTEGER NOT NULL, by TEXT, email TEXT,
    started TEXT NOT NULL, pid INTEGER, pid_started TEXT, status TEXT NOT NULL,
    command TEXT, finished TEXT, exit_code INTEGER, draft TEXT,
    PRIMARY KEY (year, build)
);
CREATE TABLE attempts (kind TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX attempts_by_key ON attempts (kind, key, at);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL, who TEXT,
    role TEXT, client TEXT, agent TEXT, details TEXT NOT NULL, prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
"""
#: (version, SQL) in order; a database at version N runs every migration above N.
MIGRATIONS: list[tuple[int, str]] = [(1, _SCHEMA)]
_GENESIS = "0" * 64


class DiskFull(OSError):
    """The portal's disk (or its database) is full: nothing of the change was kept."""


@dataclass(frozen=True)
class Invitation:
    id: str  # public: shown in the audit log and `portal people`, never the token
    role: str
    email: str
    member: str | None  # the country a member contact speaks for
    reviewer: str | None  # a reviewer's id (their review file's name)
    token_sha256: str
    created: str
    expires: str
    name: str | None = None  # a reviewer's name and organisation, for their review file
    organisation: str | None = None
    used: str | None = None  # when its link was spent by a sign-in
    revoked: str | None = None
    revoked_reason: str | None = None

    @property
    def expired(self) -> bool:
        return dt.datetime.fromisoformat(self.expires) < dt.datetime.now(dt.UTC)

    @property
    def state(self) -> str:
        if self.revoked:
            return "revoked"
        if self.expired:
            return "expired"
        return "used" if self.used else "not used yet"


@dataclass(frozen=True)
class Session:
    id: str  # public: `portal people` and `portal revoke` name it
    invitation: str
    created: str
    last_seen: str
    expires: str
    client: str | None
    agent: str | None
    ended: str | None
    ended_reason: str | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now_dt() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _now() -> str:
    return _now_dt().isoformat()


def _full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return True
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc).lower()


def private_file(path: Path) -> None:
    """Create `path` (empty) readable by its owner only, when it does not exist."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write `path` whole or not at all: a temporary file beside it (a unique name, mode
    `mode`), synced, renamed over, the folder synced. On any error the temporary file is
    removed; a full disk raises DiskFull."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if _full(exc):
            raise DiskFull(errno.ENOSPC, f"no space left to write {path.name}") from exc
        raise


def _row_dict(row: sqlite3.Row | None) -> dict[str, Any] | None:
    return dict(row) if row is not None else None


def _invitation(row: sqlite3.Row) -> Invitation:
    return Invitation(**{f.name: row[f.name] for f in fields(Invitation)})


def _revision(row: sqlite3.Row) -> dict[str, Any]:
    record = dict(row)
    record["report"] = json.loads(record["report"] or "[]")
    record["issues"] = json.loads(record["issues"] or "[]")
    return record


def audit_hash(prev: str, line: dict[str, Any]) -> str:
    """The sha256 of an audit line: the hash before it and its canonical JSON."""
    canonical = json.dumps(line, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest()


class Store:
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
            if _full(exc):
                raise DiskFull(errno.ENOSPC, "the portal's database is full") from exc
            raise
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            if _full(exc) and not isinstance(exc, DiskFull):
                raise DiskFull(errno.ENOSPC, "the portal's disk is full") from exc
            raise

    def _migrate(self, conn: sqlite3.Connection) -> None:
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
                        migrated = self._import_json_state(conn)
                    conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        for path in migrated:  # kept, renamed: nothing of the old state is lost
            with contextlib.suppress(OSError):
                path.rename(path.with_name(path.name + ".migrated"))

    def _import_json_state(self, conn: sqlite3.Connection) -> list[Path]:
        """Read the JSON files of earlier versions into the new tables."""
        done: list[Path] = []
        path = self.folder / "invitations.json"
        if path.is_file():
            names = {f.name for f in fields(Invitation)}
            for item in json.loads(path.read_text(encoding="utf-8")):
                row = {k: item.get(k) for k in names}
                conn.execute(
                    f"INSERT OR IGNORE INTO invitations ({', '.join(row)}) "
                    f"VALUES ({', '.join('?' * len(row))})", list(row.values()),
                )  # fmt: skip
            done.append(path)
        for meta in sorted(self.folder.glob("revisions/*/*/[0-9][0-9][0-9].json")):
            item = json.loads(meta.read_text(encoding="utf-8"))
            year, member = int(meta.parent.parent.name), meta.parent.name
            status = item.get("status", "received")
            conn.execute(
                "INSERT OR IGNORE INTO revisions (year, member, revision, file, sha256, bytes,"
                " by, email, at, status, updated, report, issues) VALUES "
                "(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (year, member, int(item["revision"]), item.get("file", ""),
                 item.get("sha256", ""), int(item.get("bytes", 0)), item.get("by"),
                 item.get("email"), item.get("at", _now()),
                 "interrupted" if status == "received" else status, _now(),
                 json.dumps(item.get("report", [])), json.dumps(item.get("issues", []))),
            )  # fmt: skip
            done.append(meta)
        for meta in sorted(self.folder.glob("builds/*/[0-9][0-9][0-9].json")):
            item = json.loads(meta.read_text(encoding="utf-8"))
            conn.execute(
                "INSERT OR IGNORE INTO builds (year, build, by, email, started, pid, status,"
                " command, finished, exit_code, draft) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (int(item.get("year", meta.parent.name)), int(item["build"]), item.get("by"),
                 item.get("email"), item.get("started", _now()), item.get("pid"),
                 item.get("status", "interrupted"), item.get("command"),
                 item.get("finished"), item.get("exit_code"), item.get("draft")),
            )  # fmt: skip
            done.append(meta)
        path = self.folder / "audit.log"
        if path.is_file():
            for text in path.read_text(encoding="utf-8", errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    old = json.loads(text)
                    at, action = old.pop("at", _now()), old.pop("action", "unknown")
                    who, role = old.pop("who", None), old.pop("role", None)
                    self._append_audit(conn, action, who, role, None, None,
                                       {**old, "migrated": True}, at=at)  # fmt: skip
            done.append(path)
        return done

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

    # --- invitations ----------------------------------------------------------------------

    def invitations(self) -> list[Invitation]:
        rows = self._connection().execute("SELECT * FROM invitations ORDER BY created, id")
        return [_invitation(r) for r in rows]

    def invite(
        self,
        role: str,
        email: str,
        member: str | None = None,
        reviewer: str | None = None,
        name: str | None = None,
        organisation: str | None = None,
        *,
        by: str | None = None,
        days: int = INVITATION_DAYS,
    ) -> tuple[Invitation, str]:
        """A new invitation and its token (shown once; only its hash is kept). Earlier
        invitations of the same person in the same role are revoked, their sessions ended."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        token = secrets.token_urlsafe(32)
        now = _now_dt()
        invitation = Invitation(
            id=secrets.token_hex(6), role=role, email=email, member=member,
            reviewer=reviewer, token_sha256=_digest(token), created=now.isoformat(),
            expires=(now + dt.timedelta(days=days)).isoformat(), name=name,
            organisation=organisation,
        )  # fmt: skip
        row = {f.name: getattr(invitation, f.name) for f in fields(Invitation)}
        with self.tx() as conn:
            earlier = [
                r["id"]
                for r in conn.execute(
                    "SELECT id FROM invitations WHERE revoked IS NULL AND role = ? AND "
                    "lower(email) = lower(?) AND member IS ? AND reviewer IS ?",
                    (role, email, member, reviewer),
                )
            ]
            for old in earlier:
                self._revoke_invitation(conn, old, f"replaced by invitation {invitation.id}")
            conn.execute(
                f"INSERT INTO invitations ({', '.join(row)}) "
                f"VALUES ({', '.join('?' * len(row))})", list(row.values()),
            )  # fmt: skip
            self._append_audit(conn, "invite", by, "secretariat" if by else None, None, None,
                               {"invitation": invitation.id, "invited_role": role,
                                "member": member, "reviewer": reviewer,
                                "replaces": earlier})  # fmt: skip
        return invitation, token

    def find(self, token: str) -> Invitation | None:
        """The invitation whose link holds `token` (whatever its state), or None."""
        wanted = _digest(token)
        row = (
            self._connection()
            .execute("SELECT * FROM invitations WHERE token_sha256 = ?", (wanted,))
            .fetchone()
        )
        if row is None or not hmac.compare_digest(row["token_sha256"], wanted):
            return None
        return _invitation(row)

    def by_id(self, invitation_id: str) -> Invitation | None:
        row = (
            self._connection()
            .execute("SELECT * FROM invitations WHERE id = ?", (invitation_id,))
            .fetchone()
        )
        return _invitation(row) if row is not None else None

    def _revoke_invitation(self, conn: sqlite3.Connection, invitation_id: str, why: str) -> None:
        now = _now()
        conn.execute(
            "UPDATE invitations SET revoked = ?, revoked_reason = ? WHERE id = ? AND "
            "revoked IS NULL", (now, why, invitation_id),
        )  # fmt: skip
        conn.execute(
            "UPDATE sessions SET ended = ?, ended_reason = ? WHERE invitation = ? AND "
            "ended IS NULL", (now, f"invitation revoked ({why})", invitation_id),
        )  # fmt: skip

    def revoke(self, ident: str, by: str | None = None) -> str | None:
        """End an invitation (and its sessions) or one session at once, by its id: what
        was revoked ("invitation" or "session"), or None when no such id is open."""
        with self.tx() as conn:
            invitation = conn.execute(
                "SELECT id FROM invitations WHERE id = ? AND revoked IS NULL", (ident,)
            ).fetchone()
            if invitation is not None:
                self._revoke_invitation(conn, ident, f"revoked by {by or 'the command line'}")
                kind = "invitation"
            else:
                changed = conn.execute(
                    "UPDATE sessions SET ended = ?, ended_reason = ? WHERE id = ? AND "
                    "ended IS NULL", (_now(), f"revoked by {by or 'the command line'}", ident),
                ).rowcount  # fmt: skip
                if not changed:
                    return None
                kind = "session"
            self._append_audit(conn, "revoke", by, "secretariat" if by else None, None, None,
                               {"revoked": ident, "kind": kind})  # fmt: skip
        return kind

    # --- sessions -------------------------------------------------------------------------

    def sign_in(
        self, token: str, client: str | None, agent: str | None, max_seconds: int
    ) -> tuple[Invitation | None, str | None, str]:
        """Spend an invitation link: (invitation, session token, "") or (None or the
        invitation, None, why not). One transaction: a link opens one session, once."""
        wanted = _digest(token)
        with self.tx() as conn:
            row = conn.execute(
                "SELECT * FROM invitations WHERE token_sha256 = ?", (wanted,)
            ).fetchone()
            if row is None:
                return None, None, "unknown"
            invitation = _invitation(row)
            if invitation.revoked:
                return invitation, None, "revoked"
            if invitation.expired:
                return invitation, None, "expired"
            if invitation.used:
                return invitation, None, "used"
            session_token = secrets.token_urlsafe(32)
            now = _now_dt()
            conn.execute("UPDATE invitations SET used = ? WHERE id = ?",
                         (now.isoformat(), invitation.id))  # fmt: skip
            session_id = secrets.token_hex(6)
            conn.execute(
                "INSERT INTO sessions (id, token_sha256, invitation, created, last_seen,"
                " expires, client, agent) VALUES (?,?,?,?,?,?,?,?)",
                (session_id, _digest(session_token), invitation.id, now.isoformat(),
                 now.isoformat(), (now + dt.timedelta(seconds=max_seconds)).isoformat(),
                 client, (agent or "")[:300]),
            )  # fmt: skip
            self._append_audit(conn, "signin", invitation.id, invitation.role, client, agent,
                               {"session": session_id})  # fmt: skip
        return invitation, session_token, ""

    def session(
        self, session_token: str, idle_seconds: int
    ) -> tuple[Invitation, Session] | tuple[None, str]:
        """The open session of `session_token` and its invitation, its last request
        noted; or (None, why not). An idle or expired session is ended here."""
        conn = self._connection()
        row = conn.execute(
            "SELECT * FROM sessions WHERE token_sha256 = ?", (_digest(session_token),)
        ).fetchone()
        if row is None:
            return None, "unknown"
        session = Session(**{f.name: row[f.name] for f in fields(Session)})
        if session.ended:
            return None, session.ended_reason or "ended"
        now = _now_dt()
        last = dt.datetime.fromisoformat(session.last_seen)
        why = None
        if dt.datetime.fromisoformat(session.expires) < now:
            why = "expired"
        elif (now - last).total_seconds() > idle_seconds:
            why = "idle"
        invitation = self.by_id(session.invitation)
        if invitation is None or invitation.revoked:
            why = why or "revoked"
        if why:
            with self.tx() as tx:
                tx.execute("UPDATE sessions SET ended = ?, ended_reason = ? WHERE id = ? "
                           "AND ended IS NULL", (now.isoformat(), why, session.id))  # fmt: skip
            return None, why
        if (now - last).total_seconds() >= 60:  # one write a minute at most
            with self.tx() as tx:
                tx.execute("UPDATE sessions SET last_seen = ? WHERE id = ?",
                           (now.isoformat(), session.id))  # fmt: skip
        assert invitation is not None
        return invitation, session

    def end_session(self, session_id: str, why: str) -> None:
        with self.tx() as conn:
            conn.execute("UPDATE sessions SET ended = ?, ended_reason = ? WHERE id = ? AND "
                         "ended IS NULL", (_now(), why, session_id))  # fmt: skip

    def sessions(self) -> list[Session]:
        rows = self._connection().execute("SELECT * FROM sessions ORDER BY created, id")
        return [Session(**{f.name: r[f.name] for f in fields(Session)}) for r in rows]

    def spend_form_token(self, token: str, max_age_seconds: int) -> bool:
        """Mark a form token used: False when it was used before (kept across restarts;
        tokens older than their maximum age are forgotten, as they no longer verify)."""
        cutoff = (_now_dt() - dt.timedelta(seconds=max_age_seconds + 60)).isoformat()
        with self.tx() as conn:
            conn.execute("DELETE FROM csrf_spent WHERE spent < ?", (cutoff,))
            done = conn.execute(
                "INSERT OR IGNORE INTO csrf_spent (token_sha256, spent) VALUES (?, ?)",
                (_digest(token), _now()),
            )
            return done.rowcount == 1

    # --- rate limits ----------------------------------------------------------------------

    def attempt(self, kind: str, key: str, limit: int, window_seconds: float) -> bool:
        """Count one attempt of `kind` by `key`: False when `limit` attempts were already
        counted within the window (the attempt is then not counted)."""
        import time

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

    def _append_audit(
        self,
        conn: sqlite3.Connection,
        action: str,
        who: str | None,
        role: str | None,
        client: str | None,
        agent: str | None,
        details: dict[str, Any],
        at: str | None = None,
    ) -> None:
        head = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        number, prev = (int(head[0]) + 1, str(head[1])) if head else (1, _GENESIS)
        line = {"id": number, "at": at or _now(), "action": action, "who": who, "role": role,
                "client": client, "agent": (agent or None) and agent[:300],
                "details": details}  # fmt: skip
        digest = audit_hash(prev, line)
        conn.execute(
            "INSERT INTO audit (id, at, action, who, role, client, agent, details, prev, hash)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (number, line["at"], action, who, role, client, line["agent"],
             json.dumps(details, ensure_ascii=False, sort_keys=True), prev, digest),
        )  # fmt: skip
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)",
                     (f"{number} {digest}",))  # fmt: skip

    def audit(
        self,
        action: str,
        who: Invitation | None,
        *,
        client: str | None = None,
        agent: str | None = None,
        **details: Any,
    ) -> None:
        """Append one line to the audit log, in its own transaction (on disk on return)."""
        with self.tx() as conn:
            self._append_audit(conn, action, who.id if who else None,
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

    def verify_audit(self) -> tuple[list[str], int, str]:
        """Every break of the audit chain (an edited, removed or added line, a cut at the
        end), the number of lines and the head hash."""
        problems: list[str] = []
        prev, expected = _GENESIS, 1
        conn = self._connection()
        for row in conn.execute("SELECT * FROM audit ORDER BY id"):
            number = int(row["id"])
            if number != expected:
                problems.append(f"lines {expected}-{number - 1} are missing")
            if row["prev"] != prev:
                problems.append(f"line {number} does not follow the line before it")
            line = {"id": number, "at": row["at"], "action": row["action"], "who": row["who"],
                    "role": row["role"], "client": row["client"], "agent": row["agent"],
                    "details": json.loads(row["details"])}  # fmt: skip
            if audit_hash(row["prev"], line) != row["hash"]:
                problems.append(f"line {number} was changed after it was written")
            prev, expected = row["hash"], number + 1
        head = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
        count = expected - 1
        if head is not None:
            head_count, head_hash = str(head[0]).split(" ")
            if int(head_count) > count:
                problems.append(f"the log was cut: it ends at line {count}, "
                                f"but line {head_count} was written")  # fmt: skip
            elif int(head_count) == count and head_hash != prev:
                problems.append(f"line {count}, the last, is not the line that was written")
        elif count:
            problems.append("the log's head record is missing")
        return problems, count, prev

    # --- revisions ------------------------------------------------------------------------

    def revisions_dir(self, year: int, member: str) -> Path:
        return self.folder / "revisions" / str(year) / member

    def recent_uploads(self, year: int, member: str, seconds: int) -> tuple[int, int]:
        """How many uploads and bytes `member` sent in the last `seconds`."""
        since = (_now_dt() - dt.timedelta(seconds=seconds)).isoformat()
        row = self._connection().execute(
            "SELECT count(*), coalesce(sum(bytes), 0) FROM revisions WHERE year = ? AND "
            "member = ? AND at >= ?", (year, member, since),
        ).fetchone()  # fmt: skip
        return int(row[0]), int(row[1])

    def add_revision(
        self,
        year: int,
        member: str,
        body: bytes,
        suffix: str,
        who: Invitation,
        client: str | None = None,
    ) -> tuple[int, Path]:
        """Keep an upload as the next numbered revision (`received`): the body's file is
        written atomically, then the row naming it, in one transaction; their number and
        path."""
        folder = self.revisions_dir(year, member)
        digest = hashlib.sha256(body).hexdigest()
        with self.tx() as conn:
            row = conn.execute("SELECT max(revision) FROM revisions WHERE year = ? AND "
                               "member = ?", (year, member)).fetchone()  # fmt: skip
            on_disk = [int(p.stem) for p in folder.glob("[0-9][0-9][0-9]*") if p.stem.isdigit()]
            number = (
                max([int(row[0] or 0), *on_disk]) + 1
            )  # a body left by a crash keeps its number
            path = folder / f"{number:03d}{suffix}"
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomic(path, body)
            now = _now()
            conn.execute(
                "INSERT INTO revisions (year, member, revision, file, sha256, bytes, by, email,"
                " at, status, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (year, member, number, path.name, digest, len(body), who.id, who.email, now,
                 "received", now),
            )  # fmt: skip
            self._append_audit(conn, "upload-received", who.id, who.role, client, None,
                               {"member": member, "year": year, "revision": number,
                                "sha256": digest, "bytes": len(body)})  # fmt: skip
        return number, path

    def set_revision(
        self, year: int, member: str, number: int, audit: dict[str, Any] | None = None,
        **values: Any,
    ) -> None:  # fmt: skip
        """Change a revision's record (and write an audit line with it, in one transaction)."""
        for key in ("report", "issues"):
            if key in values:
                values[key] = json.dumps(values[key], ensure_ascii=False)
        values["updated"] = _now()
        with self.tx() as conn:
            conn.execute(
                f"UPDATE revisions SET {', '.join(f'{k} = ?' for k in values)} "
                "WHERE year = ? AND member = ? AND revision = ?",
                [*values.values(), year, member, number],
            )
            if audit is not None:
                action = audit.pop("action")
                self._append_audit(conn, action, audit.pop("who", None), audit.pop("role", None),
                                   audit.pop("client", None), None,
                                   {"member": member, "year": year, "revision": number,
                                    **audit})  # fmt: skip

    # kept for callers of the earlier name
    def set_revision_status(self, year: int, member: str, number: int, **values: Any) -> None:
        self.set_revision(year, member, number, **values)

    def revision(self, year: int, member: str, number: int) -> dict[str, Any] | None:
        row = (
            self._connection()
            .execute(
                "SELECT * FROM revisions WHERE year = ? AND member = ? AND revision = ?",
                (year, member, number),
            )
            .fetchone()
        )
        return _revision(row) if row is not None else None

    def revisions(self, year: int, member: str) -> list[dict[str, Any]]:
        rows = self._connection().execute(
            "SELECT * FROM revisions WHERE year = ? AND member = ? ORDER BY revision",
            (year, member),
        )
        return [_revision(r) for r in rows]

    def recover(self) -> list[dict[str, Any]]:
        """After a crash: settle every upload that was cut short. One whose file was being
        written is `accepted` when the member's file holds its content (the write ended)
        and `interrupted` otherwise (the old file stands); one received or checked is
        `interrupted`. Leftover temporary files are removed. The records settled."""
        settled = []
        conn = self._connection()
        rows = conn.execute(
            f"SELECT * FROM revisions WHERE status IN ({', '.join('?' * len(OPEN_STATES))})",
            OPEN_STATES,
        ).fetchall()
        for row in rows:
            record = _revision(row)
            status, message = "interrupted", "The portal stopped while checking this upload; "
            message += "nothing was changed. Upload it again."
            if record["status"] == "accepting" and record["target"]:
                target = Path(record["target"])
                for tmp in target.parent.glob(f".{target.name}.*.tmp"):
                    tmp.unlink(missing_ok=True)
                now = (hashlib.sha256(target.read_bytes()).hexdigest()
                       if target.is_file() else None)  # fmt: skip
                if now == record["target_sha256"]:
                    status = "accepted"
                    message = "Accepted (the portal stopped just after writing it)."
                else:
                    message = ("The portal stopped before this upload was written; your "
                               "contribution is unchanged. Upload it again.")  # fmt: skip
            self.set_revision(
                record["year"], record["member"], record["revision"], status=status,
                message=message,
                audit={"action": "upload-recovered", "was": record["status"], "now": status,
                       "file": record["target"], "sha256": record["target_sha256"]},
            )  # fmt: skip
            settled.append({**record, "status": status})
        for tmp in self.folder.glob("revisions/*/*/.*.tmp"):
            tmp.unlink(missing_ok=True)
        return settled

    # --- builds ---------------------------------------------------------------------------

    def build_rows(self, year: int) -> list[dict[str, Any]]:
        rows = self._connection().execute(
            "SELECT * FROM builds WHERE year = ? ORDER BY build DESC", (year,)
        )
        return [dict(r) for r in rows]

    def build_row(self, year: int, number: int) -> dict[str, Any] | None:
        return _row_dict(
            self._connection()
            .execute("SELECT * FROM builds WHERE year = ? AND build = ?", (year, number))
            .fetchone()
        )

    # --- locks ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def accepting(self, year: int, member: str) -> Iterator[None]:
        """Held while a member's accepted file (or a reviewer's review file, `member` their
        id) is written: one writer at a time, across threads and processes."""
        folder = self.folder / "locks" / str(year)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(folder / f"{member}.lock", os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
