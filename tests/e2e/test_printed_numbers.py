"""Every change the demo PDF prints agrees with the printed figures beside it, read back
from the PDF's text: the members' indicator tables, the change charts' data tables and the
key findings. And the report shows no internal file path and no raw Markdown."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

NUMBER = r"[+-]?\d[\d,]*(?:\.\d+)?"
CHANGE = rf"(?:{NUMBER}|up \d+|down \d+|unchanged)"


@pytest.fixture(scope="module")
def pdf_text(library_draft: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(library_draft / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _agrees(now: str, before: str, change: str) -> bool:
    """`change` is the printed `now` minus the printed `before` (a rank: up is a fall)."""
    delta = Decimal(now.replace(",", "")) - Decimal(before.replace(",", ""))
    if change == "unchanged":
        return delta == 0
    if change.startswith(("up ", "down ")):
        places = int(change.split()[1])
        return delta == (-places if change.startswith("up") else places)
    return Decimal(change.replace(",", "")) == delta and change[0] in "+-0"


def _member_rows(text: str) -> list[tuple[str, str, str]]:
    """A member's indicator table: value, data year, median, rank, previous (year), change
    (numbers padded to their column's decimal point: spaces may follow them)."""
    row = re.compile(
        rf"(?P<now>{NUMBER})\s+(?P<year>20\d\d)\s+{NUMBER}\s+\d+(?:st|nd|rd|th)? of.*?\s"
        rf"(?P<before>{NUMBER})\s+\(20\d\d\)\s+(?P<change>{CHANGE}|break in)\s*$"
    )
    return [
        (m["now"], m["before"], m["change"])
        for line in text.splitlines()
        if (m := row.search(line))
    ]


def _chart_rows(text: str) -> list[tuple[str, str, str]]:
    """A change chart's data table: previous (year), this edition (year), change."""
    row = re.compile(
        rf"\s(?P<before>{NUMBER}) \(20\d\d\)\s+(?P<now>{NUMBER}) \(20\d\d\)\s+(?P<change>{CHANGE})\s*$"
    )
    return [
        (m["now"], m["before"], m["change"])
        for line in text.splitlines()
        if (m := row.search(line))
    ]


def _finding_changes(text: str) -> list[tuple[str, str, str]]:
    flat = " ".join(text.split())
    found = [
        (m["now"], m["before"], m["change"])
        for m in re.finditer(
            rf"is (?P<now>{NUMBER}), against (?P<before>{NUMBER}) in the 20\d\d edition "
            rf"\(20\d\d data\), a change of (?P<change>{NUMBER})",
            flat,
        )
    ]
    found += [
        (m["now"], m["before"], m["change"])
        for m in re.finditer(
            rf"\((?P<change>{NUMBER}), from (?P<before>{NUMBER}) to (?P<now>{NUMBER})\)", flat
        )
    ]
    found += [
        (m["now"], m["before"], m["change"])
        for m in re.finditer(
            r"\((?P<change>(?:up|down) \d+), from (?P<before>\d+)(?:st|nd|rd|th) to "
            r"(?P<now>\d+)(?:st|nd|rd|th)\)",
            flat,
        )
    ]
    return found


def test_every_printed_change_equals_its_printed_operands(pdf_text: str) -> None:
    members = _member_rows(pdf_text)
    charts = _chart_rows(pdf_text)
    findings = _finding_changes(pdf_text)
    # 10 members × 4 indicators but Uruguay's DGI (not covered) and Mexico's 2019 DGI (not
    # covered then); the change charts of EGDI, OSI and the rank; the findings' two medians
    # and two pairs of movers.
    assert len(members) == 38, members
    assert len(charts) == 30, charts
    assert len(findings) == 6, findings
    wrong = [
        (now, before, change)
        for now, before, change in members + charts + findings
        if change != "break in" and not _agrees(now, before, change)
    ]
    assert wrong == []


def test_a_break_in_series_prints_no_change(pdf_text: str) -> None:
    dgi = [
        line.split()[-2:]
        for line in pdf_text.splitlines()
        if line.strip().startswith("OECD Digital Government Index") and "(2019)" in line
    ]
    assert len(dgi) == 9  # every member with a 2019 value (Mexico had none)
    assert all(words == ["break", "in"] for words in dgi), dgi  # "break in series"
    assert "OECD Digital Government Index: change against the previous edition" not in pdf_text


def test_a_rank_change_reads_up_or_down(pdf_text: str) -> None:
    changes = [c for _, _, c in _member_rows(pdf_text)]
    assert "up 4" in changes  # the United Kingdom: 11th (2022) to 7th (2024)
    ranks = [r for r in _member_rows(pdf_text) if "." not in r[0] and r[2] != "break in"]
    assert ranks and all(re.fullmatch(r"up \d+|down \d+|unchanged", c) for _, _, c in ranks)


def test_no_internal_path_or_raw_markdown_is_printed(library_draft: Path, pdf_text: str) -> None:
    html = (library_draft / "report.html").read_text(encoding="utf-8")
    body = re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1])
    for text in (pdf_text, body):
        assert "*departamentos*" not in text and "departamentos" in text
        assert not re.search(r"\binputs/|contributions/|\.ya?ml\b|\.indicators\.csv", text)
        assert not re.search(r"(?<![\w*])\*\w[^*\n]*\w\*(?![\w*])", text), "raw emphasis"
    assert "<em>departamentos</em>" in html
