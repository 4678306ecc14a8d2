"""The live preview's own words in the preview's language (issue 42): `wgreport preview
--lang ko` shows its panel (the problems, 오류 or 경고, the place as 행 and 열, the code's
meaning, what to do, the build, the PDF) and its pages in Korean, the validator's English
message and hint beside, marked `lang="en"`; the English preview is as it was, byte for
byte."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette asks for httpx2; httpx still works
    from starlette.testclient import TestClient

from tests.conftest import copy_inputs, library_settings
from wgreport import i18n
from wgreport.layout import Inputs
from wgreport.live.pdfjob import ChapterPages, PdfDone
from wgreport.live.problems import problems_html
from wgreport.live.rebuild import Built, LiveBuilder, Problem
from wgreport.live.server import STYLE, LiveSession, make_app

BROKEN = Problem(
    "inputs/2024/contributions/KR.yaml", "error", "wrong-type",
    "'year' should be a whole number, not the text 'twenty'", 4, 7, "year",
    "write the year as digits, e.g. 2024",
)  # fmt: skip
LATE = Problem(
    "inputs/2024/contributions/GB.yaml", "warning", "late-submission",
    "submitted 2025-03-02, after the deadline 2025-02-28", 5, None, "submitted",
    "the report will flag this contribution as late",
)  # fmt: skip
DONE = PdfDone(3, Path("/x/report.pdf"), 12,
               (ChapterPages("kr", "Korea", Path("/x/kr.pdf"), (Path("/x/kr-1.png"),)),),
               ("kr",), 0.5, 2.25)  # fmt: skip
MADE_AT = "2025-03-15T09:00:00Z"


def _session(tmp_path: Path, lang: str, built: Built, done: PdfDone | None = None) -> LiveSession:
    """A session showing `built` (no build run: the panel is made from it alone)."""
    settings = library_settings(tmp_path / "inputs", tmp_path / "out")
    session = LiveSession(LiveBuilder(settings, 2024, lang), say=lambda _line: None)
    session.built, session.pdf, session.whole, session.pdf_wanted = built, done, done, 3
    return session


# --- Korean --------------------------------------------------------------------------------


def test_a_korean_preview_of_a_broken_contribution_words_the_problem_in_korean(
    tmp_path: Path,
) -> None:
    inputs = copy_inputs(tmp_path, ("KR", "GB"))
    settings = library_settings(inputs, tmp_path / "out")
    kr = Inputs(inputs).edition(2024).contribution("KR")
    text = kr.read_text(encoding="utf-8")
    kr.write_text(text.replace("\nyear: 2024\n", "\nyear: 2024\nyaer: 2024\n", 1), "utf-8")
    session = LiveSession(LiveBuilder(settings, 2024, "ko"), pdf=False, say=lambda _l: None)
    built = session.first_build()
    assert [p.code for p in built.problems] == ["unknown-key"], built.problems
    page = session.page()
    panel = page[page.index('<div id="wg-live"') :]
    assert "저장된 파일에 오류 1건" in panel and 'aria-label="문제"' in panel
    assert "<code>inputs/2024/contributions/KR.yaml</code>, 5행 1열: 오류 unknown-key:" in panel
    # the code's meaning and the message worded in Korean, the validator's English beside
    assert (
        '<span class="wg-live-meaning">형식에 없는 키입니다(철자 오류인 경우가 많습니다).' in panel
    )
    assert "&#x27;yaer&#x27;은(는) 이 자리에 있는 필드가 아닙니다" in panel
    assert '<span lang="en">&#x27;yaer&#x27; is not a field here</span>' in panel
    assert "조치 방법: &#x27;year&#x27;을(를) 뜻하셨습니까?<br>" in panel
    assert '<span lang="en">did you mean &#x27;year&#x27;?</span>' in panel
    assert "실시간 미리보기, 빌드 1" in panel and "PDF: 만들지 않음(--no-pdf)." in panel
    for english in ("What to do", "error in the saved files", "Live preview", "PDF: not made"):
        assert english not in panel
    # the validator's own words are untouched: the terminal and the status stay English
    assert built.problems[0].message == "'yaer' is not a field here"


def test_the_korean_panel_words_its_build_warnings_and_pdf(tmp_path: Path) -> None:
    warned = _session(tmp_path, "ko", Built(3, None, (LATE,), 0.25, MADE_AT, None), DONE)
    panel = warned.panel_box()
    assert "<summary>경고 1건</summary>" in panel
    assert "<code>inputs/2024/contributions/GB.yaml</code>, 5행:" in panel
    assert "제출일이 이번 호의 마감일보다 늦습니다." in panel  # the code's meaning
    assert "제출일 2025-03-02이(가) 마감일 2025-02-28보다 늦습니다" in panel
    assert '<span lang="en">submitted 2025-03-02, after the deadline 2025-02-28</span>' in panel
    assert '<a href="/preview.pdf">미리보기 PDF</a>(12쪽, 빌드 3, 2.2초)' in panel
    assert '변경됨: Korea(<a href="/_live/chapters/kr.pdf">PDF</a>, 1쪽)' in panel
    assert 'alt="Korea, 1쪽"' in panel
    # a build that failed: the sentence in Korean, the build's own English marked
    failed = Built(4, None, (), 0.1, MADE_AT, "the report could not be made in x.j2")
    with i18n.language("ko"):
        over = problems_html(failed)
    assert "보고서를 만들 수 없습니다. 아래 페이지는 마지막으로" in over
    assert '<span lang="en">the report could not be made in x.j2</span>' in over


def test_the_korean_preview_pages_and_refusals_are_in_korean(tmp_path: Path) -> None:
    session = _session(tmp_path, "ko", Built(1, None, (BROKEN,), 0.1, MADE_AT, "broken"))
    client = TestClient(make_app(session))
    page = client.get("/").text
    assert '<html lang="ko">' in page and "<h1>아직 보고서가 없습니다</h1>" in page
    assert "<title>실시간 미리보기</title>" in page
    assert (
        client.get("/preview.pdf").text
        == "아직 만들어지지 않았습니다. PDF는 빌드할 때마다 조판됩니다."
    )
    assert client.get("/_live/chapters/Bad_Name.pdf").text == "해당 장이 없습니다."
    assert "PDF: 조판 중…" in client.get("/_live/pdf").text


# --- English: as it was ----------------------------------------------------------------------

ENGLISH_ERRORS = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Live preview</title>'
    "</head><body><main><h1>No report yet</h1><p>The report could not be made from the inputs: "
    'see the problems above.</p></main><div id="wg-live" data-build="3">STYLE<section '
    'class="wg-live-problems" role="alert" aria-label="Problems"><h2>1 error in the saved files: '
    "fix and save again (until then the report below leaves out what is not valid)</h2><ul><li "
    'class="wg-live-problem" data-severity="error"><code>inputs/2024/contributions/KR.yaml:4:7'
    "</code>: error wrong-type: &#x27;year&#x27; should be a whole number, not the text "
    '&#x27;twenty&#x27; [year]<br><span class="wg-live-hint">What to do: write the year as '
    'digits, e.g. 2024</span></li><li class="wg-live-problem" data-severity="warning"><code>'
    "inputs/2024/contributions/GB.yaml:5</code>: warning late-submission: submitted 2025-03-02, "
    'after the deadline 2025-02-28 [submitted]<br><span class="wg-live-hint">What to do: the '
    "report will flag this contribution as late</span></li></ul></section><aside "
    'class="wg-live-bar" aria-label="Live preview">Live preview, build 3 (2025-03-15T09:00:00Z, '
    '0.2 s)<div class="wg-live-pdf">PDF: being laid out…</div></aside></div><script '
    'src="/_live/live.js"></script></body></html>'
)
ENGLISH_WARNINGS = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Live preview</title>'
    "</head><body><main><h1>No report yet</h1><p>The report could not be made from the inputs: "
    'see the problems above.</p></main><div id="wg-live" data-build="3">STYLE<aside '
    'class="wg-live-bar" aria-label="Live preview">Live preview, build 3 (2025-03-15T09:00:00Z, '
    "0.2 s)<details><summary>1 warning(s)</summary><ul><li><code>"
    "inputs/2024/contributions/GB.yaml:5</code>: submitted 2025-03-02, after the deadline "
    '2025-02-28</li></ul></details><div class="wg-live-pdf"><a href="/preview.pdf">The preview '
    'PDF</a> (12 pages, build 3, 2.2 s)<br><details class="wg-live-chapter"><summary>Changed: '
    'Korea (<a href="/_live/chapters/kr.pdf">PDF</a>, 1 pages)</summary><a '
    'href="/_live/pages/kr-1.png"><img alt="Korea, page 1" src="/_live/pages/kr-1.png" '
    'loading="lazy"></a></details></div></aside></div><script src="/_live/live.js"></script>'
    "</body></html>"
)


@pytest.mark.parametrize(
    ("problems", "done", "expected"),
    [((BROKEN, LATE), None, ENGLISH_ERRORS), ((LATE,), DONE, ENGLISH_WARNINGS)],
    ids=["errors", "warnings-and-pdf"],
)
def test_the_english_preview_is_as_it_was(
    tmp_path: Path, problems: tuple[Problem, ...], done: PdfDone | None, expected: str
) -> None:
    """The page the preview served before issue 42's words, byte for byte."""
    session = _session(tmp_path, "en", Built(3, None, problems, 0.25, MADE_AT, None), done)
    assert session.page() == expected.replace("STYLE", STYLE)
