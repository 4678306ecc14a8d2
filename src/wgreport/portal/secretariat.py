"""The secretariat's work in the portal, without a terminal: the people who may sign in
(invite, list, revoke: what `wgreport portal invite`, `people` and `revoke` do, through the
same store), the answers to review comments (status and response written into the
reviewer's file by `review.answers`, the earlier answer kept in its history; replies in
the comment's thread), and the downloads (the members' accepted files as one zip, the
newest draft's validation report).

Every page is the secretariat's only (`requires("secretariat")`), every form carries its
single-use token, and every change and download writes an audit line."""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from starlette.authentication import requires
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse

from ..i18n import gettext as _
from ..i18n import ngettext
from ..inputs.models import COMMENT_STATUSES, Email, WorkingGroup
from ..inputs.suggest import did_you_mean
from ..inputs.validation import load_working_group
from ..layout import Draft, Inputs, Outputs
from ..locales import N_
from .commentwords import comment_problems
from .store import ROLES, Invitation, Session, Store
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

REVIEWER_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
INVITE_FIELDS = ("role", "email", "member", "reviewer", "name", "organisation")
ZIP_CHUNK = 64 * 1024


def _working_group(portal: Portal) -> WorkingGroup | None:
    wg, _issues = load_working_group(Inputs(portal.inputs_dir).working_group)
    return wg


# --- people ------------------------------------------------------------------------------


def person_state(invitation: Invitation, open_sessions: int) -> tuple[str, str]:
    """(state, what it means): `active` (the link can still sign in, or a session is
    open), `spent` (the link was used and no session is open: a new invitation lets
    them back in), `revoked` or `expired`."""
    if invitation.revoked:
        return "revoked", invitation.revoked_reason or _("revoked")
    if invitation.expired:
        return "expired", _("the link expired on %(day)s") % {"day": invitation.expires[:10]}
    if open_sessions:
        return "active", ngettext(
            "signed in (%(count)s open session)", "signed in (%(count)s open sessions)",
            open_sessions,
        ) % {"count": open_sessions}  # fmt: skip
    if not invitation.used:
        return "active", _("the link is not used yet (it works until %(day)s)") % {
            "day": invitation.expires[:10]
        }
    return "spent", _("the link was used and no session is open: invite them again")


def people_rows(store: Store) -> list[dict[str, Any]]:
    """Every invitation, the newest first, with its state, its last sign-in and its open
    sessions: the people page's list."""
    sessions = store.sessions()
    rows = []
    for invitation in reversed(store.invitations()):
        open_ = [s for s in sessions if s.invitation == invitation.id and not s.ended]
        state, meaning = person_state(invitation, len(open_))
        rows.append({"invitation": invitation, "state": state, "meaning": meaning,
                     "open": open_, "last_signin": invitation.used,
                     "last_seen": max((s.last_seen for s in open_), default=None)})  # fmt: skip
    return rows


def invite_problems(
    store: Store, wg: WorkingGroup | None, form: dict[str, str]
) -> tuple[dict[str, str], dict[str, str | None]]:
    """The refusals of an invitation form, by field, in words; and the invitation's
    values as `Store.invite` takes them."""
    from pydantic import TypeAdapter, ValidationError

    role = form.get("role", "")
    email = form.get("email", "").strip()
    problems: dict[str, str] = {}
    if role not in ROLES:
        problems["role"] = _("Choose a role: %(roles)s.") % {
            "roles": ", ".join(_(r) for r in ROLES)}  # fmt: skip
    try:
        TypeAdapter(Email).validate_python(email)
    except ValidationError:
        problems["email"] = _("'%(email)s' is not an e-mail address: write it like "
                              "name@ministry.example.") % {"email": email[:60]}  # fmt: skip
    values: dict[str, str | None] = dict.fromkeys(INVITE_FIELDS)
    values.update(role=role, email=email)
    if role == "member":
        code = form.get("member", "").strip().upper()
        codes = [m.code for m in wg.members] if wg is not None else []
        if code not in codes:
            hint = did_you_mean(code, codes) if code else None
            if not code:
                problems["member"] = _("Give the member's code, e.g. KR.")
            elif hint:
                problems["member"] = _("'%(code)s' is not a member code of the working group "
                                       "(%(hint)s).") % {"code": code, "hint": hint}  # fmt: skip
            else:
                problems["member"] = _("'%(code)s' is not a member code of the working group "
                                       "(the codes are %(codes)s).") % {
                    "code": code, "codes": ", ".join(codes)}  # fmt: skip
        values["member"] = code
    elif role == "reviewer":
        values.update(_reviewer_values(store, wg, form, email, problems))
    return problems, values


