"""Front matter and back matter from the edition's editorial fields, with defaults: the
cover's status, the imprint (date, approval of a final, disclaimer, citation, copyright and
licence), the foreword's signatory, acknowledgements with the member contacts, the lists of
figures and tables with their page numbers, and the list of abbreviations."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import DEMO_INPUTS
from wgreport.build.pipeline import compute_frames
from wgreport.build.plan import make_build_info
from wgreport.content.context import build_context
from wgreport.content.reportmodel import ReportContext
from wgreport.inputs.edition import load_edition_inputs


def _ctx(final: bool = False, **edition: object) -> ReportContext:
    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    if edition:
        loaded.edition = loaded.edition.model_copy(update=edition)
    prev, frames = compute_frames(loaded)
    build = make_build_info(None if final else 3, final=final)
    return build_context(loaded, build, frames=frames, previous_year=prev)


def test_the_demo_edition_s_front_matter() -> None:
    fm = _ctx().front
    assert fm.status == "Draft 003 for review, not for citation"
    assert fm.date_line.endswith("not yet published.")
    assert fm.approval == ""  # a draft is not approved
    assert fm.signatory == "Seo-yeon Example" and fm.signatory_role.startswith("Chair")
    assert fm.copyright == "© Digital Nations Digital Governance Working Group 2025"
    assert fm.licence.endswith("(CC BY 4.0)")
    assert fm.citation == (
        "Digital Nations Digital Governance Working Group (2025), Agile and Active Digital "
        "Governance: Annual Report 2024 of the Digital Nations Digital Governance Working "
        "Group, Digital Nations."
    )
    assert [c.term for c in fm.contacts][:3] == ["Korea", "United Kingdom", "Estonia"]
    assert len(fm.contacts) == 10 and "@" not in " ".join(c.meaning for c in fm.contacts)
    assert [a.term for a in fm.abbreviations][:3] == ["AGESIC", "AI", "AMA"]
    assert "n/a" in [a.term for a in fm.abbreviations]


def test_a_final_states_its_approval_and_publication_date() -> None:
    fm = _ctx(final=True).front
    assert fm.status == "Final edition"
    assert fm.date_line == "Published 31 March 2025."
    assert fm.approval == (
        "Approved by the Digital Governance Working Group at its plenary meeting on 12 March 2025."
    )


def test_defaults_without_the_optional_fields() -> None:
    fm = _ctx(
        foreword_signatory=None,
        approval=None,
        publication_date=None,
        acknowledgements=None,
        abbreviations=[],
    ).front
    assert fm.signatory == "" and fm.approval == ""
    assert fm.acknowledgements.startswith("The Digital Nations Digital Governance Working Group")
    assert [a.term for a in fm.abbreviations] == ["n/a"]
    assert "does not necessarily reflect the official views" in fm.disclaimer


def test_a_final_shows_who_contributed_not_who_was_late(library_final: Path) -> None:
    html = (library_final / "report.html").read_text(encoding="utf-8")
    assert "(after the deadline)" not in html


def _pdftext(pdf: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_the_lists_of_figures_and_tables_name_the_right_pages(library_draft: Path) -> None:
    """Every entry, a title on two lines too, ends with a dot leader and the page where its
    figure or table is; a long title once came out with no dots before its number."""
    pdf = library_draft / "report.pdf"
    text = _pdftext(pdf)
    lists = text[text.index("Figures, tables and abbreviations\n\nFigures") :]
    lists = lists[: lists.index("Abbreviations")]
    lines: list[str] = []
    for line in lists.splitlines():
        line = line.strip()
        if not line or line in ("Figures", "Tables") or line.startswith("Draft 001"):
            continue  # headings, blank lines and the page footer
        if line.startswith(("Figure ", "Table ")):
            lines.append(line)
        elif lines and not re.match(r"\S.*\S {8,}\S", line):  # not the running header
            lines[-1] += " " + line  # the title's second line
    entry = re.compile(r"(Figure|Table) ([0-9A-D]+\.\d+) .*?\S ?\.{3,}\s*(\d+)")
    misset = [line for line in lines if not entry.fullmatch(line)]
    assert misset == []
    html = (library_draft / "report.html").read_text(encoding="utf-8")
    block = html[html.index('<section class="chapter lists"') :]
    block = block[: block.index("<h3>Abbreviations")]
    assert len(lines) == len(re.findall(r"<li[ >]", block))
    entries = [m.groups() for m in map(entry.fullmatch, lines) if m]  # all match: misset == []
    figures = [e for e in entries if e[0] == "Figure"]
    assert len(figures) == block.count('<li data-page-of="#fig-') == 11
    for kind, number, page in entries:
        assert f"{kind} {number}." in _pdftext(pdf, int(page)), (kind, number, page)


def test_the_imprint_and_cover_read_back_from_the_pdf(library_draft: Path) -> None:
    pdf = library_draft / "report.pdf"
    cover, imprint = _pdftext(pdf, 1), " ".join(_pdftext(pdf, 2).split())
    assert "Draft 001 for review, not for citation" in cover
    assert "Please cite this publication as:" in imprint
    assert "© Digital Nations Digital Governance Working Group" in imprint
    assert "Creative Commons Attribution 4.0 International (CC BY 4.0)" in imprint
    assert "are illustrative" in imprint  # the demo's narratives are said to be invented
