"""What a build publishes besides the report: the data CSVs, report.json, the comment
pages, the CSVs attached to a final's PDF, validation.json and the manifest."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..content import aggregate
from ..content.reportmodel import BuildInfo, ReportContext
from ..csvsafe import safe_frame
from ..inputs.comments import Reviews, comments_csv, summarise
from ..inputs.edition import EditionFiles, LoadedEdition
from ..inputs.issues import FileReport
from ..layout import FACTS_JSON, REPORT_HTML, REPORT_PDF, Inputs, report_file
from ..locales import N_
from ..render.html import Attachment
from ..render.pdf.report import RenderedReport
from ..review.pages import CommentsPage, comments_page, render_comments_page
from ..runtime.settings import Settings
from .preflight import Preflight
from .publish import digest_inputs, digest_tree, git_commit

DOWNLOADS = [
    ("report.pdf", N_("This report as PDF (A4, for printing and archiving)")),
    ("data/indicators.csv", N_("Indicator values, one row per member and indicator")),
    ("data/indicator_summary.csv", N_("Group median, lowest and highest value per indicator")),
    ("data/indicator_change.csv", N_("Values against the previous edition")),
    ("data/initiatives.csv", N_("Initiatives: member, theme, status and dates")),
    ("data/themes.csv", N_("Initiatives by theme and member")),
    ("data/governance.csv", N_("Governance by member")),
    ("data/completeness.csv", N_("Who reported what, and why values are missing")),
    ("report.json", N_("The full report context (everything the report shows)")),
    (FACTS_JSON, N_("Every fact as printed, and the editorial sentences that cite one")),
    ("comments.html", N_("Reviewers' comments and the secretariat's responses")),
    ("comments.csv", N_("The same comment-resolution table as CSV")),
]


def data_tables(frames: aggregate.Frames) -> dict[str, bytes]:
    """The tidy CSV tables published next to the report (data/*.csv). A text cell that a
    spreadsheet would read as a formula is written with a leading apostrophe
    (`csvsafe.safe_cell`)."""

    def csv(frame: pd.DataFrame, index: bool = False) -> bytes:
        return (
            safe_frame(frame)
            .to_csv(index=index, lineterminator="\n", float_format="%.10g")
            .encode()
        )

    return {
        "data/indicators.csv": csv(frames.values),
        "data/indicator_summary.csv": csv(frames.statistics.rename_axis("indicator"), index=True),
        "data/indicator_change.csv": csv(frames.change),
        "data/initiatives.csv": csv(frames.initiatives),
        "data/themes.csv": csv(frames.themes.rename_axis(index="theme", columns=None), index=True),
        "data/governance.csv": csv(frames.governance),
        "data/completeness.csv": csv(frames.completeness),
    }


def data_files(frames: aggregate.Frames, ctx: ReportContext) -> dict[str, bytes]:
    """The tidy CSV tables and report.json published next to the report."""
    return {
        **data_tables(frames),
        "report.json": (ctx.model_dump_json(indent=2) + "\n").encode(),
        FACTS_JSON: (
            json.dumps(ctx.editorial.record(), indent=2, ensure_ascii=False) + "\n"
        ).encode(),
    }


def comments_data(ctx: ReportContext, reviews: Reviews) -> CommentsPage:
    """What the comment pages published next to the report show (the context step)."""
    return comments_page(
        reviews,
        ctx.comments or summarise(reviews, None),
        year=ctx.year,
        title=ctx.title,
        label=ctx.build.draft or "Final",
        built_at=ctx.build.built_at,
    )


def comment_files(page: CommentsPage, templates_dir: Path) -> dict[str, bytes]:
    """The comment-resolution table, as CSV and as a page (publishing writes them)."""
    return {
        "comments.csv": comments_csv(page.rows),
        "comments.html": render_comments_page(page, templates_dir),
    }


def pdf_attachments(data: Mapping[str, bytes]) -> list[Attachment]:
    """The data CSVs, embedded in a final's PDF so that the archived file carries its data."""
    titles = dict(DOWNLOADS)
    return [
        Attachment(name=Path(name).name, data=content, description=titles.get(name, name))
        for name, content in data.items()
        if name.startswith("data/") and name.endswith(".csv")
    ]


def input_paths(files: EditionFiles) -> dict[str, Path]:
    """Every input file the build read, keyed by its display path: the group's file, the
    edition's folder (its translations/ and translated editorial files too) and the
    group's translation files (translations/<lang>/group.yaml)."""
    from ..inputs.translations import translation_languages

    paths = [files.working_group, files.edition, *files.contributions]
    folder = files.edition.parent
    paths += [p for p in sorted(folder.rglob("*")) if p.is_file() and p not in paths]
    inputs = Inputs(files.inputs_dir)
    group = [inputs.group_translation(lang) for lang in translation_languages()]
    paths += [p for p in group if p.is_file()]
    return {files.display(p): p for p in paths}


def previous_input_paths(loaded: LoadedEdition) -> tuple[int | None, dict[str, Path]]:
    """The previous edition's files a build reads for the changes between editions (its
    edition file and its contributions, with their CSVs and images), keyed by display
    path; (None, {}) when there is no previous edition to compare with."""
    from ..errors import InputsError
    from ..inputs.edition import find_edition_files, previous_year

    year = previous_year(loaded)
    if year is None:
        return None, {}
    try:
        files = find_edition_files(loaded.files.inputs_dir, year)
    except InputsError:
        return None, {}
    paths = [files.edition, *files.contributions]
    if files.contributions_dir.is_dir():
        found = sorted(files.contributions_dir.rglob("*"))
        paths += [p for p in found if p.is_file() and p not in paths]
    return year, {files.display(p): p for p in paths}


def make_manifest(
    settings: Settings,
    loaded: LoadedEdition,
    rendered: RenderedReport,
    build: BuildInfo,
    checked: Preflight | None = None,
    translated: Mapping[str, RenderedReport] | None = None,
    original_parts: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """What a draft records: when, with what, from what, and who is in it. A final records
    the overrides its preflight (`checked`) used, each with the problems it let through;
    published with unresolved comments (--allow-open-comments), also how many. A report
    built in other languages too (`translated`) records each one's pages and warnings, and
    the parts printed in English there (`original_parts`: the about chapter's list)."""
    overridden = checked.overridden if checked is not None else []
    previous, previous_paths = previous_input_paths(loaded)
    open_comments = sum(p.count for p in overridden if p.check == "open-comments")
    return {
        "year": loaded.year,
        "built_at": build.built_at,
        "tool_version": build.version,
        "git_commit": git_commit(settings.root),
        "templates_sha256": digest_tree(settings.templates_dir),
        "final": build.draft is None,
        "pages": rendered.pages,
        "members_included": [
            c for c in (m.code for m in loaded.working_group.members) if c in loaded.contributions
        ],
        "members_left_out": [
            {
                "member": s.code,
                "reason": s.label,
                **({"errors": s.errors} if s.errors else {}),
                **({"allowed_by": "--allow-missing"} if s.code in build.allowed_missing else {}),
            }
            for s in loaded.status
            if not s.valid
        ],
        "allowed_missing": build.allowed_missing,
        **(
            {"published_with_open_comments": open_comments, "allowed_by": "--allow-open-comments"}
            if open_comments and build.draft is None
            else {}
        ),
        **(
            {"preflight_overrides": checked.manifest_record()}
            if checked is not None and overridden
            else {}
        ),
        **(
            {"preflight_warnings": [p.to_dict() for p in checked.warnings]}
            if checked is not None and checked.warnings
            else {}
        ),
        "render_warnings": list(rendered.warnings),
        "render": dict(rendered.render),
        **(
            {
                "languages": {
                    lang: {
                        "pages": r.pages,
                        "render_warnings": list(r.warnings),
                        "files": [report_file(REPORT_HTML, lang), report_file(REPORT_PDF, lang)],
                        "original_parts": list((original_parts or {}).get(lang, [])),
                    }
                    for lang, r in sorted(translated.items())
                }
            }
            if translated
            else {}
        ),
        "inputs": digest_inputs(input_paths(loaded.files)),
        # the files the changes between editions (and the values they print) come from
        "previous_edition": (
            {"year": previous, "inputs": digest_inputs(previous_paths)}
            if previous is not None
            else None
        ),
    }


def validation_json(
    loaded: LoadedEdition,
    previous: tuple[int | None, Sequence[FileReport]] = (None, ()),
    translations: Sequence[FileReport] = (),
) -> bytes:
    """The edition's validation report (the spec's validation output); with the previous
    edition's files that supply printed values, as an optional `previous_edition`:
    `{"year", "files"}`, each file as in `files`, every issue a warning
    (pipeline.previous_checks); with the translation files, as an optional
    `translations`: `{"files"}`, each as in `files` (one with an error is not used)."""
    import json

    report = loaded.report.to_dict()
    year, files = previous
    if year is not None and files:
        report["previous_edition"] = {"year": year, "files": [f.to_dict() for f in files]}
    if translations:
        report["translations"] = {"files": [f.to_dict() for f in translations]}
    return (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode()


def translated_files(translated: Mapping[str, RenderedReport]) -> dict[str, bytes]:
    """The report in each other language, beside the English files of the same draft."""
    files: dict[str, bytes] = {}
    for lang, rendered in sorted(translated.items()):
        files[report_file(REPORT_HTML, lang)] = rendered.html.encode("utf-8")
        files[report_file(REPORT_PDF, lang)] = rendered.pdf
    return files


def output_files(
    loaded: LoadedEdition,
    rendered: RenderedReport,
    data: dict[str, bytes],
    previous: tuple[int | None, Sequence[FileReport]] = (None, ()),
    translations: Sequence[FileReport] = (),
) -> dict[str, bytes]:
    """The files of a draft folder (the manifest is added by publish)."""
    return {
        "report.html": rendered.html.encode("utf-8"),
        "report.pdf": rendered.pdf,
        "validation.json": validation_json(loaded, previous, translations),
        **data,
    }
