"""Numbers, words and country names per locale (issue 42): the report rounds by its own
rules first, then Babel writes the rounded number with the locale's symbols; English keeps
the report's own form; members are named by Babel's country names in another language."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import DEMO_INPUTS
from wgreport.content.countries import country_name, localised_group
from wgreport.content.formatting import (
    format_change,
    format_number,
    localised,
    ordinal,
    status_title,
)
from wgreport.i18n import language
from wgreport.inputs.edition import load_edition_inputs


def test_a_rounded_number_is_written_with_the_locales_symbols() -> None:
    # German: a comma before the decimals, a point between thousands
    assert localised(Decimal("12345.6780"), locale="de") == "12.345,6780"
    assert localised(Decimal("-0.0167"), signed=True, locale="de") == "-0,0167"
    assert localised(Decimal("0.0120"), signed=True, locale="de") == "+0,0120"
    assert localised(Decimal("7"), locale="de") == "7"
    # Korean writes numbers as English does; English keeps the report's own form
    assert localised(Decimal("12345.6780"), locale="ko") == "12,345.6780"
    assert localised(Decimal("12345.6780"), locale="en") == "12,345.6780"


def test_the_report_rounds_first_then_the_locale_writes() -> None:
    # 0.99535 is rounded half-up from the value as written (never 0.9953), then written
    assert localised(Decimal("0.9954"), locale="de") == "0,9954"
    with language("ko"):
        assert format_number(0.99535, 4) == "0.9954"
        assert format_number(None, 4) == "자료 없음"
    assert format_number(0.99535, 4) == "0.9954"
    assert format_number(None, 4) == "n/a"


def test_rank_words_and_ordinals_per_language() -> None:
    assert format_change(7, 11, 0, "rank") == "up 4"
    assert ordinal(35) == "35th"
    assert status_title("in-progress") == "In progress"
    with language("ko"):
        assert format_change(7, 11, 0, "rank") == "4계단 상승"
        assert format_change(11, 7, 0, "rank") == "4계단 하락"
        assert format_change(7, 7, 0, "rank") == "변동 없음"
        assert ordinal(35) == "35위"
        assert status_title("in-progress") == "진행 중"


def test_members_are_named_by_babels_country_names_in_korean() -> None:
    demo_wg = load_edition_inputs(DEMO_INPUTS, 2024).working_group
    assert country_name("GB", "ko") == "영국"
    with language("ko"):
        korean = localised_group(demo_wg)
    assert {m.code: m.label for m in korean.members}["GB"] == "영국"
    assert {m.code: m.name for m in korean.members}["KR"] == "대한민국"
    # English keeps the group's own names
    assert localised_group(demo_wg) is demo_wg
    assert [m.name for m in demo_wg.members if m.code == "KR"] == ["Republic of Korea"]


def test_dates_of_the_inputs_read_in_the_reports_language() -> None:
    from wgreport.content.formatting import format_when

    assert [format_when(d) for d in ("2023-04-14", "2022-06", "2021")] == [
        "2023-04-14",
        "2022-06",
        "2021",
    ]
    with language("ko"):
        assert [format_when(d) for d in ("2023-04-14", "2022-06", "2021")] == [
            "2023년 4월 14일",
            "2022년 6월",
            "2021년",
        ]


def test_a_korean_tables_numeric_columns_and_ranks() -> None:
    from wgreport.content.cells import numeric_column, ordinal_rank

    assert ordinal_rank("3 of 10 (tied)") == "3rd of 10 (tied)"
    assert not numeric_column(["4계단 상승", "자료 없음", "0.9140"])
    with language("ko"):
        assert ordinal_rank("3 of 10") == "10개국 중 3위"
        assert ordinal_rank("1 of 9 (tied)") == "9개국 중 1위(공동)"
        # a rank's change and a missing value in Korean keep the column numeric
        assert numeric_column(["4계단 상승", "변동 없음", "자료 없음", "0.9140"])
