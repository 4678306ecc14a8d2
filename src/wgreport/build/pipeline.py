"""The read step: everything the steps after validation need from disk besides the
contributions (the previous edition, validated; the foreword; the images, as data: URLs;
the review files), read once into an `EditionRead`. The aggregate and context steps are
pure functions of it: `compute_frames` and `make_context` given a `read` read nothing."""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from ..content import aggregate
from ..content.chartkit import Chart
from ..content.context import build_context
from ..content.keptparts import KeptParts
from ..content.reportmodel import BuildInfo, ReportContext
from ..content.translated import apply_translation
from ..errors import InputsError
from ..figures.drawing import cached_charts
from ..inputs.comments import Reviews, edition_reviews, summarise
from ..inputs.edition import LoadedEdition, load_edition_inputs, previous_year
from ..inputs.issues import FileReport
from ..inputs.models import Contribution
from ..inputs.svgsafe import SvgRefused
from ..inputs.svgsafe import sanitise as sanitise_svg
from ..inputs.translations import LanguageTexts, read_language, translation_languages
from ..layout import Inputs
from ..locales import SOURCE_LANGUAGE
from .outputs import DOWNLOADS

IMAGE_MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class EditionRead:
    """What the read step read: the previous edition's year and valid contributions (for
    changes between editions), the foreword's Markdown, every image the valid
    contributions use as a data: URL (by its file name), and the review files (None when
    they were not read)."""

    previous_year: int | None
    previous: dict[str, Contribution] = field(default_factory=dict)
    foreword: str = ""
    images: dict[str, str] = field(default_factory=dict)
    reviews: Reviews | None = None
    editorial: dict[str, str] = field(default_factory=dict)  # chapters' Markdown by file
    #: the previous edition's files that supply printed values, as validated (previous_checks)
    previous_checks: list[FileReport] = field(default_factory=list)
    #: what people wrote, translated: per language, the editorial files' translations
    #: and the translation files (the context in that language prints them)
    translations: dict[str, LanguageTexts] = field(default_factory=dict)


def read_edition(loaded: LoadedEdition, outputs_dir: Path | None = None) -> EditionRead:
    """Read what the later steps need (the read step); the review files only with
    `outputs_dir`, where the drafts they refer to are published."""
    year, earlier = load_previous_edition(loaded)
    return EditionRead(
        previous_year=year,
        previous=earlier.contributions if earlier is not None else {},
        foreword=read_foreword(loaded),
        images=image_data_urls(loaded),
        reviews=read_reviews(loaded, outputs_dir) if outputs_dir is not None else None,
        editorial=read_editorial(loaded),
        previous_checks=previous_checks(loaded, earlier) if earlier is not None else [],
        translations=read_translations(loaded),
    )


def read_translations(loaded: LoadedEdition) -> dict[str, LanguageTexts]:
    """The edition's translations into every language the report can be built in."""
    edition = loaded.edition
    names = ([edition.foreword] if edition.foreword else []) + [c.file for c in edition.chapters]
    found = loaded.files.inputs_dir, loaded.year, names
    group, members = loaded.working_group, loaded.contributions
    return {
        lang: read_language(*found, lang, group, members, edition)
        for lang in translation_languages()
    }


def read_foreword(loaded: LoadedEdition) -> str:
    """The edition's foreword Markdown ('' when the edition names none)."""
    name = loaded.edition.foreword
    if not name:
        return ""
    return (loaded.files.edition.parent / name).read_text(encoding="utf-8")


