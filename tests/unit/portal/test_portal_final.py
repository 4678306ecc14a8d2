"""The secretariat's year and final in the portal (issue 37): the edition's stage, dates and
next steps on /secretariat; the preflight checklist at /secretariat/final (every problem at
once, grouped by check, each with its file and line, what to do and its override); a final
started from there only when nothing is left that no ticked override names, as
`wgreport build --final` with exactly the flags ticked; the final's PDF; no meta refresh."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import copy_inputs
from tests.support.goldentree import GOLDEN_TREE
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store

REVIEW = """schema: wgreport/review/v1
year: 2024
reviewer:
  id: nz-reader
  name: Jonas Sample
  organisation: Office of an illustrative reviewer
comments:
  - id: 1
    draft: 1
    section: summary
    comment: The count looks wrong.
    proposed_change: Recount it.
    kind: factual
"""

#: Every override the broken copy needs, as the form ticks them, and the flags they make.
ALL_TICKED = {
    "allow-placeholders": "on", "allow-front-matter": "on", "allow-example-links": "on",
    "allow-open-comments": "on", "allow-unconfirmed": "on", "missing-DK": "on",
}  # fmt: skip
ALL_FLAGS = [
    "--final", "--allow-placeholders", "--allow-incomplete-front-matter",
    "--allow-example-links", "--allow-open-comments", "--allow-unconfirmed",
    "--allow-missing", "DK",
]  # fmt: skip


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _line(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if needle in text)


def _portal(tmp_path: Path) -> Portal:
    inputs = copy_inputs(tmp_path)
    outputs = tmp_path / "outputs"
    shutil.copytree(GOLDEN_TREE / "drafts" / "001", outputs / "2024" / "drafts" / "001")
    return Portal(inputs, outputs, 2024, Store(tmp_path / "portal"), base_url="http://testserver")


@pytest.fixture
def clean(tmp_path: Path) -> Portal:
    """The demo as it is: its preflight is clean."""
    return _portal(tmp_path)


@pytest.fixture
def broken(tmp_path: Path) -> Portal:
    """The demo with six problems of six classes: the foreword a TODO, no approval, an
    example link, an open review comment, a member not valid, no country validation."""
    portal = _portal(tmp_path)
    edition = portal.inputs_dir / "2024"
    (edition / "foreword.md").write_text("TODO: the foreword of the 2024 edition.\n", "utf-8")
    _edit(edition / "edition.yaml", "approval:\n  by: the Digital Governance Working Group at "
          "its plenary meeting\n  date: 2025-03-12\n", "")  # fmt: skip
    kr = edition / "contributions" / "KR.yaml"
    _edit(kr, "url: https://www.gov.kr\n", "url: https://www.example.com/kr\n")
    _edit(edition / "contributions" / "DK.yaml", "submitted: 2025-02-11", "submitted: someday")
    (edition / "country-validation.yaml").unlink()
    (edition / "reviews").mkdir()
    (edition / "reviews" / "nz-reader.yaml").write_text(REVIEW, encoding="utf-8")
    return portal


def _client(portal: Portal, role: str = "secretariat", **who: str) -> TestClient:
    _, token = portal.store.invite(role, f"{role}@example.org", **who)  # type: ignore[arg-type]
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.post(f"/signin/{token}").status_code == 303
    return client


def _csrf(client: TestClient, path: str = "/secretariat/final") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'action="/secretariat/final/start"[^>]*>\s*<input type="hidden" '
                      r'name="csrf" value="([^"]+)"', page.text)  # fmt: skip
    assert found, page.text
    return found[1]


def _start(client: TestClient, **fields: str) -> Any:
    return client.post("/secretariat/final/start", data={"csrf": _csrf(client), **fields})


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The command lines the portal starts (recorded), each run as a process that does
    nothing: what would have run, and no build."""
    calls: list[list[str]] = []
    real = subprocess.Popen

    def popen(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        calls.append(list(args))
        return real([sys.executable, "-c", "pass"], **kwargs)

    monkeypatch.setattr(subprocess, "Popen", popen)  # the module builds.py starts it with
    return calls


def _groups(page: str) -> dict[str, list[str]]:
    """The checklist's problems by check: each problem's text."""
    out = {}
    for name, body in re.findall(r'<section class="card check" id="check-[^"]+" '
                                 r'data-check="([^"]+)">(.*?)</section>', page, re.S):  # fmt: skip
        out[name] = re.findall(r'<li class="problem">(.*?)</li>', body, re.S)
    return out


# --- the edition's stage and checklist -----------------------------------------------------


def test_the_secretariats_page_shows_the_stage_dates_and_next_steps_with_their_pages(
    broken: Portal,
) -> None:
    page = _client(broken).get("/secretariat").text
    assert '<h1 id="edition-title">The 2024 edition: <span id="stage">review</span></h1>' in page
    dates = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))
    assert dates["Deadline"] == "2025-02-28" and dates["Approval"] == "not set"
    assert dates["Publication"] == "2025-03-31"
    steps = re.findall(r'<li class="(done|todo)" data-done="[a-z]+"><strong>(Done|To do):'
                       r"</strong> (.*?)</li>", page)  # fmt: skip
    assert len(steps) >= 8 and {s[0] for s in steps} == {"done", "todo"}
    assert all((kind == "done") == (word == "Done") for kind, word, _ in steps)
    todo = {text.split(":")[0]: text for kind, _, text in steps if kind == "todo"}
    assert "not valid: DK" in todo["9 of 10 members submitted a valid contribution (not valid"]
    assert 'href="/secretariat/comments?status=open"' in todo["open comments"]
    assert 'href="/secretariat/final"' in todo["preflight"]
    assert 'href="/secretariat/final#start">Start the final</a>' in todo["build the final"]
    assert 'href="/secretariat/validation"' in todo["country validation"]
    assert "(on the command line)" in todo["publish"]
    done = [text for kind, _, text in steps if kind == "done"]
    assert any(t.startswith("build a draft: draft 001 is built") for t in done)
    assert not any("href" in t for t in done)  # a done step needs no button


