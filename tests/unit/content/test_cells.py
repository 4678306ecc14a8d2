"""How table cells are set (content/cells.py): numeric columns, the decimal point, ranks."""

from __future__ import annotations

from types import SimpleNamespace

from wgreport.content import cells

FS, PS = cells.FIGURE_SPACE, cells.POINT_SPACE


def test_numbers_as_the_report_prints_them_are_numeric() -> None:
    for text in ["0.9679", "4", "1,234", "+0.0150", "-0.0046", "19.5", "3 (2022)",
                 "0.9529 (2022)", "4 of 4", "3rd of 10", "2 of 10 (tied)", "up 4", "down 12",
                 "unchanged", "12%"]:  # fmt: skip
        assert cells.is_numeric(text), text
    for text in ["Korea", "2023-03", "2022-09 – 2024-09", "1. Consent", "n/a", "", "all reported"]:
        assert not cells.is_numeric(text), text


def test_a_column_is_numeric_when_its_other_cells_are_empty() -> None:
    assert cells.numeric_column(["0.9", "n/a", "", "1.0"])
    assert not cells.numeric_column(["n/a", ""])
    assert not cells.numeric_column(["0.9", "Not comparable"])


def test_numbers_are_padded_to_the_column_s_most_decimals() -> None:
    assert cells.pad_decimals(["0.9679", "4", "19.5", "n/a", "3 (2022)"]) == [
        "0.9679", "4" + FS * 4 + PS, "19.5" + FS * 3, "n/a", "3" + FS * 4 + PS + " (2022)",
    ]  # fmt: skip
    assert cells.pad_decimals(["4", "16"]) == ["4", "16"]  # no decimals: nothing to pad


def test_a_table_s_numeric_columns_are_found_and_padded() -> None:
    table = SimpleNamespace(
        columns=["Member", "Value", "Note"],
        rows=[["Korea", "0.935", ""], ["Uruguay", "n/a", "Not covered"], ["Chile", "12", ""]],
    )
    aligned = cells.aligned(table)
    assert aligned.numeric == [False, True, False]
    assert [row[1] for row in aligned.rows] == ["0.935", "n/a", "12" + FS * 3 + PS]


def test_a_rank_among_members_reads_as_an_ordinal() -> None:
    assert cells.ordinal_rank("3 of 10") == "3rd of 10"
    assert cells.ordinal_rank("1 of 9 (tied)") == "1st of 9 (tied)"
    assert cells.ordinal_rank("12 of 40") == "12th of 40"
    assert cells.ordinal_rank("–") == "–"
