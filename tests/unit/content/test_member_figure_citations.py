"""A member cites its own figure by number from its text: `{{ figure:ID }}` (ID: the id of
an initiative with an image, or `case`) prints "Figure 5.1", a cross-reference to it; an ID
that names none of its images is a validation error at its line and column with a "did you
mean" (inputs/checks/figurerefs.py, content/contributed.cite_figures)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.conftest import DEMO_INPUTS, ROOT
from wgreport.build.pipeline import make_context
from wgreport.build.plan import make_build_info
from wgreport.content.contributed import cite_figures
from wgreport.inputs.edition import load_edition_inputs
from wgreport.inputs.validation import (
    EditionContext,
    load_edition,
    load_working_group,
    validate_contribution,
)
from wgreport.render.html import render_html

SENTENCE = "The aim is to close the gap between entitlement and take-up,"


def _korea(tmp_path: Path, cite: str) -> Path:
    """A copy of the demo inputs whose Korea cites `cite` in its first initiative's text."""
    inputs = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, inputs)
    path = inputs / "2024" / "contributions" / "KR.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(SENTENCE) == 1
    path.write_text(text.replace(SENTENCE, f"{cite} {SENTENCE}"), encoding="utf-8")
    return inputs


def _issues(inputs: Path) -> list[tuple[str, str, int | None, int | None, str | None]]:
    wg, _ = load_working_group(inputs / "working-group.yaml")
    edition, _ = load_edition(inputs / "2024" / "edition.yaml", wg, 2024)
    path = inputs / "2024" / "contributions" / "KR.yaml"
    result = validate_contribution(path, EditionContext(wg, 2024, edition, path.parent))
    return [
        (i.severity, i.code, i.line, i.column, i.hint)
        for r in result.reports
        for i in r.sorted_issues()
        if i.severity == "error"
    ]


def test_a_member_s_own_figure_is_cited_by_number(tmp_path: Path) -> None:
    inputs = _korea(tmp_path, "As {{ figure:one-stop-benefits }} shows,")
    assert _issues(inputs) == []
    ctx = make_context(load_edition_inputs(inputs, 2024), make_build_info(None))
    korea = next(m for m in ctx.members if m.code == "KR")
    [benefits] = [i for i in korea.initiatives if i.figure_id == "fig-kr-one-stop-benefits"]
    link = f'<a class="xref" href="#fig-kr-one-stop-benefits">Figure {benefits.figure_number}</a>'
    assert f"As {link} shows, {SENTENCE}" in benefits.description_html
    html = render_html(ctx, ROOT / "templates", for_print=True)
    assert re.search(rf'<a data-xref="\d+" class="xref" href="#fig-kr-one-stop-benefits">'
                     rf"Figure {re.escape(benefits.figure_number)}</a> shows", html)  # fmt: skip
    assert "{{" not in html


def test_an_unknown_figure_is_an_error_at_its_line_and_column(tmp_path: Path) -> None:
    inputs = _korea(tmp_path, "As {{ figure:one-stop-benefit }} shows,")
    lines = (inputs / "2024" / "contributions" / "KR.yaml").read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if "{{ figure:" in text)
    column = lines[line - 1].index("one-stop-benefit ") + 1
    assert _issues(inputs) == [
        ("error", "unknown-reference", line, column, "did you mean 'one-stop-benefits'?")
    ]


def test_another_member_s_figure_or_an_initiative_without_image_is_not_one(
    tmp_path: Path,
) -> None:
    inputs = _korea(tmp_path, "See {{ figure:mobile-id }} and {{ figure:fig-gb-case }}.")
    assert [(code, hint) for _, code, _, _, hint in _issues(inputs)] == [
        ("unknown-reference", "expected one of: 'one-stop-benefits'"),
        ("unknown-reference", "expected one of: 'one-stop-benefits'"),
    ]


def test_other_braces_in_a_member_s_text_stay_text() -> None:
    html = "<p>{{ egdi.group.median }} and {{ figure:nope }} and {{ figure:a }}</p>"
    assert cite_figures(html, "KR", {"fig-kr-a": "5.1"}) == (
        "<p>{{ egdi.group.median }} and {{ figure:nope }} and "
        '<a class="xref" href="#fig-kr-a">Figure 5.1</a></p>'
    )
