"""What changed in a text, in words: a word-level difference with a sentence of context.

`word_diff(old, new)` gives the excerpts of the new text where words were deleted or
inserted, each excerpt the sentence (or sentences) holding a change, marked segment by
segment: `Segment("same" | "deleted" | "inserted", text)`. An unchanged text, or one only
rewrapped (its words the same), gives no excerpt. A sentence longer than a few lines is
cut to `CONTEXT` words either side of its changes ("…").

Words are found by Unicode category, not by ASCII: a word is a run of letters, digits and
combining marks (so Hebrew with its vowel points and Korean with its particles stay one
word each), joined by an apostrophe or a Hebrew geresh inside it, and a number keeps its
decimal point (`0.9679`); Chinese and Japanese characters, written without spaces, are one
word each; every other mark is a word of its own. `difflib.SequenceMatcher` compares the
two lists of words (standard library).

Two renderings: `excerpt_text` in the `[-old-]{+new+}` notation of wdiff (for `wgreport
diff`), `excerpt_html` with `<del>` and `<ins>` (the review page and the portal), every
piece of the member's text HTML-escaped before it is marked.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markupsafe import Markup

SAME, DELETED, INSERTED = "same", "deleted", "inserted"
#: At most this many words of unchanged text are shown before, after and between changes
#: within a sentence; the rest of a long sentence is cut ("…").
CONTEXT = 12
ELLIPSIS = "…"
SPACE, PARAGRAPH = " ", "\n\n"
# Inside a word when between two word characters: apostrophes and the Hebrew geresh and
# gershayim (צה״ל); after a digit and before one: a decimal or thousands separator.
_JOINERS = {"'", "\u2019", "\u05f3", "\u05f4"}
_NUMBER_JOINERS = {".", ",", "\u066b", "\u066c"}
_WORD_EXTRA = {"_", "\u200c", "\u200d"}  # zero-width (non-)joiners belong to the word
_SENTENCE_END = set(".!?\u2026\u0589\u061f\u06d4\u0964\u3002\uff01\uff1f\uff0e")
_CLOSING = set(")]}\"'\u2019\u201d\u00bb\u300d\u300f\uff09")
_BLOCKS = {"p", "li", "ul", "ol", "br", "div", "blockquote", "pre", "table", "tr", "td", "th",
           "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "figure", "figcaption"}  # fmt: skip


@dataclass(frozen=True)
class Segment:
    kind: str  # SAME, DELETED or INSERTED
    text: str


Excerpt = list[Segment]


def _own_word(ch: str) -> bool:
    """A character written without spaces between words: each is a word of its own."""
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
        or 0x20000 <= code <= 0x3FFFF  # CJK extensions B and after
        or 0x0E00 <= code <= 0x0EFF  # Thai, Lao (no spaces between words either)
    )


def _word_char(ch: str) -> bool:
    return ch in _WORD_EXTRA or unicodedata.category(ch)[0] in "LNM"


def tokens(text: str) -> list[str]:
    """`text` as words, marks and spaces; a run of spaces is one `SPACE`, a blank line
    (between paragraphs) one `PARAGRAPH`, so a rewrapped text has the same tokens."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            j = i
            while j < n and text[j].isspace():
                j += 1
            out.append(PARAGRAPH if text.count("\n", i, j) >= 2 else SPACE)
            i = j
        elif _own_word(ch):
            j = i + 1
            while j < n and unicodedata.category(text[j])[0] == "M":
                j += 1
            out.append(text[i:j])
            i = j
        elif _word_char(ch):
            j = i + 1
            while j < n:
                c = text[j]
                if _own_word(c):
                    break
                if _word_char(c) or (c in _JOINERS and j + 1 < n and _word_char(text[j + 1])):
                    j += 1
                elif c in _JOINERS and c in "\u05f3\u05f4" and "\u0590" <= text[j - 1] <= "\u05ff":
                    j += 1  # a closing geresh: ג׳
                elif (
                    c in _NUMBER_JOINERS
                    and text[j - 1].isdigit()
                    and j + 1 < n
                    and text[j + 1].isdigit()
                ):
                    j += 1
                else:
                    break
            out.append(text[i:j])
            i = j
        else:
            out.append(ch)
            i += 1
    return out


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append(PARAGRAPH)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append(PARAGRAPH)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    """The words of a sanitised HTML fragment (a member's Markdown as the report shows it):
    the tags dropped, entities read (`&lt;` is `<`), each paragraph and list item apart."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts).strip()


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes, with changes only spaces apart made one change:
    `[-a b-]{+c d+}`, not `[-a-]{+c+} [-b-]{+d+}`."""
    codes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    merged: list[tuple[str, int, int, int, int]] = []
    for k, code in enumerate(codes):
        tag, _, i2, _, j2 = code
        after_change = bool(merged) and merged[-1][0] != "equal"
        spaces_between = (
            tag == "equal"
            and k + 1 < len(codes)
            and all(t in (SPACE, PARAGRAPH) for t in a[code[1] : i2])
        )
        if after_change and (tag != "equal" or spaces_between):
            _, p1, _, q1, _ = merged[-1]
            merged[-1] = ("replace", p1, i2, q1, j2)
        else:
            merged.append(code)
    return merged


