"""The live preview sends an open page only the sections a save changed (issue 41: the
193-member page is 5 MB, and reloading it was a third of the save's time), and the whole
page again when more than sections changed."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

from tests.conftest import ROOT, SMALL, copy_inputs
from wgreport.layout import Inputs
from wgreport.live import patch
from wgreport.live.rebuild import LiveBuilder
from wgreport.live.server import SCRIPT, LiveSession
from wgreport.runtime.settings import Settings

PAGE = (
    '<html><head><meta name="dcterms.created" content="T1"></head><body>'
    '<p>Preview · built T1</p><nav><a href="#a">A</a></nav><main>'
    '<section class="chapter" id="a"><h2>A</h2><section id="a-1">one</section></section>'
    '<section class="chapter" id="b"><h2>B</h2><p>two</p></section>'
    "<section><p>no id</p></section></main></body></html>"
)


def _session(tmp_path: Path, root: Path = ROOT) -> LiveSession:
    inputs = copy_inputs(tmp_path, members=SMALL)
    settings = Settings(root=root, inputs_dir=inputs, outputs_dir=tmp_path / "outputs")
    session = LiveSession(LiveBuilder(settings, 2024), say=lambda _line: None)
    session.first_build()
    return session


def _heard(session: LiveSession, changed: list[Path]) -> tuple[str, str]:
    """The event the open pages hear after `changed` were saved: its name and data."""

    async def listen() -> str:
        stream = session.stream()
        await anext(stream)  # hello
        await session.rebuild(changed)
        message = await anext(stream)
        session.close_streams()
        return message

    message = asyncio.run(listen())
    event, data = message.split("\n", 2)[:2]
    return event.removeprefix("event: "), data.removeprefix("data: ")


def test_a_page_is_cut_into_its_outermost_sections_with_an_id() -> None:
    found = patch.cut(PAGE)
    assert found is not None
    assert list(found.sections) == ["a", "b"]  # the nested a-1 inside a; no id: frame
    assert found.sections["a"].endswith('<section id="a-1">one</section></section>')
    assert "<p>no id</p>" in found.frame and "<h2>B</h2>" not in found.frame
    assert patch.cut(PAGE.replace("</main>", "</section></main>")) is None  # do not nest
    assert patch.cut(PAGE.replace('id="b"', 'id="a"')) is None  # two sections, one id


def test_only_changed_sections_are_sent_and_the_build_time_is_not_a_change() -> None:
    shown = patch.cut(PAGE)
    new = patch.cut(PAGE.replace("T1", "T2").replace("<p>two</p>", "<p>two, now</p>"))
    assert shown is not None and new is not None
    swapped = patch.changed(shown, new, "T1", "T2")
    assert swapped == {"b": '<section class="chapter" id="b"><h2>B</h2><p>two, now</p></section>'}
    assert patch.changed(shown, shown, "T1", "T1") == {}
    # the frame changed (the contents, a section more, the sections' order): whole page
    for other in (
        PAGE.replace('href="#a">A', 'href="#a">A, renamed'),
        PAGE.replace("</main>", '<section id="c">three</section></main>'),
        PAGE.replace("no id", "no id, changed"),
    ):
        new = patch.cut(other)
        assert new is not None and patch.changed(shown, new, "T1", "T1") is None, other


def test_more_than_half_the_page_changed_is_loaded_whole() -> None:
    long = PAGE.replace("<p>two</p>", "<p>" + "two " * 500 + "</p>")
    shown, new = patch.cut(long), patch.cut(long.replace("two ", "deux "))
    assert shown is not None and new is not None
    assert patch.changed(shown, new, "T1", "T1") is None


def test_a_foreword_save_sends_the_open_pages_only_the_foreword(tmp_path: Path) -> None:
    session = _session(tmp_path)
    foreword = Inputs(session.builder.settings.inputs_dir).edition(2024).foreword
    # the Korean foreword says which English it translates: a changed English marks it
    # outdated, a warning the status annex lists; this copy has no translation to outdate
    foreword.with_name("foreword.ko.md").unlink()
    with foreword.open("a", encoding="utf-8") as out:
        out.write("\nA sentence written while the page was open.\n")
    event, data = _heard(session, [foreword])
    assert event == "patch", (event, data[:200])
    news = json.loads(data)
    assert (news["from"], news["build"]) == (1, 2)
    assert list(news["sections"]) == ["foreword"]
    assert "A sentence written while the page was open." in news["sections"]["foreword"]
    assert news["sections"]["foreword"].startswith('<section class="chapter" id="foreword"')
    built = session.built
    assert built is not None and news["stamp"][1] == built.made_at  # (the tests' clock is fixed)
    assert news["panel"].startswith('<div id="wg-live" data-build="2"')
    assert "<script" not in news["panel"]
    assert len(data) < len(built.html or "") / 5  # a part of the page, not the page


def test_a_contribution_left_out_reloads_the_page(tmp_path: Path) -> None:
    session = _session(tmp_path)
    kr = Inputs(session.builder.settings.inputs_dir).edition(2024).contribution("KR")
    kr.write_text(kr.read_text("utf-8").replace("\nyear: 2024\n", "\nyear: twenty\n", 1), "utf-8")
    assert _heard(session, [kr]) == ("build", "2")  # its chapter gone from the contents


def test_a_failed_build_sends_only_the_panel_with_the_failure(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "templates", root / "templates")
    session = _session(tmp_path, root)
    report = root / "templates" / "report.html.j2"
    report.write_text(report.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    event, data = _heard(session, [report])
    news = json.loads(data)
    assert event == "patch" and news["sections"] == {}
    assert news["stamp"][0] == news["stamp"][1]  # the page shown is the last good one
    assert "report.html.j2" in news["panel"] and 'role="alert"' in news["panel"]


def test_the_script_swaps_the_sections_and_reloads_when_it_is_behind() -> None:
    assert 'addEventListener("patch", patch)' in SCRIPT
    assert "el.outerHTML = news.sections[id]" in SCRIPT
    assert "if (String(news.from) !== shown) return reload();" in SCRIPT
