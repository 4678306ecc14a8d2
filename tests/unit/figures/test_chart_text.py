"""Issue 40, the charts read back from their SVGs: no two texts overlap and no reference
line crosses a text; nothing is drawn that says nothing (numbers that are all "1", an empty
legend entry); change charts print their changes; a note names the table it points to."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from tests.conftest import DEMO_INPUTS, ROOT
from tests.support.svgtext import text_boxes, vertical_lines
from wgreport.content import aggregate
from wgreport.content.chartkit import Chart
from wgreport.content.formatting import format_change
from wgreport.figures.drawing import make_charts
from wgreport.inputs.edition import load_edition_inputs
from wgreport.inputs.models import WorkingGroup


@pytest.fixture(scope="module")
def demo() -> tuple[WorkingGroup, aggregate.Frames, list[Chart]]:
    current = load_edition_inputs(DEMO_INPUTS, 2024)
    previous = load_edition_inputs(DEMO_INPUTS, 2023)
    wg = current.working_group
    frames = aggregate.compute_frames(current.contributions, wg, previous.contributions)
    return wg, frames, make_charts(frames, wg, with_change=True)


def _texts(chart: Chart) -> list[str]:
    return [box.text for box in text_boxes(chart.svg)]


def test_no_two_texts_of_a_chart_overlap(
    demo: tuple[WorkingGroup, aggregate.Frames, list[Chart]],
) -> None:
    for chart in demo[2]:
        boxes = text_boxes(chart.svg)
        assert len(boxes) > 5, chart.id  # the texts are read (text elements, not paths)
        clashes = [
            (a.text, b.text) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)
        ]
        assert not clashes, f"{chart.id}: texts overlap: {clashes}"


def test_no_reference_line_crosses_a_text(
    demo: tuple[WorkingGroup, aggregate.Frames, list[Chart]],
) -> None:
    with_lines = 0
    for chart in demo[2]:
        boxes = text_boxes(chart.svg)
        lines = vertical_lines(chart.svg)
        with_lines += bool(lines)
        crossed = [
            (gid, box.text)
            for gid, x, y0, y1 in lines
            for box in boxes
            if box.crossed_by(x, y0, y1)
        ]
        assert not crossed, f"{chart.id}: a reference line runs through {crossed}"
    assert with_lines >= 4  # the median and average lines of Figures 4.1, 4.3, 4.5, 4.7


def test_each_reference_line_is_labelled_above_the_plot(
    demo: tuple[WorkingGroup, aggregate.Frames, list[Chart]],
) -> None:
    dgi = next(c for c in demo[2] if c.id == "fig-dgi")
    texts = _texts(dgi)
    assert "group median 0.655" in texts and "OECD average 0.605" in texts


def test_numbers_that_are_all_the_same_are_not_printed_in_the_theme_matrix(
    demo: tuple[WorkingGroup, aggregate.Frames, list[Chart]],
) -> None:
    _, frames, charts = demo
    assert set(frames.themes.to_numpy().ravel()) == {0, 1}  # the demo: at most one per theme
    themes = next(c for c in charts if c.id == "fig-themes")
    assert "1" not in _texts(themes)  # a dot says it; a "1" in every dot says nothing
    assert any("a dot marks one, a point none" in n for n in themes.notes)


def test_a_theme_matrix_with_different_counts_still_prints_them(
    demo: tuple[WorkingGroup, aggregate.Frames, list[Chart]],
) -> None:
    from wgreport.figures.practicecharts import theme_chart

    wg, frames, _ = demo
    themes = frames.themes.copy()
    themes.iloc[0, 0] = 2
    chart = theme_chart(themes, wg, frames.initiatives)
    assert "2" in _texts(chart) and "1" in _texts(chart)
    assert not chart.notes


def test_a_status_no_initiative_has_leaves_the_legend(
    demo: tuple[WorkingGroup, aggregate.Frames, list[Chart]],
) -> None:
    _, frames, charts = demo
    assert "planned" not in set(frames.initiatives["status"])  # the demo has none
    status = next(c for c in charts if c.id == "fig-status")
    texts = _texts(status)
    assert "Planned" not in texts
    assert {"In progress", "Completed", "Discontinued"} <= set(texts)
    assert status.columns[1] == "Planned"  # the data table still says 0


def test_change_charts_print_each_member_s_change(
    demo: tuple[WorkingGroup, aggregate.Frames, list[Chart]],
) -> None:
    wg, frames, charts = demo
    changes = [c for c in charts if c.id.startswith("fig-change-")]
    assert len(changes) == 3
    for chart in changes:
        indicator = wg.indicator(chart.id.removeprefix("fig-change-"))
        assert indicator is not None
        change = frames.change
        rows = change[(change["indicator"] == indicator.id) & change["previous"].notna()]
        expected = sorted(
            format_change(r.value, r.previous, indicator.decimals, indicator.unit)
            for r in rows.itertuples()
        )
        printed = sorted(t for t in _texts(chart) if t in set(expected))
        assert printed == expected, chart.id


def test_a_figure_note_names_the_table_it_points_to() -> None:
    from wgreport.build.pipeline import make_context
    from wgreport.build.plan import make_build_info
    from wgreport.render.html import render_html

    ctx = make_context(load_edition_inputs(DEMO_INPUTS, 2024), make_build_info(1))
    page = htmllib.unescape(render_html(ctx, ROOT / "templates"))
    figure = page[page.index('<figure class="chart" id="fig-dgi">') :]
    figure = figure[: figure.index("</figure>")]
    data = re.search(r"Data: Table (B\.\d+)", figure)
    assert data
    assert f"No value for Uruguay: the reason is in the Note column of Table {data[1]}." in figure
    assert "see the note in the table" not in page and "{data_table}" not in page
    table = page[page.index(f"Table {data[1]}. Data for Figure") :]
    after = table[table.index("</table>") :]
    notes = re.match(r'</table>\s*</div>\s*((?:<p class="table-note">[^<]*</p>\s*)*)', after)
    assert notes
    assert "No value for Uruguay: the reason is in the Note column of this table." in notes[1]


def test_a_large_group_s_panels_keep_their_texts_apart_too(tmp_path: Path) -> None:
    from wgreport.build.pipeline import compute_frames
    from wgreport.inputs.demodata import write_demo_inputs

    write_demo_inputs(tmp_path / "inputs", 50, 2024, 1)
    loaded = load_edition_inputs(tmp_path / "inputs", 2024)
    previous, frames = compute_frames(loaded)
    drawn = make_charts(frames, loaded.working_group, previous is not None)
    assert any(chart.panel == "b" for chart in drawn)  # the compact layout, in panels
    for chart in drawn:
        boxes = text_boxes(chart.svg)
        clashes = [
            (a.text, b.text) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)
        ]
        crossed = [
            (gid, box.text)
            for gid, x, y0, y1 in vertical_lines(chart.svg)
            for box in boxes
            if box.crossed_by(x, y0, y1)
        ]
        assert not clashes and not crossed, (chart.id, clashes, crossed)
