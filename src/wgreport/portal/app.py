"""The portal's pages (Starlette): sign-in by invitation link, then each role's page.

- Members see their own country's submissions and validation, and upload a contribution
  (YAML or the workbook of `wgreport template`); every upload is kept as a revision, and a
  valid one is written atomically into inputs/<year>/contributions/<CODE>.yaml.
- Reviewers see the drafts (size, pages, sha256, what changed) and download their PDF and
  HTML, and comment through a form that writes their review file.
- The secretariat sees every member's submission status and the comment-resolution table,
  and starts a draft build (`wgreport build` in its own process: the CLI's Prefect flow).

No URL names a member: what a member sees and changes follows from the invitation that
signed them in, so no address leads to another country's data. Sessions are signed cookies
(itsdangerous: HttpOnly, SameSite=Strict, Secure behind HTTPS); every form carries a CSRF
token bound to the session and good once; responses carry a strict Content-Security-Policy.
"""

from __future__ import annotations

import functools
import hmac
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..validation import EditionContext, load_edition, load_working_group, validate_contribution
from .builds import Builds
from .store import Invitation, Store, write_atomic

#: The portal's pages: in the package (not the report's templates/, whose digest each
#: draft records), so that `pip install 'wgreport[portal]'` has them.
PAGES = Path(__file__).parent / "templates"
COOKIE = "wgreport_session"
SESSION_SECONDS = 8 * 3600
CSRF_SECONDS = 2 * 3600
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
UPLOAD_SUFFIXES = (".yaml", ".yml", ".xlsx")
DOWNLOADS = ("report.pdf", "report.html")
CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass
class Portal:
    """What the application serves: an edition's inputs and outputs, and its store."""

    inputs_dir: Path
    outputs_dir: Path
    year: int
    store: Store
    secure_cookies: bool = False
    used_csrf: set[str] = field(default_factory=set)
    #: Environment for the draft builds the secretariat starts (e.g. PREFECT_API_URL).
    build_env: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def builds(self) -> Builds:
        return Builds(self.store, self.year, self.inputs_dir, self.outputs_dir, self.build_env)

    def signer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.store.secret(), salt=salt)


def _page(portal: Portal, name: str, status: int = 200, **values: Any) -> Response:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PAGES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    html = env.get_template(name).render(year=portal.year, **values)
    return _secure(HTMLResponse(html, status_code=status))


def _secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # sign-in links hold a token
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    return response


def _forbidden(portal: Portal, reason: str) -> Response:
    return _page(portal, "forbidden.html.j2", status=403, reason=reason)


# --- sessions and CSRF -----------------------------------------------------------------------


