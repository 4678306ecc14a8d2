"""The print HTML's tables marked for paged layout (templates/paged.css): what a page a
table continues on says, and which tables are never broken. Applied to every print HTML
(`html.render_html(for_print=True)`), so that one pass and a per-chapter layout agree."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Set

_TABLE = re.compile(
    r'<table class="data(?P<classes>[^"]*)"(?P<rest>[^>]*)>(?P<body>.*?)</table>', re.S
)
_NUMBER = r"(?P<number>[A-Z0-9]+(?:\.\d+)*)"
_BODY_ROW = re.compile(r"<tr[\s>]")
#: A table of at most this many body rows is kept on one page (moved whole to the next
#: page rather than broken); a longer one breaks, its header repeated under "Table N
#: (continued)" (paged.css).
KEEP_ROWS = 15


def print_tables(html: str, gettext: Callable[[str], str] = str) -> str:
    """The print HTML's data tables marked for paged layout: each header's first row
    carries the line a continued page shows (`data-continued="Table N (continued)"`, set in
    the page head by paged.css), and a short table the class `keep` (never broken). The
    captions and the line are in the language of `gettext` (the page's)."""
    label = re.escape(gettext("Table %(number)s.")).replace(re.escape("%(number)s"), _NUMBER)
    caption_at = re.compile(f"<caption(?P<attrs>[^>]*)>{label}")
    continued = gettext("Table %(number)s (continued)")

    def mark(m: re.Match[str]) -> str:
        body = m["body"]
        caption = caption_at.search(body)
        head = body.find("<thead")
        row = body.find("<tr", head) if head >= 0 else -1
        if caption is not None and row >= 0:
            line = f' data-continued="{continued % {"number": caption["number"]}}"'
            body = body[: row + 3] + line + body[row + 3 :]
        tbody = body.find("<tbody")
        rows = len(_BODY_ROW.findall(body, tbody)) if tbody >= 0 else KEEP_ROWS + 1
        classes = m["classes"] + (" keep" if rows <= KEEP_ROWS else "")
        return f'<table class="data{classes}"{m["rest"]}>{body}</table>'

    return _TABLE.sub(mark, html)


# --- cross-references on their target's page ----------------------------------------------

_XREF_OPEN = re.compile(r'<a\s(?=[^>]*\bclass="[^"]*\bxref\b)(?=[^>]*\bhref="#)')
_XREF_NUMBER = re.compile(r'data-xref="(\d+)"')


def number_xrefs(html: str) -> str:
    """Each cross-reference (`<a class="xref" href="#id">`) numbered in document order
    (`data-xref="N"`), so that a layout can say on which page each one printed and the
    ones on their target's own page be marked (`mark_same_page`)."""
    count = iter(range(1, 1 << 31))
    return _XREF_OPEN.sub(lambda _m: f'<a data-xref="{next(count)}" ', html)


def mark_same_page(html: str, numbers: Set[str]) -> str:
    """The cross-references `numbers` marked `data-here`: they print on their target's own
    page, so paged.css drops their ", page N" ("Table 2.1" on page 11, not "Table 2.1, page
    11")."""
    if not numbers:
        return html

    def mark(m: re.Match[str]) -> str:
        return m.group(0) + ' data-here=""' if m.group(1) in numbers else m.group(0)

    return _XREF_NUMBER.sub(mark, html)


def same_page(xrefs: Mapping[str, tuple[str, int]], anchors: Mapping[str, int]) -> frozenset[str]:
    """The cross-references (number → (target id, page printed on)) whose target's page
    (`anchors`: id → page) is the page they print on."""
    return frozenset(
        number for number, (target, page) in xrefs.items() if anchors.get(target) == page
    )
