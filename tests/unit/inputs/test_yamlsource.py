from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from wgreport.inputs.yamlsource import Source, load_yaml, parse_yaml_text


def parse(text: str) -> Source:
    source = Source(path=Path("t.yaml"), display="t.yaml")
    parse_yaml_text(source, text)
    return source


def codes(source: Source) -> list[tuple[str, int | None, int | None]]:
    return [(i.code, i.line, i.column) for i in source.issues]


def test_scalars_follow_yaml_1_2_core_schema_plus_dates() -> None:
    s = parse("a: 1\nb: 2.5\nc: no\nd: null\ne: 2024-01-02\nf: 2023-03\ng: '7'\nh: true\ni: 0,95\n")
    assert s.data == {
        "a": 1,
        "b": 2.5,
        "c": "no",
        "d": None,
        "e": dt.date(2024, 1, 2),
        "f": "2023-03",
        "g": "7",
        "h": True,
        "i": "0,95",
    }
    assert s.issues == []


def test_positions_of_keys_and_values_are_one_based() -> None:
    s = parse("top:\n  inner: value\nlist:\n  - first\n  - second\n")
    assert s.keys[("top", "inner")] == (2, 3)
    assert s.values[("top", "inner")] == (2, 10)
    assert s.values[("list", 1)] == (5, 5)


def test_anchor_alias_tag_merge_and_duplicate_are_issues() -> None:
    s = parse("a: &x 1\nb: *x\nc: !custom 2\nd:\n  k: 1\n  k: 2\n<<: {z: 1}\n")
    assert codes(s) == [
        ("yaml-anchor", 1, 4),
        ("yaml-alias", 2, 4),
        ("yaml-tag", 3, 4),
        ("duplicate-key", 6, 3),
        ("yaml-merge-key", 7, 1),
    ]
    assert s.data["b"] is None  # never expanded


def test_alias_bomb_is_not_expanded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 12):
        prev = f"*a{n - 1}"
        lines.append(f"a{n}: &a{n} [{', '.join([prev] * 9)}]")
    s = parse("\n".join(lines) + "\n")
    assert {i.code for i in s.issues} == {"yaml-anchor", "yaml-alias"}
    assert len(s.data) == 12


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("a: b: c\n", "yaml-syntax", 1),
        ("a:\n\tb: c\n", "tab-indentation", 2),
        ("", "empty-file", 1),
        ("# only a comment\n", "empty-file", 1),
        ("a: 1\n---\nb: 2\n", "yaml-multiple-documents", 2),
        ("a: 2024-02-30\n", "invalid-date", 1),
    ],
)
def test_bad_yaml_gives_one_clear_issue(text: str, code: str, line: int) -> None:
    s = parse(text)
    assert [(i.code, i.line) for i in s.issues] == [(code, line)]


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    s = load_yaml(path)
    assert [(i.code, i.line, i.column) for i in s.issues] == [("not-utf8", 2, 7)]


def test_bom_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    s = load_yaml(path)
    assert [(i.severity, i.code) for i in s.issues] == [("warning", "utf8-bom")]
    assert s.data == {"a": 1}


def test_too_large_file_is_not_parsed(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: " + b"x" * (1024 * 1024) + b"\n")
    s = load_yaml(path)
    assert [i.code for i in s.issues] == ["file-too-large"]
    assert s.data is None


def _all_yaml_files() -> list[Path]:
    from tests.conftest import DEMO_INPUTS, FIXTURES

    return sorted(DEMO_INPUTS.rglob("*.yaml")) + sorted(FIXTURES.rglob("*.yaml"))


@pytest.mark.parametrize("path", _all_yaml_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_libyaml_and_ruamel_parsers_agree(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = load_yaml(path)
    monkeypatch.setenv("WGREPORT_YAML_PARSER", "ruamel")
    pure = load_yaml(path)
    assert fast.data == pure.data
    if fast.data is not None:  # after a syntax error, how far each parser got may differ
        assert fast.values == pure.values
        assert fast.keys == pure.keys
    assert [(i.code, i.line, i.column) for i in fast.issues] == [
        (i.code, i.line, i.column) for i in pure.issues
    ]


# (text, line, column, the message's start, the line where the reader noticed it or None)
SYNTAX_SLIPS = [
    # a quote left open on line 3: the reader fails at the next quote, five lines later
    ('a: 1\ncontact:\n  name: "Jeong\n  email: x@example.org\nsummary: |\n  text\n'
     'b: 2\ntitle: "x: y"\n', 3, 9, 'the quoted text that starts here with " is not closed', 8),
    ('a: 1\ncontact:\n  name: "Jeong\n  email: x@example.org\n', 3, 9,
     'the quoted text that starts here with " is never closed', 5),
    ("title: 'Jeong\nb: 2\n", 1, 8, "the quoted text that starts here with ' is never closed", 3),
    # no space after the colon: the reader notices it on the next line
    ("contact:\n  name:Jeong\n  email: x@example.org\n", 2, 7,
     "there is no space after the colon of 'name:'", 3),
    ("a: [1, 2\nb: 3\n", 1, 4, "the '[' opened here is not closed with ']'", 2),
    ("title: One-stop: benefits\n", 1, 16, "this value contains ': '", None),
    ("a:\n  b: 1\n c: 2\n", 3, 2, "this line is indented differently", None),
    ("a: @x\n", 1, 4, "a value cannot start with '@' unless it is in quotes", None),
    ('a: "x" y\n', 1, 8, "there is more text after a quoted value on this line", None),
    ("a: 1\nb\nc: 2\n", 2, 1, "this line is not a 'key: value' line", 3),
]  # fmt: skip


@pytest.mark.parametrize("parser", ["libyaml", "ruamel"])
@pytest.mark.parametrize(("text", "line", "column", "message", "noticed"), SYNTAX_SLIPS)
def test_a_syntax_error_is_told_in_plain_words_where_it_starts(
    text: str,
    line: int,
    column: int,
    message: str,
    noticed: int | None,
    parser: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if parser == "ruamel":
        monkeypatch.setenv("WGREPORT_YAML_PARSER", "ruamel")
    s = parse(text)
    assert [(i.code, i.line, i.column) for i in s.issues] == [("yaml-syntax", line, column)]
    issue = s.issues[0]
    assert issue.message.startswith(message), issue.message
    assert "YAML syntax error" not in issue.message and issue.hint
    if noticed is None:
        assert "noticed" not in issue.message
        assert issue.noticed_line is None and "noticed_line" not in issue.to_dict()
    else:
        assert f"(the YAML reader noticed it at line {noticed}, column " in issue.message
        # the second position is also a structured, optional field of the JSON report
        assert issue.noticed_line == noticed and issue.noticed_column is not None
        shown = issue.to_dict()
        assert (shown["line"], shown["noticed_line"]) == (line, noticed)
        assert f"line {noticed}, column {shown['noticed_column']})" in issue.message
