"""A translation file is known by its `schema: wgreport/translation/v1` line wherever it
lies (issue 42): a copy outside translations/<lang>/ given to `wgreport validate` is
checked as a translation (its language, member and year from its own lines), not as a
contribution."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.conftest import copy_inputs
from wgreport.inputs.validate_paths import validate_paths

MEMBERS = ("KR", "GB", "EE")


def _codes(path: Path, inputs: Path) -> list[str]:
    report = validate_paths([path], inputs)
    return [i.code for f in report.files for i in f.issues]


def test_a_members_translation_copied_elsewhere_is_checked_as_a_translation(
    tmp_path: Path,
) -> None:
    inputs = copy_inputs(tmp_path, MEMBERS)
    copy = tmp_path / "KR-ko.yaml"
    shutil.copy(inputs / "2024" / "translations" / "ko" / "KR.yaml", copy)
    report = validate_paths([copy], inputs)
    assert report.valid and [i.code for f in report.files for i in f.issues] == []
    # checked against KR's English as the placed file is: an outdated entry is reported
    text = copy.read_text(encoding="utf-8")
    first = re.search(r"source_sha256: '?([0-9a-f]{64})", text)
    assert first
    copy.write_text(text.replace(first[1], "f" * 64, 1), encoding="utf-8")
    assert _codes(copy, inputs) == ["translation-outdated"]
    # and its own lines are checked: an unknown member, a language the report lacks
    copy.write_text(
        text.replace("member: KR", "member: KX").replace("language: ko", "language: fr"),
        encoding="utf-8",
    )
    assert set(_codes(copy, inputs)) == {"checks-not-run", "invalid-choice", "unknown-member"}


def test_the_groups_translation_copied_elsewhere_is_checked_against_the_group(
    tmp_path: Path,
) -> None:
    inputs = copy_inputs(tmp_path, MEMBERS)
    copy = tmp_path / "names-in-korean.yaml"
    shutil.copy(inputs / "translations" / "ko" / "group.yaml", copy)
    assert _codes(copy, inputs) == []
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace("texts:\n", "texts:\n  themes.nope.title:\n"
                                 "    source_sha256: " + "a" * 64 + "\n    text: 없음\n", 1),
                    encoding="utf-8")  # fmt: skip
    report = validate_paths([copy], inputs)
    issue = report.files[0].issues[0]
    assert issue.code == "unknown-translated-field" and "working-group.yaml" in issue.message


def test_a_contribution_is_still_checked_as_one(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path, MEMBERS)
    copy = tmp_path / "KR.yaml"
    shutil.copy(inputs / "2024" / "contributions" / "KR.yaml", copy)
    report = validate_paths([copy], inputs)
    assert report.files[0].member == "KR"
    # checked as a contribution: only its images, not copied beside it, are missing
    assert {i.code for i in report.files[0].issues} == {"image-not-found"}
