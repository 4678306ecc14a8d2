"""The portal database's schema, its migrations, and the reading of the JSON state that
earlier versions kept (invitations.json, revisions/*/*/NNN.json, builds/*/NNN.json,
audit.log) into it on first start."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

from ..runtime.clock import utc_now_iso
from . import auditlog

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
#: Version 2: the language each person reads the portal in (the e-mails sent to them follow).
_LANGUAGES = """
CREATE TABLE languages (
    email TEXT PRIMARY KEY, member TEXT, lang TEXT NOT NULL, updated TEXT NOT NULL
);
"""
SCHEMA_VERSION = 2
#: The columns of an invitation (people.Invitation's fields).
INVITATION_FIELDS = [
    "id", "role", "email", "member", "reviewer", "token_sha256", "created", "expires",
    "name", "organisation", "used", "revoked", "revoked_reason",
]  # fmt: skip
#: (version, SQL) in order; a database at version N runs every migration above N.
MIGRATIONS: list[tuple[int, str]] = [(1, _SCHEMA), (2, _LANGUAGES)]


def import_json_state(
    conn: sqlite3.Connection, folder: Path, invitation_fields: list[str]
) -> list[Path]:
    """Read the JSON files of earlier versions into the new tables."""
    done: list[Path] = []
    path = folder / "invitations.json"
    if path.is_file():
        names = invitation_fields
        for item in json.loads(path.read_text(encoding="utf-8")):
            row = {k: item.get(k) for k in names}
            conn.execute(
                f"INSERT OR IGNORE INTO invitations ({', '.join(row)}) "
                f"VALUES ({', '.join('?' * len(row))})", list(row.values()),
            )  # fmt: skip
        done.append(path)
    for meta in sorted(folder.glob("revisions/*/*/[0-9][0-9][0-9].json")):
        item = json.loads(meta.read_text(encoding="utf-8"))
        year, member = int(meta.parent.parent.name), meta.parent.name
        status = item.get("status", "received")
        conn.execute(
            "INSERT OR IGNORE INTO revisions (year, member, revision, file, sha256, bytes,"
            " by, email, at, status, updated, report, issues) VALUES "
            "(?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (year, member, int(item["revision"]), item.get("file", ""),
             item.get("sha256", ""), int(item.get("bytes", 0)), item.get("by"),
             item.get("email"), item.get("at", utc_now_iso()),
             "interrupted" if status == "received" else status, utc_now_iso(),
             json.dumps(item.get("report", [])), json.dumps(item.get("issues", []))),
        )  # fmt: skip
        done.append(meta)
    for meta in sorted(folder.glob("builds/*/[0-9][0-9][0-9].json")):
        item = json.loads(meta.read_text(encoding="utf-8"))
        conn.execute(
            "INSERT OR IGNORE INTO builds (year, build, by, email, started, pid, status,"
            " command, finished, exit_code, draft) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (int(item.get("year", meta.parent.name)), int(item["build"]), item.get("by"),
             item.get("email"), item.get("started", utc_now_iso()), item.get("pid"),
             item.get("status", "interrupted"), item.get("command"),
             item.get("finished"), item.get("exit_code"), item.get("draft")),
        )  # fmt: skip
        done.append(meta)
    path = folder / "audit.log"
    if path.is_file():
        for text in path.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                old = json.loads(text)
                at, action = old.pop("at", utc_now_iso()), old.pop("action", "unknown")
                who, role = old.pop("who", None), old.pop("role", None)
                auditlog.append(conn, action, who, role, None, None,
                                   {**old, "migrated": True}, at=at)  # fmt: skip
        done.append(path)
    return done
