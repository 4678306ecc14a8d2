"""What the build's steps (steps.py) are made of: reading the editorial files, charts and
their cache, the context, the PDF modes, the output files, the manifest, the final's policy.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__, aggregate, chartkit, charts
from .chartkit import Chart
from .comments import Reviews, comments_csv, edition_reviews, summarise
from .context import build_context
from .errors import FinalRefused, InputsError, PartsTimedOut
from .inputs import (
    EditionFiles,
    LoadedEdition,
    list_years,
    load_edition_inputs,
    previous_year,
)
from .models import Contribution, WorkingGroup
from .pages import comments_page, render_comments_page
from .pdf.report import RenderedReport
from .publish import build_time, digest_inputs, digest_tree, draft_name, git_commit
from .render import Attachment
from .reportmodel import BuildInfo, ReportContext
from .settings import Settings

IMAGE_MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


def read_foreword(loaded: LoadedEdition) -> str:
    """The edition's foreword Markdown ('' when the edition names none)."""
    name = loaded.edition.foreword
    if not name:
        return ""
    return (loaded.files.edition.parent / name).read_text(encoding="utf-8")


def image_data_urls(loaded: LoadedEdition) -> dict[str, str]:
    """Every image the valid contributions use, as a data: URL (the HTML stays self-contained)."""
    urls: dict[str, str] = {}
    for contribution in loaded.contributions.values():
        images = [i.image for i in contribution.initiatives if i.image is not None]
        if contribution.case_study and contribution.case_study.image:
            images.append(contribution.case_study.image)
        for image in images:
            path = loaded.files.contributions_dir / image.file
            mime = IMAGE_MIME[path.suffix.lower()]
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            urls[image.file] = f"data:{mime};base64,{data}"
    return urls


def load_previous(loaded: LoadedEdition) -> tuple[int | None, dict[str, Contribution]]:
    """The previous edition's valid contributions, for changes between editions."""
    year = previous_year(loaded)
    if year is None or year not in list_years(loaded.files.inputs_dir):
        return None, {}
    try:
        previous = load_edition_inputs(loaded.files.inputs_dir, year)
    except InputsError:
        return None, {}
    return year, previous.contributions


def make_build_info(
    number: int | None, final: bool = False, allowed_missing: Sequence[str] = ()
) -> BuildInfo:
    """Draft label, pinned or current build time, and the tool version."""
    when = build_time().isoformat().replace("+00:00", "Z")
    label = None if final or number is None else f"Draft {draft_name(number)}"
    return BuildInfo(
        draft=label,
        built_at=when,
        version=__version__,
        allowed_missing=sorted(allowed_missing) if final else [],
    )


def check_final(loaded: LoadedEdition, allow_missing: Sequence[str]) -> None:
    """Refuse a final unless every expected member is valid or named in `allow_missing`."""
    expected = {s.code for s in loaded.status}
    unknown = sorted(set(allow_missing) - expected)
    if unknown:
        raise FinalRefused(
            f"--allow-missing names {', '.join(unknown)}, which "
            f"{'is' if len(unknown) == 1 else 'are'} not expected in {loaded.year}"
        )
    missing = [s for s in loaded.status if not s.valid and s.code not in allow_missing]
    if missing:
        listed = "; ".join(f"{s.code} ({s.label})" for s in missing)
        raise FinalRefused(
            f"a final of {loaded.year} needs every expected member to be valid: {listed}. "
            f"Fix them, or publish without them with "
            f"{' '.join('--allow-missing ' + s.code for s in missing)}"
        )


def compute_frames(loaded: LoadedEdition) -> tuple[int | None, aggregate.Frames]:
    """Aggregate the edition, with the previous edition's values for changes."""
    prev_year, previous = load_previous(loaded)
    return prev_year, aggregate.compute_frames(loaded.contributions, loaded.working_group, previous)


def _chart_jobs(
    frames: aggregate.Frames, wg: WorkingGroup, with_change: bool
) -> list[tuple[Callable[..., Chart | list[Chart]], tuple[Any, ...]]]:
    """Every figure of the report as the calls that draw it, in report order."""
    jobs: list[tuple[Callable[..., Chart | list[Chart]], tuple[Any, ...]]] = []
    if len(frames.initiatives):
        jobs.append((charts.theme_chart, (frames.themes, wg, frames.initiatives)))
        jobs.append((charts.status_charts, (frames.initiatives, wg)))
    for indicator in wg.indicators:
        values = frames.values[frames.values["indicator"] == indicator.id]
        jobs.append((charts.indicator_charts, (values, wg, indicator)))
        change = frames.change[frames.change["indicator"] == indicator.id]
        if with_change and change["previous"].notna().any():
            jobs.append((charts.change_charts, (change, wg, indicator)))
    return jobs


def _draw(job: tuple[Callable[..., Chart | list[Chart]], tuple[Any, ...]]) -> list[Chart]:
    drawn = job[0](*job[1])
    return drawn if isinstance(drawn, list) else [drawn]


