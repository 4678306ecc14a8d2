"""What changed, in words (issue 38): a one-word edit in a member's text shows that word
deleted and its replacement inserted, with its sentence and no more; members' text is
escaped before it is marked; Korean, Hebrew and Japanese are cut into sensible words; an
unchanged or rewrapped text shows nothing. From what two drafts published: the review
page and `wgreport diff` (text and JSON) show it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tests.conftest import ROOT
from tests.support.goldentree import GOLDEN_TREE
from wgreport.cli.main import app
from wgreport.review.draftdiff import changes_lines, compare_drafts, words_lines
from wgreport.review.pages import render_review_page, review_page
from wgreport.review.worddiff import (
    CONTEXT,
    DELETED,
    INSERTED,
    SAME,
    Segment,
    excerpt_html,
    excerpt_text,
    html_text,
    tokens,
    word_diff,
)

SUMMARY = (
    "In 2024 Korea moved several Digital Platform Government projects from pilot to\n"
    "routine operation. The mobile ID for public services was completed and is now\n"
    "accepted by central government services.\n\nKorea continues to chair the group."
)


def test_a_one_word_edit_shows_that_word_in_its_sentence() -> None:
    excerpts = word_diff(SUMMARY, SUMMARY.replace("several", "many"))
    assert excerpts == [
        [
            Segment(SAME, "In 2024 Korea moved "),
            Segment(DELETED, "several"),
            Segment(INSERTED, "many"),
            Segment(SAME, " Digital Platform Government projects from pilot to routine operation."),
        ]
    ]
    assert excerpt_text(excerpts[0]) == (
        "In 2024 Korea moved [-several-]{+many+} Digital Platform Government projects from "
        "pilot to routine operation."
    )
    assert str(excerpt_html(excerpts[0])) == (
        "In 2024 Korea moved <del>several</del><ins>many</ins> Digital Platform Government "
        "projects from pilot to routine operation."
    )


def test_an_added_or_deleted_word_keeps_one_space_each_side() -> None:
    added = word_diff(SUMMARY, SUMMARY.replace("is now", "is also now"))
    assert [excerpt_text(e) for e in added] == [
        "The mobile ID for public services was completed and is {+also+} now accepted by "
        "central government services."
    ]
    removed = word_diff(SUMMARY, SUMMARY.replace("Korea continues", "Korea"))
    assert [excerpt_text(e) for e in removed] == ["Korea [-continues-] to chair the group."]


def test_two_changed_sentences_apart_are_two_excerpts() -> None:
    new = SUMMARY.replace("pilot", "trial").replace("chair", "lead")
    assert [excerpt_text(e) for e in word_diff(SUMMARY, new)] == [
        "In 2024 Korea moved several Digital Platform Government projects from "
        "[-pilot-]{+trial+} to routine operation.",
        "Korea continues to [-chair-]{+lead+} the group.",
    ]


def test_neighbouring_changes_are_one_change() -> None:
    assert [excerpt_text(e) for e in word_diff("a b c d e.", "a x y d e.")] == [
        "a [-b c-]{+x y+} d e."
    ]


def test_a_long_sentence_is_cut_to_the_words_around_the_change() -> None:
    words = [f"w{i}" for i in range(60)]
    old = " ".join(words) + "."
    (excerpt,) = word_diff(old, old.replace("w30", "X"))
    text = excerpt_text(excerpt)
    assert text.startswith("… w18 ") and text.endswith(" w42 …")
    assert text.split().count("w29") == 1 and "w17" not in text.split() and "w43" not in text
    assert len(text.split()) == 2 * CONTEXT + 3  # the words, the change and two "…"


def test_a_members_script_is_escaped_before_it_is_marked() -> None:
    old = "See the register."
    new = 'See the <script>alert("x")</script> register.</del><img src=x onerror=alert(1)>'
    (excerpt,) = word_diff(old, new)
    marked = str(excerpt_html(excerpt))
    assert "<script" not in marked and "<img" not in marked
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in marked
    assert "&lt;/del&gt;&lt;img src=x onerror=alert(1)&gt;" in marked
    assert marked == (
        "See the <ins>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</ins> register."
        "<ins>&lt;/del&gt;&lt;img src=x onerror=alert(1)&gt;</ins>"
    )


def test_html_text_reads_the_report_html_as_words() -> None:
    text = html_text("<p>One &lt;b&gt; <strong>two</strong>.</p>\n<ul>\n<li>three</li></ul>")
    assert tokens(text) == ["One", " ", "<", "b", ">", " ", "two", ".", "\n\n", "three"]
    assert tokens(html_text("<p>a</p><p>b</p>")) == ["a", "\n\n", "b"]


def test_korean_words_keep_their_particles() -> None:
    old = "디지털플랫폼정부위원회가 계획을 발표했다. 두 번째 문장이다."
    new = "디지털플랫폼정부위원회는 계획을 발표했다. 두 번째 문장이다."
    assert tokens(old)[:3] == ["디지털플랫폼정부위원회가", " ", "계획을"]
    assert [excerpt_text(e) for e in word_diff(old, new)] == [
        "[-디지털플랫폼정부위원회가-]{+디지털플랫폼정부위원회는+} 계획을 발표했다."
    ]


def test_hebrew_words_keep_their_points_and_gershayim() -> None:
    pointed = "שָׁלוֹם"  # letters with vowel points (combining marks)
    assert tokens(f"{pointed} צה״ל ג׳ דיגיטלי.") == [
        pointed,
        " ",
        "צה״ל",
        " ",
        "ג׳",
        " ",
        "דיגיטלי",
        ".",
    ]
    old = "ממשל דיגיטלי בישראל הוא נושא חשוב. משפט שני."
    new = "ממשל דיגיטלי במדינת ישראל הוא נושא חשוב. משפט שני."
    assert [excerpt_text(e) for e in word_diff(old, new)] == [
        "ממשל דיגיטלי [-בישראל-]{+במדינת ישראל+} הוא נושא חשוב."
    ]


def test_japanese_characters_are_words_and_its_full_stop_ends_a_sentence() -> None:
    assert tokens("日本語です。") == ["日", "本", "語", "で", "す", "。"]
    assert [excerpt_text(e) for e in word_diff("東京です。大阪です。", "東京です。京都です。")] == [
        "[-大阪-]{+京都+}です。"
    ]


def test_numbers_keep_their_decimal_point() -> None:
    assert tokens("0.9679, 1,234 and 3.") == [
        "0.9679",
        ",",
        " ",
        "1,234",
        " ",
        "and",
        " ",
        "3",
        ".",
    ]
    assert [excerpt_text(e) for e in word_diff("EGDI 0.9679.", "EGDI 0.9680.")] == [
        "EGDI [-0.9679-]{+0.9680+}."
    ]


def test_unchanged_or_rewrapped_text_shows_nothing() -> None:
    assert word_diff(SUMMARY, SUMMARY) == []
    rewrapped = SUMMARY.replace("to\n", "to ").replace("services.", "services.  \n")
    assert word_diff(SUMMARY, rewrapped) == []
    assert word_diff(SUMMARY, SUMMARY.replace("\n\n", " ")) == []  # paragraphs joined
    assert word_diff("", "") == []


# From two published drafts: the golden draft and a copy whose report.json was edited


def _two_drafts(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    """Draft 001 (the golden draft) and 002, where Korea's contribution changed and
    `edit` changed the texts its report.json publishes."""
    year_dir = tmp_path / "outputs" / "2024"
    first, second = year_dir / "drafts" / "001", year_dir / "drafts" / "002"
    shutil.copytree(GOLDEN_TREE / "drafts" / "001", first)
    shutil.copytree(first, second)
    manifest = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    manifest["draft"] = "002"
    kr = next(k for k in manifest["inputs"] if k.endswith("KR.yaml"))
    manifest["inputs"][kr] = "0" * 64
    (second / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    report = json.loads((second / "report.json").read_text(encoding="utf-8"))
    edit(report["members"][0])
    (second / "report.json").write_text(json.dumps(report), encoding="utf-8")
    return year_dir


def _one_word(korea: dict[str, Any]) -> None:
    assert korea["code"] == "KR"
    korea["summary_html"] = korea["summary_html"].replace("moved several", "moved many")
    korea["initiatives"][1]["title"] = "Mobile ID for all public services"


def test_the_diff_of_two_drafts_says_the_words(tmp_path: Path) -> None:
    year_dir = _two_drafts(tmp_path, _one_word)
    changes = compare_drafts(year_dir / "drafts" / "001", year_dir / "drafts" / "002")
    assert changes_lines(changes) == ["KR: contribution changed"]
    assert words_lines(changes) == [
        "KR: summary: In 2024 Korea moved [-several-]{+many+} Digital Platform Government "
        "projects from pilot to routine operation.",
        "KR: initiative mobile-id: title: Mobile ID for {+all+} public services",
    ]
    (korea,) = changes.to_dict()["members"]
    assert korea["text_changes"][1] == {
        "field": "initiative mobile-id: title",
        "excerpts": [
            [
                {"kind": "same", "text": "Mobile ID for "},
                {"kind": "inserted", "text": "all"},
                {"kind": "same", "text": " public services"},
            ]
        ],
    }


def test_an_added_case_study_shows_in_words_and_an_old_draft_without_texts_shows_none(
    tmp_path: Path,
) -> None:
    def study(member: dict[str, Any]) -> None:
        member["case_study"] = {"title": "A new study", "body_html": "<p>It begins.</p>",
                                "image_src": None, "image_alt": None}  # fmt: skip

    year_dir = _two_drafts(tmp_path / "a", lambda m: None)
    assert compare_drafts(year_dir / "drafts" / "001", year_dir / "drafts" / "002").members == []
    gb = _two_drafts(tmp_path / "b", lambda m: None)
    report = json.loads((gb / "drafts" / "002" / "report.json").read_text(encoding="utf-8"))
    study(report["members"][1])  # GB had no case study; its file changed too
    (gb / "drafts" / "002" / "report.json").write_text(json.dumps(report), encoding="utf-8")
    manifest = json.loads((gb / "drafts" / "002" / "manifest.json").read_text(encoding="utf-8"))
    manifest["inputs"][next(k for k in manifest["inputs"] if k.endswith("GB.yaml"))] = "1" * 64
    (gb / "drafts" / "002" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    changes = compare_drafts(gb / "drafts" / "001", gb / "drafts" / "002")
    assert words_lines(changes) == [
        "GB: case study: title: {+A new study+}",
        "GB: case study: text: {+It begins.+}",
    ]
    (gb / "drafts" / "001" / "report.json").unlink()  # a draft that did not publish its texts
    older = compare_drafts(gb / "drafts" / "001", gb / "drafts" / "002")
    assert words_lines(older) == [] and older.contributions_changed == ["GB", "KR"]


def test_wgreport_diff_prints_the_words(tmp_path: Path) -> None:
    year_dir = _two_drafts(tmp_path, _one_word)
    outputs = str(year_dir.parent)
    text = CliRunner().invoke(app, ["diff", "--year", "2024", "1", "2", "--outputs", outputs])
    assert text.exit_code == 0, text.output
    assert text.output.splitlines()[1:] == [
        "  KR: contribution changed",
        "Texts changed, in words ([-deleted-]{+inserted+}):",
        "  KR: summary: In 2024 Korea moved [-several-]{+many+} Digital Platform Government "
        "projects from pilot to routine operation.",
        "  KR: initiative mobile-id: title: Mobile ID for {+all+} public services",
    ]
    data = CliRunner().invoke(
        app, ["diff", "--year", "2024", "1", "2", "--outputs", outputs, "--format", "json"]
    )
    (korea,) = json.loads(data.output)["members"]
    summary = korea["text_changes"][0]
    assert summary["field"] == "summary"
    assert [s for s in summary["excerpts"][0] if s["kind"] != "same"] == [
        {"kind": "deleted", "text": "several"},
        {"kind": "inserted", "text": "many"},
    ]


def test_the_review_page_shows_the_words_escaped(tmp_path: Path) -> None:
    def edit(korea: dict[str, Any]) -> None:
        _one_word(korea)
        korea["governance"]["strategy"] += " <script>alert(1)</script>"

    year_dir = _two_drafts(tmp_path, edit)
    page = render_review_page(review_page(year_dir), ROOT / "templates")
    draft2 = page[page.index('id="draft-002"') : page.index('id="draft-001"')]
    assert "<li>KR: contribution changed</li>" in draft2
    assert (
        '<dd dir="auto">In 2024 Korea moved <del>several</del><ins>many</ins> Digital Platform '
        "Government projects from pilot to routine operation.</dd>"
    ) in draft2
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in draft2
    assert "<script" not in page
    assert '<details class="words" open>\n<summary>KR: 3 changed sentences in 3 fields' in draft2


def test_a_long_change_is_collapsed_on_the_review_page(tmp_path: Path) -> None:
    def rewrite(korea: dict[str, Any]) -> None:
        korea["summary_html"] = "<p>" + " ".join(f"New sentence {i}." for i in range(20)) + "</p>"

    year_dir = _two_drafts(tmp_path, rewrite)
    page = render_review_page(review_page(year_dir), ROOT / "templates")
    assert '<details class="words">\n<summary>KR: 1 changed sentence in 1 field</summary>' in page
    assert "New sentence 19.</ins>" in page  # all of it, not cut
