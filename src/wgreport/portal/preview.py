"""A preview of the member's own chapter, after each accepted upload (issue 38).

The chapter is laid out alone as it will print (`wgreport.build.preview`: numbered as in
the report, marked "Preview" on every page) in a child process, as the upload checker and
the builds run: `python -m wgreport.build.preview`, bounded in memory (its own limit) and
in time (stopped here after `PREVIEW_SECONDS`), never on the event loop nor in the upload's
request. At most one per member at a time, and `PREVIEWS_AT_ONCE` in all; a newer upload
supersedes the member's preview that is still being made (its process is stopped and the
newest accepted contribution is previewed instead).

Each member's preview lives in the portal's folder (`PortalFiles.preview`): `chapter.pdf`,
once ready, and `state.json` (being prepared, ready at a time, or failed and why). The
member's page shows the state; `/member/preview` shows the pages as images (pdftoppm,
through `chapters.page_png`), `/member/preview/chapter.pdf` the PDF. No URL names a
member: what is shown is the signed-in member's own preview.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.authentication import requires
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from .. import i18n
from ..layout import PortalFiles
from ..locales import N_
from ..review.deadline import edition_zone, local_time
from ..runtime.clock import utc_now_iso
from ..runtime.settings import get_settings
from .chapters import Chapter, page_images, page_png
from .files import private_dirs
from .store import Store, write_atomic
from .web import (
    Portal,
    client_address,
    forbidden,
    page,
    redirect,
    signed_form,
    signed_in,
)

#: A preview that takes longer is stopped (the 193-member group's takes about 10 s).
PREVIEW_SECONDS = 120.0
#: The address space a preview may use beyond its modules (the render worker's included).
PREVIEW_MEMORY_BYTES = 1536 * 1024 * 1024
#: Previews made at the same time, for all members (each is a process and a render worker),
#: unless $WGREPORT_PREVIEWS_AT_ONCE says otherwise (0: no previews are made).
PREVIEWS_AT_ONCE = 2
STATE = "state.json"
PDF = "chapter.pdf"
_MEMORY_EXIT = 3


@dataclass
class _Job:
    code: str
    revision: int
    out: Path
    process: subprocess.Popen[bytes] | None = None
    superseded: bool = False
    done: threading.Event = field(default_factory=threading.Event)


class Previews:
    """The previews of one edition's members: ask for one, read its state, wait for it."""

    def __init__(
        self,
        store: Store,
        year: int,
        inputs_dir: Path,
        outputs_dir: Path,
        *,
        seconds: float = PREVIEW_SECONDS,
        memory_bytes: int = PREVIEW_MEMORY_BYTES,
        at_once: int | None = None,
    ) -> None:
        self.store = store
        self.year = year
        self.inputs_dir = inputs_dir
        self.outputs_dir = outputs_dir
        self.seconds = seconds
        self.memory_bytes = memory_bytes
        self.at_once = previews_at_once() if at_once is None else at_once
        self._lock = threading.Lock()
        self._running: dict[str, _Job] = {}
        self._waiting: dict[str, int] = {}  # member → the newest revision to preview

    def folder(self, code: str) -> Path:
        return PortalFiles(self.store.folder).preview(self.year, code)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "wgreport.build.preview"]

    def request_for(self, code: str, out: Path) -> dict[str, Any]:
        settings = get_settings(self.inputs_dir, self.outputs_dir)
        return {"inputs": str(self.inputs_dir), "year": self.year, "code": code,
                "templates": str(settings.templates_dir), "cache": str(settings.cache_dir),
                "out": str(out), "memory_bytes": self.memory_bytes,
                "time_limit": self.seconds}  # fmt: skip

    # --- asking ------------------------------------------------------------------------

    def ask(self, code: str, revision: int) -> None:
        """Preview member `code`'s chapter as its accepted revision `revision` makes it: a
        preview of theirs still being made is superseded (stopped)."""
        with self._lock:
            private_dirs(self.folder(code), self.store.folder)
            self._write_state(code, {"state": "preparing", "revision": revision,
                                     "asked_at": utc_now_iso()})  # fmt: skip
            job = self._running.get(code)
            if job is not None:
                job.superseded = True
                _stop(job.process)
                del self._running[code]
            self._waiting.pop(code, None)
            self._waiting[code] = revision  # the newest last: dicts keep their order
            self._start_waiting()

    def _start_waiting(self) -> None:
        """Start the waiting previews, oldest asked first, while there is room (locked)."""
        while self._waiting and len(self._running) < self.at_once:
            code = next(iter(self._waiting))
            revision = self._waiting.pop(code)
            out = self.folder(code) / f".{revision:03d}-{os.getpid()}-{time.monotonic_ns()}.pdf"
            job = _Job(code, revision, out)
            self._running[code] = job
            try:
                job.process = subprocess.Popen(
                    self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, start_new_session=True,
                    env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                )  # fmt: skip
            except OSError as exc:
                del self._running[code]
                self._finished(job, _could_not(str(exc)))
                continue
            watcher = threading.Thread(target=self._watch, args=(job,), daemon=True,
                                       name=f"wgreport-preview-{code}")  # fmt: skip
            watcher.start()

    def _watch(self, job: _Job) -> None:
        assert job.process is not None
        request = json.dumps(self.request_for(job.code, job.out)).encode("utf-8")
        outcome: dict[str, Any]
        try:
            out, err = job.process.communicate(request, timeout=self.seconds)
        except subprocess.TimeoutExpired:
            _stop(job.process)
            job.process.communicate()
            outcome = failed(TOO_LONG, seconds=f"{self.seconds:g}")
        else:
            outcome = self._outcome(job, job.process.returncode, out, err)
        with self._lock:
            if job.superseded or self._running.get(job.code) is not job:
                with contextlib.suppress(OSError):
                    job.out.unlink()
                job.done.set()
                return
            del self._running[job.code]
            self._finished(job, outcome)
            self._start_waiting()

    def _outcome(self, job: _Job, code: int, out: bytes, err: bytes) -> dict[str, Any]:
        if code == _MEMORY_EXIT or code < 0:
            size = self.memory_bytes // 1048576
            return failed(TOO_BIG, size=size)
        try:
            result = json.loads(out) if code == 0 else None
        except ValueError:
            result = None
        if not isinstance(result, dict):
            tail = err.decode("utf-8", "replace").strip().splitlines()[-1:]
            print(f"wgreport portal: the preview of {job.code} failed: {' '.join(tail)}",
                  file=sys.stderr)  # fmt: skip
            return _could_not(" ".join(tail))
        if not result.get("ok"):
            return {"state": "failed", "reason": str(result.get("reason"))}
        return {"state": "ready", "ready_at": utc_now_iso(), "title": result.get("title"),
                "number": result.get("number"), "pages": result.get("pages"),
                "seconds": result.get("seconds")}  # fmt: skip

    def _finished(self, job: _Job, outcome: dict[str, Any]) -> None:
        """Record how the member's newest preview ended (locked)."""
        state = {**self._read_state(job.code), **outcome, "revision": job.revision}
        if outcome["state"] == "ready":
            os.replace(job.out, self.folder(job.code) / PDF)
        else:
            with contextlib.suppress(OSError):
                job.out.unlink()
            with contextlib.suppress(OSError):
                (self.folder(job.code) / PDF).unlink()
        self._write_state(job.code, state)
        self.store.audit("preview-finished", None, member=job.code, revision=job.revision,
                         year=self.year, status=outcome["state"])  # fmt: skip
        job.done.set()

    # --- reading -------------------------------------------------------------------------

    def _read_state(self, code: str) -> dict[str, Any]:
        try:
            data = json.loads((self.folder(code) / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_state(self, code: str, state: dict[str, Any]) -> None:
        write_atomic(self.folder(code) / STATE, json.dumps(state).encode("utf-8"))

    def state(self, code: str) -> dict[str, Any] | None:
        """The member's newest preview: `state` preparing, ready or failed (with `reason`),
        the revision it is of, when it was asked for and ready; None: never asked for."""
        with self._lock:
            state = self._read_state(code)
            busy = code in self._running or code in self._waiting
        if not state:
            return None
        if state.get("state") == "preparing" and not busy:
            # asked for by an earlier run of the portal, which stopped before it was ready
            return {**state, **failed(RESTARTED)}
        return state

    def ready_pdf(self, code: str) -> tuple[Path, dict[str, Any]] | None:
        """The member's preview PDF and its state, when the newest preview is ready."""
        state = self.state(code)
        path = self.folder(code) / PDF
        if state is None or state.get("state") != "ready" or not path.is_file():
            return None
        return path, state

    def wait(self, code: str, timeout: float | None = None) -> dict[str, Any] | None:
        """Wait until the member's newest preview is no longer being made (tests and the
        benchmark); its state."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                job = self._running.get(code)
                waiting = code in self._waiting
            if job is None and not waiting:
                return self.state(code)
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return self.state(code)
            if job is not None:
                job.done.wait(0.2 if left is None else min(0.2, left))
            else:
                time.sleep(0.05)


def previews_at_once() -> int:
    """$WGREPORT_PREVIEWS_AT_ONCE, or PREVIEWS_AT_ONCE: how many previews may be made at
    once (0: none, e.g. on a machine that cannot spare the memory)."""
    raw = os.environ.get("WGREPORT_PREVIEWS_AT_ONCE", "").strip()
    return max(0, int(raw)) if raw.isdigit() else PREVIEWS_AT_ONCE


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    """Stop a preview's process and its render workers (its process group)."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


#: Why a preview failed, as its state keeps it: the message (English, marked for the
#: catalogue) and its values, so that the page says it in the reader's language when it is
#: shown, whoever's request made it; `reason` keeps the English too (the state of an
#: earlier version of the portal has only that, and is shown as it is).
TOO_LONG = N_("Making the preview took longer than %(seconds)s seconds, so it was stopped. "
              "The secretariat can build a draft to see your chapter.")  # fmt: skip
TOO_BIG = N_("Making the preview needed more than %(size)s MiB of memory, so it was stopped. "
             "The secretariat can build a draft to see your chapter.")  # fmt: skip
COULD_NOT = N_("The preview could not be made (%(why)s). Make it again; if it fails again, "
               "tell the secretariat.")  # fmt: skip
RESTARTED = N_("The portal was restarted before the preview was ready. Make it again.")
REASONS = frozenset({TOO_LONG, TOO_BIG, COULD_NOT, RESTARTED})


def failed(message: str, **values: Any) -> dict[str, Any]:
    """A failed preview's state: why, as a message of `REASONS` and its values (and in
    English as `reason`)."""
    return {"state": "failed", "reason": message % values if values else message,
            "reason_message": message, "reason_values": values}  # fmt: skip


def reason(state: dict[str, Any]) -> str:
    """Why a preview failed, in the request's language: its message of `REASONS` with its
    values; a reason kept as text only (an earlier portal's, or the preview's own words)
    as it is."""
    message, values = state.get("reason_message"), state.get("reason_values")
    if message in REASONS and isinstance(values, dict):
        try:
            return i18n.gettext(str(message)) % values if values else i18n.gettext(str(message))
        except (KeyError, TypeError, ValueError):
            pass
    return str(state.get("reason") or "")


def _could_not(why: str) -> dict[str, Any]:
    return failed(COULD_NOT, why=why or "an error in wgreport")


_PREVIEWS: dict[tuple[str, int], Previews] = {}
_PREVIEWS_LOCK = threading.Lock()


def previews(portal: Portal) -> Previews:
    """The previews of the portal's edition (one per portal folder and year)."""
    key = (str(portal.store.folder), portal.year)
    with _PREVIEWS_LOCK:
        found = _PREVIEWS.get(key)
        if found is None or found.store is not portal.store:
            found = _PREVIEWS[key] = Previews(
                portal.store, portal.year, portal.inputs_dir, portal.outputs_dir
            )
        return found


# --- the library's side of the portal: after an upload, the member's page -----------------


def after_upload(portal: Portal, code: str, revision: int) -> None:
    """After member `code`'s upload `revision` is settled: preview it, in the background,
    when it was accepted. A preview that cannot be asked for never fails the upload."""
    record = portal.store.revision(portal.year, code, revision)
    if record is None or record["status"] != "accepted" or not previews(portal).at_once:
        return
    try:
        previews(portal).ask(code, revision)
    except OSError as exc:  # a full disk, say: the member's page says no preview is made
        print(f"wgreport portal: no preview of {code} revision {revision}: {exc}",
              file=sys.stderr)  # fmt: skip


def shown_time(at: str | None, zone: dt.tzinfo | None = None) -> str:
    """A time kept in UTC as the member's page shows its times: in the edition's time zone
    with its offset (`zone`), else in UTC."""
    if zone is not None:
        return local_time(at, zone)
    return (at or "").replace("T", " ")[:16] + (" UTC" if at else "")


def edition_time_zone(portal: Portal) -> dt.tzinfo:
    """The time zone of the portal's edition (UTC when its settings cannot be read)."""
    from ..errors import InputsError
    from ..inputs.edition import load_edition_setup

    try:
        edition = load_edition_setup(portal.inputs_dir, portal.year).edition
    except InputsError:
        return edition_zone(None)
    return edition_zone(edition)


def member_preview(
    portal: Portal, code: str, zone: dt.tzinfo | None = None
) -> dict[str, Any] | None:
    """What the member's page shows of its preview (`member-preview.html.j2`), its times in
    `zone` (the edition's, as every time on the member's pages); None when the portal makes
    no previews."""
    if not previews(portal).at_once:
        return None
    zone = zone if zone is not None else edition_time_zone(portal)
    state = previews(portal).state(code) or {"state": "none"}
    if state.get("state") == "failed":
        state = {**state, "reason": reason(state)}
    return {**state, "asked": shown_time(state.get("asked_at"), zone),
            "ready": shown_time(state.get("ready_at"), zone)}  # fmt: skip


def _latest_accepted(portal: Portal, code: str) -> int | None:
    accepted = [r["revision"] for r in portal.store.revisions(portal.year, code)
                if r["status"] == "accepted"]  # fmt: skip
    return max(accepted) if accepted else None


# --- the routes ---------------------------------------------------------------------------


def _own_preview(request: Request) -> tuple[Portal, str, Path, dict[str, Any]] | Response:
    portal: Portal = request.app.state.portal
    code = str(signed_in(request)[0].member)
    found = previews(portal).ready_pdf(code)
    if found is None:
        state = previews(portal).state(code) or {}
        if state.get("state") == "failed":
            return forbidden(portal, request, N_("Your preview could not be made: %(why)s"),
                             status=404, why=reason(state))  # fmt: skip
        why = {
            "preparing": N_("Your preview is being prepared: it is ready in a few seconds. "
                            "Open your page again then."),
        }.get(str(state.get("state")), N_("There is no preview of your chapter yet: it is "
                                          "made after each accepted upload."))  # fmt: skip
        return forbidden(portal, request, why, status=404)
    return portal, code, *found


@requires("member", status_code=403)
async def preview_page(request: Request) -> Response:
    """The member's preview: its state, the PDF's link, and its pages as images."""
    portal: Portal = request.app.state.portal
    who, session = signed_in(request)
    from .web import csrf_token

    code = str(who.member)
    view = await run_in_threadpool(member_preview, portal, code)
    if view is None:
        return forbidden(portal, request, N_("This portal makes no previews of chapters."), 404)
    return page(portal, "member-preview-page.html.j2", who=who, code=code, preview=view,
                images=view.get("state") == "ready" and page_images(),
                csrf=csrf_token(portal, session), standalone=True)  # fmt: skip


@requires("member", status_code=403)
async def preview_pdf(request: Request) -> Response:
    found = await run_in_threadpool(_own_preview, request)
    if isinstance(found, Response):
        return found
    portal, code, path, state = found
    data = await run_in_threadpool(path.read_bytes)
    await run_in_threadpool(
        portal.store.audit, "download", signed_in(request)[0], client=client_address(request),
        file="preview/chapter.pdf", revision=state.get("revision"),
    )  # fmt: skip
    name = f"{portal.year}-{code}-chapter-preview-{state.get('revision', 0):03d}.pdf"
    return Response(data, media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{name}"'})  # fmt: skip


@requires("member", status_code=403)
async def preview_image(request: Request) -> Response:
    raw = str(request.path_params.get("page", ""))
    found = await run_in_threadpool(_own_preview, request)
    if isinstance(found, Response):
        return found
    portal, code, path, state = found
    pages = int(state.get("pages") or 0)
    number = int(raw) if raw.isdigit() and len(raw) <= 5 else 0
    chapter = Chapter(0, code, str(state.get("title") or ""), 1, max(pages, 1), path)
    image = await run_in_threadpool(page_png, chapter, number) if 1 <= number <= pages else None
    if image is None:
        return forbidden(portal, request, N_("There is no image of that page: your preview has "
                         "%(pages)s pages."), status=404, pages=pages)  # fmt: skip
    return Response(image, media_type="image/png")


@requires("member", status_code=403)
async def preview_again(request: Request) -> Response:
    """Make the member's preview again (after a failure), from its newest accepted upload."""
    found = await signed_form(request, "/member/preview", max_fields=2)
    if isinstance(found, Response):
        return found
    portal, (who, _), _ = found
    code = str(who.member)
    revision = await run_in_threadpool(_latest_accepted, portal, code)
    if revision is None:
        return forbidden(portal, request, N_("You have no accepted upload to preview: upload "
                         "your contribution first."), status=409)  # fmt: skip
    await run_in_threadpool(previews(portal).ask, code, revision)
    await run_in_threadpool(portal.store.audit, "preview-asked", who,
                            client=client_address(request), revision=revision)  # fmt: skip
    return redirect(portal, "/member/preview")
