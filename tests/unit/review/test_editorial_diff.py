"""A draft records the facts it printed and the editorial sentences citing them
(facts.json); `wgreport diff` and the review page list each sentence whose cited values
changed between two drafts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS
from wgreport.build.outputs import data_files
from wgreport.build.pipeline import compute_frames, make_context
from wgreport.build.plan import make_build_info
from wgreport.cli.main import app
from wgreport.inputs.edition import load_edition_inputs
from wgreport.layout import FACTS_JSON, Outputs
from wgreport.review.draftdiff import changes_lines, compare_drafts

runner = CliRunner()


def _publish(inputs: Path, outputs: Path, number: int, digest: str) -> Path:
    """A draft folder as far as the comparison reads one: the facts.json the build writes
    from the edition, and a manifest whose KR digest stands for the file's content."""
    loaded = load_edition_inputs(inputs, 2024)
    _, frames = compute_frames(loaded)
    files = data_files(frames, make_context(loaded, make_build_info(None)))
    draft = Outputs(outputs).year(2024).draft(number)
    draft.folder.mkdir(parents=True)
    draft.file(FACTS_JSON).write_bytes(files[FACTS_JSON])
    members = sorted(loaded.contributions)
    manifest = {
        "inputs": {"inputs/2024/contributions/KR.yaml": digest},
        "members_included": members,
    }
    draft.manifest.write_text(json.dumps(manifest), encoding="utf-8")
    return draft.folder


def test_a_draft_records_its_facts_and_the_sentences_citing_them(tmp_path: Path) -> None:
    folder = _publish(DEMO_INPUTS, tmp_path / "outputs", 1, "a")
    record = json.loads((folder / FACTS_JSON).read_text(encoding="utf-8"))
    facts = {f["id"]: f for f in record["facts"]}
    assert facts["egdi-rank.members.declined"]["printed"] == "6"
    sentence = next(s for s in record["sentences"] if "fell in the world" in s["written"])
    assert sentence == {
        "file": "key-messages.md",
        "line": 6,
        "written": "{{ egdi-rank.members.declined }} of the {{ egdi-rank.members.compared }} "
        "members fell in the world ranking, {{ egdi-rank.members.improved }} rose and "
        "{{ egdi-rank.members.unchanged }} kept the same rank.",
        "printed": "6 of the 10 members fell in the world ranking, 3 rose and 1 kept the same rank.",
        "values": {
            "egdi-rank.members.declined": "6",
            "egdi-rank.members.compared": "10",
            "egdi-rank.members.improved": "3",
            "egdi-rank.members.unchanged": "1",
        },
    }


def test_a_changed_value_shows_in_the_diff_against_the_sentence_citing_it(
    tmp_path: Path,
) -> None:
    outputs = tmp_path / "outputs"
    _publish(DEMO_INPUTS, outputs, 1, "a")
    inputs = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, inputs)
    kr = inputs / "2024" / "contributions" / "KR.yaml"
    text = kr.read_text(encoding="utf-8")
    assert "  - id: egdi-rank\n    value: 4\n" in text
    kr.write_text(
        text.replace("  - id: egdi-rank\n    value: 4\n", "  - id: egdi-rank\n    value: 3\n")
    )
    _publish(inputs, outputs, 2, "b")  # Korea held its rank: 5 fell, 2 held
    year = Outputs(outputs).year(2024)
    changes = compare_drafts(year.draft(1).folder, year.draft(2).folder)
    expected = (
        "editorial: key-messages.md line 6: values it cites changed "
        "(egdi-rank.members.declined 6 → 5; egdi-rank.members.unchanged 1 → 2): "
        "'5 of the 10 members fell in the world ranking, 3 rose and 2 kept the same rank.'"
    )
    assert expected in changes_lines(changes)
    result = runner.invoke(app, ["diff", "--year", "2024", "1", "2", "--outputs", str(outputs)])
    assert result.exit_code == 0, result.output
    assert f"  {expected}" in result.output.splitlines()
    # a sentence whose values did not change is not listed
    assert not [line for line in changes_lines(changes) if "EGDI values run from" in line]
