"""The print HTML's tables marked for paged layout (templates/paged.css): what a page a
table continues on says, and which tables are never broken. Applied to every print HTML
(`html.render_html(for_print=True)`), so that one pass and a per-chapter layout agree."""

from __future__ import annotations

import re
from collections.abc import Callable

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
