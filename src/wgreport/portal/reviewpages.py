"""The reviewers' pages: the drafts and their downloads, the comment form, and each of the
reviewer's comments with the secretariat's answer and the thread of replies.

- A refused comment comes back with everything typed kept and the reason in words beside
  its field (`reviews.field_words`); nothing is written.
- A reply (the reviewer's on this page, the secretariat's on its comments page,
  `secretariat.comment_reply`) is appended to the comment's `replies` in the reviewer's
  file by `review.answers.reply_to_comment`, under the reviewer's lock, and written to the
  audit log (`comment-reply`).
- Downloads (`reviewdownloads`): each draft's PDF, report.html, a zip of its public files
  that works on its own, its data CSVs and what changed, as text or JSON; the final's too,
  once it exists. Each download writes an audit line.

Every form carries the session's single-use token; the pages have no script."""

from __future__ import annotations

import tempfile
from typing import IO, Any

from starlette.authentication import requires
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse

from ..inputs.comments import SECRETARIAT_AUTHOR
from ..inputs.validation import load_working_group
from ..layout import (
    FINAL,
    REPORT_HTML,
    Draft,
    Inputs,
    Outputs,
    YearOutputs,
    data_file,
)
from ..locales import N_
from . import reviewdownloads as files
from .commentwords import comment_problems
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


def drafts(portal: Portal) -> tuple[list[Any], Any]:
    """The drafts as the published review page lists them (newest first; size, pages,
    sha256, what changed from the draft before), and the final's entry or None."""
    from ..review.pages import review_page

    year_dir = Outputs(portal.outputs_dir).year(portal.year).folder
    if not year_dir.is_dir():
        return [], None
    found = review_page(year_dir)
    return found.drafts, found.final


@requires("drafts", status_code=403)
def review_page(request: Request) -> Response:
    return _review_page(request.app.state.portal, signed_in(request))