def _reviewer_values(
    store: Store, wg: WorkingGroup | None, form: dict[str, str], email: str,
    problems: dict[str, str],
) -> dict[str, str | None]:  # fmt: skip
    rid = form.get("reviewer", "").strip()
    name, organisation = form.get("name", "").strip(), form.get("organisation", "").strip()
    if not REVIEWER_ID.fullmatch(rid) or len(rid) > 40:
        problems["reviewer"] = _(
            "'%(id)s' is not a reviewer id: lowercase letters, "
            "digits and dashes, at most 40 characters (it names their "
            "review file), e.g. ee-review-team."
        ) % {"id": rid[:60]}
    elif wg is not None and any(rid == f"{m.code.lower()}-validation" for m in wg.members):
        problems["reviewer"] = _(
            "'%(id)s' is kept for the corrections a member returns in "
            "country validation: choose another id."
        ) % {"id": rid}
    else:
        for other in store.invitations():
            if (other.role == "reviewer" and other.reviewer == rid and not other.revoked
                    and not other.expired and other.email.lower() != email.lower()):  # fmt: skip
                problems["reviewer"] = _(
                    "The reviewer id '%(id)s' is already given to %(email)s (invitation "
                    "%(invitation)s); two people would write one review file. Choose another "
                    "id, or revoke that invitation first."
                ) % {"id": rid, "email": other.email, "invitation": other.id}
                break
    if not name:
        problems["name"] = _("Give the reviewer's name: the comment table shows it.")
    if not organisation:
        problems["organisation"] = _("Give the reviewer's organisation: the table shows it.")
    for key, text in (("name", name), ("organisation", organisation)):
        if len(text) > 200:
            problems[key] = _("At most 200 characters (%(count)s given).") % {"count": len(text)}
    return {"reviewer": rid, "name": name, "organisation": organisation}


