"""An edition's optional `languages` (issue 42): the languages every build writes the
report in; one without a catalogue is refused by validation at its line, with a hint
naming those there are."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import edition_tree
from wgreport.build.plan import report_languages
from wgreport.inputs.models import Edition
from wgreport.inputs.validation import load_edition, load_working_group


def _edition_with(tmp_path: Path, line: str) -> tuple[Edition | None, list[str]]:
    inputs = edition_tree(tmp_path)
    path = inputs / "2024" / "edition.yaml"
    text = path.read_text(encoding="utf-8")
    assert "languages:" not in text
    text = text.replace("deadline: 2025-02-28\n", f"deadline: 2025-02-28\n{line}\n", 1)
    path.write_text(text, encoding="utf-8")
    wg, _ = load_working_group(inputs / "working-group.yaml")
    edition, report = load_edition(path, wg, 2024)
    return edition, [f"{i.code} {i.field} line {i.line}: {i.message} ({i.hint})"
                     for i in report.issues]  # fmt: skip


def test_an_edition_names_the_languages_its_report_is_built_in(tmp_path: Path) -> None:
    edition, issues = _edition_with(tmp_path, "languages: [en, ko]")
    assert issues == [] and edition is not None
    assert edition.languages == ["en", "ko"]
    assert report_languages((), edition.languages) == ("en", "ko")
    assert report_languages(("ko",), edition.languages) == ("en", "ko")  # once


def test_a_language_without_a_catalogue_is_refused_at_its_line(tmp_path: Path) -> None:
    edition, issues = _edition_with(tmp_path, "languages: [en, kr]")
    assert edition is None
    (issue,) = issues
    assert issue.startswith("invalid-choice languages[1] line 7: "), issue
    assert "'kr' is not a language the report can be built in" in issue
    assert "write one of en, ko" in issue


def test_an_edition_without_languages_is_built_in_english() -> None:
    assert report_languages((), ()) == ("en",)
