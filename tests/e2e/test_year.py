"""One whole year (issue 37), on a copy of the demo with a 2025 edition of three members,
through the command line and the portal's HTTP interface (`wgreport portal` on loopback,
spoken to as a browser would: its forms, their tokens, its cookies):

edition new → the secretariat's invitations → uploads, each with a receipt in the outbox →
a reminder to the member who is late → drafts (from the portal, then the command line) →
a review comment answered in the portal → a country-validation round confirmed by each
member → a final refused with every problem of its preflight at once → the fixes → the
final (from the portal) → `publish` → `verify` on the bundle.

The calendar is pinned after the deadline (WGREPORT_BUILD_TIME); members' files carry the
dates they were written."""

from __future__ import annotations

import contextlib
import email
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from typer.testing import CliRunner

from tests.conftest import copy_inputs
from tests.support.portalbrowser import _free_port, _wait_for

pytestmark = pytest.mark.e2e

YEAR = 2025
MEMBERS = ("KR", "GB", "EE")
TODAY = "2026-03-10T09:00:00+00:00"  # after the 2025 call's deadline, before its final
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SIGNIN = re.compile(r"(/signin/[A-Za-z0-9_-]+)")


def _cli(*args: str) -> Any:
    from wgreport.cli.main import app

    return CliRunner().invoke(app, list(args))


def _contribution(inputs: Path, code: str, submitted: str) -> bytes:
    """The member's 2025 file: last year's, brought to 2025 (as a member would)."""
    text = (inputs / "2024" / "contributions" / f"{code}.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^year: 2024$", "year: 2025", text)
    text = re.sub(r"(?m)^submitted: .*$", f"submitted: {submitted}", text)
    return text.encode()


