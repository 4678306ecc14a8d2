"""Country validation in the portal (issue 37): the secretariat opens a round on a draft and
follows it; each member sees the pages of its own chapter of that draft and confirms them
or returns corrections. The record is `review.confirmations`' (the same as `wgreport
validation open/status/confirm/corrections`); this module is its pages.

- `/secretariat/validation`: in `validation_desk.py`.
- `/member/validation`: the member's chapter of the round's draft, as a PDF of its pages
  (`chapter.pdf`, cut from the draft's report.pdf at the chapter's bookmarks) and as page
  images (pdftoppm, when installed); the confirmation and the corrections forms.

No URL names a member: the chapter, its pages and the state shown are the signed-in
member's own, from its invitation, so no address leads to another country's pages.
An e-mail that cannot go out never fails the page: the page says it was kept in the outbox.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from starlette.authentication import requires
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..errors import WgreportError
from ..i18n import gettext as _
from ..inputs.validation import load_working_group
from ..layout import Inputs, Outputs, draft_name
from ..locales import N_
from ..review import confirmations
from ..review.deadline import local_time
from ..review.messages import long_date
from .chapters import Chapter, chapter_pdf, find_chapter, page_images, page_png
from .store import Invitation, Session
from .web import (
    Portal,
    client_address,
    csrf_token,
    forbidden,
    page,
    redirect,
    refuse,
    signed_form,
    signed_in,
)

#: A correction's text at its longest (a review comment's, docs/limits.md).
CORRECTION_CHARS = 20_000


@dataclass(frozen=True)
class MemberView:
    """What a member is shown of the open round: its own state, never another's."""

    state: confirmations.MemberConfirmation | None  # None: the record cannot be read
    current: confirmations.Round | None
    problem: str | None = None

    @property
    def asked(self) -> bool:
        return (
            self.current is not None
            and self.state is not None
            and self.state.state != "not requested"
        )


def member_view(portal: Portal, code: str) -> MemberView:
    try:
        record = confirmations.load_record(portal.inputs_dir, portal.year)
        states = confirmations.member_states(portal.inputs_dir, portal.year)
    except WgreportError:
        problem = _(
            "The country-validation record cannot be read just now; the secretariat "
            "has been told by its own page. Try again later."
        )
        return MemberView(None, None, problem)
    return MemberView(states.get(code), record.current)


def validation_notice(
    portal: Portal, code: str, zone: dt.tzinfo | None = None
) -> dict[str, Any] | None:
    """What the member's page says of the open round (None: nothing to say): the state of
    the member's own chapter and the words for it (times in `zone`, by default UTC)."""
    view = member_view(portal, code)
    if not view.asked or view.state is None or view.current is None:
        return None
    return {"state": view.state.state, "text": _state_words(view.state, view.current, zone)}


def shown_time(at: str | None, zone: dt.tzinfo | None = None) -> str:
    if zone is not None:
        return local_time(at, zone)
    return (at or "").replace("T", " ").removesuffix("Z") + (" UTC" if at else "")


def _state_words(
    state: confirmations.MemberConfirmation,
    current: confirmations.Round,
    zone: dt.tzinfo | None = None,
) -> str:
    draft = draft_name(current.draft)
    due = long_date(current.due) if current.due else None
    at = shown_time(state.at, zone)
    match state.state:
        case "requested" if due:
            return _(
                "The secretariat asks you to check your chapter in draft %(draft)s, by "
                "%(due)s: confirm it, or return corrections."
            ) % {"draft": draft, "due": due}
        case "requested":
            return _(
                "The secretariat asks you to check your chapter in draft %(draft)s: "
                "confirm it, or return corrections."
            ) % {"draft": draft}
        case "confirmed":
            return _("You confirmed your chapter in draft %(draft)s on %(at)s (%(by)s).") % {
                "draft": draft, "at": at, "by": state.by,
            }  # fmt: skip
        case "changed since confirmed" if due:
            return _(
                "Changed since you confirmed: your contribution changed after you confirmed "
                "your chapter in draft %(draft)s on %(at)s. Confirm again, by %(due)s."
            ) % {"draft": draft, "at": at, "due": due}
        case "changed since confirmed":
            return _(
                "Changed since you confirmed: your contribution changed after you confirmed "
                "your chapter in draft %(draft)s on %(at)s. Confirm again."
            ) % {"draft": draft, "at": at}
        case "corrections":
            return _(
                "You returned corrections to your chapter in draft %(draft)s on %(at)s "
                "(comment %(comment)s); the secretariat answers them, and asks you again on "
                "a newer draft."
            ) % {"draft": draft, "at": at, "comment": state.comment}
    return _("Your chapter is not part of the open round.")


