"""A note every value of a figure's data table shares is said once under it."""

from __future__ import annotations

from wgreport.figures.charts import said_once

COLUMNS = ["Member", "Index", "Note"]


def test_a_note_every_shown_value_shares_is_said_once_and_a_missing_value_keeps_its_reason() -> (
    None
):
    rows = [["A", "0.9", "New series"], ["B", "0.8", "New series"], ["C", "n/a", "Not covered"]]
    columns, out, notes = said_once(COLUMNS, rows, ["C"])
    assert columns == COLUMNS
    assert out == [["A", "0.9", ""], ["B", "0.8", ""], ["C", "n/a", "Not covered"]]
    assert notes == ["Every value shown: New series."]


def test_with_no_note_left_the_column_goes() -> None:
    rows = [["A", "0.9", "New series."], ["B", "0.8", "New series."]]
    columns, out, notes = said_once(COLUMNS, rows, [])
    assert columns == ["Member", "Index"] and out == [["A", "0.9"], ["B", "0.8"]]
    assert notes == ["Every value shown: New series."]


def test_different_notes_one_row_or_no_note_stay_as_they_are() -> None:
    for rows in (
        [["A", "0.9", "One"], ["B", "0.8", "Two"]],
        [["A", "0.9", "One"]],
        [["A", "0.9", ""], ["B", "0.8", ""]],
    ):
        assert said_once(COLUMNS, rows, []) == (COLUMNS, rows, [])
