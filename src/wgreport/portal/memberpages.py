"""The member's page, which starts them off (issue 38), and what it offers to download.

- `/member`: the edition's deadline with the days left (counted in the edition's time
  zone), what is expected and the guide, the template, the member's accepted file, last
  edition's file pre-filled when there is nothing yet this edition, the upload forms (the
  contribution; an image) and every upload, each time in the edition's zone with its offset.
- `/member/template.yaml|.xlsx`: the skeleton of `wgreport new` and the workbook of
  `wgreport template --format xlsx`, for the member's own code.
- `/member/contribution.yaml|.xlsx`: the accepted file, and the same as a workbook.
- `/member/previous.yaml|.xlsx`: the member's contribution to the previous edition made this
  edition's (year and submission date changed, every value kept for them to check).
- `/member/images` (POST): an image into `contributions/<CODE>/`, through the checks of
  `wgreport validate` (type, size, pixels, the SVG allowlist), written whole or not at all,
  audited `image-upload`; the same name again replaces it.
- `/guide/members`: docs/members-guide.md, rendered and sanitised, for anyone signed in.

No URL names a member: every file offered is the signed-in member's own.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.authentication import requires
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..errors import InputsError
from ..i18n import gettext as _
from ..inputs.checks.common import IMAGE_TYPES, MAX_IMAGE_BYTES
from ..inputs.edition import expected_members, load_edition_setup
from ..inputs.models import Edition, WorkingGroup
from ..layout import MEMBERS_GUIDE, Inputs, Outputs, project_doc
from ..locales import N_
from ..review.deadline import DeadlineStatus, deadline_status, edition_zone, local_time
from ..runtime import clock
from . import preview as previews
from . import validation as countryval
from .store import Invitation, Session, write_atomic
from .web import (
    Portal,
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

YAML_TYPE = "application/yaml; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: An image's name as the portal keeps it: letters, digits, dots, dashes, underscores.
IMAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
#: What a member may download, each as `/member/<kind>.yaml` and `/member/<kind>.xlsx`.
DOWNLOAD_KINDS = ("template", "contribution", "previous")
#: Image uploads a member may send in an hour.
IMAGES_PER_HOUR = 30


# --- what the page shows -----------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """What the edition asks of the member: its title, its deadline, whether it expects
    them, and the parts of a contribution (the group's themes and indicators)."""

    title: str
    deadline: DeadlineStatus
    zone: str
    expected: bool
    themes: list[str]
    required: list[str]
    optional: list[str]


@dataclass(frozen=True)
class Image:
    name: str
    kib: int
    at: str
    used: bool


def _setup(portal: Portal) -> tuple[WorkingGroup, Edition] | None:
    try:
        setup = load_edition_setup(portal.inputs_dir, portal.year)
    except InputsError:
        return None
    return setup.working_group, setup.edition


def _accepted_file(portal: Portal, code: str) -> Path:
    return Inputs(portal.inputs_dir).edition(portal.year).contribution(code)


def _call(portal: Portal, code: str, submitted: bool) -> Call | None:
    found = _setup(portal)
    if found is None:
        return None
    wg, edition = found
    closed = Outputs(portal.outputs_dir).year(portal.year).final.published
    status = deadline_status(edition, clock.utc_now(), submitted=submitted, closed=closed)
    return Call(
        title=edition.title,
        deadline=status,
        zone=str(edition_zone(edition)),
        expected=code in expected_members(wg, edition),
        themes=[t.title for t in wg.themes],
        required=[i.title for i in wg.indicators if i.required],
        optional=[i.title for i in wg.indicators if not i.required],
    )


def _used_images(path: Path) -> set[str]:
    """The image files the accepted contribution names (`KR/diagram.png`)."""
    from ..inputs.checks.common import image_fields
    from ..inputs.yamlsource import load_yaml

    data = load_yaml(path).data if path.is_file() else None
    if not isinstance(data, dict):
        return set()
    return {str(i.get("file")) for _field, i in image_fields(data) if i.get("file")}


def _images(portal: Portal, code: str, zone: dt.tzinfo) -> list[Image]:
    folder = Inputs(portal.inputs_dir).edition(portal.year).images(code)
    if not folder.is_dir():
        return []
    used = _used_images(_accepted_file(portal, code))
    out = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in IMAGE_TYPES and path.is_file() and not path.name.startswith("."):
            stat = path.stat()
            when = dt.datetime.fromtimestamp(int(stat.st_mtime), dt.UTC)
            out.append(Image(path.name, -(-stat.st_size // 1024), local_time(when, zone),
                             f"{code}/{path.name}" in used))  # fmt: skip
    return out


def render_member_page(
    portal: Portal,
    signed: tuple[Invitation, Session],
    refusal: str | None = None,
    status: int = 200,
    *,
    image_refusal: str | None = None,
    image_done: str | None = None,
) -> Response:
    """The member's page; `refusal` says why their contribution's upload was refused, and
    `image_refusal` why their image was."""
    from ..inputs.prefill import previous_contribution

    invitation, session = signed
    code = str(invitation.member)
    found = _setup(portal)
    zone = edition_zone(found[1] if found else None)
    revisions = [
        {**r, "at_local": local_time(r["at"], zone)}
        for r in portal.store.revisions(portal.year, code)
    ]
    accepted = _accepted_file(portal, code).is_file()
    previous = None
    if not accepted and found is not None:
        previous = previous_contribution(
            portal.inputs_dir, portal.year, code, found[1].previous_edition
        )
    latest = revisions[-1] if revisions else None
    missing = [i for i in (latest or {}).get("issues") or [] if i.get("code") == "image-not-found"]
    return page(
        portal, "member.html.j2", status=status, who=invitation, code=code,
        revisions=revisions, latest=latest, csrf=csrf_token(portal, session),
        accepted=accepted, refusal=refusal, limits=portal.limits,
        validation=countryval.validation_notice(portal, code, zone),
        preview=previews.member_preview(portal, code, zone),
        call=_call(portal, code, accepted), previous=previous,
        images=_images(portal, code, zone), missing_images=missing,
        image_refusal=image_refusal, image_done=image_done,
        image_kib=MAX_IMAGE_BYTES // 1024,
    )  # fmt: skip


@requires("member", status_code=403)
def member_page(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    return render_member_page(portal, signed_in(request))


# --- downloads ---------------------------------------------------------------------------------


def _attachment(body: bytes, name: str, media: str) -> Response:
    return Response(body, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{name}"'})  # fmt: skip


def _member_file(portal: Portal, code: str, kind: str, suffix: str) -> bytes | None:
    """The bytes of one of the member's downloads (None: there is none to give)."""
    from ..inputs.prefill import contribution_data, prefilled, previous_contribution
    from ..inputs.skeleton import make_skeleton
    from ..inputs.workbook import skeleton_data, to_yaml, write_workbook

    found = _setup(portal)
    if found is None:
        return None
    wg, edition = found
    data: dict[str, Any] | None
    if kind == "template":
        if suffix == "yaml":
            return make_skeleton(wg, code, portal.year).encode("utf-8")
        data = skeleton_data(wg, code, portal.year)
    elif kind == "contribution":
        path = _accepted_file(portal, code)
        if not path.is_file():
            return None
        if suffix == "yaml":
            return path.read_bytes()
        data = contribution_data(path)
    else:
        previous = previous_contribution(
            portal.inputs_dir, portal.year, code, edition.previous_edition
        )
        if previous is None:
            return None
        today = clock.utc_now().astimezone(edition_zone(edition)).date()
        data = prefilled(previous.data, portal.year, today)
        if suffix == "yaml":
            return to_yaml(data).encode("utf-8")
    if data is None:
        return None
    return write_workbook(data, wg, portal_url=portal.url(""))  # the Instructions name it


@requires("member", status_code=403)
async def member_download(request: Request) -> Response:
    """`/member/{kind}.{suffix}`: the template, the accepted file or last edition's,
    as YAML or as a workbook, named `<CODE>.yaml` / `<CODE>.xlsx` as validate expects."""
    portal: Portal = request.app.state.portal
    who = signed_in(request)[0]
    code = str(who.member)
    kind, _dot, suffix = request.url.path.removeprefix("/member/").partition(".")
    if kind not in DOWNLOAD_KINDS or suffix not in ("yaml", "xlsx"):
        return forbidden(portal, request, N_("There is no such file to download."), status=404)
    body = await run_in_threadpool(_member_file, portal, code, kind, suffix)
    if body is None:
        words = {
            "contribution": N_("You have no accepted contribution for this edition yet."),
            "previous": N_("There is no contribution of yours to an earlier edition."),
            "template": N_("The edition's settings cannot be read just now; tell the secretariat."),
        }
        return forbidden(portal, request, words[kind], status=404)
    await run_in_threadpool(
        portal.store.audit, "download", who, client=client_address(request),
        member=code, file=f"{kind}.{suffix}",
    )  # fmt: skip
    return _attachment(body, f"{code}.{suffix}", YAML_TYPE if suffix == "yaml" else XLSX_TYPE)


# --- images ------------------------------------------------------------------------------------


def image_name_problem(name: str) -> str | None:
    """Why an uploaded image's file name cannot be kept, in words, or None."""
    if Path(name).suffix.lower() not in IMAGE_TYPES:
        return (f"'{name}' is not a PNG, JPEG or SVG file: convert the image to PNG, JPEG "
                "or SVG and upload it again.")  # fmt: skip
    if not IMAGE_NAME.fullmatch(name):
        return (f"'{name}' cannot be used as an image's name: name it with letters, digits, "
                "dots, dashes and underscores only, starting with a letter or a digit "
                "(at most 100 characters), e.g. benefits-flow.svg, and upload it "
                "again.")  # fmt: skip
    return None


def check_image(code: str, name: str, body: bytes) -> str | None:
    """Why `body` cannot be member `code`'s image `name`, in words, or None: the checks
    `wgreport validate` makes of an image a contribution names (`check_image_path`)."""
    from ..inputs.checks.images import check_image_path

    if len(body) > MAX_IMAGE_BYTES:
        return _("The image is %(size)s KiB or more; at most %(limit)s KiB are allowed: "
                 "reduce its resolution or compress it, and upload it again.") % {
            "size": f"{len(body) // 1024:,}", "limit": f"{MAX_IMAGE_BYTES // 1024:,}"}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / code
        folder.mkdir()
        (folder / name).write_bytes(body)
        problem = check_image_path(f"{code}/{name}", Path(tmp))
    if problem is None:
        return None
    _path, message, hint = problem
    return f"{message[:1].upper()}{message[1:]}: {hint}." if hint else f"{message}."


def _keep_image(
    portal: Portal, who: Invitation, code: str, name: str, body: bytes, client: str | None
) -> str | None:
    """Check and write the image, and audit it; why it was refused, or None."""
    problem = check_image(code, name, body)
    if problem is not None:
        return problem
    target = Inputs(portal.inputs_dir).edition(portal.year).images(code) / name
    with portal.store.accepting(portal.year, f"{code}-images"):
        previous = hashlib.sha256(target.read_bytes()).hexdigest() if target.is_file() else None
        write_atomic(target, body, mode=0o644)
    portal.store.audit("image-upload", who, client=client, member=code, year=portal.year,
                       file=f"{code}/{name}", bytes=len(body),
                       sha256=hashlib.sha256(body).hexdigest(),
                       replaced=previous)  # fmt: skip
    return None


@requires("member", status_code=403)
async def member_image(request: Request) -> Response:
    found = await signed_form(
        request, "/member", max_fields=3, max_files=1, file_bytes=MAX_IMAGE_BYTES
    )
    if isinstance(found, Response):
        return found
    portal, signed, fields = found
    invitation = signed[0]
    code = str(invitation.member)
    upload = fields.get("image")

    def refused(reason: str, words: str, status: int = 400) -> Response:
        refuse(request, reason)
        return render_member_page(portal, signed, None, status, image_refusal=words)

    if not isinstance(upload, tuple) or not upload[0]:
        return await run_in_threadpool(refused, "no image", _("Choose an image to upload."))
    name = Path(upload[0].replace("\\", "/")).name
    problem = image_name_problem(name)
    if problem is not None:
        return await run_in_threadpool(refused, "image name", problem)
    key = f"{portal.year}:{code}"
    if not await run_in_threadpool(portal.store.attempt, "image-upload", key,
                                   IMAGES_PER_HOUR, 3600):  # fmt: skip
        words = _("Your country has sent %(count)s images in the last hour, as many as the "
                  "portal takes in an hour: try again later. Nothing of this upload was "
                  "kept.") % {"count": IMAGES_PER_HOUR}  # fmt: skip
        response = await run_in_threadpool(refused, "image quota", words, 429)
        response.headers["Retry-After"] = "3600"
        return response
    async with portal.checks:
        problem = await run_in_threadpool(
            _keep_image, portal, invitation, code, name, upload[1], client_address(request)
        )
    if problem is not None:
        return await run_in_threadpool(refused, "image not valid", problem)
    return redirect(portal, "/member#images")


# --- the members' guide ------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _guide_html(path: Path, stamp: float) -> str:
    from ..content.markdown import render_document

    return render_document(path.read_text(encoding="utf-8"))


def guide_file(portal: Portal) -> Path:
    """docs/members-guide.md of the project whose inputs the portal serves, else of the
    project the portal's code came from."""
    here = project_doc(portal.inputs_dir.parent, MEMBERS_GUIDE)
    if here.is_file():
        return here
    return project_doc(Path(__file__).resolve().parents[3], MEMBERS_GUIDE)


def guide_page(request: Request) -> Response:
    """The members' guide, for anyone signed in."""
    portal: Portal = request.app.state.portal
    signed = current_session(request)
    if signed is None:
        return forbidden(portal, request, N_("Sign in with the link of your invitation."))
    path = guide_file(portal)
    if not path.is_file():
        return forbidden(portal, request, N_("The members' guide is not on this portal; ask "
                         "the secretariat for docs/members-guide.md."), status=404)  # fmt: skip
    from markupsafe import Markup

    html = _guide_html(path, path.stat().st_mtime)
    back = {"member": "/member", "reviewer": "/review"}.get(signed[0].role, "/secretariat")
    return page(portal, "guide.html.j2", who=signed[0], csrf=csrf_token(portal, signed[1]),
                guide=Markup(html), back=back)  # fmt: skip
