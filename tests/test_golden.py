"""Golden files: the template context and the HTML of the demo edition, pinned.

Regenerate deliberately with `make golden` (WGREPORT_UPDATE_GOLDEN=1), then review the diff.
Chart images are replaced by their sha256, so the files stay readable while still pinning
every byte of every chart.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest

from wgreport.inputs import load_edition_inputs
from wgreport.pipeline import make_build_info, make_context
from wgreport.render import render_html

from .conftest import DEMO_INPUTS, ROOT

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("WGREPORT_UPDATE_GOLDEN") == "1"
_DATA_URL = re.compile(
    r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+|<svg [^>]*class=\\?\"chart-svg.*?</svg>", re.S
)


def _pin_images(text: str) -> str:
    return _DATA_URL.sub(
        lambda m: "svg-sha256:" + hashlib.sha256(m.group(0).encode()).hexdigest(), text
    )


@pytest.fixture(scope="module")
def demo_outputs() -> tuple[str, str]:
    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    ctx = make_context(loaded, make_build_info(1))
    html = render_html(ctx, ROOT / "templates")
    context = json.dumps(ctx.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    return _pin_images(context), _pin_images(html)


@pytest.mark.parametrize(("name", "index"), [("context.json", 0), ("report.html", 1)])
def test_matches_golden(demo_outputs: tuple[str, str], name: str, index: int) -> None:
    actual = demo_outputs[index]
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from the golden file: run `make golden` and review"


def test_output_has_no_template_leaks(demo_outputs: tuple[str, str]) -> None:
    context, html = demo_outputs
    for leak in ("{{", "}}", "{%", "%}"):
        assert leak not in html, leak
    for word in (r"\bNone\b", r"\bnan\b", r"\bNaN\b", r"\bundefined\b"):
        assert not re.search(word, html), word
    assert not re.search(r':\s*(NaN|Infinity)\b|"(nan|None|NaN)"', context)


def test_build_is_deterministic() -> None:
    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    first = render_html(make_context(loaded, make_build_info(1)), ROOT / "templates")
    second = render_html(make_context(loaded, make_build_info(1)), ROOT / "templates")
    assert first == second
