"""Numbers exactly as published: decimal half-up rounding from the value as written, exact
medians, changes that agree with their printed operands, and ranks read the right way."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import DEMO_INPUTS
from wgreport.build.pipeline import compute_frames
from wgreport.content import aggregate
from wgreport.content.formatting import (
    exact_median,
    format_change,
    format_median,
    format_number,
    printed_change,
    rounded,
)
from wgreport.inputs.edition import load_edition_inputs


@pytest.mark.parametrize(
    ("value", "decimals", "printed"),
    [
        (0.99535, 4, "0.9954"),  # binary floating point prints 0.9953
        (0.78775, 4, "0.7878"),  # and 0.7877
        ("0.99535", 4, "0.9954"),
        (Decimal("0.90115"), 4, "0.9012"),
        (0.125, 2, "0.13"),  # half-up, not half-even
        (2.5, 0, "3"),
        (-0.00004, 4, "0.0000"),  # never "-0.0000"
        (1234567.5, 0, "1,234,568"),
        (None, 4, "n/a"),
        (float("nan"), 4, "n/a"),
    ],
)
def test_numbers_round_half_up_from_the_value_as_written(
    value: object, decimals: int, printed: str
) -> None:
    assert format_number(value, decimals) == printed


def test_a_median_is_exact_and_rounds_half_up() -> None:
    median = exact_median([0.9011, 0.9012, None])
    assert median == Decimal("0.90115")
    assert format_median(median, 4, "index") == "0.9012"  # float median printed 0.9011


def test_a_median_rank_between_two_ranks_prints_its_half() -> None:
    assert format_median(exact_median([19, 20]), 0, "rank") == "19.5"
    assert format_median(exact_median([19, 21]), 0, "rank") == "20"
    assert format_median(exact_median([0.5, 0.6]), 1, "index") == "0.6"  # not a whole unit


@pytest.mark.parametrize(
    ("now", "before", "said"),
    [(7, 11, "up 4"), (13, 11, "down 2"), (11, 11, "unchanged"), (25, 35, "up 10")],
)
def test_a_rank_that_falls_in_number_is_up(now: int, before: int, said: str) -> None:
    assert format_change(now, before, 0, "rank") == said


def test_a_change_is_the_printed_value_minus_the_printed_previous() -> None:
    # 0.99535 prints 0.9954, 0.98004 prints 0.9800: the change prints +0.0154, not the
    # +0.0153 of the unrounded difference.
    assert format_change(0.99535, 0.98004, 4, "index") == "+0.0154"
    assert printed_change(0.99535, 0.98004, 4) == Decimal("0.0154")
    assert format_change(None, 0.98, 4, "index") == "n/a"


_values = st.decimals(min_value=0, max_value=1, places=5, allow_nan=False)


@given(_values, _values, st.integers(min_value=0, max_value=4))
def test_every_printed_change_agrees_with_its_printed_operands(
    now: Decimal, before: Decimal, decimals: int
) -> None:
    printed = format_change(float(now), float(before), decimals, "index")
    operands = Decimal(format_number(float(now), decimals)) - Decimal(
        format_number(float(before), decimals)
    )
    assert Decimal(printed) == operands


@given(_values)
def test_a_float_rounds_as_its_decimal_text(value: Decimal) -> None:
    assert rounded(float(value), 4) == rounded(str(value), 4)


@pytest.fixture(scope="module")
def demo() -> aggregate.Frames:
    return compute_frames(load_edition_inputs(DEMO_INPUTS, 2024))[1]


def _value(frames: aggregate.Frames, member: str, indicator: str) -> object:
    v = frames.values
    return v[(v["member"] == member) & (v["indicator"] == indicator)]["value"].iloc[0]


def test_the_demo_s_half_way_values_print_as_published(demo: aggregate.Frames) -> None:
    assert format_number(_value(demo, "EE", "osi"), 4) == "0.9954"  # EE.yaml osi: 0.99535
    assert format_number(_value(demo, "PT", "osi"), 4) == "0.7878"  # PT.yaml osi: 0.78775
    assert format_number(_value(demo, "DK", "egdi"), 4) == "0.9847"  # DK.indicators.csv: 0.98474


def test_the_demo_medians_are_exact(demo: aggregate.Frames) -> None:
    stats = demo.statistics
    assert format_median(stats.loc["egdi", "median"], 4, "index") == "0.9140"
    assert format_median(stats.loc["egdi-rank", "median"], 0, "rank") == "19.5"
    previous = demo.change[demo.change["indicator"] == "egdi"]["previous"]
    assert format_median(exact_median(previous), 4, "index") == "0.9012"


def test_previous_values_carry_their_data_year_and_source(demo: aggregate.Frames) -> None:
    before = demo.change[demo.change["previous"].notna()]
    assert len(before) >= 39
    assert before["previous_data_year"].notna().all()
    assert before["previous_source"].map(lambda s: isinstance(s, str) and bool(s)).all()
    dgi = before[before["indicator"] == "dgi"]
    assert set(dgi["previous_data_year"].astype(int)) == {2019}
    assert not dgi["comparable"].any() and dgi["change"].isna().all()
    egdi = before[before["indicator"] == "egdi"]
    assert set(egdi["previous_data_year"].astype(int)) == {2022}
    assert egdi["comparable"].all()


def test_an_old_catalogue_without_the_new_fields_is_still_valid() -> None:
    from wgreport.inputs.models import WorkingGroup

    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    data = loaded.working_group.model_dump(mode="json", by_alias=True, exclude_none=True)
    for indicator in data["indicators"]:
        indicator.pop("series_breaks", None)
        indicator.pop("references", None)
    old = WorkingGroup.model_validate(data)
    assert all(not i.series_breaks and not i.references for i in old.indicators)
    frame = pd.DataFrame({"indicator": ["egdi"], "data_year": [2024]})
    from wgreport.content.compare import references

    egdi = old.indicator("egdi")
    assert egdi is not None
    assert references(egdi, frame) == []