def _member_name(portal: Portal, code: str) -> str:
    wg, _issues = load_working_group(Inputs(portal.inputs_dir).working_group)
    member = wg.member(code) if wg is not None else None
    return member.name if member is not None else code


def member_chapter(
    portal: Portal, code: str, current: confirmations.Round | None
) -> Chapter | None:
    if current is None:
        return None
    draft = Outputs(portal.outputs_dir).year(portal.year).draft(current.draft)
    return find_chapter(draft, current.draft, code, _member_name(portal, code))


# --- the member's pages -------------------------------------------------------------------


def _member_page(
    portal: Portal,
    signed: tuple[Invitation, Session],
    *,
    typed: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    refusal: str | None = None,
    status: int = 200,
) -> Response:
    who, session = signed
    code = str(who.member)
    view = member_view(portal, code)
    chapter = member_chapter(portal, code, view.current) if view.asked else None
    left_out = False
    if view.asked and chapter is None and view.current is not None:
        left_out = code in _left_out(portal, view.current.draft)
    return page(
        portal,
        "member-validation.html.j2",
        status=status,
        who=who,
        code=code,
        csrf=csrf_token(portal, session),
        view=view,
        chapter=chapter,
        left_out=left_out,
        words=_state_words(view.state, view.current)
        if view.asked and view.state and view.current
        else None,
        images=page_images() and chapter is not None,
        typed=typed or {},
        problems=problems or {},
        refusal=refusal or view.problem,
        draft=draft_name(view.current.draft) if view.current else None,
        max_chars=CORRECTION_CHARS,
    )


def _left_out(portal: Portal, draft: int) -> list[str]:
    manifest = Outputs(portal.outputs_dir).year(portal.year).draft(draft).manifest
    try:
        found = json.loads(manifest.read_text(encoding="utf-8")).get("members_left_out") or []
    except (OSError, ValueError, AttributeError):
        return []
    return [str(x.get("code") if isinstance(x, dict) else x) for x in found]


@requires("member", status_code=403)
def member_page(request: Request) -> Response:
    return _member_page(request.app.state.portal, signed_in(request))


def _own_chapter(request: Request) -> tuple[Portal, Invitation, Chapter] | Response:
    portal: Portal = request.app.state.portal
    who = signed_in(request)[0]
    view = member_view(portal, str(who.member))
    chapter = member_chapter(portal, str(who.member), view.current) if view.asked else None
    if chapter is None:
        return forbidden(
            portal,
            request,
            "There are no pages of your chapter to show: no "
            "country-validation round asks you, or its draft does not hold your "
            "chapter.",
            status=404,
        )
    return portal, who, chapter


@requires("member", status_code=403)
async def member_chapter_pdf(request: Request) -> Response:
    found = await run_in_threadpool(_own_chapter, request)
    if isinstance(found, Response):
        return found
    portal, who, chapter = found
    data = await run_in_threadpool(chapter_pdf, chapter)
    await run_in_threadpool(
        portal.store.audit,
        "download",
        who,
        client=client_address(request),
        draft=draft_name(chapter.draft),
        file="chapter.pdf",
        pages=chapter.span,
    )
    name = f"{portal.year}-draft-{draft_name(chapter.draft)}-{chapter.code}-chapter.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@requires("member", status_code=403)
async def member_page_image(request: Request) -> Response:
    raw = str(request.path_params.get("page", ""))
    found = await run_in_threadpool(_own_chapter, request)
    if isinstance(found, Response):
        return found
    portal, _signed, chapter = found
    number = int(raw) if raw.isdigit() and len(raw) <= 5 else 0
    image = await run_in_threadpool(page_png, chapter, number) if number else None
    if image is None:
        return forbidden(
            portal,
            request,
            N_("There is no image of that page: your chapter is %(span)s of draft %(draft)s."),
            status=404,
            span=chapter.shown_span,
            draft=draft_name(chapter.draft),
        )
    return Response(image, media_type="image/png")


