"""`wgreport publish` on the demo's real final, built with a reviewer's comments present:
the bundle's files, its links in a browser and the HTML checker, `verify`, and no trace of
the reviewer or the comments."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES, copy_inputs, library_settings
from tests.support.browsercheck import browser, vnu_many
from wgreport.cli.main import app
from wgreport.layout import Inputs, Outputs

REVIEW = FIXTURES / "reviews" / "valid" / "ee-review-team.yaml"
REVIEWER, REVIEWER_EMAIL = "Aino Example", "review@example.org"
BUNDLE = [
    "LICENCE.txt",
    "SHA256SUMS",
    "data/README.txt",
    "data/completeness.csv",
    "data/governance.csv",
    "data/indicator_change.csv",
    "data/indicator_summary.csv",
    "data/indicators.csv",
    "data/initiatives.csv",
    "data/themes.csv",
    "index.html",
    "report.html",
    "report.pdf",
]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo's 2024 final, built with a reviewer's file in the inputs, and its bundle
    written by `wgreport publish`: (the final's folder, the bundle's folder)."""
    from wgreport.build.steps import build

    base = tmp_path_factory.mktemp("bundle-demo")
    inputs = copy_inputs(base)
    Inputs(inputs).edition(2024).reviews.mkdir()
    shutil.copy(REVIEW, Inputs(inputs).edition(2024).reviews)
    settings = library_settings(inputs, base / "outputs")
    final = build(settings, 2024, final=True, allow_open_comments=True)
    out = base / "public" / "2024"
    result = CliRunner().invoke(
        app,
        ["publish", "--year", "2024", "--out", str(out), "--inputs", str(inputs),
         "--outputs", str(base / "outputs")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return final, out


def files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_the_bundle_of_the_demo_final(published: tuple[Path, Path]) -> None:
    final, out = published
    assert files(out) == BUNDLE
    assert (out / "report.pdf").read_bytes() == (final / "report.pdf").read_bytes()
    assert Outputs(final.parents[1]).year(2024).publications.is_file()


def test_no_reviewer_or_comment_is_published(published: tuple[Path, Path]) -> None:
    final, out = published
    comments = (final / "comments.html").read_text(encoding="utf-8")
    assert REVIEWER in comments  # the final's internal page has them; the bundle has not
    text = "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file()
    )
    for secret in (REVIEWER, REVIEWER_EMAIL, "Recount from the governance table",
                   'href="comments.html"', 'href="comments.csv"', 'href="report.json"'):  # fmt: skip
        assert secret not in text, secret


@pytest.mark.parametrize("page", ["index.html", "report.html"])
def test_every_link_resolves_inside_the_bundle(published: tuple[Path, Path], page: str) -> None:
    _, out = published
    result = browser("links", out / page)
    local = [link for link in result["links"] if link["href"].startswith("file:")]
    assert local and [link["href"] for link in local if not link["exists"]] == []
    inside = [link["href"] for link in local if not link["href"].startswith(out.as_uri())]
    assert inside == []


@pytest.fixture(scope="module")
def html_errors(published: tuple[Path, Path]) -> dict[Path, list[dict[str, Any]]]:
    """The HTML checker's errors for the bundle's two pages, checked in one run."""
    _, out = published
    return vnu_many([out / "index.html", out / "report.html"])


@pytest.mark.parametrize("page", ["index.html", "report.html"])
def test_the_pages_are_valid_html_and_fetch_nothing(
    published: tuple[Path, Path], html_errors: dict[Path, list[dict[str, Any]]], page: str
) -> None:
    _, out = published
    errors = html_errors[out / page]
    assert errors == [], [(e.get("lastLine"), e["message"]) for e in errors[:10]]
    loaded = browser("load", out / page)
    assert loaded["requests"] == [] and loaded["errors"] == []


def test_verify_passes_then_finds_tampering(published: tuple[Path, Path], tmp_path: Path) -> None:
    _, out = published
    copy = tmp_path / "downloaded"
    shutil.copytree(out, copy)
    runner = CliRunner()
    good = runner.invoke(app, ["verify", str(copy)])
    assert good.exit_code == 0 and f"all {len(BUNDLE) - 1} files match SHA256SUMS" in good.output
    page = copy / "report.html"
    page.write_text(page.read_text(encoding="utf-8").replace("0.9679", "0.9779"), "utf-8")
    bad = runner.invoke(app, ["verify", str(copy)])
    assert bad.exit_code == 1 and "report.html: FAILED" in bad.output
