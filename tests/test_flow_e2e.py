"""End-to-end: the Prefect flow under Prefect's test harness, read back from its outputs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from wgreport.inputs import load_edition_inputs

from .conftest import copy_inputs

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def flow_drafts(
    prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, Path]:
    """Two runs of the flow on a copy of the demo: drafts 001 and 002."""
    from flows.annual_report import annual_report

    base = tmp_path_factory.mktemp("flow")
    inputs = copy_inputs(base)
    outputs = base / "outputs"
    first = Path(annual_report(2024, inputs_dir=str(inputs), outputs_dir=str(outputs)))
    second = Path(annual_report(2024, inputs_dir=str(inputs), outputs_dir=str(outputs)))
    return inputs, first, second


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def test_drafts_are_numbered_and_never_overwritten(flow_drafts: tuple[Path, Path, Path]) -> None:
    _, first, second = flow_drafts
    assert first.name == "001" and second.name == "002"
    assert first.parent == second.parent
    latest = first.parent.parent / "latest"
    assert latest.resolve() == second.resolve()
    expected = [
        "SHA256SUMS", "comments.csv", "comments.html", "data/completeness.csv", "data/governance.csv", "data/indicator_change.csv",
        "data/indicator_summary.csv", "data/indicators.csv", "data/initiatives.csv",
        "data/themes.csv", "manifest.json", "report.html", "report.json", "report.pdf",
        "validation.json",
    ]  # fmt: skip
    for folder in (first, second):
        found = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        assert found == expected
    html = (first / "report.html").read_text(encoding="utf-8")
    for name in expected:
        if name.startswith(("data/", "comments.")) or name == "report.json":
            assert f'href="{name}"' in html, name


def test_pdf_holds_every_member_and_initiative(flow_drafts: tuple[Path, Path, Path]) -> None:
    inputs, first, _ = flow_drafts
    loaded = load_edition_inputs(inputs, 2024)
    reader = PdfReader(first / "report.pdf")
    assert 30 <= len(reader.pages) <= 80
    text = " ".join(pdf_text(first / "report.pdf").split())
    for member in loaded.working_group.members:
        assert member.name in text
    titles = [i.title for c in loaded.contributions.values() for i in c.initiatives]
    assert len(titles) >= 20
    for title in titles:
        assert " ".join(title.split()) in text, title
    assert "Draft 001" in text
    assert "디지털플랫폼정부위원회" in text  # Hangul survived with real glyphs
    manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pages"] == len(reader.pages)
    assert manifest["members_left_out"] == []
    assert manifest["render_warnings"] == []
    assert manifest["built_at"] == "2025-03-15T09:00:00Z"
    assert "inputs/2024/contributions/KR.yaml" in manifest["inputs"]


def test_pdf_metadata_and_outline(flow_drafts: tuple[Path, Path, Path]) -> None:
    _, first, _ = flow_drafts
    reader = PdfReader(first / "report.pdf")
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Agile and Active Digital Governance — Annual Report 2024"
    assert meta.author == "Digital Nations Digital Governance Working Group"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Executive summary" in outline
    assert "Republic of Korea" in outline and "Denmark" in outline


def test_html_is_complete_and_clean(flow_drafts: tuple[Path, Path, Path]) -> None:
    _, first, _ = flow_drafts
    html = (first / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert 'lang="en"' in html
    assert "Content-Security-Policy" in html
    for leak in ("{{", "{%", "None", "undefined", "<script"):
        assert leak not in html, leak
    assert html.count('class="chapter member"') == 10
