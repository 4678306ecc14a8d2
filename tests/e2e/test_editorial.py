"""Issue 39 in one build of the demo, read back from its PDF: every fact a member's table
or the indicator table prints is printed there as the fact prints it (facts.json), and the
key messages open the executive summary with every reference replaced by its value."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DEMO_INPUTS
from wgreport.inputs.edition import load_edition_inputs
from wgreport.layout import FACTS_JSON


@pytest.fixture(scope="module")
def pdf_lines(library_draft: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(library_draft / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return text.splitlines()


@pytest.fixture(scope="module")
def record(library_draft: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((library_draft / FACTS_JSON).read_text(encoding="utf-8"))
    return data


def _flat(lines: list[str]) -> str:
    """The text as one line; a word broken at its hyphen across lines joined again."""
    return re.sub(r"(\w)- (?=[A-Z])", r"\1-", " ".join(" ".join(lines).split()))


def test_facts_print_as_the_pdf_tables_print_them(
    pdf_lines: list[str], record: dict[str, Any]
) -> None:
    printed = {f["id"]: f["printed"] for f in record["facts"]}
    wg = load_edition_inputs(DEMO_INPUTS, 2024).working_group
    # the indicator table's group median row
    median_row = next(line for line in pdf_lines if line.strip().startswith("Group median"))
    assert median_row.split()[2:] == [printed[f"{i.id}.group.median"] for i in wg.indicators]
    # each member's table: value, data year, group median, rank, previous (year), change
    titles = [f"{n}. {m.name}" for n, m in enumerate(wg.members, start=5)]
    titles.append("Annex A. Indicator definitions and sources")
    headings = {line.strip(): k for k, line in enumerate(pdf_lines) if line.strip() in titles}
    checked = 0
    for number, member in enumerate(wg.members, start=5):
        start = headings[f"{number}. {member.name}"]
        end = headings[titles[number - 4]]
        block = _flat(pdf_lines[start:end])
        for indicator in wg.indicators:
            fact = f"{indicator.id}.{member.code}"
            if printed[f"{fact}.value"] == "n/a":
                continue
            change = printed[f"{fact}.change"].replace("break in series", "break in")
            row = (
                rf"{re.escape(printed[f'{fact}.value'])} 20\d\d "
                rf"{re.escape(printed[f'{indicator.id}.group.median'])} "
                rf"{re.escape(printed[f'{fact}.rank'])} "
                rf"{re.escape(printed[f'{fact}.previous'])}(?: \(20\d\d\))? "
                rf"{re.escape(change)}"
            )
            assert re.search(row, block), (member.code, indicator.id, row)
            checked += 1
    assert checked == 39  # 10 members × 4 indicators, one DGI value not reported


def test_the_key_messages_open_the_summary_as_printed(
    pdf_lines: list[str], record: dict[str, Any]
) -> None:
    text = _flat(pdf_lines)
    summary = text[text.index("Executive summary Key messages") :]
    assert summary.index("Key messages") < summary.index("Findings computed from the data")
    assert "{{" not in text
    sentences = [s for s in record["sentences"] if s["file"] == "key-messages.md"]
    assert len(sentences) == 6
    for sentence in sentences:
        assert sentence["printed"] in summary, sentence["printed"]
    assert (
        "6 of the 10 members fell in the world ranking, 3 rose and 1 kept the same rank." in summary
    )
