"""The build, declared once: the map of the code.

    find → validate → read → aggregate → charts → context → html → pdf → publish → review page

`STEPS` lists the steps, each a plain function with typed inputs and outputs. `run_build`
is the one place that runs them in order: the year's lock and its builds.log line, the
final's checks, the leave-out of a member whose chapter overran, the manifest, publishing.
Only the find, validate, read, charts, pdf and publish steps touch the file system: the read
step reads everything the steps after validation need, so aggregate and context are pure.
It runs them through a `Runner`:

- `SequentialRunner` (here) calls each step in this process: the library build (`build`),
  for tests, benchmarks and the kill test;
- `wgreport.flows.annual_report.PrefectRunner` runs each step as a Prefect task, adding
  retries, caching, mapping and artifacts, and nothing else: `annual_report` is this
  module's `run_build` with that runner.

So the two paths cannot drift: a test builds the same inputs both ways and compares the
manifests' output digests.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, ParamSpec, Protocol, TypeVar

from ..content.aggregate import Frames
from ..content.chartkit import Chart
from ..content.countries import localised_group
from ..content.reportmodel import BuildInfo, ReportContext
from ..errors import PartsTimedOut
from ..figures import drawing as figures
from ..i18n import SOURCE_LANGUAGE, autonym, language
from ..inputs.comments import Reviews
from ..inputs.edition import (
    EditionSetup,
    LoadedEdition,
    assemble_edition,
    check_contribution,
    edition_context,
    load_edition_setup,
)
from ..inputs.issues import FileReport
from ..inputs.validation import ContributionResult
from ..layout import REPORT_HTML, Outputs, report_file
from ..render.html import render_html
from ..render.pdf.report import RenderedReport, render_pdf_report, start_render_workers
from ..review.pages import CommentsPage, write_review_page
from ..runtime.settings import Settings
from . import outputs, pipeline, plan
from .audit import recorded_build
from .pipeline import EditionRead, read_edition
from .progress import stage
from .publish import Published, check_final_slot, publish_build

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Step(Generic[P, R]):
    """One step of the build: its name (the Prefect task's), the progress stage it belongs
    to, and the function. `io`: it touches the file system (the flow retries it);
    `cache`: the flow caches its result by the digests of these input files ("member":
    one contribution's files, "edition": the edition's)."""

    name: str
    stage: str
    fn: Callable[P, R]
    io: bool = False
    cache: str | None = None

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.fn(*args, **kwargs)


# --- the steps' functions: typed inputs and outputs, no orchestration ------------------


def validate_member(setup: EditionSetup, path: Path) -> ContributionResult:
    """Validate one member's contribution (the flow maps this over the members)."""
    context = edition_context(setup.files, setup.working_group, setup.edition)
    return check_contribution(setup.files, context, path)


@dataclass(frozen=True)
class Aggregated:
    previous_year: int | None
    frames: Frames


def aggregate_edition(loaded: LoadedEdition, read: EditionRead) -> Aggregated:
    """The edition's tables, with the previous edition's values for changes (pure)."""
    return Aggregated(*pipeline.compute_frames(loaded, read))


def draw_charts(
    loaded: LoadedEdition,
    aggregated: Aggregated,
    cache_dir: Path | None,
    lang: str = SOURCE_LANGUAGE,
) -> list[Chart]:
    """Every figure, its text in `lang`, kept in `cache_dir` by the digest of the tables
    they are drawn from and the language."""
    with_change = aggregated.previous_year is not None
    with language(lang):
        wg = localised_group(loaded.working_group)
        return figures.cached_charts(aggregated.frames, wg, with_change, cache_dir)


@dataclass(frozen=True)
class Contexted:
    """The report's context, the data files published beside it (CSVs, report.json) and
    what the comment pages show (publishing writes them)."""

    ctx: ReportContext
    data: dict[str, bytes]
    comments: CommentsPage
    #: the previous edition's year and its files as validated (validation.json reports them)
    previous_checks: tuple[int | None, list[FileReport]] = (None, [])
    #: the report in its other languages (`--lang`), made from their own contexts
    translated: Mapping[str, RenderedReport] = dataclasses.field(default_factory=dict)
    #: per other language, the parts printed in English (the about chapter's list)
    original_parts: Mapping[str, Sequence[str]] = dataclasses.field(default_factory=dict)
    #: every translation file, as checked (validation.json's `translations` block)
    translation_checks: tuple[FileReport, ...] = ()


def make_report_context(
    loaded: LoadedEdition,
    build: BuildInfo,
    aggregated: Aggregated,
    figures: list[Chart],
    read: EditionRead,
    lang: str = SOURCE_LANGUAGE,
) -> Contexted:
    """The context every template sees, with the review comments as read, the CSVs and
    report.json published next to the report, and the comment pages' data (pure). Its
    text computed in Python (dates, headings, sentences) is in `lang`."""
    frames = aggregated.frames
    with language(lang):
        # the members' names in `lang` (Babel's country names)
        loaded = dataclasses.replace(loaded, working_group=localised_group(loaded.working_group))
        ctx = pipeline.make_context(
            loaded, build, frames, figures, aggregated.previous_year, read, lang
        )
    reviews = read.reviews if read.reviews is not None else Reviews()
    return Contexted(
        ctx,
        outputs.data_files(frames, ctx),
        outputs.comments_data(ctx, reviews),
        (read.previous_year, read.previous_checks),
        translation_checks=tuple(r for t in read.translations.values() for r in t.reports),
    )


def render_page(
    contexted: Contexted,
    templates_dir: Path,
    lang: str = SOURCE_LANGUAGE,
    languages: Sequence[str] = (),
) -> str:
    """The report as one self-contained HTML page, in `lang`; built in several
    `languages`, it links the others' pages and offers a language switch."""
    alternates = (
        [(other, report_file(REPORT_HTML, other), autonym(other)) for other in languages]
        if len(languages) > 1
        else []
    )
    return render_html(contexted.ctx, templates_dir, lang=lang, alternates=alternates)


def render_pdf(
    loaded: LoadedEdition,
    contexted: Contexted,
    html: str,
    settings: Settings,
    lang: str = SOURCE_LANGUAGE,
) -> RenderedReport:
    """The PDF, per chapter or in one pass as the settings say (pdf.report), in `lang`."""
    return render_pdf_report(
        contexted.ctx,
        html,
        settings.templates_dir,
        image_roots=pipeline.image_folders(loaded),
        attachments=outputs.pdf_attachments(contexted.data),
        workers=settings.render_workers,
        cache_dir=settings.cache_dir,
        time_limit=settings.chapter_time_limit,
        dask_address=settings.dask_address,
        document_time_limit=settings.document_time_limit,
        lang=lang,
    )


def publish(
    settings: Settings,
    loaded: LoadedEdition,
    rendered: RenderedReport,
    contexted: Contexted,
    manifest: dict[str, Any],
    number: int | None,
    supersede: bool,
) -> Published:
    """Write the draft (or the final) atomically, with its manifest and SHA256SUMS, its
    data files, its comment pages and the report in each other language
    (report.<lang>.html and report.<lang>.pdf beside the English files)."""
    data = {
        **contexted.data,
        **outputs.comment_files(contexted.comments, settings.templates_dir),
        **outputs.translated_files(contexted.translated),
    }
    files = outputs.output_files(
        loaded, rendered, data, contexted.previous_checks, contexted.translation_checks
    )
    return publish_build(
        settings.outputs_dir, loaded.year, number, files, dict(manifest), supersede=supersede
    )


def update_review_page(settings: Settings, year: int) -> Path:
    """Regenerate outputs/<year>/index.html."""
    return write_review_page(
        Outputs(settings.outputs_dir).year(year).folder, settings.templates_dir
    )


FIND = Step("discover-inputs", "discover", load_edition_setup, io=True)
VALIDATE = Step("validate-contribution", "validate", validate_member, io=True, cache="member")
READ = Step("read-inputs", "validate", read_edition, io=True)
AGGREGATE = Step("aggregate", "aggregate", aggregate_edition, cache="edition")
CHARTS = Step("make-charts", "charts", draw_charts, cache="edition")
CONTEXT = Step("build-context", "charts", make_report_context)
HTML = Step("render-html", "html", render_page)
PDF = Step("render-pdf", "pdf", render_pdf)
PUBLISH = Step("publish", "publish", publish, io=True)
REVIEW_PAGE = Step("review-page", "publish", update_review_page, io=True)

#: Every step, in the order a build runs them.
STEPS: tuple[Step[..., Any], ...] = (
    FIND, VALIDATE, READ, AGGREGATE, CHARTS, CONTEXT, HTML, PDF, PUBLISH, REVIEW_PAGE,
)  # fmt: skip


# --- running them ------------------------------------------------------------------------


class Runner(Protocol):
    """How steps are run: in this process, or as Prefect tasks."""

    via: str  # what builds.log records: "library" or "prefect"

    def run(self, step: Step[P, R], *args: P.args, **kwargs: P.kwargs) -> R: ...

    def map(self, step: Step[..., R], shared: Any, items: Sequence[Any]) -> list[R]:
        """`step(shared, item)` for every item, in order."""
        ...

    def run_id(self) -> str | None: ...

    def on_cluster(self, dask_address: str | None) -> contextlib.AbstractContextManager[None]:
        """Around validation: where a Dask cluster must be checked and told the API."""
        ...

    def validated(self, loaded: LoadedEdition) -> None: ...

    def aggregated(self, loaded: LoadedEdition, frames: Frames) -> None: ...

    def left_out(self, message: str) -> None: ...

    def published(self, result: Published) -> None: ...


class SequentialRunner:
    """Every step called in this process, in order: the library build."""

    via = "library"

    def run(self, step: Step[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        return step(*args, **kwargs)

    def map(self, step: Step[..., R], shared: Any, items: Sequence[Any]) -> list[R]:
        return [step(shared, item) for item in items]

    def run_id(self) -> str | None:
        return None

    def on_cluster(self, dask_address: str | None) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def validated(self, loaded: LoadedEdition) -> None:
        pass

    def aggregated(self, loaded: LoadedEdition, frames: Frames) -> None:
        pass

    def left_out(self, message: str) -> None:
        pass

    def published(self, result: Published) -> None:
        pass


@dataclass(frozen=True)
class BuildRequest:
    """What to build: the parameters of `wgreport build` and of the flow."""

    year: int
    final: bool = False
    allow_missing: Sequence[str] = ()
    supersede: bool = False
    allow_open_comments: bool = False  # with final: publish although comments are open
    allow: Sequence[str] = ()  # with final: the preflight's checks to let through, by name
    languages: Sequence[str] = ()  # the report's languages besides English (`--lang ko`)


def validate_edition(settings: Settings, year: int, runner: Runner) -> LoadedEdition:
    """Find the edition, validate every contribution, and put the result together."""
    stage("discover", str(year))
    setup = runner.run(FIND, settings.inputs_dir, year)
    paths = list(setup.files.contributions)
    stage("validate", f"{len(paths)} files")
    # A cached result carries the path it was made from; give it this run's path.
    results = [
        dataclasses.replace(r, path=p)
        for r, p in zip(runner.map(VALIDATE, setup, paths), paths, strict=True)
    ]
    return assemble_edition(setup.files, setup.working_group, setup.edition, setup.reports,
                            results)  # fmt: skip


def render_edition(
    settings: Settings,
    loaded: LoadedEdition,
    build: BuildInfo,
    runner: Runner,
    read: EditionRead | None = None,
    languages: Sequence[str] = (),
) -> tuple[LoadedEdition, RenderedReport, Contexted]:
    """Aggregate, chart and render what the read step read (`read`; read here when not
    given): the edition as rendered (without any member whose chapter overran the time
    limit, who is then left out and the report rendered again), the report, and its
    context with the data files, comment pages and the report in each other language of
    `languages` (`Contexted.translated`)."""
    start_render_workers(settings.dask_address)  # their import overlaps the charts
    if read is None:
        read = runner.run(READ, loaded, settings.outputs_dir)
    while True:
        stage("aggregate")
        aggregated = runner.run(AGGREGATE, loaded, read)
        runner.aggregated(loaded, aggregated.frames)
        stage("charts")
        figures = runner.run(CHARTS, loaded, aggregated, settings.cache_dir)
        contexted = runner.run(CONTEXT, loaded, build, aggregated, figures, read)
        stage("html")
        html = runner.run(HTML, contexted, settings.templates_dir, SOURCE_LANGUAGE, languages)
        stage("pdf")
        try:
            rendered = runner.run(PDF, loaded, contexted, html, settings)
            others = {
                lang: render_language(settings, loaded, build, aggregated, figures, read, runner,
                                      lang, languages)
                for lang in languages
                if lang != SOURCE_LANGUAGE
            }  # fmt: skip
        except PartsTimedOut as exc:
            loaded = plan.leave_out_unrendered(loaded, exc, build)
            runner.left_out(f"{exc}; left out of the report, which is rendered again")
            continue
        translated = {lang: other.rendered for lang, other in others.items()}
        parts = {lang: other.ctx.original_parts for lang, other in others.items()}
        return (
            loaded,
            rendered,
            dataclasses.replace(contexted, translated=translated, original_parts=parts),
        )


@dataclass(frozen=True)
class RenderedLanguage:
    """The report in another language, and the context it was rendered from."""

    ctx: ReportContext
    rendered: RenderedReport


def render_language(
    settings: Settings,
    loaded: LoadedEdition,
    build: BuildInfo,
    aggregated: Aggregated,
    figures: list[Chart],
    read: EditionRead,
    runner: Runner,
    lang: str,
    languages: Sequence[str] = (),
) -> RenderedLanguage:
    """The report in `lang`, from its own context (the same data, its text and charts in
    `lang`): its web page and PDF, published as report.<lang>.html and report.<lang>.pdf."""
    figures = runner.run(CHARTS, loaded, aggregated, settings.cache_dir, lang)
    contexted = runner.run(CONTEXT, loaded, build, aggregated, figures, read, lang)
    stage("html", lang)
    html = runner.run(HTML, contexted, settings.templates_dir, lang, languages)
    stage("pdf", lang)
    return RenderedLanguage(contexted.ctx, runner.run(PDF, loaded, contexted, html, settings, lang))


def run_build(settings: Settings, request: BuildRequest, runner: Runner) -> Published:
    """A whole build: a new numbered draft, or the final. Recorded in
    outputs/<year>/builds.log whatever its result; returns what was published."""
    year = request.year
    parameters = plan.build_parameters(
        settings, year, request.final, request.allow_missing, request.supersede,
        request.allow_open_comments, request.allow,
    )  # fmt: skip
    year_dir = Outputs(settings.outputs_dir).year(year).folder
    with recorded_build(year_dir, parameters, via=runner.via, run_id=runner.run_id()) as entry:
        if request.final:
            check_final_slot(settings.outputs_dir, year, request.supersede)
        with runner.on_cluster(settings.dask_address):
            loaded = validate_edition(settings, year, runner)
        runner.validated(loaded)
        number, build = plan.plan_build(
            settings.outputs_dir, loaded, request.final, request.allow_missing
        )
        read = runner.run(READ, loaded, settings.outputs_dir)
        checked = None
        if request.final:  # the preflight: every problem at once, before anything renders
            overrides = plan.request_overrides(
                request.allow, request.allow_missing, request.allow_open_comments
            )
            build, checked = plan.plan_final(
                loaded, read.reviews or Reviews(), overrides, pipeline.printed_facts
            )
        languages = plan.report_languages(request.languages, loaded.edition.languages)
        loaded, rendered, contexted = render_edition(settings, loaded, build, runner, read,
                                                     languages)  # fmt: skip
        manifest = outputs.make_manifest(
            settings, loaded, rendered, build, checked, contexted.translated,
            contexted.original_parts,
        )  # fmt: skip
        stage("publish")
        published = runner.run(
            PUBLISH, settings, loaded, rendered, contexted, manifest, number, request.supersede
        )
        entry.published(published.folder)
        runner.run(REVIEW_PAGE, settings, year)
    runner.published(published)
    return published


def build(
    settings: Settings,
    year: int,
    *,
    final: bool = False,
    allow_missing: Sequence[str] = (),
    supersede: bool = False,
    allow_open_comments: bool = False,
    allow: Sequence[str] = (),
) -> Path:
    """A whole build in this process, without Prefect; return its folder."""
    request = BuildRequest(
        year, final, tuple(allow_missing), supersede, allow_open_comments, tuple(allow)
    )
    return run_build(settings, request, SequentialRunner()).folder
