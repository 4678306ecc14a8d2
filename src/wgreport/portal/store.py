"""What the portal keeps, under its folder (default `.portal/` in the project):

- `invitations.json`: who may sign in, as the sha256 of their token (never the token);
- `secret`: the key that signs session cookies (made once, readable by its owner only);
- `audit.log`: one JSON line per sign-in, upload, download and comment, appended only;
- `revisions/<year>/<CODE>/NNN.yaml` and `NNN.json`: every upload, numbered, with its
  digest, who sent it and its validation; nothing is overwritten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROLES = ("member", "reviewer", "secretariat")
#: How long an invitation link works.
INVITATION_DAYS = 60


@dataclass(frozen=True)
class Invitation:
    id: str  # public: shown in the audit log, never the token
    role: str
    email: str
    member: str | None  # the country a member contact speaks for
    reviewer: str | None  # a reviewer's id (their review file's name)
    token_sha256: str
    created: str
    expires: str
    name: str | None = None  # a reviewer's name and organisation, for their review file
    organisation: str | None = None

    @property
    def expired(self) -> bool:
        return dt.datetime.fromisoformat(self.expires) < dt.datetime.now(dt.UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def write_atomic(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a temporary file beside it, synced, renamed over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Store:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    # --- files ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write_atomic(self, path: Path, data: bytes) -> None:
        write_atomic(path, data)

    def secret(self) -> str:
        """The key that signs session cookies: made on first use, kept private."""
        path = self.folder / "secret"
        with self._locked():
            if not path.exists():
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_urlsafe(48))
        return path.read_text(encoding="utf-8").strip()

    # --- invitations ----------------------------------------------------------------------

    def invitations(self) -> list[Invitation]:
        path = self.folder / "invitations.json"
        if not path.exists():
            return []
        return [Invitation(**x) for x in json.loads(path.read_text(encoding="utf-8"))]

    def invite(
        self,
        role: str,
        email: str,
        member: str | None = None,
        reviewer: str | None = None,
        name: str | None = None,
        organisation: str | None = None,
    ) -> tuple[Invitation, str]:
        """A new invitation and its token (shown once; only its hash is kept)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        token = secrets.token_urlsafe(32)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        invitation = Invitation(
            id=secrets.token_hex(6),
            role=role,
            email=email,
            member=member,
            reviewer=reviewer,
            token_sha256=_digest(token),
            created=now.isoformat(),
            expires=(now + dt.timedelta(days=INVITATION_DAYS)).isoformat(),
            name=name,
            organisation=organisation,
        )
        with self._locked():
            listed = [asdict(i) for i in self.invitations()] + [asdict(invitation)]
            self._write_atomic(
                self.folder / "invitations.json", json.dumps(listed, indent=2).encode("utf-8")
            )
        self.audit("invite", invitation, role=role, member=member)
        return invitation, token

    def find(self, token: str) -> Invitation | None:
        """The invitation of `token`, compared in constant time against every hash."""
        wanted = _digest(token)
        found = None
        for invitation in self.invitations():
            if hmac.compare_digest(invitation.token_sha256, wanted):
                found = invitation
        return found

    def by_id(self, invitation_id: str) -> Invitation | None:
        return next((i for i in self.invitations() if i.id == invitation_id), None)

    # --- audit ----------------------------------------------------------------------------

    def audit(self, action: str, who: Invitation | None, **details: Any) -> None:
        """Append one line to the audit log (O_APPEND: lines from concurrent requests
        never interleave)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        line = {"at": _now(), "action": action, "who": who.id if who else None,
                "role": who.role if who else None, **details}  # fmt: skip
        data = (json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        fd = os.open(self.folder / "audit.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)

    def audit_lines(self) -> list[dict[str, Any]]:
        path = self.folder / "audit.log"
        if not path.exists():
            return []
        return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]

    # --- revisions ------------------------------------------------------------------------

    def revisions_dir(self, year: int, member: str) -> Path:
        return self.folder / "revisions" / str(year) / member

    def add_revision(
        self, year: int, member: str, body: bytes, suffix: str, who: Invitation
    ) -> tuple[int, Path]:
        """Keep an upload as the next numbered revision; return its number and path."""
        folder = self.revisions_dir(year, member)
        with self._locked():
            folder.mkdir(parents=True, exist_ok=True)
            numbers = [int(p.stem) for p in folder.glob("*.json") if p.stem.isdigit()]
            number = max(numbers, default=0) + 1
            path = folder / f"{number:03d}{suffix}"
            self._write_atomic(path, body)
            meta = {"revision": number, "sha256": hashlib.sha256(body).hexdigest(),
                    "bytes": len(body), "file": path.name, "by": who.id, "email": who.email,
                    "at": _now(), "status": "received"}  # fmt: skip
            self._write_atomic(folder / f"{number:03d}.json", json.dumps(meta).encode("utf-8"))
        return number, path

    def set_revision_status(self, year: int, member: str, number: int, **fields: Any) -> None:
        path = self.revisions_dir(year, member) / f"{number:03d}.json"
        with self._locked():
            meta = json.loads(path.read_text(encoding="utf-8"))
            meta.update(fields)
            self._write_atomic(path, json.dumps(meta).encode("utf-8"))

    def revisions(self, year: int, member: str) -> list[dict[str, Any]]:
        folder = self.revisions_dir(year, member)
        metas = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")]
        return sorted(metas, key=lambda m: int(m["revision"]))

    @contextlib.contextmanager
    def accepting(self, year: int, member: str) -> Iterator[None]:
        """Held while a member's accepted file (or a reviewer's review file, `member` their
        id) is written: one writer at a time."""
        folder = self.revisions_dir(year, member)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".accept.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
