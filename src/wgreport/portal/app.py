"""The portal's pages (Starlette): sign-in by invitation link, then each role's page.

- Members see their own country's submissions and validation, and upload a contribution
  (YAML or the workbook of `wgreport template`); every upload is kept as a revision, and a
  valid one is written atomically into inputs/<year>/contributions/<CODE>.yaml.
- Reviewers see the drafts (size, pages, sha256, what changed) and download their PDF and
  HTML, and comment through a form that writes their review file.
- The secretariat sees every member's submission status, the comment-resolution table and
  the people who may sign in, revokes an invitation or a session, and starts a draft build
  (`wgreport build` in its own process: the CLI's Prefect flow).

No URL names a member: what a member sees and changes follows from the invitation that
signed them in, so no address leads to another country's data. A sign-in link is good
once and opens a server-side session (the cookie holds a random token: HttpOnly,
SameSite=Strict, Secure behind HTTPS), which ends on sign-out, revocation, an idle time or
its maximum age; every form carries a token bound to the session and good once, across
restarts. `Guard` (an ASGI middleware) sets the security headers on every response, errors
included, refuses a body past its limit while it is read, and writes every refusal to the
audit log with the client's address (at a bounded rate per client).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..validation import load_working_group
from .builds import Builds
from .checker import CheckResult, check_upload
from .limits import DEFAULT_LIMITS, PortalLimits
from .store import (
    SESSION_IDLE_SECONDS,
    SESSION_MAX_SECONDS,
    DiskFull,
    Invitation,
    Session,
    Store,
    write_atomic,
)

#: The portal's pages: in the package (not the report's templates/, whose digest each
#: draft records), so that `pip install 'wgreport[portal]'` has them.
PAGES = Path(__file__).parent / "templates"
COOKIE = "wgreport_session"
CSRF_SECONDS = 2 * 3600
UPLOAD_SUFFIXES = (".yaml", ".yml", ".xlsx")
DOWNLOADS = ("report.pdf", "report.html")
CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",  # sign-in links hold a token
    "x-frame-options": "DENY",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
#: Kept for callers of the earlier name.
MAX_UPLOAD_BYTES = DEFAULT_LIMITS.upload_bytes


@dataclass
class Portal:
    """What the application serves: an edition's inputs and outputs, and its store."""

    inputs_dir: Path
    outputs_dir: Path
    year: int
    store: Store
    secure_cookies: bool = False
    #: Environment for the draft builds the secretariat starts (e.g. PREFECT_API_URL).
    build_env: dict[str, str] = field(default_factory=dict)
    #: The portal's public address: redirects and sign-in links use it, never the
    #: request's Host header, and only its host (with `allowed_hosts`) is served.
    base_url: str = "http://127.0.0.1:8080"
    allowed_hosts: list[str] = field(default_factory=list)
    limits: PortalLimits = DEFAULT_LIMITS
    session_idle_seconds: int = SESSION_IDLE_SECONDS
    session_max_seconds: int = SESSION_MAX_SECONDS

    @functools.cached_property
    def builds(self) -> Builds:
        return Builds(self.store, self.year, self.inputs_dir, self.outputs_dir, self.build_env)

    @functools.cached_property
    def checks(self) -> anyio.CapacityLimiter:
        return anyio.CapacityLimiter(self.limits.checks_at_once)

    @functools.cached_property
    def _secret(self) -> str:
        return self.store.secret()

    def signer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._secret, salt=salt)

    def hosts(self) -> list[str]:
        host = urlsplit(self.base_url).hostname or "127.0.0.1"
        return sorted({host, *self.allowed_hosts})

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _agent(request: Request) -> str | None:
    return request.headers.get("user-agent")


def _page(portal: Portal, name: str, status: int = 200, **values: Any) -> Response:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PAGES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    html = env.get_template(name).render(year=portal.year, **values)
    return HTMLResponse(html, status_code=status)


def _refuse(request: Request, reason: str) -> None:
    """Name why this request is refused, for the audit line `Guard` writes."""
    request.state.refusal = reason


def _forbidden(portal: Portal, request: Request, reason: str, status: int = 403) -> Response:
    _refuse(request, reason)
    return _page(portal, "forbidden.html.j2", status=status, reason=reason)


def _redirect(portal: Portal, path: str) -> Response:
    return RedirectResponse(portal.url(path), status_code=303)


