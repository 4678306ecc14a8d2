"""Nothing lost: every initiative title, outcome, indicator value and case-study title of
every valid demo contribution appears in the HTML and in the PDF's extracted text."""

from __future__ import annotations

import html as htmllib
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import DEMO_INPUTS
from wgreport.content.formatting import format_number
from wgreport.content.markdown import render_inline
from wgreport.inputs.edition import load_edition_inputs


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def texts(library_draft: Path) -> tuple[str, str]:
    raw = (library_draft / "report.html").read_text(encoding="utf-8")
    body = raw.split("<body", 1)[1]
    body = re.sub(r"</?(?:em|strong|code|a|span)\b[^>]*>", "", body)  # inline: no word break
    body = re.sub(r"<[^>]+>", " ", body)
    pdf = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(library_draft / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return _norm(htmllib.unescape(body)), _norm(pdf)


def _words(html: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", html))


def _expected_strings() -> list[str]:
    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    catalogue = {i.id: i for i in loaded.working_group.indicators}
    wanted: list[str] = []
    for contribution in loaded.contributions.values():
        for initiative in contribution.initiatives:
            wanted.append(initiative.title)
            # an outcome's Markdown emphasis renders: its words are what the reader sees
            wanted.extend(_words(render_inline(o)) for o in initiative.outcomes)
        for value in contribution.indicators:
            if value.value is not None:
                wanted.append(format_number(value.value, catalogue[value.id].decimals))
            else:
                assert value.reason_missing
                wanted.append(value.reason_missing)
        if contribution.case_study:
            wanted.append(contribution.case_study.title)
    return [_norm(w) for w in wanted]


def test_there_is_plenty_to_check() -> None:
    assert len(_expected_strings()) > 150


@pytest.mark.parametrize("where", ["html", "pdf"])
def test_nothing_is_lost(texts: tuple[str, str], where: str) -> None:
    haystack = texts[0] if where == "html" else texts[1]
    missing = [w for w in _expected_strings() if w not in haystack]
    assert missing == []


def test_missing_values_are_na_never_zero(texts: tuple[str, str]) -> None:
    html, pdf = texts
    # Uruguay is not covered by the 2023 DGI: its cell says n/a and the reason is given.
    assert "Uruguay is not covered" in html and "Uruguay is not covered" in pdf
    assert "n/a" in html and "n/a" in pdf
