"""Members' Markdown to safe HTML: markdown-it-py renders, nh3 sanitises, Jinja2 marks safe.

Raw HTML in members' text is never rendered (markdown-it escapes it), images are dropped,
links keep only https:, http: and mailto:, and headings are moved down so that a member's
`# Title` cannot break the report's outline.
"""

from __future__ import annotations

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


def render_markdown(text: str) -> str:
    """Render untrusted Markdown to sanitised HTML."""
    import nh3

    md = _parser()
    tokens = md.parse(text)
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            level = int(token.tag[1])
            token.tag = f"h{min(6, level + HEADING_SHIFT)}"
    html: str = md.renderer.render(tokens, md.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    ).strip()