def _review_page(
    portal: Portal, signed: tuple[Invitation, Session], problems: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    from ..inputs.comments import report_sections
    from .reviews import FIELDS, KINDS, own_comments

    who, session = signed
    wg, _ = load_working_group(Inputs(portal.inputs_dir).working_group)
    mine = own_comments(portal.inputs_dir, portal.year, str(who.reviewer)) if who.reviewer else []
    listed, final = drafts(portal)
    year_dir = Outputs(portal.outputs_dir).year(portal.year).folder
    year = YearOutputs(year_dir)
    data = {d.id: _tables(year.draft(d.id)) for d in listed}
    translations = {d.id: d.translations for d in listed}
    if final is not None:
        data[FINAL] = _tables(year.final)
        translations[FINAL] = final.translations
    sections = report_sections(wg)
    return page(
        portal, "review.html.j2", status=400 if problems else 200, who=who,
        drafts=listed, final=final, data=data, translations=translations, sections=sections,
        titles=dict(sections),
        kinds=KINDS, fields=FIELDS, mine=mine, problems=problems or {}, typed=typed or {},
        csrf=csrf_token(portal, session), secretariat=SECRETARIAT_AUTHOR,
    )  # fmt: skip


def _tables(draft: Draft) -> list[str]:
    return [name.rsplit("/", 1)[-1] for name in files.data_names(draft)]


@requires("reviewer", status_code=403)
async def review_comment(request: Request) -> Response:
    from .reviews import TYPED, add_comment

    limit = request.app.state.portal.limits.comment_bytes
    found = await signed_form(request, "/review", max_fields=12, field_bytes=limit)
    if isinstance(found, Response):
        return found
    portal, signed, fields = found
    who = signed[0]

    def add() -> tuple[int | None, dict[str, str]]:
        with portal.store.accepting(portal.year, f"reviewer-{who.reviewer}"):
            return add_comment(portal.inputs_dir, portal.outputs_dir, portal.year, who, fields)

    number, problems = await run_in_threadpool(add)
    if number is None:
        refuse(request, "comment not valid")
        typed = {k: fields.get(k, "") for k in TYPED}
        return await run_in_threadpool(_review_page, portal, signed, problems, typed)
    await run_in_threadpool(
        portal.store.audit, "comment", who, client=client_address(request),
        reviewer=who.reviewer, comment=number,
    )  # fmt: skip
    return redirect(portal, "/review")


@requires("reviewer", status_code=403)
async def review_reply(request: Request) -> Response:
    """The reviewer's reply to the answer to one of their own comments."""
    from ..review.answers import reply_to_comment

    limit = request.app.state.portal.limits.comment_bytes
    found = await signed_form(request, "/review", max_fields=4, field_bytes=limit)
    if isinstance(found, Response):
        return found
    portal, signed, fields = found
    who = signed[0]
    number = fields.get("comment", "").strip()[:7]
    ref = f"{who.reviewer}#{number}"
    text = fields.get("reply", "")

    def send() -> Any:
        with portal.store.accepting(portal.year, f"reviewer-{who.reviewer}"):
            return reply_to_comment(portal.inputs_dir, portal.outputs_dir, portal.year, ref,
                                    text, by=str(who.reviewer))  # fmt: skip

    done = await run_in_threadpool(send)
    if not done.ok:
        refuse(request, "reply not valid")
        problems = {"reply": " ".join(comment_problems(done.problems).values())}
        typed = {"reply_to": number, "reply": text}
        return await run_in_threadpool(_review_page, portal, signed, problems, typed)
    await run_in_threadpool(
        portal.store.audit, "comment-reply", who, client=client_address(request),
        ref=done.ref, reply=done.number,
    )  # fmt: skip
    return redirect(portal, f"/review#c-{number}")


# --- downloads ---------------------------------------------------------------------------


def _download_name(portal: Portal, draft: str, name: str) -> str:
    which = "final" if draft == FINAL else f"draft-{draft}"
    return f"{portal.year}-{which}-{name.replace('/', '-')}"


@requires("drafts", status_code=403)
async def download(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    who = signed_in(request)[0]
    draft_id, name = request.path_params["draft"], request.path_params["name"]
    year_dir = Outputs(portal.outputs_dir).year(portal.year).folder
    draft = files.published(year_dir, draft_id) if name in files.NAMES else None
    if draft is None or (name in files.REPORTS and not draft.file(name).is_file()):
        return forbidden(portal, request, N_("There is no such file to download."))
    client = client_address(request)
    await run_in_threadpool(portal.store.audit, "download", who, client=client,
                            draft=draft_id, file=name)  # fmt: skip
    filename = _download_name(portal, draft_id, name)
    if name == REPORT_HTML or name in files.TRANSLATED_HTML:
        base = portal.url(f"/review/download/{draft_id}/")
        text = await run_in_threadpool(files.portal_html, draft, portal.year, base, name)
        attachment = {"content-disposition": f'attachment; filename="{filename}"'}
        return Response(text, media_type="text/html; charset=utf-8", headers=attachment)
    if name in (files.CHANGES_TEXT, files.CHANGES_JSON):
        found = await run_in_threadpool(files.changes, year_dir, draft_id)
        text_or_json = name == files.CHANGES_TEXT
        body = files.changes_text(found) if text_or_json else files.changes_json(found)
        media = "text/plain; charset=utf-8" if text_or_json else "application/json"
        attachment = {"content-disposition": f'attachment; filename="{filename}"'}
        return Response(body, media_type=media, headers=attachment)
    if name == files.ZIP_NAME:
        folder = filename.removesuffix(f"-{files.ZIP_NAME}")

        def build() -> tuple[IO[bytes], int]:
            handle = tempfile.TemporaryFile()  # noqa: SIM115  closed by `chunks`
            files.write_zip(draft, portal.year, folder, handle)
            size = handle.tell()
            handle.seek(0)
            return handle, size

        handle, size = await run_in_threadpool(build)
        return StreamingResponse(
            files.chunks(handle), media_type="application/zip",
            headers={"content-disposition": f'attachment; filename="{folder}.zip"',
                     "content-length": str(size)},
        )  # fmt: skip
    return FileResponse(draft.file(name), filename=filename)


@requires("drafts", status_code=403)
async def download_data(request: Request) -> Response:
    """One of a draft's data tables (the links of its report.html lead here)."""
    portal: Portal = request.app.state.portal
    draft_id, name = request.path_params["draft"], request.path_params["name"]
    year_dir = Outputs(portal.outputs_dir).year(portal.year).folder
    draft = files.published(year_dir, draft_id)
    wanted = data_file(name)
    if draft is None or wanted not in files.data_names(draft):
        return forbidden(portal, request, N_("There is no such file to download."))
    who, client = signed_in(request)[0], client_address(request)
    await run_in_threadpool(portal.store.audit, "download", who, client=client,
                            draft=draft_id, file=wanted)  # fmt: skip
    return FileResponse(draft.file(wanted), media_type="text/csv; charset=utf-8",
                        filename=_download_name(portal, draft_id, wanted))  # fmt: skip