def _marked(a: list[str], b: list[str]) -> list[tuple[str, str]]:
    """The two token lists as one, each token marked SAME, DELETED or INSERTED; the spaces
    at either end of a change are left out of it (`a {+new+} b`, not `a {+new +}b`)."""
    blank = (SPACE, PARAGRAPH)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in _opcodes(a, b):
        if tag == "equal":
            out += [(SAME, t) for t in b[j1:j2]]
            continue
        old, new = a[i1:i2], b[j1:j2]
        if all(t in blank for t in old + new):  # paragraphs joined or split: no word changed
            out += [(SAME, t) for t in new]
            continue
        lead: list[str] = []
        trail: list[str] = []
        if old and new:  # a replacement: the spaces both sides share at its ends
            while old and new and old[0] == new[0] and old[0] in blank:
                lead.append(new.pop(0))
                old.pop(0)
            while old and new and old[-1] == new[-1] and old[-1] in blank:
                trail.insert(0, new.pop())
                old.pop()
        else:  # an insertion or deletion: its own spaces, one kept if on both ends
            one = old or new
            while one and one[0] in blank:
                lead.append(one.pop(0))
            while one and one[-1] in blank:
                trail.insert(0, one.pop())
            if lead and trail:
                trail = []
        out += [(SAME, t) for t in lead]
        out += [(DELETED, t) for t in old] + [(INSERTED, t) for t in new]
        out += [(SAME, t) for t in trail]
    return out


def _sentences(marked: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """`marked` cut into sentences: after a paragraph break, or after a full stop (and
    any closing quote or bracket) followed by a space or written without spaces (。)."""
    out: list[list[tuple[str, str]]] = [[]]
    for k, (kind, token) in enumerate(marked):
        out[-1].append((kind, token))
        if kind != SAME:
            continue
        if token == PARAGRAPH:
            out.append([])
        elif token == SPACE and k:
            back = k - 1
            while back > 0 and marked[back][0] == SAME and marked[back][1] in _CLOSING:
                back -= 1
            prev_kind, prev = marked[back]
            if prev_kind == SAME and prev in _SENTENCE_END:
                out.append([])
        elif token in ("\u3002", "\uff01", "\uff1f"):  # a full stop without a space after it
            out.append([])
    return [s for s in out if s]


def _words(run: list[tuple[str, str]]) -> int:
    return sum(1 for _, t in run if t not in (SPACE, PARAGRAPH))


def _cut(run: list[tuple[str, str]], keep: int, side: str) -> list[tuple[str, str]]:
    """The `keep` words of an unchanged run nearest a change: its end ("before"), its
    start ("after"), or both ends ("between")."""
    if _words(run) <= (2 * keep if side == "between" else keep):
        return run
    positions = [k for k, (_, t) in enumerate(run) if t not in (SPACE, PARAGRAPH)]
    dots = (SAME, ELLIPSIS)
    if side == "before":
        return [dots, (SAME, SPACE), *run[positions[-keep] :]]
    if side == "after":
        return [*run[: positions[keep - 1] + 1], (SAME, SPACE), dots]
    head = run[: positions[keep - 1] + 1]
    tail = run[positions[-keep] :]
    return [*head, (SAME, SPACE), dots, (SAME, SPACE), *tail]


def _excerpt(sentences: list[list[tuple[str, str]]]) -> Excerpt:
    tokens_ = [pair for sentence in sentences for pair in sentence]
    changed = [k for k, (kind, _) in enumerate(tokens_) if kind != SAME]
    first, last = changed[0], changed[-1]
    pieces = _cut(tokens_[:first], CONTEXT, "before")
    k = first
    while k <= last:  # the changes, and the unchanged runs between them
        j = k
        kind = tokens_[k][0]
        while j <= last and (tokens_[j][0] == SAME) == (kind == SAME):
            j += 1
        run = tokens_[k:j]
        pieces += _cut(run, CONTEXT, "between") if kind == SAME else run
        k = j
    pieces += _cut(tokens_[last + 1 :], CONTEXT, "after")
    segments: list[Segment] = []
    for kind, token in pieces:
        text = SPACE if token in (SPACE, PARAGRAPH) else token
        if segments and segments[-1].kind == kind:
            segments[-1] = Segment(kind, segments[-1].text + text)
        else:
            segments.append(Segment(kind, text))
    if segments and segments[0].kind == SAME:
        segments[0] = Segment(SAME, segments[0].text.lstrip())
    if segments and segments[-1].kind == SAME:
        segments[-1] = Segment(SAME, segments[-1].text.rstrip())
    return [s for s in segments if s.text]


def word_diff(old: str, new: str) -> list[Excerpt]:
    """The sentences of `new` that changed from `old`, the deleted and inserted words
    marked; consecutive changed sentences are one excerpt. Nothing when the words are
    the same."""
    a, b = tokens(old.strip()), tokens(new.strip())
    if [t for t in a if t not in (SPACE, PARAGRAPH)] == [
        t for t in b if t not in (SPACE, PARAGRAPH)
    ]:
        return []  # the same words, rewrapped or in other paragraphs
    sentences = _sentences(_marked(a, b))
    excerpts: list[Excerpt] = []
    group: list[list[tuple[str, str]]] = []
    for sentence in [*sentences, []]:
        if any(kind != SAME for kind, _ in sentence):
            group.append(sentence)
        elif group:
            excerpts.append(_excerpt(group))
            group = []
    return [e for e in excerpts if e]


def excerpt_text(excerpt: Excerpt) -> str:
    """An excerpt in the notation of wdiff: `moved [-several-]{+many+} projects`."""
    return "".join(
        f"[-{s.text}-]" if s.kind == DELETED else f"{{+{s.text}+}}" if s.kind == INSERTED
        else s.text
        for s in excerpt
    )  # fmt: skip


def excerpt_html(excerpt: Excerpt) -> Markup:
    """An excerpt as HTML: each piece of text escaped, then the deleted words put in
    `<del>` and the inserted ones in `<ins>`."""
    from markupsafe import Markup, escape

    tags = {DELETED: "del", INSERTED: "ins"}
    return Markup("").join(
        Markup(f"<{tags[s.kind]}>{escape(s.text)}</{tags[s.kind]}>")
        if s.kind in tags
        else escape(s.text)
        for s in excerpt
    )
