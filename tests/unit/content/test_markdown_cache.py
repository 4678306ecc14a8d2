"""A member's Markdown is rendered once per process (issue 41: the live preview's rebuild at
193 members rendered 1,400 unchanged pieces on every save)."""

from __future__ import annotations

from wgreport.content.markdown import render_markdown


def test_the_same_text_is_rendered_once() -> None:
    text = "A *piece* written once, read on every rebuild: <script>x</script>"
    first = render_markdown(text)
    hits = render_markdown.cache_info().hits
    assert render_markdown(text) is first
    assert render_markdown.cache_info().hits == hits + 1
    assert "<script>" not in first and "<em>piece</em>" in first  # still sanitised
