"""What every page of the portal shares: the `Portal` it serves, its pages (Jinja2,
autoescaped), refusals and redirects, the client's address, the forms, the session and its
single-use form tokens. A sign-in opens a server-side session (the cookie holds a random
token: HttpOnly, SameSite=Strict, Secure behind HTTPS); every form carries a token bound
to the session and good once, across restarts."""

from __future__ import annotations

import functools
import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import i18n
from ..issuewords import code_meaning
from ..layout import REPORT_HTML, REPORT_PDF
from . import language
from .builds import Builds
from .limits import DEFAULT_LIMITS, PortalLimits
from .store import (
    SESSION_IDLE_SECONDS,
    SESSION_MAX_SECONDS,
    Invitation,
    Session,
    Store,
)

PAGES = Path(__file__).parent / "templates"
COOKIE = "wgreport_session"
CSRF_SECONDS = 2 * 3600
UPLOAD_SUFFIXES = (".yaml", ".yml", ".xlsx")
DOWNLOADS = (REPORT_PDF, REPORT_HTML)
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


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def user_agent(request: Request) -> str | None:
    return request.headers.get("user-agent")


@functools.cache
def pages() -> Any:
    """The one template environment of the portal's pages (autoescaped, strict)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PAGES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    # the request's language (portal.language sets it per request): one environment,
    # every message looked up in the current language when the page is rendered
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    environment.filters["or_list"] = or_list
    environment.filters["css_string"] = css_string
    environment.filters["word"] = word
    environment.filters["upload_message"] = _upload_message
    environment.filters["code_meaning"] = code_meaning
    environment.filters["issue_message"] = _issue_message
    environment.filters["issue_hint"] = _issue_hint
    return environment


def _issue_message(issue: Any) -> str | None:
    """A validation issue's message worded in the current language (`wgreport.issuewords`),
    or None when it stays the validator's English."""
    from ..issuewords import issue_message

    return issue_message(str(issue.get("code", "")), str(issue.get("message") or ""))


def _issue_hint(hint: Any) -> str | None:
    """A validation issue's hint worded in the current language, or None."""
    from ..issuewords import issue_hint

    return issue_hint(str(hint)) if hint else None


def or_list(items: Any) -> str:
    """Words joined as alternatives in the current language, by Babel's locale data
    (English "a or b", Korean "a 또는 b"); each word translated (they are `N_` words)."""
    from babel.lists import format_list

    words = [i18n.gettext(str(item)) for item in items]
    return format_list(words, style="or", locale=i18n.current_language()) if words else ""


def word(value: Any) -> str:
    """A word the page shows from a record (a comment's kind or status, a state) in the
    current language when it is one of the words the catalogue has (`language.SHOWN_WORDS`),
    else as written (a value a file has that no list names)."""
    text = "" if value is None else str(value)
    return i18n.gettext(text) if text in language.KNOWN_WORDS else text


def _upload_message(kept: str) -> Any:
    """An upload's kept message in the current language (`portal.uploadwords`), marked
    `lang="en"` when it stayed English on a page in another language."""
    from markupsafe import Markup, escape

    from .uploadwords import upload_message

    words = upload_message(str(kept))
    return Markup(f'<span lang="en">{escape(words.text)}</span>') if words.english else words.text


def css_string(text: str) -> Any:
    """`text` as the inside of a CSS string in a page's <style> (a translated word of
    `content:`): every character but letters, digits, spaces and ':' as a CSS escape, so
    no quote or `</style>` can end it."""
    from markupsafe import Markup

    safe = "".join(c if c.isalnum() or c in " :" else f"\\{ord(c):x} " for c in str(text))
    return Markup(safe)


def page(portal: Portal, name: str, status: int = 200, **values: Any) -> Response:
    """A page in the request's language, with the language switch."""
    html = (
        pages()
        .get_template(name)
        .render(
            year=portal.year,
            lang=i18n.current_language(),
            languages=language.switch_links(),
            **values,
        )
    )
    return HTMLResponse(
        html, status_code=status, headers={"content-language": i18n.current_language()}
    )


def refuse(request: Request, reason: str) -> None:
    """Name why this request is refused, for the audit line `Guard` writes."""
    request.state.refusal = reason


def forbidden(
    portal: Portal, request: Request, reason: str, status: int = 403, **values: Any
) -> Response:
    """The page refusing a request, saying why: `reason` (a message of the catalogue,
    marked `N_`, with its `%(name)s` values) in the request's language, in English in
    the audit line."""
    refuse(request, reason % values if values else reason)
    shown = i18n.gettext(reason)
    return page(portal, "forbidden.html.j2", status=status,
                reason=shown % values if values else shown)  # fmt: skip


