"""The yearly report flows: `wgreport.build.steps` run as Prefect tasks.

`annual_report` is `steps.run_build` with `PrefectRunner`, which runs each step of
`steps.STEPS` as a task and adds only orchestration: retries on the steps that touch the
file system, validation mapped across members, caching keyed on the digests of the input
files (caching.py), artifacts for the Prefect UI, and run history. `collect_status`: who
has submitted, on its own.

With a Dask cluster (`dask_address`), `annual_report_on(address)` gives the flow
prefect-dask's DaskTaskRunner, so the mapped validation runs on the cluster's workers, and
the render-pdf step lays out a draft's chapters there (wgreport.render.pdf.report).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

from prefect import Flow, Task, flow, get_run_logger, task, unmapped
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import NO_CACHE, CachePolicy
from prefect.utilities.annotations import quote

from wgreport.build.publish import Published
from wgreport.build.steps import (
    PUBLISH,
    STEPS,
    VALIDATE,
    BuildRequest,
    Step,
    run_build,
    validate_edition,
)
from wgreport.content.aggregate import Frames
from wgreport.errors import WgreportError
from wgreport.flows import watchdog
from wgreport.flows.caching import BY_EDITION_FILES, BY_MEMBER_FILES
from wgreport.inputs.edition import LoadedEdition, load_edition_setup
from wgreport.layout import Draft
from wgreport.review.messages import Letterhead
from wgreport.review.notices import Notice, deliver, draft_ready_notices, due_reminders
from wgreport.review.status import StatusReport, status_markdown, status_report
from wgreport.runtime.cluster import CONNECT_TIMEOUT_SECONDS, check_cluster
from wgreport.runtime.mail import Mailer
from wgreport.runtime.settings import Settings, get_settings

P = ParamSpec("P")
R = TypeVar("R")

# Steps that touch the file system are retried: a network share can hiccup.
RETRIES = 2
RETRY_DELAY = 1

_POLICIES: dict[str | None, CachePolicy] = {
    None: NO_CACHE,
    "member": BY_MEMBER_FILES,
    "edition": BY_EDITION_FILES,
}
_RUN_NAMES = {VALIDATE.name: "validate-{path.stem}"}


def _as_task(step: Step[..., Any]) -> Task[..., Any]:
    """A step as a Prefect task: its name, its retries and its cache, nothing else."""
    options: dict[str, Any] = {
        "name": step.name,
        "cache_policy": _POLICIES[step.cache],
        "persist_result": step.cache is not None,
    }
    if step.io:
        options.update(retries=RETRIES, retry_delay_seconds=RETRY_DELAY)
    if step.name in _RUN_NAMES:
        options["task_run_name"] = _RUN_NAMES[step.name]
    return task(step.fn, **options)


#: The build's steps (wgreport.build.steps.STEPS) as Prefect tasks, by step name.
TASKS: dict[str, Task[..., Any]] = {step.name: _as_task(step) for step in STEPS}


class PrefectRunner:
    """Runs `wgreport.build.steps.run_build` with each step a Prefect task: mapped validation
    (on a Dask cluster with the flow's DaskTaskRunner), cached and retried steps, and the
    run's artifacts."""

    via = "prefect"

    def run(self, step: Step[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        # The steps pass plain values, never futures: quoted, Prefect does not walk them
        # (the loaded edition, the frames, the context, the HTML) twice per task looking
        # for futures to wait on (0.46 s of the demo build's 9 tasks). The task gets the
        # values themselves, and the cache keys see them too.
        task_ = TASKS[step.name]
        quoted = [quote(a) for a in args]
        named = {k: quote(v) for k, v in kwargs.items()}
        if step.name == PUBLISH.name:  # never while the Prefect API is gone (watchdog.py)
            with watchdog.publishing():
                return cast(R, task_(*quoted, **named))
        return cast(R, task_(*quoted, **named))

    def map(self, step: Step[..., R], shared: Any, items: Sequence[Any]) -> list[R]:
        futures = TASKS[step.name].map(unmapped(shared), list(items))
        return cast(list[R], futures.result())

    def run_id(self) -> str | None:
        from prefect.runtime import flow_run

        run_id = flow_run.get_id()
        return str(run_id) if run_id else None

    def on_cluster(self, dask_address: str | None) -> contextlib.AbstractContextManager[None]:
        return on_cluster(dask_address)

    def validated(self, loaded: LoadedEdition) -> None:
        publish_status_artifact(loaded)
        for status in loaded.status:
            if not status.valid:
                get_run_logger().warning(
                    "%s: %s, left out of the report", status.code, status.label
                )

    def aggregated(self, loaded: LoadedEdition, frames: Frames) -> None:
        publish_indicator_artifact(loaded, frames)

    def left_out(self, message: str) -> None:
        get_run_logger().warning("%s", message)

    def published(self, result: Published) -> None:
        year = result.manifest["year"]
        publish_link_artifacts(result.folder, year, result.label)
        get_run_logger().info(
            "%s of %d: %d pages, %d members", result.label, year, result.manifest["pages"],
            len(result.manifest["members_included"]),
        )  # fmt: skip


def _settings(
    inputs_dir: str | None,
    outputs_dir: str | None,
    render_workers: int | None = None,
    dask_address: str | None = None,
) -> Settings:
    return get_settings(
        Path(inputs_dir) if inputs_dir else None,
        Path(outputs_dir) if outputs_dir else None,
        render_workers,
        dask_address,
    )


def _current_edition(settings: Settings) -> tuple[int, str]:
    """The edition a run without `year` works on, and why (review.cycle.current_edition)."""
    from wgreport.review.cycle import current_edition
    from wgreport.runtime.clock import build_time

    return current_edition(settings.inputs_dir, settings.outputs_dir, build_time().date())


def annual_report_on(dask_address: str | None) -> Flow[..., Published]:
    """The annual-report flow, with its mapped tasks on the Dask cluster at `dask_address`
    (prefect-dask's DaskTaskRunner); the flow as it is for None. Call it with the same
    `dask_address`, which also sends a draft's chapters there."""
    if not dask_address:
        return annual_report
    from prefect.futures import PrefectFuture
    from prefect.task_runners import TaskRunner
    from prefect_dask.task_runners import DaskTaskRunner

    runner = DaskTaskRunner(
        address=dask_address, client_kwargs={"timeout": CONNECT_TIMEOUT_SECONDS}
    )
    # its futures are PrefectFutures; TaskRunner's type parameter is invariant
    return annual_report.with_options(task_runner=cast(TaskRunner[PrefectFuture[Any]], runner))


@contextlib.contextmanager
def on_cluster(dask_address: str | None) -> Iterator[None]:
    """Check the cluster before the build uses it, and name this run's Prefect API in the
    settings that tasks take to the cluster's workers.

    Without PREFECT_API_URL, Prefect starts its temporary server inside this process and
    names it in no setting: a task on a Dask worker would then start a temporary server of
    its own (40 s per worker, measured) and report to that instead.
    """
    if not dask_address:
        yield
        return
    from prefect.context import FlowRunContext
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect_dask.task_runners import DaskTaskRunner

    context = FlowRunContext.get()
    api = PREFECT_API_URL.value() or (str(context.client.api_url) if context else None)
    threads = check_cluster(dask_address, api)
    logger = get_run_logger()
    logger.info("Dask cluster at %s: %d worker threads", dask_address, threads)
    runner = context.task_runner if context else None
    if not (isinstance(runner, DaskTaskRunner) and runner.address == dask_address):
        logger.warning(
            "this run's task runner is not a DaskTaskRunner at %s: contributions are "
            "validated on this machine, only the chapters go to the cluster "
            "(start the flow with flows.annual_report.annual_report_on(address))",
            dask_address,
        )
    with temporary_settings({PREFECT_API_URL: api}):
        yield


def _artifact_key(kind: str, year: int) -> str:
    return f"wgreport-{year}-{kind}"


def publish_status_artifact(loaded: LoadedEdition) -> None:
    create_markdown_artifact(
        key=_artifact_key("status", loaded.year),
        markdown=status_markdown(loaded),
        description=f"Validation summary and submission status of the {loaded.year} edition",
    )


def publish_indicator_artifact(loaded: LoadedEdition, frames: Frames) -> None:
    rows: list[dict[str, Any]] = []
    values = frames.values
    for member in loaded.working_group.members:
        row: dict[str, Any] = {"member": member.code, "name": member.name}
        for indicator in loaded.working_group.indicators:
            match = values[
                (values["member"] == member.code) & (values["indicator"] == indicator.id)
            ]
            value = match["value"].iloc[0] if len(match) else None
            row[indicator.id] = None if value is None or value != value else float(value)
        rows.append(row)
    create_table_artifact(
        key=_artifact_key("indicators", loaded.year),
        table=rows,
        description=f"Indicator matrix of the {loaded.year} edition (member × indicator)",
    )


def publish_link_artifacts(folder: Path, year: int, label: str) -> None:
    draft = Draft(folder)
    for kind, path in (("pdf", draft.report_pdf), ("html", draft.report_html)):
        create_link_artifact(
            key=_artifact_key(kind, year),
            link=path.resolve().as_uri(),
            link_text=f"{label}: {path.name}",
            description=f"The newest {year} report ({label}) as {kind.upper()}",
        )


@flow(name="annual-report", log_prints=True)
def annual_report(
    year: int | None = None,
    final: bool = False,
    allow_missing: list[str] = [],  # noqa: B006 - Prefect copies parameters per run
    supersede: bool = False,
    inputs_dir: str | None = None,
    outputs_dir: str | None = None,
    render_workers: int | None = None,
    dask_address: str | None = None,
    allow_open_comments: bool = False,
    allow: list[str] = [],  # noqa: B006 - Prefect copies parameters per run
    languages: list[str] = [],  # noqa: B006 - Prefect copies parameters per run
) -> Published:
    """Build the report of `year`; return its folder and manifest (what the CLI prints).

    - `year`: the edition; `None` means the current one (open or in review: the newest
      edition without a final, `review.cycle.current_edition`), which the log names.
    - `final`: publish `outputs/<year>/final/` (tagged PDF/UA-1, no draft mark) instead of
      a new numbered draft. Refused unless every expected member is valid.
    - `allow_missing`: member codes a final may be published without (recorded in the
      manifest and stated in the report).
    - `allow_open_comments`: publish a final although review comments are unresolved
      (recorded in the manifest); without it such a final is refused.
    - `allow`: the checks of a final's preflight to let through, by name
      (`placeholders`, `front-matter`, `dates`, `late-sources`, `example-links`; recorded
      in the manifest and stated in the report's imprint); without them, a final with any
      problem is refused before anything renders, with every problem listed.
    - `languages`: the report's other languages (`ko`): report.<lang>.pdf and
      report.<lang>.html beside the English files, in the same draft.
    - `supersede`: replace an existing final, keeping it as `final-superseded-<time>/`.
    - `inputs_dir`, `outputs_dir`: override the project's `inputs/` and `outputs/`.
    - `render_workers`: processes for a draft's PDF (1: one pass; 0: auto; None: the
      setting, $WGREPORT_RENDER_WORKERS).
    - `dask_address`: the scheduler of a Dask cluster (tcp://HOST:8786; None: the setting,
      $WGREPORT_DASK_ADDRESS) that lays out a draft's chapters, and validates the
      contributions when the flow runs with its DaskTaskRunner (`annual_report_on`).
    """
    settings = _settings(inputs_dir, outputs_dir, render_workers, dask_address)
    if year is None:
        year, why = _current_edition(settings)
        get_run_logger().info("no year given: %s", why)
    request = BuildRequest(
        year, final, tuple(allow_missing), supersede, allow_open_comments, tuple(allow),
        tuple(languages),
    )  # fmt: skip
    published = run_build(settings, request, PrefectRunner())
    if not final:
        try:
            announce_draft(settings, year, int(published.manifest["draft"]))
        except WgreportError as exc:  # the draft is published: a failed e-mail is a warning
            get_run_logger().warning("draft ready: reviewers not told: %s", exc)
    return published


def send_notices(settings: Settings, notices: list[Notice], what: str) -> None:
    """Send `notices` and log each outcome; an e-mail that cannot go out is a warning (its
    message is kept in the outbox), never a failed run."""
    logger = get_run_logger()
    mailer = Mailer.from_settings(settings)
    for delivery in deliver(mailer, notices):
        who = delivery.notice.who
        if delivery.ok:
            logger.info("%s to %s (%s): %s", what, who, delivery.notice.why, delivery.where)
        else:
            logger.warning("%s to %s not sent: %s", what, who, delivery.error)


def announce_draft(settings: Settings, year: int, draft: int) -> None:
    """ "Draft N is ready" to the reviewers of the edition's review files (not for a final)."""
    setup = load_edition_setup(settings.inputs_dir, year)
    head = Letterhead.of(setup.working_group, setup.edition, settings.mail)
    notices = draft_ready_notices(settings.inputs_dir, head, draft)
    if not notices:
        get_run_logger().info("draft %d: no reviewer has an e-mail address to tell", draft)
    send_notices(settings, notices, f"draft {draft} is ready")


@flow(name="collect-status", log_prints=True)
def collect_status(
    year: int | None = None,
    inputs_dir: str | None = None,
    remind: bool = True,
    outputs_dir: str | None = None,
) -> StatusReport:
    """Who has submitted the `year` edition, and whether it is valid; also an artifact.

    - `remind`: e-mail a reminder to each expected member that is overdue or whose
      contribution is not valid (over SMTP when configured, else into the outbox).
    - `outputs_dir`: the outputs folder, whose `outbox/` keeps unsent e-mails.
    """
    settings = _settings(inputs_dir, outputs_dir)
    if year is None:
        year, why = _current_edition(settings)
        get_run_logger().info("no year given: %s", why)
    loaded = validate_edition(settings, year, PrefectRunner())
    publish_status_artifact(loaded)
    if remind:
        head = Letterhead.of(loaded.working_group, loaded.edition, settings.mail)
        send_notices(settings, due_reminders(loaded, head), "reminder")
    return status_report(loaded)
