"""The golden tree: the whole demo edition built through the build's real path, pinned.

Every file the build publishes is compared with `tests/golden/tree/` (pelican-style),
except the PDF binary, which other tests read back. Regenerate deliberately with
`make golden`, then review the diff; this module only reads its expectations.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from tests.support.goldentree import read_golden, tree_of


@pytest.fixture(scope="module")
def built_tree(library_draft: Path) -> dict[str, str]:
    return tree_of(library_draft.parent.parent)


def test_the_tree_lists_the_same_files(built_tree: dict[str, str]) -> None:
    golden = read_golden()
    assert golden, "tests/golden/tree/ is empty: run `make golden` and review"
    assert sorted(built_tree) == sorted(golden)


@pytest.mark.parametrize("name", sorted(read_golden()))
def test_file_matches_golden(built_tree: dict[str, str], name: str) -> None:
    actual, expected = built_tree.get(name), read_golden()[name]
    assert actual is not None, f"{name} was not built"
    if actual != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(True), actual.splitlines(True), "golden", "built", n=1
                )
            )[:40]
        )
        pytest.fail(f"{name} differs from the golden tree (run `make golden` and review):\n{diff}")


def test_output_has_no_template_leaks(built_tree: dict[str, str]) -> None:
    for name, text in built_tree.items():
        if name.endswith(".html"):
            for leak in ("{{", "}}", "{%", "%}"):
                assert leak not in text, (name, leak)
            for word in (r"\bNone\b", r"\bnan\b", r"\bNaN\b", r"\bundefined\b"):
                assert not re.search(word, text), (name, word)
        if name.endswith(".json"):
            assert not re.search(r':\s*(NaN|Infinity)\b|"(nan|None|NaN)"', text), name


def test_build_is_deterministic() -> None:
    from tests.conftest import DEMO_INPUTS, ROOT
    from wgreport.build.pipeline import make_context
    from wgreport.build.plan import make_build_info
    from wgreport.inputs.edition import load_edition_inputs
    from wgreport.render.html import render_html

    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    first = render_html(make_context(loaded, make_build_info(1)), ROOT / "templates")
    second = render_html(make_context(loaded, make_build_info(1)), ROOT / "templates")
    assert first == second
