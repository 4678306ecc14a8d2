"""Every free-text field has a maximum length (`text-too-long`), and no text may hold a
bidirectional override or isolate control (`bidi-control`) (issue 35, "Bounded work").

A 900 KB initiative title once turned a 63-page report into 774 pages; a U+202E in a
member's text reorders what follows it, beyond the field, in the HTML and the PDF.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import DEMO_INPUTS, FIXTURES, ROOT, VALID_KR, validate_in_demo
from wgreport.inputs import limits
from wgreport.inputs.comments import validate_review
from wgreport.inputs.validation import load_edition, load_working_group
from wgreport.inputs.workbook import write_workbook
from wgreport.inputs.yamlsource import load_yaml

SCHEMAS = ROOT / "schemas"
LIMITS_DOC = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")


def _errors(folder: Path, text: str) -> list[tuple[str, int | None, int | None, str, str, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "KR.yaml"
    path.write_text(text, encoding="utf-8")
    result = validate_in_demo(path)
    found = [
        (i.code, i.line, i.column, i.field, i.message, i.hint or "")
        for r in result.reports
        for i in r.issues
        if i.severity == "error"
    ]
    assert result.valid == (found == [])  # an error leaves the contribution out
    return found


def _replace(old: str, new: str) -> str:
    assert VALID_KR.count(old) == 1, old
    return VALID_KR.replace(old, new)


# --- text-too-long -----------------------------------------------------------------------


def test_a_900_kb_title_is_one_text_too_long_error_at_its_line(tmp_path: Path) -> None:
    title = "One-stop notification" + " of public benefits" * 47_000  # 900 KB
    found = _errors(
        tmp_path, _replace("title: One-stop notification of public benefits", f"title: {title}")
    )
    assert [(c, line, col, f) for c, line, col, f, _, _ in found] == [
        ("text-too-long", 26, 12, "initiatives[0].title")
    ]
    _, _, _, _, message, hint = found[0]
    assert message == (
        f"'title' has {len(title):,} characters; at most 200 are allowed (limit: text length)"
    )
    assert hint.startswith(f"shorten it to at most 200 characters; it has {len(title):,} (")
    assert "description" in hint  # where the rest belongs


# (line of VALID_KR, the text as written there, the field, its limit)
FIELDS = [
    ("  name: Test Person (테스트)", "contact.name", limits.NAME_CHARS),
    ("  organisation: Ministry of the Interior and Safety", "contact.organisation", limits.NAME_CHARS),
    ("  lead_institution: Digital Platform Government Committee", "governance.lead_institution", limits.NAME_CHARS),
    ("    title: Digital Platform Government Implementation Plan", "governance.strategy.title", limits.SENTENCE_CHARS),
    ("    - title: Electronic Government Act", "governance.legal_instruments[0].title", limits.SENTENCE_CHARS),
    ("      - title: Programme page", "initiatives[0].links[0].title", limits.NAME_CHARS),
    ("    title: Cross-ministry open API hub", "initiatives[1].title", limits.NAME_CHARS),
    ("    reason_missing: Not assessed in this test", "indicators[3].reason_missing", limits.SENTENCE_CHARS),
]  # fmt: skip


@pytest.mark.parametrize(("line", "field", "limit"), FIELDS, ids=[f for _, f, _ in FIELDS])
def test_each_free_text_field_is_bounded_at_its_field(
    tmp_path: Path, line: str, field: str, limit: int
) -> None:
    key, value = line.split(": ", 1)
    at_limit = (value + " x" * limit)[:limit]
    assert _errors(tmp_path / "at", _replace(line, f"{key}: {at_limit}")) == []
    over = at_limit + "y"
    found = _errors(tmp_path / "over", _replace(line, f"{key}: {over}"))
    assert [(c, f) for c, _, _, f, _, _ in found] == [("text-too-long", field)]
    assert found[0][1] == VALID_KR.splitlines().index(line) + 1  # the field's own line
    assert found[0][2] == len(key) + 3  # and the column of its value
    assert f"at most {limit:,} characters; it has {limit + 1:,}" in found[0][5]


def test_an_image_alt_text_and_an_indicator_note_are_bounded(tmp_path: Path) -> None:
    description = "    description: A shared catalogue of public APIs.\n"
    alt = "A" * (limits.SENTENCE_CHARS + 1)
    text = _replace(
        description, description + f"    image:\n      file: KR/hub.png\n      alt: {alt}\n"
    )
    text = text.replace("    source: UN E-Government Survey 2024\n",
                        "    source: UN E-Government Survey 2024\n    note: " + "n" * 501 + "\n", 1)  # fmt: skip
    found = {(c, f) for c, _, _, f, _, _ in _errors(tmp_path, text)}
    assert ("text-too-long", "initiatives[1].image.alt") in found
    assert ("text-too-long", "indicators[0].note") in found


def test_a_link_address_is_bounded(tmp_path: Path) -> None:
    url = "https://www.example.go.kr/benefits?q=" + "a" * limits.URL_CHARS
    found = _errors(tmp_path, _replace("url: https://www.example.go.kr/benefits", f"url: {url}"))
    assert [(c, f) for c, _, _, f, _, _ in found] == [
        ("text-too-long", "initiatives[0].links[0].url")
    ]


def test_ids_and_outcomes_keep_their_own_code(tmp_path: Path) -> None:
    """Format v1's own length rules keep `too-long`: codes are stable."""
    found = _errors(tmp_path, _replace("  - id: open-api-hub", "  - id: " + "a" * 70))
    assert [c for c, _, _, f, _, _ in found if f == "initiatives[1].id"] == ["too-long"]
    found = _errors(
        tmp_path / "o",
        _replace("      - Notifications sent in two pilot regions", "      - " + "o" * 201),
    )
    assert [(c, f) for c, _, _, f, _, _ in found] == [("too-long", "initiatives[0].outcomes[0]")]


