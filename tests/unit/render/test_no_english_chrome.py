"""The Korean report has no English chrome (issue 42): every word of the golden Korean page
(tests/golden/korean/report.ko.html, the demo's report.ko.html as `make golden` builds it)
is Korean, or was written by people (the group's, the edition's and the members' files,
printed as written until part B translates them), or is marked `lang="en"`, or is code, an
address, a file name or an abbreviation (EGDI, OECD). Members' names are Korean (Babel's
country names) even where the group's files spell them in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser
from typing import Any

import yaml

from tests.conftest import DEMO_INPUTS
from tests.support.goldentree import GOLDEN_KOREAN

#: What splits a text into runs of another script: Hangul (syllables, jamo).
_KOREAN = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+")
#: an English word: two letters or more ("3위 of 10" has one)
_WORD = re.compile(r"[A-Za-z]{2,}")
_TRIM = " \t\n.,;:()[]'\"‘’“”«»「」©·–—-/%+0123456789=*"
#: What joins people's texts in a sentence of the report's: their pieces are checked one by one.
_JOINS = re.compile(r", |; |: |\. | \(|\)|「|」")
#: addresses, file names, and a chart of the golden page pinned by its digest (goldentree.py;
#: the charts' text is read back by tests/e2e/test_korean_edition.py)
_ADDRESS = re.compile(r"^(?:https?://\S+|[\w./-]+\.(?:csv|json|html|pdf)|svg-sha256:[0-9a-f]*)$")
_SKIPPED = {"script", "style", "code", "pre", "title", "abbr", "head"}
#: the tool's own name (the imprint's "made with wgreport 0.1.0")
_NAMES = {"wgreport"}


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


@cache
def people_text() -> str:
    """Everything people wrote for the demo (every string of its YAML files, its Markdown
    and CSV files), whitespace normalised, one text per line."""
    texts: list[str] = []
    for path in sorted(DEMO_INPUTS.rglob("*")):
        if path.suffix in (".yaml", ".yml"):
            texts += _strings(yaml.safe_load(path.read_text(encoding="utf-8")))
        elif path.suffix in (".md", ".csv"):
            texts.append(path.read_text(encoding="utf-8"))
    return "\n".join(" ".join(t.split()) for t in texts)


@cache
def member_names() -> frozenset[str]:
    group = yaml.safe_load((DEMO_INPUTS / "working-group.yaml").read_text(encoding="utf-8"))
    return frozenset(
        name for m in group["members"] for name in (m.get("name"), m.get("short_name")) if name
    )


def english_runs(text: str) -> list[str]:
    """The runs of `text` between its Korean words that hold English words."""
    runs = [" ".join(r.split()).strip(_TRIM) for r in _KOREAN.split(text)]
    return [r for r in runs if _WORD.search(r)]


def allowed(run: str) -> bool:
    """A run that is not chrome: people's text (or people's texts joined by punctuation),
    an address, an abbreviation, a name; never a member's name alone (Babel's Korean name
    is printed)."""
    if run in member_names():
        return False
    pieces = [p.strip(_TRIM) for p in _JOINS.split(run)]
    return all(_piece_allowed(p) for p in pieces if _WORD.search(p))


@cache
def people_segments() -> frozenset[str]:
    """People's texts cut where the report joins texts (_JOINS): the pieces a single word
    may be ("Digitaliseringsstyrelsen"), where any sentence of theirs would hold "of"."""
    return frozenset(
        piece.strip(_TRIM) for line in people_text().splitlines() for piece in _JOINS.split(line)
    )


def _piece_allowed(piece: str) -> bool:
    if _ADDRESS.match(piece) or all(w.isupper() or w in _NAMES for w in _WORD.findall(piece)):
        return True
    if " " not in piece:  # one word: one of people's pieces, not any word of theirs
        return piece in people_segments()
    return piece in people_text()


class _Texts(HTMLParser):
    """The page's text nodes outside the skipped elements (those of _SKIPPED and those
    marked `lang="en"`, with everything inside them)."""

    VOID = frozenset(
        [
            "area",
            "base",
            "br",
            "col",
            "embed",
            "hr",
            "img",
            "input",
            "link",
            "meta",
            "source",
            "track",
            "wbr",
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        lang = dict(attrs).get("lang") or ""
        skipped = bool(self.stack and self.stack[-1][1]) or tag in _SKIPPED
        self.stack.append((tag, skipped or lang.startswith("en")))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1][1]):
            self.texts.append(data)


def english_chrome(html: str) -> list[str]:
    """Every English run of the page's text outside `lang="en"` parts, code and
    abbreviations that people did not write."""
    parser = _Texts()
    parser.feed(html)
    found = [r for text in parser.texts for r in english_runs(text) if not allowed(r)]
    return list(dict.fromkeys(found))


def test_the_detector_flags_english_chrome_and_nothing_else() -> None:
    page = (
        '<html lang="ko"><body><h2>방법론</h2><p>The group median is 0.9140.</p>'
        '<p lang="en">The foreword as written.</p><p>출처: <code>data/indicators.csv</code>'
        ", EGDI, https://example.org/data</p><p>Digital Nations Digital Governance Working "
        "Group 회원국</p><dt>Korea</dt><p>Figure 4.1 참조</p><td>3위 of 10</td></body></html>"
    )
    assert english_chrome(page) == ["The group median is", "Korea", "Figure", "of"]


def test_the_golden_korean_page_has_no_english_chrome() -> None:
    assert GOLDEN_KOREAN.exists(), "run `make golden` (scripts/update-golden) and review"
    found = english_chrome(GOLDEN_KOREAN.read_text(encoding="utf-8"))
    assert found == [], f"{len(found)} English runs in the Korean report:\n" + "\n".join(found)
    assert GOLDEN_KOREAN.read_text(encoding="utf-8").startswith('<!DOCTYPE html>\n<html lang="ko"')
