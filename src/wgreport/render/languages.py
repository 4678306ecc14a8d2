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
_HANGUL_CHAR = re.compile(f"[{HANGUL}]")
#: The first bytes of Hangul in UTF-8 (U+1100-11FF: E1, U+3130-318F: E3, U+AC00-D7A3:
#: EA to ED).
_HANGUL_LEADS = (b"\xe1", b"\xe3", b"\xea", b"\xeb", b"\xec", b"\xed")
#: What mark_korean joins the page's texts with to find those with Hangul (in no page).
_SEPARATOR = "\x00"
#: A tag, or a whole element whose text is not the page's text (the head, styles, scripts,
#: inline SVG, a text area): nothing inside those is wrapped, even a `<` in a style sheet.
_TAG_OR_SKIPPED = re.compile(
    r"(<(head|style|script|svg|textarea|title)\b.*?</\2\s*>|<[^>]+>)", re.S | re.I
)


def mark_korean(html: str) -> str:
    """Wrap each Korean run in the page's text in `<span lang="ko">` (not in attributes,
    the head, styles, scripts or inline SVG).

    Its cost follows the Hangul: a page with none is returned at once; otherwise the page
    is cut at its tags in one pass of the regex engine and only the pieces of text with
    Hangul are wrapped (a 193-member English page has 140,000 tags and no Hangul)."""
    if not _may_have_hangul(html):
        return html
    # [text, tag, tag's element name or None, text, ...]: the texts are every third piece
    pieces = _TAG_OR_SKIPPED.split(html)
    texts = pieces[0::3]
    if _SEPARATOR in html:  # the index below needs a separator no text has
        korean = [i for i, text in enumerate(texts) if _HANGUL_CHAR.search(text)]
    else:
        korean = _texts_with_hangul(_SEPARATOR.join(texts))
    for i in korean:
        pieces[3 * i] = _KOREAN_RUN.sub(r'<span lang="ko">\g<0></span>', pieces[3 * i])
    del pieces[2::3]  # the element names the split gave (a group of the pattern)
    return "".join(pieces)


def _may_have_hangul(html: str) -> bool:
    """False when the page has no Hangul for sure: its UTF-8 has none of the bytes Hangul's
    begin with (searching bytes for a byte is ten times faster than a character range)."""
    if html.isascii():
        return False
    data = html.encode("utf-8", "surrogatepass")
    return any(lead in data for lead in _HANGUL_LEADS)


def _texts_with_hangul(joined: str) -> list[int]:
    """The indexes of the texts joined by _SEPARATOR that have Hangul (a run never spans
    two: it has no separator), counting the separators once, left to right."""
    found: list[int] = []
    index, at = 0, 0
    for run in _KOREAN_RUN.finditer(joined):
        index += joined.count(_SEPARATOR, at, run.start())
        at = run.start()
        if not found or found[-1] != index:
            found.append(index)
    return found


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


# --- the words of a PDF's margins ---------------------------------------------------------

#: Each language's page footer, "Page 3 of 62": the words before the page's number, between
#: it and the number of pages, and after them; and a cross-reference's page (", page 12"):
#: the words before and after it. templates/paged.css has the English ones, a language's own
#: templates/paged.<lang>.css the others; the stamp (pdf/stamp.py) and the parts' style
#: (pdf/parts.py) set them from here. A language without its own reads as English.
FOOTERS = {"en": ("Page ", " of ", ""), "ko": ("", " / ", "쪽")}
PAGE_REFERENCES = {"en": (", page ", ""), "ko": (", ", "쪽")}
_PAGE_LANGUAGE = re.compile(r'<html lang="([a-zA-Z]+)')


def page_language(html: str) -> str:
    """The language a page says it is in (`<html lang="ko-KR">`: ko); English when none."""
    match = _PAGE_LANGUAGE.search(html)
    return match[1] if match else "en"


# --- Korean particles -----------------------------------------------------------------------

#: A particle after a placeholder, written for both endings (translators cannot know the
#: word): 이(가), 은(는), 을(를), 과(와), (으)로.
_PARTICLES = {
    "이(가)": ("이", "가"),
    "은(는)": ("은", "는"),
    "을(를)": ("을", "를"),
    "과(와)": ("과", "와"),
    "(으)로": ("으로", "로"),
}
_PARTICLE = re.compile(
    "([\uac00-\ud7a3\\d])"  # the word's last syllable or digit
    "((?:</\\w+>|['’」])*)"  # a closing tag or quote after it
    "((?:\\s*\\([^()<>]*\\))?)"  # a parenthesis the particle follows: "우루과이 (+0.0618)이(가)"
    "(" + "|".join(re.escape(p) for p in _PARTICLES) + ")"
)
#: How each digit is read (0 영, 1 일, 2 이 …): whether it ends in a consonant, and in ㄹ.
_DIGIT_ENDINGS = {
    "0": (True, False), "1": (True, True), "2": (False, False), "3": (True, False),
    "4": (False, False), "5": (False, False), "6": (True, False), "7": (True, True),
    "8": (True, True), "9": (False, False),
}  # fmt: skip


def _ending(char: str) -> tuple[bool, bool]:
    """Whether a syllable (or digit, as read) ends in a consonant, and whether that is ㄹ."""
    if char in _DIGIT_ENDINGS:
        return _DIGIT_ENDINGS[char]
    final = (ord(char) - 0xAC00) % 28
    return final != 0, final == 8


def korean_particles(text: str) -> str:
    """Each particle written for both endings (덴마크이(가), 표 3.1은(는), 25위(으)로) set to
    the form its word takes (덴마크가, 표 3.1은, 25위로). A particle after a word in
    another script stays as written: its reading is not known."""

    def choose(match: re.Match[str]) -> str:
        consonant, rieul = _ending(match[1])
        after, other = _PARTICLES[match[4]]
        if match[4] == "(으)로":
            form = after if consonant and not rieul else other
        else:
            form = after if consonant else other
        return match[1] + match[2] + match[3] + form

    # twice: a particle after a parenthesis with one inside it ("(0.9006(으)로)이(가)") is
    # set once the inner one is
    return _PARTICLE.sub(choose, _PARTICLE.sub(choose, text))
