"""The cover's names translated (issue 42): the group's name and forum in the group's
translation file, read and printed like its themes' titles; the edition's title, subtitle,
editors (the secretariat's line) and editorial chapters' titles in the edition's
translation file (inputs/<year>/translations/<lang>/edition.yaml), validated, counted,
exported and imported like the others; an outdated text prints in English and is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_inputs
from wgreport.build.pipeline import read_editorial, read_translations
from wgreport.content.translated import Applied, apply_translation
from wgreport.inputs.edition import load_edition_inputs
from wgreport.inputs.models import WorkingGroup
from wgreport.inputs.translation_exchange import export_po, import_po, read_edition, status_rows
from wgreport.inputs.translations import group_fields
from wgreport.inputs.validate_paths import validate_paths
from wgreport.inputs.validation import load_working_group

GROUP_KO = "디지털 네이션즈 디지털 거버넌스 작업반"


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    return copy_inputs(tmp_path, ("KR", "GB"))


def korean(inputs: Path) -> WorkingGroup:
    loaded = load_edition_inputs(inputs, 2024)
    texts = read_translations(loaded)["ko"]
    return apply_translation(loaded, "", {}, texts).loaded.working_group


def test_the_group_s_name_and_forum_are_texts_to_translate(inputs: Path) -> None:
    wg, _ = load_working_group(inputs / "working-group.yaml")
    assert wg is not None
    fields = group_fields(wg)
    assert fields["name"] == "Digital Nations Digital Governance Working Group"
    assert fields["forum"] == "Digital Nations"


def test_the_korean_edition_names_the_group_in_korean(inputs: Path) -> None:
    wg = korean(inputs)
    assert wg.name == GROUP_KO
    assert wg.forum == "디지털 네이션즈"


def test_an_outdated_group_name_prints_in_english_and_is_reported(inputs: Path) -> None:
    path = inputs / "working-group.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Governance Working Group", "Government Working Group", 1))
    assert korean(inputs).name == "Digital Nations Digital Government Working Group"
    report = validate_paths([inputs / "translations" / "ko" / "group.yaml"], inputs)
    codes = [(i.code, i.field) for i in report.files[0].issues]
    assert ("translation-outdated", "texts.name.source_sha256") in codes


# --- the edition's own texts: inputs/<year>/translations/<lang>/edition.yaml ------------------

TITLE_KO = "민첩하고 능동적인 디지털 거버넌스"


def edition_translation(inputs: Path) -> Path:
    return inputs / "2024" / "translations" / "ko" / "edition.yaml"


def korean_edition(inputs: Path) -> Applied:
    loaded = load_edition_inputs(inputs, 2024)
    texts = read_translations(loaded)["ko"]
    return apply_translation(loaded, "", read_editorial(loaded), texts)


def test_the_korean_edition_prints_its_title_editors_and_chapter_titles_in_korean(
    inputs: Path,
) -> None:
    applied = korean_edition(inputs)
    edition = applied.loaded.edition
    assert edition.title == TITLE_KO
    assert edition.subtitle is not None and "작업반" in edition.subtitle
    assert edition.editors[0].name == "디지털 거버넌스 작업반 사무국"
    assert edition.editors[0].organisation == "대한민국 행정안전부"
    assert [c.title for c in edition.chapters] == ["핵심 메시지"]
    assert {"edition/title", "edition/subtitle"} <= set(applied.translated)
    assert applied.original_parts == ["United Kingdom"]  # only GB's chapter is left in English


def test_the_foreword_signatory_s_role_and_the_approval_print_in_korean(inputs: Path) -> None:
    edition = korean_edition(inputs).loaded.edition
    assert edition.foreword_signatory is not None and edition.approval is not None
    assert (
        edition.foreword_signatory.role
        == "디지털 네이션즈 디지털 거버넌스 작업반 의장(예시 서명자)"
    )
    assert edition.foreword_signatory.name == "Seo-yeon Example"  # a name is not translated
    assert edition.approval.by == "디지털 거버넌스 작업반 총회"
    assert edition.approval.date.isoformat() == "2025-03-12"  # nor a date


def test_the_edition_file_validates_as_a_translation_not_as_an_edition(inputs: Path) -> None:
    report = validate_paths([edition_translation(inputs)], inputs)
    assert len(report.files) == 1 and report.files[0].issues == []
    assert report.files[0].file.endswith("2024/translations/ko/edition.yaml")


def test_an_outdated_edition_title_prints_in_english_marked_and_named(inputs: Path) -> None:
    path = inputs / "2024" / "edition.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Agile and Active", "title: Agile and Proactive", 1))
    applied = korean_edition(inputs)
    assert applied.loaded.edition.title == "Agile and Proactive Digital Governance"
    assert "edition/title" not in applied.translated  # the cover marks it lang="en"
    assert applied.loaded.edition.chapters[0].title == "핵심 메시지"  # the rest still prints
    assert applied.original_parts == ["The title, the cover and the headings", "United Kingdom"]
    report = validate_paths([edition_translation(inputs)], inputs)
    codes = [(i.severity, i.code, i.field) for i in report.files[0].issues]
    assert codes == [("warning", "translation-outdated", "texts.title.source_sha256")]


def test_an_unknown_edition_field_is_an_error_with_did_you_mean(inputs: Path) -> None:
    path = edition_translation(inputs)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  subtitle:", "  subtitel:", 1), encoding="utf-8")
    issues = validate_paths([path], inputs).files[0].issues
    assert [(i.code, i.line) for i in issues] == [("unknown-translated-field", 9)]
    assert "2024 edition.yaml" in issues[0].message
    assert issues[0].hint is not None and "subtitle" in issues[0].hint
    loaded = load_edition_inputs(inputs, 2024)
    assert read_translations(loaded)["ko"].edition is None  # not used: English prints


def test_status_counts_export_and_import_exchange_the_edition_s_texts(
    inputs: Path, tmp_path: Path
) -> None:
    found = read_edition(inputs, 2024, "ko")
    row = next(r for r in status_rows(found) if r["part"] == "edition")
    assert (row["translated"], row["missing"], row["outdated"]) == (7, 0, 0)
    assert row["file"].endswith("2024/translations/ko/edition.yaml")
    po = export_po(found).decode("utf-8")
    assert 'msgctxt "edition:chapters.key-messages.title"' in po
    assert 'msgstr "핵심 메시지"' in po
    edition_translation(inputs).unlink()
    out = tmp_path / "ko.po"
    out.write_text(po, encoding="utf-8")
    imported = import_po(read_edition(inputs, 2024, "ko"), out)
    assert imported.refused == []
    written = edition_translation(inputs).read_text(encoding="utf-8")
    assert "year: 2024" in written and "member:" not in written
    assert validate_paths([edition_translation(inputs)], inputs).files[0].issues == []
    assert korean_edition(inputs).loaded.edition.title == TITLE_KO


def test_an_editorial_chapter_left_in_english_is_named_by_its_korean_title(inputs: Path) -> None:
    (inputs / "2024" / "key-messages.ko.md").unlink()
    applied = korean_edition(inputs)
    assert "핵심 메시지" in applied.original_parts
    assert "Key messages" not in applied.original_parts
