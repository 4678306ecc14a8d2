"""The browser checks' harness (tests/support/browsercheck.py, tools/browser/check.mjs
serve): one Chromium for every check of a process, started again when it crashed; the HTML
checker's files checked in one run and its messages given back to each file."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browsercheck import BrowserChecker, vnu_many

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>A page</title></head>
<body><main><h1 id="top">A page</h1><p><a href="#top">Back to the top</a></p>
<p><a href="missing.html">A page that is not there</a></p></main></body></html>
"""


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


@pytest.fixture
def checker() -> Iterator[BrowserChecker]:
    one = BrowserChecker()
    yield one
    one.close()


def _descendants(pid: int) -> list[int]:
    """Every process under pid, read from /proc. Chromium starts and ends short-lived
    helpers of its own, so a process (or one of its threads) may be gone between listing
    it and reading it: it is then no longer a descendant, and is skipped."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        for child in map(int, children):
            found += [child, *_descendants(child)]
    return found


def _links(checker: BrowserChecker, page: Path) -> dict[str, bool | None]:
    return {link["href"]: link["exists"] for link in checker.check("links", page, 1280)["links"]}


def test_checks_share_one_chromium(checker: BrowserChecker, page: Path) -> None:
    assert _links(checker, page) == {
        f"{page.as_uri()}#top": True,
        (page.parent / "missing.html").as_uri(): False,
    }
    layout = checker.check("layout", page, 375)
    assert layout["viewportWidth"] == 375 and layout["scrollWidth"] == 375
    assert checker.check("axe", page, 1280)["violations"] == []
    assert (checker.starts, checker.launches) == (1, 1)


def test_a_crashed_chromium_is_started_again(checker: BrowserChecker, page: Path) -> None:
    before = _links(checker, page)
    assert checker.proc is not None
    chromium = _descendants(checker.proc.pid)
    assert chromium, "no Chromium under the checker's node process"
    for pid in chromium:
        with contextlib.suppress(ProcessLookupError):  # gone with its parent
            os.kill(pid, signal.SIGKILL)
    assert _links(checker, page) == before
    assert _links(checker, page) == before
    assert (checker.starts, checker.launches) == (1, 2)


def test_a_dead_checker_is_started_again(checker: BrowserChecker, page: Path) -> None:
    before = _links(checker, page)
    assert checker.proc is not None
    checker.proc.kill()
    checker.proc.wait()
    assert _links(checker, page) == before
    assert (checker.starts, checker.launches) == (2, 1)


def test_a_failing_check_is_reported_and_the_next_one_runs(
    checker: BrowserChecker, page: Path, tmp_path: Path
) -> None:
    with pytest.raises(AssertionError, match=r"the browser check links of .*nowhere\.html failed"):
        checker.check("links", tmp_path / "nowhere.html", 1280)
    assert _links(checker, page)
    assert (checker.starts, checker.launches) == (1, 1)


def test_the_html_checker_checks_several_files_in_one_run(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[list[str]] = []
    real = subprocess.run

    def counted(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        runs.append(args)
        return real(args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(subprocess, "run", counted)
    other = tmp_path / "a folder é" / "no title.html"
    other.parent.mkdir()
    other.write_text(PAGE.replace("<title>A page</title>", ""), encoding="utf-8")
    found = vnu_many([page, other])
    assert len(runs) == 1
    assert found[page] == []
    assert [e["lastLine"] for e in found[other]] == [2]
    assert "title" in found[other][0]["message"]
