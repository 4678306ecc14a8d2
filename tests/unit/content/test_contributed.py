"""Members' own tables and figures are numbered within their chapters, titled, captioned and
listed (contributed.py, numbering.py). Read back from the demo draft's PDF:
tests/e2e/test_contributed_draft.py."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_INPUTS
from wgreport.content.contributed import _spans, caption_tables, member_items
from wgreport.content.markdown import render_markdown

TABLE = "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n"


@pytest.mark.parametrize(
    ("markdown", "title"),
    [
        (f"Intro.\n\nTable: Steps of the *service*\n\n{TABLE}", "Steps of the <em>service</em>"),
        (f"Intro.\n\n{TABLE}\nTable: After the table\n\nMore.", "After the table"),
        (f"**The seven principles**\n\n{TABLE}", "The seven principles"),
        (f"Intro.\n\n{TABLE}", None),
        # a bold paragraph after a table is text, not a title
        (f"{TABLE}\n**Findings.** More text.", None),
    ],
)
def test_a_table_s_title(markdown: str, title: str | None) -> None:
    assert [s.title for s in _spans(render_markdown(markdown))] == [title]


def test_captions_take_the_title_line_out_of_the_text() -> None:
    html = render_markdown(f"Intro.\n\nTable: First\n\n{TABLE}\nText.\n\n{TABLE}\nTable: Second\n")
    out = caption_tables(html, [("tab-kr-x-1", "5.2", "Korea: First"), ("tab-kr-x-2", "5.3", "S")])
    assert "Table: " not in out
    assert '<caption id="tab-kr-x-1-caption">Table 5.2. Korea: First</caption>' in out
    assert '<table class="data contributed" id="tab-kr-x-2">' in out
    assert out.count('<div class="table-scroll"') == 2
    assert "<p>Intro.</p>" in out and "<p>Text.</p>" in out


def test_a_title_line_between_two_tables_titles_the_one_it_precedes() -> None:
    html = render_markdown(f"{TABLE}\nTable: Between\n\n{TABLE}")
    assert [s.title for s in _spans(html)] == [None, "Between"]


def test_a_right_to_left_table_keeps_its_direction() -> None:
    html = render_markdown("| א | ב |\n|---|---|\n| ג | ד |\n")
    out = caption_tables(html, [("tab-il-case-1", "12.2", "Israel: case")])
    assert "Table 12.2. Israel: case</caption>" in out
    assert out.count('<td dir="rtl" lang="he">') == 2


def test_member_items_are_in_the_chapter_s_order() -> None:
    """Korea: the initiative's image (Figure 5.1) comes before the indicator table (5.1),
    and the case study's table after it (5.2)."""
    from wgreport.inputs.edition import load_edition_inputs

    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    kr = member_items("KR", "Korea", loaded.contributions["KR"])
    assert [(i.kind, i.id) for i in kr.items] == [
        ("figure", "fig-kr-one-stop-benefits"),
        ("table", "tab-kr-indicators"),
        ("table", "tab-kr-case-1"),
    ]
    assert kr.items[2].title == "Korea: The five steps of a one-stop benefit notification"
