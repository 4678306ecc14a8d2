"""`wgreport preview --lang ko` previews the report in Korean (issue 42): the page in that
language, with the translations as saved (Korea's summary in Korean, another member's in
English, marked); a language without a catalogue is a usage error naming those there are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import copy_inputs, library_settings
from wgreport.cli.main import app
from wgreport.layout import Outputs
from wgreport.live.rebuild import LiveBuilder

MEMBERS = ("KR", "GB")
KOREAN = "디지털플랫폼정부 과제를 시범 단계에서"


def test_the_builder_in_korean_prints_the_translations(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path, MEMBERS)
    settings = library_settings(inputs, tmp_path / "out")
    built = LiveBuilder(settings, 2024, "ko").build()
    assert built.failure is None and built.html is not None and built.lang == "ko"
    assert '<html lang="ko"' in built.html
    assert KOREAN in built.html
    assert built.ctx is not None and "member-kr/summary" in built.ctx.translated
    # a save of Korea's translation shows in the next build
    kr = inputs / "2024" / "translations" / "ko" / "KR.yaml"
    kr.write_text(kr.read_text(encoding="utf-8").replace("시범 단계", "실험 단계"), "utf-8")
    again = LiveBuilder(settings, 2024, "ko").build()
    assert again.html is not None and "실험 단계" in again.html
    english = LiveBuilder(settings, 2024).build()
    assert english.html is not None and KOREAN not in english.html and english.lang == "en"


def test_preview_lang_ko_serves_the_korean_page(tmp_path: Path, monkeypatch: Any) -> None:
    import wgreport.live.server as server

    served: list[Any] = []

    def serve(session: Any, host: str, port: int, on_ready: Any = None) -> None:
        served.append(session)  # the page is built; no server started

    monkeypatch.setattr(server, "serve", serve)
    inputs = copy_inputs(tmp_path, MEMBERS)
    out = tmp_path / "out"
    done = CliRunner().invoke(app, ["preview", "--year", "2024", "--inputs", str(inputs),
                                    "--outputs", str(out), "--no-browser", "--no-pdf",
                                    "--port", "0", "--lang", "ko"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert served and served[0].builder.lang == "ko"
    page = Outputs(out).year(2024).preview.report_html.read_text(encoding="utf-8")
    assert '<html lang="ko"' in page and KOREAN in page


@pytest.mark.parametrize("lang", ["xx", "fr"])
def test_a_language_without_a_catalogue_is_a_usage_error(tmp_path: Path, lang: str) -> None:
    inputs = copy_inputs(tmp_path, MEMBERS)
    done = CliRunner().invoke(app, ["preview", "--year", "2024", "--inputs", str(inputs),
                                    "--outputs", str(tmp_path / "out"), "--no-browser",
                                    "--lang", lang])  # fmt: skip
    assert done.exit_code == 2, done.output
    assert f"--lang {lang}" in done.output and "ko" in done.output
    assert not (tmp_path / "out").exists()