def _people_page(
    portal: Portal, signed: tuple[Invitation, Session], *, typed: dict[str, str] | None = None,
    problems: dict[str, str] | None = None, invited: dict[str, Any] | None = None,
    refusal: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    wg = _working_group(portal)
    return page(
        portal, "secretariat-people.html.j2", status=status, who=signed[0],
        csrf=csrf_token(portal, signed[1]), people=people_rows(portal.store), roles=ROLES,
        members=[(m.code, m.name) for m in wg.members] if wg is not None else [],
        typed=typed or {"role": "member"}, problems=problems or {}, invited=invited,
        refusal=refusal, here="people",
    )  # fmt: skip


@requires("secretariat", status_code=403)
def people_page(request: Request) -> Response:
    return _people_page(request.app.state.portal, signed_in(request))


@requires("secretariat", status_code=403)
async def people_invite(request: Request) -> Response:
    found = await signed_form(request, "/secretariat/people", max_fields=len(INVITE_FIELDS) + 2)
    if isinstance(found, Response):
        return found
    portal, signed, fields = found
    typed = {k: fields.get(k, "")[:300] for k in INVITE_FIELDS}

    def invite() -> Response:
        problems, values = invite_problems(portal.store, _working_group(portal), fields)
        if problems:
            refuse(request, "invitation not valid")
            return _people_page(portal, signed, typed=typed, problems=problems, status=400)
        invitation, token = portal.store.invite(
            str(values["role"]), str(values["email"]), member=values["member"],
            reviewer=values["reviewer"], name=values["name"],
            organisation=values["organisation"], by=signed[0].id,
        )  # fmt: skip
        replaced = [i.id for i in portal.store.invitations()
                    if i.revoked_reason == f"replaced by invitation {invitation.id}"]  # fmt: skip
        invited = {"invitation": invitation, "link": portal.url(f"/signin/{token}"),
                   "replaced": replaced}  # fmt: skip
        return _people_page(portal, signed, invited=invited)

    return await run_in_threadpool(invite)


@requires("secretariat", status_code=403)
async def people_revoke(request: Request) -> Response:
    found = await signed_form(request, "/secretariat/people", max_fields=3)
    if isinstance(found, Response):
        return found
    portal, signed, fields = found
    ident = fields.get("id", "")
    kind = None
    if ident.isalnum() and len(ident) <= 32:
        kind = await run_in_threadpool(portal.store.revoke, ident, signed[0].id)
    if kind is None:
        refuse(request, "nothing to revoke")
        text = _("%(id)s is not an open invitation or session (already revoked or ended?).") % {
            "id": ident[:40]}  # fmt: skip
        return await run_in_threadpool(
            lambda: _people_page(portal, signed, refusal=text, status=404)
        )
    return redirect(portal, "/secretariat/people")


# --- answering comments ------------------------------------------------------------------


def comment_cards(portal: Portal, wanted: str | None) -> dict[str, Any]:
    """The edition's comments as the page shows them (each with its earlier answers), the
    counts by status, and how many comments the table leaves out (errors in their file)."""
    from ..inputs.comments import edition_reviews
    from .reviews import own_comments

    wg = _working_group(portal)
    edition_dir = Inputs(portal.inputs_dir).edition(portal.year).folder
    reviews = edition_reviews(edition_dir, wg, portal.year, portal.outputs_dir,
                              portal.inputs_dir.parent)  # fmt: skip
    raw: dict[str, dict[str, Any]] = {}
    for reviewer in {r.reviewer for r in reviews.rows}:
        for item in own_comments(portal.inputs_dir, portal.year, reviewer):
            raw[f"{reviewer}#{item.get('id')}"] = item
    rows = reviews.rows
    counts = {s: sum(1 for r in rows if r.status == s) for s in COMMENT_STATUSES}
    shown = [r for r in rows if wanted in (None, r.status)]
    cards = [{"row": r, "anchor": "c-" + re.sub(r"[^a-z0-9-]", "-", r.ref),
              "history": raw.get(r.ref, {}).get("history") or [],
              "answered_at": raw.get(r.ref, {}).get("answered_at"),
              "answered_by": raw.get(r.ref, {}).get("answered_by"),
              "replies": list(r.replies)} for r in shown]  # fmt: skip
    return {"cards": cards, "counts": counts, "total": len(rows), "left_out": reviews.left_out}


def _comments_page(
    portal: Portal, signed: tuple[Invitation, Session], wanted: str | None = None,
    typed: dict[str, Any] | None = None, status: int = 200,
) -> Response:  # fmt: skip
    found = comment_cards(portal, wanted)
    return page(
        portal, "secretariat-comments.html.j2", status=status, who=signed[0],
        csrf=csrf_token(portal, signed[1]),
        statuses=COMMENT_STATUSES, wanted=wanted, typed=typed, here="comments", **found,
    )  # fmt: skip


@requires("secretariat", status_code=403)
def comments_page(request: Request) -> Response:
    wanted = request.query_params.get("status")
    return _comments_page(request.app.state.portal, signed_in(request),
                          wanted if wanted in COMMENT_STATUSES else None)  # fmt: skip


@requires("secretariat", status_code=403)
async def comment_answer(request: Request) -> Response:
    from ..review.answers import answer_comment, parse_ref

    limit = request.app.state.portal.limits.comment_bytes
    found = await signed_form(request, "/secretariat/comments", max_fields=5, field_bytes=limit)
    if isinstance(found, Response):
        return found
    portal, signed, fields = found
    ref, status = fields.get("ref", "")[:120], fields.get("status", "")[:30]
    response = fields.get("response", "")
    who = signed[0]

    def answer() -> Response:
        parsed = parse_ref(ref)
        lock = f"reviewer-{parsed[0]}" if parsed else "reviewer-none"
        with portal.store.accepting(portal.year, lock):
            done = answer_comment(portal.inputs_dir, portal.outputs_dir, portal.year, ref,
                                  status, response, by=who.email)  # fmt: skip
        if not done.ok:
            refuse(request, "answer not valid")
            typed = {"ref": ref, "status": status, "response": response,
                     "problems": comment_problems(done.problems)}  # fmt: skip
            return _comments_page(portal, signed, typed=typed, status=400)
        if done.changed:
            portal.store.audit(
                "comment-answered", who, client=client_address(request), ref=done.ref,
                status=status, replaced=done.replaced is not None,
            )  # fmt: skip
        return redirect(portal, "/secretariat/comments#c-" + re.sub(r"[^a-z0-9-]", "-", ref))

    return await run_in_threadpool(answer)


@requires("secretariat", status_code=403)
async def comment_reply(request: Request) -> Response:
    """The secretariat's reply in a comment's thread (`review.answers.reply_to_comment`)."""
    from ..inputs.comments import SECRETARIAT_AUTHOR
    from ..review.answers import parse_ref, reply_to_comment

    limit = request.app.state.portal.limits.comment_bytes
    found = await signed_form(request, "/secretariat/comments", max_fields=4, field_bytes=limit)
    if isinstance(found, Response):
        return found
    portal, signed, fields = found
    ref, text = fields.get("ref", "")[:120], fields.get("reply", "")

    def send() -> Response:
        parsed = parse_ref(ref)
        lock = f"reviewer-{parsed[0]}" if parsed else "reviewer-none"
        with portal.store.accepting(portal.year, lock):
            done = reply_to_comment(portal.inputs_dir, portal.outputs_dir, portal.year, ref,
                                    text, by=SECRETARIAT_AUTHOR)  # fmt: skip
        if not done.ok:
            refuse(request, "reply not valid")
            typed = {"ref": ref, "reply": text, "problems": comment_problems(done.problems)}
            return _comments_page(portal, signed, typed=typed, status=400)
        portal.store.audit("comment-reply", signed[0], client=client_address(request),
                           ref=done.ref, reply=done.number)  # fmt: skip
        return redirect(portal, "/secretariat/comments#c-" + re.sub(r"[^a-z0-9-]", "-", ref))

    return await run_in_threadpool(send)


# --- downloads ---------------------------------------------------------------------------


def accepted_files(inputs_dir: Path, year: int, wg: WorkingGroup | None) -> list[tuple[Path, str]]:
    """The members' accepted files, as (path, name in the zip): each member's
    `<CODE>.yaml`, `<CODE>.indicators.csv` and the files of its `<CODE>/` folder. Nothing
    else of the folder (notes, temporary files, hidden files), and no symbolic link."""
    edition = Inputs(inputs_dir).edition(year)
    out: list[tuple[Path, str]] = []
    for code in sorted(m.code for m in wg.members) if wg is not None else []:
        for path in (edition.contribution(code), edition.indicators(code)):
            if path.is_file() and not path.is_symlink():
                out.append((path, path.name))
        folder = edition.images(code)
        if not folder.is_dir() or folder.is_symlink():
            continue
        for root, dirs, names in os.walk(folder):  # symbolic links to folders not followed
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                path = Path(root) / name
                if not name.startswith(".") and path.is_file() and not path.is_symlink():
                    out.append((path, path.relative_to(edition.contributions).as_posix()))
    return out


def write_zip(files: list[tuple[Path, str]], target: IO[bytes], folder: str) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, name in files:
            archive.write(path, f"{folder}/{name}")


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := handle.read(ZIP_CHUNK):
            yield chunk
    finally:
        handle.close()


@requires("secretariat", status_code=403)
async def download_contributions(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    who = signed_in(request)[0]
    folder = f"{portal.year}-contributions"

    def build() -> tuple[IO[bytes], int]:
        files = accepted_files(portal.inputs_dir, portal.year, _working_group(portal))
        # gone when closed, after the last chunk is sent (`_chunks`)
        handle = tempfile.TemporaryFile()  # noqa: SIM115
        write_zip(files, handle, folder)
        size = handle.tell()
        handle.seek(0)
        portal.store.audit("download", who, client=client_address(request),
                           file=f"{folder}.zip", files=len(files), bytes=size)  # fmt: skip
        return handle, size

    handle, size = await run_in_threadpool(build)
    return StreamingResponse(
        _chunks(handle), media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{folder}.zip"',
                 "content-length": str(size)},
    )  # fmt: skip


def newest_validation(outputs_dir: Path, year: int) -> tuple[str, Path] | None:
    """The newest published draft's validation report: (its draft, its path), or None."""
    drafts = Outputs(outputs_dir).year(year).drafts
    found = sorted(p.name for p in drafts.iterdir() if p.name.isdigit()) if drafts.is_dir() else []
    for name in reversed(found):
        draft = Draft(drafts / name)
        if draft.published and draft.validation.is_file():
            return name, draft.validation
    return None


@requires("secretariat", status_code=403)
def download_validation(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    found = newest_validation(portal.outputs_dir, portal.year)
    if found is None:
        return forbidden(portal, request, N_("No draft has been built yet: its validation "
                         "report comes with it."), status=404)  # fmt: skip
    draft, path = found
    portal.store.audit("download", signed_in(request)[0], client=client_address(request),
                       draft=draft, file=path.name)  # fmt: skip
    return FileResponse(path, media_type="application/json",
                        filename=f"{portal.year}-draft-{draft}-{path.name}")  # fmt: skip


def downloads(portal: Portal) -> dict[str, Any]:
    """What the secretariat's page offers to download."""
    files = accepted_files(portal.inputs_dir, portal.year, _working_group(portal))
    members = [name[: -len(".yaml")] for _kind, name in files if "/" not in name
               and name.endswith(".yaml")]  # fmt: skip
    found = newest_validation(portal.outputs_dir, portal.year)
    return {
        "files": len(files),
        "members": members,
        "validation_draft": found[0] if found else None,
    }
