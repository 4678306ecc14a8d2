"""What an open page needs after a save: only the report's sections that changed, when
nothing else did (issue 41: at 193 members the page is 5 MB, and reloading it took the
browser 1 to 2 s of the save's 3 s).

The report's web page is cut into its outermost sections that have an id (the imprint,
the foreword, each chapter, each annex) and the rest, the frame (the head, the cover,
the contents, the links between them). When the frame of the new page is the frame of
the page shown, but for the build's time (`made_at`, in the draft banner and the page's
metadata), the page can swap the changed sections in place and the time in the banner;
otherwise (a chapter added, removed or renamed, the contents changed, a section's id
changed, more than half the page changed) it reloads the whole page, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: An opening or closing section tag (the report's sections are written by its templates;
#: text that looks like one is escaped, `&lt;section`).
_SECTION = re.compile(r"<(/?)section\b[^>]*>", re.IGNORECASE)
_ID = re.compile(r"""\sid\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
#: Where a section was, in the frame (never in a page: HTML has no NUL).
_MARK = "\x00section {}\x00"
_STAMP = "\x00made at\x00"
#: More than this share of the page changed: the page is loaded again whole.
MOST = 0.5


@dataclass(frozen=True)
class Cut:
    """A page as its frame and its outermost sections with an id, by id (in page order)."""

    frame: str
    sections: dict[str, str]
    size: int


def cut(page: str) -> Cut | None:
    """The page cut into its frame and sections; None when its section tags do not nest
    (or two outermost sections share an id): such a page is only ever loaded whole."""
    sections: dict[str, str] = {}
    pieces: list[str] = []
    depth, last, start, ident = 0, 0, -1, ""
    for tag in _SECTION.finditer(page):
        if not tag.group(1):
            if depth == 0:
                found = _ID.search(tag.group(0))
                start, ident = (tag.start(), found.group(1)) if found else (-1, "")
            depth += 1
            continue
        depth -= 1
        if depth < 0:
            return None
        if depth == 0 and start >= 0:
            if ident in sections:
                return None
            sections[ident] = page[start : tag.end()]
            pieces += [page[last:start], _MARK.format(ident)]
            last, start = tag.end(), -1
    if depth != 0:
        return None
    pieces.append(page[last:])
    return Cut("".join(pieces), sections, len(page))


def changed(shown: Cut, new: Cut, shown_stamp: str, new_stamp: str) -> dict[str, str] | None:
    """The sections of `new` that differ from those of the page shown, by id, when the
    page can be brought up to date by swapping them in (and the build's time); None when
    it must be loaded again whole."""
    if _unstamped(shown.frame, shown_stamp) != _unstamped(new.frame, new_stamp):
        return None
    swapped = {key: html for key, html in new.sections.items() if shown.sections.get(key) != html}
    if sum(map(len, swapped.values())) > MOST * new.size:
        return None
    return swapped


def _unstamped(frame: str, stamp: str) -> str:
    return frame.replace(stamp, _STAMP) if stamp else frame
