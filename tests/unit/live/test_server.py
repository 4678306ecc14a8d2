"""The live preview's server (issue 41): the report's page with the script and the
problems put in (the report's own policy widened only to its own script and events), the
server-sent events that make the page reload, and the files it serves."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path

with warnings.catch_warnings():
    # Starlette asks for httpx2 for its test client; httpx (in the lock) still works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import SMALL, copy_inputs, library_settings
from wgreport.live.problems import problems_html
from wgreport.live.rebuild import Built, LiveBuilder, Problem
from wgreport.live.server import LiveSession, make_app

BROKEN = Problem(
    "inputs/2024/contributions/KR.yaml", "error", "wrong-type",
    "'year' should be a whole number, not the text 'twenty'", 4, 7, "year",
    "write the year as digits, e.g. 2024",
)  # fmt: skip


def _session(tmp_path: Path) -> LiveSession:
    inputs = copy_inputs(tmp_path, members=SMALL)
    settings = library_settings(inputs, tmp_path / "outputs")
    session = LiveSession(LiveBuilder(settings, 2024), say=lambda _line: None)
    session.first_build()
    return session


def _built(number: int, problems: tuple[Problem, ...] = (), failure: str | None = None) -> Built:
    return Built(number, "<html><body><p>The report</p></body></html>", problems, 0.1,
                 "2025-03-15T09:00:00Z", failure)  # fmt: skip


def test_the_page_is_the_report_with_the_live_script_and_its_policy(tmp_path: Path) -> None:
    session = _session(tmp_path)
    page = TestClient(make_app(session)).get("/")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    assert session.built is not None and session.built.html is not None
    body = session.built.html[
        session.built.html.index("<body") : session.built.html.rindex("</body>")
    ]
    assert body in text  # the report itself, unchanged
    assert '<script src="/_live/live.js"></script></body>' in text
    assert 'data-build="1"' in text
    assert "script-src 'self'; connect-src 'self'" in text
    assert text.count("Content-Security-Policy") == 1  # the report's policy replaced, not added
    assert 'role="alert"' not in text  # no errors: nothing over the report


def test_the_problems_are_shown_over_the_report_at_their_line_with_what_to_do() -> None:
    shown = problems_html(_built(2, (BROKEN,)))
    assert 'role="alert"' in shown and "1 error in the saved files" in shown
    assert "<code>inputs/2024/contributions/KR.yaml:4:7</code>" in shown
    assert "What to do: write the year as digits, e.g. 2024" in shown
    assert problems_html(_built(3)) == ""  # fixed: gone
    failed = problems_html(_built(4, failure="the report could not be made in report.html.j2"))
    assert "the last one that could be made" in failed and "report.html.j2" in failed


def test_the_events_say_hello_then_each_build_and_end_on_shutdown(tmp_path: Path) -> None:
    session = _session(tmp_path)

    async def listen() -> list[str]:
        stream = session.stream()
        heard = [await anext(stream)]
        session.broadcast("build", "2")
        heard.append(await anext(stream))
        session.close_streams()
        heard += [m async for m in stream]
        return heard

    heard = asyncio.run(listen())
    assert heard == ["retry: 1000\nevent: hello\ndata: 1\n\n", "event: build\ndata: 2\n\n"]
    assert session._streams == set()


def test_the_script_reloads_on_a_newer_build_and_never_polls(tmp_path: Path) -> None:
    client = TestClient(make_app(_session(tmp_path)))
    script = client.get("/_live/live.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert 'new EventSource("/_live/events")' in script.text and "location.reload()" in script.text
    assert "setInterval" not in script.text and "setTimeout" not in script.text
    # the reader's place is kept by the element at the top of the window, not a scroll
    # offset: chapters off screen are not laid out (content-visibility), so sizes are guesses
    assert 'sessionStorage.setItem("wg-live-place"' in script.text
    assert "scrollIntoView" in script.text
    assert "content-visibility:auto" in client.get("/").text


def test_files_not_made_yet_or_outside_the_preview_are_refused(tmp_path: Path) -> None:
    client = TestClient(make_app(_session(tmp_path)))
    missing = client.get("/preview.pdf")
    assert missing.status_code == 404 and "laid out after each build" in missing.text
    assert client.get("/_live/chapters/..%2Freport.pdf").status_code == 404
    assert client.get("/_live/pages/member-kr-1.png").status_code == 404
    status = client.get("/_live/status").json()
    assert status["build"] == 1 and status["errors"] == 0 and status["pdf"] is None


def test_the_changed_chapters_pages_are_shown_before_the_whole_pdf(tmp_path: Path) -> None:
    from wgreport.live.pdfjob import ChapterPages, PdfDone

    session = _session(tmp_path)
    files = session.builder.files
    pages = (files.page_image("member-kr", 1), files.page_image("member-kr", 2))
    chapter = ChapterPages("member-kr", "5. Republic of Korea", files.chapter_pdf("member-kr"),
                           pages)  # fmt: skip
    session.pdf_wanted = 2
    session._after_pdf(PdfDone(2, None, 0, (chapter,), ("member-kr",), 1.0, 1.0, complete=False))
    shown = session.pdf_html()
    assert "being laid out" in shown and "The preview PDF" not in shown
    assert 'src="/_live/pages/member-kr-1.png"' in shown and "member-kr-2.png" in shown
    assert "Changed: 5. Republic of Korea" in shown
    session._after_pdf(PdfDone(2, files.report_pdf, 12, (chapter,), ("member-kr",), 1.0, 3.0))
    shown = session.pdf_html()
    assert "being laid out" not in shown and '<a href="/preview.pdf">The preview PDF</a>' in shown
    assert session.status()["pdf"]["images"] == {
        "member-kr": ["member-kr-1.png", "member-kr-2.png"]
    }