def _edited_edition(tmp_path: Path, key: str, value: Callable[[str], str]) -> Path:
    """A copy of the demo edition's folder (without contributions) whose edition.yaml has
    the top-level `key` set to `value(old value)`."""
    folder = tmp_path / "2024"
    shutil.copytree(DEMO_INPUTS / "2024", folder, ignore=shutil.ignore_patterns("contributions"))
    path = folder / "edition.yaml"
    text = path.read_text(encoding="utf-8")
    found = re.search(rf"^{key}: (.*)$", text, re.M)
    assert found is not None
    path.write_text(text.replace(found[0], f"{key}: {value(found[1])}"), encoding="utf-8")
    return path


def _line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines) if line.startswith(start))


def test_an_edition_text_is_bounded(tmp_path: Path) -> None:
    path = _edited_edition(tmp_path, "subtitle", lambda old: "s" * 501)
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    edition, report = load_edition(path, wg, 2024)
    assert edition is None
    assert [(i.code, i.field, i.line) for i in report.issues] == [
        ("text-too-long", "subtitle", _line_of(path, "subtitle: ") + 1)
    ]


def _review(tmp_path: Path, old: str, new: str) -> list[tuple[str, str]]:
    source = FIXTURES / "reviews" / "valid" / "ee-review-team.yaml"
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / source.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    result = validate_review(path, wg, 2024)
    return [(i.code, i.field) for i in result.report.issues if i.severity == "error"]


def test_a_review_comment_and_quote_are_bounded(tmp_path: Path) -> None:
    long_comment = "word " * (limits.COMMENT_CHARS // 5 + 1)
    found = _review(
        tmp_path,
        "comment: The count of members with a digital identity strategy looks wrong.",
        f"comment: {long_comment}",
    )
    assert found == [("text-too-long", "comments[0].comment")]
    found = _review(tmp_path, 'quote: "eight of ten members"', "quote: " + "q" * 2_001)
    assert found == [("text-too-long", "comments[0].quote")]


def test_a_workbook_cell_too_long_is_reported_at_its_cell(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "KR.yaml").write_text(VALID_KR, encoding="utf-8")
    data = load_yaml(folder / "KR.yaml").data
    (folder / "KR.yaml").unlink()
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    path = folder / "KR.xlsx"
    path.write_bytes(write_workbook(data, wg))
    book = load_workbook(path)
    book["Initiatives"]["B2"] = "T" * 5_000
    book.save(path)
    result = validate_in_demo(path)
    found = [
        (i.code, i.field, i.cell) for r in result.reports for i in r.issues if i.severity == "error"
    ]
    assert found == [("text-too-long", "initiatives[0].title", "Initiatives!B2")]


def _strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v, f"{path}[]")]
    return [(path, value)] if isinstance(value, str) else []


def _schema_limits(schema: dict[str, Any]) -> dict[str, int]:
    """Each bounded text field of a JSON Schema, as a path (`initiatives[].title`)."""
    defs = schema.get("$defs", {})
    found: dict[str, int] = {}

    def walk(node: dict[str, Any], path: str) -> None:
        if "$ref" in node:
            walk(defs[node["$ref"].rsplit("/", 1)[-1]], path)
        for alternative in node.get("anyOf", []):
            walk(alternative, path)
        for name, sub in node.get("properties", {}).items():
            walk(sub, f"{path}.{name}" if path else name)
        if node.get("type") == "array" and "items" in node:
            walk(node["items"], f"{path}[]")
        if node.get("type") == "string" and "maxLength" in node:
            found[path] = node["maxLength"]

    walk(schema, "")
    return found


