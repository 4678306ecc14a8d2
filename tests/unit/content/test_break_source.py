"""A break in series carries its citation (an optional `source` beside the reason), printed
with the reason in the method section and in each member's table notes."""

from __future__ import annotations

from tests.conftest import DEMO_INPUTS
from wgreport.build.pipeline import make_context
from wgreport.build.plan import make_build_info
from wgreport.inputs.edition import load_edition_inputs


def test_a_series_break_prints_its_source() -> None:
    """The demo's DGI break cites the OECD paper that states it."""
    ctx = make_context(load_edition_inputs(DEMO_INPUTS, 2024), make_build_info(None))
    [dgi] = ctx.method.breaks
    assert dgi.term == "OECD Digital Government Index, 2024 edition"
    assert dgi.meaning.endswith(
        "not comparable with the 2019 index used in the 2023 edition. Source: OECD (2024), "
        "2023 OECD Digital Government Index, Results and Key Findings, OECD Public Governance "
        "Policy Papers No. 44, https://doi.org/10.1787/1a89ed5e-en."
    )
    korea = next(m for m in ctx.members if m.code == "KR")
    line = next(i for i in korea.indicators if i.id == "dgi")
    assert line.break_reason == dgi.meaning
