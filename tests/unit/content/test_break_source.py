"""A break in series carries its citation (an optional `source` beside the reason), printed
with the reason in the method section and in each member's table notes."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import DEMO_INPUTS
from wgreport.build.pipeline import make_context
from wgreport.build.plan import make_build_info
from wgreport.inputs.edition import load_edition_inputs


def test_a_series_break_prints_its_source(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, inputs)
    group = inputs / "working-group.yaml"
    text = group.read_text(encoding="utf-8")
    reason = "not comparable with the 2019 index used in the 2023 edition.\n"
    assert reason in text
    source = "OECD Public Governance Policy Papers No. 44 (2024), section 1.2"
    group.write_text(text.replace(reason, f"{reason}        source: {source}\n"), "utf-8")
    ctx = make_context(load_edition_inputs(inputs, 2024), make_build_info(None))
    [dgi] = ctx.method.breaks
    assert dgi.term == "OECD Digital Government Index, 2024 edition"
    assert dgi.meaning.endswith(
        "not comparable with the 2019 index used in the 2023 edition. Source: OECD Public "
        "Governance Policy Papers No. 44 (2024), section 1.2."
    )
    korea = next(m for m in ctx.members if m.code == "KR")
    line = next(i for i in korea.indicators if i.id == "dgi")
    assert line.break_reason == dgi.meaning
