"""Country validation in the portal (issue 37): the secretariat opens a round on a draft and
follows it; each member sees the pages of its own chapter of that draft and confirms them
or returns corrections. The record is `review.confirmations`' (the same as `wgreport
validation open/status/confirm/corrections`); this module is its pages.

- `/secretariat/validation`: the round (per member: requested, confirmed, corrections,
  changed since confirmed, not requested; when and by whom; the corrections' comment),
  opening a round on one of the newest drafts with an optional due date (each member is
  sent the validation request), and reminding those who have not confirmed.
- `/member/validation`: the member's chapter of the round's draft, as a PDF of its pages
  (`chapter.pdf`, cut from the draft's report.pdf at the chapter's bookmarks) and as page
  images (pdftoppm, when installed); the confirmation and the corrections forms.

No URL names a member: the chapter, its pages and the state shown are the signed-in
member's own, from its invitation, so no address leads to another country's pages.
An e-mail that cannot go out never fails the page: the page says it was kept in the outbox.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.authentication import requires
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..errors import WgreportError
from ..inputs.comments import drafts_known
from ..inputs.validation import load_working_group
from ..layout import REPORT_JSON, Draft, Inputs, Outputs, draft_name
from ..review import confirmations
from ..review.messages import long_date, validation_reminder, validation_request
from ..review.notices import Delivery, Notice, deliver, member_address
from ..runtime.clock import utc_now
from ..runtime.mail import SENT_BY_SMTP
from .mailing import PortalPost, mail_failed, portal_post
from .store import Invitation, Session
from .web import (
    Portal,
    client_address,
    csrf_ok,
    csrf_token,
    expired_form,
    forbidden,
    page,
    read_form,
    redirect,
    refuse,
    signed_in,
)

#: How many of the newest drafts the secretariat chooses from.
DRAFT_CHOICES = 12
#: A correction's text at its longest (a review comment's, docs/limits.md).
CORRECTION_CHARS = 20_000
#: The width of a page image in pixels (twice a phone's 360 CSS pixels: sharp on it).
PAGE_IMAGE_WIDTH = 720
PAGE_IMAGE_SECONDS = 30
#: The member states whose members a reminder is for ("corrections" have answered: their
#: corrections are the secretariat's to answer, and a newer draft's round follows).
REMINDED = ("requested", "changed since confirmed")


# --- a member's chapter of a draft ------------------------------------------------------


@dataclass(frozen=True)
class Chapter:
    """Where member `code`'s chapter is in a draft's report.pdf: pages `first` to `last`,
    counted from 1 as the draft's page numbers are (and review comments name them)."""

    draft: int
    code: str
    title: str
    first: int
    last: int
    pdf: Path

    @property
    def pages(self) -> range:
        return range(self.first, self.last + 1)

    @property
    def span(self) -> str:
        if self.first == self.last:
            return f"page {self.first}"
        return f"pages {self.first} to {self.last}"


def _chapter_title(draft: Draft, code: str) -> str | None:
    """The title of member `code`'s chapter as the draft's report.json gives it
    (`5. Republic of Korea`), or None."""
    try:
        data = json.loads(draft.file(REPORT_JSON).read_text(encoding="utf-8"))
        members = data.get("members") or []
        for chapter in data.get("chapters") or []:
            index = chapter.get("member")
            own = isinstance(index, int) and 0 <= index < len(members)
            if own and members[index].get("code") == code and isinstance(chapter.get("title"), str):
                return str(chapter["title"])
    except (OSError, ValueError, AttributeError, TypeError):
        return None
    return None


def _destination_page(pdf: Any, item: Any, index: dict[Any, int]) -> int | None:
    """The page (from 0) an outline item points to: an explicit destination, a named one,
    or a GoTo action's; None when it points to no page of the document."""
    import pikepdf

    dest = item.destination
    if dest is None and item.action is not None and item.action.get("/S") == pikepdf.Name.GoTo:
        dest = item.action.get("/D")
    if isinstance(dest, (pikepdf.String, pikepdf.Name, str)):
        dest = _named_destination(pdf, dest)
    if isinstance(dest, pikepdf.Dictionary):
        dest = dest.get("/D")
    if isinstance(dest, int):
        return dest
    if isinstance(dest, pikepdf.Array) and len(dest) > 0:
        target = dest[0]
        if isinstance(target, pikepdf.Dictionary):
            return index.get(target.objgen)
    return None


