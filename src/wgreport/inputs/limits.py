"""Bounds on members' content, so that no contribution can exhaust the build.

Markdown fields are bounded in size (characters), table size and nesting depth; images in
pixels as well as bytes (a small PNG can hold a picture of billions of pixels: a
decompression bomb), and SVGs in declared size, element count and depth. Image sizes are
read from the file headers (PNG IHDR, JPEG SOFn, SVG width/height/viewBox); nothing is
decoded.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# The years an edition (and its data) can have: `--year 25` is refused.
YEAR_MIN, YEAR_MAX = 1990, 2100


def year_problem(year: int) -> str | None:
    """Why `year` cannot be an edition's (`--year 25`), or None."""
    if YEAR_MIN <= year <= YEAR_MAX:
        return None
    return f"{year} is not an edition year: write the year in full, e.g. 2025 (from {YEAR_MIN} to {YEAR_MAX})"  # noqa: E501


def check_year_option(value: int | None) -> int | None:
    """A command-line `--year` (typer callback): a usage error for an impossible year."""
    if value is not None and (problem := year_problem(value)) is not None:
        import typer

        raise typer.BadParameter(problem)
    return value


# Free text: characters per field, by the kind of text a field holds (docs/limits.md lists
# every field). Generous for real content (the longest demo title has 62 characters), and
# small enough that one field cannot turn a 60-page report into 700 pages.
NAME_CHARS = 200  # one line: titles, names, organisations, labels, terms, link titles
SENTENCE_CHARS = 500  # a sentence or two: sources, notes, reasons, image alt text, roles
PARAGRAPH_CHARS = 2_000  # one paragraph: definitions, caveats, disclaimers, quotations
COMMENT_CHARS = 20_000  # a reviewer's Markdown: comment, proposed change, response
OUTCOME_CHARS = 200  # an initiative's outcome (code `too-long`, since format v1)
URL_CHARS = 2_048  # a link's address
EMAIL_CHARS = 254  # an e-mail address (RFC 5321)
FILE_NAME_CHARS = 255  # a file the input names: image, foreword, indicators CSV

# Where the text that does not fit belongs, by limit: the second half of a too-long hint.
TEXT_ELSEWHERE = {
    NAME_CHARS: "a title or name is one line; say more in the description or the summary",
    SENTENCE_CHARS: "a sentence or two fit here; longer explanations belong in a Markdown "
    "field (the summary, an initiative's description or the case study)",
    PARAGRAPH_CHARS: "one paragraph fits here; longer material belongs in a document you link to",
    COMMENT_CHARS: "split it into several comments, or refer to a longer document",
    URL_CHARS: "link the page's own, shorter address",
    EMAIL_CHARS: "give a shorter address",
    FILE_NAME_CHARS: "give the file a shorter name",
}


def text_too_long_hint(limit: int, actual: int) -> str:
    """'shorten it to at most N characters; it has M', and where the rest belongs."""
    hint = f"shorten it to at most {limit:,} characters; it has {actual:,}"
    elsewhere = TEXT_ELSEWHERE.get(limit)
    return f"{hint} ({elsewhere})" if elsewhere else hint


# Bidirectional override and isolate controls: invisible, and they reorder the text after
# them, beyond their field, in the HTML and the PDF. Right-to-left text needs none of them;
# the marks U+200E and U+200F (which reorder nothing around them) are allowed.
BIDI_CONTROLS = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
}
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def bidi_control(text: str) -> tuple[int, str] | None:
    """The first bidirectional control in `text`: its index and the character, or None."""
    found = _BIDI.search(text)
    return (found.start(), found[0]) if found else None


# Markdown: characters per field (the word limits allow about a fifth of these).
MARKDOWN_CHARS = {"summary": 5_000, "description": 8_000, "body": 30_000}
MARKDOWN_CHARS_DEFAULT = 8_000
MAX_TABLE_ROWS = 100  # body rows, the header row not counted
MAX_TABLE_COLUMNS = 12
MAX_MARKDOWN_NESTING = 6  # lists and quotations inside each other

# Images
MAX_IMAGE_PIXELS = 16_000_000  # 4,000 × 4,000
MAX_IMAGE_SIDE = 10_000
MAX_SVG_ELEMENTS = 10_000
MAX_SVG_DEPTH = 64


@dataclass(frozen=True)
class MarkdownProblem:
    """A limit a Markdown text exceeds: which, a message, and the text's line it starts on."""

    code: str
    message: str
    hint: str
    line_index: int  # 0-based line inside the text


def markdown_char_limit(field: str) -> int:
    return MARKDOWN_CHARS.get(field, MARKDOWN_CHARS_DEFAULT)


@lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt

    # The report's own settings (see markdown.py), with a nesting allowance above ours so
    # that the parser sees what we bound rather than cutting it off silently.
    md = MarkdownIt("commonmark", {"html": False, "maxNesting": 4 * MAX_MARKDOWN_NESTING + 8})
    md.enable("table")
    return md


