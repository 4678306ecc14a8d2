"""`wgreport edition new` carries the editorial chapters over and writes each one's file to
write, so that the new edition is valid from the start."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from tests.conftest import DEMO_INPUTS
from wgreport.inputs.edition_setup import new_edition
from wgreport.inputs.validate_paths import validate_paths


def test_a_new_edition_gets_its_key_messages_to_write(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, inputs)
    made = new_edition(inputs, 2025, dt.date(2026, 2, 27))
    key = inputs / "2025" / "key-messages.md"
    assert key in made.written
    assert key.read_text(encoding="utf-8") == "TODO: the key messages of the 2025 edition.\n"
    assert "chapters:\n  - id: key-messages\n" in (inputs / "2025" / "edition.yaml").read_text()
    assert any("key messages" in step for step in made.next_steps)
    report = validate_paths([inputs / "2025" / "edition.yaml"], inputs)
    assert report.valid, report.to_dict()