def _session(portal: Portal, request: Request) -> tuple[Invitation, str] | None:
    """The signed-in invitation and the session's nonce, or None."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = portal.signer("session").loads(raw, max_age=SESSION_SECONDS)
    except (BadSignature, SignatureExpired):
        return None
    invitation = portal.store.by_id(str(data.get("id")))
    if invitation is None or invitation.expired:
        return None
    return invitation, str(data.get("nonce"))


def _csrf_token(portal: Portal, nonce: str) -> str:
    return portal.signer("csrf").dumps({"s": nonce, "n": secrets.token_hex(8)})


def _csrf_ok(portal: Portal, nonce: str, token: str | None) -> bool:
    """A token made for this session, not expired, and not used before."""
    if not token:
        return False
    try:
        data = portal.signer("csrf").loads(token, max_age=CSRF_SECONDS)
    except (BadSignature, SignatureExpired):
        return False
    if not hmac.compare_digest(str(data.get("s")), nonce) or token in portal.used_csrf:
        return False
    portal.used_csrf.add(token)
    return True


# --- pages -----------------------------------------------------------------------------------


async def signin(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    token = request.path_params["token"]
    invitation = portal.store.find(token)
    if invitation is None or invitation.expired:
        portal.store.audit("signin-refused", None, reason="unknown or expired token")
        return _forbidden(portal, "This sign-in link is not valid, or it has expired.")
    nonce = secrets.token_hex(16)
    cookie = portal.signer("session").dumps({"id": invitation.id, "nonce": nonce})
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE, cookie, max_age=SESSION_SECONDS, httponly=True, samesite="strict",
        secure=portal.secure_cookies, path="/",
    )  # fmt: skip
    portal.store.audit("signin", invitation)
    return _secure(response)


async def home(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _session(portal, request)
    if signed is None:
        return _forbidden(portal, "Sign in with the link of your invitation.")
    target = {"member": "/member", "reviewer": "/review", "secretariat": "/secretariat"}
    return _secure(RedirectResponse(target[signed[0].role], status_code=303))


async def member_page(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "member")
    if isinstance(signed, Response):
        return signed
    invitation, nonce = signed
    code = str(invitation.member)
    revisions = portal.store.revisions(portal.year, code)
    return _page(
        portal, "member.html.j2", who=invitation, code=code, revisions=revisions,
        latest=revisions[-1] if revisions else None, csrf=_csrf_token(portal, nonce),
        accepted=_accepted_file(portal, code).is_file(),
    )  # fmt: skip


async def member_upload(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "member")
    if isinstance(signed, Response):
        return signed
    invitation, nonce = signed
    limits = {"max_files": 1, "max_fields": 4, "max_part_size": MAX_UPLOAD_BYTES}
    async with request.form(**limits) as form:
        if not _csrf_ok(portal, nonce, str(form.get("csrf") or "")):
            portal.store.audit("upload-refused", invitation, reason="csrf")
            return _forbidden(portal, "This form has expired or was sent twice: reload the page.")
        upload = form.get("contribution")
        if upload is None or isinstance(upload, str):
            return _page(portal, "error.html.j2", status=400, message="Choose a file to upload.")
        name = upload.filename or ""
        suffix = Path(name).suffix.lower()
        body = await upload.read(MAX_UPLOAD_BYTES + 1)
    if suffix not in UPLOAD_SUFFIXES:
        wrong = "Upload a .yaml file or the .xlsx workbook of the template."
        return _page(portal, "error.html.j2", status=400, message=wrong)
    if len(body) > MAX_UPLOAD_BYTES:
        large = f"The file is larger than {MAX_UPLOAD_BYTES // 1024} KiB."
        return _page(portal, "error.html.j2", status=413, message=large)
    code = str(invitation.member)
    number, path = portal.store.add_revision(portal.year, code, body, suffix, invitation)
    lines, issues, valid = _check(portal, code, path)
    accepted = valid and _accept(portal, code, path, number)
    portal.store.set_revision_status(
        portal.year, code, number, status="accepted" if accepted else "not valid",
        report=lines, issues=issues,
    )  # fmt: skip
    portal.store.audit("upload", invitation, member=code, revision=number,
                       sha256=portal.store.revisions(portal.year, code)[number - 1]["sha256"],
                       accepted=accepted)  # fmt: skip
    return _secure(RedirectResponse("/member", status_code=303))


async def review_page(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "reviewer", "secretariat")
    if isinstance(signed, Response):
        return signed
    return _review_page(portal, signed)


def _review_page(
    portal: Portal, signed: tuple[Invitation, str], problems: list[str] | None = None
) -> Response:
    from ..comments import report_sections
    from .reviews import KINDS, own_comments

    who, nonce = signed
    wg, _ = load_working_group(portal.inputs_dir / "working-group.yaml")
    mine = own_comments(portal.inputs_dir, portal.year, str(who.reviewer)) if who.reviewer else []
    return _page(
        portal, "review.html.j2", status=400 if problems else 200, who=who,
        drafts=_drafts(portal), sections=report_sections(wg), kinds=KINDS, mine=mine,
        problems=problems or [], csrf=_csrf_token(portal, nonce),
    )  # fmt: skip


async def review_comment(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "reviewer")
    if isinstance(signed, Response):
        return signed
    from .reviews import add_comment

    who, nonce = signed
    async with request.form(max_files=0, max_fields=12, max_part_size=64 * 1024) as form:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not _csrf_ok(portal, nonce, fields.get("csrf")):
        portal.store.audit("comment-refused", who, reason="csrf")
        return _forbidden(portal, "This form has expired or was sent twice: reload it.")
    with portal.store.accepting(portal.year, f"reviewer-{who.reviewer}"):
        number, problems = add_comment(
            portal.inputs_dir, portal.outputs_dir, portal.year, who, fields
        )
    if number is None:
        return _review_page(portal, signed, problems)
    portal.store.audit("comment", who, reviewer=who.reviewer, comment=number)
    return _secure(RedirectResponse("/review", status_code=303))


async def download(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "reviewer", "secretariat")
    if isinstance(signed, Response):
        return signed
    draft, name = request.path_params["draft"], request.path_params["name"]
    folder = portal.outputs_dir / str(portal.year) / "drafts" / draft
    if not (draft.isdigit() and len(draft) == 3 and name in DOWNLOADS):
        return _forbidden(portal, "There is no such file to download.")
    if not (folder / "manifest.json").is_file() or not (folder / name).is_file():
        return _forbidden(portal, "There is no such file to download.")
    portal.store.audit("download", signed[0], draft=draft, file=name)
    return _secure(FileResponse(folder / name, filename=f"{portal.year}-draft-{draft}-{name}"))


async def secretariat_page(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "secretariat")
    if isinstance(signed, Response):
        return signed
    return _secretariat_page(portal, signed)


def _secretariat_page(
    portal: Portal, signed: tuple[Invitation, str], refusal: str | None = None
) -> Response:
    from ..comments import edition_reviews
    from ..status import submission_status

    report = submission_status(portal.inputs_dir, portal.year)
    wg, _ = load_working_group(portal.inputs_dir / "working-group.yaml")
    reviews = edition_reviews(portal.inputs_dir / str(portal.year), wg, portal.year,
                              portal.outputs_dir, portal.inputs_dir.parent)  # fmt: skip
    builds = portal.builds.records()
    return _page(
        portal, "secretariat.html.j2", status=409 if refusal else 200, who=signed[0],
        report=report, comments=reviews.rows, builds=builds, refusal=refusal,
        running=any(b["status"] == "running" for b in builds),
        log=portal.builds.log_tail(builds[0]["build"]) if builds else [],
        csrf=_csrf_token(portal, signed[1]),
    )  # fmt: skip


async def secretariat_build(request: Request) -> Response:
    portal: Portal = request.app.state.portal
    signed = _role(portal, request, "secretariat")
    if isinstance(signed, Response):
        return signed
    async with request.form(max_files=0, max_fields=2, max_part_size=4096) as form:
        token = str(form.get("csrf") or "")
    if not _csrf_ok(portal, signed[1], token):
        portal.store.audit("build-refused", signed[0], reason="csrf")
        return _forbidden(portal, "This form has expired or was sent twice: reload the page.")
    _, refusal = portal.builds.start(signed[0])
    if refusal:
        return _secretariat_page(portal, signed, refusal)
    return _secure(RedirectResponse("/secretariat", status_code=303))


async def favicon(request: Request) -> Response:
    """No icon (browsers ask for one on every page): an empty answer, not a 404."""
    return _secure(Response(status_code=204))


def make_app(portal: Portal) -> Starlette:
    """The application: the routes, with `portal` as its state."""
    routes = [
        Route("/", home),
        Route("/favicon.ico", favicon),
        Route("/signin/{token}", signin),
        Route("/member", member_page),
        Route("/member/upload", member_upload, methods=["POST"]),
        Route("/review", review_page),
        Route("/review/download/{draft}/{name}", download),
        Route("/review/comment", review_comment, methods=["POST"]),
        Route("/secretariat", secretariat_page),
        Route("/secretariat/build", secretariat_build, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.portal = portal
    return app


def _role(portal: Portal, request: Request, *roles: str) -> tuple[Invitation, str] | Response:
    signed = _session(portal, request)
    if signed is None:
        return _forbidden(portal, "Sign in with the link of your invitation.")
    if signed[0].role not in roles:
        portal.store.audit("refused", signed[0], path=request.url.path)
        return _forbidden(portal, "This page is not open to your role.")
    return signed


def _accepted_file(portal: Portal, code: str) -> Path:
    return portal.inputs_dir / str(portal.year) / "contributions" / f"{code}.yaml"


def _check(portal: Portal, code: str, path: Path) -> tuple[list[str], list[dict[str, Any]], bool]:
    """Validate an upload as the member's file in its place: in a copy of the member's
    folder (images, CSV) outside inputs/, under the name CODE<suffix>. Returns the lines
    `wgreport validate` prints, the issues as its JSON gives them, and whether it is valid."""
    from ..issues import ValidationReport
    from ..terminal import format_text

    wg, _ = load_working_group(portal.inputs_dir / "working-group.yaml")
    edition_path = portal.inputs_dir / str(portal.year) / "edition.yaml"
    edition, _ = load_edition(edition_path, wg, portal.year)
    contributions = portal.inputs_dir / str(portal.year) / "contributions"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for extra in (contributions / code, contributions / f"{code}.indicators.csv"):
            if extra.is_dir():
                shutil.copytree(extra, folder / code)
            elif extra.is_file():
                shutil.copy(extra, folder / extra.name)
        target = folder / f"{code}{path.suffix}"
        shutil.copy(path, target)
        result = validate_contribution(
            target, EditionContext(wg, portal.year, edition, folder), f"{code}{path.suffix}"
        )
    report = ValidationReport(result.reports)
    issues = [
        {"file": file["file"], **issue}
        for file in report.to_dict()["files"]
        for issue in file["issues"]
    ]
    # the lines `wgreport validate` prints, without its summary line
    return format_text(report)[:-1], issues, result.valid


def _accept(portal: Portal, code: str, path: Path, number: int) -> bool:
    """Write a valid upload as the member's contribution: atomically (a temporary file
    renamed over it), one writer at a time; a workbook as its v1 YAML."""
    if path.suffix == ".xlsx":
        from ..workbook import read_workbook, to_yaml

        body = to_yaml(read_workbook(path).data).encode("utf-8")
    else:
        body = path.read_bytes()
    with portal.store.accepting(portal.year, code):
        write_atomic(_accepted_file(portal, code), body)
    return True


def _drafts(portal: Portal) -> list[Any]:
    """The drafts as the published review page lists them (newest first; size, pages,
    sha256, and what changed from the draft before), so the two never disagree."""
    from ..pages import review_page

    year_dir = portal.outputs_dir / str(portal.year)
    return review_page(year_dir).drafts if year_dir.is_dir() else []
