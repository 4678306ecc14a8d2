"""The print HTML cut into parts (the front matter, then one part per chapter of
`ctx.chapters`), with slots for the page numbers they print."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, field

from ...errors import RenderError
from ..languages import FOOTERS, PAGE_REFERENCES

_SECTION = re.compile(r'<section class="chapter[^"]*" id="([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')
_HREF = re.compile(r'<a\s([^>]*?)href="#([^"]+)"')
_COVER_TITLE = re.compile(r'class="cover-title"[^>]*>(.*?)</', re.S)
_TAGS = re.compile(r"<[^>]+>")
_XREF = re.compile(r'class="[^"]*\bxref\b')
_XREF_NUMBER = re.compile(r'data-xref="(\d+)"')
_PAGE_OF = re.compile(r'<li data-page-of="#([^"]+)"')
DRAFT_INFO = re.compile(r'<p class="draft-info">[^<]*</p>\n?')
_CREATED = re.compile(r'<meta name="dcterms\.created" content="[^"]*">')


@dataclass(frozen=True)
class Part:
    """One separately laid-out document: the front matter, a chapter or an annex."""

    index: int
    html: str  # without page numbers: `data-page` placeholders are filled in per pass
    owned: frozenset[str]  # the anchor ids defined in this part
    foreign: tuple[str, ...]  # ids this part links to that live in another part
    section: str = ""  # the chapter's id ("" for the front matter)

    @property
    def numbered(self) -> bool:
        """Whether the part prints page numbers of others (contents, cross-references), or
        its own footers (the front matter): it is laid out once the others' lengths are
        known."""
        return self.index == 0 or _NUMBER in self.html


@dataclass
class Layout:
    """What a layout tells of a part: its pages, and the page of each anchor."""

    pages: int
    anchors: dict[str, int]
    #: each numbered cross-reference (paged.number_xrefs) → its target and its page
    xrefs: dict[str, tuple[str, int]] = field(default_factory=dict)


def body_start(html: str) -> int:
    """Where the print HTML's body content starts (just after `<body …>`)."""
    body = html.find("<body")
    if body < 0:
        raise RenderError("the print HTML has no <body>")
    return html.index(">", body) + 1


def split_parts(html: str, chapters: Sequence[str]) -> list[Part]:
    """Cut the print HTML into the front matter and one part per chapter or annex, the
    chapters being `ctx.chapters`' ids in report order: a chapter the HTML does not open
    where the list says is an error, never a silently different cut.

    The parts after the front matter carry neither the draft label nor the build time
    (the stamp adds the label; the metadata comes from the front matter), so that they do
    not change from one draft to the next. Each part ends as the whole document does."""
    opened = {m.group(1): m.start() for m in _SECTION.finditer(html)}
    missing = [c for c in chapters if c not in opened]
    if missing or not chapters:
        raise RenderError(
            f"the print HTML has no chapter {', '.join(missing) or '(none listed)'}: the "
            'templates must render every chapter of ctx.chapters as <section class="chapter">'
        )
    starts = [opened[c] for c in chapters]
    if starts != sorted(starts) or len(opened) != len(chapters):
        raise RenderError("the print HTML's chapters are not those of ctx.chapters, in order")
    end = html.find("</main>")
    body_open = body_start(html)
    cover = html.find('class="cover', body_open)
    if end < starts[-1] or cover < 0:
        raise RenderError("the print HTML does not have the expected cover and main part")
    close = html[end:]  # </main> and whatever the template closes after it
    cover_open = html.rindex("<", body_open, cover)
    head = _CREATED.sub("", html[:body_open])
    prelude = DRAFT_INFO.sub("", html[body_open:cover_open])
    chunks = [html[: starts[0]]]
    chunks += [html[a:b] for a, b in zip(starts, [*starts[1:], end], strict=True)]
    title = _COVER_TITLE.search(html)
    title_text = htmllib.unescape(_TAGS.sub("", title.group(1))).strip() if title else ""
    all_ids = set(_ID.findall(html))
    parts = []
    for index, chunk in enumerate(chunks):
        defined = set(_ID.findall(chunk)) - {"main"}
        # <main id="main"> starts where the first chapter does, as in one pass.
        owned = frozenset(defined | ({"main"} if index == 1 else set()))
        linked = {m.group(2) for m in _HREF.finditer(chunk)}
        # every part has its own <main id="main">: no stand-in for it
        foreign = tuple(sorted((linked & all_ids) - defined - {"main"}))
        standins = "".join(
            f'<span id="{i}" class="part-anchor" style="position: absolute"></span>'
            for i in foreign
        )
        section = ""
        if index == 0:
            doc = chunk + standins + close
        else:
            opening = chunk.index(">") + 1
            section = chapters[index - 1]
            style = f'<style>:root {{ string-set: title "{_css_string(title_text)}"; }}</style>'
            doc = head.replace("</head>", style + "</head>") if "</head>" in head else head
            doc += prelude + '<div class="layout">\n<main id="main">\n'
            doc += chunk[:opening] + standins + chunk[opening:] + close
        parts.append(Part(index, _number_links(doc), owned, foreign, section))
    return parts


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


