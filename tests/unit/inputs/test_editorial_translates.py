"""A translated editorial file says which English it translates (issue 42): its first line
`<!-- translates: foreword.md sha256:… -->`, written by `wgreport translations import
foreword.ko.md`. When the English changes since, it is outdated as a member's translated
field is: `wgreport validate` warns (translation-outdated), `translations status` counts it
outdated (exit 1), and the Korean report prints the English in its place, marked, and
names it among the parts in English. Without the line it is "not tracked": status says so,
and it prints as it is. The line itself never prints."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT, copy_inputs
from wgreport.cli.main import app
from wgreport.inputs.editorialtranslations import (
    CURRENT,
    NOT_TRACKED,
    OUTDATED,
    declared_source,
    digest,
    editorial_state,
)
from wgreport.inputs.validate_paths import validate_paths

KOREAN_FOREWORD = "디지털 네이션즈 디지털 거버넌스 작업반 의장으로서"
ENGLISH_FOREWORD = "As Chair of the Digital Nations Digital Governance Working Group"


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    return copy_inputs(tmp_path, ("KR", "GB"))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["translations", *args])
    return result.exit_code, result.stdout, result.stderr


def status(inputs: Path) -> tuple[int, dict[str, dict[str, object]]]:
    code, out, _ = invoke("status", "--lang", "ko", "--year", "2024", "--inputs", str(inputs),
                            "--format", "json")  # fmt: skip
    return code, {p["part"]: p for p in json.loads(out)["parts"]}


def korean_page(inputs: Path) -> str:
    from wgreport.build.pipeline import make_context
    from wgreport.build.plan import make_build_info
    from wgreport.i18n import language
    from wgreport.inputs.edition import load_edition_inputs
    from wgreport.render.html import render_html

    loaded = load_edition_inputs(inputs, 2024)
    with language("ko"):
        ctx = make_context(loaded, make_build_info(1), lang="ko")
    return render_html(ctx, ROOT / "templates", lang="ko")


def foreword_of(page: str) -> str:
    start = page.index('id="foreword"')
    return page[start : page.index("</section>", start)]


def change_english_foreword(inputs: Path) -> None:
    path = inputs / "2024" / "foreword.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")


def test_the_demos_translations_say_what_they_translate_and_are_current(inputs: Path) -> None:
    folder = inputs / "2024"
    for name in ("foreword.md", "key-messages.md"):
        translated = (folder / name.replace(".md", ".ko.md")).read_text(encoding="utf-8")
        english = (folder / name).read_text(encoding="utf-8")
        assert declared_source(translated) == (name, digest(english))
        assert editorial_state(name, english, translated) == CURRENT
    code, parts = status(inputs)
    assert code == 0
    assert parts["foreword.md"]["translated"] == 1 and parts["foreword.md"]["tracked"] is True
    page = korean_page(inputs)
    assert KOREAN_FOREWORD in foreword_of(page)
    assert "translates:" not in page and "sha256:" not in page  # the line never prints


def test_a_changed_english_makes_the_translation_outdated_everywhere(inputs: Path) -> None:
    change_english_foreword(inputs)
    translated = inputs / "2024" / "foreword.ko.md"
    # validate: a warning at its first line, which says how to record the new English
    report = validate_paths([translated], inputs)
    assert report.valid
    (issue,) = report.files[0].issues
    assert (issue.code, issue.severity, issue.line) == ("translation-outdated", "warning", 1)
    assert "foreword.md changed since it was translated" in issue.message
    assert issue.hint is not None
    assert "wgreport translations import " in issue.hint  # the file as shown (here: absolute)
    assert issue.hint.endswith("inputs/2024/foreword.ko.md --lang ko")
    # status: outdated, exit 1
    code, parts = status(inputs)
    assert code == 1
    assert parts["foreword.md"]["outdated"] == 1 and parts["foreword.md"]["translated"] == 0
    assert parts["foreword.md"]["outdated_fields"] == ["foreword.md"]
    # the Korean report: the English foreword, marked, named among the parts in English
    page = korean_page(inputs)
    foreword = foreword_of(page)
    assert ENGLISH_FOREWORD in foreword and KOREAN_FOREWORD not in foreword
    assert '<div class="md" lang="en">' in foreword
    assert "원문(영어)으로 실려 있습니다: 머리말" in page
    # recorded again after the translator's update: current
    code, out, err = invoke("import", str(translated), "--lang", "ko", "--year", "2024",
                            "--inputs", str(inputs))  # fmt: skip
    assert code == 0, out + err
    assert "inputs/2024/foreword.ko.md: translates foreword.md as it is now" in out
    assert status(inputs)[0] == 0
    assert KOREAN_FOREWORD in foreword_of(korean_page(inputs))


def test_a_translation_without_the_line_is_not_tracked_and_prints(inputs: Path) -> None:
    path = inputs / "2024" / "foreword.ko.md"
    path.write_text(path.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    change_english_foreword(inputs)
    code, parts = status(inputs)
    assert code == 0 and parts["foreword.md"]["tracked"] is False
    assert parts["foreword.md"]["translated"] == 1
    _, out, _ = invoke("status", "--lang", "ko", "--year", "2024", "--inputs", str(inputs))
    assert "not tracked: its first line does not say which English it translates" in out
    assert "wgreport translations import --lang ko inputs/2024/foreword.ko.md" in out
    assert validate_paths([path], inputs).files[0].issues == []
    assert KOREAN_FOREWORD in foreword_of(korean_page(inputs))


def test_a_line_naming_another_file_is_outdated(inputs: Path) -> None:
    folder = inputs / "2024"
    key_line = (folder / "key-messages.ko.md").read_text(encoding="utf-8").split("\n", 1)[0]
    path = folder / "foreword.ko.md"
    body = path.read_text(encoding="utf-8").split("\n", 1)[1]
    path.write_text(f"{key_line}\n{body}", encoding="utf-8")
    english = (folder / "foreword.md").read_text(encoding="utf-8")
    assert editorial_state("foreword.md", english, path.read_text(encoding="utf-8")) == OUTDATED
    (issue,) = validate_paths([path], inputs).files[0].issues
    assert "says it translates key-messages.md, not foreword.md" in issue.message
    assert editorial_state("foreword.md", english, body) == NOT_TRACKED


def test_import_brings_a_translation_kept_elsewhere_into_the_edition(
    inputs: Path, tmp_path: Path
) -> None:
    target = inputs / "2024" / "foreword.ko.md"
    kept = tmp_path / "mail" / "foreword.ko.md"
    kept.parent.mkdir()
    shutil.copy(target, kept)
    kept.write_text("새 머리말.\n", encoding="utf-8")  # a translator's file, without the line
    code, out, err = invoke("import", str(kept), "--lang", "ko", "--year", "2024",
                            "--inputs", str(inputs))  # fmt: skip
    assert code == 0, out + err
    english = (inputs / "2024" / "foreword.md").read_text(encoding="utf-8")
    written = target.read_text(encoding="utf-8")
    assert written == f"<!-- translates: foreword.md sha256:{digest(english)} -->\n새 머리말.\n"
    assert kept.read_text(encoding="utf-8") == "새 머리말.\n"  # the translator's copy untouched
    # a file that is no editorial translation of the edition: a usage error naming them
    stray = tmp_path / "preface.ko.md"
    stray.write_text("서문\n", encoding="utf-8")
    code, out, err = invoke("import", str(stray), "--lang", "ko", "--year", "2024",
                            "--inputs", str(inputs))  # fmt: skip
    assert code == 2
    assert "not a translated editorial file of the 2024 edition" in err
    assert "foreword.ko.md, key-messages.ko.md" in err
    assert not (inputs / "2024" / "preface.ko.md").exists()