class Browser:
    """One person's browser on the portal: its cookies, and the forms of the pages."""

    opened: ClassVar[list[httpx.Client]] = []

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
        Browser.opened.append(self.http)

    @classmethod
    def close_all(cls) -> None:
        while cls.opened:
            cls.opened.pop().close()

    def sign_in(self, link: str) -> None:
        path = link[link.index("/signin/") :]
        assert self.http.get(path).status_code == 200
        answer = self.http.post(path)
        assert answer.status_code == 303, answer.text

    def get(self, path: str, status: int = 200) -> str:
        answer = self.http.get(path)
        assert answer.status_code == status, (path, answer.status_code, answer.text[-2000:])
        return answer.text

    def submit(
        self, page: str, action: str, fields: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        """A form of `page` posted to `action`, with the page's token."""
        token = CSRF.search(self.get(page))
        assert token, f"no form on {page}"
        return self.http.post(action, data={"csrf": token.group(1), **(fields or {})}, **kw)


@contextlib.contextmanager
def portal(base: Path, inputs: Path, outputs: Path) -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "wgreport", "portal", "--port", str(port),
               "--year", str(YEAR), "--inputs", str(inputs), "--outputs", str(outputs)]  # fmt: skip
    log = (base / "portal.log").open("wb")
    process = subprocess.Popen(command, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        Browser.close_all()
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _outbox(outputs: Path) -> list[email.message.Message]:
    folder = outputs / "outbox"
    # in the order they were written: their names carry the pinned calendar's time
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    return [email.message_from_bytes(p.read_bytes()) for p in files]


def _mail_to(outputs: Path, address: str) -> list[tuple[str, str]]:
    """(subject, body) of each message to `address`, oldest first."""
    found = []
    for message in _outbox(outputs):
        if address in str(message["To"]):
            body = message.get_payload(decode=True)
            assert isinstance(body, bytes)
            found.append((str(message["Subject"]), body.decode()))
    return found


def _wait_for_build(secretariat: Browser, seconds: float = 400) -> str:
    """The newest build's row on the secretariat's page once it has ended."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = secretariat.get("/secretariat")
        row = re.search(r"<tbody>\s*<tr[^>]*>(.*?)</tr>", page.split('id="builds"', 1)[-1], re.S)
        assert row, page[-3000:]
        if "running" not in row.group(1):
            return row.group(1)
        time.sleep(0.5)  # a finished build is seen within half a second, not two
    raise AssertionError("the build did not end in time")


def test_one_whole_year_from_the_call_to_the_published_bundle(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.settings import PREFECT_API_URL

    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    monkeypatch.setenv("WGREPORT_BUILD_TIME", TODAY)
    monkeypatch.setenv("WGREPORT_PORTAL_DIR", str(tmp_path / "portal"))
    monkeypatch.delenv("WGREPORT_SMTP_HOST", raising=False)
    inputs, outputs = copy_inputs(tmp_path), tmp_path / "outputs"
    where = ["--inputs", str(inputs), "--outputs", str(outputs)]
    edition = inputs / str(YEAR)

    # The call: the edition, from last year's, for three members.
    made = _cli("edition", "new", "--year", str(YEAR), "--deadline", "2026-02-27",
                "--inputs", str(inputs))  # fmt: skip
    assert made.exit_code == 0, made.output
    settings = edition / "edition.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("expected_members: all", "expected_members: [KR, GB, EE]"))
    for code in ("KR", "EE"):  # their diagrams, carried over from last year
        shutil.copytree(inputs / "2024" / "contributions" / code, edition / "contributions" / code)
    status = _cli("edition", "status", "--year", str(YEAR), "--format", "json", *where)
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["name"] == "drafting"  # the deadline has passed: no draft

    # The secretariat's first link comes from the command line; the rest from the portal.
    invited = _cli("portal", "invite", "--secretariat", "--email", "secretariat@example.org",
                   "--inputs", str(inputs))  # fmt: skip
    assert invited.exit_code == 0, invited.output
    with portal(tmp_path, inputs, outputs) as base:
        secretariat = Browser(base)
        link = SIGNIN.search(invited.output)
        assert link, invited.output
        secretariat.sign_in(link.group(1))
        links = {}
        for code in MEMBERS:
            answer = secretariat.submit("/secretariat/people", "/secretariat/people/invite",
                                        {"role": "member", "email": f"{code.lower()}-contact@example.org",
                                         "member": code})  # fmt: skip
            assert answer.status_code == 200, answer.text[-2000:]
            links[code] = SIGNIN.search(answer.text).group(1)  # type: ignore[union-attr]
        answer = secretariat.submit("/secretariat/people", "/secretariat/people/invite",
                                    {"role": "reviewer", "email": "reader@example.org",
                                     "reviewer": "ee-reader", "name": "Aino Example",
                                     "organisation": "Example Review Office"})  # fmt: skip
        links["reviewer"] = SIGNIN.search(answer.text).group(1)  # type: ignore[union-attr]
        people = secretariat.get("/secretariat/people")
        assert all(f"{c.lower()}-contact@example.org" in people for c in MEMBERS)

        # Uploads, each with its receipt: GB's first file is not valid, its second is.
        members = {code: Browser(base) for code in MEMBERS}
        for code, browser in members.items():
            browser.sign_in(links[code])
        kr = _contribution(inputs, "KR", "2026-02-20")
        gb = _contribution(inputs, "GB", "2026-02-25")
        for code, body in (
            ("KR", kr),
            ("GB", gb.replace(b"value: 0.", b"value: 9.", 1)),
            ("GB", gb),
        ):
            answer = members[code].submit(
                "/member", "/member/upload", files={"contribution": (f"{code}.yaml", body)}
            )
            assert answer.status_code in (200, 303), answer.text[-2000:]
        assert (edition / "contributions" / "KR.yaml").read_bytes() == kr
        assert (edition / "contributions" / "GB.yaml").read_bytes() == gb
        receipts = _mail_to(outputs, "gb-contact@example.org")
        subjects = [s for s, _ in receipts]
        assert len(subjects) == 2, subjects
        assert subjects[0] == f"[wgreport {YEAR}] Your upload was refused: 1 problem to fix"
        assert "accepted" in subjects[1], subjects
        assert "Korea" not in receipts[0][1] and "KR.yaml" not in receipts[0][1]
        assert len(_mail_to(outputs, "kr-contact@example.org")) == 1

        # EE is late: the reminder goes to EE alone; then EE uploads.
        reminded = _cli("notify", "reminders", "--year", str(YEAR), *where)
        assert reminded.exit_code == 0, reminded.output
        (reminder,) = _mail_to(outputs, "ee-contact@example.org")
        assert "overdue" in reminder[0].lower() or "overdue" in reminder[1].lower(), reminder
        assert not any("eminder" in s for s, _ in _mail_to(outputs, "kr-contact@example.org"))
        ee = _contribution(inputs, "EE", "2026-03-06")
        answer = members["EE"].submit(
            "/member", "/member/upload", files={"contribution": ("EE.yaml", ee)}
        )
        assert (edition / "contributions" / "EE.yaml").read_bytes() == ee

        # Draft 001 from the portal: `wgreport build`, the flow on the session's Prefect.
        answer = secretariat.submit("/secretariat", "/secretariat/build")
        assert answer.status_code == 303, answer.text[-2000:]
        row = _wait_for_build(secretariat)
        assert "succeeded" in row, row
        assert (outputs / str(YEAR) / "drafts" / "001" / "report.pdf").is_file()

        # A reviewer comments twice on draft 001; the secretariat answers one in the portal.
        reviewer = Browser(base)
        reviewer.sign_in(links["reviewer"])
        for text in ("Korea's paragraph repeats the figures.", "Estonia's table lacks units."):
            answer = reviewer.submit("/review", "/review/comment", {
                "draft": "1", "section": "KR" if "Korea" in text else "EE", "page": "",
                "comment": text, "proposed_change": "Fix it.", "kind": "editorial"})  # fmt: skip
            assert answer.status_code == 303, answer.text[-2000:]
        answer = secretariat.submit("/secretariat/comments", "/secretariat/comments/answer", {
            "ref": "ee-reader#1", "status": "accepted",
            "response": "Done in draft 002."})  # fmt: skip
        assert answer.status_code in (200, 303), answer.text[-2000:]
        assert "Done in draft 002." in reviewer.get("/review")

        # Draft 002 from the command line; the reviewer is told it is ready.
        built = _cli("build", "--year", str(YEAR), *where)
        assert built.exit_code == 0, built.output
        assert any("002" in s for s, _ in _mail_to(outputs, "reader@example.org"))

        # Country validation on draft 002: each member sees its chapter and confirms.
        answer = secretariat.submit("/secretariat/validation", "/secretariat/validation/open",
                                    {"draft": "002"})  # fmt: skip
        assert answer.status_code in (200, 303), answer.text[-2000:]
        for code, browser in members.items():
            assert (
                f"[wgreport {YEAR}]"
                in _mail_to(outputs, f"{code.lower()}-contact@example.org")[-1][0]
            )
            assert "confirm" in browser.get("/member").lower()
            chapter = browser.http.get("/member/validation/chapter.pdf")
            assert chapter.status_code == 200 and chapter.content.startswith(b"%PDF")
            from io import BytesIO

            from pypdf import PdfReader

            text = "".join(p.extract_text() for p in PdfReader(BytesIO(chapter.content)).pages)
            name = {"KR": "Korea", "GB": "United Kingdom", "EE": "Estonia"}[code]
            others = [n for c, n in (("KR", "Republic of Korea"), ("GB", "United Kingdom"),
                                     ("EE", "Estonia")) if c != code]  # fmt: skip
            assert name in text and not any(f". {n}" in text[:200] for n in others), text[:300]
            answer = browser.submit("/member/validation", "/member/validation/confirm")
            assert answer.status_code == 303, answer.text[-2000:]
        round_page = secretariat.get("/secretariat/validation")
        assert round_page.count("confirmed") >= len(MEMBERS), round_page[-3000:]
        states = _cli("validation", "status", "--year", str(YEAR), *where)
        assert f"{len(MEMBERS)} of {len(MEMBERS)} members confirmed" in states.stdout, states.output

        # The final, refused with every problem of its preflight at once.
        refused = _cli("build", "--final", "--year", str(YEAR), *where)
        assert refused.exit_code == 1, refused.output
        checked = _cli("check", "--final", "--year", str(YEAR), "--format", "json", *where)
        problems = json.loads(checked.stdout)["problems"]
        assert len(problems) >= 6, problems
        assert {p["check"] for p in problems} == {
            "placeholders", "front-matter", "dates", "open-comments"}, problems  # fmt: skip
        page = secretariat.get("/secretariat/final")
        assert all(p["message"].split(":")[0][:30] in page for p in problems[:1])
        refusal = secretariat.submit("/secretariat/final", "/secretariat/final/start")
        assert refusal.status_code == 409

        # The fixes: the foreword and key messages, the dates, the sources checked again, the
        # last comment.
        (edition / "foreword.md").write_text(
            "The 2025 edition shows the group's members moving services to the cloud.\n"
        )
        (edition / "key-messages.md").write_text(  # carried over by edition new, to write
            "The group median EGDI changed by {{ egdi.group.median.change }}.\n"
        )
        text = settings.read_text(encoding="utf-8")
        text = text.replace("accessed: 2025-01-20", "accessed: 2026-02-20")
        text += "approval:\n  by: the Working Group at its plenary\n  date: 2026-03-09\n"
        text += "publication_date: 2026-03-31\n"
        settings.write_text(text, encoding="utf-8")
        answer = secretariat.submit("/secretariat/comments", "/secretariat/comments/answer", {
            "ref": "ee-reader#2", "status": "rejected",
            "response": "The units are in the table's header."})  # fmt: skip
        clean = _cli("check", "--final", "--year", str(YEAR), *where)
        assert clean.exit_code == 0, clean.output

        # The final from the portal, then the public bundle.
        answer = secretariat.submit("/secretariat/final", "/secretariat/final/start")
        assert answer.status_code == 303, answer.text[-2000:]
        row = _wait_for_build(secretariat)
        assert "succeeded" in row, row
    bundle = tmp_path / "public"
    published = _cli("publish", "--year", str(YEAR), "--out", str(bundle), *where)
    assert published.exit_code == 0, published.output
    verified = _cli("verify", str(bundle))
    assert verified.exit_code == 0, verified.output
    files = sorted(str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file())
    assert {"index.html", "report.pdf", "report.html", "SHA256SUMS"} <= set(files)
    assert not any("comments" in f or "validation" in f for f in files), files
    status = _cli("edition", "status", "--year", str(YEAR), "--format", "json", *where)
    assert json.loads(status.stdout)["name"] == "published"