KINDS = {
    "contribution": sorted((DEMO_INPUTS).glob("*/contributions/*.yaml")),
    "edition": sorted(DEMO_INPUTS.glob("*/edition.yaml")),
    "working-group": [DEMO_INPUTS / "working-group.yaml"],
    "review": sorted((FIXTURES / "reviews" / "valid").glob("*.yaml")),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_text_is_bounded_and_real_texts_are_well_under(kind: str) -> None:
    """Every string of the schema has a maximum, and the longest real value of each field
    (the demo inputs, the review fixtures) is at most half of it."""
    schema = json.loads((SCHEMAS / f"{kind}-v1.schema.json").read_text(encoding="utf-8"))
    bounded = _schema_limits(schema)
    unbounded = []

    def strings(node: dict[str, Any], path: str) -> None:
        if "$ref" in node:
            strings(schema["$defs"][node["$ref"].rsplit("/", 1)[-1]], path)
        for alternative in node.get("anyOf", []):
            strings(alternative, path)
        for name, sub in node.get("properties", {}).items():
            strings(sub, f"{path}.{name}" if path else name)
        if node.get("type") == "array" and "items" in node:
            strings(node["items"], f"{path}[]")
        free = not any(k in node for k in ("maxLength", "pattern", "enum", "const", "format"))
        if node.get("type") == "string" and free:
            unbounded.append(path)

    strings(schema, "")
    assert unbounded == []
    for path in KINDS[kind]:
        for field, value in _strings(load_yaml(path).data):
            limit = bounded.get(field)
            if limit is not None and field != "initiatives[].outcomes[]":
                assert len(value) <= limit / 2, (path.name, field, len(value), limit)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_limits_page_lists_every_bounded_field(kind: str) -> None:
    schema = json.loads((SCHEMAS / f"{kind}-v1.schema.json").read_text(encoding="utf-8"))
    heading = {
        "contribution": "### A contribution",
        "review": "### A review file",
        "edition": "### The edition",
        "working-group": "### The working group",
    }[kind]
    section = LIMITS_DOC.split(heading, 1)[1].split("\n#", 1)[0]
    for field, limit in _schema_limits(schema).items():
        assert re.search(rf"^\| `{re.escape(field)}` \| {limit:,} \|", section, re.M), field


# --- bidi-control -------------------------------------------------------------------------

CONTROLS = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
]


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_a_bidi_control_is_refused_at_its_field(tmp_path: Path, control: str) -> None:
    found = _errors(
        tmp_path, _replace("  name: Test Person (테스트)", f"  name: Test {control}Person (테스트)")
    )
    name = f"U+{ord(control):04X}"
    assert [(c, line, col, f) for c, line, col, f, _, _ in found] == [
        ("bidi-control", 6, 9, "contact.name")
    ]
    assert f"control {name} ({limits.BIDI_CONTROLS[control]}) at character 6" in found[0][4]
    assert found[0][5].startswith(f"remove the invisible direction control {name};")
    assert "U+200E and U+200F are allowed" in found[0][5]


def test_one_issue_per_field_however_many_controls(tmp_path: Path) -> None:
    text = _replace("  name: Test Person (테스트)", "  name: \u202eTest\u202c \u2067Person\u2069")
    text = text.replace("title: Programme page", "title: Programme \u202dpage", 1)
    text = text.replace("      eligible for, with **one** link to apply.",
                        "      eligible for, with **one** \u2066link\u2069 to apply.", 1)  # fmt: skip
    text = text.replace("      - Notifications sent in two pilot regions",
                        "      - Notifications \u202esent", 1)  # fmt: skip
    found = [(c, f) for c, _, _, f, _, _ in _errors(tmp_path, text)]
    assert sorted(found) == [
        ("bidi-control", "contact.name"),
        ("bidi-control", "initiatives[0].description"),
        ("bidi-control", "initiatives[0].links[0].title"),
        ("bidi-control", "initiatives[0].outcomes[0]"),
    ]


def test_right_to_left_text_and_direction_marks_are_valid(tmp_path: Path) -> None:
    text = _replace(
        "  name: Test Person (테스트)", "  name: \u200fשרה כהן\u200f (Sarah Cohen\u200e)"
    )
    assert _errors(tmp_path, text) == []


def test_the_hebrew_demo_contribution_stays_valid() -> None:
    path = DEMO_INPUTS / "2024" / "contributions" / "IL.yaml"
    assert re.search("[\u0590-\u05ff]", path.read_text(encoding="utf-8"))
    result = validate_in_demo(path)
    assert result.valid, [i for r in result.reports for i in r.issues]


def test_a_bidi_control_in_a_review_and_an_edition_is_refused(tmp_path: Path) -> None:
    found = _review(tmp_path, "  name: Aino Example", "  name: Aino \u202eExample")
    assert found == [("bidi-control", "reviewer.name")]
    path = _edited_edition(tmp_path, "title", lambda old: f"\u2067{old}")
    edition, report = load_edition(
        path, load_working_group(DEMO_INPUTS / "working-group.yaml")[0], 2024
    )
    assert edition is None
    assert [(i.code, i.field) for i in report.issues] == [("bidi-control", "title")]