def _named_destination(pdf: Any, name: Any) -> Any:
    import pikepdf

    root = pdf.Root
    if isinstance(name, pikepdf.Name) and "/Dests" in root:
        return root.Dests.get(name)
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/Dests" in names:
        return pikepdf.NameTree(names.Dests).get(str(name))
    return None


def find_chapter(draft: Draft, number: int, code: str, name: str) -> Chapter | None:
    """Member `code`'s chapter in a published draft: the top-level bookmark of its title
    (report.json's, else `<number>. <name>`) up to the page before the next top-level
    bookmark. None when the draft, its PDF or the chapter is not there."""
    import pikepdf

    if not (draft.published and draft.report_pdf.is_file()):
        return None
    title = _chapter_title(draft, code)
    wanted = re.compile(re.escape(title) if title else rf"(\d+\.\s*)?{re.escape(name)}")
    try:
        with pikepdf.open(draft.report_pdf) as pdf:
            index = {page.objgen: i for i, page in enumerate(pdf.pages)}
            total = len(pdf.pages)
            with pdf.open_outline() as outline:
                tops = [
                    (str(item.title).strip(), _destination_page(pdf, item, index))
                    for item in outline.root
                ]
    except (pikepdf.PdfError, OSError, ValueError):
        return None
    placed = [(t, p) for t, p in tops if p is not None and 0 <= p < total]
    for at, (text, start) in enumerate(placed):
        if wanted.fullmatch(text):
            following = [p for _, p in placed[at + 1 :] if p > start]
            end = following[0] - 1 if following else total - 1
            return Chapter(number, code, text, start + 1, end + 1, draft.report_pdf)
    return None


def chapter_pdf(chapter: Chapter) -> bytes:
    """The chapter's pages as a PDF of their own (qpdf copies no page they link to: such a
    link points nowhere in the file, so no other chapter's page comes with them)."""
    import pikepdf

    with pikepdf.open(chapter.pdf) as source:
        out = pikepdf.new()
        out.pages.extend(source.pages[chapter.first - 1 : chapter.last])
        out.docinfo["/Title"] = (
            f"Draft {draft_name(chapter.draft)}, {chapter.title} ({chapter.span} of the draft)"
        )
        buffer = io.BytesIO()
        out.save(buffer)
    return buffer.getvalue()


@functools.lru_cache(maxsize=48)
def _page_png(pdf: str, stamp: tuple[int, int], number: int) -> bytes | None:
    """Page `number` of `pdf` as a PNG (`stamp`, the file's time and size, keys the cache)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    try:
        done = subprocess.run(
            [
                tool,
                "-f",
                str(number),
                "-l",
                str(number),
                "-png",
                "-singlefile",
                "-scale-to-x",
                str(PAGE_IMAGE_WIDTH),
                "-scale-to-y",
                "-1",
                pdf,
            ],
            capture_output=True,
            timeout=PAGE_IMAGE_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 and done.stdout.startswith(b"\x89PNG") else None


def page_png(chapter: Chapter, number: int) -> bytes | None:
    """Page `number` of the draft as an image, when it is one of the chapter's pages and
    pdftoppm can draw it."""
    if number not in chapter.pages:
        return None
    info = chapter.pdf.stat()
    return _page_png(str(chapter.pdf), (info.st_mtime_ns, info.st_size), number)


def page_images() -> bool:
    """Whether the pages can be shown as images (pdftoppm, of poppler-utils, installed)."""
    return shutil.which("pdftoppm") is not None


# --- where a member stands ---------------------------------------------------------------


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
        problem = (
            "The country-validation record cannot be read just now; the secretariat "
            "has been told by its own page. Try again later."
        )
        return MemberView(None, None, problem)
    return MemberView(states.get(code), record.current)


def validation_notice(portal: Portal, code: str) -> dict[str, Any] | None:
    """What the member's page says of the open round (None: nothing to say): the state of
    the member's own chapter and the words for it."""
    view = member_view(portal, code)
    if not view.asked or view.state is None or view.current is None:
        return None
    return {"state": view.state.state, "text": _state_words(view.state, view.current)}