def make_charts(
    frames: aggregate.Frames, wg: WorkingGroup, with_change: bool, workers: int = 1
) -> list[Chart]:
    """Every figure of the report, in report order; a large group's figures come as
    several panels (charts sharing a `figure_id`). With `workers` > 1 the figures are drawn
    in that many processes (a 193-member group's 46 panels take tens of seconds)."""
    jobs = _chart_jobs(frames, wg, with_change)
    if workers > 1 and len(jobs) > 1:
        from .pdf.schedule import _executor

        with _executor(min(workers, len(jobs))) as pool:
            drawn = list(pool.map(_draw, jobs))
    else:
        drawn = [_draw(job) for job in jobs]
    return [chart for charts_of_job in drawn for chart in charts_of_job]


def charts_digest(frames: aggregate.Frames, wg: WorkingGroup, with_change: bool) -> str:
    """What the figures are drawn from: every table, the group, the chart code (charts.py
    and chartkit.py) and the matplotlib version."""
    import hashlib

    import matplotlib

    h = hashlib.sha256(matplotlib.__version__.encode())
    for module in (charts, chartkit):  # the chart code
        h.update(Path(str(module.__file__)).read_bytes())
    h.update(wg.model_dump_json().encode())
    h.update(b"change" if with_change else b"no change")
    for item in dataclasses.fields(frames):
        table = getattr(frames, item.name)
        h.update(item.name.encode())
        h.update(table.to_csv(lineterminator="\n").encode())
    return h.hexdigest()


def cached_charts(
    frames: aggregate.Frames, wg: WorkingGroup, with_change: bool, cache_dir: Path | None
) -> list[Chart]:
    """`make_charts`, kept in the content-addressed cache in `cache_dir` (wgreport.cache) by
    the digest of what the charts are drawn from:
    a change that moves no number (a member's text) draws no chart again. A large group's
    charts take tens of seconds to draw."""
    import json
    import os

    # A small group's charts draw in a second or two: less than starting the processes.
    workers = (os.cpu_count() or 1) if len(wg.members) > chartkit.SMALL_GROUP else 1
    if cache_dir is None:
        return make_charts(frames, wg, with_change, workers)
    from .cache import ContentCache

    store, key = ContentCache(cache_dir), charts_digest(frames, wg, with_change)
    try:
        return [Chart(**item) for item in json.loads(store.get("charts", key) or b"")]
    except (ValueError, TypeError):
        pass  # not cached yet, or a damaged entry: draw them
    figures = make_charts(frames, wg, with_change, workers)
    store.put("charts", key, json.dumps([dataclasses.asdict(f) for f in figures]).encode())
    return figures


def make_context(
    loaded: LoadedEdition,
    build: BuildInfo,
    frames: aggregate.Frames | None = None,
    figures: list[Chart] | None = None,
    prev_year: int | None = None,
    reviews: Reviews | None = None,
) -> ReportContext:
    """Read what the context needs from disk (foreword, images), then build it."""
    if frames is None:
        prev_year, frames = compute_frames(loaded)
    if figures is None:
        figures = make_charts(frames, loaded.working_group, prev_year is not None)
    return build_context(
        loaded,
        build,
        frames=frames,
        charts=figures,
        foreword_markdown=read_foreword(loaded),
        previous_year=prev_year,
        image_src=image_data_urls(loaded),
        downloads=DOWNLOADS,
        comments=summarise(reviews, loaded.working_group) if reviews is not None else None,
    )


def read_reviews(loaded: LoadedEdition, outputs_dir: Path) -> Reviews:
    """The edition's review files, checked against the drafts published so far."""
    files = loaded.files
    return edition_reviews(files.edition.parent, loaded.working_group, loaded.year,
                           outputs_dir, files.inputs_dir.parent)  # fmt: skip


def comment_files(ctx: ReportContext, reviews: Reviews, templates_dir: Path) -> dict[str, bytes]:
    """The comment-resolution table, as CSV and as a page, published next to the report."""
    summary = ctx.comments or summarise(reviews, None)
    label = ctx.build.draft or "Final"
    return {
        "comments.csv": comments_csv(reviews.rows),
        "comments.html": render_comments_page(
            comments_page(
                reviews,
                summary,
                year=ctx.year,
                title=ctx.title,
                label=label,
                built_at=ctx.build.built_at,
            ),
            templates_dir,
        ),
    }


DOWNLOADS = [
    ("report.pdf", "This report as PDF (A4, for printing and archiving)"),
    ("data/indicators.csv", "Indicator values, one row per member and indicator"),
    ("data/indicator_summary.csv", "Group median, lowest and highest value per indicator"),
    ("data/indicator_change.csv", "Values against the previous edition"),
    ("data/initiatives.csv", "Initiatives: member, theme, status and dates"),
    ("data/themes.csv", "Initiatives by theme and member"),
    ("data/governance.csv", "Governance by member"),
    ("data/completeness.csv", "Who reported what, and why values are missing"),
    ("report.json", "The full report context (everything the report shows)"),
    ("comments.html", "Reviewers' comments and the secretariat's responses"),
    ("comments.csv", "The same comment-resolution table as CSV"),
]


