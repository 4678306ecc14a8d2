"""The demo draft tags every part marked with a language in its PDF's structure (WCAG 3.1.2,
PDF/UA-1 §7.2). The marking itself, without a whole build: tests/unit/render/test_languages.py."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pikepdf

from tests.unit.render.test_languages import _languages


def test_the_demo_draft_tags_every_marked_part_with_its_language(library_draft: Path) -> None:
    html = (library_draft / "report.html").read_text(encoding="utf-8")
    body = html.split("<body", 1)[1]
    marked = Counter(re.findall(r'<[a-z]+\b[^>]*\blang="([a-z-]+)"', body))
    assert marked["ko"] >= 5 and marked["he"] >= 3, marked
    tagged = Counter(lang for _, lang, _ in _languages(pikepdf.open(library_draft / "report.pdf")))
    # Each marked element is at least one structure element (more where it breaks a line).
    assert set(tagged) == set(marked)
    for lang, count in marked.items():
        assert tagged[lang] >= count, (lang, tagged, marked)
