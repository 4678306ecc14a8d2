"""Where a build's time goes: the library build (no Prefect), stage by stage, one run.

    .venv/bin/python benchmarks/stages.py INPUTS OUTPUTS [--year 2024]

INPUTS is an inputs folder (e.g. one written by `wgreport demo-data --members 193`);
OUTPUTS is where the draft goes. Run it twice on the same OUTPUTS, with a member's text
changed in between, to see a cold build and a one-member rebuild (the part and chart caches
live under OUTPUTS/.cache). Prints one JSON line: seconds per stage, and how the PDF was
made.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from wgreport import pipeline
from wgreport.inputs import load_edition_inputs
from wgreport.publish import publish_build
from wgreport.render import render_html
from wgreport.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("inputs", type=Path)
    parser.add_argument("outputs", type=Path)
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    settings = Settings(root=ROOT, inputs_dir=args.inputs, outputs_dir=args.outputs)
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        seconds[name] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()

    loaded = load_edition_inputs(args.inputs, args.year)
    lap("validate and load")
    number, build = pipeline.plan_build(args.outputs, loaded, False, [])
    prev, frames = pipeline.compute_frames(loaded)
    lap("aggregate")
    wg = loaded.working_group
    figures = pipeline.cached_charts(frames, wg, prev is not None, settings.charts_cache)
    lap("charts")
    reviews = pipeline.read_reviews(loaded, args.outputs)
    ctx = pipeline.make_context(loaded, build, frames, figures, prev, reviews)
    lap("context")
    data = {
        **pipeline.data_files(frames, ctx),
        **pipeline.comment_files(ctx, reviews, settings.templates_dir),
    }
    html = render_html(ctx, settings.templates_dir)
    lap("data files and HTML")
    rendered = pipeline.render_pdf_report(
        ctx,
        html,
        settings.templates_dir,
        image_roots=pipeline.image_folders(loaded),
        data=data,
        workers=settings.render_workers,
        cache_dir=settings.parts_cache,
        time_limit=settings.chapter_time_limit,
    )
    lap("PDF (parts, merge, stamp)")
    manifest = pipeline.make_manifest(settings, loaded, rendered, build)
    files = pipeline.output_files(loaded, rendered, data)
    publish_build(args.outputs, args.year, number, files, manifest)
    lap("manifest and publish")
    print(json.dumps({"seconds": seconds, "render": dict(rendered.render)}))


if __name__ == "__main__":
    main()