def data_files(frames: aggregate.Frames, ctx: ReportContext) -> dict[str, bytes]:
    """The tidy CSV tables and report.json published next to the report."""

    def csv(frame: pd.DataFrame, index: bool = False) -> bytes:
        return frame.to_csv(index=index, lineterminator="\n", float_format="%.10g").encode()

    return {
        "data/indicators.csv": csv(frames.values),
        "data/indicator_summary.csv": csv(frames.statistics.rename_axis("indicator"), index=True),
        "data/indicator_change.csv": csv(frames.change),
        "data/initiatives.csv": csv(frames.initiatives),
        "data/themes.csv": csv(frames.themes.rename_axis(index="theme", columns=None), index=True),
        "data/governance.csv": csv(frames.governance),
        "data/completeness.csv": csv(frames.completeness),
        "report.json": (ctx.model_dump_json(indent=2) + "\n").encode(),
    }


def image_folders(loaded: LoadedEdition) -> list[Path]:
    """The edition's image folders (contributions/<CODE>/): WeasyPrint may read these."""
    folder = loaded.files.contributions_dir
    return [folder / m.code for m in loaded.working_group.members if (folder / m.code).is_dir()]


def pdf_attachments(data: Mapping[str, bytes]) -> list[Attachment]:
    """The data CSVs, embedded in a final's PDF so that the archived file carries its data."""
    titles = dict(DOWNLOADS)
    return [
        Attachment(name=Path(name).name, data=content, description=titles.get(name, name))
        for name, content in data.items()
        if name.startswith("data/") and name.endswith(".csv")
    ]


def input_paths(files: EditionFiles) -> dict[str, Path]:
    """Every input file the build read, keyed by its display path."""
    paths = [files.working_group, files.edition, *files.contributions]
    folder = files.edition.parent
    paths += [p for p in sorted(folder.rglob("*")) if p.is_file() and p not in paths]
    return {files.display(p): p for p in paths}


def make_manifest(
    settings: Settings,
    loaded: LoadedEdition,
    rendered: RenderedReport,
    build: BuildInfo,
) -> dict[str, Any]:
    """What a draft records: when, with what, from what, and who is in it."""
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
                **({"allowed_by": "--allow-missing"} if s.code in build.allowed_missing else {}),
            }
            for s in loaded.status
            if not s.valid
        ],
        "allowed_missing": build.allowed_missing,
        "render_warnings": list(rendered.warnings),
        "render": dict(rendered.render),
        "inputs": digest_inputs(input_paths(loaded.files)),
    }


def validation_json(loaded: LoadedEdition) -> bytes:
    import json

    return (json.dumps(loaded.report.to_dict(), indent=2, ensure_ascii=False) + "\n").encode()


def output_files(
    loaded: LoadedEdition, rendered: RenderedReport, data: dict[str, bytes]
) -> dict[str, bytes]:
    """The files of a draft folder (the manifest is added by publish)."""
    return {
        "report.html": rendered.html.encode("utf-8"),
        "report.pdf": rendered.pdf,
        "validation.json": validation_json(loaded),
        **data,
    }


def plan_build(
    outputs_dir: Path, loaded: LoadedEdition, final: bool, allow_missing: Sequence[str]
) -> tuple[int | None, BuildInfo]:
    """The draft number (None for a final) and the build info; refuses an incomplete final.

    Call while holding the year's lock: a draft number is reserved under it.
    """
    from .publish import next_draft_number

    if final:
        check_final(loaded, allow_missing)
        return None, make_build_info(None, final=True, allowed_missing=allow_missing)
    number = next_draft_number(outputs_dir, loaded.year)
    return number, make_build_info(number)


def leave_out_unrendered(
    loaded: LoadedEdition, timed_out: PartsTimedOut, build: BuildInfo
) -> LoadedEdition:
    """The edition without the members whose chapters overran the render time limit: they
    are reported as not rendered, as an invalid member is reported as not valid.

    For a final (`build.draft` None), that is refused (`FinalRefused`) unless
    `--allow-missing` named them, as for a member whose contribution is not valid."""
    codes = {
        m.code
        for m in loaded.working_group.members
        if f"member-{m.code.lower()}" in timed_out.sections
    }
    if not codes:
        raise timed_out
    reason = f"its chapter took longer than {timed_out.limit:g} s to lay out"
    left = dataclasses.replace(
        loaded,
        contributions={c: v for c, v in loaded.contributions.items() if c not in codes},
        status=[
            dataclasses.replace(s, valid=False, not_rendered=reason) if s.code in codes else s
            for s in loaded.status
        ],
    )
    if build.draft is None:
        check_final(left, build.allowed_missing)
    return left


def build_parameters(
    settings: Settings, year: int, final: bool, allow_missing: Sequence[str], supersede: bool
) -> dict[str, Any]:
    """What builds.log records as a build's parameters."""
    return {
        "year": year,
        "final": final,
        "allow_missing": sorted(allow_missing),
        "supersede": supersede,
        "inputs_dir": str(settings.inputs_dir),
        "outputs_dir": str(settings.outputs_dir),
        **({"dask_address": settings.dask_address} if settings.dask_address else {}),
    }
