"""The secretariat's year and its final in the portal: the edition's stage, dates and next
steps at the top of /secretariat (`review.cycle.stage`, each step with the page or button
that does it); the preflight checklist at /secretariat/final (`build.preflight`: every
problem at once, grouped by check, each with its file and line, what to do and the flag
that overrides it); starting a final from that page, refused with the checklist while a
problem is left that no ticked override names; and the final's PDF.

The form's overrides are checkboxes with fixed names (`allow-<check>`, `missing-<CODE>` for
a member that is not valid, `supersede`): what is ticked is matched against the preflight's
own checks and the members it found not valid, never passed on as text, and the command
line is made by `Builds.start` from its fixed list of flags."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from starlette.authentication import requires
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ..i18n import gettext as _
from ..layout import Outputs
from ..locales import N_
from .stagewords import Shown, shown, stage_name
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

#: Where each step of `review.cycle`'s checklist is done in the portal: (the start of the
#: step's text, the page or button, what the link says). A step with none is done on the
#: command line (its text names the command).
STEP_ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("set up the edition", "", ""),
    ("build a draft", "/secretariat#builds", N_("Build a new draft")),
    ("review files with errors", "/secretariat/comments", N_("See the review comments")),
    ("open comments", "/secretariat/comments?status=open", N_("Answer the open comments")),
    ("answer the review comments", "/secretariat/comments", N_("See the review comments")),
    ("country validation", "/secretariat/validation", N_("Follow country validation")),
    ("preflight", "/secretariat/final", N_("See the preflight checklist")),
    ("build the final", "/secretariat/final#start", N_("Start the final")),
)
_MEMBERS_STEP = re.compile(r"\d+ of \d+ members submitted")


@dataclass(frozen=True)
class StepView:
    """A step of the checklist as the page shows it: done or not, its text, and the portal
    page or button that does it (empty: the command in its text)."""

    done: bool
    text: str
    link: str = ""
    action: str = ""

    @property
    def shown(self) -> Shown:
        """The step's text in the request's language (`portal.stagewords`)."""
        return shown(self.text)


def step_view(done: bool, text: str) -> StepView:
    if _MEMBERS_STEP.match(text):
        return StepView(done, text, "/secretariat#submissions", N_("See the submissions"))
    for start, link, action in STEP_ACTIONS:
        if text.startswith(start):
            return StepView(done, text, link, action)
    return StepView(done, text)


def edition_section(portal: Portal) -> dict[str, Any]:
    """The top of /secretariat: the edition's stage, its dates and the next steps, or why
    they cannot be read."""
    from ..errors import InputsError
    from ..review.cycle import stage
    from ..runtime.clock import build_time

    try:
        found = stage(portal.inputs_dir, portal.outputs_dir, portal.year, build_time().date())
    except InputsError as exc:
        return {"stage": None, "error": str(exc), "steps": [], "dates": [],
                "final": final_state(portal)}  # fmt: skip
    d = found.dates
    dates = [
        (N_("Deadline"), d.deadline),
        (N_("Data cut-off"), d.data_cutoff),
        (N_("Approval"), d.approval),
        (N_("Publication"), d.publication),
    ]
    if found.round_draft is not None:
        dates += [
            (N_("Validation round opened"), d.round_opened),
            (N_("Validation due"), d.round_due),
        ]
    return {
        "stage": found,
        "stage_name": stage_name(found.name),
        "reason": shown(found.reason),
        "error": None,
        "dates": [(_(label), day.isoformat() if day else _("not set")) for label, day in dates],
        "steps": [step_view(s.done, s.text) for s in found.checklist],
        "final": final_state(portal),
    }


def final_state(portal: Portal) -> dict[str, Any]:
    """Whether the edition has a final (its folder complete), and the newest final build
    that succeeded (the one whose row links the final's PDF)."""
    final = Outputs(portal.outputs_dir).year(portal.year).final
    exists = final.folder.is_dir()
    done = [b for b in portal.builds.records() if b["final"] and b["status"] == "succeeded"]
    return {
        "exists": exists,
        "pdf": final.published and final.report_pdf.is_file(),
        "build": done[0]["build"] if done else None,
    }


# --- the preflight checklist ------------------------------------------------------------


@dataclass
class Checklist:
    """The preflight as the final's page shows it: the problems grouped by check (each
    check's title and flag), the overridden ones, and the members not valid (each a
    checkbox of --allow-missing)."""

    groups: list[dict[str, Any]] = field(default_factory=list)
    overridden: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def count(self) -> int:
        return sum(len(g["problems"]) for g in self.groups)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.groups


#: The preflight's checks by their titles (`build.preflight.CHECKS`, whose words are
#: `wgreport check --final`'s), translated where the final's page shows them. A problem's
#: own sentence and what to do stay the library's English (the words the command prints),
#: marked `lang="en"` on a page in another language.
CHECK_TITLES = (
    N_("Placeholder text"),
    N_("Front matter incomplete"),
    N_("Dates that do not agree"),
    N_("Sources dated after the data cut-off"),
    N_("Links to example addresses"),
    N_("Members not valid"),
    N_("Review comments not resolved"),
    N_("Members who have not confirmed their chapter"),
)


def where_words(file: str | None, line: int | None) -> str:
    """A problem's place in words: the file and its line, the file alone (a field that is
    missing has no line), or no file (a member that sent none)."""
    if file is None:
        return _("no file")
    if line is None:
        return _("%(file)s (no particular line)") % {"file": file}
    return _("%(file)s, line %(line)s") % {"file": file, "line": line}


def _shown(problem: Any) -> dict[str, Any]:
    return {
        "where": where_words(problem.file, problem.line),
        "file": problem.file,
        "line": problem.line,
        "message": problem.message,
        "fix": problem.fix,
        "flag": problem.flag,
        "check": problem.check,
    }


def checklist(
    portal: Portal, allow: frozenset[str] = frozenset(), missing: tuple[str, ...] = ()
) -> Checklist:
    """Run the preflight (in the calling thread: call it off the event loop) and sort its
    problems by the overrides ticked. Members are offered --allow-missing only when they are
    not valid; a code that is not one of them is not used."""
    from ..build.preflight import CHECKS, Overrides, preflight
    from ..errors import FinalRefused, InputsError

    try:
        result = preflight(portal.inputs_dir, portal.outputs_dir, portal.year, Overrides())
    except (InputsError, FinalRefused) as exc:
        return Checklist(error=str(exc))
    invalid = {p.subject: p for p in result.problems if p.check == "members" and p.subject}
    overrides = Overrides(allow=allow, missing=tuple(c for c in missing if c in invalid))
    left = [p for p in result.problems if not overrides.covers(p)]
    out = Checklist(overridden=[_shown(p) for p in result.problems if overrides.covers(p)])
    for check in CHECKS:
        found = [p for p in left if p.check == check.name]
        if found:
            out.groups.append({"name": check.name, "title": check.title, "flag": check.flag,
                               "problems": [_shown(p) for p in found]})  # fmt: skip
        if check.name != "members":
            every = [p for p in result.problems if p.check == check.name]
            out.checks.append({"name": check.name, "title": check.title, "flag": check.flag,
                               "found": len(every), "ticked": check.name in allow})  # fmt: skip
    out.members = [
        {"code": code, "name": p.subject_name or code, "ticked": code in overrides.missing}
        for code, p in sorted(invalid.items())
    ]
    return out


def _final_page(
    portal: Portal, signed: tuple[Invitation, Session], found: Checklist | None = None,
    refusal: str | None = None, supersede: bool = False, status: int = 200,
) -> Response:  # fmt: skip
    builds = [b for b in portal.builds.records() if b["final"]]
    running = [b for b in portal.builds.records() if b["status"] == "running"]
    return page(
        portal, "secretariat-final.html.j2", status=status, who=signed[0],
        csrf=csrf_token(portal, signed[1]), here="final",
        preflight=found if found is not None else checklist(portal), refusal=refusal,
        final=final_state(portal), builds=builds, running=running[0] if running else None,
        log=portal.builds.log_tail(builds[0]["build"]) if builds else [],
        supersede=supersede,
    )  # fmt: skip


@requires("secretariat", status_code=403)
def final_page(request: Request) -> Response:
    return _final_page(request.app.state.portal, signed_in(request))


@requires("secretariat", status_code=403)
async def final_start(request: Request) -> Response:
    """Start `wgreport build --final` with the ticked overrides, after running the
    preflight here: refused (409, nothing started) with the checklist while a problem is
    left that they do not override, or while a final exists and superseding it is not
    ticked."""
    from ..build.preflight import CHECK_NAMES

    found = await signed_form(request, "/secretariat/final", max_fields=len(CHECK_NAMES) + 64)
    if isinstance(found, Response):
        return found
    portal, signed, fields = found
    allow = frozenset(name for name in CHECK_NAMES if fields.get(f"allow-{name}") == "on")
    missing = tuple(
        sorted(k.removeprefix("missing-") for k, v in fields.items()
               if k.startswith("missing-") and v == "on")
    )  # fmt: skip
    supersede = fields.get("supersede") == "on"

    def start() -> Response:
        found = checklist(portal, allow, missing)
        refusal = None
        if found.error is not None:
            refusal = _("The final was not started: the preflight could not run (below).")
        elif not found.ok:
            refusal = _(
                "The final was not started: %(count)s problem(s) below are neither fixed nor "
                "overridden. Fix them, or tick the override of their check, then start it "
                "again."
            ) % {"count": found.count}
        elif final_state(portal)["exists"] and not supersede:
            refusal = _(
                "The final was not started: this edition has a final already. Tick "
                "'Replace the existing final' to build it again (--supersede)."
            )
        if refusal is not None:
            refuse(request, "final refused")
            return _final_page(portal, signed, found, refusal, supersede, status=409)
        chosen = [c["code"] for c in found.members if c["ticked"]]
        _started, busy = portal.builds.start(
            signed[0], final=True, allow=allow, missing=chosen, supersede=supersede
        )
        if busy:
            refuse(request, "a build is running")
            return _final_page(portal, signed, found, busy, supersede, status=409)
        return redirect(portal, "/secretariat/final#builds")

    return await run_in_threadpool(start)


@requires("secretariat", status_code=403)
def final_download(request: Request) -> Response:
    """The final's PDF (the secretariat's only; the public get the bundle of `publish`)."""
    portal: Portal = request.app.state.portal
    final = Outputs(portal.outputs_dir).year(portal.year).final
    if not (final.published and final.report_pdf.is_file()):
        return forbidden(portal, request, N_("There is no final yet: start it from the final's "
                         "page when its preflight is clean."), status=404)  # fmt: skip
    portal.store.audit("download", signed_in(request)[0], client=client_address(request),
                       draft="final", file=final.report_pdf.name)  # fmt: skip
    return FileResponse(final.report_pdf, media_type="application/pdf",
                        filename=f"{portal.year}-final-{final.report_pdf.name}")  # fmt: skip
