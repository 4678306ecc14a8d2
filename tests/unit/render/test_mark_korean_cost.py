"""mark_korean costs in proportion to the Hangul (issue 41): a page with none is not cut
at its tags, and only the pieces of text with Hangul are wrapped; the output is the same,
byte for byte, as wrapping every piece of text (the golden pages of both languages)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from wgreport.render import languages
from wgreport.render.languages import mark_korean

GOLDEN = [
    ROOT / "tests" / "golden" / "tree" / "drafts" / "001" / "report.html",
    ROOT / "tests" / "golden" / "korean" / "report.ko.html",
]


def _every_text_wrapped(html: str) -> str:
    """mark_korean as it was before: each piece of text between tags wrapped in turn."""
    out: list[str] = []
    last = 0
    for match in languages._TAG_OR_SKIPPED.finditer(html):
        out += [
            languages._KOREAN_RUN.sub(r'<span lang="ko">\g<0></span>', html[last : match.start()]),
            match[0],
        ]
        last = match.end()
    out.append(languages._KOREAN_RUN.sub(r'<span lang="ko">\g<0></span>', html[last:]))
    return "".join(out)


class _Counting:
    """The Korean-run pattern, counting the pieces of text it is asked to wrap."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.wrapped: list[str] = []

    def sub(self, repl: str, text: str) -> str:
        self.wrapped.append(text)
        return self.pattern.sub(repl, text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pattern, name)


@pytest.mark.parametrize("page", GOLDEN, ids=lambda p: p.name)
def test_the_golden_pages_are_marked_as_before(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert mark_korean(html) == _every_text_wrapped(html)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "정부",
        "<p>정부</p>",
        "<p>a</p>정부 24<b>디지털\n 플랫폼</b>tail 한국",
        '<head><title>정부</title></head><p title="정부">a<i>b</i>한</p><svg><text>한국</text></svg>',
        "<style>a::after { content: '<' } 정부</style><p>정부 < 정부</p> <textarea>한</textarea>",
        "<p>a\x00정부</p>\x00<b>한\x00국</b>",  # the separator in the page: wrapped as well
        "<p>Café — ש ⁠ 日本 \u1100\u11ff \u3130 \u318f \ud7a3 \ud800</p>",  # other scripts, Hangul at its edges
        "<SVG>한</svg>정<SCRIPT>국</SCRIPT>부 <p>no close < 정부 ",
    ],
)
def test_pages_with_hangul_anywhere_are_marked_as_before(html: str) -> None:
    assert mark_korean(html) == _every_text_wrapped(html)


def test_only_the_texts_with_hangul_are_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    counting = _Counting(languages._KOREAN_RUN)
    monkeypatch.setattr(languages, "_KOREAN_RUN", counting)
    english = "".join(f"<tr><td>Member {i}</td><td>{i}.5</td></tr>" for i in range(200))
    assert mark_korean(f"<table>{english}</table>") == f"<table>{english}</table>"
    assert counting.wrapped == []  # no Hangul: nothing cut, nothing wrapped
    marked = mark_korean(f"<table>{english}<tr><td>디지털플랫폼정부위원회</td></tr></table>")
    assert '<td><span lang="ko">디지털플랫폼정부위원회</span></td>' in marked
    assert counting.wrapped == ["디지털플랫폼정부위원회"]  # one text of 601
