"""Signing in and out: the invitation link's page (a button: mail scanners that open
links do not spend them), the sign-in that spends the link and opens a session, at most
`signin_attempts` per client address in a window, and sign-out, which ends the session
on the server."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..locales import N_
from . import language
from .store import (
    Invitation,
)
from .web import (
    COOKIE,
    Portal,
    client_address,
    csrf_ok,
    current_session,
    expired_form,
    forbidden,
    page,
    read_form,
    redirect,
    user_agent,
)


def signin_page(request: Request) -> Response:
    """The link's page: a button that signs in (mail scanners that open links do not
    spend them; only the person who presses the button does)."""
    portal: Portal = request.app.state.portal
    token = request.path_params["token"]
    if not _may_try(portal, request):
        return _too_many_signins(portal, request)
    invitation = portal.store.find(token) if len(token) <= 100 else None
    problem = _link_problem(invitation)
    if problem:
        return forbidden(portal, request, problem)
    return page(portal, "signin.html.j2", token=token, invitation=invitation)


async def signin(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    token = request.path_params["token"]
    if not await run_in_threadpool(_may_try, portal, request):
        return _too_many_signins(portal, request)
    if request.headers.get("sec-fetch-site") == "cross-site":
        # another site's form would sign this browser in as the invitation's holder
        return forbidden(
            portal, request, N_("Open your sign-in link itself, then press its button.")
        )
    earlier = current_session(request)  # a browser signed in before: that session ends
    if earlier is not None:
        await run_in_threadpool(portal.store.end_session, earlier[1].id, "signed in again")
    invitation, session_token, why = await run_in_threadpool(_sign_in, portal, request, token)
    if session_token is None:
        return forbidden(portal, request, _link_problem(invitation, why) or N_("Not valid."))
    asked = language.asked_for(request)
    if invitation is not None and asked is not None:  # their e-mails follow it
        await run_in_threadpool(portal.store.remember_language, invitation, asked)
    response = redirect(portal, "/")
    response.set_cookie(
        COOKIE, session_token, max_age=portal.session_max_seconds, httponly=True,
        samesite="strict", secure=portal.secure_cookies, path="/",
    )  # fmt: skip
    return response


def _sign_in(
    portal: Portal, request: Request, token: str
) -> tuple[Invitation | None, str | None, str]:
    return (
        portal.store.sign_in(
            token, client_address(request), user_agent(request), portal.session_max_seconds
        )
        if len(token) <= 100
        else (None, None, "unknown")
    )


def _may_try(portal: Portal, request: Request) -> bool:
    """Count a sign-in attempt of this client: False past the limit of the window."""
    limits = portal.limits
    client = client_address(request) or "?"
    return portal.store.attempt("signin", client, limits.signin_attempts,
                                limits.signin_window_seconds)  # fmt: skip


def _link_problem(invitation: Invitation | None, why: str = "") -> str | None:
    if invitation is None or why == "unknown":
        return N_("This sign-in link is not valid, or it has expired.")
    if invitation.revoked or why == "revoked":
        return N_("This invitation was withdrawn by the secretariat (a newer invitation "
                  "replaces an older one). Use the newest link you were sent.")  # fmt: skip
    if invitation.expired or why == "expired":
        return N_("This sign-in link is not valid, or it has expired.")
    if invitation.used or why == "used":
        return N_("This sign-in link has been used: a link signs in once. If it was not you "
                  "who used it, tell the secretariat at once.")  # fmt: skip
    return None


def _too_many_signins(portal: Portal, request: Request) -> Response:
    minutes = portal.limits.signin_window_seconds // 60
    response = forbidden(
        portal, request, N_("Too many sign-in attempts from your address: wait %(minutes)s "
        "minutes, then open your link again."), status=429, minutes=minutes,
    )  # fmt: skip
    response.headers["Retry-After"] = str(portal.limits.signin_window_seconds)
    return response


async def signout(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = current_session(request)
    fields = await read_form(request, max_fields=2)
    if signed is not None:
        if not await run_in_threadpool(csrf_ok, portal, signed[1], str(fields.get("csrf") or "")):
            return expired_form(portal, request, "/")
        await run_in_threadpool(portal.store.end_session, signed[1].id, "signed out")
        await run_in_threadpool(
            portal.store.audit, "signout", signed[0], client=client_address(request),
            agent=user_agent(request), session=signed[1].id,
        )  # fmt: skip
    response = page(portal, "signedout.html.j2")
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=portal.secure_cookies)  # fmt: skip
    return response
