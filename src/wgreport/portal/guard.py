"""`Guard`, the portal's ASGI middleware, and its error pages: the security headers on
every response, errors included; a body past its limit refused while it is read; every
refusal and every 500 written to the audit log with the client's address and user agent
(at a bounded rate per client)."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .. import i18n
from ..i18n import gettext as _
from ..locales import N_
from . import language
from .store import (
    Invitation,
)
from .web import SECURITY_HEADERS, Portal, client_address, forbidden, page, refuse, user_agent

# --- the guard: headers, body limits and the audit of refusals -------------------------------


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large(limit))


def too_large(limit: int) -> str:
    return _("The request is larger than %(kib)s KiB.") % {"kib": limit // 1024}


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
        by_path = {
            "/member/upload": limits.body_bytes,
            "/member/images": limits.image_body_bytes,
            "/review/comment": limits.comment_bytes,
            "/review/reply": limits.comment_bytes,
            "/secretariat/comments/answer": limits.comment_bytes,
            "/secretariat/comments/reply": limits.comment_bytes,
            "/member/validation/corrections": limits.comment_bytes,
        }
        limit = by_path.get(scope["path"], limits.form_bytes)
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
            response = page(self.portal, "error.html.j2", status=413, message=too_large(limit))
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

        # an exception that escapes is a 500: `server_error` answers and audits it
        await self.app(scope, limited_receive, guarded_send)
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


# --- errors ----------------------------------------------------------------------------------


_MESSAGES = {
    400: N_("The request could not be read."),
    404: N_("There is no such page."),
    405: N_("This address does not take that kind of request."),
    413: N_("The request is too large."),
}


async def http_error(request: Request, exc: Exception) -> Response:
    portal: Portal = request.app.state.portal
    assert isinstance(exc, HTTPException)
    if exc.status_code == 403:  # `requires(...)`: not signed in, or not this role's page
        signed = "user" in request.scope and request.user.is_authenticated
        reason = (N_("This page is not open to your role.") if signed
                  else N_("Sign in with the link of your invitation."))  # fmt: skip
        return forbidden(portal, request, reason)
    detail = exc.detail if exc.status_code in (400, 413) else None
    english = detail or _MESSAGES.get(exc.status_code, N_("The request was refused."))
    refuse(request, f"{exc.status_code}: {english}"[:200])  # the audit line in English
    message = detail or _(english)
    return page(portal, "error.html.j2", status=exc.status_code, message=message,
                 title=_("Not possible"))  # fmt: skip


async def disk_full(request: Request, exc: Exception) -> Response:
    portal: Portal = request.app.state.portal
    refuse(request, "disk full")
    message = _(
        "The portal's disk is full, so nothing of this request was kept. Tell the "
        "secretariat; your earlier uploads and your accepted contribution are safe."
    )
    return page(portal, "error.html.j2", status=507, message=message, title=_("Not saved"))


async def server_error(request: Request, exc: Exception) -> Response:
    """The last resort (outside `Guard`): a page with the headers and an audit line."""
    portal: Portal = request.app.state.portal
    with i18n.language(language.of_request(request)):  # outside the `Languages` middleware
        message = _(
            "The portal could not finish this request; nothing of it was kept. Try again; if "
            "it happens again, tell the secretariat."
        )
        title = _("Something went wrong")
        response = page(portal, "error.html.j2", status=500, title=title, message=message)
    for key, value in SECURITY_HEADERS.items():
        response.headers[key] = value
    try:
        who = getattr(request.state, "who", None)
        await run_in_threadpool(
            portal.store.audit, "error", who, client=client_address(request),
            agent=user_agent(request), status=500, method=request.method,
            path=request.url.path[:200], reason=f"{type(exc).__name__}: {exc}"[:300],
        )  # fmt: skip
    except Exception as problem:
        print(f"wgreport portal: could not write an audit line: {problem}", file=sys.stderr)
    return response
