"""The preflight of a final (issue 37): every problem at once, each with its file and line
and what to do; each class let through only by its own flag; the overrides recorded; and
`build --final` refused before anything renders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS, FIXTURES, ROOT, copy_inputs, library_settings
from wgreport.build import outputs, plan
from wgreport.build.audit import read_log
from wgreport.build.pipeline import read_reviews
from wgreport.build.preflight import (
    CHECK_NAMES,
    Overrides,
    Preflight,
    preflight,
    reserved_host,
    run_checks,
    unconfirmed_problems,
)
from wgreport.build.steps import build
from wgreport.cli.main import app
from wgreport.errors import FinalRefused
from wgreport.inputs.edition import load_edition_inputs


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _line(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, start=1) if needle in text)


@pytest.fixture
def unfinished(tmp_path: Path) -> tuple[Path, Path]:
    """The demo with one problem of every class, and two drafts for the reviews."""
    inputs = copy_inputs(tmp_path)
    edition = inputs / "2024"
    foreword = edition / "foreword.md"
    foreword.write_text("TODO: the foreword of the 2024 edition.\n", encoding="utf-8")
    settings = edition / "edition.yaml"
    _edit(settings, "foreword_signatory:\n  name: Seo-yeon Example\n  role: Chair of the "
          "Digital Nations Digital Governance Working Group (illustrative signatory)\n", "")  # fmt: skip
    _edit(settings, "  date: 2025-03-12\n", "  date: 2025-04-02\n")  # after publication
    _edit(settings, "    indicators: [dgi]\n    accessed: 2025-01-20", "    indicators: [dgi]\n"
          "    accessed: 2025-03-05")  # fmt: skip
    _edit(
        inputs / "working-group.yaml",
        "        published: 2024-01-30",
        "        published: 2025-06-19",
    )
    gb = edition / "contributions" / "GB.yaml"
    _edit(gb, "      - title: GOV.UK\n        url: https://www.gov.uk",
          "      - title: GOV.UK\n        url: https://www.example.com/sign-in")  # fmt: skip
    _edit(gb, "2024 brought organisational change.", "2024 brought (TBD) organisational change.")
    (edition / "contributions" / "NZ.yaml").write_text(
        "schema: wgreport/contribution/v1\nmember: NZ\n", encoding="utf-8"
    )
    shutil.copytree(FIXTURES / "reviews" / "valid", edition / "reviews")
    out = tmp_path / "outputs"
    for number in ("001", "002"):
        folder = out / "2024" / "drafts" / number
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(json.dumps({"pages": 60}), encoding="utf-8")
    return inputs, out


def _where(result: Preflight) -> set[tuple[str, str | None, int | None]]:
    return {(p.check, p.file, p.line) for p in result.problems}


def test_every_check_finds_its_problem_with_file_and_line_all_at_once(
    unfinished: tuple[Path, Path],
) -> None:
    inputs, out = unfinished
    result = preflight(inputs, out, 2024, Overrides())
    edition, gb = inputs / "2024" / "edition.yaml", inputs / "2024" / "contributions" / "GB.yaml"
    wg = inputs / "working-group.yaml"
    expected = {
        ("placeholders", "inputs/2024/foreword.md", 1),
        ("placeholders", "inputs/2024/contributions/GB.yaml", _line(gb, "(TBD)")),
        ("front-matter", "inputs/2024/edition.yaml", None),  # a missing field has no line
        ("dates", "inputs/2024/edition.yaml", _line(edition, "date: 2025-04-02")),
        ("late-sources", "inputs/2024/edition.yaml", _line(edition, "accessed: 2025-03-05")),
        ("late-sources", "inputs/working-group.yaml", _line(wg, "published: 2025-06-19")),
        ("example-links", "inputs/2024/contributions/GB.yaml", _line(gb, "www.example.com")),
        ("members", "inputs/2024/contributions/NZ.yaml", 1),
    }
    assert expected <= _where(result)
    reviews = "inputs/2024/reviews/"
    opened = {(p.file, p.line) for p in result.problems if p.check == "open-comments"}
    assert {str(f).startswith(reviews) and isinstance(n, int) for f, n in opened} == {True}
    assert len(opened) == 2
    assert len(result.problems) >= 10 and not result.ok  # every class in one run
    assert {p.check for p in result.problems} == {*CHECK_NAMES, "members"}
    assert all(p.fix and p.flag.startswith("--allow-") for p in result.problems)
    signatory = next(p for p in result.problems if p.message == "no foreword signatory")
    assert "foreword_signatory" in signatory.fix
    # the e-mail addresses of the contacts (@example.gov.uk) are not links
    assert not [p for p in result.problems if "@" in p.message and p.check == "example-links"]
    text = "\n".join(result.lines())
    for heading in ("Placeholder text", "Front matter incomplete", "Dates that do not agree",
                    "Sources dated after the data cut-off", "Links to example addresses",
                    "Members not valid", "Review comments not resolved"):  # fmt: skip
        assert heading in text
    assert "inputs/2024/foreword.md:1: the foreword still holds placeholder text" in text
    assert "--allow-missing NZ" in text


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_each_flag_overrides_only_its_own_class(unfinished: tuple[Path, Path], name: str) -> None:
    inputs, out = unfinished
    loaded = load_edition_inputs(inputs, 2024)
    reviews = read_reviews(loaded, out)
    before = run_checks(loaded, reviews, Overrides())
    after = run_checks(loaded, reviews, Overrides(allow=frozenset({name})))
    assert {p.check for p in after.overridden} == {name}
    assert after.problems == [p for p in before.problems if p.check != name]
    assert after.overridden == [p for p in before.problems if p.check == name]


def test_allow_missing_overrides_only_the_member_it_names(unfinished: tuple[Path, Path]) -> None:
    inputs, out = unfinished
    result = preflight(inputs, out, 2024, Overrides(missing=("NZ",)))
    assert [p.subject for p in result.overridden] == ["NZ"]
    assert "members" not in {p.check for p in result.problems}
    with pytest.raises(FinalRefused, match="--allow-missing names XX, which is not expected"):
        preflight(inputs, out, 2024, Overrides(missing=("XX",)))


def test_the_overrides_are_recorded_in_the_build_info_and_the_manifest(
    unfinished: tuple[Path, Path],
) -> None:
    inputs, out = unfinished
    loaded = load_edition_inputs(inputs, 2024)
    reviews = read_reviews(loaded, out)
    with pytest.raises(FinalRefused) as refused:
        plan.plan_final(loaded, reviews, Overrides())
    assert str(refused.value).startswith("Preflight of the 2024 final:")
    everything = Overrides(allow=frozenset(CHECK_NAMES), missing=("NZ",))
    info, checked = plan.plan_final(loaded, reviews, everything)
    assert checked.ok and info.draft is None and info.allowed_missing == ["NZ"]
    said = " ".join(info.overrides)
    assert "placeholder text (such as TODO) left in 2 places" in said
    assert "front matter incomplete: no foreword signatory" in said
    assert "without the contributions of New Zealand, which were missing" in said
    assert "2 review comments" in said
    rendered: Any = SimpleNamespace(pages=1, warnings=[], render={})
    settings = library_settings(inputs, out)
    manifest = outputs.make_manifest(settings, loaded, rendered, info, checked)
    recorded = {r["check"]: r for r in manifest["preflight_overrides"]}
    assert set(recorded) == {*CHECK_NAMES, "members"}
    assert recorded["members"]["flags"] == ["--allow-missing NZ"]
    assert recorded["example-links"]["problems"][0]["file"] == "inputs/2024/contributions/GB.yaml"
    assert manifest["published_with_open_comments"] == 2
    # a draft records none
    draft = plan.make_build_info(3)
    assert draft.overrides == [] and "preflight_overrides" not in outputs.make_manifest(
        settings, loaded, rendered, draft
    )


def test_the_demo_edition_passes_the_preflight() -> None:
    loaded = load_edition_inputs(DEMO_INPUTS, 2024)
    result = run_checks(loaded, read_reviews(loaded, ROOT / "no-outputs"), Overrides())
    assert result.ok, "\n".join(result.lines())


def test_a_final_build_is_refused_with_every_problem_before_anything_renders(
    unfinished: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs, out = unfinished

    def no_render(*args: object, **kwargs: object) -> None:
        raise AssertionError("the final was rendered")

    monkeypatch.setattr("wgreport.build.steps.render_edition", no_render)
    settings = library_settings(inputs, out)
    with pytest.raises(FinalRefused) as refused:
        build(settings, 2024, final=True, allow=["dates"])
    message = str(refused.value)
    assert "Placeholder text" in message and "Members not valid" in message
    assert "Review comments not resolved" in message and "Dates that do not agree" not in message
    assert not (out / "2024" / "final").exists()
    (entry,) = read_log(out / "2024")
    assert entry["result"] == "refused" and entry["parameters"]["allow"] == ["dates"]


def test_check_final_prints_every_problem_and_its_exit_status(
    unfinished: tuple[Path, Path],
) -> None:
    inputs, out = unfinished
    runner = CliRunner()
    where = ["--inputs", str(inputs), "--outputs", str(out)]
    result = runner.invoke(app, ["check", "--final", "--year", "2024", *where])
    assert result.exit_code == 1, result.output
    assert "Preflight of the 2024 final:" in result.output
    assert "inputs/2024/foreword.md:1:" in result.output and "fix: " in result.output
    result = runner.invoke(app, ["check", "--final", "--year", "2024", "--format", "json", *where])
    data = json.loads(result.stdout)
    assert data["ok"] is False and {p["check"] for p in data["problems"]} >= set(CHECK_NAMES)
    flags = ["--allow-placeholders", "--allow-incomplete-front-matter", "--allow-dates",
             "--allow-late-sources", "--allow-example-links", "--allow-open-comments",
             "--allow-unconfirmed", "--allow-missing", "NZ"]  # fmt: skip
    result = runner.invoke(app, ["check", "--final", "--year", "2024", *flags, *where])
    assert result.exit_code == 0, result.output
    assert "Overridden (recorded in the manifest" in result.output
    clean = runner.invoke(app, ["check", "--final", "--year", "2024", "--inputs", str(DEMO_INPUTS)])
    assert clean.exit_code == 0 and "no problems" in clean.output
    assert runner.invoke(app, ["check", "--year", "2024"]).exit_code == 2
    refused = runner.invoke(app, ["build", "--year", "2024", "--allow-placeholders"])
    assert refused.exit_code == 2 and "only with --final" in refused.output


@pytest.mark.parametrize(
    ("host", "reserved"),
    [
        ("example.com", True), ("www.example.org", True), ("a.b.example.net", True),
        ("site.example", True), ("portal.test", True), ("x.invalid", True),
        ("localhost", True), ("localhost:8080", True), ("127.0.0.1", True), ("[::1]:80", True),
        ("www.example.gov.uk", True), ("user@example.com", True),
        ("www.gov.uk", False), ("examples.com", False), ("counterexample.org", False),
        ("www.canada.ca", False), ("testing.com", False),
    ],
)  # fmt: skip
def test_reserved_example_hosts(host: str, reserved: bool) -> None:
    assert (reserved_host(host) is not None) is reserved


def test_the_country_validation_check_is_ready_for_its_module() -> None:
    state = SimpleNamespace(state="requested", line=9)
    confirmed = SimpleNamespace(state="confirmed", line=4)
    found = list(unconfirmed_problems({"KR": state, "GB": confirmed}, "v.yaml", ["KR", "GB", "EE"]))
    assert [(p.message, p.line, p.flag) for p in found] == [
        ("KR has not confirmed its chapter: requested", 9, "--allow-unconfirmed"),
        ("EE has not confirmed its chapter: not requested", None, "--allow-unconfirmed"),
    ]
