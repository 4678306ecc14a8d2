"""Members' Markdown to safe HTML: markdown-it-py renders, nh3 sanitises, Jinja2 marks safe.

Raw HTML in members' text is never rendered (markdown-it escapes it), images are dropped,
links keep only https:, http: and mailto:, and headings are moved down so that a member's
`# Title` cannot break the report's outline. Right-to-left paragraphs get `dir="rtl"`, and
right-to-left runs inside English text are marked too, so Hebrew reads in its own order.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}, "th": {"style"}, "td": {"style"}, "ol": {"start"}}
URL_SCHEMES = {"https", "http", "mailto"}
HEADING_SHIFT = 3  # a member's h1 becomes h4


@lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.add_render_rule("image", _image_as_text)
    return md


def _image_as_text(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """Images come only through `image` fields; an inline one shows as its alt text."""
    from markdown_it.common.utils import escapeHtml

    return f"[image: {escapeHtml(tokens[idx].content)}]"


@lru_cache(maxsize=8192)
def render_markdown(text: str) -> str:
    """Render untrusted Markdown to sanitised HTML (the same text once per process: a live
    preview's rebuild at 193 members renders 1,400 pieces, nearly all unchanged)."""
    import nh3

    md = _parser()
    tokens = md.parse(text)
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            level = int(token.tag[1])
            token.tag = f"h{min(6, level + HEADING_SHIFT)}"
    html: str = md.renderer.render(tokens, md.options, {})
    clean: str = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    ).strip()
    return mark_direction(clean)


DOCUMENT_TAGS = ALLOWED_TAGS | {"h1", "h2", "h3"}


def heading_slug(text: str, seen: dict[str, int]) -> str:
    """A heading's anchor as GitHub makes it (`1. Getting started` → `1-getting-started`),
    `-1`, `-2`… after a repeat, so that a guide's own links (`#1-getting-started`) work."""
    slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
    count = seen.get(slug, 0)
    seen[slug] = count + 1
    return f"{slug}-{count}" if count else slug


def render_document(text: str) -> str:
    """Render one of the project's own documents (a guide) to sanitised HTML: as
    `render_markdown`, but headings keep their level and get GitHub's anchors."""
    import nh3

    md = _parser()
    tokens = md.parse(text)
    seen: dict[str, int] = {}
    for n, token in enumerate(tokens):
        if token.type == "heading_open" and n + 1 < len(tokens):
            words = "".join(
                child.content
                for child in tokens[n + 1].children or []
                if child.type in {"text", "code_inline"}
            )
            token.attrSet("id", heading_slug(words, seen))
    html: str = md.renderer.render(tokens, md.options, {})
    clean: str = nh3.clean(
        html,
        tags=DOCUMENT_TAGS,
        attributes={**ALLOWED_ATTRIBUTES, **{f"h{n}": {"id"} for n in range(1, 7)}},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    ).strip()
    return mark_direction(clean)


INLINE_TAGS = {"strong", "em", "code", "a"}


def render_inline(text: str) -> str:
    """Render one line of untrusted Markdown (an outcome, a caption) to sanitised inline
    HTML: emphasis, code and links, no blocks; right-to-left runs marked."""
    import nh3

    html: str = _parser().renderInline(text)
    clean: str = nh3.clean(
        html,
        tags=INLINE_TAGS,
        attributes={"a": {"href"}},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()
    return wrap_rtl_runs_in(clean)


def wrap_rtl_runs_in(html: str) -> str:
    """`wrap_rtl_runs` on the text between the tags of sanitised inline HTML."""
    parts = _TAG.split(html)
    return "".join(p if p.startswith("<") else wrap_rtl_runs(p) for p in parts)


# Right-to-left text (Hebrew, Arabic and their presentation forms). A run may contain spaces
# and punctuation between RTL letters, but starts and ends with a letter.
_RTL_CHARS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
_RTL_RUN = re.compile(f"[{_RTL_CHARS}]+(?:[\\s\\-'.,:;!?]+[{_RTL_CHARS}]+)*")
_TAG = re.compile(r"(<[^>]+>)")
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z0-9]+)")
_BLOCKS = {"p", "li", "blockquote", "h4", "h5", "h6", "td", "th", "dd", "dt"}


def first_strong_direction(text: str) -> str | None:
    """'rtl' or 'ltr' by the first strongly directional character (the Unicode rule P2)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "ltr"
        if kind in {"R", "AL"}:
            return "rtl"
    return None


def _lang(run: str) -> str:
    letters = [ch for ch in run if not ch.isspace() and ch.isalpha()]
    if all("\u0590" <= ch <= "\u05ff" or "\ufb1d" <= ch <= "\ufb4f" for ch in letters):
        return ' lang="he"'
    if all("\u0600" <= ch <= "\u06ff" for ch in letters):
        return ' lang="ar"'
    return ""


def wrap_rtl_runs(escaped: str) -> str:
    """Mark each right-to-left run inside left-to-right text (already HTML-escaped)."""
    return _RTL_RUN.sub(lambda m: f'<span dir="rtl"{_lang(m[0])}>{m[0]}</span>', escaped)


def mark_direction(html: str) -> str:
    """Give right-to-left blocks `dir="rtl"` and wrap RTL runs inside LTR blocks.

    A block (paragraph, list item, quotation, cell) whose first strong character is
    right-to-left is a right-to-left paragraph; Hebrew quoted inside English text is a
    right-to-left run within it. `html` is the sanitiser's output, so every tag is
    well-formed and text holds no raw `<`.
    """
    parts = _TAG.split(html)
    stack: list[list[Any]] = []  # [index of the opening tag, direction or None]
    for i, part in enumerate(parts):
        if part.startswith("<"):
            match = _TAG_NAME.match(part)
            if match and match[2].lower() in _BLOCKS:
                if match[1]:
                    if stack:
                        stack.pop()
                else:
                    stack.append([i, None])
            continue
        if not part:
            continue
        block = stack[-1] if stack else None
        if block is not None and block[1] is None:
            block[1] = first_strong_direction(part)
            if block[1] == "rtl":
                tag = parts[block[0]]
                parts[block[0]] = f'{tag[:-1]} dir="rtl"{_lang(part)}>'
        if block is None or block[1] != "rtl":
            parts[i] = wrap_rtl_runs(part)
    return "".join(parts)
