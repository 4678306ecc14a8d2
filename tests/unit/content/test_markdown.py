from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wgreport.content.markdown import render_markdown


def test_raw_html_is_shown_as_text_never_executed() -> None:
    html = render_markdown("Hello <script>alert(1)</script> <b onclick='x'>bold</b>")
    assert "<script" not in html and "<b" not in html
    assert "&lt;script&gt;" in html


def test_links_keep_only_allowed_schemes() -> None:
    html = render_markdown(
        "[a](https://example.org) [b](javascript:alert(1)) [c](mailto:a@example.org)"
    )
    assert 'href="https://example.org"' in html
    assert 'href="mailto:a@example.org"' in html
    assert "javascript" not in html.split("[b]")[0] or 'href="javascript' not in html


def test_images_become_their_alt_text() -> None:
    assert render_markdown("![a map](map.png)") == "<p>[image: a map]</p>"


def test_headings_move_below_the_report_outline() -> None:
    assert render_markdown("# Title").startswith("<h4>")


def test_tables_are_kept() -> None:
    html = render_markdown("|a|b|\n|-|-|\n|1|2|\n")
    assert "<table>" in html and "<td>1</td>" in html


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_renders_without_active_content(text: str) -> None:
    html = render_markdown(text).lower()
    for bad in ("<script", "<iframe", "<img", "<style", "javascript:", " on"):
        if bad == " on":
            assert "onerror=" not in html and "onclick=" not in html
        else:
            assert bad not in html
