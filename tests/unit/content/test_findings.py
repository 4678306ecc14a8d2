"""The key findings: statements about governance computed from the data, each one sentence
with its number, pinned as the demo edition prints them, and the rules behind them (breaks in
series, ties, ranks read the right way) on altered copies of the demo."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest

from tests.conftest import DEMO_INPUTS
from wgreport.build.pipeline import compute_frames
from wgreport.build.plan import make_build_info
from wgreport.content import aggregate
from wgreport.content.context import build_context
from wgreport.content.reportmodel import ReportContext
from wgreport.inputs.edition import LoadedEdition, load_edition_inputs
from wgreport.inputs.models import SeriesBreak

#: The demo edition's key findings as the report prints them (the completed initiatives'
#: list is pinned by test_scale). Each number here was checked against the input files.
DEMO_FINDINGS = [
    "The group median E-Government Development Index (2024 data) is 0.9140, against 0.9012 "
    "in the 2023 edition (2022 data), a change of +0.0128; all 10 members are above the 2024 "
    "world average of 0.6382.",
    "On the E-Government Development Index, the group's lead over the world average narrowed "
    "from +0.2910 to +0.2758: the group median changed by +0.0128, the world average by "
    "+0.0280.",
    "The group median Online Service Index (2024 data) is 0.9143, against 0.8802 in the 2023 "
    "edition (2022 data), a change of +0.0341; all 10 members are above the 2024 world average "
    "of 0.5754.",
    "On the Online Service Index, the group's lead over the world average widened from "
    "+0.3248 to +0.3389: the group median changed by +0.0341, the world average by +0.0200.",
    "The group median OECD Digital Government Index (2023 data) is 0.655, a new series that is "
    "not compared with the 2023 edition's; 6 of 9 members are above the 2023 OECD average of "
    "0.605.",
    "Denmark leads the group on the E-Government Development Index at 0.9847, 0.0120 ahead of "
    "Estonia (0.9727).",
    "The members' values of the E-Government Development Index run from 0.7850 to 0.9847, "
    "with an interquartile range of 0.1063.",
    "Since the 2023 edition, on the E-Government Development Index, Uruguay (+0.0618, from "
    "0.8388 to 0.9006) improved most, and New Zealand (-0.0167, from 0.9432 to 0.9265) "
    "declined most.",
    "Since the 2023 edition, on the E-Government Development Index world rank, Uruguay (up 10, "
    "from 35th to 25th) rose most, and Canada (down 15, from 32nd to 47th) fell most.",
    "Since the 2023 edition, 6 of the 10 members fell in the E-Government Development Index "
    "world rank, 3 rose and 1 kept the same rank.",
    "'Digital identity and trust services' is the practice reported by the most members (9 of "
    "10); three themes are reported by the fewest members, six members each: 'Agile "
    "governance', 'Active and proactive services' and 'Data governance and sharing'.",
    "Eleven initiatives from ten members are new since the 2023 edition; the most new ones are "
    "under 'Cybersecurity and resilience' and 'Digital inclusion and accessibility' (3 each).",
]


#: The demo edition loaded, its previous edition's year and its frames.
Demo = tuple[LoadedEdition, int | None, aggregate.Frames]


@pytest.fixture(scope="module")
def demo() -> Demo:
    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    prev_year, frames = compute_frames(loaded)
    return loaded, prev_year, frames


def _context(
    loaded: LoadedEdition, prev_year: int | None, frames: aggregate.Frames
) -> ReportContext:
    return build_context(loaded, make_build_info(1), frames=frames, previous_year=prev_year)


def test_the_demo_findings_read_as_printed(demo: Demo) -> None:
    ctx = _context(*demo)
    texts = [f.text for f in ctx.findings]
    assert texts[: len(DEMO_FINDINGS)] == DEMO_FINDINGS
    assert texts[len(DEMO_FINDINGS)].startswith("14 initiatives were completed since the 2023")
    assert texts[len(DEMO_FINDINGS) + 1] == (
        "1 initiative was discontinued since the 2023 edition: Federated trusted digital "
        "identity for benefit programmes (Canada)."
    )
    assert len(texts) == len(DEMO_FINDINGS) + 2


def test_no_finding_only_counts_what_the_contents_page_shows(demo: Demo) -> None:
    texts = " ".join(f.text for f in _context(*demo).findings)
    assert "contributed" not in texts
    assert "missing" not in texts.lower()


def test_each_finding_points_at_a_numbered_figure_or_table(demo: Demo) -> None:
    for finding in _context(*demo).findings:
        assert finding.ref_title.split()[0] in {"Figure", "Table"}, finding
        assert re.fullmatch(r"[0-9A-D]+\.\d+", finding.ref_title.split()[1].rstrip(",")), finding


def _with_break(loaded: LoadedEdition, indicator_id: str) -> LoadedEdition:
    wg = loaded.working_group
    indicators = [
        i.model_copy(
            update={"series_breaks": [SeriesBreak(edition=2024, reason="The method changed.")]}
        )
        if i.id == indicator_id
        else i
        for i in wg.indicators
    ]
    return dataclasses.replace(
        loaded, working_group=wg.model_copy(update={"indicators": indicators})
    )


def test_a_break_in_series_gives_no_change_and_no_mover(demo: Demo) -> None:
    loaded, prev_year, _ = demo
    broken = _with_break(loaded, "egdi")
    _, frames = compute_frames(broken)
    texts = [f.text for f in _context(broken, prev_year, frames).findings]
    standing = next(t for t in texts if t.startswith("The group median E-Government"))
    assert "a new series that is not compared with the 2023 edition's" in standing
    assert "a change of" not in standing
    assert not any("on the E-Government Development Index," in t for t in texts)
    rows = frames.change[frames.change["indicator"] == "egdi"]
    assert not rows["comparable"].any()
    assert rows["change"].isna().all()


def _set_value(frames: aggregate.Frames, member: str, indicator: str, value: str) -> None:
    values = frames.values
    at = (values["member"] == member) & (values["indicator"] == indicator)
    if isinstance(values["value"].iloc[0], Decimal):
        # pandas-stubs has no Decimal among a cell's types (an object column's numbers)
        values.loc[at, "value"] = Decimal(value)  # type: ignore[call-overload]
    else:
        values.loc[at, "value"] = float(value)


def test_equal_leaders_share_the_lead(demo: Demo) -> None:
    loaded, prev_year, _ = demo
    _, frames = compute_frames(loaded)
    _set_value(frames, "EE", "egdi", "0.98474")
    texts = [f.text for f in _context(loaded, prev_year, frames).findings]
    assert (
        "Estonia and Denmark share the lead on the E-Government Development Index, "
        "at 0.9847 each." in texts
    )


def test_a_rank_that_falls_in_number_reads_as_up(demo: Demo) -> None:
    text = next(
        f.text for f in _context(*demo).findings if "world rank" in f.text and "Since" in f.text
    )
    assert "up 10, from 35th to 25th" in text
    assert "-10" not in text and "−10" not in text
