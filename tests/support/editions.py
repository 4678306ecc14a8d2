"""Fake outputs for the tests of an edition's stages and country validation: what the
record and the stages read of a draft, without building one."""

from __future__ import annotations

import json
from pathlib import Path

from wgreport.layout import Outputs

SECRETARIAT = "secretariat@example.org"


def fake_draft(outputs: Path, number: int, pages: int = 40, year: int = 2024) -> None:
    """A published draft as far as the record needs one: its manifest with its pages."""
    draft = Outputs(outputs).year(year).draft(number)
    draft.folder.mkdir(parents=True)
    draft.manifest.write_text(json.dumps({"pages": pages}), encoding="utf-8")