def read_editorial(loaded: LoadedEdition) -> dict[str, str]:
    """The Markdown of the edition's editorial chapters, by file name (a file that cannot
    be read, which validation reports, reads as empty)."""
    folder = Inputs(loaded.files.inputs_dir).edition(loaded.year)
    texts = {}
    for chapter in loaded.edition.chapters:
        try:
            texts[chapter.file] = folder.file(chapter.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            texts[chapter.file] = ""
    return texts


def image_data_urls(loaded: LoadedEdition) -> dict[str, str]:
    """Every image the valid contributions use, as a data: URL (the HTML stays self-contained).
    An SVG is embedded as wgreport.inputs.svgsafe rebuilt it from the allowlist."""
    urls: dict[str, str] = {}
    for contribution in loaded.contributions.values():
        images = [i.image for i in contribution.initiatives if i.image is not None]
        if contribution.case_study and contribution.case_study.image:
            images.append(contribution.case_study.image)
        for image in images:
            path = loaded.files.contributions_dir / image.file
            mime = IMAGE_MIME[path.suffix.lower()]
            content = path.read_bytes()
            if mime == "image/svg+xml":  # the SVG rebuilt from the allowlist, never the file
                try:
                    content = sanitise_svg(content).data
                except SvgRefused:
                    continue  # changed since it was validated: left out, not embedded
            data = base64.b64encode(content).decode("ascii")
            urls[image.file] = f"data:{mime};base64,{data}"
    return urls


def load_previous(loaded: LoadedEdition) -> tuple[int | None, dict[str, Contribution]]:
    """The previous edition's valid contributions, for changes between editions."""
    year, earlier = load_previous_edition(loaded)
    return year, earlier.contributions if earlier is not None else {}


def load_previous_edition(loaded: LoadedEdition) -> tuple[int | None, LoadedEdition | None]:
    """The previous edition as loaded and validated (its files supply the changes between
    editions and the values the report prints of it)."""
    year = previous_year(loaded)
    if year is None:
        return None, None
    try:
        return year, load_edition_inputs(loaded.files.inputs_dir, year)
    except InputsError:
        return None, None


def previous_checks(loaded: LoadedEdition, earlier: LoadedEdition) -> list[FileReport]:
    """The previous edition's own files (its edition file and contributions; the group's
    files are the current edition's), each with its issues as the current edition's are
    reported, every one a warning: a problem of last year's files does not stop this
    year's draft, but it is seen (validation.json, the status annex). The message says
    which edition's file it is."""
    current = {report.file for report in loaded.report.files}
    out = []
    for report in earlier.report.files:
        if report.file in current:
            continue
        issues = [
            dataclasses.replace(
                issue,
                severity="warning",
                message=f"{issue.message} (in the {earlier.year} edition's file, which "
                f"supplies values this report prints; an {issue.severity} there)",
            )
            for issue in report.issues
        ]
        out.append(FileReport(report.file, report.member, issues))
    return out


def printed_facts(loaded: LoadedEdition) -> dict[str, tuple[str, str]]:
    """Every fact of the edition: its id → (what the report prints, its source), as
    `wgreport facts` lists them (the final's preflight warns of a cited "n/a")."""
    from ..content.facts import compute_facts

    previous_year, previous = load_previous(loaded)
    _, frames = compute_frames(loaded, EditionRead(previous_year, previous))
    facts = compute_facts(loaded.working_group, frames, loaded.year, previous_year)
    return {f.id: (f.printed, f.source) for f in facts}


def read_reviews(loaded: LoadedEdition, outputs_dir: Path) -> Reviews:
    """The edition's review files, checked against the drafts published so far."""
    files = loaded.files
    return edition_reviews(files.edition.parent, loaded.working_group, loaded.year,
                           outputs_dir, files.inputs_dir.parent)  # fmt: skip


def compute_frames(
    loaded: LoadedEdition, read: EditionRead | None = None
) -> tuple[int | None, aggregate.Frames]:
    """Aggregate the edition, with the previous edition's values for changes: pure given
    `read` (the aggregate step); without it the previous edition is read first."""
    if read is None:
        read = EditionRead(*load_previous(loaded))
    return read.previous_year, aggregate.compute_frames(
        loaded.contributions, loaded.working_group, read.previous, loaded.year
    )


def make_context(
    loaded: LoadedEdition,
    build: BuildInfo,
    frames: aggregate.Frames | None = None,
    figures: list[Chart] | None = None,
    prev_year: int | None = None,
    read: EditionRead | None = None,
    lang: str = SOURCE_LANGUAGE,
    kept: KeptParts | None = None,
) -> ReportContext:
    """The report's context: pure given `read` and the aggregate step's `frames` and
    `prev_year` (the context step). Without `read` (tests and tools), the foreword and the
    images are read first (and the previous edition, to aggregate, without `frames`); the
    report then has no review comments."""
    if read is None:
        read = (
            EditionRead(
                prev_year,
                foreword=read_foreword(loaded),
                images=image_data_urls(loaded),
                editorial=read_editorial(loaded),
                translations=read_translations(loaded) if lang != SOURCE_LANGUAGE else {},
            )
            if frames is not None
            else read_edition(loaded)
        )
    if frames is None:
        prev_year, frames = compute_frames(loaded, read)
    if figures is None:
        figures = cached_charts(frames, loaded.working_group, prev_year is not None, None)
    reviews = read.reviews
    foreword, editorial = read.foreword, read.editorial
    applied = None
    if lang != SOURCE_LANGUAGE:  # what people wrote, translated where it is (and current)
        texts = read.translations.get(lang) or LanguageTexts(lang)
        applied = apply_translation(loaded, foreword, editorial, texts)
        loaded, foreword, editorial = applied.loaded, applied.foreword, applied.editorial
    ctx = build_context(
        loaded,
        build,
        frames=frames,
        charts=figures,
        foreword_markdown=foreword,
        previous_year=prev_year,
        image_src=read.images,
        downloads=DOWNLOADS,
        comments=summarise(reviews, loaded.working_group) if reviews is not None else None,
        editorial_markdown=editorial,
        previous_checks=read.previous_checks,
        kept=kept,
    )
    if applied is None:
        return ctx
    return ctx.model_copy(
        update={"translated": applied.translated, "original_parts": applied.original_parts}
    )


def image_folders(loaded: LoadedEdition) -> list[Path]:
    """The edition's image folders (contributions/<CODE>/): WeasyPrint may read these."""
    folder = loaded.files.contributions_dir
    return [folder / m.code for m in loaded.working_group.members if (folder / m.code).is_dir()]