# --- the guard: headers, body limits and the audit of refusals -------------------------------


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request is larger than {limit // 1024} KiB.")


class Guard:
    """Every response gets the security headers; a body longer than the limit is refused
    (by its Content-Length before anything is read, or as soon as the bytes read pass
    it); every response of 400 or more writes an audit line with the client's address
    and user agent, at most `refusal_lines_per_minute` a client (the others are counted)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], portal: Portal):
        self.app = app
        self.portal = portal
        self._suppressed: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.portal.limits
        upload = scope["path"] == "/member/upload"
        limit = limits.body_bytes if upload else limits.form_bytes
        status: dict[str, int] = {}

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode("latin-1").lower() not in SECURITY_HEADERS]  # fmt: skip
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message["headers"] = headers
            await send(message)

        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            too_large = f"The request is larger than {limit // 1024} KiB."
            response = _page(self.portal, "error.html.j2", status=413, message=too_large)
            scope.setdefault("state", {})["refusal"] = "body too large (Content-Length)"
            await response(scope, receive, guarded_send)
            await self._audit(scope, 413)
            return
        seen = {"bytes": 0}

        async def limited_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                seen["bytes"] += len(message.get("body", b""))
                if seen["bytes"] > limit:
                    scope.setdefault("state", {})["refusal"] = "body too large"
                    raise BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, limited_receive, guarded_send)
        finally:
            if status.get("code", 500) >= 400:
                await self._audit(scope, status.get("code", 500))

    async def _audit(self, scope: Scope, code: int) -> None:
        state = scope.get("state", {})
        client = (scope.get("client") or ("unknown", 0))[0]
        agent = dict(scope.get("headers", [])).get(b"user-agent", b"").decode("latin-1")
        who: Invitation | None = state.get("who")
        limits = self.portal.limits
        store = self.portal.store

        def write() -> None:
            key = f"{client}"
            if not store.attempt("refusal-line", key, limits.refusal_lines_per_minute, 60):
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return
            details: dict[str, Any] = {"status": code, "method": scope.get("method"),
                                       "path": scope.get("path", "")[:200],
                                       "reason": state.get("refusal")}  # fmt: skip
            if self._suppressed.get(key):
                details["not_logged_before"] = self._suppressed.pop(key)
            action = "error" if code >= 500 else "refused"
            store.audit(action, who, client=client, agent=agent, **details)

        try:
            await run_in_threadpool(write)
        except Exception as exc:  # the refusal stands even when it cannot be logged
            print(f"wgreport portal: could not write an audit line: {exc}", file=sys.stderr)


# --- sessions and CSRF -----------------------------------------------------------------------


def _session(portal: Portal, request: Request) -> tuple[Invitation, Session] | None:
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 200:
        return None
    found = portal.store.session(raw, portal.session_idle_seconds)
    if found[0] is None:
        return None
    invitation, session = found
    assert isinstance(session, Session)
    if invitation.expired:
        return None
    request.state.who = invitation
    return invitation, session


def _csrf_token(portal: Portal, session: Session) -> str:
    return portal.signer("csrf").dumps({"s": session.id, "n": secrets.token_hex(8)})


def _csrf_ok(portal: Portal, session: Session, token: str | None) -> bool:
    """A token made for this session, not expired, and not used before (ever)."""
    if not token or len(token) > 500:
        return False
    try:
        data = portal.signer("csrf").loads(token, max_age=CSRF_SECONDS)
    except (BadSignature, SignatureExpired):
        return False
    if not isinstance(data, dict) or not hmac.compare_digest(str(data.get("s")), session.id):
        return False
    return portal.store.spend_form_token(token, CSRF_SECONDS)


def _expired_form(portal: Portal, request: Request, back: str) -> Response:
    _refuse(request, "csrf")
    return _page(portal, "expired.html.j2", status=403, back=back)


def _role(portal: Portal, request: Request, *roles: str) -> tuple[Invitation, Session] | Response:
    signed = _session(portal, request)
    if signed is None:
        return _forbidden(portal, request, "Sign in with the link of your invitation.")
    if signed[0].role not in roles:
        return _forbidden(portal, request, "This page is not open to your role.")
    return signed


async def _form(request: Request, max_fields: int, max_files: int = 0) -> dict[str, Any]:
    """The form's fields (text), or a 400 page's HTTPException on a malformed form."""
    try:
        async with request.form(max_files=max_files, max_fields=max_fields,
                                max_part_size=64 * 1024) as form:  # fmt: skip
            out: dict[str, Any] = {}
            for key, value in form.multi_items():
                if isinstance(value, str):
                    out[key] = value
                else:
                    out[key] = (value.filename or "", await value.read(
                        request.app.state.portal.limits.upload_bytes + 1))  # fmt: skip
            return out
    except HTTPException:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"The form could not be read: {exc}") from exc


# --- pages -----------------------------------------------------------------------------------


def signin_page(request: Request) -> Response:
    """The link's page: a button that signs in (mail scanners that open links do not
    spend them; only the person who presses the button does)."""
    portal: Portal = request.app.state.portal
    token = request.path_params["token"]
    if not portal.store.attempt("signin", _client(request) or "?", portal.limits.signin_attempts,
                                portal.limits.signin_window_seconds):  # fmt: skip
        return _too_many_signins(portal, request)
    invitation = portal.store.find(token) if len(token) <= 100 else None
    problem = _link_problem(invitation)
    if problem:
        return _forbidden(portal, request, problem)
    return _page(portal, "signin.html.j2", token=token, invitation=invitation)


def signin(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    token = request.path_params["token"]
    if not portal.store.attempt("signin", _client(request) or "?", portal.limits.signin_attempts,
                                portal.limits.signin_window_seconds):  # fmt: skip
        return _too_many_signins(portal, request)
    invitation, session_token, why = (
        portal.store.sign_in(token, _client(request), _agent(request), portal.session_max_seconds)
        if len(token) <= 100
        else (None, None, "unknown")
    )
    if session_token is None:
        return _forbidden(portal, request, _link_problem(invitation, why) or "Not valid.")
    response = _redirect(portal, "/")
    response.set_cookie(
        COOKIE, session_token, max_age=portal.session_max_seconds, httponly=True,
        samesite="strict", secure=portal.secure_cookies, path="/",
    )  # fmt: skip
    return response


def _link_problem(invitation: Invitation | None, why: str = "") -> str | None:
    if invitation is None or why == "unknown":
        return "This sign-in link is not valid, or it has expired."
    if invitation.revoked or why == "revoked":
        return ("This invitation was withdrawn by the secretariat (a newer invitation "
                "replaces an older one). Use the newest link you were sent.")  # fmt: skip
    if invitation.expired or why == "expired":
        return "This sign-in link is not valid, or it has expired."
    if invitation.used or why == "used":
        return ("This sign-in link has been used: a link signs in once. If it was not you "
                "who used it, tell the secretariat at once.")  # fmt: skip
    return None


def _too_many_signins(portal: Portal, request: Request) -> Response:
    minutes = portal.limits.signin_window_seconds // 60
    response = _forbidden(
        portal, request, f"Too many sign-in attempts from your address: wait {minutes} "
        "minutes, then open your link again.", status=429,
    )  # fmt: skip
    response.headers["Retry-After"] = str(portal.limits.signin_window_seconds)
    return response


async def signout(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _session(portal, request)
    fields = await _form(request, max_fields=2)
    if signed is not None:
        if not _csrf_ok(portal, signed[1], str(fields.get("csrf") or "")):
            return _expired_form(portal, request, "/")
        await run_in_threadpool(portal.store.end_session, signed[1].id, "signed out")
        portal.store.audit("signout", signed[0], client=_client(request), agent=_agent(request),
                           session=signed[1].id)  # fmt: skip
    response = _page(portal, "signedout.html.j2")
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=portal.secure_cookies)  # fmt: skip
    return response


def home(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _session(portal, request)
    if signed is None:
        return _forbidden(portal, request, "Sign in with the link of your invitation.")
    target = {"member": "/member", "reviewer": "/review", "secretariat": "/secretariat"}
    return _redirect(portal, target[signed[0].role])


def member_page(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "member")
    if isinstance(signed, Response):
        return signed
    return _member_page(portal, signed)


def _member_page(
    portal: Portal, signed: tuple[Invitation, Session], refusal: str | None = None,
    status: int = 200,
) -> Response:  # fmt: skip
    invitation, session = signed
    code = str(invitation.member)
    revisions = portal.store.revisions(portal.year, code)
    return _page(
        portal, "member.html.j2", status=status, who=invitation, code=code,
        revisions=revisions, latest=revisions[-1] if revisions else None,
        csrf=_csrf_token(portal, session), accepted=_accepted_file(portal, code).is_file(),
        refusal=refusal, limits=portal.limits,
    )  # fmt: skip


async def member_upload(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "member")
    if isinstance(signed, Response):
        return signed
    invitation, session = signed
    limits = portal.limits
    fields = await _form(request, max_fields=4, max_files=1)
    if not _csrf_ok(portal, session, str(fields.get("csrf") or "")):
        return _expired_form(portal, request, "/member")
    upload = fields.get("contribution")
    if not isinstance(upload, tuple) or not upload[0]:
        _refuse(request, "no file")
        return _member_page(portal, signed, "Choose a file to upload.", 400)
    name, body = upload
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        _refuse(request, "file type")
        wrong = "Upload a .yaml file or the .xlsx workbook of the template."
        return _member_page(portal, signed, wrong, 400)
    if len(body) > limits.upload_bytes:
        _refuse(request, "file too large")
        large = f"The file is larger than {limits.upload_bytes // 1024} KiB."
        return _member_page(portal, signed, large, 413)
    code = str(invitation.member)
    count, sent = await run_in_threadpool(portal.store.recent_uploads, portal.year, code, 3600)
    if count >= limits.uploads_per_hour or sent + len(body) > limits.upload_bytes_per_hour:
        _refuse(request, "upload quota")
        quota = (f"Your country has sent {count} uploads ({sent // 1024} KiB) in the last hour; "
                 f"the portal takes at most {limits.uploads_per_hour} uploads or "
                 f"{limits.upload_bytes_per_hour // (1024 * 1024)} MiB an hour from one "
                 "member. Try again later; nothing of this upload was kept.")  # fmt: skip
        response = _member_page(portal, signed, quota, 429)
        response.headers["Retry-After"] = "3600"
        return response
    client = _client(request)
    number, path = await run_in_threadpool(
        portal.store.add_revision, portal.year, code, body, suffix, invitation, client
    )
    async with portal.checks:
        checked = await anyio.to_thread.run_sync(
            check_upload, portal.inputs_dir, portal.year, code, path, limits
        )
    await run_in_threadpool(_settle, portal, invitation, code, number, checked, body, client)
    return _redirect(portal, "/member")


def _settle(
    portal: Portal, who: Invitation, code: str, number: int, checked: CheckResult,
    body: bytes, client: str | None,
) -> None:  # fmt: skip
    """Record the check; for a valid upload, record the intent, write the member's file,
    record the outcome: a crash between any two steps leaves the file whole (old or new)
    and the record saying which (`Store.recover`)."""
    store, year = portal.store, portal.year
    audit = {"who": who.id, "role": who.role, "client": client}
    if not checked.valid:
        status = "refused" if checked.refusal else "not valid"
        store.set_revision(year, code, number, status=status, report=checked.lines,
                           issues=checked.issues, message=checked.refusal,
                           audit={**audit, "action": "upload", "accepted": False,
                                  "status": status})  # fmt: skip
        return
    store.set_revision(year, code, number, status="checked", report=checked.lines,
                       issues=checked.issues)  # fmt: skip
    accepted = checked.yaml.encode("utf-8") if checked.yaml is not None else body
    target = _accepted_file(portal, code)
    with store.accepting(year, code):
        previous = hashlib.sha256(target.read_bytes()).hexdigest() if target.is_file() else None
        store.set_revision(year, code, number, status="accepting", target=str(target),
                           target_sha256=hashlib.sha256(accepted).hexdigest(),
                           previous_sha256=previous)  # fmt: skip
        try:
            write_atomic(target, accepted, mode=0o644)
        except BaseException:
            store.set_revision(year, code, number, status="failed",
                               message="The portal could not write your file; your "
                               "contribution is unchanged. Upload it again later.",
                               audit={**audit, "action": "upload", "accepted": False,
                                      "status": "failed"})  # fmt: skip
            raise
        store.set_revision(year, code, number, status="accepted", message=None,
                           audit={**audit, "action": "upload", "accepted": True,
                                  "status": "accepted",
                                  "sha256": hashlib.sha256(accepted).hexdigest()})  # fmt: skip


def review_page(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "reviewer", "secretariat")
    if isinstance(signed, Response):
        return signed
    return _review_page(portal, signed)


def _review_page(
    portal: Portal, signed: tuple[Invitation, Session], problems: list[str] | None = None
) -> Response:
    from ..comments import report_sections
    from .reviews import KINDS, own_comments

    who, session = signed
    wg, _ = load_working_group(portal.inputs_dir / "working-group.yaml")
    mine = own_comments(portal.inputs_dir, portal.year, str(who.reviewer)) if who.reviewer else []
    return _page(
        portal, "review.html.j2", status=400 if problems else 200, who=who,
        drafts=_drafts(portal), sections=report_sections(wg), kinds=KINDS, mine=mine,
        problems=problems or [], csrf=_csrf_token(portal, session),
    )  # fmt: skip


async def review_comment(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "reviewer")
    if isinstance(signed, Response):
        return signed
    from .reviews import add_comment

    who, session = signed
    fields = {k: v for k, v in (await _form(request, max_fields=12)).items() if isinstance(v, str)}
    if not _csrf_ok(portal, session, fields.get("csrf")):
        return _expired_form(portal, request, "/review")

    def add() -> tuple[int | None, list[str]]:
        with portal.store.accepting(portal.year, f"reviewer-{who.reviewer}"):
            return add_comment(portal.inputs_dir, portal.outputs_dir, portal.year, who, fields)

    number, problems = await run_in_threadpool(add)
    if number is None:
        _refuse(request, "comment not valid")
        return await run_in_threadpool(_review_page, portal, signed, problems)
    portal.store.audit("comment", who, client=_client(request), reviewer=who.reviewer,
                       comment=number)  # fmt: skip
    return _redirect(portal, "/review")


def download(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "reviewer", "secretariat")
    if isinstance(signed, Response):
        return signed
    draft, name = request.path_params["draft"], request.path_params["name"]
    folder = portal.outputs_dir / str(portal.year) / "drafts" / draft
    if not (draft.isdigit() and len(draft) == 3 and name in DOWNLOADS):
        return _forbidden(portal, request, "There is no such file to download.")
    if not (folder / "manifest.json").is_file() or not (folder / name).is_file():
        return _forbidden(portal, request, "There is no such file to download.")
    portal.store.audit("download", signed[0], client=_client(request), draft=draft, file=name)
    return FileResponse(folder / name, filename=f"{portal.year}-draft-{draft}-{name}")


def secretariat_page(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "secretariat")
    if isinstance(signed, Response):
        return signed
    return _secretariat_page(portal, signed)


def _secretariat_page(
    portal: Portal, signed: tuple[Invitation, Session], refusal: str | None = None,
    status: int = 200,
) -> Response:  # fmt: skip
    from ..comments import edition_reviews
    from ..status import submission_status

    report = submission_status(portal.inputs_dir, portal.year)
    wg, _ = load_working_group(portal.inputs_dir / "working-group.yaml")
    reviews = edition_reviews(portal.inputs_dir / str(portal.year), wg, portal.year,
                              portal.outputs_dir, portal.inputs_dir.parent)  # fmt: skip
    builds = portal.builds.records()
    return _page(
        portal, "secretariat.html.j2", status=409 if refusal and status == 200 else status,
        who=signed[0], report=report, comments=reviews.rows, builds=builds, refusal=refusal,
        running=any(b["status"] == "running" for b in builds),
        log=portal.builds.log_tail(builds[0]["build"]) if builds else [],
        csrf=_csrf_token(portal, signed[1]), people=people(portal.store),
    )  # fmt: skip


def people(store: Store) -> list[dict[str, Any]]:
    """Every invitation with its state and its sessions (open ones first): what
    `wgreport portal people` prints and the secretariat's page lists."""
    sessions = store.sessions()
    out = []
    for invitation in reversed(store.invitations()):
        own = [s for s in sessions if s.invitation == invitation.id]
        out.append({"invitation": invitation, "state": invitation.state,
                    "open": [s for s in own if not s.ended],
                    "ended": [s for s in own if s.ended]})  # fmt: skip
    return out


