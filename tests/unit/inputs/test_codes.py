"""Every issue code the code can emit is registered, documented, and exercised."""

from __future__ import annotations

import ast
import re

from tests.conftest import FIXTURES, ROOT
from wgreport.inputs.codes import ISSUE_CODES

SRC = ROOT / "src" / "wgreport"
CODE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")


def _emitted_codes() -> set[str]:
    """Issue codes passed to Source.add, Issue(...), PydanticCustomError(...), MarkdownProblem(...),
    check_unique(...), _known(...), or returned as the first element of a (code, message, …) tuple."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            candidates: list[ast.expr] = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in {"add", "Issue"} and len(node.args) >= 2:
                    candidates.append(node.args[1])
                if name in {"PydanticCustomError", "MarkdownProblem"} and node.args:
                    candidates.append(node.args[0])
                if name == "check_unique" and len(node.args) >= 5:
                    candidates.append(node.args[4])
                if name == "_known" and len(node.args) >= 4:
                    candidates.append(node.args[3])
            if (
                isinstance(node, ast.Return)
                and isinstance(node.value, ast.Tuple)
                and node.value.elts
            ):
                candidates.append(node.value.elts[0])
            found |= {
                c.value
                for c in candidates
                if isinstance(c, ast.Constant) and isinstance(c.value, str) and CODE.match(c.value)
            }
    return found


def test_every_emitted_code_is_registered() -> None:
    emitted = _emitted_codes()
    assert len(emitted) > 40
    assert emitted - set(ISSUE_CODES) == set()


def test_every_registered_code_is_emitted_somewhere() -> None:
    assert set(ISSUE_CODES) - _emitted_codes() == set()


def test_every_code_is_documented_once_in_a_guide() -> None:
    """Members' codes in the members' guide; review-file codes in the reviewers' guide."""
    headings: list[str] = []
    for guide in ("members-guide.md", "reviewers-guide.md"):
        text = (ROOT / "docs" / guide).read_text(encoding="utf-8")
        headings += re.findall(r"^### `([a-z0-9-]+)`", text, flags=re.M)
    assert set(ISSUE_CODES) - set(headings) == set()
    assert set(headings) - set(ISSUE_CODES) == set()
    assert len(headings) == len(set(headings)), "a code is documented twice"


def test_most_codes_have_an_invalid_fixture() -> None:
    text = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")[:400]
        for p in (FIXTURES / "invalid").glob("*.yaml")
    )
    covered = {c for c in ISSUE_CODES if f"{c}@" in text}
    assert len(covered) >= 40, sorted(set(ISSUE_CODES) - covered)


def test_every_cli_command_is_in_the_readme() -> None:
    from wgreport.cli.main import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        assert f"wgreport {name}" in readme, name
