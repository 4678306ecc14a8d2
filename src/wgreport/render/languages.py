"""The language of parts: text in another language than the page's says so.

WCAG 2.1 success criterion 3.1.2 (AA) and PDF/UA-1 §7.2 ask that a change of language be
marked, so that a screen reader reads 디지털플랫폼정부위원회 with a Korean voice rather
than spelling it out in English. Hebrew runs are marked where they are found (markdown.py:
`dir="rtl" lang="he"`); Korean comes from any field (a committee's name in the governance
table, a contact's name), so the whole page is marked once, after the templates.

In the PDF, WeasyPrint 70 gives only the catalog a /Lang. `tag_languages()` makes each
structure element whose HTML element has a `lang` attribute carry it as /Lang, which its
children inherit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

#: Hangul, as a regex character range: jamo, compatibility jamo, syllables.
HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3"
#: A Korean run: Hangul words with the spaces between them.
_KOREAN_RUN = re.compile(f"[{HANGUL}]+(?:\\s+[{HANGUL}]+)*")
#: A tag, or a whole element whose text is not the page's text (the head, styles, scripts,
#: inline SVG, a text area): nothing inside those is wrapped, even a `<` in a style sheet.
_TAG_OR_SKIPPED = re.compile(
    r"(<(head|style|script|svg|textarea|title)\b.*?</\2\s*>|<[^>]+>)", re.S | re.I
)


def mark_korean(html: str) -> str:
    """Wrap each Korean run in the page's text in `<span lang="ko">` (not in attributes,
    the head, styles, scripts or inline SVG)."""

    def wrap(text: str) -> str:
        return _KOREAN_RUN.sub(r'<span lang="ko">\g<0></span>', text)

    out: list[str] = []
    last = 0
    for match in _TAG_OR_SKIPPED.finditer(html):
        out += [wrap(html[last : match.start()]), match[0]]
        last = match.end()
    out.append(wrap(html[last:]))
    return "".join(out)


_MARK = "_wgreport_languages"


def tag_languages() -> None:
    """Make WeasyPrint's tagged PDFs give each structure element the `lang` of its HTML
    element (once per process; WeasyPrint's tag builder is wrapped, not copied)."""
    import pydyf
    from weasyprint.pdf import tags

    original = tags._build_box_tree
    if getattr(original, _MARK, False):
        return

    def build(box: Any, parent: Any, *args: Any) -> Iterator[Any]:
        element = getattr(box, "element", None)
        lang = element.get("lang") if element is not None else None
        own = lang and getattr(box, "element_tag", None) not in ("html", "body")
        for struct in original(box, parent, *args):
            if own and "Lang" not in struct:
                struct["Lang"] = pydyf.String(lang)
            yield struct

    setattr(build, _MARK, True)
    wrapped: Callable[..., Iterator[Any]] = build
    tags._build_box_tree = wrapped
