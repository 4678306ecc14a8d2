from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DEMO_INPUTS
from wgreport.content import aggregate, chartkit, formatting
from wgreport.content.aggregate import Frames
from wgreport.errors import FontMissing
from wgreport.figures import charts
from wgreport.inputs.edition import load_edition_inputs
from wgreport.inputs.models import WorkingGroup


@pytest.fixture(scope="module")
def frames() -> tuple[WorkingGroup, Frames]:
    current = load_edition_inputs(DEMO_INPUTS, 2024)
    previous = load_edition_inputs(DEMO_INPUTS, 2023)
    wg = current.working_group
    return wg, aggregate.compute_frames(current.contributions, wg, previous.contributions)


def _one(draw: Callable[..., list[chartkit.Chart]], *args: Any) -> chartkit.Chart:
    """The chart a ten-member group gets: one, not panels."""
    drawn = draw(*args)
    assert len(drawn) == 1
    return drawn[0]


def test_svg_is_deterministic_without_timestamps(frames: tuple[WorkingGroup, Frames]) -> None:
    wg, f = frames
    first = _one(charts.indicator_charts, f.values, wg, wg.indicators[0]).svg
    second = _one(charts.indicator_charts, f.values, wg, wg.indicators[0]).svg
    assert first == second
    assert "<dc:date>" not in first and "Matplotlib v" not in first
    assert first.startswith("<?xml")


def test_a_missing_value_is_said_in_the_note_never_drawn(
    frames: tuple[WorkingGroup, Frames],
) -> None:
    wg, f = frames
    dgi = _one(charts.indicator_charts, f.values, wg, wg.indicator("dgi"))
    assert "n/a" not in dgi.svg and "Uruguay" not in dgi.svg  # not in the plot area
    assert any(n.startswith("No value for Uruguay") for n in dgi.notes)
    assert "Uruguay" in dgi.alt and "No value" in dgi.alt
    uy = next(r for r in dgi.rows if r[0] == "Uruguay")
    assert uy[1] == "n/a" and "not covered" in uy[2]
    assert len(dgi.rows) == 10  # nobody dropped from the figure's data


def test_bars_are_sorted_best_first_in_one_accent_colour(
    frames: tuple[WorkingGroup, Frames],
) -> None:
    wg, f = frames
    egdi = _one(charts.indicator_charts, f.values, wg, wg.indicator("egdi"))
    labels = re.findall(r">([A-Z][A-Za-z ]+)</text>", egdi.svg)
    order = [lab for lab in labels if lab in {m.label for m in wg.members}]
    assert order[:2] == ["Denmark", "Estonia"] and order[-1] == "Mexico"  # best first
    fills = set(re.findall(r'<g id="bar-[A-Z]{2}">\s*<path[^>]*?fill: (#[0-9a-f]{6})', egdi.svg))
    assert len(re.findall(r'<g id="bar-[A-Z]{2}">', egdi.svg)) == 10
    assert fills == {chartkit.ACCENT}
    assert egdi.source.startswith("UN DESA, United Nations E-Government Survey (2024 data)")


def test_every_chart_has_title_alt_and_table(frames: tuple[WorkingGroup, Frames]) -> None:
    wg, f = frames
    made = [
        charts.theme_chart(f.themes, wg),
        _one(charts.status_charts, f.initiatives, wg),
        *[_one(charts.indicator_charts, f.values, wg, i) for i in wg.indicators],
        *[_one(charts.change_charts, f.change, wg, i) for i in wg.indicators],
    ]
    for chart in made:
        assert chart.title and len(chart.alt) > 30 and chart.rows and chart.columns
        assert all(len(r) == len(chart.columns) for r in chart.rows)
        assert re.fullmatch(r"fig-[a-z0-9-]+", chart.id)


def test_caveat_travels_with_the_change_chart(frames: tuple[WorkingGroup, Frames]) -> None:
    wg, f = frames
    chart = _one(charts.change_charts, f.change, wg, wg.indicator("dgi"))
    assert any("not comparable" in n for n in chart.notes)


def test_a_missing_chart_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager as fm

    def not_found(*args: object, **kwargs: object) -> str:
        raise ValueError("not found")

    monkeypatch.setattr(chartkit, "_font_ready", False)
    monkeypatch.setattr(fm, "findfont", not_found)
    monkeypatch.setattr(fm, "findSystemFonts", lambda **kwargs: [])
    with pytest.raises(FontMissing, match=r"'Noto Sans' is not installed.*fonts-noto-core"):
        chartkit.ensure_chart_font()


