"""The Korean edition prints what people wrote in Korean where it is translated (issue 42):
Korea's summary from its translation file, the foreword and key messages from their
`.ko.md` files, the themes' names from the group's file; another member's summary, and a
translation whose English changed since (outdated), print in English marked lang="en"; the
about chapter names the parts left in English. Library-level: a three-member copy of the
demo, the context and the web page in Korean, no Prefect and no PDF."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_inputs

MEMBERS = ("KR", "GB", "EE")


def korean_page(inputs: Path) -> str:
    from wgreport.build.pipeline import make_context
    from wgreport.build.plan import make_build_info
    from wgreport.i18n import language
    from wgreport.inputs.edition import load_edition_inputs
    from wgreport.render.html import render_html

    loaded = load_edition_inputs(inputs, 2024)
    with language("ko"):
        ctx = make_context(loaded, make_build_info(1), lang="ko")
    return render_html(ctx, ROOT / "templates", lang="ko")


def summary_of(page: str, code: str) -> tuple[str, str]:
    """The opening tag and text of a member chapter's summary."""
    found = re.search(
        rf'<section class="chapter member" id="member-{code.lower()}">.*?'
        r'(<div class="md summary"[^>]*>)(.*?)</div>',
        page,
        re.S,
    )
    assert found, code
    return found[1], found[2]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_inputs(tmp_path_factory.mktemp("translated"), MEMBERS)


@pytest.fixture(scope="module")
def page(inputs: Path) -> str:
    return korean_page(inputs)


def test_a_translated_summary_prints_in_korean_unmarked(page: str) -> None:
    tag, text = summary_of(page, "KR")
    assert tag == '<div class="md summary">'  # the page's own language: ko
    assert "디지털플랫폼정부 과제를 시범 단계에서" in text
    assert "moved several Digital Platform Government projects" not in text


def test_an_untranslated_summary_prints_in_english_marked(page: str) -> None:
    tag, text = summary_of(page, "GB")
    assert tag == '<div class="md summary" lang="en">'
    assert re.search(r"[A-Za-z]{4,} [A-Za-z]{4,}", text)


def test_korea_s_initiatives_and_case_study_print_translated(page: str) -> None:
    assert "<h4>공공 급여 원스톱 알림</h4>" in page
    assert "Table: " not in page
    assert "공공 급여 원스톱 알림의 다섯 단계" in page  # the case study's table title
    assert "<li>시범 지역에서 지방정부 급여로 알림 확대</li>" in page


def test_the_editorial_texts_print_translated_with_their_facts(page: str) -> None:
    foreword = re.search(r'id="foreword">.*?<div class="md"([^>]*)>(.*?)</div>', page, re.S)
    assert foreword and foreword[1] == ""
    assert "작업반 의장으로서" in foreword[2]
    key = re.search(r'id="key-messages".*?<div class="md"([^>]*)>(.*?)</div>', page, re.S)
    assert key and key[1] == ""
    assert "{{" not in key[2] and "전자정부발전지수(EGDI) 중앙값은" in key[2]


def test_the_group_s_theme_names_print_translated(page: str) -> None:
    # (the charts and their data tables are drawn once, in English: not this test's)
    chapters = page.split('id="member-kr"', 1)[1].split('id="annex-', 1)[0]
    assert "애자일 거버넌스" in chapters  # an initiative's theme, in every member's chapter
    assert "Agile governance" not in chapters


def test_the_about_chapter_names_the_parts_left_in_english(page: str) -> None:
    line = re.search(r'<p class="original-language">(.*?)</p>', page, re.S)
    assert line, "no original-language line"
    assert "원문(영어)" in line[1]
    names = line[1].split(":", 1)[1]
    assert "United Kingdom" in names and "Estonia" in names
    assert "Korea" not in names


def test_an_outdated_translation_falls_back_to_the_english_marked(
    tmp_path: Path,
) -> None:
    inputs = copy_inputs(tmp_path, MEMBERS)
    contribution = inputs / "2024" / "contributions" / "KR.yaml"
    text = contribution.read_text(encoding="utf-8")
    changed = text.replace("In 2024 Korea moved several", "In 2024 Korea moved many", 1)
    assert changed != text
    contribution.write_text(changed, encoding="utf-8")
    page = korean_page(inputs)
    tag, summary = summary_of(page, "KR")
    assert tag == '<div class="md summary" lang="en">'
    assert "Korea moved many Digital Platform Government projects" in summary
    assert "디지털플랫폼정부 과제를" not in page.split('id="member-kr"', 1)[1].split("<h3>", 1)[0]
    line = re.search(r'<p class="original-language">(.*?)</p>', page, re.S)
    assert line and "Korea" in line[1]  # partly translated: named with "(in part)"


def test_the_english_page_is_unchanged_by_the_translations(inputs: Path) -> None:
    from wgreport.build.pipeline import make_context
    from wgreport.build.plan import make_build_info
    from wgreport.inputs.edition import load_edition_inputs
    from wgreport.render.html import render_html

    loaded = load_edition_inputs(inputs, 2024)
    english = render_html(make_context(loaded, make_build_info(1)), ROOT / "templates")
    assert "디지털플랫폼정부 과제를" not in english
    assert 'lang="en">' not in english.split("<body", 1)[1]
    assert "original-language" not in english


def test_a_hostile_translation_cannot_inject_markup(tmp_path: Path) -> None:
    from wgreport.inputs.translations import digest, load_contribution, source_fields

    inputs = copy_inputs(tmp_path, MEMBERS)
    contribution = load_contribution(inputs / "2024" / "contributions" / "KR.yaml")
    assert contribution is not None
    sources = source_fields(contribution)
    path = inputs / "2024" / "translations" / "ko" / "KR.yaml"
    entries = {
        "initiatives.mobile-id.title": '<script>alert("t")</script>모바일',
        "summary": '요약 <img src=x onerror="alert(1)"> <a href="javascript:alert(2)">링크</a>\n',
    }
    lines = ["schema: wgreport/translation/v1", "language: ko", "member: KR", "year: 2024",
             "texts:"]  # fmt: skip
    for key, text in entries.items():
        lines += [f"  {key}:", f"    source_sha256: {digest(sources[key])}",
                  f"    text: {json.dumps(text, ensure_ascii=False)}"]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = korean_page(inputs)
    chapter = page.split('id="member-kr"', 1)[1].split("</section>", 1)[0]
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;모바일" in chapter
    assert "<script" not in chapter and "<img src=x" not in chapter
    assert '<a href="javascript' not in chapter
    assert "&lt;img src=x onerror" in chapter  # printed as text, as members' Markdown is


def test_a_translation_with_a_direction_override_is_not_printed(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path, MEMBERS)
    path = inputs / "2024" / "translations" / "ko" / "KR.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("공공서비스용 모바일 신분증", "공공\u202e서비스", 1), encoding="utf-8"
    )
    page = korean_page(inputs)
    tag, _ = summary_of(page, "KR")
    assert tag == '<div class="md summary" lang="en">'  # the whole file is left out
    assert "\u202e" not in page
