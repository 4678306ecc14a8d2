"""Builds that render per chapter (split from test_parallel.py, whose tests share one
render of the demo, so that the two files can run on two workers at once): a build with
workers reuses its parts; a chapter over the time limit leaves its member out of a draft,
and a final is refused for it unless allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import ROOT
from tests.e2e.test_parallel import TEMPLATES, _outline

# The small edition's page count (tests.conftest.SMALL: Korea, the United Kingdom, Estonia),
# pinned as test_parallel.py pins the demo's.
SMALL_PAGES = 37


def test_a_build_with_workers_renders_in_parallel_and_reuses_its_parts(tmp_path: Path) -> None:
    """Of the small edition: its 15 parts are the front matter, the seven chapters before
    the members', one per member (three) and the four annexes, as the demo's 22 are (ten
    members); the six that print page numbers are the same six."""
    import json

    from tests.conftest import SMALL, copy_inputs
    from wgreport.build.steps import build
    from wgreport.runtime.settings import Settings

    settings = Settings(
        root=ROOT,
        inputs_dir=copy_inputs(tmp_path, members=SMALL),
        outputs_dir=tmp_path / "outputs",
        render_workers=2,
    )
    first, second = build(settings, 2024), build(settings, 2024)
    one, two = (json.loads((f / "manifest.json").read_text("utf-8")) for f in (first, second))
    assert one["render"] == {
        "mode": "parallel", "workers": 2, "parts": 15, "parts_laid_out": 6,
        "parts_rendered": 15, "passes": 1,
    }  # fmt: skip
    # The second draft differs only in its label ("Draft 002"), which only the front
    # matter carries (the other pages get it from the stamp): one part is rendered again.
    assert two["render"]["parts_laid_out"] == 0 and two["render"]["parts_rendered"] == 1
    assert two["pages"] == one["pages"] == SMALL_PAGES
    text = PdfReader(second / "report.pdf").pages[30].extract_text()
    assert "Draft 002 · built" in text and f"Page 31 of {SMALL_PAGES}" in text
    assert (settings.outputs_dir / ".cache" / "parts" / "pdf").is_dir()


def test_a_chapter_over_the_time_limit_leaves_its_member_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member's chapter that hangs is stopped at the time limit (its worker killed), and
    the draft is published without the member, who is reported as not rendered."""
    import json
    import os
    import time

    from tests.conftest import SMALL, copy_inputs
    from tests.support import slowparts
    from wgreport.build.steps import build
    from wgreport.render.pdf import schedule
    from wgreport.runtime.settings import Settings

    pids = tmp_path / "slow.pids"
    monkeypatch.setenv("WGREPORT_TEST_SLOW_PIDS", str(pids))
    monkeypatch.setattr(schedule, "worker_pool", slowparts.pool)
    settings = Settings(
        root=ROOT,
        inputs_dir=copy_inputs(tmp_path, members=SMALL),  # Korea and two others
        outputs_dir=tmp_path / "outputs",
        render_workers=2,
        chapter_time_limit=20,
    )
    started = time.monotonic()
    folder = build(settings, 2024)
    assert time.monotonic() - started < 300  # not the slow worker's ten minutes
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    included = manifest["members_included"]
    assert "KR" not in included and len(included) == len(SMALL) - 1 == 2
    reason = "submitted, not rendered: its chapter took longer than 20 s to lay out"
    assert {"member": "KR", "reason": reason} in manifest["members_left_out"]
    killed = [int(p) for p in pids.read_text("utf-8").split()]
    assert killed, "the slow chapter never started"
    for pid in killed:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # the hanging worker was stopped, not left running
    reader = PdfReader(folder / "report.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Republic of Korea" in text and "not rendered" in text
    assert not any(title == "Republic of Korea" for _, title, _ in _outline(reader))


def test_a_final_whose_member_chapter_overran_is_refused_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for a member whose contribution is not valid: a final is refused, naming the member
    and the option, until `--allow-missing` names it; then it is published without it."""
    import json

    from tests.conftest import copy_inputs
    from tests.support import slowparts
    from wgreport.build.audit import read_log
    from wgreport.build.steps import build
    from wgreport.errors import FinalRefused, PartsTimedOut
    from wgreport.render.html import render_pdf
    from wgreport.render.pdf import schedule
    from wgreport.runtime.settings import Settings

    seen: list[str] = []

    def korea_hangs(html: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(html)
        if slowparts.SLOW_SECTION in html:
            raise PartsTimedOut(["member-kr"], 300)  # what render_single finds (test above)
        # The render itself is tested elsewhere (test_pdf_final.py); a small PDF will do.
        pdf, log = render_pdf("<p>final</p>", TEMPLATES, variant=kwargs["variant"])
        return pdf, log.warnings

    monkeypatch.setattr(schedule, "render_single", korea_hangs)
    outputs = tmp_path / "outputs"
    settings = Settings(root=ROOT, inputs_dir=copy_inputs(tmp_path), outputs_dir=outputs)
    reason = "submitted, not rendered: its chapter took longer than 300 s to lay out"
    with pytest.raises(FinalRefused, match=rf"KR \({reason}\)\. .*--allow-missing KR$"):
        build(settings, 2024, final=True)
    assert not (outputs / "2024" / "final").exists()
    folder = build(settings, 2024, final=True, allow_missing=["KR"])
    assert folder == outputs / "2024" / "final"
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["final"] and "KR" not in manifest["members_included"]
    assert {"member": "KR", "reason": reason, "allowed_by": "--allow-missing"} in manifest[
        "members_left_out"
    ]
    assert manifest["render"]["mode"] == "single"
    assert [e["result"] for e in read_log(outputs / "2024")] == ["refused", "success"]
    # rendered again without Korea's chapter, and with the reason in the status annex
    assert len(seen) == 3 and slowparts.SLOW_SECTION not in seen[-1]
    assert "not rendered: its chapter took longer than 300 s" in seen[-1]
