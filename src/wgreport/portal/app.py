"""The portal's pages (Starlette): sign-in by invitation link, then each role's page.

- Members see their own country's submissions and validation, and upload a contribution
  (YAML or the workbook of `wgreport template`); every upload is kept as a revision, and a
  valid one is written atomically into inputs/<year>/contributions/<CODE>.yaml.
- Reviewers see the drafts (size, pages, sha256, what changed) and download them, comment
  through a form that writes their review file, and reply to the answers
  (`reviewpages.py`).
- The secretariat sees every member's submission status, the comment-resolution table and
  the people who may sign in, revokes an invitation or a session, and starts a draft build
  (`wgreport build` in its own process: the CLI's Prefect flow). Its other pages
  (`secretariat.py`): people (invite, list, revoke), answering review comments (written
  into the reviewers' files, the earlier answers kept), and the downloads of the members'
  accepted files and of the newest draft's validation report.

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

import hashlib
import sys
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.authentication import requires
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import UploadQuotaExceeded
from ..i18n import gettext as _
from ..inputs.validation import load_working_group
from ..layout import Inputs
from ..locales import N_
from . import finalpages, language, memberpages
from . import preview as previews
from . import reviewpages as reviewers
from . import secretariat as desk
from . import validation as countryval
from . import validation_desk as countrydesk
from .checker import CheckResult, check_upload
from .guard import Guard, disk_full, http_error, server_error
from .mailing import send_receipt
from .memberpages import member_page
from .memberpages import render_member_page as _member_page
from .signin import signin, signin_page, signout
from .store import (
    OPEN_STATES,
    DiskFull,
    Invitation,
    Session,
    Store,
    write_atomic,
)
from .web import (
    COOKIE,
    SECURITY_HEADERS,
    UPLOAD_SUFFIXES,
    Portal,
    SessionBackend,
    client_address,
    csrf_token,
    current_session,
    forbidden,
    page,
    redirect,
    refuse,
    signed_form,
    signed_in,
)

__all__ = ["COOKIE", "SECURITY_HEADERS", "Portal", "make_app", "people"]


def home(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = current_session(request)
    if signed is None:
        return forbidden(portal, request, N_("Sign in with the link of your invitation."))
    target = {"member": "/member", "reviewer": "/review", "secretariat": "/secretariat"}
    return redirect(portal, target[signed[0].role])


@requires("member", status_code=403)
async def member_upload(request: Request) -> Response:
    found = await signed_form(request, "/member", max_fields=4, max_files=1)
    if isinstance(found, Response):
        return found
    portal, signed, fields = found
    invitation = signed[0]
    limits = portal.limits
    upload = fields.get("contribution")
    if not isinstance(upload, tuple) or not upload[0]:
        refuse(request, "no file")
        return _member_page(portal, signed, _("Choose a file to upload."), 400)
    name, body = upload
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        refuse(request, "file type")
        wrong = _("Upload a .yaml file or the .xlsx workbook of the template.")
        return _member_page(portal, signed, wrong, 400)
    if len(body) > limits.upload_bytes:
        refuse(request, "file too large")
        large = _("The file is larger than %(kib)s KiB.") % {"kib": limits.upload_bytes // 1024}
        return _member_page(portal, signed, large, 413)
    code = str(invitation.member)
    client = client_address(request)
    quota = (limits.uploads_per_hour, limits.upload_bytes_per_hour)
    try:
        number, path = await run_in_threadpool(
            portal.store.add_revision, portal.year, code, body, suffix, invitation, client, quota
        )
    except UploadQuotaExceeded as over:
        refuse(request, "upload quota")
        text = _("Your country has sent %(count)s uploads (%(kib)s KiB) in the last hour; "
                 "the portal takes at most %(most)s uploads or %(mib)s MiB an hour from one "
                 "member. Try again later; nothing of this upload was kept.") % {
            "count": over.count, "kib": over.sent // 1024, "most": limits.uploads_per_hour,
            "mib": limits.upload_bytes_per_hour // (1024 * 1024),
        }  # fmt: skip
        response = _member_page(portal, signed, text, 429)
        response.headers["Retry-After"] = "3600"
        return response
    try:
        async with portal.checks:
            checked = await anyio.to_thread.run_sync(
                check_upload, portal.inputs_dir, portal.year, code, path, limits
            )
        await run_in_threadpool(_settle, portal, invitation, code, number, checked, body, client)
    except BaseException:
        # the record must not stay "received" or "accepting" while the portal runs: it
        # says what became of the member's file, as after a crash (Store.settle)
        await run_in_threadpool(_settle_after_error, portal, code, number)
        raise
    await run_in_threadpool(previews.after_upload, portal, code, number)  # in the background
    # the receipt, once the upload is settled: an e-mail that fails never fails the upload
    await run_in_threadpool(send_receipt, portal, invitation, code, number, name, client)
    return redirect(portal, "/member")


def _settle_after_error(portal: Portal, code: str, number: int) -> None:
    record = portal.store.revision(portal.year, code, number)
    if record is not None and record["status"] in OPEN_STATES:
        try:
            portal.store.settle(record, "failed")
        except Exception as exc:  # the disk may still be full: the next start settles it
            print(f"wgreport portal: revision {number} of {code} not settled: {exc}",
                  file=sys.stderr)  # fmt: skip


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
        newer = [r["revision"] for r in store.revisions(year, code)
                 if r["status"] == "accepted" and r["revision"] > number]  # fmt: skip
        if newer:  # a later upload was checked sooner and is the member's file already
            store.set_revision(year, code, number, status="superseded",
                               message=f"Valid, but revision {newer[-1]}, sent after it, "
                               "was accepted first and is your contribution.",
                               audit={**audit, "action": "upload", "accepted": False,
                                      "status": "superseded"})  # fmt: skip
            return
        previous = hashlib.sha256(target.read_bytes()).hexdigest() if target.is_file() else None
        digest = hashlib.sha256(accepted).hexdigest()
        store.set_revision(year, code, number, status="accepting", target=str(target),
                           target_sha256=digest, previous_sha256=previous)  # fmt: skip
        write_atomic(target, accepted, mode=0o644)  # an error: member_upload settles it
        store.set_revision(year, code, number, status="accepted", message=None,
                           audit={**audit, "action": "upload", "accepted": True,
                                  "status": "accepted", "sha256": digest})  # fmt: skip


@requires("secretariat", status_code=403)
def secretariat_page(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = signed_in(request)
    return _secretariat_page(portal, signed)


def _secretariat_page(
    portal: Portal, signed: tuple[Invitation, Session], refusal: str | None = None,
    status: int = 200,
) -> Response:  # fmt: skip
    from ..inputs.comments import edition_reviews
    from ..review.status import submission_status

    report = submission_status(portal.inputs_dir, portal.year)
    wg, _issues = load_working_group(Inputs(portal.inputs_dir).working_group)
    edition_dir = Inputs(portal.inputs_dir).edition(portal.year).folder
    reviews = edition_reviews(edition_dir, wg, portal.year,
                              portal.outputs_dir, portal.inputs_dir.parent)  # fmt: skip
    builds = portal.builds.records()
    return page(
        portal, "secretariat.html.j2", status=409 if refusal and status == 200 else status,
        who=signed[0], report=report, comments=reviews.rows, builds=builds, refusal=refusal,
        running=any(b["status"] == "running" for b in builds),
        log=portal.builds.log_tail(builds[0]["build"]) if builds else [],
        csrf=csrf_token(portal, signed[1]), people=people(portal.store),
        downloads=desk.downloads(portal), edition=finalpages.edition_section(portal),
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


@requires("secretariat", status_code=403)
async def secretariat_build(request: Request) -> Response:
    found = await signed_form(request, "/secretariat", max_fields=2)
    if isinstance(found, Response):
        return found
    portal, signed, _fields = found
    _build, refusal = await run_in_threadpool(portal.builds.start, signed[0])
    if refusal:
        refuse(request, "a build is running")
        return await run_in_threadpool(_secretariat_page, portal, signed, refusal)
    return redirect(portal, "/secretariat")


@requires("secretariat", status_code=403)
async def secretariat_revoke(request: Request) -> Response:
    found = await signed_form(request, "/secretariat", max_fields=3)
    if isinstance(found, Response):
        return found
    portal, signed, fields = found
    ident = str(fields.get("id") or "")
    if not (ident.isalnum() and len(ident) <= 32):
        refuse(request, "bad id")
        return await run_in_threadpool(_secretariat_page, portal, signed,
                                       "There is no such invitation or session.", 400)  # fmt: skip
    kind = await run_in_threadpool(portal.store.revoke, ident, signed[0].id)
    if kind is None:
        refuse(request, "nothing to revoke")
        return await run_in_threadpool(
            _secretariat_page, portal, signed,
            f"{ident} is not an open invitation or session (already revoked or ended?).", 404,
        )  # fmt: skip
    return redirect(portal, "/secretariat#people")


async def favicon(request: Request) -> Response:
    """No icon (browsers ask for one on every page): an empty answer, not a 404."""
    return Response(status_code=204)


def make_app(portal: Portal) -> Starlette:
    """The application: the routes, with `portal` as its state. Uploads cut short by an
    earlier crash are settled first, and the store's files made private."""
    portal.store.harden()
    portal.store.recover()
    routes = [
        Route("/", home),
        Route("/favicon.ico", favicon),
        Route(language.SWITCH, language.switch, methods=["GET"]),
        Route("/signin/{token}", signin_page, methods=["GET"]),
        Route("/signin/{token}", signin, methods=["POST"]),
        Route("/signout", signout, methods=["POST"]),
        Route("/member", member_page),
        Route("/member/upload", member_upload, methods=["POST"]),
        Route("/member/images", memberpages.member_image, methods=["POST"]),
        *[
            Route(f"/member/{kind}.{suffix}", memberpages.member_download)
            for kind in memberpages.DOWNLOAD_KINDS
            for suffix in ("yaml", "xlsx")
        ],
        Route("/guide/members", memberpages.guide_page),
        Route("/member/preview", previews.preview_page),
        Route("/member/preview/chapter.pdf", previews.preview_pdf),
        Route("/member/preview/page/{page}.png", previews.preview_image),
        Route("/member/preview/again", previews.preview_again, methods=["POST"]),
        Route("/review", reviewers.review_page),
        Route("/review/download/{draft}/{name}", reviewers.download),
        Route("/review/download/{draft}/data/{name}", reviewers.download_data),
        Route("/review/comment", reviewers.review_comment, methods=["POST"]),
        Route("/review/reply", reviewers.review_reply, methods=["POST"]),
        Route("/secretariat", secretariat_page),
        Route("/secretariat/build", secretariat_build, methods=["POST"]),
        Route("/secretariat/revoke", secretariat_revoke, methods=["POST"]),
        Route("/secretariat/people", desk.people_page),
        Route("/secretariat/people/invite", desk.people_invite, methods=["POST"]),
        Route("/secretariat/people/revoke", desk.people_revoke, methods=["POST"]),
        Route("/secretariat/comments", desk.comments_page),
        Route("/secretariat/comments/answer", desk.comment_answer, methods=["POST"]),
        Route("/secretariat/comments/reply", desk.comment_reply, methods=["POST"]),
        Route("/secretariat/download/contributions.zip", desk.download_contributions),
        Route("/secretariat/download/validation.json", desk.download_validation),
        Route("/secretariat/final", finalpages.final_page),
        Route("/secretariat/final/start", finalpages.final_start, methods=["POST"]),
        Route("/secretariat/final/report.pdf", finalpages.final_download),
        Route("/secretariat/validation", countrydesk.secretariat_page),
        Route("/secretariat/validation/open", countrydesk.secretariat_open, methods=["POST"]),
        Route("/secretariat/validation/remind", countrydesk.secretariat_remind, methods=["POST"]),
        Route("/member/validation", countryval.member_page),
        Route("/member/validation/chapter.pdf", countryval.member_chapter_pdf),
        Route("/member/validation/page/{page}.png", countryval.member_page_image),
        Route("/member/validation/confirm", countryval.member_confirm, methods=["POST"]),
        Route("/member/validation/corrections", countryval.member_corrections, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(language.Languages),
            Middleware(Guard, portal=portal),
            Middleware(AuthenticationMiddleware, backend=SessionBackend(portal)),
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
    return app


def _accepted_file(portal: Portal, code: str) -> Path:
    return Inputs(portal.inputs_dir).edition(portal.year).contribution(code)