def _when(at: str | None) -> str:
    return (at or "").replace("T", " ").removesuffix("Z") + (" UTC" if at else "")


def _state_words(state: confirmations.MemberConfirmation, current: confirmations.Round) -> str:
    draft = f"draft {draft_name(current.draft)}"
    due = f", by {long_date(current.due)}" if current.due else ""
    match state.state:
        case "requested":
            return (
                f"The secretariat asks you to check your chapter in {draft}{due}: "
                "confirm it, or return corrections."
            )
        case "confirmed":
            return f"You confirmed your chapter in {draft} on {_when(state.at)} ({state.by})."
        case "changed since confirmed":
            return (
                f"Changed since you confirmed: your contribution changed after you "
                f"confirmed your chapter in {draft} on {_when(state.at)}. Confirm "
                f"again{due}."
            )
        case "corrections":
            return (
                f"You returned corrections to your chapter in {draft} on "
                f"{_when(state.at)} (comment {state.comment}); the secretariat answers "
                "them, and asks you again on a newer draft."
            )
    return "Your chapter is not part of the open round."


def _member_name(portal: Portal, code: str) -> str:
    wg, _ = load_working_group(Inputs(portal.inputs_dir).working_group)
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
    portal, _, chapter = found
    number = int(raw) if raw.isdigit() and len(raw) <= 5 else 0
    image = await run_in_threadpool(page_png, chapter, number) if number else None
    if image is None:
        return forbidden(
            portal,
            request,
            f"There is no image of that page: your chapter is "
            f"{chapter.span} of draft {draft_name(chapter.draft)}.",
            status=404,
        )
    return Response(image, media_type="image/png")


async def _text_form(request: Request, max_fields: int, field_bytes: int) -> dict[str, str]:
    """A form of text fields, each up to `field_bytes` as sent (a correction of 20,000
    characters in any script is up to 180,000 bytes URL-encoded), or a 400 page's error."""
    try:
        async with request.form(
            max_files=0, max_fields=max_fields, max_part_size=field_bytes
        ) as form:
            return {k: v for k, v in form.multi_items() if isinstance(v, str)}
    except HTTPException:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"The form could not be read: {exc}") from exc


async def _member_form(
    request: Request, max_fields: int, field_bytes: int | None = None
) -> tuple[Portal, tuple[Invitation, Session], dict[str, str]] | Response:
    portal: Portal = request.app.state.portal
    signed = signed_in(request)
    if field_bytes is None:
        fields: dict[str, Any] = await read_form(request, max_fields=max_fields)
    else:
        fields = await _text_form(request, max_fields, field_bytes)
    if not await run_in_threadpool(csrf_ok, portal, signed[1], str(fields.get("csrf") or "")):
        return expired_form(portal, request, "/member/validation")
    return portal, signed, {k: v for k, v in fields.items() if isinstance(v, str)}


@requires("member", status_code=403)
async def member_confirm(request: Request) -> Response:
    found = await _member_form(request, max_fields=2)
    if isinstance(found, Response):
        return found
    portal, signed, _ = found
    who = signed[0]
    code = str(who.member)

    def confirm() -> Response:
        try:
            done = confirmations.confirm(portal.inputs_dir, portal.year, code, who.email)
        except WgreportError as exc:
            refuse(request, "confirmation refused")
            return _member_page(portal, signed, refusal=f"Not confirmed: {exc}.", status=409)
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
        problems["comment"] = (
            "Say what is to be corrected: the corrections are empty. "
            "Name the words or the figure and what they should be."
        )
    elif len(comment) > CORRECTION_CHARS:
        problems["comment"] = (
            f"At most {CORRECTION_CHARS:,} characters ({len(comment):,} "
            "given): send the longest parts in a second correction."
        )
    raw = fields.get("page", "").strip()
    number = None
    if raw:
        if not raw.isdigit() or len(raw) > 5:
            problems["page"] = (
                f"'{raw[:20]}' is not a page number: give the page of the "
                "draft as printed at its foot, e.g. 18, or leave it empty."
            )
        else:
            number = int(raw)
            if chapter is not None and number not in chapter.pages:
                problems["page"] = (
                    f"Page {number} is not in your chapter, which is "
                    f"{chapter.span} of draft {draft_name(chapter.draft)}: "
                    "give one of those, or leave it empty."
                )
    return problems, number


