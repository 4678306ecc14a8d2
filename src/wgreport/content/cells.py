"""How a table's cells are set: which columns hold numbers (right-aligned, on the decimal
point), and a rank as a reader says it ("3rd of 10"). Used by the templates as filters
(render/html.py); no heavy imports, so that the HTML can be rendered anywhere.

Numbers are aligned on the decimal point by padding: a number with fewer decimals than the
column's most gets figure spaces (U+2007, a digit's width) for the missing digits and a
punctuation space (U+2008, the point's width) for a missing point, so that right-aligned
numbers in tabular figures line up on their points (CSS's `text-align: "."` is in no
engine the report uses)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

FIGURE_SPACE = "\u2007"
POINT_SPACE = "\u2008"

# A number as the report prints it (sign, thousands, decimals), with what may follow it in
# a numeric cell: a data year "(2022)", "of 10" (a rank, a count), "(tied)", a percent sign.
_NUMBER = re.compile(
    r"^(?P<number>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?P<decimals>\.\d+)?)"
    r"(?P<suffix>%|(?:st|nd|rd|th)?(?: of \d+)?(?: \(\d{4}\))?(?: \(tied\))?)$"
)
# Cells of a numeric column that are not numbers: changes of a rank, and no value.
_WORDS = re.compile(r"^(?:up \d+|down \d+|unchanged)$")
_EMPTY = frozenset({"", "n/a", "–", "—", "-", "break", ".."})
_RANK = re.compile(r"^(\d+) of (\d+)( \(tied\))?$")


def _translated() -> tuple[re.Pattern[str] | None, frozenset[str]]:
    """A rank's change and the cells with no value in the report's language (its "up 4",
    "n/a"), when it is not English."""
    from ..i18n import SOURCE_LANGUAGE, current_language, gettext

    if current_language() == SOURCE_LANGUAGE:
        return None, frozenset()
    forms = [gettext("up %(places)s"), gettext("down %(places)s")]
    moves = [re.escape(f).replace(re.escape("%(places)s"), r"\d+") for f in forms]
    words = re.compile("^(?:" + "|".join([*moves, re.escape(gettext("unchanged"))]) + ")$")
    return words, frozenset({gettext("n/a"), gettext("break")})


def is_numeric(cell: str) -> bool:
    """Whether a cell is a number (or a rank's change) as a numeric column holds them."""
    words, _empty = _translated()
    return bool(_NUMBER.match(cell) or _WORDS.match(cell) or (words and words.match(cell)))


def numeric_column(cells: Sequence[str]) -> bool:
    """A column of numbers: at least one, and every other cell empty or "n/a"."""
    texts = [c.strip() for c in cells]
    empty = _EMPTY | _translated()[1]
    return any(is_numeric(c) for c in texts) and all(c in empty or is_numeric(c) for c in texts)


def pad_decimals(cells: Sequence[Any]) -> list[str]:
    """The column's numbers padded to its most decimals (see the module's doc); other cells
    as they are."""
    texts = [str(c) for c in cells]
    matches = [_NUMBER.match(t.strip()) for t in texts]
    most = max((len(m["decimals"] or ".") - 1 for m in matches if m), default=0)
    out = []
    for text, match in zip(texts, matches, strict=True):
        if match is None or most == 0:
            out.append(text)
            continue
        have = len(match["decimals"] or ".") - 1
        pad = FIGURE_SPACE * (most - have) + (POINT_SPACE if have == 0 else "")
        out.append(match["number"] + pad + match["suffix"])
    return out


@dataclass(frozen=True)
class AlignedTable:
    """A table's cells as printed: `numeric[c]` tells whether column c holds numbers."""

    numeric: list[bool]
    rows: list[list[str]]


def aligned(table: Any) -> AlignedTable:
    """A DataTable's rows with its numeric columns found and padded on the decimal point."""
    width = len(table.columns)
    columns = [[row[c] if c < len(row) else "" for row in table.rows] for c in range(width)]
    numeric = [numeric_column(col) for col in columns]
    padded = [
        pad_decimals(col) if num else list(col) for col, num in zip(columns, numeric, strict=True)
    ]
    rows = [[padded[c][r] for c in range(width)] for r in range(len(table.rows))]
    return AlignedTable(numeric, rows)


def ordinal_rank(text: Any) -> str:
    """A rank among members as a reader says it: "3 of 10" → "3rd of 10" (so that a rank
    of a rank indicator, "rank 4 … 3 of 10", does not read as a rank of a rank)."""
    from ..i18n import gettext
    from .formatting import ordinal  # (pandas: imported where a report is rendered)

    match = _RANK.match(str(text))
    if match is None:
        return str(text)
    rank = gettext("%(rank)s of %(total)s") % {"rank": ordinal(int(match[1])), "total": match[2]}
    return rank + (gettext(" (tied)") if match[3] else "")