def test_a_large_group_s_theme_chart_counts_by_theme_and_status(
    frames: tuple[WorkingGroup, Frames], tmp_path: Path
) -> None:
    """A column per member fits up to chartkit.SMALL_GROUP members (the demo's dot matrix);
    a larger group's chart is a bar per theme, stacked by status, and its table too."""
    from wgreport.inputs.demodata import write_demo_inputs

    wg, f = frames
    small = charts.theme_chart(f.themes, wg, f.initiatives)
    assert small.columns[0] == "Theme" and len(small.columns) == len(wg.members) + 2
    write_demo_inputs(tmp_path, 40, 2024, 1)
    loaded = load_edition_inputs(tmp_path, 2024)
    group = loaded.working_group
    big_frames = aggregate.compute_frames(loaded.contributions, group, {})
    big = charts.theme_chart(big_frames.themes, group, big_frames.initiatives)
    assert big.title == "Initiatives by theme and status" and big.compact
    assert big.columns == ["Theme", *formatting.STATUS_NAMES.values(), "Total", "Members"]
    assert [r[0] for r in big.rows] == [t.title for t in group.themes] + ["All themes"]
    assert all(len(r) == len(big.columns) for r in big.rows)
    assert all(int(r[-2]) == sum(int(v) for v in r[1:-2]) for r in big.rows)
    *themes, total = big.rows
    assert int(total[-2]) == len(big_frames.initiatives) == sum(int(r[-2]) for r in themes)
    reach = (big_frames.themes > 0).sum(axis=1)
    assert [int(r[-1]) for r in themes] == [int(reach[t.id]) for t in group.themes]
    assert len(re.findall(r'<g id="ytick_\d+">', big.svg)) == len(group.themes)


def test_charts_are_cached_by_the_tables_they_are_drawn_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second build with the same numbers draws no chart; a member's text does not count,
    a changed value does."""
    import dataclasses

    from wgreport.build import pipeline
    from wgreport.figures import drawing as figures

    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    _, frames = pipeline.compute_frames(loaded)
    wg = loaded.working_group
    drawn = figures.cached_charts(frames, wg, True, tmp_path)
    # one entry in the content-addressed cache: charts/<key[:2]>/<key>
    assert len([p for p in (tmp_path / "charts").rglob("*") if p.is_file()]) == 1

    def fail(*args: object) -> None:
        raise AssertionError("a chart was drawn again")

    monkeypatch.setattr(figures, "make_charts", fail)
    again = figures.cached_charts(frames, wg, True, tmp_path)
    assert again == drawn and again[0].svg == drawn[0].svg

    kr = loaded.contributions["KR"]
    reworded = dataclasses.replace(
        loaded,
        contributions={
            **loaded.contributions,
            "KR": kr.model_copy(update={"summary": "New words."}),
        },
    )
    _, same = pipeline.compute_frames(reworded)
    assert figures.charts_digest(same, wg, True) == figures.charts_digest(frames, wg, True)
    values = frames.values.copy()
    values.loc[values.index[0], "value"] = 0.123
    moved = dataclasses.replace(frames, values=values)
    assert figures.charts_digest(moved, wg, True) != figures.charts_digest(frames, wg, True)


def test_a_context_made_again_draws_its_charts_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make_context` without figures (the checks, the tools, the test suite) draws the
    charts of the same tables once per process, and again when a number moves; the
    process keeps the newest few sets only."""
    import dataclasses

    from wgreport.build import pipeline
    from wgreport.build.plan import make_build_info
    from wgreport.figures import drawing

    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    _, frames = pipeline.compute_frames(loaded)
    wg = loaded.working_group
    drawn: list[str] = []
    make = drawing.make_charts

    def counted(
        frames: Frames, wg: WorkingGroup, with_change: bool, workers: int = 1
    ) -> list[chartkit.Chart]:
        drawn.append(drawing.charts_digest(frames, wg, with_change))
        return make(frames, wg, with_change, workers)

    monkeypatch.setattr(drawing, "make_charts", counted)
    monkeypatch.setattr(drawing, "_REMEMBERED", type(drawing._REMEMBERED)())
    first = pipeline.make_context(loaded, make_build_info(1))
    second = pipeline.make_context(loaded, make_build_info(2))
    assert len(drawn) == 1 and len(first.indicator_figures) >= 3
    first_charts = drawing._REMEMBERED[drawn[0]]
    assert (first.theme_figures, first.indicator_figures) == (
        second.theme_figures,
        second.indicator_figures,
    )

    # what is remembered is keyed by the tables (no more drawing: only the keys matter)
    def again(*args: object) -> list[chartkit.Chart]:
        drawn.append("again")
        return []

    monkeypatch.setattr(drawing, "make_charts", again)
    values = frames.values.copy()
    values.loc[values.index[0], "value"] = 0.123
    assert drawing.cached_charts(dataclasses.replace(frames, values=values), wg, True, None) == []
    assert drawn[1:] == ["again"], "a moved number draws the charts again"
    assert drawing.cached_charts(frames, wg, True, None) == list(first_charts)
    assert len(drawn) == 2, "the first tables' charts were remembered, not drawn"
    for n in range(drawing.REMEMBERED_SETS):
        values.loc[values.index[0], "value"] = 0.2 + n / 100
        drawing.cached_charts(dataclasses.replace(frames, values=values), wg, True, None)
    assert len(drawing._REMEMBERED) == drawing.REMEMBERED_SETS
    assert drawing.charts_digest(frames, wg, True) not in drawing._REMEMBERED