# --- the preflight checklist ---------------------------------------------------------------


def test_the_checklist_lists_every_problem_at_once_with_file_line_fix_and_flag(
    broken: Portal, started: list[list[str]]
) -> None:
    response = _client(broken).get("/secretariat/final")
    assert response.status_code == 200
    page = response.text
    groups = _groups(page)
    assert set(groups) == {"placeholders", "front-matter", "example-links", "members",
                           "open-comments", "unconfirmed"}  # fmt: skip
    assert sum(len(p) for p in groups.values()) >= 6
    count = sum(len(p) for p in groups.values())
    assert f"{count} problem(s) in 6 check(s)." in page
    kr = broken.inputs_dir / "2024" / "contributions" / "KR.yaml"
    (foreword,) = groups["placeholders"]
    assert "inputs/2024/foreword.md, line 1</span>" in foreword and "TODO" in foreword
    assert "What to do:</strong>" in foreword and "--allow-placeholders" in foreword
    (link,) = groups["example-links"]
    assert f"inputs/2024/contributions/KR.yaml, line {_line(kr, 'example.com')}" in link
    assert "--allow-example-links" in link
    (approval,) = groups["front-matter"]
    assert "inputs/2024/edition.yaml (no particular line)" in approval and "no approval" in approval
    (member,) = groups["members"]
    assert "inputs/2024/contributions/DK.yaml, line 5" in member and "--allow-missing DK" in member
    (comment,) = groups["open-comments"]
    assert "inputs/2024/reviews/nz-reader.yaml, line 8" in comment and "still open" in comment
    assert len(groups["unconfirmed"]) == 9  # every member the final carries (DK is not valid)
    assert all("--allow-unconfirmed" in p and "country-validation.yaml" in p
               for p in groups["unconfirmed"])  # fmt: skip
    for problem in (p for ps in groups.values() for p in ps):
        assert "What to do:</strong>" in problem and '<code class="flag">--allow-' in problem
    # the overrides: each class's flag, and --allow-missing for the member not valid only
    boxes = re.findall(r'<input type="checkbox" id="([^"]+)" name="\1" value="on">', page)
    assert boxes == ["allow-placeholders", "allow-front-matter", "allow-dates",
                     "allow-late-sources", "allow-example-links", "allow-open-comments",
                     "allow-unconfirmed", "missing-DK"]  # fmt: skip
    assert "the final may be built" not in page and started == []  # a page starts nothing


def test_a_clean_preflight_says_the_final_may_be_built(clean: Portal) -> None:
    page = _client(clean).get("/secretariat/final").text
    assert "No problems: the final may be built." in page
    assert _groups(page) == {} and "missing-" not in page and "supersede" not in page


# --- starting the final --------------------------------------------------------------------


