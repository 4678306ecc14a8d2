"""A translation file written by `wgreport translations import` reads back as the same texts,
whatever they hold (issue 42): multi-line Markdown as a literal block, anything a block
cannot hold exactly (leading spaces, trailing spaces, blank lines at the end, control
characters) as a quoted string, and a digest YAML would read as a number quoted."""

from __future__ import annotations

from pathlib import Path

import pytest

from wgreport.inputs.translation_exchange import translation_yaml
from wgreport.inputs.translations import TranslationPlace, load_translation, validate_translation

TEXTS = [
    "한 줄",
    "첫 줄\n둘째 줄\n",
    "끝에 줄바꿈 없음\n둘째",
    "  앞 공백\n둘째\n",
    "뒤 공백  \n둘째\n",
    "끝에 빈 줄 둘\n\n\n",
    "# 제목처럼\n- 목록: 값\n---\n...\n'따옴표' \"큰따옴표\" {중괄호} [대괄호] & * ! | > %\n",
    "탭\t문자\n둘째\n",
    "줄\u2028구분자",
    "yes",
    "null",
    "123",
    "- 목록",
    ": 콜론",
    "이모지 🇰🇷\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_written_text_reads_back_the_same(tmp_path: Path, text: str) -> None:
    path = tmp_path / "ko" / "group.yaml"
    path.parent.mkdir()
    digest = "1234567890" * 6 + "1234"  # all digits: YAML would read it as a number unquoted
    entries = {"themes.a.title": {"source_sha256": digest, "text": text}}
    path.write_text(translation_yaml("ko", None, None, entries), encoding="utf-8")
    model = load_translation(path)
    assert model is not None, path.read_text(encoding="utf-8")
    assert model.texts["themes.a.title"].text == text
    assert model.texts["themes.a.title"].source_sha256 == digest
    _, report = validate_translation(path, TranslationPlace("ko"), None, None)
    assert [i.code for i in report.issues] == ["checks-not-run"]  # no group given: only that