async def secretariat_build(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "secretariat")
    if isinstance(signed, Response):
        return signed
    fields = await _form(request, max_fields=2)
    if not _csrf_ok(portal, signed[1], str(fields.get("csrf") or "")):
        return _expired_form(portal, request, "/secretariat")
    _, refusal = await run_in_threadpool(portal.builds.start, signed[0])
    if refusal:
        _refuse(request, "a build is running")
        return await run_in_threadpool(_secretariat_page, portal, signed, refusal)
    return _redirect(portal, "/secretariat")


async def secretariat_revoke(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "secretariat")
    if isinstance(signed, Response):
        return signed
    fields = await _form(request, max_fields=3)
    if not _csrf_ok(portal, signed[1], str(fields.get("csrf") or "")):
        return _expired_form(portal, request, "/secretariat")
    ident = str(fields.get("id") or "")
    if not (ident.isalnum() and len(ident) <= 32):
        _refuse(request, "bad id")
        return await run_in_threadpool(_secretariat_page, portal, signed,
                                       "There is no such invitation or session.", 400)  # fmt: skip
    kind = await run_in_threadpool(portal.store.revoke, ident, signed[0].id)
    if kind is None:
        _refuse(request, "nothing to revoke")
        return await run_in_threadpool(
            _secretariat_page, portal, signed,
            f"{ident} is not an open invitation or session (already revoked or ended?).", 404,
        )  # fmt: skip
    return _redirect(portal, "/secretariat#people")


