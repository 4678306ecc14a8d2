"""The language of the portal's pages, chosen per request (issue 42).

The pages are written in English and marked for translation (`{% trans %}`, `_()`); they
come out of the same gettext catalogues as the report (`wgreport.i18n`, `locale/`). Each
request is answered in one language, chosen in this order:

1. the person's own choice: the language switch on every page (`/language?lang=ko`)
   keeps it in a cookie (`wgreport_lang`, a year), which wins over everything else;
2. the browser's `Accept-Language`, its q-values honoured (`ko-KR,ko;q=0.9,en;q=0.8` is
   Korean), negotiated by Babel against the languages shipped;
3. English.

`Languages`, an ASGI middleware, sets the language of the request (the contextvar of
`wgreport.i18n.language`, which the pages' `_()` and the Python's `gettext` read) for
everything the request runs, its threads included, and the page's own address for the
switch's links. `<html lang>` follows. The validator's messages stay English (they are
the same words `wgreport validate` prints); the pages around them are translated.
"""

from __future__ import annotations

import contextvars
import functools
import re
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import i18n
from ..locales import N_
from .store import Invitation

#: The cookie that keeps the language a person chose with the switch.
COOKIE = "wgreport_lang"
COOKIE_SECONDS = 365 * 24 * 3600
#: The switch's address: `/language?lang=ko&next=/member`.
SWITCH = "/language"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_HERE: contextvars.ContextVar[str] = contextvars.ContextVar("wgreport_portal_here", default="/")
_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$|^\*$")
_Q = re.compile(r"^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$")


@functools.cache
def available() -> tuple[str, ...]:
    """The languages the portal's pages can be shown in: those of the catalogues."""
    return tuple(i18n.shipped_languages())


def accepted(header: str | None) -> list[str]:
    """The languages of an `Accept-Language` header, the most wanted first: by q-value
    (1 when absent), ties in the header's order; q=0 (not wanted), malformed entries and
    the wildcard left out."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "")[:500].split(",")):
        fields = [f.strip() for f in part.split(";")]
        tag, params = fields[0], fields[1:]
        if not tag or not _TAG.match(tag) or tag == "*":
            continue
        weight = 1.0
        for param in params:
            found = _Q.match(param.replace(" ", ""))
            if param.lower().startswith("q=") and not found:
                weight = -1.0  # a malformed q-value: the entry is not counted
            elif found:
                weight = float(found.group(1))
        if weight > 0:
            ranked.append((-weight, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(header: str | None) -> str | None:
    """The shipped language the browser prefers (`ko-KR` is `ko`), or None."""
    wanted = accepted(header)
    if not wanted:
        return None
    from babel import Locale

    found = Locale.negotiate(wanted, list(available()), sep="-")
    return str(found) if found is not None else None


def choose(cookie: str | None, accept_language: str | None) -> str:
    """A request's language: the switch's cookie, then the browser's, then English."""
    if cookie in available():
        return cookie
    return negotiate(accept_language) or i18n.SOURCE_LANGUAGE


def asked_for(request: Request) -> str | None:
    """The language the request itself asks for (the switch's cookie, or the browser's),
    or None when it asks for none (English is then the portal's default, not a choice)."""
    cookie = request.cookies.get(COOKIE)
    if cookie in available():
        return cookie
    return negotiate(request.headers.get("accept-language"))


def of_request(request: Request) -> str:
    return choose(request.cookies.get(COOKIE), request.headers.get("accept-language"))


def here() -> str:
    """The address of the page being answered (for the switch to come back to it)."""
    return _HERE.get()


@functools.cache
def _autonym(lang: str) -> str:
    return i18n.autonym(lang)


def switch_links() -> list[dict[str, Any]]:
    """The language switch of every page: each language by its own name, the page's
    own marked current, each link leading back to this page in that language."""
    back = quote(here(), safe="/")
    current = i18n.current_language()
    return [
        {
            "lang": lang,
            "name": _autonym(lang),
            "href": f"{SWITCH}?lang={lang}&next={back}",
            "current": lang == current,
        }
        for lang in available()
    ]


def _cookie_of(scope: Scope) -> str | None:
    raw = dict(scope.get("headers", [])).get(b"cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw.decode("latin-1"))
    except Exception:  # a malformed cookie header: no choice made
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else None


class Languages:
    """The middleware that answers each request in its language (see the module)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        accept = headers.get(b"accept-language", b"").decode("latin-1")
        lang = choose(_cookie_of(scope), accept)
        path = scope.get("path", "/")
        query = scope.get("query_string", b"").decode("latin-1")
        # a POST's answer leads back to the page it came from by a GET of the role's home
        page = (path + (f"?{query}" if query else "")) if scope.get("method") == "GET" else "/"
        token = _HERE.set(page if _local(page) else "/")
        try:
            with i18n.language(lang):
                await self.app(scope, receive, send)
        finally:
            _HERE.reset(token)


def _local(target: str) -> bool:
    """A path of this portal (never another site: no scheme, no host, no `//`)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and len(target) <= 1000


async def switch(request: Request) -> Response:
    """`/language?lang=ko&next=/member`: keep the choice in the cookie and go back to the
    page (only a path of this portal; any other `next` leads to the home page)."""
    portal = request.app.state.portal  # a web.Portal (web imports this module)
    lang = request.query_params.get("lang", "")
    target = request.query_params.get("next", "/")
    if not _local(target) or target.startswith(SWITCH):
        target = "/"
    response = RedirectResponse(portal.url(target), status_code=303)
    if lang in available():
        # the signed-in person's (web.PortalUser, set by the authentication middleware):
        # the e-mails to them follow the language they chose
        invitation = getattr(request.scope.get("user"), "invitation", None)
        if isinstance(invitation, Invitation):
            await run_in_threadpool(portal.store.remember_language, invitation, lang)
        response.set_cookie(
            COOKIE,
            lang,
            max_age=COOKIE_SECONDS,
            path="/",
            httponly=True,
            samesite="lax",
            secure=portal.secure_cookies,
        )
    return response


#: Words the pages show from the portal's records, translated where they are shown: the
#: roles, an issue's severity, an upload's, a build's, an invitation's and a person's states.
SHOWN_WORDS = (
    N_("member"),
    N_("reviewer"),
    N_("secretariat"),
    N_("error"),
    N_("warning"),
    N_("received"),
    N_("checked"),
    N_("accepting"),
    N_("accepted"),
    N_("not valid"),
    N_("refused"),
    N_("superseded"),
    N_("interrupted"),
    # a build's states, an invitation's and a person's (the secretariat's pages)
    N_("running"),
    N_("succeeded"),
    N_("failed"),
    N_("revoked"),
    N_("expired"),
    N_("used"),
    N_("not used yet"),
    N_("active"),
    N_("spent"),
    # a member's state in a country-validation round
    N_("not requested"),
    N_("requested"),
    N_("confirmed"),
    N_("corrections"),
    N_("changed since confirmed"),
    # a review comment's kinds and statuses (inputs.models.COMMENT_KINDS, COMMENT_STATUSES)
    N_("editorial"),
    N_("substantive"),
    N_("factual"),
    N_("open"),
    N_("rejected"),
    N_("deferred"),
)
#: The same, as a set: what a page's `word` filter translates (any other value as written).
KNOWN_WORDS = frozenset(SHOWN_WORDS)
