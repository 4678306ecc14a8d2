"""Who may sign in: invitations (as the sha256 of their link's token; a link is spent by
its first sign-in, and a new invitation for the same person revokes the earlier one) and
server-side sessions (the cookie holds a random token, the table its sha256), which end on
sign-out, revocation, an idle time or their maximum age; and the form tokens already used,
so that a form is good once, across restarts."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass, fields

from ..runtime.clock import utc_now, utc_now_iso
from . import auditlog
from .database import Database

ROLES = ("member", "reviewer", "secretariat")
#: How long an invitation link works when nobody has used it.
INVITATION_DAYS = 60
#: A session ends after this long without a request ...
SESSION_IDLE_SECONDS = 8 * 3600
#: ... and at the latest this long after sign-in.
SESSION_MAX_SECONDS = 14 * 24 * 3600


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


def _invitation(row: sqlite3.Row) -> Invitation:
    return Invitation(**{f.name: row[f.name] for f in fields(Invitation)})


class People(Database):
    """The invitations and sessions of the portal's database."""

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
        now = utc_now()
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
            auditlog.append(conn, "invite", by, "secretariat" if by else None, None, None,
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
        now = utc_now_iso()
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
                    "ended IS NULL",
                    (utc_now_iso(), f"revoked by {by or 'the command line'}", ident),
                ).rowcount  # fmt: skip
                if not changed:
                    return None
                kind = "session"
            auditlog.append(conn, "revoke", by, "secretariat" if by else None, None, None,
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
            now = utc_now()
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
            auditlog.append(conn, "signin", invitation.id, invitation.role, client, agent,
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
        now = utc_now()
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
                         "ended IS NULL", (utc_now_iso(), why, session_id))  # fmt: skip

    def sessions(self) -> list[Session]:
        rows = self._connection().execute("SELECT * FROM sessions ORDER BY created, id")
        return [Session(**{f.name: r[f.name] for f in fields(Session)}) for r in rows]

    def spend_form_token(self, token: str, max_age_seconds: int) -> bool:
        """Mark a form token used: False when it was used before (kept across restarts;
        tokens older than their maximum age are forgotten, as they no longer verify)."""
        cutoff = (utc_now() - dt.timedelta(seconds=max_age_seconds + 60)).isoformat()
        with self.tx() as conn:
            conn.execute("DELETE FROM csrf_spent WHERE spent < ?", (cutoff,))
            done = conn.execute(
                "INSERT OR IGNORE INTO csrf_spent (token_sha256, spent) VALUES (?, ?)",
                (_digest(token), utc_now_iso()),
            )
            return done.rowcount == 1
