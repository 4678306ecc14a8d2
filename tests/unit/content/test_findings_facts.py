"""The key findings that rest on the edition's facts, pinned word for word: the group's gap
to the published averages in both editions, the spread, how many members rose, fell or kept
their rank, members high on one index and low on another, and the initiatives
discontinued."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import DEMO_INPUTS
from wgreport.build.pipeline import make_context
from wgreport.build.plan import make_build_info
from wgreport.content.reportmodel import ReportContext
from wgreport.inputs.edition import load_edition_inputs

NEW_FINDINGS = {
    "On the E-Government Development Index, the group's lead over the world average narrowed "
    "from +0.2910 to +0.2758: the group median changed by +0.0128, the world average by "
    "+0.0280.": "Figure 4.2",
    "On the Online Service Index, the group's lead over the world average widened from "
    "+0.3248 to +0.3389: the group median changed by +0.0341, the world average by "
    "+0.0200.": "Figure 4.4",
    "The members' values of the E-Government Development Index run from 0.7850 to 0.9847, "
    "with an interquartile range of 0.1063.": "Figure 4.1",
    "Since the 2023 edition, 6 of the 10 members fell in the E-Government Development Index "
    "world rank, 3 rose and 1 kept the same rank.": "Figure 4.6",
    "1 initiative was discontinued since the 2023 edition: Federated trusted digital identity "
    "for benefit programmes (Canada).": "Figure 3.2",
}


def _findings(inputs: Path) -> dict[str, str]:
    ctx: ReportContext = make_context(load_edition_inputs(inputs, 2024), make_build_info(None))
    return {f.text: f.ref_title for f in ctx.findings}


def test_the_findings_over_facts_read_as_printed_with_their_figure() -> None:
    findings = _findings(DEMO_INPUTS)
    assert {t: findings.get(t) for t in NEW_FINDINGS} == NEW_FINDINGS
    texts = list(findings)
    # the gap follows the standing of its indicator; the rank moves follow the movers
    assert texts.index(next(iter(NEW_FINDINGS))) == 1
    rank_moves = texts.index(list(NEW_FINDINGS)[3])
    assert texts[rank_moves - 1].startswith("Since the 2023 edition, on the E-Government Dev")
    assert not any(t.startswith("Members stand high on one index") for t in texts)


def test_a_member_high_on_one_index_and_low_on_another_is_named(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, inputs)
    kr = inputs / "2024" / "contributions" / "KR.yaml"
    text = kr.read_text(encoding="utf-8")
    kr.write_text(
        text.replace("  - id: osi\n    value: 1.00000\n", "  - id: osi\n    value: 0.5\n")
    )
    findings = _findings(inputs)
    expected = (
        "Members stand high on one index and low on another (in the top and bottom quarter of "
        "the members): Korea (3rd of 10 on the E-Government Development Index and 1st of 9 on "
        "the OECD Digital Government Index, but 10th of 10 on the Online Service Index)."
    )
    assert findings[expected] == "Table 4.1"