async def favicon(request: Request) -> Response:
    """No icon (browsers ask for one on every page): an empty answer, not a 404."""
    return Response(status_code=204)


# --- errors ----------------------------------------------------------------------------------

_MESSAGES = {
    400: "The request could not be read.",
    404: "There is no such page.",
    405: "This address does not take that kind of request.",
    413: "The request is too large.",
}


async def http_error(request: Request, exc: Exception) -> Response:
    portal: Portal = request.app.state.portal
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.status_code in (400, 413) else None
    message = detail or _MESSAGES.get(exc.status_code, "The request was refused.")
    _refuse(request, f"{exc.status_code}: {message}"[:200])
    return _page(portal, "error.html.j2", status=exc.status_code, message=message,
                 title="Not possible")  # fmt: skip


async def disk_full(request: Request, exc: Exception) -> Response:
    portal: Portal = request.app.state.portal
    _refuse(request, "disk full")
    message = (
        "The portal's disk is full, so nothing of this request was kept. Tell the "
        "secretariat; your earlier uploads and your accepted contribution are safe."
    )
    return _page(portal, "error.html.j2", status=507, message=message, title="Not saved")


async def server_error(request: Request, exc: Exception) -> Response:
    """The last resort (outside `Guard`): a page with the headers and an audit line."""
    portal: Portal = request.app.state.portal
    response = _page(portal, "error.html.j2", status=500, title="Something went wrong",
                     message="The portal could not finish this request; nothing of it was "
                     "kept. Try again; if it happens again, tell the secretariat.")  # fmt: skip
    for key, value in SECURITY_HEADERS.items():
        response.headers[key] = value
    try:
        who = getattr(request.state, "who", None)
        await run_in_threadpool(
            portal.store.audit, "error", who, client=_client(request), agent=_agent(request),
            status=500, method=request.method, path=request.url.path[:200],
            reason=f"{type(exc).__name__}: {exc}"[:300],
        )  # fmt: skip
    except Exception as problem:
        print(f"wgreport portal: could not write an audit line: {problem}", file=sys.stderr)
    return response


