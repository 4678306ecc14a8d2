from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.conftest import DEMO_INPUTS
from wgreport.content import aggregate
from wgreport.inputs.edition import LoadedEdition, load_edition_inputs
from wgreport.inputs.models import Contribution


def _number(cell: object) -> float:
    """A table cell as the float it is (pandas types a cell as any scalar)."""
    assert isinstance(cell, float)
    return cell


@pytest.fixture(scope="module")
def demo() -> LoadedEdition:
    return load_edition_inputs(DEMO_INPUTS, 2024)


def test_indicator_matrix_has_members_in_group_order(demo: LoadedEdition) -> None:
    values = aggregate.indicator_values(demo.contributions, demo.working_group)
    matrix = aggregate.indicator_matrix(values, demo.working_group)
    assert list(matrix.index) == ["KR", "GB", "EE", "CA", "NZ", "PT", "MX", "IL", "UY", "DK"]
    assert list(matrix.columns) == ["egdi", "osi", "egdi-rank", "dgi"]
    assert matrix.loc["DK", "egdi"] == pytest.approx(0.98474)
    assert math.isnan(_number(matrix.loc["UY", "dgi"]))  # not covered by DGI 2023


def test_group_median_min_max(demo: LoadedEdition) -> None:
    values = aggregate.indicator_values(demo.contributions, demo.working_group)
    stats = aggregate.indicator_statistics(values, demo.working_group)
    egdi = values[values["indicator"] == "egdi"]["value"]
    assert stats.loc["egdi", "median"] == pytest.approx(egdi.median())
    assert stats.loc["egdi", "min"] == pytest.approx(0.78499)  # Mexico
    assert stats.loc["egdi", "max"] == pytest.approx(0.98474)  # Denmark
    assert stats.loc["dgi", "reported"] == 9


def test_ranks_respect_direction(demo: LoadedEdition) -> None:
    values = aggregate.indicator_values(demo.contributions, demo.working_group)
    ranks = aggregate.indicator_ranks(values, demo.working_group)
    dk = ranks[(ranks["member"] == "DK") & (ranks["indicator"] == "egdi")]["rank"].iloc[0]
    dk_world = ranks[(ranks["member"] == "DK") & (ranks["indicator"] == "egdi-rank")]["rank"].iloc[
        0
    ]
    assert dk == 1 and dk_world == 1  # world rank 1 is best: lower is better


def test_change_against_previous_edition(demo: LoadedEdition) -> None:
    previous = load_edition_inputs(DEMO_INPUTS, 2023)
    wg = demo.working_group
    change = aggregate.indicator_change(
        aggregate.indicator_values(demo.contributions, wg),
        aggregate.indicator_values(previous.contributions, wg),
    )
    kr = change[(change["member"] == "KR") & (change["indicator"] == "egdi")].iloc[0]
    assert kr["previous"] == pytest.approx(0.9529)
    assert kr["change"] == pytest.approx(0.96789 - 0.9529)


def test_aggregation_does_not_mutate_inputs(demo: LoadedEdition) -> None:
    wg = demo.working_group
    values = aggregate.indicator_values(demo.contributions, wg)
    before = values.copy(deep=True)
    aggregate.indicator_statistics(values, wg)
    aggregate.indicator_ranks(values, wg)
    aggregate.indicator_change(values, values)
    pd.testing.assert_frame_equal(values, before)


def test_theme_matrix_and_status(demo: LoadedEdition) -> None:
    wg = demo.working_group
    initiatives = aggregate.initiatives_table(demo.contributions, wg)
    themes = aggregate.theme_matrix(initiatives, wg)
    assert int(themes.to_numpy().sum()) == len(initiatives)
    assert list(themes.index) == [t.id for t in wg.themes]
    statuses = aggregate.status_counts(initiatives)
    assert int(statuses.sum()) == len(initiatives)


def _with_values(
    demo: LoadedEdition, changes: dict[tuple[str, str], float | None]
) -> dict[str, Contribution]:
    """The demo contributions with some indicator values replaced (copies; inputs untouched)."""
    out = {}
    for code, contribution in demo.contributions.items():
        values = []
        for v in contribution.indicators:
            if (code, v.id) in changes:
                new = changes[(code, v.id)]
                v = v.model_copy(
                    update={"value": new, "reason_missing": None if new is not None else "test"}
                )
            values.append(v)
        out[code] = contribution.model_copy(update={"indicators": values})
    return out


def test_ties_share_a_rank(demo: LoadedEdition) -> None:
    wg = demo.working_group
    tied = _with_values(demo, {("KR", "egdi"): 0.99, ("GB", "egdi"): 0.99})
    ranks = aggregate.indicator_ranks(aggregate.indicator_values(tied, wg), wg)
    egdi = ranks[ranks["indicator"] == "egdi"].set_index("member")["rank"]
    assert egdi["KR"] == egdi["GB"] == 1
    assert egdi["DK"] == 3  # the next rank skips the tie


def test_missing_values_are_left_out_never_zero(demo: LoadedEdition) -> None:
    wg = demo.working_group
    values = aggregate.indicator_values(_with_values(demo, {("MX", "egdi"): None}), wg)
    stats = aggregate.indicator_statistics(values, wg)
    reported = values[(values["indicator"] == "egdi") & values["value"].notna()]["value"]
    assert stats.loc["egdi", "reported"] == 9
    assert stats.loc["egdi", "median"] == pytest.approx(reported.median())
    assert _number(stats.loc["egdi", "min"]) > 0
    ranks = aggregate.indicator_ranks(values, wg)
    assert pd.isna(
        ranks[(ranks["member"] == "MX") & (ranks["indicator"] == "egdi")]["rank"].iloc[0]
    )
    completeness = aggregate.completeness(values, wg)
    row = completeness[(completeness["member"] == "MX") & (completeness["indicator"] == "egdi")]
    assert not row["reported"].iloc[0] and row["reason"].iloc[0] == "test"


def test_member_added_this_year_has_no_change(demo: LoadedEdition) -> None:
    wg = demo.working_group
    previous = load_edition_inputs(DEMO_INPUTS, 2023)
    without_uy = {c: v for c, v in previous.contributions.items() if c != "UY"}
    change = aggregate.indicator_change(
        aggregate.indicator_values(demo.contributions, wg),
        aggregate.indicator_values(without_uy, wg),
    )
    uy = change[(change["member"] == "UY") & (change["indicator"] == "egdi")].iloc[0]
    assert uy["value"] == pytest.approx(0.90059)
    assert pd.isna(uy["previous"]) and pd.isna(uy["change"])


def test_no_previous_edition_at_all(demo: LoadedEdition) -> None:
    wg = demo.working_group
    frames = aggregate.compute_frames(demo.contributions, wg, previous=None)
    assert frames.change["previous"].isna().all()
    assert frames.previous_initiatives.empty


def test_member_without_a_contribution_is_absent_not_zero(demo: LoadedEdition) -> None:
    wg = demo.working_group
    some = {c: v for c, v in demo.contributions.items() if c != "NZ"}
    matrix = aggregate.indicator_matrix(aggregate.indicator_values(some, wg), wg)
    assert "NZ" not in matrix.index
