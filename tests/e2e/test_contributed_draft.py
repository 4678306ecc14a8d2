"""Members' own tables and figures read back from the demo draft's PDF: numbered, listed and
captioned. The numbering itself, without a whole build: tests/unit/content/test_contributed.py."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def test_the_demo_draft_numbers_and_lists_the_members_tables_and_figures(
    library_draft: Path,
) -> None:
    text = subprocess.run(
        ["pdftotext", "-layout", str(library_draft / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = text.split("\f")
    lists = next(p for p in pages if "Figures, tables and abbreviations" in p and "Tables" in p)
    for entry in (
        r"Figure 5\.1 Korea: Flow of a benefit notification",
        r"Table 5\.2 Korea: The five steps of a one-stop benefit notification",
        r"Table 7\.2 Estonia: Forms that still ask twice",
        r"Table 14\.2 Denmark: The seven principles",
        r"Table 13\.2 Uruguay: How the process was organised",
    ):
        assert re.search(entry + r".*?\.{3,}\s*\d+", text, re.S), entry
    assert re.search(r"Figure 5\.1 Korea", lists)
    for caption in (
        "Figure 5.1. Flow of a benefit notification",
        "Table 5.2. Korea: The five steps of a one-stop benefit notification",
        "Table 14.2. Denmark: The seven principles",
    ):
        assert caption in text
    # the titles became captions: no "Table:" line and no bold heading left above the table
    assert "Table: " not in text
    assert text.count("The seven principles") == 2  # the list and the caption
