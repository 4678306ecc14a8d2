"""Starting a flow build from the command line: the Prefect environment first, then the flow.

Imports no Prefect at module level: Prefect reads its settings from the environment when
it is first imported, so `configure_prefect_environment` must run before.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from ..build.publish import Published
from ..build.steps import BuildRequest
from ..errors import ClusterError
from ..layout import Outputs
from ..render.pdf.report import start_render_workers
from ..runtime import background, warm
from ..runtime.settings import Settings, configure_prefect_environment, quiet_prefect_console

if TYPE_CHECKING:
    from ..build.audit import BuildEntry
    from .watchdog import ApiWatch


def build_with_prefect(settings: Settings, request: BuildRequest, *, verbose: bool) -> Published:
    """`wgreport build`: the annual-report flow on the embedded default (or the Prefect API
    that PREFECT_API_URL names), on the Dask cluster of `settings.dask_address` if any."""
    configure_prefect_environment(settings, temporary_server=True)
    if not verbose:
        # The CLI shows the stages and prints errors itself (a known refusal as one line,
        # anything else with its traceback); Prefect's log lines still reach its UI.
        quiet_prefect_console()
    check_cluster_first(settings, request)
    # The render workers' server imports WeasyPrint (1 to 1.5 s) while this process imports
    # Prefect and the flow runs its first steps: the PDF stage then finds them ready, which
    # a one-member rebuild, whose other steps take a second, otherwise waits for.
    start_render_workers(settings.dask_address)
    explicit = bool(os.environ.get("PREFECT_API_URL"))
    with (
        prefect_api(),
        settings_read_again(),
        terminated_as_exception(),
        watched_api(settings, request, explicit),
        heartbeats_only_for(explicit),
    ):
        from .annual_report import annual_report_on

        result: Published = annual_report_on(settings.dask_address)(
            year=request.year,
            final=request.final,
            allow_missing=list(request.allow_missing),
            supersede=request.supersede,
            allow_open_comments=request.allow_open_comments,
            allow=list(request.allow),
            languages=list(request.languages),
            inputs_dir=str(settings.inputs_dir),
            outputs_dir=str(settings.outputs_dir),
            render_workers=settings.render_workers,
            dask_address=settings.dask_address,
        )
    return result


@contextlib.contextmanager
def prefect_api() -> Iterator[None]:
    """The Prefect API a flow run reports to: PREFECT_API_URL when set; else the project's
    background server (background.py), started on first use and held for the run; else,
    when that cannot start or WGREPORT_PREFECT_SERVER=temporary, Prefect's temporary server.
    Runs before Prefect is imported."""
    if os.environ.get("PREFECT_API_URL") or background.mode() == "temporary":
        yield
        return
    home = Path(os.environ["PREFECT_HOME"])
    with background.held(home):  # held from the start: not stopped while it starts either
        server = background.running(home)
        if server is None:
            sys.stderr.write(
                "Starting the background Prefect server (once; it stops after "
                f"{background.idle_seconds() / 60:g} min without a build)...\n"
            )
            try:
                server = background.ensure(home)
            except (OSError, RuntimeError) as exc:
                sys.stderr.write(f"wgreport: {exc}; this build uses a temporary server\n")
        if server is None:
            yield
            return
        os.environ["PREFECT_API_URL"] = server.api_url
        try:
            yield
        finally:
            os.environ.pop("PREFECT_API_URL", None)


@contextlib.contextmanager
def settings_read_again() -> Iterator[None]:
    """In a build the warm builder forked (runtime/warm.py), Prefect was imported before
    this build's environment was: read its settings from the environment again, now that
    `prefect_api` has set its API, as a fresh process's first import of Prefect does here.
    Nothing otherwise (a test harness's settings stay)."""
    if warm.in_builder():
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()
    yield


@contextlib.contextmanager
def heartbeats_only_for(explicit: bool) -> Iterator[None]:
    """Flow-run heartbeats only to a Prefect API the user named (PREFECT_API_URL).

    A heartbeat (every 180 s by default) lets a server's automation mark a run whose
    process died as crashed. The project's background server and Prefect's temporary
    server run without automations (settings.TEMPORARY_SERVER), so nothing reads them
    there; and Prefect's heartbeat thread sleeps in steps of one second, which the end of
    every run waits for (0 to 1 s, half a second on average: a sixth of a one-member
    rebuild of the demo). On those servers the run has none; a server of the user's keeps
    them. Enters after `prefect_api`, before the flow is imported: imports Prefect."""
    if explicit:
        yield
        return
    from prefect.settings import temporary_settings

    with temporary_settings(updates={"flows.heartbeat_frequency": None}):
        yield


def check_cluster_first(settings: Settings, request: BuildRequest) -> None:
    """With a Dask address, fail on a cluster that does not answer before Prefect's server
    starts (11-27 s), and record it in builds.log as the flow records its failures (the
    flow checks again, with the Prefect API its workers must reach)."""
    if not settings.dask_address:
        return
    from ..build.audit import recorded_build
    from ..build.plan import build_parameters
    from ..runtime.cluster import check_cluster

    try:
        check_cluster(settings.dask_address)
    except ClusterError as exc:
        parameters = build_parameters(
            settings, request.year, request.final, request.allow_missing, request.supersede,
            request.allow_open_comments, request.allow,
        )  # fmt: skip
        with (
            contextlib.suppress(ClusterError),
            recorded_build(
                Outputs(settings.outputs_dir).year(request.year).folder, parameters, via="prefect"
            ),
        ):
            raise exc from None
        raise


class BuildTerminated(SystemExit):
    """The build was sent SIGTERM: recorded in builds.log as `interrupted`."""


def stop_render_workers() -> None:
    """Kill this process's render workers now (if a render ever started here)."""
    workers = sys.modules.get("wgreport.render.pdf.workers")
    if workers is not None:
        workers.stop_workers()


@contextlib.contextmanager
def terminated_as_exception() -> Iterator[None]:
    """While the build runs, SIGTERM kills its render workers and raises BuildTerminated,
    so that the build ends as an interrupted one: its line in builds.log, Prefect's
    temporary server stopped. (While the flow runs, Prefect's own handler turns SIGTERM
    into its TerminationSignal first, then sends it again to this one.) A second SIGTERM
    ends the process at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        stop_render_workers()
        raise BuildTerminated("the build was stopped by SIGTERM")

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


#: The watch of the last build's Prefect API, and whether the user named that API
#: (PREFECT_API_URL) or it is the project's background server; None for Prefect's
#: temporary server, which lives in this process's care.
_watched: tuple[ApiWatch, bool] | None = None


def api_lost_message(api_url: str, explicit: bool) -> str:
    """What to print when the Prefect API of a build stopped answering."""
    if explicit:
        return (
            f"the Prefect API at {api_url} (PREFECT_API_URL) stopped answering during the "
            "build; nothing was published. Start that server again (wgreport server) or "
            "unset PREFECT_API_URL to use the project's background server, then build again."
        )
    return (
        f"the project's background Prefect server at {api_url} stopped answering during "
        "the build; nothing was published. Build again: a new one starts."
    )


def lost_api() -> str | None:
    """After a build failed: what to say if the Prefect API it reported to does not
    answer now (the likely cause), else None."""
    if _watched is None:
        return None
    watch, explicit = _watched
    if background.healthy(watch.api_url):
        return None
    if watch.published:
        return (
            f"the Prefect API at {watch.api_url} stopped answering at the end of the build, "
            "after it had published (see builds.log); the run's record in Prefect is "
            "incomplete."
        )
    return api_lost_message(watch.api_url, explicit)


@contextlib.contextmanager
def watched_api(settings: Settings, request: BuildRequest, explicit: bool) -> Iterator[None]:
    """Watch the build's Prefect API (watchdog.py) when it is a server of its own; when it
    stops answering, stop the build: a `failed` line in builds.log, one line on stderr,
    the render workers killed, exit status 1. Nothing is half-written: the watch never
    stops a build while it publishes, and a build does not publish without the API."""
    global _watched
    _watched = None
    api_url = os.environ.get("PREFECT_API_URL")
    if not api_url:
        yield
        return
    from ..build.audit import BuildEntry
    from .watchdog import ApiWatch

    entry = BuildEntry(year=request.year, via="prefect", parameters={})

    def on_lost() -> None:
        message = api_lost_message(api_url, explicit)
        _record_lost(settings, request, entry, message)
        stop_render_workers()
        _release_semaphores()
        tty = sys.stderr.isatty()
        sys.stderr.write(f"{chr(27) + '[?25h' if tty else ''}\nwgreport: error: {message}\n")
        sys.stderr.flush()
        os._exit(1)

    watch = ApiWatch(api_url, on_lost)
    _watched = (watch, explicit)
    with watch:
        yield


def _record_lost(
    settings: Settings, request: BuildRequest, entry: BuildEntry, message: str
) -> None:
    from ..build.audit import append_unlocked
    from ..build.plan import build_parameters

    parameters = build_parameters(
        settings, request.year, request.final, request.allow_missing, request.supersede,
        request.allow_open_comments, request.allow,
    )  # fmt: skip
    error = f"PrefectApiLost: {message.split(';')[0]}"
    year_dir = Outputs(settings.outputs_dir).year(request.year).folder
    append_unlocked(year_dir, entry, parameters, error)


def _release_semaphores() -> None:
    """Before os._exit: let multiprocessing release the render pools' semaphores, which
    its resource tracker would otherwise report as leaked on stderr, after our message."""
    from multiprocessing import util

    run_finalizers = getattr(util, "_run_finalizers", None)  # run at a normal exit
    if run_finalizers is not None:
        with contextlib.suppress(Exception):
            run_finalizers(0)
