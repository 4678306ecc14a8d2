"""The charts step: every figure of the report, drawn (in processes for a large group)
and kept in the content-addressed cache by the digest of the tables they are drawn from."""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..content import aggregate, chartkit, compare, formatting
from ..content.chartkit import Chart
from ..inputs.models import WorkingGroup
from . import charts, practicecharts


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
        if (
            compare.constant_value(values) is None
        ):  # a chart of equal bars says nothing: a sentence does
            jobs.append((charts.indicator_charts, (values, wg, indicator)))
        change = frames.change[frames.change["indicator"] == indicator.id]
        comparable = change["previous"].notna() & change["comparable"].astype(bool)
        if with_change and comparable.any():  # none across a break in series
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
        from ..render.pdf.workers import worker_pool

        with worker_pool(min(workers, len(jobs))) as pool:
            drawn = list(pool.map(_draw, jobs))
    else:
        drawn = [_draw(job) for job in jobs]
    return [chart for charts_of_job in drawn for chart in charts_of_job]


def charts_digest(frames: aggregate.Frames, wg: WorkingGroup, with_change: bool) -> str:
    """What the figures are drawn from: every table, the group, the chart code (charts.py
    and chartkit.py), the matplotlib version and the language of their text."""
    import hashlib
    from importlib.metadata import version

    from ..i18n import current_language

    # The installed distribution's version, as matplotlib.__version__ gives it, without
    # importing matplotlib (0.25-0.3 s): a build whose charts are all in the cache draws
    # none and needs none of it.
    h = hashlib.sha256(version("matplotlib").encode())
    h.update(f"language {current_language()}".encode())
    for module in (charts, practicecharts, chartkit, compare, formatting):  # the chart code
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
    charts take tens of seconds to draw.

    The process also remembers the last few sets it drew, by the same digest: without a
    `cache_dir` (`pipeline.make_context` without figures, which the checks, the scripts and
    the test suite call again and again on the same tables), or when the folder has not got
    them yet (a preview's, a build into a new outputs folder), charts already drawn here are
    not drawn again. Charts are frozen, so the remembered ones are the drawn ones."""
    import json
    import os

    # A small group's charts draw in a second or two: less than starting the processes.
    workers = (os.cpu_count() or 1) if len(wg.members) > chartkit.SMALL_GROUP else 1
    key = charts_digest(frames, wg, with_change)
    if cache_dir is None:
        return _remembered(key, lambda: make_charts(frames, wg, with_change, workers))
    from ..cache import ContentCache

    store = ContentCache(cache_dir)
    try:
        return [Chart(**item) for item in json.loads(store.get("charts", key) or b"")]
    except (ValueError, TypeError):
        pass  # not cached yet, or a damaged entry: this process's, else drawn
    figures = _remembered(key, lambda: make_charts(frames, wg, with_change, workers))
    store.put("charts", key, json.dumps([dataclasses.asdict(f) for f in figures]).encode())
    return figures


#: The charts this process drew last, by the digest of what they are drawn from
#: (`cached_charts`); the newest few only: a 193-member group's charts are megabytes.
_REMEMBERED: OrderedDict[str, tuple[Chart, ...]] = OrderedDict()
REMEMBERED_SETS = 4
_REMEMBERING = threading.Lock()


def _remembered(key: str, draw: Callable[[], list[Chart]]) -> list[Chart]:
    """The charts remembered under `key`, else `draw()`'s, remembered. The memory is
    changed under a lock (the portal and the preview build in threads); the drawing is
    not held by it."""
    with _REMEMBERING:
        kept = _REMEMBERED.get(key)
        if kept is not None:
            _REMEMBERED.move_to_end(key)
            return list(kept)
    drawn = tuple(draw())
    with _REMEMBERING:
        _REMEMBERED[key] = drawn
        while len(_REMEMBERED) > REMEMBERED_SETS:
            _REMEMBERED.popitem(last=False)
    return list(drawn)