_NESTING_OPEN = {"bullet_list_open", "ordered_list_open", "blockquote_open"}
_NESTING_CLOSE = {"bullet_list_close", "ordered_list_close", "blockquote_close"}


def markdown_problems(text: str) -> list[MarkdownProblem]:
    """Tables over their size and lists or quotations nested too deeply (call only on text
    within its character limit)."""
    problems: list[MarkdownProblem] = []
    depth = 0
    deep_reported = False
    rows = columns = 0
    table_line = 0
    for token in _parser().parse(text):
        line = token.map[0] if token.map else 0
        if token.type in _NESTING_OPEN:
            depth += 1
            if depth > MAX_MARKDOWN_NESTING and not deep_reported:
                deep_reported = True
                problems.append(
                    MarkdownProblem(
                        "markdown-too-deep",
                        f"lists and quotations are nested more than {MAX_MARKDOWN_NESTING} "
                        f"levels deep (limit: markdown nesting {MAX_MARKDOWN_NESTING})",
                        "flatten the list: use fewer levels of indentation",
                        line,
                    )
                )
        elif token.type in _NESTING_CLOSE:
            depth -= 1
        elif token.type == "table_open":
            rows = columns = 0
            table_line = line
        elif token.type == "tr_open":
            rows += 1
            cells = 0
        elif token.type in {"th_open", "td_open"}:
            cells += 1
            columns = max(columns, cells)
        elif token.type == "table_close":
            body_rows = max(rows - 1, 0)
            if body_rows > MAX_TABLE_ROWS or columns > MAX_TABLE_COLUMNS:
                problems.append(
                    MarkdownProblem(
                        "markdown-table-too-large",
                        f"a table has {body_rows} row{'' if body_rows == 1 else 's'} and "
                        f"{columns} columns; at most "
                        f"{MAX_TABLE_ROWS} rows and {MAX_TABLE_COLUMNS} columns are allowed "
                        "(limit: markdown table size)",
                        "split the table, or publish the data as a separate file and link it",
                        table_line,
                    )
                )
    return problems


# --- images ------------------------------------------------------------------------------


def raster_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR or a JPEG's SOF marker; None when unreadable."""
    if kind == "PNG":
        # signature (8), length (4), "IHDR" (4), width (4), height (4)
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if kind == "JPEG":
        return _jpeg_size(data)
    return None


# Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) are not frames.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2  # after SOI
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in {0x01, *range(0xD0, 0xD8)}:  # markers without a length
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if length < 2:
            return None
        if marker in _SOF:
            if i + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        if marker == 0xDA:  # start of scan before any frame header
            return None
        i += 2 + length
    return None


_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px|pt|pc|mm|cm|in|em|ex)?\s*")
_UNIT_PX = {None: 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54,
            "in": 96.0, "em": 16.0, "ex": 8.0}  # fmt: skip


def svg_length(value: str | None) -> float | None:
    """An SVG length in CSS pixels; None when absent, relative (%) or unreadable."""
    if value is None:
        return None
    match = _LENGTH.fullmatch(value)
    if match is None:
        return None
    return float(match[1]) * _UNIT_PX[match[2]]


def svg_size(root: Any) -> tuple[float, float] | None:
    """The size an SVG declares: width and height, else its viewBox; None when neither."""
    width = svg_length(root.attrib.get("width"))
    height = svg_length(root.attrib.get("height"))
    box = re.split(r"[\s,]+", root.attrib.get("viewBox", "").strip())
    if len(box) == 4:
        try:
            box_w, box_h = abs(float(box[2])), abs(float(box[3]))
        except ValueError:
            box_w = box_h = None  # type: ignore[assignment]
        if width is None and box_w is not None:
            width = box_w
        if height is None and box_h is not None:
            height = box_h
    if width is None or height is None:
        return None
    return width, height


def pixels_problem(width: float, height: float) -> str | None:
    """Why an image of this size is too large, or None."""
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
        return (
            f"the image is {width:,.0f} × {height:,.0f} pixels; at most {MAX_IMAGE_SIDE:,} "
            f"pixels a side are allowed (limit: image side)"
        )
    if width * height > MAX_IMAGE_PIXELS:
        return (
            f"the image is {width:,.0f} × {height:,.0f} = {width * height:,.0f} pixels; "
            f"at most {MAX_IMAGE_PIXELS:,} are allowed (limit: image pixels)"
        )
    return None


def svg_complexity_problem(root: Any) -> str | None:
    """Why an SVG tree is too large or too deep to lay out, or None."""
    count = 0
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        count += 1
        if count > MAX_SVG_ELEMENTS:
            return f"has more than {MAX_SVG_ELEMENTS:,} elements (limit: SVG elements)"
        if depth > MAX_SVG_DEPTH:
            return f"nests elements more than {MAX_SVG_DEPTH} levels deep (limit: SVG depth)"
        stack.extend((child, depth + 1) for child in element)
    return None
