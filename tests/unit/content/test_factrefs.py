"""References in the secretariat's prose ({{ fact-id }}, {{ figure:ID }}…): found by our own
scanner, checked by `wgreport validate` at their file, line and column, and printed as the
report prints the value; editorial chapters placed, numbered and listed like any chapter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import DEMO_INPUTS
from wgreport.content.editorial import sentences
from wgreport.content.numbering import report_chapters
from wgreport.inputs.factrefs import resolve, scan
from wgreport.inputs.models import EditorialChapter
from wgreport.inputs.validate_paths import validate_paths


def _copy(tmp_path: Path) -> Path:
    inputs = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, inputs)
    return inputs


def _issues(inputs: Path) -> list[tuple[str, str, int | None, int | None, str | None]]:
    report = validate_paths([inputs / "2024" / "edition.yaml"], inputs)
    return [
        (Path(f.file).name, i.code, i.line, i.column, i.hint)
        for f in report.files
        for i in f.sorted_issues()
        # a changed English file makes its Korean translation outdated: not these tests'
        if i.code != "translation-outdated"
    ]


def test_the_demo_edition_and_its_editorial_text_are_valid(tmp_path: Path) -> None:
    assert _issues(_copy(tmp_path)) == []


def test_an_unknown_fact_is_reported_at_its_line_and_column_with_a_suggestion(
    tmp_path: Path,
) -> None:
    inputs = _copy(tmp_path)
    text = "Our view.\n\nThe median rose by {{ egdi.group.median.chnge }} and\n{{figure:fig-egdi}}"
    text += " and {{ table:indicator-tabel }}.\n"
    (inputs / "2024" / "key-messages.md").write_text(text, encoding="utf-8")
    assert _issues(inputs) == [
        ("key-messages.md", "unknown-fact", 3, 23, "did you mean 'egdi.group.median.change'?"),
        ("key-messages.md", "unknown-reference", 4, 28, "did you mean 'indicator-table'?"),
    ]


def test_an_unclosed_or_malformed_reference_is_a_syntax_error(tmp_path: Path) -> None:
    inputs = _copy(tmp_path)
    foreword = inputs / "2024" / "foreword.md"
    foreword.write_text("Fine {{ members.count }}.\nBad {{ picture:x }} and {{ egdi", "utf-8")
    issues = _issues(inputs)
    assert [(f, c, line, col) for f, c, line, col, _ in issues] == [
        ("foreword.md", "reference-syntax", 2, 8),
        ("foreword.md", "reference-syntax", 2, 25),
    ]


def test_a_chapter_placed_where_the_report_has_no_chapter_is_refused(tmp_path: Path) -> None:
    inputs = _copy(tmp_path)
    (inputs / "2024" / "world.md").write_text("The group in the world.\n", encoding="utf-8")
    edition = inputs / "2024" / "edition.yaml"
    text = edition.read_text(encoding="utf-8").replace(
        "    file: key-messages.md\n",
        "    file: key-messages.md\n"
        "  - id: world\n    title: The group in the world\n    file: world.md\n"
        "    after: sumary\n"
        "  - id: theme\n    title: A theme\n    file: theme.md\n",
    )
    edition.write_text(text, encoding="utf-8")
    issues = _issues(inputs)
    assert [(c, line, hint) for _, c, line, _, hint in issues] == [
        ("unknown-chapter", 19, "did you mean 'summary'?"),
        ("chapter-place", 20, "e.g. after: summary (a chapter's id, or `members`)"),
        ("file-not-found", 22, None),
    ]


def test_scan_finds_references_and_never_evaluates_them() -> None:
    refs, problems = scan("a {{ egdi.KR.change }} b {{ figure:fig-egdi }} {{ ''.__class__ }}")
    assert [(r.kind, r.id, r.column) for r in refs] == [
        ("fact", "egdi.KR.change", 6),
        ("figure", "fig-egdi", 29),
    ]
    assert [p.code for p in problems] == ["reference-syntax"]


def test_resolve_inserts_the_printed_value_as_plain_text() -> None:
    text = "Rose by {{ x }} ({{ figure:f }}); {{ unknown }}."
    assert resolve(text, {"x": "*+0.01*"}, {"figure:f": "Figure 4.1"}) == (
        r"Rose by \*+0.01\* (Figure 4.1); {{ unknown }}."
    )


def test_sentences_with_references_are_found_with_their_line() -> None:
    text = "No refs here. First {{ a }} one.\nSecond {{ b }}\ncontinues.\n\n- item {{ c }}\n"
    assert [(line, s) for line, _, s in sentences(text)] == [
        (1, "First {{ a }} one."),
        (2, "Second {{ b }} continues."),
        (5, "- item {{ c }}"),
    ]


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ({"after": "summary"}, ["Executive summary", "1. The world", "2. About the"]),
        ({"before": "summary"}, ["The world", "Executive summary", "1. About the"]),
        ({"after": "members"}, ["5. Korea", "6. The world", "Annex A. Indicator"]),
        ({"after": "annex-status"}, ["Annex D. Submission", "Annex E. The world"]),
    ],
)
def test_editorial_chapters_are_placed_and_numbered_like_any_chapter(
    place: dict[str, str], expected: list[str]
) -> None:
    chapter = EditorialChapter.model_validate(
        {"id": "world", "title": "The world", "file": "world.md", **place}
    )
    key = EditorialChapter.model_validate(
        {"id": "key-messages", "title": "Key messages", "file": "k.md"}
    )
    titles = [c.title for c in report_chapters([("KR", "Korea")], [key, chapter])]
    assert "Key messages" not in titles  # they open the executive summary
    start = next(i for i, t in enumerate(titles) if t.startswith(expected[0]))
    assert [t[: len(e)] for t, e in zip(titles[start:], expected, strict=False)] == expected


def test_the_summary_opens_with_the_key_messages_and_a_chapter_is_in_the_contents(
    tmp_path: Path,
) -> None:
    from tests.conftest import ROOT
    from wgreport.build.pipeline import make_context
    from wgreport.build.plan import make_build_info
    from wgreport.inputs.edition import load_edition_inputs
    from wgreport.render.html import render_html

    inputs = _copy(tmp_path)
    (inputs / "2024" / "world.md").write_text(
        "# Against the world\n\nThe gap {{ egdi.world.gap.trend }} "
        "({{ chapter:indicators }}, {{ table:indicator-table }}).\n",
        encoding="utf-8",
    )
    edition = inputs / "2024" / "edition.yaml"
    text = edition.read_text(encoding="utf-8").replace(
        "    file: key-messages.md\n",
        "    file: key-messages.md\n"
        "  - id: world\n    title: The group in the world\n    file: world.md\n"
        "    after: summary\n",
    )
    edition.write_text(text, encoding="utf-8")
    ctx = make_context(load_edition_inputs(inputs, 2024), make_build_info(None))
    html = render_html(ctx, ROOT / "templates", for_print=True)
    summary = html[html.index('<section class="chapter" id="summary">') :]
    key = summary.index('<h3 id="key-messages-title">Key messages</h3>')
    assert key < summary.index('<ul class="findings">')
    assert "rose by +0.0128,\nto 0.9140, while the world average rose by +0.0280" in summary
    assert "6 of the 10 members fell in\nthe world ranking" in summary
    assert "{{" not in html
    assert '<li data-page-of="#world"><a href="#world">1. The group in the world</a></li>' in html
    assert "2. About the working group and its method" in html
    assert "The gap narrowed (Chapter 5, Table 5.1)." in html
    assert [c.id for c in ctx.chapters][2:4] == ["summary", "world"]


def test_an_abbreviation_the_list_does_not_explain_is_a_warning(tmp_path: Path) -> None:
    inputs = _copy(tmp_path)
    key = inputs / "2024" / "key-messages.md"
    key.write_text(
        "The EGDI and the DESI differ; see `DESI` and https://example.org/DESI.\n"
        "The UN DESA and the {{ egdi.KR.value }} agree; the EU DESI again, and NATO.\n",
        encoding="utf-8",
    )
    assert _issues(inputs) == [
        ("key-messages.md", "abbreviation-not-listed", 1, 18,
         "add it to `abbreviations` in edition.yaml (- term: DESI, meaning: …), or write it out"),
        ("key-messages.md", "abbreviation-not-listed", 2, 71,
         "add it to `abbreviations` in edition.yaml (- term: NATO, meaning: …), or write it out"),
    ]  # fmt: skip


def test_an_editorial_file_can_be_validated_on_its_own(tmp_path: Path) -> None:
    inputs = _copy(tmp_path)
    key = inputs / "2024" / "key-messages.md"
    key.write_text("It rose by {{ egdi.wrld.change }}.\n", encoding="utf-8")
    report = validate_paths([key], inputs)
    assert [(Path(f.file).name, [(i.code, i.line, i.column) for i in f.issues])
            for f in report.files] == [("key-messages.md", [("unknown-fact", 1, 15)])]  # fmt: skip
    stray = inputs / "2024" / "notes.md"
    stray.write_text("{{ nothing }}\n", encoding="utf-8")
    [only] = validate_paths([stray], inputs).files
    assert [(i.severity, i.code) for i in only.issues] == [("warning", "checks-not-run")]
