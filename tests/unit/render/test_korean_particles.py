"""Korean particles after the words a message could not know (issue 42): a translation
writes 이(가), 은(는), 을(를), 과(와), (으)로 after a placeholder; the Korean page sets each to
the form its word takes, by the word's last syllable (or digit, as it is read)."""

from __future__ import annotations

import pytest

from wgreport.render.languages import korean_particles


@pytest.mark.parametrize(
    ("written", "set_"),
    [
        ("덴마크이(가) 1위", "덴마크가 1위"),  # no final consonant
        ("대한민국이(가) 1위", "대한민국이 1위"),  # a final consonant
        ("영국은(는)", "영국은"),
        ("표 3.1은(는)", "표 3.1은"),  # 삼: ends in ㅁ
        ("0.9847(으)로", "0.9847로"),  # 칠: ends in ㄹ, which takes 로
        ("0.9006(으)로", "0.9006으로"),  # 육: ends in ㄱ
        ("서울(으)로", "서울로"),
        ("그림 4.2을(를)", "그림 4.2를"),
        ("<a>표 4.1</a>과(와)", "<a>표 4.1</a>과"),  # after the link it closes
        # after a parenthesis (with one inside it), the word before it decides
        (
            "우루과이 (+0.0618, 0.8388에서 0.9006(으)로)이(가)",
            "우루과이 (+0.0618, 0.8388에서 0.9006으로)가",
        ),
        ("'Digital identity'은(는)", "'Digital identity'은(는)"),  # another script: as written
    ],
)
def test_each_particle_takes_its_words_form(written: str, set_: str) -> None:
    assert korean_particles(written) == set_
