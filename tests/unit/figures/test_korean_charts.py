"""Charts drawn in the report's language (issue 42): titles, axis labels, legends and notes
through the catalogue, Hangul set in Noto Sans CJK KR (no glyph missing), the members named
by their Korean names; the cache keeps each language's charts apart."""

from __future__ import annotations

import re
import warnings
from typing import Any

import pandas as pd

from tests.conftest import DEMO_INPUTS
from wgreport.content.countries import localised_group
from wgreport.figures import practicecharts
from wgreport.figures.drawing import charts_digest
from wgreport.i18n import language
from wgreport.inputs.edition import load_edition_inputs

_TEXT = re.compile(r"<text\b[^>]*>([^<]*)</text>|<!-- (.*?) -->")


def _initiatives() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "member": ["KR", "KR", "GB", "EE"],
            "status": ["completed", "in-progress", "planned", "in-progress"],
        }
    )


def test_a_chart_drawn_in_korean_has_its_text_in_korean_and_no_missing_glyph() -> None:
    wg = load_edition_inputs(DEMO_INPUTS, 2024).working_group
    with language("ko"), warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns of each glyph its fonts lack
        chart = practicecharts.status_charts(_initiatives(), localised_group(wg))[0]
    assert chart.title == "상태별·회원국별 이니셔티브"
    assert chart.columns[:3] == ["회원국", "계획", "진행 중"]
    assert chart.alt.startswith("이니셔티브 4건 중")
    texts = " ".join(a or b for a, b in _TEXT.findall(chart.svg))
    for word in ("이니셔티브", "대한민국", "영국", "완료"):  # axis, members, legend
        assert word in texts, word
    assert "Initiatives" not in texts and "Korea" not in texts


def test_the_english_chart_keeps_its_words() -> None:
    wg = load_edition_inputs(DEMO_INPUTS, 2024).working_group
    chart = practicecharts.status_charts(_initiatives(), wg)[0]
    assert chart.title == "Initiatives by status and member"
    assert (
        chart.alt
        == "Of 4 initiatives, 1 is planned, 2 are in progress, 1 is completed, 0 are discontinued."
    )


def test_the_chart_cache_key_holds_the_language() -> None:
    from wgreport.content.aggregate import Frames

    wg = load_edition_inputs(DEMO_INPUTS, 2024).working_group
    empty = pd.DataFrame()
    tables: dict[str, Any] = {name: empty for name in Frames.__dataclass_fields__}
    frames = Frames(**tables)
    english = charts_digest(frames, wg, False)
    with language("ko"):
        korean = charts_digest(frames, wg, False)
    assert english != korean
