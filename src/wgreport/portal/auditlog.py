"""The portal's audit log: a table of the store's database, tamper-evident. Each line
carries the sha256 of the line before it and of its own content, and `meta` holds the
head (the count and the last hash), so `verify` finds a line edited, removed or added and
a log cut at its end. Lines are written in the transaction of the change they record
(`synchronous=FULL`: on disk when the change is)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

from ..runtime.clock import utc_now_iso

GENESIS = "0" * 64


def audit_hash(prev: str, line: dict[str, Any]) -> str:
    """The sha256 of an audit line: the hash before it and its canonical JSON."""
    canonical = json.dumps(line, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest()


def append(
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
    number, prev = (int(head[0]) + 1, str(head[1])) if head else (1, GENESIS)
    line = {"id": number, "at": at or utc_now_iso(), "action": action, "who": who, "role": role,
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


def verify(conn: sqlite3.Connection) -> tuple[list[str], int, str]:
    """Every break of the audit chain (an edited, removed or added line, a cut at the
    end), the number of lines and the head hash."""
    problems: list[str] = []
    prev, expected = GENESIS, 1
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
