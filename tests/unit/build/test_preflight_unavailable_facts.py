"""A fact cited in the editorial text that prints "n/a" is a warning of the final's preflight
(issue 39): with its file and line and why the fact has none; it does not refuse the final.
The demo's key messages cite none."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import copy_inputs
from wgreport.build.pipeline import printed_facts
from wgreport.build.preflight import Overrides, preflight


def test_a_cited_fact_that_prints_n_a_is_a_warning_with_its_line(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path)
    key = inputs / "2024" / "key-messages.md"
    text = key.read_text(encoding="utf-8")
    key.write_text(
        text + "\nThe DGI median moved by {{ dgi.group.median.change }} since 2023.\n",
        encoding="utf-8",
    )
    line = len(text.splitlines()) + 2
    outputs = tmp_path / "outputs"
    plain = copy_inputs(tmp_path / "plain")
    before = preflight(plain, outputs, 2024, Overrides(), printed_facts=printed_facts)
    result = preflight(inputs, outputs, 2024, Overrides(), printed_facts=printed_facts)
    # the portal's preflight (it builds nothing) computes no facts: no such warning
    assert preflight(inputs, outputs, 2024, Overrides()).warnings == []
    assert before.warnings == []
    [warning] = result.warnings
    assert (warning.check, warning.file, warning.line) == (
        "unavailable-facts",
        "inputs/2024/key-messages.md",
        line,
    )
    assert warning.message.startswith(
        "{{ dgi.group.median.change }} prints 'n/a' in this edition ("
    )
    assert "wgreport facts" in warning.fix
    assert [p.to_dict() for p in result.problems] == [p.to_dict() for p in before.problems]
    text_out = "\n".join(result.lines())
    assert "Warnings (1; they do not refuse the final):" in text_out
    assert f"inputs/2024/key-messages.md:{line}: {{{{ dgi.group.median.change }}}}" in text_out
    assert result.to_dict()["warnings"] == [warning.to_dict()]
