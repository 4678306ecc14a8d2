"""The live preview's build: the edition made again in this process through the library's
steps (`build.steps`: find, validate, aggregate, charts, context, HTML), without Prefect,
without a draft number, writing nothing but outputs/<year>/preview/report.html.

What did not change is not done again: a contribution's validation is kept while its
files (the YAML, its indicators CSV, its images) and the group's and edition's files are
unchanged, the previous edition's contributions while its folder is unchanged, and the
charts come from the content cache. A build that fails keeps the last good page: the
preview then shows the page as it was, with the problems over it.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..build import pipeline, steps
from ..content.keptparts import KeptParts
from ..content.reportmodel import BuildInfo, ReportContext
from ..errors import InputsError
from ..i18n import SOURCE_LANGUAGE, language
from ..inputs.edition import EditionSetup, LoadedEdition, assemble_edition
from ..inputs.issues import FileReport, ValidationReport
from ..inputs.validation import ContributionResult
from ..layout import Inputs, Outputs
from ..render.html import render_html
from ..runtime.clock import build_time
from ..runtime.settings import Settings

#: The label the preview's pages carry where a draft's carry "Draft 003".
LABEL = "Preview"

Stamp = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class Problem:
    """One issue of a saved file, as `wgreport validate` reports it."""

    file: str
    severity: str
    code: str
    message: str
    line: int | None = None
    column: int | None = None
    field: str = ""
    hint: str | None = None

    @property
    def where(self) -> str:
        """`inputs/2024/contributions/KR.yaml:12:5` (the line and column when known)."""
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        return place


@dataclass(frozen=True)
class Built:
    """One build of the preview: its number (1: the first), the report's web page (the
    last good one when this build failed; None when there never was one), the problems of
    the saved files, and what the background PDF needs (the context, the image folders)."""

    number: int
    html: str | None
    problems: tuple[Problem, ...]
    seconds: float
    made_at: str
    failure: str | None = None  # the edition could not be made: why, in words
    ctx: ReportContext | None = None
    image_roots: tuple[Path, ...] = ()
    members: int = 0
    changed: tuple[str, ...] = ()  # the saved files that started it, as shown
    lang: str = SOURCE_LANGUAGE  # the report's language (`wgreport preview --lang ko`)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")


def problems_of(report: ValidationReport | Iterable[FileReport]) -> tuple[Problem, ...]:
    """Every issue of the reports, errors first, each file's in the order of its lines."""
    files = report.files if isinstance(report, ValidationReport) else list(report)
    found = [
        Problem(f.file, i.severity, i.code, i.message, i.line, i.column, i.field, i.hint)
        for f in files
        for i in f.sorted_issues()
    ]
    return tuple(sorted(found, key=lambda p: p.severity != "error"))


def stamp(paths: Iterable[Path]) -> Stamp:
    """The files' paths, modification times and sizes: what a cached result was made from
    (a missing file counts, as -1)."""
    out = []
    for path in paths:
        try:
            info = path.stat()
            out.append((str(path), info.st_mtime_ns, info.st_size))
        except OSError:
            out.append((str(path), -1, -1))
    return tuple(out)


def _files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file())


def write_atomic(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o644)  # as the drafts' files, not mkstemp's 0600
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class _Caches:
    validated: dict[Path, tuple[Stamp, ContributionResult]] = field(default_factory=dict)
    #: the previous edition, as loaded and validated (its contributions and its checks)
    previous: tuple[Stamp, int | None, LoadedEdition | None] | None = None
    #: the aggregate and the charts, by what they are made from: every contribution's
    #: files and the group's and edition's (`inputs`), and the previous edition's
    aggregated: tuple[Stamp, Any, Any] | None = None
    inputs: Stamp = ()
    #: the context's parts made from the aggregate alone (Annex B's tables, the facts, the
    #: matrix, the figures): kept while the aggregate and the charts above are
    kept: KeptParts = field(default_factory=KeptParts)
    #: the images' data: URLs (an SVG sanitised again each time: 0.1 s a save at 193
    #: members), by the contributions' files and the images they name
    images: tuple[Stamp, dict[str, str]] | None = None


