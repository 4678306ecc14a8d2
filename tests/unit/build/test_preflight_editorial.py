"""A final is refused while an editorial chapter holds its placeholder or a reference in the
editorial text resolves to nothing (it would print as written)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import copy_inputs
from wgreport.build.preflight import Overrides, preflight


def test_a_final_refuses_an_unwritten_chapter_and_an_unknown_fact(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path)
    key = inputs / "2024" / "key-messages.md"
    key.write_text(
        "TODO: the key messages of the 2024 edition.\n\nIt rose by {{ egdi.wrld.change }}.\n",
        encoding="utf-8",
    )
    result = preflight(inputs, tmp_path / "outputs", 2024, Overrides())
    found = [
        (p.check, p.file, p.line, p.message, p.fix)
        for p in result.problems
        if p.file == "inputs/2024/key-messages.md"
    ]
    assert found == [
        (
            "placeholders",
            "inputs/2024/key-messages.md",
            1,
            "the chapter 'Key messages' still holds placeholder text: 'TODO: the key messages "
            "of the 2024 edition.'",
            "write the chapter in its place",
        ),
        (
            "placeholders",
            "inputs/2024/key-messages.md",
            3,
            "'egdi.wrld.change' is not a fact of this edition: it would print as written",
            "did you mean 'egdi.world.change'?; wgreport validate inputs/2024/edition.yaml",
        ),
    ]
