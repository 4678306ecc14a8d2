"""The slips members still met when checking their files (issue 38): a percentage typed as
text gets the "did you mean 0.9679" of the number; a misspelt id is matched on the whole
id; a text cut by ` #` is a warning with the fix; a line indented too far says so."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import DEMO_INPUTS, edition_tree
from wgreport.inputs.issues import Issue
from wgreport.inputs.suggest import did_you_mean
from wgreport.inputs.validation import (
    EditionContext,
    load_edition,
    load_working_group,
    validate_contribution,
)
from wgreport.inputs.yamlsource import Source, parse_yaml_text

KR = (DEMO_INPUTS / "2024" / "contributions" / "KR.yaml").read_text(encoding="utf-8")
THEMES = [
    "agile-governance",
    "active-governance",
    "digital-identity",
    "data-governance",
    "ai-in-government",
    "digital-inclusion",
    "cyber-resilience",
]


def _validate(tmp_path: Path, text: str, csv: str | None = None) -> list[Issue]:
    inputs = edition_tree(tmp_path)
    folder = inputs / "2024" / "contributions"
    shutil.copytree(DEMO_INPUTS / "2024" / "contributions" / "KR", folder / "KR")
    (folder / "KR.yaml").write_text(text, encoding="utf-8")
    if csv is not None:
        (folder / "KR.indicators.csv").write_text(csv, encoding="utf-8")
    wg, _ = load_working_group(inputs / "working-group.yaml")
    edition, _ = load_edition(inputs / "2024" / "edition.yaml", wg, 2024)
    result = validate_contribution(folder / "KR.yaml", EditionContext(wg, 2024, edition, folder))
    return [i for report in result.reports for i in report.issues]


def _parse(text: str) -> Source:
    source = Source(path=Path("KR.yaml"), display="KR.yaml")
    parse_yaml_text(source, text)
    return source


# 1. A percentage typed as text


@pytest.mark.parametrize(
    ("written", "meant"),
    [('"96.79%"', "0.9679"), ("91.2%", "0.912"), ('"96,79 %"', "0.9679"), ('"96.79"', "0.9679")],
)
def test_a_percentage_written_as_text_gets_the_number_it_means(
    tmp_path: Path, written: str, meant: str
) -> None:
    text = KR.replace("    value: 0.96789\n", f"    value: {written}\n", 1)
    issues = [i for i in _validate(tmp_path, text) if i.field == "indicators[0].value"]
    assert [i.code for i in issues] == ["wrong-type"]
    assert issues[0].hint is not None
    assert issues[0].hint.startswith(f"did you mean {meant}? values of 'E-Government")
    assert f"write value: {meant}" in issues[0].hint


def test_a_percentage_in_the_indicators_csv_gets_the_same_hint(tmp_path: Path) -> None:
    text = re.sub(r"(?m)^indicators:\n(  .*\n)+", "indicators_file: KR.indicators.csv\n", KR)
    csv = "id,value,data_year,source\negdi,96.79%,2024,UN E-Government Survey 2024\n"
    issues = [i for i in _validate(tmp_path, text, csv) if i.field == "indicators[0].value"]
    assert [i.code for i in issues] == ["wrong-type"]
    assert issues[0].hint is not None and issues[0].hint.startswith("did you mean 0.9679?")


def test_a_percentage_of_a_rank_is_told_to_drop_the_sign(tmp_path: Path) -> None:
    text = KR.replace("    value: 4\n", "    value: 4%\n", 1)
    issues = [i for i in _validate(tmp_path, text) if i.field == "indicators[2].value"]
    assert [i.hint for i in issues] == [
        "write value: 4 (a number, without quotes or a % sign); values of "
        "'E-Government Development Index world rank' are in rank units"
    ]


# 2. A misspelt id matched on the whole id


def test_a_misspelt_id_is_not_matched_on_a_shared_word() -> None:
    hint = did_you_mean("e-goverment", THEMES)
    assert hint is not None and not hint.startswith("did you mean")
    assert hint.startswith("expected one of:")


def test_a_misspelt_id_is_matched_on_the_whole_id() -> None:
    assert did_you_mean("e-goverment", [*THEMES, "e-government"]) == "did you mean 'e-government'?"
    assert did_you_mean("digital-identiy", THEMES) == "did you mean 'digital-identity'?"
    assert did_you_mean("lead_instituton", ["lead_institution"]) == (
        "did you mean 'lead_institution'?"
    )


def test_an_unknown_theme_in_a_file_lists_the_themes_instead_of_a_wrong_guess(
    tmp_path: Path,
) -> None:
    text = KR.replace("    theme: active-governance\n", "    theme: e-goverment\n", 1)
    issues = [i for i in _validate(tmp_path, text) if i.code == "unknown-theme"]
    assert len(issues) == 1 and issues[0].hint is not None
    assert not issues[0].hint.startswith("did you mean 'ai-in-government'")
    assert "'active-governance'" in issues[0].hint


# 3. A text cut by ` #`


def test_a_text_cut_by_a_comment_is_a_warning_with_the_fix() -> None:
    source = _parse("initiatives:\n  - title: Mobile ID #2\n    outcomes:\n      - Step #1\n")
    assert source.data == {"initiatives": [{"title": "Mobile ID", "outcomes": ["Step"]}]}
    found = [(i.severity, i.code, i.line, i.column, i.field) for i in source.issues]
    assert found == [
        ("warning", "comment-in-text", 2, 22, "initiatives[0].title"),
        ("warning", "comment-in-text", 4, 14, "initiatives[0].outcomes[0]"),
    ]
    first = source.issues[0]
    assert "'Mobile ID'" in first.message and "'#2'" in first.message
    assert first.hint is not None and 'title: "Mobile ID #2"' in first.hint
    assert source.issues[1].hint is not None and '- "Step #1"' in source.issues[1].hint


def test_a_comment_after_two_spaces_quoted_text_or_a_number_is_no_warning() -> None:
    source = _parse(
        'status: completed  # since September\ntitle: "Mobile ID #2"\nvalue: 0.96 #x\n'
        "name: C# guide\nbody: |\n  Step #1\n"
    )
    assert source.issues == []
    assert source.data["title"] == "Mobile ID #2" and source.data["name"] == "C# guide"


def test_the_skeleton_and_the_demo_files_give_no_comment_warning() -> None:
    from wgreport.inputs.skeleton import make_skeleton

    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    assert wg is not None
    texts = [make_skeleton(wg, "KR", 2025)]
    texts += [p.read_text(encoding="utf-8") for p in DEMO_INPUTS.rglob("*.yaml")]
    for text in texts:
        assert [i for i in _parse(text).issues if i.code == "comment-in-text"] == []


# 4. A line indented too far


def test_a_key_indented_too_far_is_said_to_be_indented_too_far() -> None:
    text = KR.replace("\n  email: daeun", "\n    email: daeun", 1)
    [issue] = _parse(text).issues
    assert issue.code == "yaml-syntax" and (issue.line, issue.column) == (8, 5)
    assert "indented more than the line above it ('name:' on line 7)" in issue.message
    assert issue.hint is not None and "double quotes, e.g." not in issue.hint
    assert issue.hint.startswith("line up 'email:' with 'name:' (2 spaces from the left")


def test_an_item_key_indented_too_far_names_the_item_key_above() -> None:
    text = KR.replace("\n    theme: active-governance", "\n      theme: active-governance", 1)
    [issue] = _parse(text).issues
    assert "('title:' on line 40)" in issue.message
    assert issue.hint is not None and "(4 spaces from the left" in issue.hint


def test_a_value_with_a_colon_still_gets_the_quotes_hint() -> None:
    text = KR.replace("title: Mobile ID for public services", "title: Mobile ID: the next step")
    [issue] = _parse(text).issues
    assert "contains ': '" in issue.message
    assert issue.hint is not None and "double quotes" in issue.hint