class LiveBuilder:
    """Builds the `year` edition again and again in this process (one build at a time)."""

    def __init__(self, settings: Settings, year: int, lang: str = SOURCE_LANGUAGE) -> None:
        self.settings = settings
        self.year = year
        self.lang = lang  # another: its translations printed where current, as a build does
        self.number = 0
        self.last_html: str | None = None
        self._caches = _Caches()
        self.files = Outputs(settings.outputs_dir).year(year).preview

    # --- what a save touches ------------------------------------------------------------

    def watched(self) -> list[Path]:
        """The folders and files to watch: the edition's folder (contributions, editorial
        files and their translations, translations/, reviews), the previous edition's, the
        working group and its translations (translations/<lang>/), and the templates."""
        from ..inputs.translations import translation_languages

        inputs = Inputs(self.settings.inputs_dir)
        paths = [inputs.edition(self.year).folder, inputs.working_group,
                 self.settings.templates_dir,
                 *(inputs.translations(lang) for lang in translation_languages())]  # fmt: skip
        before = [y for y in inputs.years() if y < self.year]
        if before:
            paths.append(inputs.edition(before[-1]).folder)
        return [p for p in paths if p.exists()]

    def concerns(self, path: Path) -> bool:
        """Whether a change of `path` can change the preview (not another year's inputs,
        not an editor's swap file)."""
        name = path.name
        if name.startswith(".#") or name.endswith(("~", ".swp", ".swx", ".tmp")):
            return False
        return any(path == w or w in path.parents for w in self.watched())

    # --- the build ------------------------------------------------------------------------

    def build(self, changed: Sequence[Path] = ()) -> Built:
        """Make the report's page from the inputs as they are now; write it to
        outputs/<year>/preview/report.html. Never raises for the inputs' or templates'
        faults: they are the build's problems."""
        started = time.monotonic()
        self.number += 1
        made_at = build_time().isoformat().replace("+00:00", "Z")
        shown = tuple(Inputs(self.settings.inputs_dir).shown(p) for p in changed)
        base: dict[str, Any] = {"number": self.number, "made_at": made_at, "changed": shown}
        try:
            setup = steps.FIND(self.settings.inputs_dir, self.year)
        except InputsError as exc:
            return self._failed(base, started, str(exc), self._setup_problems())
        loaded = assemble_edition(setup.files, setup.working_group, setup.edition,
                                  setup.reports, self._validate(setup))  # fmt: skip
        problems = problems_of(loaded.report)
        try:
            ctx, html = self._render(loaded, made_at)
        except Exception as exc:  # a template's or the content's fault: shown, not fatal
            return self._failed(base, started, _describe(exc), problems)
        self.last_html = html
        write_atomic(self.files.report_html, html.encode("utf-8"))
        return Built(html=html, problems=problems, seconds=time.monotonic() - started, ctx=ctx,
                     image_roots=tuple(pipeline.image_folders(loaded)),
                     members=len(loaded.contributions), lang=self.lang, **base)  # fmt: skip

    def _failed(
        self, base: dict[str, Any], started: float, why: str, problems: tuple[Problem, ...]
    ) -> Built:
        return Built(html=self.last_html, problems=problems, failure=why,
                     seconds=time.monotonic() - started, **base)  # fmt: skip

    def _setup_problems(self) -> tuple[Problem, ...]:
        """The working group's and the edition file's issues, as `wgreport validate`
        gives them, when the edition cannot be read."""
        from ..inputs.validate_paths import validate_paths

        inputs = Inputs(self.settings.inputs_dir)
        paths = [p for p in (inputs.working_group, inputs.edition(self.year).settings)
                 if p.is_file()]  # fmt: skip
        if not paths:
            return ()
        report = validate_paths(paths, self.settings.inputs_dir)
        for file in report.files:  # shown as the edition's other files are
            if Path(file.file).is_absolute():
                file.file = inputs.shown(Path(file.file))
        return problems_of(report)

    def _validate(self, setup: EditionSetup) -> list[ContributionResult]:
        """Every contribution validated: the VALIDATE step, for those whose files changed."""
        common = stamp([setup.files.working_group, setup.files.edition])
        folder = Inputs(self.settings.inputs_dir).edition(self.year)
        kept: dict[Path, tuple[Stamp, ContributionResult]] = {}
        results = []
        for path in setup.files.contributions:
            code = path.stem.upper()
            own = [path, folder.indicators(code), *_files_under(folder.images(code))]
            key = common + stamp(own)
            cached = self._caches.validated.get(path)
            result = cached[1] if cached and cached[0] == key else steps.VALIDATE(setup, path)
            kept[path] = (key, result)
            results.append(dataclasses.replace(result, path=path))
        self._caches.validated = kept  # only the files there now: memory stays flat
        self._caches.inputs = tuple(item for key, _ in kept.values() for item in key)
        return results

    def _read(self, loaded: LoadedEdition) -> pipeline.EditionRead:
        """The read step (as `pipeline.read_edition`, with the review files), the previous
        edition kept while its files are unchanged."""
        inputs = Inputs(self.settings.inputs_dir)
        before = [y for y in inputs.years() if y < self.year]
        key = stamp(
            [
                inputs.working_group,
                *(_files_under(inputs.edition(before[-1]).folder) if before else []),
            ]
        )
        if self._caches.previous is None or self._caches.previous[0] != key:
            self._caches.previous = (key, *pipeline.load_previous_edition(loaded))
        _, year, earlier = self._caches.previous
        return pipeline.EditionRead(
            previous_year=year,
            previous=earlier.contributions if earlier is not None else {},
            foreword=pipeline.read_foreword(loaded),
            images=self._images(loaded),
            reviews=pipeline.read_reviews(loaded, self.settings.outputs_dir),
            editorial=pipeline.read_editorial(loaded),
            previous_checks=(
                pipeline.previous_checks(loaded, earlier) if earlier is not None else []
            ),
            translations=(
                pipeline.read_translations(loaded) if self.lang != SOURCE_LANGUAGE else {}
            ),
        )

    def _images(self, loaded: LoadedEdition) -> dict[str, str]:
        """pipeline.image_data_urls, kept while the contributions and the images they name
        are unchanged."""
        named = [loaded.files.contributions_dir / image.file
                 for c in loaded.contributions.values()
                 for image in [*(i.image for i in c.initiatives),
                               c.case_study.image if c.case_study else None]
                 if image is not None]  # fmt: skip
        key = self._caches.inputs + stamp(named)
        if self._caches.images is None or self._caches.images[0] != key:
            self._caches.images = (key, pipeline.image_data_urls(loaded))
        return self._caches.images[1]

    def _render(self, loaded: LoadedEdition, made_at: str) -> tuple[ReportContext, str]:
        read = self._read(loaded)
        build = BuildInfo(draft=LABEL, built_at=made_at, version=__version__)
        key = self._caches.inputs + (self._caches.previous[0] if self._caches.previous else ())
        cached = self._caches.aggregated
        if cached is not None and cached[0] == key:  # only editorial files or templates
            aggregated, figures = cached[1], cached[2]
        else:
            aggregated = steps.AGGREGATE(loaded, read)
            figures = steps.CHARTS(loaded, aggregated, self.settings.cache_dir)
            self._caches.aggregated = (key, aggregated, figures)
        # the context step's context, without the data files and comment pages it makes
        # for publishing (report.json, the CSVs: 0.2 s a save at 193 members) that the
        # preview never shows
        with language(self.lang):
            ctx = pipeline.make_context(loaded, build, aggregated.frames, figures,
                                        aggregated.previous_year, read, self.lang,
                                        kept=self._caches.kept)  # fmt: skip
        return ctx, render_html(ctx, self.settings.templates_dir, lang=self.lang)


def _describe(exc: Exception) -> str:
    """A template's or the content's failure in words, with the template's file and line
    when Jinja knows them."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    where = f" in {name}" + (f", line {line}" if line else "") if name else ""
    return (
        f"the report could not be made{where}: {type(exc).__name__}: {exc}. Fix the file and "
        "save it again; the page shows the last report that could be made."
    )
