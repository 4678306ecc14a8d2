"""Country validation on the secretariat's pages (issue 37): `/secretariat/validation` shows
the round (per member: requested, confirmed, corrections, changed since confirmed, not
requested; when and by whom; the corrections' comment), opens a round on one of the newest
drafts with an optional due date (each member is sent the validation request), and
reminds those who have not confirmed. The members' side is `validation.py`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.authentication import requires
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from .. import i18n
from ..errors import WgreportError
from ..i18n import gettext as _
from ..inputs.comments import drafts_known
from ..layout import Inputs, Outputs, draft_name
from ..review import confirmations
from ..review.messages import long_date
from ..review.notices import Delivery, Notice, deliver, member_address
from ..runtime.clock import utc_now
from ..runtime.mail import SENT_BY_SMTP
from .mailing import PortalPost, mail_failed, portal_post
from .mailtexts import validation_reminder, validation_request
from .store import Invitation, Session
from .validation import shown_time
from .web import (
    Portal,
    client_address,
    csrf_token,
    page,
    refuse,
    signed_form,
    signed_in,
)

#: How many of the newest drafts the secretariat chooses from.
DRAFT_CHOICES = 12
#: The member states whose members a reminder is for ("corrections" have answered: their
#: corrections are the secretariat's to answer, and a newer draft's round follows).
REMINDED = ("requested", "changed since confirmed")


def _corrections_anchor(ref: str) -> str:
    """The comment's place on the secretariat's comments page (`secretariat.comment_cards`)."""
    return "c-" + re.sub(r"[^a-z0-9-]", "-", ref)


def round_rows(
    portal: Portal,
) -> tuple[confirmations.Round | None, list[dict[str, Any]], str | None]:
    """The open round, a row per expected member (its state, when, by whom, its
    corrections' comment), and a problem when the record cannot be read."""
    try:
        record = confirmations.load_record(portal.inputs_dir, portal.year)
        states = confirmations.member_states(portal.inputs_dir, portal.year)
    except WgreportError as exc:
        return None, [], _("The country-validation record cannot be read: %(error)s.") % {
            "error": exc}  # fmt: skip
    rows = [
        {
            "code": s.code,
            "name": s.name,
            "state": s.state,
            "at": shown_time(s.at),
            "by": s.by,
            "comment": s.comment,
            "anchor": _corrections_anchor(s.comment) if s.comment else None,
        }
        for s in states.values()
    ]
    return record.current, rows, None


def _draft_choices(portal: Portal, current: confirmations.Round | None) -> list[int]:
    year_dir = Outputs(portal.outputs_dir).year(portal.year).folder
    newer = [d for d in drafts_known(year_dir) if current is None or d > current.draft]
    return sorted(newer, reverse=True)[:DRAFT_CHOICES]


def _secretariat_page(
    portal: Portal,
    signed: tuple[Invitation, Session],
    *,
    typed: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    refusal: str | None = None,
    sent: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    current, rows, problem = round_rows(portal)
    counts = {state: sum(1 for r in rows if r["state"] == state) for state in confirmations.STATES}
    return page(
        portal,
        "secretariat-validation.html.j2",
        status=status,
        who=signed[0],
        csrf=csrf_token(portal, signed[1]),
        current=current,
        rows=rows,
        counts=counts,
        draft=draft_name(current.draft) if current else None,
        due=long_date(current.due) if current and current.due else None,
        choices=[draft_name(d) for d in _draft_choices(portal, current)],
        today=utc_now().date().isoformat(),
        typed=typed or {},
        problems=problems or {},
        refusal=refusal or problem,
        sent=sent,
        reminded=REMINDED,
        here="validation",
    )


@requires("secretariat", status_code=403)
def secretariat_page(request: Request) -> Response:
    return _secretariat_page(request.app.state.portal, signed_in(request))


def open_problems(fields: dict[str, str]) -> tuple[dict[str, str], int | None, dt.date | None]:
    """The refusals of the form that opens a round, by field; its draft and due date."""
    problems: dict[str, str] = {}
    raw, when = fields.get("draft", "").strip(), fields.get("due", "").strip()
    draft = int(raw) if raw.isdigit() and len(raw) <= 6 else None
    if draft is None:
        problems["draft"] = (
            _("'%(draft)s' is not a draft number: choose one of the drafts listed.")
            % {"draft": raw[:20]}
            if raw
            else _("Choose the draft whose pages the members check.")
        )
    due = None
    if when:
        try:
            due = dt.date.fromisoformat(when)
        except ValueError:
            problems["due"] = _(
                "'%(due)s' is not a date: write it as YYYY-MM-DD, e.g. %(example)s, or "
                "leave it empty."
            ) % {"due": when[:20],
                 "example": (utc_now().date() + dt.timedelta(days=10)).isoformat()}  # fmt: skip
    return problems, draft, due


def _send(
    portal: Portal, who: Invitation, client: str | None, kind: str, notices: list[Notice],
    post: PortalPost,
) -> list[dict[str, Any]]:  # fmt: skip
    """Send `notices`; what became of each, for the page (a failure is kept in the outbox
    and written to the audit log)."""
    out = []
    for delivery in deliver(post.mailer, notices):
        notice = delivery.notice
        if not delivery.ok:
            reason = delivery.error or "not sent"
            mail_failed(portal, who, client, kind, notice.to, reason, member=notice.member)
        out.append({"member": notice.member, "to": notice.to, "ok": delivery.ok,
                    "kept": not delivery.ok and notice.message is not None,
                    "smtp": delivery.where == SENT_BY_SMTP,
                    "outcome": _outcome(delivery)})  # fmt: skip
    return out


def _outcome(delivery: Delivery) -> str:
    if delivery.where == SENT_BY_SMTP:
        return _("sent")
    if delivery.where:
        return _("written to the outbox (%(file)s): no SMTP server is set") % {
            "file": Path(delivery.where).name}  # fmt: skip
    if delivery.notice.message is None:
        return _("not sent: no e-mail address is known (add `email` to the member in "
                 "working-group.yaml)")  # fmt: skip
    return _("not sent, kept in the outbox: %(error)s") % {"error": delivery.error}


def _notices(
    portal: Portal, current: confirmations.Round, codes: list[str], *, reminder: bool,
    changed: frozenset[str] = frozenset(),
) -> tuple[list[Notice], PortalPost]:  # fmt: skip
    """The validation request (or reminder) of the round to each member of `codes`, at
    its address (`review.notices.member_address`); `changed`: the members to confirm again."""
    post = portal_post(portal)
    edition = Inputs(portal.inputs_dir).edition(portal.year)
    notices = []
    for code in codes:
        member = post.group.member(code)
        if member is None:
            continue
        to = member_address(post.group, code, edition.contribution(code))
        message = None
        # in the language the person at that address reads the portal in (portal.mailtexts)
        lang = portal.store.language_of(to, code) or i18n.SOURCE_LANGUAGE
        if to and reminder:
            message = validation_reminder(post.head, member, to, current.draft, current.due,
                                          lang, changed=code in changed)  # fmt: skip
        elif to:
            message = validation_request(post.head, member, to, current.draft, current.due,
                                         lang)  # fmt: skip
        why = "validation reminder" if reminder else "validation request"
        notices.append(Notice(to, why, message, code))
    return notices, post


def _mail(
    portal: Portal, who: Invitation, client: str | None, kind: str,
    make: Callable[[], tuple[list[Notice], PortalPost]],
) -> dict[str, Any]:  # fmt: skip
    """Make and send a batch of messages; never raises: a batch that cannot be made at all
    (the edition unreadable) is one failure on the page."""
    try:
        notices, post = make()
        results = _send(portal, who, client, kind, notices, post)
    except Exception as exc:  # an e-mail never fails the page
        mail_failed(portal, who, client, kind, None, exc)
        problem = _("No message was sent: %(error)s") % {"error": exc}
        return {"kind": kind, "results": [], "kept": 0, "unaddressed": 0,
                "failed": 1, "problem": problem}  # fmt: skip
    return {"kind": kind, "results": results, "failed": sum(not r["ok"] for r in results),
            "kept": sum(r["kept"] for r in results),
            "unaddressed": sum(not r["ok"] and not r["kept"] for r in results),
            "problem": None}  # fmt: skip


@requires("secretariat", status_code=403)
async def secretariat_open(request: Request) -> Response:
    found = await signed_form(request, "/secretariat/validation", max_fields=3)
    if isinstance(found, Response):
        return found
    portal, signed, fields = found
    who = signed[0]
    client = client_address(request)
    typed = {"draft": fields.get("draft", "")[:20], "due": fields.get("due", "")[:20]}

    def open_() -> Response:
        problems, draft, due = open_problems(fields)
        if problems or draft is None:
            refuse(request, "round not valid")
            return _secretariat_page(portal, signed, typed=typed, problems=problems, status=400)
        try:
            made = confirmations.open_round(
                portal.inputs_dir,
                portal.year,
                draft,
                who.email,
                due,
                outputs_dir=portal.outputs_dir,
            )
        except WgreportError as exc:
            refuse(request, "round refused")
            return _secretariat_page(
                portal,
                signed,
                typed=typed,
                status=409,
                refusal=_("The round was not opened: %(error)s.") % {"error": exc},
            )
        sent = _mail(
            portal,
            who,
            client,
            "validation-request",
            lambda: _notices(portal, made, list(made.members), reminder=False),
        )
        portal.store.audit(
            "validation-opened",
            who,
            client=client,
            draft=made.draft,
            due=made.due.isoformat() if made.due else None,
            members=len(made.members),
            not_sent=sent["failed"],
        )
        return _secretariat_page(portal, signed, sent={**sent, "opened": draft_name(draft)})

    return await run_in_threadpool(open_)


@requires("secretariat", status_code=403)
async def secretariat_remind(request: Request) -> Response:
    found = await signed_form(request, "/secretariat/validation", max_fields=2)
    if isinstance(found, Response):
        return found
    portal, signed, _fields = found
    who = signed[0]
    client = client_address(request)

    def remind() -> Response:
        current, rows, problem = round_rows(portal)
        if current is None:
            refuse(request, "no round to remind of")
            return _secretariat_page(
                portal,
                signed,
                status=409,
                refusal=problem
                or _("No round is open, so there is nobody to remind: open one first."),
            )
        codes = [r["code"] for r in rows if r["state"] in REMINDED]
        changed = {r["code"] for r in rows if r["state"] == "changed since confirmed"}
        sent = _mail(
            portal,
            who,
            client,
            "validation-reminder",
            lambda: _notices(portal, current, codes, reminder=True, changed=frozenset(changed)),
        )
        portal.store.audit(
            "validation-reminded",
            who,
            client=client,
            draft=current.draft,
            members=codes,
            not_sent=sent["failed"],
        )
        return _secretariat_page(portal, signed, sent={**sent, "reminded": codes})

    return await run_in_threadpool(remind)
