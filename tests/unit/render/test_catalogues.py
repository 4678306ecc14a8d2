"""The report's message catalogues (issue 42): the extracted template is never stale, every
shipped language translates every message, and the report's chrome comes out in the
language asked for, English being the templates' own text."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DEMO_INPUTS, ROOT
from tests.support import catalogues
from wgreport.errors import UsageError
from wgreport.i18n import catalogue_path, shipped_languages, template_path, translations
from wgreport.render.html import make_environment, render_html


def test_the_template_holds_every_message_the_templates_and_code_mark() -> None:
    assert catalogues.stale_template() == [], "run scripts/catalogues extract"


def test_korean_is_shipped_and_translates_every_message() -> None:
    assert "ko" in shipped_languages()
    assert catalogues.missing_translations("ko") == []


def test_the_check_finds_a_stale_template_and_a_missing_translation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = catalogues.read(template_path())
    template.delete("Contents")
    template.add("A message no template uses any more")
    stale = tmp_path / "messages.pot"
    catalogues.write(stale, template)
    korean = catalogues.read(catalogue_path("ko"), "ko")
    korean["Downloads"].string = ""
    korean["Acknowledgements"].flags.add("fuzzy")
    korean["Figure %(number)s."].string = "그림."  # the placeholder lost
    po = tmp_path / "ko" / "LC_MESSAGES" / "messages.po"
    catalogues.write(po, korean)
    monkeypatch.setattr(catalogues, "template_path", lambda: stale)
    monkeypatch.setattr(catalogues, "catalogue_path", lambda lang: po)

    assert catalogues.stale_template() == [
        "not in the template: 'Contents'",
        "no longer used: 'A message no template uses any more'",
    ]
    found = catalogues.missing_translations("ko")
    assert "ko: not translated: 'Downloads'" in found
    assert "ko: fuzzy: 'Acknowledgements'" in found
    assert any("'Figure %(number)s.'" in line and "placeholder" in line for line in found), found


def test_english_needs_no_catalogue_and_an_unknown_language_is_refused() -> None:
    assert translations("en").gettext("Contents") == "Contents"
    assert translations("ko").gettext("Contents") == "목차"
    with pytest.raises(UsageError, match=r"no catalogue for the language 'xx'.*en, ko"):
        make_environment(ROOT / "templates", "xx")


@functools.lru_cache(maxsize=2)
def _demo_context(lang: str) -> object:
    from wgreport.build.pipeline import make_context
    from wgreport.build.plan import make_build_info
    from wgreport.i18n import language
    from wgreport.inputs.edition import load_edition_inputs

    with language(lang):  # as the build makes each language's context
        return make_context(load_edition_inputs(DEMO_INPUTS, 2024), make_build_info(1))


@pytest.mark.parametrize("for_print", [False, True])
def test_the_korean_report_has_its_chrome_in_korean(for_print: bool) -> None:
    ctx = _demo_context("ko")
    html = render_html(ctx, ROOT / "templates", lang="ko", for_print=for_print)  # type: ignore[arg-type]
    tag = "ko-KR" if for_print else "ko"  # the PDF's /Lang names the region
    assert html.startswith(f'<!DOCTYPE html>\n<html lang="{tag}" dir="ltr">')

    def kept(text: str) -> str:  # the PDF keeps each Korean word whole (keep_korean_words)
        return (
            " ".join(f'<span class="nobr">{w}</span>' for w in text.split()) if for_print else text
        )

    assert f'<h2 id="contents-title" class="no-bookmark">{kept("목차")}</h2>' in html
    assert ">Contents</h2>" not in html
    assert f"<h3>{kept('거버넌스 개요')}</h3>" in html  # a member chapter's heading
    assert f'<th scope="col">{kept("회원국")}</th><th scope="col">' in html  # tables' headers
    assert "Governance profile" not in html
    # the text made in Python: chapter titles, annex labels, the imprint's date
    assert f"<h2>{kept('머리말')}</h2>" in html and ">Foreword</h2>" not in html
    assert f"<h2>{kept('부록')} A. {kept('지표 정의 및 출처')}</h2>" in html
    assert f'<p class="imprint-date">{kept("초안")} 001, {kept("2025년 3월 15일")} ' in html
    if not for_print:  # a finding's sentence, its plural form the language's
        assert "<li>2023년 호 이후 이니셔티브 1건이 중단되었습니다: Federated trusted" in html
    if for_print:  # a table broken across pages says so in Korean on its next page
        assert 'data-continued="표 4.1 (계속)"' in html and "(continued)" not in html
    # what people wrote, without a translation yet, is printed as written and says so
    assert '<div class="md summary" lang="en"><p>In 2024 Korea moved' in html
    assert '<div class="md" lang="en">' in html  # the foreword, the initiatives' descriptions
    english = render_html(_demo_context("en"), ROOT / "templates", for_print=for_print)  # type: ignore[arg-type]
    assert '<html lang="en"' in english and ">Contents</h2>" in english
    assert "<h2>Foreword</h2>" in english
    assert "<li>1 initiative was discontinued since the 2023 edition: Federated" in english
    assert '<div class="md summary"><p>In 2024 Korea moved' in english  # no change of language
    assert ('data-continued="Table 4.1 (continued)"' in english) is for_print


def test_plural_forms_follow_the_language() -> None:
    counts = (
        "{% trans count=n %}{{ count }} comment{% pluralize %}{{ count }} comments{% endtrans %}"
    )
    english = make_environment(ROOT / "templates").from_string(counts)
    assert [english.render(n=n) for n in (1, 5)] == ["1 comment", "5 comments"]
    korean = make_environment(ROOT / "templates", "ko").from_string(counts)
    assert [korean.render(n=n) for n in (1, 5)] == ["의견 1건", "의견 5건"]  # one form


def test_a_report_built_in_several_languages_links_them_and_offers_a_switch() -> None:
    alternates = [("en", "report.html", "English"), ("ko", "report.ko.html", "한국어")]
    korean = render_html(_demo_context("ko"), ROOT / "templates", lang="ko", alternates=alternates)  # type: ignore[arg-type]
    assert '<link rel="alternate" hreflang="en" href="report.html" title="English">' in korean
    assert 'hreflang="ko" href="report.ko.html" title' not in korean  # not itself
    assert (
        '<nav class="language-switch" aria-label="이 보고서의 다른 언어판"><p>'
        '<a href="report.html" hreflang="en" lang="en">English</a> · '
        '<a href="report.ko.html" hreflang="ko" lang="ko" aria-current="page">한국어</a></p></nav>'
    ) in korean
    english = render_html(_demo_context("en"), ROOT / "templates", alternates=alternates)  # type: ignore[arg-type]
    assert '<link rel="alternate" hreflang="ko" href="report.ko.html" title="한국어">' in english
    assert 'aria-current="page">English</a>' in english
    ctx: Any = _demo_context("ko")
    printed = render_html(ctx, ROOT / "templates", lang="ko", for_print=True, alternates=alternates)
    assert "language-switch" not in printed and 'rel="alternate"' not in printed
