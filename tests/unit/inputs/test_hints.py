"""Hints for the slips members make most (issue 21): each slip gives one error, at its
line, with the fix in the member's own terms. Every test here failed before the hints."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import DEMO_INPUTS, edition_tree
from tests.unit.inputs.test_validation import _variant, validate_in_tree
from wgreport.inputs.skeleton import make_skeleton
from wgreport.inputs.validation import load_working_group


def test_an_id_with_an_underscore_names_the_catalogue_id(tmp_path: Path) -> None:
    found = _variant(tmp_path, "id: egdi-rank", "id: egdi_rank")
    assert [(c, h) for c, _, h in found] == [
        ("invalid-format", "did you mean 'egdi-rank'? ids use lowercase letters, digits and dashes")
    ]  # and no second warning that egdi-rank is not reported


def test_an_initiative_id_in_capitals_gets_its_lowercase_form(tmp_path: Path) -> None:
    found = _variant(tmp_path, "id: one-stop-benefits", "id: One_Stop_Benefits")
    assert [(c, h) for c, _, h in found] == [
        (
            "invalid-format",
            "did you mean 'one-stop-benefits'? ids use lowercase letters, digits and dashes",
        )
    ]


def test_a_quoted_number_says_remove_the_quotes(tmp_path: Path) -> None:
    found = _variant(tmp_path, "value: 0.96789", 'value: "0.96789"')
    assert [(c, h) for c, _, h in found] == [
        ("wrong-type", "remove the quotes: write value: 0.96789")
    ]


def test_quoted_text_that_is_no_number_gets_no_quotes_hint(tmp_path: Path) -> None:
    found = _variant(tmp_path, "value: 0.96789", 'value: "high"')
    assert [c for c, _, _ in found] == ["wrong-type"]
    assert found[0][2] is None or "quotes" not in found[0][2]


def test_a_percentage_for_an_index_from_0_to_1_suggests_the_index(tmp_path: Path) -> None:
    found = _variant(tmp_path, "value: 0.96789", "value: 96.79")
    assert [(c, h) for c, _, h in found] == [
        (
            "out-of-bounds",
            "did you mean 0.9679? values of 'E-Government Development Index' run from 0 to 1, "
            "not percentages",
        )
    ]
    # 400 is no percentage: the plain bounds hint, no guess
    found = _variant(tmp_path / "400", "value: 0.96789", "value: 400")
    assert found[0][0] == "out-of-bounds" and "did you mean" not in str(found[0][2])


def test_a_decimal_comma_after_a_zero_is_not_read_as_thousands(tmp_path: Path) -> None:
    found = _variant(tmp_path, "value: 0.96789", "value: 0,935")
    assert [(c, h) for c, _, h in found] == [
        ("decimal-comma", "numbers use a dot as the decimal separator: write 0.935")
    ]


def test_a_misspelt_required_key_is_one_error_not_two(tmp_path: Path) -> None:
    found = _variant(tmp_path, "lead_institution:", "lead_instituton:")
    assert [(c, h) for c, _, h in found] == [("unknown-key", "did you mean 'lead_institution'?")]
    # a key that is missing with nothing like it beside it is still reported
    found = _variant(tmp_path / "other", "lead_institution:", "minister:")
    assert sorted(c for c, _, _ in found) == ["missing-field", "unknown-key"]


def test_the_skeletons_case_study_fails_until_filled_in(tmp_path: Path) -> None:
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    assert wg is not None
    text = make_skeleton(wg, "KR", 2024)
    head, case = text.split("# case_study:\n")
    # the member does what the comment says: removes the '# ' in front of the four lines
    uncommented = "case_study:\n" + "".join(line[2:] + "\n" for line in case.splitlines())
    inputs = edition_tree(tmp_path)
    target = inputs / "2024" / "contributions" / "KR.yaml"
    target.write_text(head + uncommented, encoding="utf-8")
    result = validate_in_tree(inputs, target)
    unfilled = {i.field for r in result.reports for i in r.issues if i.code == "not-filled-in"}
    assert {"case_study.title", "case_study.body"} <= unfilled
