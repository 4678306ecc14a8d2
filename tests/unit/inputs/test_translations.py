"""Translation files and translated editorial files, checked like any input (issue 42): a
changed English summary marks its translation outdated (a warning, and the English is what
prints); each problem of a translation file at its line and column with its code and hint;
`wgreport validate` on the edition's folder checks the translation files as translations
(not as contributions) and the `.ko.md` files as the English editorial files are; the
final's preflight finds placeholder text in a translated foreword."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_inputs
from wgreport.inputs.issues import Issue
from wgreport.inputs.translations import (
    TranslationPlace,
    coverage,
    digest,
    load_contribution,
    source_fields,
    translate_contribution,
    validate_translation,
)
from wgreport.inputs.validate_paths import validate_paths
from wgreport.inputs.validation import load_working_group

DIGEST = "ab" * 32


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    return copy_inputs(tmp_path, ("KR", "GB"))


def kr_translation(inputs: Path) -> Path:
    return inputs / "2024" / "translations" / "ko" / "KR.yaml"


def change_kr_summary(inputs: Path) -> None:
    path = inputs / "2024" / "contributions" / "KR.yaml"
    text = path.read_text(encoding="utf-8")
    changed = text.replace("In 2024 Korea moved several", "In 2024 Korea moved many", 1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")


def check(inputs: Path, body: str, member: str = "KR") -> list[Issue]:
    path = inputs / "2024" / "translations" / "ko" / f"{member}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    report = validate_paths([path], inputs)
    assert len(report.files) == 1
    return report.files[0].issues


def head(member: str = "KR") -> str:
    return f"schema: wgreport/translation/v1\nlanguage: ko\nmember: {member}\nyear: 2024\ntexts:\n"


def test_the_demo_translation_covers_korea_s_whole_contribution(inputs: Path) -> None:
    contribution = load_contribution(inputs / "2024" / "contributions" / "KR.yaml")
    assert contribution is not None
    wg, _ = load_working_group(inputs / "working-group.yaml")
    sources = source_fields(contribution)
    model, report = validate_translation(
        kr_translation(inputs), TranslationPlace("ko", "KR", 2024), wg, sources
    )
    assert report.issues == [] and model is not None
    covered = coverage(sources, model)
    assert covered.missing == [] and covered.outdated == []
    assert len(covered.current) == len(sources) >= 20


def test_a_changed_english_summary_marks_its_translation_outdated(inputs: Path) -> None:
    change_kr_summary(inputs)
    report = validate_paths([kr_translation(inputs)], inputs)
    issues = report.files[0].issues
    assert [(i.severity, i.code, i.line) for i in issues] == [
        ("warning", "translation-outdated", 8)
    ]
    assert "'summary'" in issues[0].message and "prints the English" in issues[0].message
    assert issues[0].hint and "wgreport translations export" in issues[0].hint
    contribution = load_contribution(inputs / "2024" / "contributions" / "KR.yaml")
    assert contribution is not None
    sources = source_fields(contribution)
    wg, _ = load_working_group(inputs / "working-group.yaml")
    model, _ = validate_translation(
        kr_translation(inputs), TranslationPlace("ko", "KR", 2024), wg, sources
    )
    covered = coverage(sources, model)
    assert covered.outdated == ["summary"]
    assert "summary" not in covered.current  # the English prints in its place
    assert translate_contribution(contribution, covered.current).summary == contribution.summary


def test_a_translation_replaces_exactly_its_fields() -> None:
    from tests.conftest import DEMO_INPUTS

    contribution = load_contribution(DEMO_INPUTS / "2024" / "contributions" / "KR.yaml")
    assert contribution is not None
    texts = {
        "initiatives.mobile-id.title": "모바일 신분증",
        "initiatives.mobile-id.outcomes.2": "둘째",
    }
    translated = translate_contribution(contribution, texts)
    mobile = next(i for i in translated.initiatives if i.id == "mobile-id")
    assert mobile.title == "모바일 신분증"
    assert mobile.outcomes[1] == "둘째"
    assert (
        mobile.outcomes[0]
        == next(i for i in contribution.initiatives if i.id == "mobile-id").outcomes[0]
    )
    assert translated.summary == contribution.summary
    assert source_fields(translated).keys() == source_fields(contribution).keys()


def test_an_unknown_field_and_initiative_are_errors_with_a_suggestion(inputs: Path) -> None:
    body = head() + (
        f"  sumary:\n    source_sha256: {DIGEST}\n    text: 요약\n"
        f"  initiatives.mobile-di.title:\n    source_sha256: {DIGEST}\n    text: 제목\n"
    )
    issues = check(inputs, body)
    found = [(i.code, i.line, i.column, i.hint) for i in issues]
    assert found == [
        ("unknown-translated-field", 6, 3, "did you mean 'summary'?"),
        ("unknown-translated-field", 9, 3, "did you mean 'initiatives.mobile-id.title'?"),
    ]


def test_empty_text_and_bad_or_missing_digests_are_errors_at_their_lines(inputs: Path) -> None:
    body = head() + (
        f'  summary:\n    source_sha256: {DIGEST}\n    text: "  "\n'
        "  case_study.title:\n    source_sha256: abc123\n    text: 제목\n"
        "  case_study.body:\n    text: 본문\n"
    )
    issues = check(inputs, body)
    found = sorted((i.line, i.code) for i in issues if i.severity == "error")
    assert found == [(8, "empty-value"), (10, "invalid-format"), (12, "missing-field")]
    bad = next(i for i in issues if i.code == "invalid-format")
    assert "sha256" in bad.message and bad.hint and "wgreport translations" in bad.hint


def test_an_unknown_member_and_a_wrong_language_are_errors(inputs: Path) -> None:
    issues = check(inputs, head("UK").replace("language: ko", "language: kr") + "  {}\n", "UK")
    codes = {(i.code, i.line) for i in issues}
    assert ("language-mismatch", 2) in codes
    assert ("unknown-member", 3) in codes
    hint = next(i.hint for i in issues if i.code == "unknown-member")
    assert hint == "did you mean 'GB'?"


def test_a_member_without_a_contribution_is_said_not_checked(inputs: Path) -> None:
    issues = check(inputs, head("EE") + "  {}\n", "EE")  # EE is not in this copy
    assert [i.code for i in issues] == ["checks-not-run"]
    assert issues[0].severity == "warning"


def test_validating_the_edition_folder_checks_translation_files_as_translations(
    inputs: Path,
) -> None:
    report = validate_paths([inputs / "2024"], inputs)
    by_file = {Path(r.file).name: r for r in report.files}
    assert "KR.yaml" in {Path(r.file).name for r in report.files if "translations" in r.file}
    translation = next(r for r in report.files if "translations" in r.file)
    assert translation.issues == []
    assert "foreword.ko.md" in by_file and "key-messages.ko.md" in by_file


def test_a_translated_editorial_file_is_checked_as_the_english_one(inputs: Path) -> None:
    path = inputs / "2024" / "key-messages.ko.md"
    path.write_text("첫 줄.\n중앙값은 {{ egdi.grop.median }}이다.\n", encoding="utf-8")
    report = validate_paths([path], inputs)
    issues = report.files[0].issues
    assert [(i.code, i.line, i.column) for i in issues] == [("unknown-fact", 2, 9)]
    assert issues[0].hint == "did you mean 'egdi.group.median'?"
    edition = validate_paths([inputs / "2024" / "edition.yaml"], inputs)
    assert not edition.valid  # the edition's check includes its translated files


def test_the_final_preflight_finds_a_placeholder_in_a_translated_foreword(inputs: Path) -> None:
    from wgreport.build.finalchecks import Material, find_placeholders
    from wgreport.inputs.comments import Reviews
    from wgreport.inputs.edition import load_edition_inputs

    (inputs / "2024" / "foreword.ko.md").write_text("서문.\n\nTODO: 감사의 말\n", encoding="utf-8")
    loaded = load_edition_inputs(inputs, 2024)
    import datetime as dt

    problems = list(find_placeholders(Material(loaded, Reviews(), dt.date(2025, 3, 15))))
    found = [(p.file, p.line) for p in problems]
    assert ("inputs/2024/foreword.ko.md", 3) in found, found


def test_digest_is_the_sha256_of_the_utf8_text() -> None:
    assert digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert digest("한") != digest("한 ")


def test_a_translation_has_its_english_field_s_limits(inputs: Path) -> None:
    table = "| a | b |\n|---|---|\n" + "".join(f"| {n} | x |\n" for n in range(101))
    body = head() + (
        f"  initiatives.mobile-id.title:\n    source_sha256: {DIGEST}\n"
        f"    text: {'가' * 201}\n"
        f"  summary:\n    source_sha256: {DIGEST}\n    text: {json_string(table)}\n"
    )
    issues = [i for i in check(inputs, body) if i.severity == "error"]
    found = {(i.code, i.line) for i in issues}
    assert ("text-too-long", 8) in found
    assert ("markdown-table-too-large", 11) in found
    long = next(i for i in issues if i.code == "text-too-long")
    assert "201" in long.message and "200" in long.message


def test_the_build_uses_no_translation_file_with_an_error(inputs: Path) -> None:
    from wgreport.inputs.edition import load_edition_inputs
    from wgreport.inputs.translations import read_language

    loaded = load_edition_inputs(inputs, 2024)

    def members() -> list[str]:
        texts = read_language(inputs, 2024, [], "ko", loaded.working_group, loaded.contributions)
        return sorted(texts.members)

    assert members() == ["KR"]
    path = kr_translation(inputs)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  summary:", "  sumary:", 1), encoding="utf-8")
    assert members() == []  # its English prints, marked (and validate says why)


def json_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
