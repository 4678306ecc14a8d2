"""The yearly report flows.

`annual_report`: discover → validate each member (mapped) → aggregate → charts → HTML →
PDF → publish a draft or the final. `collect_status`: who has submitted, on its own.

Tasks wrap library functions and add only orchestration: retries on the steps that touch
the file system, parallel validation across members, caching keyed on the digests of the
input files (flows/caching.py), artifacts for the Prefect UI, and run history.

With a Dask cluster (`dask_address`), `annual_report_on(address)` gives the flow
prefect-dask's DaskTaskRunner, so the mapped validation runs on the cluster's workers, and
the render-pdf task lays out a draft's chapters there (pipeline.render_pdf_report).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from prefect import Flow, flow, get_run_logger, task, unmapped
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import NO_CACHE

from flows.caching import BY_EDITION_FILES, BY_MEMBER_FILES
from wgreport import pipeline, render
from wgreport.aggregate import Frames
from wgreport.audit import recorded_build
from wgreport.charts import Chart
from wgreport.cluster import CONNECT_TIMEOUT_SECONDS, check_cluster
from wgreport.comments import Reviews
from wgreport.context import BuildInfo, ReportContext
from wgreport.errors import InputsError, PartsTimedOut
from wgreport.inputs import (
    EditionFiles,
    LoadedEdition,
    assemble_edition,
    check_contribution,
    due_edition,
    edition_context,
    find_edition_files,
    first_error,
    load_group_and_edition,
)
from wgreport.issues import FileReport
from wgreport.models import Edition, WorkingGroup
from wgreport.pages import write_review_page
from wgreport.progress import stage
from wgreport.publish import check_final_slot, publish_build
from wgreport.settings import Settings, get_settings
from wgreport.status import status_markdown, status_rows
from wgreport.validation import ContributionResult

# Steps that touch the file system are retried: a network share can hiccup.
RETRIES = 2
RETRY_DELAY = 1


@task(
    name="discover-inputs", cache_policy=NO_CACHE, retries=RETRIES, retry_delay_seconds=RETRY_DELAY
)
def discover_inputs(inputs_dir: Path, year: int) -> EditionFiles:
    return find_edition_files(inputs_dir, year)


@task(
    name="load-group-and-edition",
    cache_policy=NO_CACHE,
    retries=RETRIES,
    retry_delay_seconds=RETRY_DELAY,
)
def load_setup(
    files: EditionFiles,
) -> tuple[WorkingGroup | None, Edition | None, list[FileReport]]:
    return load_group_and_edition(files)


@task(
    name="validate-contribution",
    task_run_name="validate-{path.stem}",
    cache_policy=BY_MEMBER_FILES,
    persist_result=True,
    retries=RETRIES,
    retry_delay_seconds=RETRY_DELAY,
)
def validate_member(
    files: EditionFiles, wg: WorkingGroup, edition: Edition, path: Path
) -> ContributionResult:
    return check_contribution(files, edition_context(files, wg, edition), path)


@task(
    name="aggregate",
    cache_policy=BY_EDITION_FILES,
    persist_result=True,
    retries=RETRIES,
    retry_delay_seconds=RETRY_DELAY,
)
def aggregate(loaded: LoadedEdition) -> tuple[int | None, Frames]:
    return pipeline.compute_frames(loaded)


# Cached by Prefect while the edition's files are unchanged, and below that by the library,
# by the digest of the tables the charts are drawn from: a member's text changes no chart.
@task(name="make-charts", cache_policy=BY_EDITION_FILES, persist_result=True)
def make_charts(
    loaded: LoadedEdition, frames: Frames, with_change: bool, cache_dir: Path | None = None
) -> list[Chart]:
    return pipeline.cached_charts(frames, loaded.working_group, with_change, cache_dir)


@task(name="load-reviews", cache_policy=NO_CACHE, retries=RETRIES, retry_delay_seconds=RETRY_DELAY)
def load_reviews(loaded: LoadedEdition, outputs_dir: Path) -> Reviews:
    return pipeline.read_reviews(loaded, outputs_dir)


@task(name="build-context", cache_policy=NO_CACHE, retries=RETRIES, retry_delay_seconds=RETRY_DELAY)
def build_context(
    loaded: LoadedEdition,
    build: BuildInfo,
    frames: Frames,
    figures: list[Chart],
    prev_year: int | None,
    reviews: Reviews,
) -> ReportContext:
    return pipeline.make_context(loaded, build, frames, figures, prev_year, reviews)


@task(name="render-html", cache_policy=NO_CACHE)
def render_html(ctx: ReportContext, templates_dir: Path) -> str:
    return render.render_html(ctx, templates_dir)


@task(name="render-pdf", cache_policy=NO_CACHE)
def render_pdf(
    ctx: ReportContext,
    html: str,
    templates_dir: Path,
    image_roots: list[Path],
    data: dict[str, bytes],
    workers: int = 1,
    cache_dir: Path | None = None,
    time_limit: float | None = None,
    dask_address: str | None = None,
    document_time_limit: float | None = None,
) -> pipeline.RenderedReport:
    return pipeline.render_pdf_report(
        ctx,
        html,
        templates_dir,
        image_roots=image_roots,
        data=data,
        workers=workers,
        cache_dir=cache_dir,
        time_limit=time_limit,
        dask_address=dask_address,
        document_time_limit=document_time_limit,
    )


@task(name="publish", cache_policy=NO_CACHE, retries=RETRIES, retry_delay_seconds=RETRY_DELAY)
def publish(
    outputs_dir: Path,
    loaded: LoadedEdition,
    rendered: pipeline.RenderedReport,
    data: dict[str, bytes],
    manifest: dict[str, object],
    number: int | None,
    supersede: bool = False,
) -> Path:
    files = pipeline.output_files(loaded, rendered, data)
    return publish_build(
        outputs_dir, loaded.year, number, files, dict(manifest), supersede=supersede
    )


@task(name="review-page", cache_policy=NO_CACHE, retries=RETRIES, retry_delay_seconds=RETRY_DELAY)
def review_page(year_dir: Path, templates_dir: Path) -> Path:
    return write_review_page(year_dir, templates_dir)


def render_edition(
    settings: Settings, loaded: LoadedEdition, build: BuildInfo
) -> tuple[pipeline.RenderedReport, dict[str, bytes]]:
    """Aggregate, chart and render (each step a task): the report and its data files."""
    stage("aggregate")
    prev_year, frames = aggregate(loaded)
    publish_indicator_artifact(loaded, frames)
    stage("charts")
    figures = make_charts(loaded, frames, prev_year is not None, settings.charts_cache)
    reviews = load_reviews(loaded, settings.outputs_dir)
    ctx = build_context(loaded, build, frames, figures, prev_year, reviews)
    data = {
        **pipeline.data_files(frames, ctx),
        **pipeline.comment_files(ctx, reviews, settings.templates_dir),
    }
    stage("html")
    html = render_html(ctx, settings.templates_dir)
    stage("pdf")
    rendered = render_pdf(
        ctx,
        html,
        settings.templates_dir,
        pipeline.image_folders(loaded),
        data,
        settings.render_workers,
        settings.parts_cache,
        settings.chapter_time_limit,
        settings.dask_address,
        settings.document_time_limit,
    )
    return rendered, data


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


def annual_report_on(dask_address: str | None) -> Flow[..., str]:
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


def validate_edition(settings: Settings, year: int) -> LoadedEdition:
    """Discover the edition, validate every contribution in parallel, assemble the result."""
    stage("discover", str(year))
    files = discover_inputs(settings.inputs_dir, year)
    wg, edition, reports = load_setup(files)
    if wg is None or edition is None:
        raise InputsError(first_error(reports))
    stage("validate", f"{len(files.contributions)} files")
    futures = validate_member.map(
        unmapped(files), unmapped(wg), unmapped(edition), list(files.contributions)
    )
    # A cached result carries the path it was made from; give it this run's path.
    results = [
        dataclasses.replace(r, path=p)
        for r, p in zip(futures.result(), files.contributions, strict=True)
    ]
    return assemble_edition(files, wg, edition, reports, results)


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
    for kind, name in (("pdf", "report.pdf"), ("html", "report.html")):
        create_link_artifact(
            key=_artifact_key(kind, year),
            link=(folder / name).resolve().as_uri(),
            link_text=f"{label}: {name}",
            description=f"The newest {year} report ({label}) as {kind.upper()}",
        )


def _flow_run_id() -> str | None:
    from prefect.runtime import flow_run

    run_id = flow_run.get_id()
    return str(run_id) if run_id else None


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
) -> str:
    """Build the report of `year` and return its folder.

    - `year`: the edition; `None` means the edition whose deadline passed most recently.
    - `final`: publish `outputs/<year>/final/` (tagged PDF/UA-1, no draft mark) instead of
      a new numbered draft. Refused unless every expected member is valid.
    - `allow_missing`: member codes a final may be published without (recorded in the
      manifest and stated in the report).
    - `supersede`: replace an existing final, keeping it as `final-superseded-<time>/`.
    - `inputs_dir`, `outputs_dir`: override the project's `inputs/` and `outputs/`.
    - `render_workers`: processes for a draft's PDF (1: one pass; 0: auto; None: the
      setting, $WGREPORT_RENDER_WORKERS).
    - `dask_address`: the scheduler of a Dask cluster (tcp://HOST:8786; None: the setting,
      $WGREPORT_DASK_ADDRESS) that lays out a draft's chapters, and validates the
      contributions when the flow runs with its DaskTaskRunner (`annual_report_on`).
    """
    logger = get_run_logger()
    settings = _settings(inputs_dir, outputs_dir, render_workers, dask_address)
    if year is None:
        year = due_edition(settings.inputs_dir)
        logger.info("no year given: building %d, whose deadline passed most recently", year)
    parameters = pipeline.build_parameters(settings, year, final, allow_missing, supersede)
    year_dir = settings.outputs_dir / str(year)
    with recorded_build(year_dir, parameters, via="prefect", run_id=_flow_run_id()) as entry:
        if final:
            check_final_slot(settings.outputs_dir, year, supersede)
        with on_cluster(settings.dask_address):
            loaded = validate_edition(settings, year)
        publish_status_artifact(loaded)
        for status in loaded.status:
            if not status.valid:
                logger.warning("%s: %s, left out of the report", status.code, status.label)
        number, build = pipeline.plan_build(settings.outputs_dir, loaded, final, allow_missing)
        while True:
            try:
                rendered, data = render_edition(settings, loaded, build)
                break
            except PartsTimedOut as exc:
                loaded = pipeline.leave_out_unrendered(loaded, exc, build)
                logger.warning("%s; left out of the report, which is rendered again", exc)
        manifest = pipeline.make_manifest(settings, loaded, rendered, build)
        stage("publish")
        folder = publish(settings.outputs_dir, loaded, rendered, data, manifest, number, supersede)
        entry.published(folder)
        review_page(settings.outputs_dir / str(year), settings.templates_dir)
    label = "final" if final else f"draft {folder.name}"
    publish_link_artifacts(folder, year, label)
    logger.info("%s of %d: %d pages, %d members", label, year, rendered.pages,
                len(loaded.contributions))  # fmt: skip
    return str(folder)


@flow(name="collect-status", log_prints=True)
def collect_status(year: int | None = None, inputs_dir: str | None = None) -> list[dict[str, Any]]:
    """Who has submitted the `year` edition, and whether it is valid; also an artifact."""
    settings = _settings(inputs_dir, None)
    if year is None:
        year = due_edition(settings.inputs_dir)
    loaded = validate_edition(settings, year)
    publish_status_artifact(loaded)
    return status_rows(loaded)
