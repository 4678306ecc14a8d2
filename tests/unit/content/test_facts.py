"""The facts the secretariat's prose can cite: every id resolves, and each prints what the
report's tables print."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEMO_INPUTS, ROOT
from wgreport.build.pipeline import compute_frames, make_context
from wgreport.build.plan import make_build_info
from wgreport.content.facts import Fact, compute_facts
from wgreport.content.reportmodel import ReportContext
from wgreport.inputs.edition import LoadedEdition, load_edition_inputs
from wgreport.inputs.factrefs import fact_ids


@functools.cache
def _demo() -> tuple[LoadedEdition, dict[str, Fact]]:
    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    previous, frames = compute_frames(loaded)
    facts = compute_facts(loaded.working_group, frames, 2024, previous)
    return loaded, {f.id: f for f in facts}


@functools.cache
def _demo_context() -> ReportContext:
    return make_context(_demo()[0], make_build_info(None))


def test_every_fact_id_resolves_on_the_demo() -> None:
    loaded, facts = _demo()
    assert list(facts) == fact_ids(loaded.working_group)
    assert all(f.printed and f.source for f in facts.values())
    assert facts["egdi.group.median"].printed == "0.9140"


def test_the_group_lost_ground_against_the_world() -> None:
    """The issue's pattern: the group median EGDI rose by 0.0128, the world average by
    0.0280, and 6 of the 10 members fell in the world ranking."""
    _, facts = _demo()
    printed = {k: f.printed for k, f in facts.items()}
    assert printed["egdi.group.median.change"] == "+0.0128"
    assert printed["egdi.world.change"] == "+0.0280"
    assert printed["egdi.world.gap"] == "+0.2758"
    assert printed["egdi.world.gap.previous"] == "+0.2910"
    assert printed["egdi.world.gap.trend"] == "narrowed"
    assert printed["egdi-rank.members.declined"] == "6"
    assert printed["egdi-rank.members.compared"] == "10"
    assert printed["egdi-rank.members.improved"] == "3"
    assert printed["egdi-rank.members.unchanged"] == "1"


def test_spread_and_initiatives_on_the_demo() -> None:
    _, facts = _demo()
    printed = {k: f.printed for k, f in facts.items()}
    assert (printed["egdi.group.lowest"], printed["egdi.group.highest"]) == ("0.7850", "0.9847")
    assert printed["egdi.group.iqr"] == "0.1063"
    assert printed["egdi.KR.median.side"] == "above"
    assert printed["egdi.KR.median.gap"] == "+0.0539"
    assert printed["initiatives.new"] == "11"
    assert printed["initiatives.completed"] == "14"
    assert printed["initiatives.discontinued"] == "1"
    # no comparison across the DGI's break in series
    assert printed["dgi.group.median.change"] == "n/a"
    assert printed["dgi.KR.change"] == "break in series"


def test_facts_print_what_the_tables_print() -> None:
    """The group median row of the indicator table, and each member's line of its chapter's
    table (value, previous value, change, rank), read from the context the templates place."""
    loaded, facts = _demo()
    ctx = _demo_context()
    wg = loaded.working_group
    median_row = next(r for r in ctx.indicator_rows if r.label == "Group median")
    for indicator, cell in zip(wg.indicators, median_row.cells, strict=True):
        assert facts[f"{indicator.id}.group.median"].printed == cell
    checked = 0
    for chapter in ctx.members:
        for line in chapter.indicators:
            prefix = f"{line.id}.{chapter.code}"
            assert facts[f"{prefix}.value"].printed == line.value
            assert facts[f"{prefix}.previous"].printed == line.previous
            assert facts[f"{prefix}.change"].printed == line.change
            assert facts[f"{prefix}.rank"].printed == line.rank.replace("–", "n/a")
            checked += 1
    assert checked == 40


def test_every_fact_resolves_on_a_generated_50_member_edition(tmp_path: Path) -> None:
    from wgreport.inputs.demodata import write_demo_inputs

    write_demo_inputs(tmp_path, 50, 2024, 7)
    loaded = load_edition_inputs(tmp_path, 2024)
    previous, frames = compute_frames(loaded)
    facts = compute_facts(loaded.working_group, frames, 2024, previous)
    assert [f.id for f in facts] == fact_ids(loaded.working_group)
    assert len(loaded.working_group.members) == 50
    assert all(f.printed and f.source for f in facts)
    json.dumps([f.to_dict() for f in facts])  # JSON-ready
    by_id = {f.id: f for f in facts}
    assert by_id["members.count"].printed == "50"
    assert by_id["egdi.group.median"].printed != "n/a"


@pytest.mark.parametrize("module", ["wgreport.inputs.factrefs"])
def test_fact_ids_are_known_without_pandas(module: str) -> None:
    code = (
        f"import sys, {module} as m; from wgreport.inputs.validation import load_working_group;"
        "from pathlib import Path;"
        f"wg, _ = load_working_group(Path({str(DEMO_INPUTS / 'working-group.yaml')!r}));"
        "ids = m.fact_ids(wg); assert 'egdi.KR.change' in ids, ids[:5];"
        "heavy = {'pandas', 'prefect', 'weasyprint', 'matplotlib'} & set(sys.modules);"
        "assert not heavy, heavy"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src")}
    )
