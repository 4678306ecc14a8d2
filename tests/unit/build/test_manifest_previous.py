"""The manifest hashes the previous edition's files too (issue 39): the changes between
editions, and the values the report prints from them, come from inputs/<previous>/."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import copy_inputs
from wgreport.build.outputs import previous_input_paths
from wgreport.inputs.edition import load_edition_inputs


def test_the_previous_editions_files_are_the_ones_a_build_compares_with(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path)
    year, paths = previous_input_paths(load_edition_inputs(inputs, 2024))
    assert year == 2023
    names = set(paths)
    assert "inputs/2023/edition.yaml" in names
    assert {f"inputs/2023/contributions/{c}.yaml" for c in ("KR", "GB", "EE")} <= names
    assert not any(name.startswith("inputs/2024/") for name in names)
    assert all(path.is_file() for path in paths.values())


def test_without_a_previous_edition_nothing_is_hashed(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path)
    for path in sorted((inputs / "2023").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (inputs / "2023").rmdir()
    assert previous_input_paths(load_edition_inputs(inputs, 2024)) == (None, {})


def test_a_changed_file_of_the_previous_edition_is_a_change_between_drafts() -> None:
    from wgreport.review.draftdiff import previous_edition_changes

    kr = "inputs/2023/contributions/KR.yaml"
    old = {"previous_edition": {"year": 2023, "inputs": {kr: "a", "inputs/2023/edition.yaml": "e"}}}
    new = {"previous_edition": {"year": 2023, "inputs": {kr: "b", "inputs/2023/edition.yaml": "e"}}}
    assert previous_edition_changes(old, new) == [f"{kr} (the previous edition)"]
    assert previous_edition_changes(old, old) == []
    # a draft made before the manifest recorded the previous edition: nothing to compare
    assert previous_edition_changes({"inputs": {}}, new) == []
