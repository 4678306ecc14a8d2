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
import fcntl
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DiskFull, UploadQuotaExceeded
from ..layout import REVISIONS, PortalFiles
from ..runtime.clock import utc_now, utc_now_iso
from . import auditlog
from .database import DB_NAME
from .files import private_dirs, write_atomic
from .people import (
    INVITATION_DAYS,
    ROLES,
    SESSION_IDLE_SECONDS,
    SESSION_MAX_SECONDS,
    Invitation,
    People,
    Session,
)

__all__ = [
    "DB_NAME",
    "INVITATION_DAYS",
    "ROLES",
    "SESSION_IDLE_SECONDS",
    "SESSION_MAX_SECONDS",
    "DiskFull",
    "Invitation",
    "Session",
    "Store",
    "write_atomic",
]
#: Revision states an upload passes through, and where it can end.
OPEN_STATES = ("received", "checked", "accepting")


def _row_dict(row: sqlite3.Row | None) -> dict[str, Any] | None:
    return dict(row) if row is not None else None


def _revision(row: sqlite3.Row) -> dict[str, Any]:
    record = dict(row)
    record["report"] = json.loads(record["report"] or "[]")
    record["issues"] = json.loads(record["issues"] or "[]")
    return record


class Store(People):
    """The portal's state under `folder`: its database (people, audit, rate limits), the
    records of uploads and builds, and the uploads' bodies. Safe to use from several threads
    (a connection per thread) and processes (SQLite's locking; one writer at a time)."""

    # --- the language each person reads the portal in --------------------------------------

    def remember_language(self, who: Invitation, lang: str) -> None:
        """Keep the language `who` reads the portal in (at sign-in, on the switch, with an
        upload): the e-mails sent to their address, or to their member, are in it."""
        with self.tx() as conn:
            conn.execute(
                "INSERT INTO languages (email, member, lang, updated) VALUES (?,?,?,?) "
                "ON CONFLICT(email) DO UPDATE SET member=excluded.member, lang=excluded.lang, "
                "updated=excluded.updated",
                (who.email.lower(), who.member, lang, utc_now_iso()),
            )

    def language_of(self, email: str | None, member: str | None = None) -> str | None:
        """The language the person at `email` last read the portal in; else, for a
        member's address nobody signed in with, the language its member's people last
        read it in; None when not known."""
        conn = self._connection()
        if email:
            row = conn.execute(
                "SELECT lang FROM languages WHERE email = ?", (email.lower(),)
            ).fetchone()
            if row is not None:
                return str(row[0])
        if member:
            row = conn.execute(
                "SELECT lang FROM languages WHERE member = ? ORDER BY updated DESC LIMIT 1",
                (member,),
            ).fetchone()
            if row is not None:
                return str(row[0])
        return None

    # --- revisions ------------------------------------------------------------------------

    def revisions_dir(self, year: int, member: str) -> Path:
        return PortalFiles(self.folder).revisions(year, member)

    def add_revision(
        self,
        year: int,
        member: str,
        body: bytes,
        suffix: str,
        who: Invitation,
        client: str | None = None,
        quota: tuple[int, int] | None = None,
    ) -> tuple[int, Path]:
        """Keep an upload as the next numbered revision (`received`): the body's file is
        written atomically, then the row naming it, in one transaction; their number and
        path. With `quota` (uploads, bytes in the last hour), the count is taken in the same
        transaction, so uploads at once cannot pass it together: UploadQuotaExceeded."""
        folder = self.revisions_dir(year, member)
        digest = hashlib.sha256(body).hexdigest()
        with self.tx() as conn:
            if quota is not None:
                since = (utc_now() - dt.timedelta(hours=1)).isoformat()
                count, sent = conn.execute(
                    "SELECT count(*), coalesce(sum(bytes), 0) FROM revisions WHERE year = ? "
                    "AND member = ? AND at >= ?", (year, member, since),
                ).fetchone()  # fmt: skip
                if count >= quota[0] or sent + len(body) > quota[1]:
                    raise UploadQuotaExceeded(int(count), int(sent))
            row = conn.execute("SELECT max(revision) FROM revisions WHERE year = ? AND "
                               "member = ?", (year, member)).fetchone()  # fmt: skip
            on_disk = [int(p.stem) for p in folder.glob("[0-9][0-9][0-9]*") if p.stem.isdigit()]
            number = (
                max([int(row[0] or 0), *on_disk]) + 1
            )  # a body left by a crash keeps its number
            path = PortalFiles(self.folder).revision(year, member, number, suffix)
            private_dirs(folder, self.folder)
            write_atomic(path, body)
            now = utc_now_iso()
            conn.execute(
                "INSERT INTO revisions (year, member, revision, file, sha256, bytes, by, email,"
                " at, status, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (year, member, number, path.name, digest, len(body), who.id, who.email, now,
                 "received", now),
            )  # fmt: skip
            auditlog.append(conn, "upload-received", who.id, who.role, client, None,
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
        values["updated"] = utc_now_iso()
        with self.tx() as conn:
            conn.execute(
                f"UPDATE revisions SET {', '.join(f'{k} = ?' for k in values)} "
                "WHERE year = ? AND member = ? AND revision = ?",
                [*values.values(), year, member, number],
            )
            if audit is not None:
                action = audit.pop("action")
                auditlog.append(conn, action, audit.pop("who", None), audit.pop("role", None),
                                   audit.pop("client", None), None,
                                   {"member": member, "year": year, "revision": number,
                                    **audit})  # fmt: skip

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
        """After a crash: settle every upload that was cut short (`settle`). Leftover
        temporary files are removed. The records settled."""
        conn = self._connection()
        rows = conn.execute(
            f"SELECT * FROM revisions WHERE status IN ({', '.join('?' * len(OPEN_STATES))})",
            OPEN_STATES,
        ).fetchall()
        settled = [self.settle(_revision(row), "stopped") for row in rows]
        for tmp in self.folder.glob(f"{REVISIONS}/*/*/.*.tmp"):
            tmp.unlink(missing_ok=True)
        return settled

    def settle(self, record: dict[str, Any], cause: str) -> dict[str, Any]:
        """Settle an upload cut short (the portal `stopped`, or `failed` on an error while
        it runs): one whose file was being written is `accepted` when the member's file
        holds its content (the write ended) and `interrupted` otherwise (the old file
        stands); one received or checked is `interrupted`. The record as settled."""
        status = "interrupted"
        message = (f"The portal {cause} while checking this upload; nothing was changed. "
                   "Upload it again.")  # fmt: skip
        if record["status"] == "accepting" and record["target"]:
            target = Path(record["target"])
            for tmp in target.parent.glob(f".{target.name}.*.tmp"):
                tmp.unlink(missing_ok=True)
            now = hashlib.sha256(target.read_bytes()).hexdigest() if target.is_file() else None
            if now == record["target_sha256"]:
                status = "accepted"
                message = f"Accepted (the portal {cause} just after writing it)."
            else:
                message = (f"The portal {cause} before this upload was written; your "
                           "contribution is unchanged. Upload it again.")  # fmt: skip
        self.set_revision(
            record["year"], record["member"], record["revision"], status=status,
            message=message,
            audit={"action": "upload-recovered", "was": record["status"], "now": status,
                   "file": record["target"], "sha256": record["target_sha256"],
                   "cause": cause},
        )  # fmt: skip
        return {**record, "status": status, "message": message}

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
        folder = PortalFiles(self.folder).locks(year)
        private_dirs(folder, self.folder)
        fd = os.open(folder / f"{member}.lock", os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