def test_a_new_cache_folder_takes_the_charts_this_process_drew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build into a new outputs folder (or a preview's) finds no charts in its cache
    folder: it takes those this process drew from the same tables, and writes them there."""
    from wgreport.build import pipeline
    from wgreport.figures import drawing

    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    _, frames = pipeline.compute_frames(loaded)
    wg = loaded.working_group
    drawn: list[int] = []

    def stand_in(*args: object) -> list[chartkit.Chart]:
        drawn.append(1)
        return [chartkit.Chart(id="c", title="T", alt="A", svg="<svg/>", columns=[], rows=[])]

    monkeypatch.setattr(drawing, "make_charts", stand_in)
    monkeypatch.setattr(drawing, "_REMEMBERED", type(drawing._REMEMBERED)())
    one = drawing.cached_charts(frames, wg, True, tmp_path / "a")
    two = drawing.cached_charts(frames, wg, True, tmp_path / "b")
    assert one == two and drawn == [1]
    assert len([p for p in (tmp_path / "b" / "charts").rglob("*") if p.is_file()]) == 1
    monkeypatch.setattr(drawing, "_REMEMBERED", type(drawing._REMEMBERED)())  # a new process
    assert drawing.cached_charts(frames, wg, True, tmp_path / "b") == one and drawn == [1]


def test_charts_taken_from_the_cache_need_no_matplotlib(tmp_path: Path) -> None:
    """A rebuild whose numbers did not move (a member's text changed) finds its charts in the
    cache without importing matplotlib (0.25-0.3 s of a one-member rebuild): the digest
    reads matplotlib's version from the installed distribution. Two fresh processes: the
    first draws and fills the cache, the second only reads it."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from wgreport.build import pipeline\n"
        "from wgreport.figures import drawing\n"
        "from wgreport.inputs.edition import load_edition_inputs\n"
        f"loaded = load_edition_inputs(Path({str(DEMO_INPUTS)!r}), 2024)\n"
        "_, frames = pipeline.compute_frames(loaded)\n"
        "before = 'matplotlib' in sys.modules\n"
        f"charts = drawing.cached_charts(frames, loaded.working_group, True, Path({str(tmp_path)!r}))\n"
        "import hashlib\n"
        "svgs = hashlib.sha256(''.join(c.svg for c in charts).encode()).hexdigest()\n"
        "print(before, 'matplotlib' in sys.modules, len(charts), svgs)\n"
    )

    def run() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        return done.stdout.strip().splitlines()[-1].split(" ", 3)

    drawn = run()
    assert drawn[:2] == ["False", "True"]  # drawing imports it
    kept = run()
    assert kept[:2] == ["False", "False"], kept  # the cache hit does not
    assert kept[2:] == drawn[2:] and int(kept[2]) > 0  # the same charts, every one


def test_charts_drawn_in_processes_are_the_ones_drawn_in_one(tmp_path: Path) -> None:
    """A large group's charts are drawn in worker processes: the same figures, in order."""
    from wgreport.build import pipeline
    from wgreport.figures import drawing as figures
    from wgreport.inputs.demodata import write_demo_inputs

    write_demo_inputs(tmp_path, 12, 2024, 3)
    loaded = load_edition_inputs(tmp_path, 2024)
    _, frames = pipeline.compute_frames(loaded)
    one = figures.make_charts(frames, loaded.working_group, True)
    two = figures.make_charts(frames, loaded.working_group, True, workers=2)
    assert len(one) == 9 and [c.id for c in two] == [c.id for c in one]
    assert two == one


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"EE": 0.03, "NZ": -0.02, "KR": 0.01}, "Estonia improved most on EGDI and New Zealand declined most"),
        ({"EE": 0.03, "NZ": 0.02, "KR": 0.01}, "Estonia improved most on EGDI and Korea least"),
        ({"EE": 0.03, "NZ": 0.0}, "Estonia improved most on EGDI and New Zealand did not change"),
        ({"EE": -0.01, "NZ": -0.02}, "no member improved on EGDI: New Zealand declined most and Estonia declined least"),
        ({"EE": 0.0, "NZ": -0.02}, "no member improved on EGDI: New Zealand declined most and Estonia did not change"),
        ({"EE": 0.0, "NZ": 0.0}, "no member's EGDI changed"),
    ],
)  # fmt: skip
def test_a_change_chart_words_declines_as_declines(changes: dict[str, float], said: str) -> None:
    """ "Improved least" only when every member improved: a decline is called one."""
    import pandas as pd

    from wgreport.figures.charts import _changes

    labels = {"EE": "Estonia", "NZ": "New Zealand", "KR": "Korea"}
    assert _changes(pd.Series(changes), labels, "EGDI") == said


