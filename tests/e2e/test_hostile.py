"""Contributions written to attack the build (tests/fixtures/hostile/).

Each file names its attack and what must happen: a validation error with a given code, or
a harmless render. One edition holds them all; a local HTTP server counts every request
and must see none, from WeasyPrint or from Chromium, and no local file's contents may
reach the report.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, copy_inputs, library_settings
from tests.support.browsercheck import browser
from tests.support.requestcounter import Counter, request_counter

HOSTILE = FIXTURES / "hostile"
PASSWD = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0]


def expectations() -> dict[str, str]:
    out = {}
    for path in sorted(HOSTILE.glob("*.yaml")):
        match = re.search(r"^# expect: (\S+)", path.read_text(encoding="utf-8"), re.M)
        assert match, path
        out[path.stem] = match[1]
    return out


@pytest.fixture(scope="module")
def server() -> Iterator[Counter]:
    with request_counter() as counter:
        yield counter


@pytest.fixture(scope="module")
def hostile_draft(tmp_path_factory: pytest.TempPathFactory, server: Counter) -> Path:
    from wgreport.build.steps import build

    base = tmp_path_factory.mktemp("hostile")
    inputs = copy_inputs(base)
    contributions = inputs / "2024" / "contributions"
    for path in HOSTILE.rglob("*"):
        if path.is_file():
            target = contributions / path.relative_to(HOSTILE)
            target.parent.mkdir(exist_ok=True)
            text = path.read_text(encoding="utf-8").replace("{PORT}", str(server.port))
            target.write_text(text, encoding="utf-8")
    os.symlink("/etc/passwd", contributions / "KR" / "linked.png")
    settings = library_settings(inputs, base / "outputs")
    return build(settings, 2024)


def test_each_attack_is_refused_with_its_code_or_renders(hostile_draft: Path) -> None:
    report = json.loads((hostile_draft / "validation.json").read_text(encoding="utf-8"))
    manifest = json.loads((hostile_draft / "manifest.json").read_text(encoding="utf-8"))
    errors = {
        f["member"]: {i["code"] for i in f["issues"] if i["severity"] == "error"}
        for f in report["files"]
        if f.get("member")
    }
    left_out = {m["member"] for m in manifest["members_left_out"]}
    expected = expectations()
    assert len(expected) == 10
    for member, expect in expected.items():
        if expect == "renders":
            assert errors[member] == set(), member
            assert member in manifest["members_included"], member
        else:
            assert expect in errors[member], (member, errors[member])
            assert member in left_out, member


def test_weasyprint_fetched_nothing(hostile_draft: Path, server: Counter) -> None:
    assert server.requests == []


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def test_the_page_holds_no_active_content(hostile_draft: Path) -> None:
    html = (hostile_draft / "report.html").read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    assert {"script", "iframe", "object", "embed", "link", "base", "form"} & set(
        parser.tags
    ) == set()
    charts = html.count('class="chart-svg"')
    assert parser.tags.count("style") == 2 + charts  # the report's two, one in each chart
    assert [a for a in parser.attributes if a[0].startswith("on")] == []
    assert [v for n, v in parser.attributes if n in {"href", "src"} and
            v.strip().lower().startswith(("javascript:", "file:", "http://127."))] == []  # fmt: skip
    assert [v for n, v in parser.attributes if n == "style" and "url(" in v] == []
    # the attacks are still there, as text a reader can see
    assert "&lt;script&gt;window.__wgreport_pwned = 1&lt;/script&gt;" in html
    assert "&lt;/style&gt;&lt;style&gt;body{background:url(" in html


def test_chromium_runs_nothing_and_requests_nothing(hostile_draft: Path, server: Counter) -> None:
    result = browser("load", hostile_draft / "report.html")
    assert result["requests"] == []
    assert result["dialogs"] == [] and result["errors"] == []
    assert result["scriptsRan"] is False
    assert server.requests == []


def test_no_local_file_reaches_the_report(hostile_draft: Path) -> None:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(hostile_draft / "report.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    html = (hostile_draft / "report.html").read_text(encoding="utf-8")
    for output in (text, html):
        assert PASSWD not in output
