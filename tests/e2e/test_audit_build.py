"""builds.log after a whole library build (the session's shared draft): its one entry, every key.
The log's other cases, without a whole build: tests/unit/build/test_audit.py."""

from __future__ import annotations

import getpass
import json
import socket
from pathlib import Path

from tests.unit.build.test_audit import KEYS
from wgreport.build.audit import LOG_NAME


def test_a_library_build_is_recorded(library_draft: Path) -> None:
    year_dir = library_draft.parent.parent
    lines = (year_dir / LOG_NAME).read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[0])
    assert set(entry) == KEYS
    assert entry["result"] == "success" and entry["error"] is None
    assert entry["draft"] == library_draft.name and entry["folder"] == f"drafts/{entry['draft']}"
    assert entry["user"] == getpass.getuser() and entry["host"] == socket.gethostname()
    assert entry["via"] == "library" and entry["year"] == 2024
    assert entry["parameters"]["year"] == 2024 and entry["parameters"]["final"] is False
    assert entry["parameters"]["outputs_dir"] == str(year_dir.parent)
    assert entry["started_at"] <= entry["finished_at"]
    assert entry["started_at"] != "2025-03-15T09:00:00Z"  # real time, not the pinned build time
