"""The order in which the parallel render hands parts to its workers (issue 41)."""

from __future__ import annotations

from wgreport.render.pdf.schedule import _Job, layout_cost, longest_first

CHART = "data:image/svg+xml;base64," + "QUJD" * 20_000  # a long chart, one element
TABLE = "<table>" + "<tr><td>1</td><td>2</td></tr>" * 300 + "</table>"  # short, 901 elements
TEXT = "<p>" + "Words and words. " * 200 + "</p>"  # long, one element


def _job(name: str, html: str) -> _Job:
    return _Job("render", 0, name, (html, "", "", [], [], True), name)


def test_a_part_costs_its_elements_not_the_length_of_its_data_urls() -> None:
    assert layout_cost(f'<body><img src="{CHART}"></body>') == 2
    assert layout_cost(TABLE) == 901
    assert layout_cost(TEXT) == 1


def test_the_costliest_parts_go_first_whatever_their_length() -> None:
    jobs = [_job("text", TEXT), _job("chart", f'<img src="{CHART}">'), _job("table", TABLE)]
    assert len(TABLE) < len(jobs[1].args[0])  # the table is the shorter HTML
    assert longest_first(jobs)[0].key == "table"
