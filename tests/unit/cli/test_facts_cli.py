"""`wgreport facts`: every fact with its printed value and source, as text or JSON."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS
from wgreport.cli.main import app

runner = CliRunner()


def test_facts_json_lists_id_printed_and_source() -> None:
    result = runner.invoke(
        app, ["facts", "--year", "2024", "--inputs", str(DEMO_INPUTS), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)
    assert isinstance(facts, list) and len(facts) == 314
    assert all({"id", "printed", "source"} <= set(f) for f in facts)
    by_id = {f["id"]: f for f in facts}
    assert by_id["egdi.group.median.change"]["printed"] == "+0.0128"
    assert by_id["egdi.world.change"] == {
        "id": "egdi.world.change",
        "printed": "+0.0280",
        "value": "0.0280",
        "source": "the world average, 2022 and 2024 surveys",
    }


def test_facts_text_lists_one_fact_a_line() -> None:
    result = runner.invoke(app, ["facts", "--year", "2024", "--inputs", str(DEMO_INPUTS)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "314 facts of the 2024 edition ({{ id }} in editorial text):"
    assert lines[4].split()[:2] == ["egdi.group.median", "0.9140"]
    assert any(line.split()[:2] == ["egdi-rank.members.declined", "6"] for line in lines)


def test_facts_of_an_edition_that_is_not_there_is_a_usage_error() -> None:
    result = runner.invoke(app, ["facts", "--year", "2019", "--inputs", str(DEMO_INPUTS)])
    assert result.exit_code == 2
    assert "2019" in result.output