@requires("member", status_code=403)
async def member_confirm(request: Request) -> Response:
    found = await signed_form(request, "/member/validation", max_fields=2)
    if isinstance(found, Response):
        return found
    portal, signed, _fields = found
    who = signed[0]
    code = str(who.member)

    def confirm() -> Response:
        try:
            done = confirmations.confirm(portal.inputs_dir, portal.year, code, who.email)
        except WgreportError as exc:
            refuse(request, "confirmation refused")
            return _member_page(
                portal, signed, refusal=_("Not confirmed: %(error)s.") % {"error": exc}, status=409
            )
        portal.store.audit(
            "validation-confirmed",
            who,
            client=client_address(request),
            member=code,
            draft=done.draft,
            content=done.confirmed_content,
        )
        return redirect(portal, "/member/validation#state")

    return await run_in_threadpool(confirm)


def correction_problems(
    fields: dict[str, str], chapter: Chapter | None
) -> tuple[dict[str, str], int | None]:
    """The refusals of a corrections form, by field, in words; and its page number."""
    problems: dict[str, str] = {}
    comment = fields.get("comment", "")
    if not comment.strip():
        problems["comment"] = _(
            "Say what is to be corrected: the corrections are empty. "
            "Name the words or the figure and what they should be."
        )
    elif len(comment) > CORRECTION_CHARS:
        problems["comment"] = _(
            "At most %(most)s characters (%(given)s given): send the longest parts in a "
            "second correction."
        ) % {"most": f"{CORRECTION_CHARS:,}", "given": f"{len(comment):,}"}
    raw = fields.get("page", "").strip()
    number = None
    if raw:
        if not raw.isdigit() or len(raw) > 5:
            problems["page"] = _(
                "'%(typed)s' is not a page number: give the page of the draft as printed "
                "at its foot, e.g. 18, or leave it empty."
            ) % {"typed": raw[:20]}
        else:
            number = int(raw)
            if chapter is not None and number not in chapter.pages:
                problems["page"] = _(
                    "Page %(page)s is not in your chapter, which is %(span)s of draft "
                    "%(draft)s: give one of those, or leave it empty."
                ) % {"page": number, "span": chapter.shown_span, "draft": draft_name(chapter.draft)}
    return problems, number


@requires("member", status_code=403)
async def member_corrections(request: Request) -> Response:
    limit = request.app.state.portal.limits.comment_bytes
    found = await signed_form(request, "/member/validation", max_fields=4, field_bytes=limit)
    if isinstance(found, Response):
        return found
    portal, signed, fields = found
    who = signed[0]
    code = str(who.member)
    typed = {
        "comment": fields.get("comment", "")[: CORRECTION_CHARS + 1000],
        "page": fields.get("page", "")[:20],
    }

    def correct() -> Response:
        view = member_view(portal, code)
        chapter = member_chapter(portal, code, view.current) if view.asked else None
        problems, number = correction_problems(fields, chapter)
        if problems:
            refuse(request, "corrections not valid")
            return _member_page(portal, signed, typed=typed, problems=problems, status=400)
        try:
            ref = confirmations.return_corrections(
                portal.inputs_dir,
                portal.year,
                code,
                who.email,
                fields.get("comment", ""),
                number,
                outputs_dir=portal.outputs_dir,
            )
        except WgreportError as exc:
            refuse(request, "corrections refused")
            return _member_page(
                portal,
                signed,
                typed=typed,
                status=409,
                refusal=_("The corrections were not recorded: %(error)s.") % {"error": exc},
            )
        portal.store.audit(
            "validation-corrections",
            who,
            client=client_address(request),
            member=code,
            draft=view.current.draft if view.current else None,
            comment=ref,
            page=number,
        )
        return redirect(portal, "/member/validation#state")

    return await run_in_threadpool(correct)


# --- the secretariat's page ---------------------------------------------------------------
