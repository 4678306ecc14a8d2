"""A draft records its translations (issue 42): the manifest's inputs hash every
translation file (the group's inputs/translations/<lang>/group.yaml too), so that
`wgreport diff` sees a changed one; validation.json lists them with their issues (an
optional `translations` block); a language's manifest entry names the parts printed in
English."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tests.conftest import ROOT, copy_inputs
from wgreport.build import outputs
from wgreport.build.pipeline import read_translations
from wgreport.build.plan import make_build_info
from wgreport.inputs.edition import load_edition_inputs
from wgreport.runtime.settings import Settings

MEMBERS = ("KR", "GB", "EE")


def test_the_manifests_inputs_hash_every_translation_file(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path, MEMBERS)
    names = set(outputs.input_paths(load_edition_inputs(inputs, 2024).files))
    assert "inputs/translations/ko/group.yaml" in names  # the group's, outside the edition
    assert "inputs/2024/translations/ko/KR.yaml" in names
    assert {"inputs/2024/foreword.ko.md", "inputs/2024/key-messages.ko.md"} <= names


def test_validation_json_lists_the_translation_files_with_their_issues(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path, MEMBERS)
    kr = inputs / "2024" / "translations" / "ko" / "KR.yaml"
    text = kr.read_text(encoding="utf-8")
    first = re.search(r"source_sha256: '?([0-9a-f]{64})", text)
    assert first
    kr.write_text(text.replace(first[1], "f" * 64, 1), encoding="utf-8")  # one entry outdated
    group = inputs / "translations" / "ko" / "group.yaml"
    group.write_text(group.read_text(encoding="utf-8") + "member: KR\n", encoding="utf-8")
    loaded = load_edition_inputs(inputs, 2024)
    checks = [r for t in read_translations(loaded).values() for r in t.reports]
    report = json.loads(outputs.validation_json(loaded, (None, ()), checks))
    files = {f["file"]: f for f in report["translations"]["files"]}
    assert set(files) == {
        "inputs/2024/translations/ko/KR.yaml",
        "inputs/2024/translations/ko/edition.yaml",
        "inputs/translations/ko/group.yaml",
    }
    kr_file = files["inputs/2024/translations/ko/KR.yaml"]
    assert kr_file["valid"] and kr_file["member"] == "KR"
    assert [i["code"] for i in kr_file["issues"]] == ["translation-outdated"]
    assert kr_file["issues"][0]["line"] > 1
    group_file = files["inputs/translations/ko/group.yaml"]
    assert not group_file["valid"]  # an error: the file is not used, its English prints
    assert [i["code"] for i in group_file["issues"]] == ["unknown-key"]
    # the edition's own verdict is the contributions' and editorial files', as before
    assert all("translations/" not in f["file"] for f in report["files"])
    # without translation files, no block (the spec's output as it was)
    assert "translations" not in json.loads(outputs.validation_json(loaded))


def test_a_languages_manifest_entry_names_the_parts_printed_in_english(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path, MEMBERS)
    loaded = load_edition_inputs(inputs, 2024)
    rendered: Any = SimpleNamespace(pages=1, warnings=[], render={})
    settings = Settings(root=ROOT, inputs_dir=inputs, outputs_dir=tmp_path / "out")
    parts = {"ko": ["United Kingdom", "Estonia", "Republic of Korea (in part)"]}
    manifest = outputs.make_manifest(
        settings, loaded, rendered, make_build_info(1), None, {"ko": rendered}, parts
    )
    assert manifest["languages"]["ko"]["original_parts"] == parts["ko"]
    assert "inputs/translations/ko/group.yaml" in manifest["inputs"]


def _draft(folder: Path, inputs: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    manifest = {"inputs": inputs, "members_included": ["KR"], "templates_sha256": "t"}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_diff_names_a_changed_translation_file_by_its_folder(tmp_path: Path) -> None:
    from wgreport.review.draftdiff import compare_drafts

    kr, group = "inputs/2024/translations/ko/KR.yaml", "inputs/translations/ko/group.yaml"
    contribution = "inputs/2024/contributions/KR.yaml"
    old = _draft(tmp_path / "001", {contribution: "c", kr: "a", group: "g"})
    new = _draft(tmp_path / "002", {contribution: "c", kr: "b", group: "h"})
    changes = compare_drafts(old, new)
    assert changes.editorial == ["translations/ko/KR.yaml", "translations/ko/group.yaml"]
    assert changes.contributions_changed == []  # a translation is never the member's file
