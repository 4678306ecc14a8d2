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

from .. import background
from ..errors import ClusterError
from ..publish import Published
from ..settings import Settings, configure_prefect_environment
from ..steps import BuildRequest


def build_with_prefect(settings: Settings, request: BuildRequest, *, verbose: bool) -> Published:
    """`wgreport build`: the annual-report flow on the embedded default (or the Prefect API
    that PREFECT_API_URL names), on the Dask cluster of `settings.dask_address` if any."""
    configure_prefect_environment(settings, temporary_server=True)
    if not verbose:
        # The CLI shows the stages and prints errors itself (a known refusal as one line,
        # anything else with its traceback); Prefect's log lines still reach its UI.
        for handler in ("CONSOLE", "CONSOLE_FLOW_RUNS", "CONSOLE_TASK_RUNS"):
            os.environ.setdefault(f"PREFECT_LOGGING_HANDLERS_{handler}_LEVEL", "CRITICAL")
    check_cluster_first(settings, request)
    with prefect_api(), terminated_as_exception():
        from .annual_report import annual_report_on

        result: Published = annual_report_on(settings.dask_address)(
            year=request.year,
            final=request.final,
            allow_missing=list(request.allow_missing),
            supersede=request.supersede,
            allow_open_comments=request.allow_open_comments,
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


def check_cluster_first(settings: Settings, request: BuildRequest) -> None:
    """With a Dask address, fail on a cluster that does not answer before Prefect's server
    starts (11-27 s), and record it in builds.log as the flow records its failures (the
    flow checks again, with the Prefect API its workers must reach)."""
    if not settings.dask_address:
        return
    from ..audit import recorded_build
    from ..cluster import check_cluster
    from ..plan import build_parameters

    try:
        check_cluster(settings.dask_address)
    except ClusterError as exc:
        parameters = build_parameters(
            settings, request.year, request.final, request.allow_missing, request.supersede,
            request.allow_open_comments,
        )  # fmt: skip
        with (
            contextlib.suppress(ClusterError),
            recorded_build(settings.outputs_dir / str(request.year), parameters, via="prefect"),
        ):
            raise exc from None
        raise


class BuildTerminated(SystemExit):
    """The build was sent SIGTERM: recorded in builds.log as `interrupted`."""


def stop_render_workers() -> None:
    """Kill this process's render workers now (if a render ever started here)."""
    schedule = sys.modules.get("wgreport.pdf.schedule")
    if schedule is not None:
        schedule.stop_workers()


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
