"""The draft's mark and page footer in the report's language (issue 42): 초안 drawn from the
Korean face's outlines (no glyph missing), "3 / 62쪽" set by the stamp; English unchanged."""

from __future__ import annotations

import warnings

from wgreport.render.pdf import stamp
from wgreport.render.pdf.watermark import MARK, _outline_ops, draft_mark


def test_the_mark_reads_draft_in_the_reports_language() -> None:
    assert draft_mark("en") == MARK == "DRAFT"
    assert draft_mark("ko") == "초안"


def test_the_korean_mark_is_cut_from_the_korean_face() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of each glyph its fonts lack
        ops, width, height = _outline_ops("초안", 110.0)
    assert ops and width > 150 and height > 80  # two full-width syllables


def test_the_stamps_footer_is_the_pages_language() -> None:
    english = stamp.sample_css('<html lang="en" dir="ltr">')
    assert english == stamp.SAMPLE_CSS and '"Page 0123456789 of 0123456789"' in english
    korean = stamp.sample_css('<html lang="ko-KR" dir="ltr">')
    assert '"0123456789 / 0123456789쪽"' in korean


def test_a_parts_words_are_the_pages_language() -> None:
    from wgreport.render.pdf.parts import part_css

    english = part_css(0, "62")
    assert 'content: "Page " counter(page) " of 62";' in english
    assert 'a.xref::after { content: ", page " attr(data-page); }' in english
    korean = part_css(0, "62", "ko")
    assert 'content: "" counter(page) " / 62쪽";' in korean
    assert 'a.xref::after { content: ", " attr(data-page) "쪽"; }' in korean
    assert "content: none;" in part_css(3, "", "ko")  # a chapter's footer is stamped