def test_a_refused_final_starts_nothing_and_an_allowed_one_runs_build_final_with_the_flags(
    broken: Portal, started: list[list[str]]
) -> None:
    client = _client(broken)
    ticked = {k: v for k, v in ALL_TICKED.items() if k != "allow-unconfirmed"}
    refused = _start(client, **ticked)
    assert refused.status_code == 409
    assert "The final was not started: 9 problem(s) below" in refused.text
    assert set(_groups(refused.text)) == {"unconfirmed"}  # what is left, and only that
    assert started == [] and broken.builds.records() == []
    audit = [line["action"] for line in broken.store.audit_lines()]
    assert "build-started" not in audit
    # what is ticked stays ticked; what was let through is listed as overridden
    assert '<input type="checkbox" id="allow-placeholders" name="allow-placeholders" ' \
           'value="on" checked>' in refused.text  # fmt: skip
    assert "<code>--allow-missing DK</code>: inputs/2024/contributions/DK.yaml" in refused.text

    # forged fields: a member that is valid, a check that does not exist, raw options
    forged = {"missing-KR": "on", "allow-everything": "on", "flags": "--inputs /etc",
              "allow-dates": "yes"}  # fmt: skip
    response = _start(client, **ALL_TICKED, **forged)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "http://testserver/secretariat/final#builds"
    (command,) = started
    assert command == [*broken.builds.command(), *ALL_FLAGS]
    assert command[1:4] == ["-m", "wgreport", "build"]
    record = broken.builds.wait(1, timeout=30)
    assert record["final"] and record["flags"] == ALL_FLAGS[1:]
    assert record["command"] == " ".join(command[2:])
    (line,) = [x for x in broken.store.audit_lines() if x["action"] == "build-started"]
    assert line["final"] is True and line["flags"] == ALL_FLAGS[1:]
    page = client.get("/secretariat/final").text
    row = re.search(r'<tr data-build="1" data-kind="final">(.*?)</tr>', page, re.S)
    assert row and '<strong class="kind">final</strong>' in row[1]
    assert "wgreport build --final --allow-placeholders" in row[1]


@pytest.mark.parametrize(
    ("field", "check"),
    [("allow-placeholders", "placeholders"), ("allow-front-matter", "front-matter"),
     ("allow-example-links", "example-links"), ("allow-open-comments", "open-comments"),
     ("allow-unconfirmed", "unconfirmed"), ("missing-DK", "members")],
)  # fmt: skip
def test_each_override_lets_through_only_its_own_class(
    broken: Portal, started: list[list[str]], field: str, check: str
) -> None:
    client = _client(broken)
    before = _groups(client.get("/secretariat/final").text)
    response = _start(client, **{field: "on"})
    assert response.status_code == 409 and started == []
    after = _groups(response.text)
    assert after == {k: v for k, v in before.items() if k != check}
    overridden = re.search(r'<ul id="overridden">(.*?)</ul>', response.text, re.S)
    assert overridden and overridden[1].count("<li>") == len(before[check])


def test_members_and_reviewers_get_403_and_a_form_without_its_token_is_refused(
    broken: Portal, started: list[list[str]]
) -> None:
    for role, who in (("member", {"member": "KR"}), ("reviewer", {"reviewer": "nz-reader"})):
        client = _client(broken, role, **who)
        assert client.get("/secretariat/final").status_code == 403
        assert client.get("/secretariat/final/report.pdf").status_code == 403
        sent = client.post("/secretariat/final/start", data=ALL_TICKED)
        assert sent.status_code == 403
    desk = _client(broken)
    assert desk.post("/secretariat/final/start", data=ALL_TICKED).status_code == 403
    token = _csrf(desk)
    assert desk.post("/secretariat/final/start",
                     data={**ALL_TICKED, "csrf": token + "x"}).status_code == 403  # fmt: skip
    assert started == [] and broken.builds.records() == []


def test_an_existing_final_needs_supersede_and_its_pdf_is_the_secretariats_download(
    clean: Portal, started: list[list[str]]
) -> None:
    client = _client(clean)
    assert client.get("/secretariat/final/report.pdf").status_code == 404
    final = clean.outputs_dir / "2024" / "final"
    shutil.copytree(GOLDEN_TREE / "drafts" / "001", final)
    (final / "report.pdf").write_bytes(b"%PDF-1.7 a stand-in final\n")
    page = client.get("/secretariat/final").text
    assert 'id="supersede-warning"' in page and 'name="supersede"' in page
    assert '<a href="/secretariat/final/report.pdf" id="final-pdf">' in page
    refused = _start(client)
    assert refused.status_code == 409 and "this edition has a final already" in refused.text
    assert started == []
    assert _start(client, supersede="on").status_code == 303
    assert started == [[*clean.builds.command(), "--final", "--supersede"]]
    clean.builds.wait(1, timeout=30)
    download = client.get("/secretariat/final/report.pdf")
    assert download.status_code == 200 and download.content == b"%PDF-1.7 a stand-in final\n"
    assert 'filename="2024-final-report.pdf"' in download.headers["content-disposition"]
    (line,) = [x for x in clean.store.audit_lines() if x["action"] == "download"]
    assert (line["draft"], line["file"], line["role"]) == ("final", "report.pdf", "secretariat")


