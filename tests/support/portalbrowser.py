"""The portal rehearsed in a real browser: `wgreport portal` on a loopback port over a copy
of the demo inputs (without Korea's 2024 file, so that its page offers last edition's
pre-filled), one invitation per role, and tools/browser/portal.mjs driving Debian's
headless Chromium through the pages, LibreOffice typing into the workbook the member
downloads (tests/support/office_typist.py). Used by tests/e2e/test_portal_browser.py and by
`make portal-images` (scripts/portal-images), which keeps its screenshots."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.conftest import Who

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools" / "browser"
WGREPORT = [sys.executable, "-m", "wgreport"]
KR = (ROOT / "inputs" / "2024" / "contributions" / "KR.yaml").read_bytes()
#: Korea's contribution with two errors: a theme that is not the group's, a value out of
#: its indicator's bounds.
TWO_ERRORS = KR.replace(b"theme: active-governance", b"theme: agile-goverance", 1).replace(
    b"value: 0.96789", b"value: 96.79", 1
)
#: Korea's contribution with one word of its summary changed (draft 002 against 001).
ONE_WORD = KR.replace(b"Korea moved several Digital", b"Korea moved many Digital", 1)
TYPIST = ROOT / "tests" / "support" / "office_typist.py"
#: Pythons that may have LibreOffice's `uno` module (python3-uno; LibreOffice's own).
UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python")

SUMMARY = (
    "In 2024 Korea moved its Digital Platform Government projects from pilot to routine "
    "operation: the mobile ID is accepted by every central government service, and the "
    "one-stop notification of benefits reached local governments in pilot regions. A new "
    "initiative prepares guidance for civil servants who use generative AI."
)
SURVEY = "UN E-Government Survey 2024"
#: What Korea's contact types into last edition's workbook, pre-filled, in LibreOffice:
#: this year's summary, and the 2024 survey's values in place of the 2022 ones.
FILL = [
    ["Contribution", "B9", SUMMARY],
    ["Indicators", "B2", "0.9679"], ["Indicators", "E2", "2024"], ["Indicators", "F2", SURVEY],
    ["Indicators", "B3", "0.9125"], ["Indicators", "E3", "2024"], ["Indicators", "F3", SURVEY],
    ["Indicators", "B4", "4"], ["Indicators", "E4", "2024"], ["Indicators", "F4", SURVEY],
]  # fmt: skip
#: Two mistakes a person makes in a spreadsheet: a decimal comma (Calc, in English, keeps
#: it as text) and a date written the British way (not a date in English: kept as text).
MISTAKES = [["Indicators", "B2", "0,9679"], ["Contribution", "B5", "14/02/2025"]]
#: The same two cells typed again.
FIXES = [["Indicators", "B2", "0.9679"], ["Contribution", "B5", "2025-02-14"]]
#: The reviewer's comment: first sent with a page past the draft's last, then with `page`.
COMMENT = {
    "section": "KR",
    "page": 12,
    "refused_page": 900,
    "kind": "editorial",
    "comment": "The second paragraph repeats the first one's figures.",
    "proposed_change": "Keep the figures in the first paragraph only.",
}
ANSWER = {"ref": "jane-example#1", "status": "accepted",
          "response": "Agreed: the figures are now in the first paragraph only."}  # fmt: skip
REPLY = {"comment": 1, "text": "Thank you; the second paragraph reads better now."}
#: The two phases of the rehearsal: the first draft and a comment on it; then the answer and
#: the reply, a word changed and the second draft.
FIRST = ["workbook", "member", "secretariat", "reviewer"]
SECOND = ["answer", "reply", "edit", "build2", "words", "tour"]


@dataclass
class Rehearsal:
    base_url: str
    links: dict[str, str]  # role -> sign-in link
    inputs: Path
    outputs: Path
    portal_dir: Path
    files: Path  # the member's files to upload, downloads


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"wgreport portal exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"wgreport portal did not answer on port {port} in {seconds:g} s")


@contextlib.contextmanager
def rehearsal(
    base: Path, env: dict[str, str] | None = None, members: tuple[str, ...] | None = None
) -> Iterator[Rehearsal]:
    """`wgreport portal` over a copy of the demo inputs in `base`, with one invitation per
    role; `env` is added to its environment (and so to the builds it starts). With
    `members` (Korea among them), the 2024 edition expects only those (tests.conftest's
    `copy_inputs`): the drafts the secretariat builds are that much smaller."""
    from tests.conftest import copy_inputs
    from wgreport.layout import Inputs
    from wgreport.portal.store import Store

    inputs = copy_inputs(base, members)
    outputs, portal_dir, files = base / "outputs", base / "portal", base / "files"
    files.mkdir()
    # Korea has nothing for 2024 yet: its page offers its 2023 file, pre-filled
    Inputs(inputs).edition(2024).contribution("KR").unlink()
    (files / "KR-two-errors.yaml").write_bytes(TWO_ERRORS)
    (files / "KR.yaml").write_bytes(KR)
    (files / "edited").mkdir()
    (files / "edited" / "KR.yaml").write_bytes(ONE_WORD)
    store = Store(portal_dir)
    links = {}
    port = _free_port()
    invitations: list[tuple[str, Who]] = [
        ("member", {"member": "KR"}),
        ("reviewer", {"reviewer": "jane-example", "name": "Jane Example",
                      "organisation": "Example Review Office"}),
        ("secretariat", {}),
    ]  # fmt: skip
    for role, who in invitations:
        _, token = store.invite(role, f"{role}@example.org", **who)
        links[role] = f"http://127.0.0.1:{port}/signin/{token}"
    command = [*WGREPORT, "portal", "--port", str(port), "--year", "2024",
               "--inputs", str(inputs), "--outputs", str(outputs)]  # fmt: skip
    full_env = {**os.environ, "WGREPORT_PORTAL_DIR": str(portal_dir), **(env or {})}
    log = (base / "portal.log").open("wb")
    process = subprocess.Popen(command, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, process)
        yield Rehearsal(f"http://127.0.0.1:{port}", links, inputs, outputs, portal_dir, files)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def uno_python() -> str | None:
    """The Python that can drive LibreOffice (has `uno`), or None."""
    for python in UNO_PYTHONS:
        if Path(python).exists():
            found = subprocess.run([python, "-c", "import uno"], capture_output=True, check=False)
            if found.returncode == 0:
                return python
    return None


def drive(
    run: Rehearsal,
    steps: list[str],
    *,
    office_python: str | None = None,
    build: bool = True,
    screenshots: Path | None = None,
    widths: tuple[int, ...] = (1280, 390),
) -> dict[str, Any]:
    """`steps` of the roles' visits in Chromium (tools/browser/portal.mjs); what it saw.
    A role signs in on its first step; a later call carries on in its session."""
    plan = {
        "base": run.base_url,
        "downloads": str(run.files),
        "sessions": str(run.files / "sessions"),
        "screenshots": str(screenshots) if screenshots else None,
        "steps": steps,
        "widths": list(widths),
        "office": {"python": office_python or uno_python() or "python3", "typist": str(TYPIST),
                   "profile": str(run.files / "office-profile")},
        "workbook": {"fill": FILL, "mistakes": MISTAKES, "fixes": FIXES, "preview_ms": 90_000},
        "member": {
            "link": run.links["member"],
            "home": "/member",
            "bad": str(run.files / "KR-two-errors.yaml"),
            "good": str(run.files / "KR.yaml"),
            "edited": str(run.files / "edited" / "KR.yaml"),
        },
        "secretariat": {"link": run.links["secretariat"], "home": "/secretariat",
                        "build": build, "timeout_ms": 300_000},
        "reviewer": {"link": run.links["reviewer"], "home": "/review", "comment": COMMENT},
        "answer": ANSWER,
        "reply": REPLY,
    }  # fmt: skip
    path = run.files / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    proc = subprocess.run(
        ["node", str(TOOLS / "portal.mjs"), str(path)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        portal_log = (run.files.parent / "portal.log").read_text(errors="replace")[-3000:]
        raise AssertionError(
            f"{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}\n--- portal log ---\n{portal_log}"
        )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result