def test_an_indicator_with_one_value_for_everyone_is_said_not_drawn() -> None:
    from wgreport.build.pipeline import compute_frames
    from wgreport.build.plan import make_build_info
    from wgreport.content.context import build_context
    from wgreport.figures.drawing import make_charts

    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    prev, frames = compute_frames(loaded)
    osi = frames.values["indicator"] == "osi"
    frames.values.loc[osi, "value"] = 1.0
    made = make_charts(frames, loaded.working_group, True)
    assert "fig-osi" not in {c.id for c in made} and "fig-egdi" in {c.id for c in made}
    ctx = build_context(loaded, make_build_info(1), frames=frames, charts=made, previous_year=prev)
    assert ctx.constant == [
        "All 10 members reporting the Online Service Index have the same value, 1.0000, "
        "so no chart is drawn for it."
    ]


def test_a_change_chart_highlights_the_members_its_takeaway_names(
    frames: tuple[WorkingGroup, Frames],
) -> None:
    """Figure 4.2: Uruguay (improved most) and New Zealand (declined most) in the accent
    colour, the others lighter; the note says so."""
    from wgreport.content import chartkit

    wg, computed = frames
    chart = _one(charts.change_charts, computed.change, wg, wg.indicator("egdi"))
    assert "Uruguay improved most" in chart.alt and "New Zealand declined most" in chart.alt
    filled = chart.svg.count(chartkit.ACCENT.lower()) + chart.svg.count(chartkit.ACCENT.upper())
    muted = chart.svg.lower().count(chartkit.MUTED_ACCENT.lower())
    assert filled >= 4 and muted >= 16  # 2 members × 2 dots; 8 members × 2 dots
    assert chart.notes[0].endswith("in bold: the members named above.")


def test_a_change_chart_runs_from_most_improved_to_most_declined(
    frames: tuple[WorkingGroup, Frames],
) -> None:
    """Figures 4.2 and 4.6: the moves are sorted by the printed change, as the bars are by
    value, so the takeaway's two members are the first and the last row."""
    wg, computed = frames
    members = {m.label for m in wg.members}
    egdi = _one(charts.change_charts, computed.change, wg, wg.indicator("egdi"))
    order = [lab for lab in re.findall(r">([A-Z][A-Za-z ]+)</text>", egdi.svg) if lab in members]
    by_change = sorted(egdi.rows, key=lambda row: -float(row[3]))  # "+0.0618"
    assert order == [row[0] for row in by_change]
    assert order[0] == "Uruguay" and order[-1] == "New Zealand"
    assert egdi.notes[0].startswith("Sorted by the change, the printed value minus")
    assert [row[0] for row in egdi.rows][:2] == ["Korea", "United Kingdom"]  # table: group order
    rank = _one(charts.change_charts, computed.change, wg, wg.indicator("egdi-rank"))
    order = [lab for lab in re.findall(r">([A-Z][A-Za-z ]+)</text>", rank.svg) if lab in members]
    assert order[0] == "Uruguay" and order[-1] == "Canada"  # up 10 … down 15