_NUMBER = "\x00PAGE:"
_HERE = "\x00HERE:"


def _number_links(doc: str) -> str:
    """Give what prints a page number a `data-page` slot, filled in per pass: the
    cross-references (`class="xref"`) and the entries of the contents and of the lists of
    figures and tables (`<li data-page-of="#id">`); and a numbered cross-reference a
    `data-here` slot, filled when it prints on its target's page (paged.mark_same_page)."""

    def slot(m: re.Match[str]) -> str:
        if not _XREF.search(m.group(1)):
            return m.group(0)
        number = _XREF_NUMBER.search(m.group(1))
        here = f"{_HERE}{number.group(1)}\x00" if number else ""
        return f'<a {m.group(1)}data-page="{_NUMBER}{m.group(2)}\x00"{here} href="#{m.group(2)}"'

    def entry(m: re.Match[str]) -> str:
        return f'{m.group(0)} data-page="{_NUMBER}{m.group(1)}\x00"'

    return _PAGE_OF.sub(entry, _HREF.sub(slot, doc))


_SLOT = re.compile("\x00PAGE:([^\x00]*)\x00")
_HERE_SLOT = re.compile("\x00HERE:([^\x00]*)\x00")
# The draft label and build time change with every draft but move nothing: the label is
# position: fixed (on the cover, one short line), the time is metadata; and the render that
# follows checks the placeholder layout anyway. The front matter's layout is cached without
# them, so a new draft of unchanged inputs needs no placeholder layout.
_LABELS = re.compile(
    r'<p class="(?:cover-status[^"]*|imprint-date|draft-info)">[^<]*</p>'
    r'|<meta name="dcterms\.created" content="[^"]*">'
)


def layout_key(html: str) -> str:
    """The HTML without the labels that change per draft but move nothing (_LABELS)."""
    return _LABELS.sub("", html)


def fill_page_numbers(part: Part, pages: Callable[[str], str], here: Set[str] = frozenset()) -> str:
    """The part's HTML with each page-number slot filled by `pages(anchor)`, and the
    cross-references numbered in `here` marked as printed on their target's page."""
    text = _HERE_SLOT.sub(lambda m: ' data-here=""' if m.group(1) in here else "", part.html)
    return _SLOT.sub(lambda m: pages(m.group(1)), text)


_NUMBERS_CSS = (
    'a.xref::after { content: ", page " attr(data-page); }\n'
    ".toc ol > li > a::after, .list-of a.xref::after { content: leader('...'); }\n"
    ".toc ol > li::after, .list-of li::after { content: attr(data-page); }\n"
)


def part_css(index: int, total: str, lang: str = "en") -> str:
    """The front matter prints its own footers (it starts on page 1); the other parts none:
    their footers are stamped once the whole report's pages are known. Their words are the
    page's language `lang` (languages.FOOTERS, PAGE_REFERENCES)."""
    before, between, after = FOOTERS.get(lang, FOOTERS["en"])
    numbers = _NUMBERS_CSS
    if lang in PAGE_REFERENCES and lang != "en":
        ref_before, ref_after = PAGE_REFERENCES[lang]
        numbers = numbers.replace(
            '", page " attr(data-page)', f'"{ref_before}" attr(data-page) "{ref_after}"'
        )
    footer = (
        f'content: "{before}" counter(page) "{between}{total}{after}";'
        if index == 0
        else "content: none;"
    )
    return numbers + f"@page {{ @bottom-right {{ {footer} }} }}\n"