def test_the_builds_table_shows_a_final_as_such_and_links_the_newest_ones_pdf(
    clean: Portal,
) -> None:
    final = clean.outputs_dir / "2024" / "final"
    shutil.copytree(GOLDEN_TREE / "drafts" / "001", final)
    (final / "report.pdf").write_bytes(b"%PDF-1.7 a stand-in final\n")
    base = "-m wgreport build --year 2024 --inputs i --outputs o"
    rows = [
        {"build": 1, "command": base, "status": "succeeded", "draft": "001"},
        {"build": 2, "command": base + " --final --allow-dates", "status": "succeeded"},
        {"build": 3, "command": base + " --final --supersede", "status": "succeeded"},
    ]
    with clean.store.tx() as conn:
        for row in rows:
            full = {"year": 2024, "by": "x", "email": "s@example.org",
                    "started": "2025-03-20T09:00:00+00:00", "draft": None, **row}  # fmt: skip
            conn.execute(f"INSERT INTO builds ({', '.join(full)}) VALUES "
                         f"({', '.join('?' * len(full))})", list(full.values()))  # fmt: skip
    page = _client(clean).get("/secretariat").text
    found = dict(re.findall(r'<tr data-build="(\d)" data-kind="(\w+)">', page))
    assert found == {"1": "draft", "2": "final", "3": "final"}
    cells = dict(re.findall(r'<tr data-build="(\d)"[^>]*>(.*?)</tr>', page, re.S))
    assert 'href="/review/download/001/report.pdf"' in cells["1"]
    assert "a final, replaced since" in cells["2"] and "--allow-dates" in cells["2"]
    assert 'href="/secretariat/final/report.pdf"' in cells["3"] and "--supersede" in cells["3"]


def test_final_arguments_come_from_a_fixed_list_only(clean: Portal) -> None:
    from wgreport.portal.builds import final_arguments

    assert final_arguments({"dates", "placeholders"}, ["UY", "KR"], True) == [
        "--final", "--allow-placeholders", "--allow-dates",
        "--allow-missing", "KR", "--allow-missing", "UY", "--supersede",
    ]  # fmt: skip
    for allow, missing in ((["members"], []), (["--inputs /etc"], []), ([], ["kr"]),
                           ([], ["KR --supersede"]), ([], ["--x"])):  # fmt: skip
        with pytest.raises(ValueError, match="not a"):
            final_arguments(allow, missing)
    # each is an option of `wgreport build`, so the command the portal starts parses
    import typer.core
    import typer.main

    from wgreport.build.preflight import CHECK_NAMES
    from wgreport.cli.main import app

    command = typer.main.get_command(app)
    assert isinstance(command, typer.core.TyperGroup)
    options = {o for p in command.commands["build"].params for o in p.opts}
    every = final_arguments(set(CHECK_NAMES), ["KR"], True)
    assert {a for a in every if a.startswith("--")} <= options
    who = clean.store.invite("secretariat", "s@example.org")[0]
    with pytest.raises(ValueError, match="only to a final"):
        clean.builds.start(who, allow=["dates"])


# --- no meta refresh, no script ------------------------------------------------------------


def test_the_pages_reload_nothing_by_themselves_and_run_no_script(
    broken: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wgreport.portal.builds import Builds

    script = "import time; print('  [1/9] Reading', flush=True); time.sleep(30)"
    monkeypatch.setattr(Builds, "command", lambda self: [sys.executable, "-c", script])
    client = _client(broken)
    assert _start(client, **ALL_TICKED).status_code == 303
    try:
        for path in ("/secretariat", "/secretariat/final"):
            response = client.get(path)
            page = response.text
            assert "http-equiv" not in page.lower() and "<script" not in page.lower()
            assert "script-src" not in response.headers["content-security-policy"]
            assert 'id="build-running"' in page and 'id="refresh">Refresh</a>' in page
        final_page = client.get("/secretariat/final").text
        assert re.search(r'<button type="submit" id="start-final" disabled>', final_page)
    finally:
        import os
        import signal

        (record,) = broken.builds.records()
        os.killpg(int(record["pid"]), signal.SIGTERM)
        broken.builds.wait(1, timeout=30)
