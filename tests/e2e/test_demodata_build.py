"""A whole library build of a tree `wgreport demo-data` generated (twelve members). The
generator itself: tests/unit/inputs/test_demodata.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

from wgreport.inputs.demodata import write_demo_inputs


def test_a_library_build_of_a_generated_tree(tmp_path: Path) -> None:
    from wgreport.build.steps import build
    from wgreport.runtime.settings import get_settings

    inputs = tmp_path / "inputs"
    summary = write_demo_inputs(inputs, 12, 2024, 4)
    folder = build(get_settings(inputs, tmp_path / "outputs"), 2024)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    codes = re.findall(r"^  - code: ([A-Z]{2})$", (inputs / "working-group.yaml").read_text(), re.M)
    assert manifest["members_included"] == codes and len(codes) == 12
    assert manifest["members_left_out"] == []
    assert manifest["render_warnings"] == []
    assert manifest["pages"] > 12
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 1
    assert html.count("data:image/svg+xml;base64,") >= 1
    assert summary.images >= 2
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF-")
