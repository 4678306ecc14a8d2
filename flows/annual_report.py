"""The yearly report flow: discover → validate each member → aggregate → render → publish.

Tasks wrap library functions and add only orchestration: retries on the steps that touch
the file system, parallel validation across members, and run history in Prefect.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE

from wgreport import pipeline, render
from wgreport.aggregate import Frames
from wgreport.charts import Chart
from wgreport.context import BuildInfo, ReportContext
from wgreport.inputs import (
    EditionFiles,
    InputsError,
    LoadedEdition,
    assemble_edition,
    check_contribution,
    edition_context,
    find_edition_files,
    first_error,
    load_group_and_edition,
)
from wgreport.issues import FileReport
from wgreport.models import Edition, WorkingGroup
from wgreport.publish import next_draft_number, publish_draft, year_lock
from wgreport.settings import get_settings
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
    cache_policy=NO_CACHE,
    retries=RETRIES,
    retry_delay_seconds=RETRY_DELAY,
)
def validate_member(
    files: EditionFiles, wg: WorkingGroup, edition: Edition, path: Path
) -> ContributionResult:
    return check_contribution(files, edition_context(files, wg, edition), path)


@task(name="aggregate", cache_policy=NO_CACHE, retries=RETRIES, retry_delay_seconds=RETRY_DELAY)
def aggregate(loaded: LoadedEdition) -> tuple[int | None, Frames]:
    return pipeline.compute_frames(loaded)


@task(name="make-charts", cache_policy=NO_CACHE)
def make_charts(frames: Frames, wg: WorkingGroup, with_change: bool) -> list[Chart]:
    return pipeline.make_charts(frames, wg, with_change)


@task(name="build-context", cache_policy=NO_CACHE, retries=RETRIES, retry_delay_seconds=RETRY_DELAY)
def build_context(
    loaded: LoadedEdition,
    build: BuildInfo,
    frames: Frames,
    figures: list[Chart],
    prev_year: int | None,
) -> ReportContext:
    return pipeline.make_context(loaded, build, frames, figures, prev_year)


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
) -> pipeline.RenderedReport:
    return pipeline.render_pdf_report(ctx, html, templates_dir, image_roots=image_roots, data=data)


@task(name="publish", cache_policy=NO_CACHE, retries=RETRIES, retry_delay_seconds=RETRY_DELAY)
def publish(
    outputs_dir: Path,
    loaded: LoadedEdition,
    rendered: pipeline.RenderedReport,
    data: dict[str, bytes],
    manifest: dict[str, object],
    number: int,
) -> Path:
    files = pipeline.output_files(loaded, rendered, data)
    return publish_draft(outputs_dir, loaded.year, number, files, dict(manifest))


@flow(name="annual-report", log_prints=True)
def annual_report(year: int, inputs_dir: str | None = None, outputs_dir: str | None = None) -> str:
    """Build a new draft of the `year` edition; return the draft folder."""
    logger = get_run_logger()
    settings = get_settings(
        Path(inputs_dir) if inputs_dir else None, Path(outputs_dir) if outputs_dir else None
    )
    files = discover_inputs(settings.inputs_dir, year)
    wg, edition, reports = load_setup(files)
    if wg is None or edition is None:
        raise InputsError(first_error(reports))
    with year_lock(settings.outputs_dir / str(year)):
        number = next_draft_number(settings.outputs_dir, year)
        results = validate_member.map(
            unmapped(files), unmapped(wg), unmapped(edition), list(files.contributions)
        ).result()
        loaded = assemble_edition(files, wg, edition, reports, list(results))
        for status in loaded.status:
            if not status.valid:
                logger.warning("%s: %s, left out of the draft", status.code, status.label)
        build = pipeline.make_build_info(number)
        prev_year, frames = aggregate(loaded)
        figures = make_charts(frames, wg, prev_year is not None)
        ctx = build_context(loaded, build, frames, figures, prev_year)
        data = pipeline.data_files(frames, ctx)
        html = render_html(ctx, settings.templates_dir)
        rendered = render_pdf(
            ctx, html, settings.templates_dir, pipeline.image_folders(loaded), data
        )
        manifest = pipeline.make_manifest(settings, loaded, rendered, build)
        folder = publish(settings.outputs_dir, loaded, rendered, data, manifest, number)
    logger.info(
        "draft %s: %d pages, %d members", folder.name, rendered.pages, len(loaded.contributions)
    )
    return str(folder)
