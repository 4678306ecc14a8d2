"""`wgreport build --lang` (issue 42): a language without a catalogue is a usage error that
names the languages there are, before anything is built; the report's file names per
language."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS
from wgreport.build.plan import report_languages
from wgreport.cli.main import app
from wgreport.errors import UsageError
from wgreport.layout import Draft, report_file


def test_an_unknown_language_is_refused_before_building(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["build", "--year", "2024", "--lang", "xx", "--inputs", str(DEMO_INPUTS),
         "--outputs", str(tmp_path / "outputs")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "no catalogue for the language 'xx'" in result.output
    assert "can be built in en, ko" in result.output
    assert not (tmp_path / "outputs").exists()  # nothing built


def test_english_comes_first_and_each_language_once() -> None:
    assert report_languages(()) == ("en",)
    assert report_languages(("ko", "en", "ko")) == ("en", "ko")
    with pytest.raises(UsageError, match="'pt'"):
        report_languages(("pt",))


def test_a_language_s_files_sit_beside_the_english_ones(tmp_path: Path) -> None:
    assert report_file("report.pdf", "en") == "report.pdf"
    assert report_file("report.pdf", "ko") == "report.ko.pdf"
    draft = Draft(tmp_path)
    assert draft.report_html_in("ko") == tmp_path / "report.ko.html"
    assert draft.report_pdf_in("en") == draft.report_pdf