@requires("member", status_code=403)
async def member_corrections(request: Request) -> Response:
    limit = request.app.state.portal.limits.comment_bytes
    found = await _member_form(request, max_fields=4, field_bytes=limit)
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
                refusal=f"The corrections were not recorded: {exc}.",
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
        return None, [], f"The country-validation record cannot be read: {exc}."
    rows = [
        {
            "code": s.code,
            "name": s.name,
            "state": s.state,
            "at": _when(s.at),
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


async def _secretariat_form(
    request: Request, max_fields: int
) -> tuple[Portal, tuple[Invitation, Session], dict[str, str]] | Response:
    portal: Portal = request.app.state.portal
    signed = signed_in(request)
    fields = await read_form(request, max_fields=max_fields)
    if not await run_in_threadpool(csrf_ok, portal, signed[1], str(fields.get("csrf") or "")):
        return expired_form(portal, request, "/secretariat/validation")
    return portal, signed, {k: v for k, v in fields.items() if isinstance(v, str)}


def open_problems(fields: dict[str, str]) -> tuple[dict[str, str], int | None, dt.date | None]:
    """The refusals of the form that opens a round, by field; its draft and due date."""
    problems: dict[str, str] = {}
    raw, when = fields.get("draft", "").strip(), fields.get("due", "").strip()
    draft = int(raw) if raw.isdigit() and len(raw) <= 6 else None
    if draft is None:
        problems["draft"] = (
            f"'{raw[:20]}' is not a draft number: choose one of the drafts listed."
            if raw
            else "Choose the draft whose pages the members check."
        )
    due = None
    if when:
        try:
            due = dt.date.fromisoformat(when)
        except ValueError:
            problems["due"] = (
                f"'{when[:20]}' is not a date: write it as YYYY-MM-DD, e.g. "
                f"{(utc_now().date() + dt.timedelta(days=10)).isoformat()}, "
                "or leave it empty."
            )
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
        return "sent"
    if delivery.where:
        return f"written to the outbox ({Path(delivery.where).name}): no SMTP server is set"
    if delivery.notice.message is None:
        return ("not sent: no e-mail address is known (add `email` to the member in "
                "working-group.yaml)")  # fmt: skip
    return f"not sent, kept in the outbox: {delivery.error}"


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
        if to and reminder:
            message = validation_reminder(post.head, member, to, current.draft, current.due,
                                          changed=code in changed)  # fmt: skip
        elif to:
            message = validation_request(post.head, member, to, current.draft, current.due)
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
        return {"kind": kind, "results": [], "kept": 0, "unaddressed": 0,
                "failed": 1, "problem": f"No message was sent: {exc}"}  # fmt: skip
    return {"kind": kind, "results": results, "failed": sum(not r["ok"] for r in results),
            "kept": sum(r["kept"] for r in results),
            "unaddressed": sum(not r["ok"] and not r["kept"] for r in results),
            "problem": None}  # fmt: skip


@requires("secretariat", status_code=403)
async def secretariat_open(request: Request) -> Response:
    found = await _secretariat_form(request, max_fields=3)
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
                portal, signed, typed=typed, status=409, refusal=f"The round was not opened: {exc}."
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
    found = await _secretariat_form(request, max_fields=2)
    if isinstance(found, Response):
        return found
    portal, signed, _ = found
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
                or ("No round is open, so there is nobody to remind: open one first."),
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