def redirect(portal: Portal, path: str) -> Response:
    return RedirectResponse(portal.url(path), status_code=303)


# --- sessions and CSRF -----------------------------------------------------------------------


#: What each role may open besides its own pages: reviewers and the secretariat see the
#: drafts (`requires("drafts")`).
SCOPES = {"reviewer": ("drafts",), "secretariat": ("drafts",)}


class PortalUser(BaseUser):
    """Who a request's session signed in: their invitation and the session."""

    def __init__(self, invitation: Invitation, session: Session) -> None:
        self.invitation = invitation
        self.session = session

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.invitation.email

    @property
    def identity(self) -> str:
        return self.invitation.id


class SessionBackend(AuthenticationBackend):
    """Starlette's authentication, from the portal's server-side sessions: the cookie's
    session, open and not idle, gives the user and its role as the credentials' scope
    (so that `requires(role)` guards each page)."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        raw = conn.cookies.get(COOKIE)
        if not raw or len(raw) > 200:
            return None
        portal = self.portal
        found = await run_in_threadpool(portal.store.session, raw, portal.session_idle_seconds)
        if found[0] is None:
            return None
        invitation, session = found
        assert isinstance(session, Session)
        if invitation.expired:
            return None
        conn.scope.setdefault("state", {})["who"] = invitation  # for the audit line
        scopes = [invitation.role, *SCOPES.get(invitation.role, ())]
        return AuthCredentials(scopes), PortalUser(invitation, session)


def current_session(request: Request) -> tuple[Invitation, Session] | None:
    """The signed-in invitation and session of the request, or None."""
    user = request.user
    if isinstance(user, PortalUser):
        return user.invitation, user.session
    return None


def signed_in(request: Request) -> tuple[Invitation, Session]:
    """The invitation and session of a request that `requires` let through."""
    found = current_session(request)
    assert found is not None, "an endpoint without requires(...) asked for its session"
    return found


def csrf_token(portal: Portal, session: Session) -> str:
    return portal.signer("csrf").dumps({"s": session.id, "n": secrets.token_hex(8)})


def csrf_ok(portal: Portal, session: Session, token: str | None) -> bool:
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


def expired_form(portal: Portal, request: Request, back: str) -> Response:
    refuse(request, "csrf")
    return page(portal, "expired.html.j2", status=403, back=back)


#: A form field's largest size as sent, unless a form says otherwise (`field_bytes`).
FIELD_BYTES = 64 * 1024


async def read_form(
    request: Request,
    max_fields: int,
    max_files: int = 0,
    file_bytes: int | None = None,
    field_bytes: int = FIELD_BYTES,
) -> dict[str, Any]:
    """The form's fields (text, each up to `field_bytes` as sent: URL-encoded, a text of
    20,000 characters in any script is up to 180,000 bytes; a file as its name and at
    most `file_bytes` + 1 of its bytes, by default the upload limit's), or a 400 page's
    HTTPException on a malformed form."""
    most = request.app.state.portal.limits.upload_bytes if file_bytes is None else file_bytes
    try:
        async with request.form(max_files=max_files, max_fields=max_fields,
                                max_part_size=field_bytes) as form:  # fmt: skip
            out: dict[str, Any] = {}
            for key, value in form.multi_items():
                if isinstance(value, str):
                    out[key] = value
                else:
                    out[key] = (value.filename or "", await value.read(most + 1))
            return out
    except HTTPException:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"The form could not be read: {exc}") from exc


async def signed_form(
    request: Request,
    back: str,
    max_fields: int,
    *,
    max_files: int = 0,
    file_bytes: int | None = None,
    field_bytes: int = FIELD_BYTES,
) -> tuple[Portal, tuple[Invitation, Session], dict[str, Any]] | Response:
    """The signed-in person and their form (`read_form`) with a good token; or the page of
    an expired or replayed form, which leads back to `back`. Every page's POST starts so."""
    portal: Portal = request.app.state.portal
    signed = signed_in(request)
    fields = await read_form(request, max_fields, max_files, file_bytes, field_bytes)
    if not await run_in_threadpool(csrf_ok, portal, signed[1], str(fields.get("csrf") or "")):
        return expired_form(portal, request, back)
    return portal, signed, fields
