"""The working-group and edition files, and model details the fixtures do not reach."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import DEMO_INPUTS
from wgreport.inputs.issues import FileReport
from wgreport.inputs.models import Contribution, WorkingGroup
from wgreport.inputs.validation import load_edition, load_working_group


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def issues(report: FileReport) -> list[tuple[str, int | None, str]]:
    return [(i.code, i.line, i.field) for i in report.sorted_issues()]


def test_demo_working_group_loads() -> None:
    wg, report = load_working_group(DEMO_INPUTS / "working-group.yaml")
    assert report.valid and isinstance(wg, WorkingGroup)
    assert [m.code for m in wg.members] == [
        "KR",
        "GB",
        "EE",
        "CA",
        "NZ",
        "PT",
        "MX",
        "IL",
        "UY",
        "DK",
    ]
    assert len(wg.themes) >= 6
    assert {"egdi", "osi", "dgi"} <= {i.id for i in wg.indicators}


def test_working_group_duplicates_chair_and_bounds(tmp_path: Path) -> None:
    path = write(
        tmp_path / "working-group.yaml",
        """\
schema: wgreport/working-group/v1
name: A group
forum: A forum
chair: KO
members:
  - code: KR
    name: Korea
    ministry: A ministry
  - code: KR
    name: Korea again
    ministry: A ministry
themes:
  - id: agile-governance
    title: Agile governance
    description: Fast.
indicators:
  - id: egdi
    title: EGDI
    unit: index
    min: 1
    max: 0
    source: UN
    definition: An index.
""",
    )
    wg, report = load_working_group(path)
    assert wg is None
    assert issues(report) == [
        ("unknown-member", 4, "chair"),
        ("duplicate-id", 9, "members[1].code"),
        ("invalid-bounds", 20, "indicators[0].min"),
    ]
    assert report.sorted_issues()[0].hint == "did you mean 'KR'?"


def test_edition_year_foreword_and_expected_members(tmp_path: Path) -> None:
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    path = write(
        tmp_path / "2024" / "edition.yaml",
        """\
schema: wgreport/edition/v1
year: 2023
title: A title
deadline: 2025-02-30
editors:
  - name: Secretariat
foreword: missing.md
expected_members: [KR, UK]
""",
    )
    edition, report = load_edition(path, wg, 2024)
    assert edition is None
    assert issues(report) == [
        ("year-mismatch", 2, "year"),
        ("invalid-date", 4, "deadline"),
        ("file-not-found", 7, "foreword"),
        ("unknown-member", 8, "expected_members[1]"),
    ]


def test_demo_edition_loads() -> None:
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    edition, report = load_edition(DEMO_INPUTS / "2024" / "edition.yaml", wg, 2024)
    assert report.valid and edition is not None
    assert edition.previous_edition == 2023


def test_partial_dates_keep_their_precision(tmp_path: Path) -> None:
    shutil.copy(DEMO_INPUTS / "2024" / "contributions" / "KR.yaml", tmp_path / "KR.yaml")
    from wgreport.inputs.yamlsource import load_yaml

    data = load_yaml(tmp_path / "KR.yaml").data
    data["governance"]["strategy"]["adopted"] = 2019
    data["initiatives"][0]["started"] = "2023-03"
    model = Contribution.model_validate(data)
    assert model.governance.strategy.adopted == "2019"
    assert model.initiatives[0].started == "2023-03"