def make_app(portal: Portal) -> Starlette:
    """The application: the routes, with `portal` as its state. Uploads cut short by an
    earlier crash are settled first, and the store's files made private."""
    portal.store.harden()
    portal.store.recover()
    routes = [
        Route("/", home),
        Route("/favicon.ico", favicon),
        Route("/signin/{token}", signin_page, methods=["GET"]),
        Route("/signin/{token}", signin, methods=["POST"]),
        Route("/signout", signout, methods=["POST"]),
        Route("/member", member_page),
        Route("/member/upload", member_upload, methods=["POST"]),
        Route("/review", review_page),
        Route("/review/download/{draft}/{name}", download),
        Route("/review/comment", review_comment, methods=["POST"]),
        Route("/secretariat", secretariat_page),
        Route("/secretariat/build", secretariat_build, methods=["POST"]),
        Route("/secretariat/revoke", secretariat_revoke, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(Guard, portal=portal),
            Middleware(TrustedHostMiddleware, allowed_hosts=portal.hosts(), www_redirect=False),
        ],
        exception_handlers={
            HTTPException: http_error,
            DiskFull: disk_full,
            Exception: server_error,
        },
    )
    app.router.redirect_slashes = False  # its redirects would name the request's Host
    app.state.portal = portal
    app.state.started = time.time()
    return app


def _accepted_file(portal: Portal, code: str) -> Path:
    return portal.inputs_dir / str(portal.year) / "contributions" / f"{code}.yaml"


def _drafts(portal: Portal) -> list[Any]:
    """The drafts as the published review page lists them (newest first; size, pages,
    sha256, and what changed from the draft before), so the two never disagree."""
    from ..pages import review_page

    year_dir = portal.outputs_dir / str(portal.year)
    return review_page(year_dir).drafts if year_dir.is_dir() else []
