"""`wgreport demo-data`: synthetic inputs trees, deterministic, valid, of realistic size."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS
from wgreport.cli.main import app
from wgreport.errors import DemoDataError
from wgreport.inputs.demodata import to_yaml, write_demo_inputs
from wgreport.inputs.edition import load_edition_inputs
from wgreport.inputs.validate_paths import validate_paths
from wgreport.inputs.yamlsource import Source, parse_yaml_text

runner = CliRunner()


def tree_digest(folder: Path) -> str:
    """sha256 over every file's relative path and bytes, in path order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    first = write_demo_inputs(tmp_path / "a", 12, 2024, 5)
    write_demo_inputs(tmp_path / "b", 12, 2024, 5)
    write_demo_inputs(tmp_path / "c", 12, 2024, 6)
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    assert tree_digest(tmp_path / "a") != tree_digest(tmp_path / "c")
    files = [p for p in (tmp_path / "a").rglob("*") if p.is_file()]
    assert first.files == len(files)
    assert first.bytes == sum(p.stat().st_size for p in files)


@pytest.mark.parametrize("members", [10, 50])
def test_the_tree_validates_without_errors_or_warnings(tmp_path: Path, members: int) -> None:
    out = tmp_path / "inputs"
    summary = write_demo_inputs(out, members, 2024, 1)
    report = validate_paths([out], out)
    counts = report.to_dict()["summary"]
    problems = [f"{f.file}:{i.line}: {i.code}: {i.message}" for f in report.files for i in f.issues]
    assert problems == []
    assert counts["errors"] == 0 and counts["warnings"] == 0
    # working-group.yaml, two edition.yaml with their forewords (whose references are
    # checked), and a contribution (plus CSV when used) per member and edition
    assert counts["files"] == 5 + 2 * members + summary.csv_files
    assert summary.members == members and summary.years == (2023, 2024)


def test_members_initiatives_and_variety(tmp_path: Path) -> None:
    out = tmp_path / "inputs"
    summary = write_demo_inputs(out, 30, 2024, 3)
    statuses: set[str] = set()
    themes: set[str] = set()
    nulls = images = 0
    total = 0
    for year in (2023, 2024):
        loaded = load_edition_inputs(out, year)
        codes = [m.code for m in loaded.working_group.members]
        assert len(codes) == len(set(codes)) == 30
        assert all(re.fullmatch(r"[A-Z]{2}", c) for c in codes)
        assert sorted(loaded.contributions) == sorted(codes)
        assert loaded.edition.previous_edition == (2023 if year == 2024 else None)
        for contribution in loaded.contributions.values():
            count = len(contribution.initiatives)
            assert 3 <= count <= 8, (contribution.member, year, count)
            total += count
            statuses |= {i.status for i in contribution.initiatives}
            themes |= {i.theme for i in contribution.initiatives}
            assert len(contribution.indicators) == len(loaded.working_group.indicators)
            nulls += sum(1 for v in contribution.indicators if v.value is None)
            assert all(v.reason_missing for v in contribution.indicators if v.value is None)
            assert contribution.case_study is not None
            assert 150 <= len(contribution.case_study.body.split()) <= 1500
            assert contribution.contact.email.endswith("@example.org")
            images += sum(1 for i in contribution.initiatives if i.image)
            images += bool(contribution.case_study.image)
    assert total == summary.initiatives
    assert statuses == {"planned", "in-progress", "completed", "discontinued"}
    assert len(themes) == 7
    assert nulls > 0
    assert images == summary.images > 0
    assert summary.csv_files > 0
    # the demo's catalogue, unchanged
    demo = (DEMO_INPUTS / "working-group.yaml").read_text(encoding="utf-8")
    generated = (out / "working-group.yaml").read_text(encoding="utf-8")
    assert generated[generated.index("themes:") :] == demo[demo.index("themes:") :]


def test_images_are_real_png_and_safe_svg(tmp_path: Path) -> None:
    from wgreport.inputs.validation import svg_problem

    out = tmp_path / "inputs"
    write_demo_inputs(out, 3, 2024, 1)
    pngs = sorted(out.rglob("*.png"))
    svgs = sorted(out.rglob("*.svg"))
    assert pngs and svgs
    for path in pngs:
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    for path in svgs:
        assert svg_problem(path.read_bytes()) is None


def test_refuses_a_non_empty_folder_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "inputs"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(DemoDataError, match="not empty"):
        write_demo_inputs(out, 5, 2024, 1)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    write_demo_inputs(out, 5, 2024, 1, force=True)
    # a larger tree first: --force replaces the editions, so no stale member is left
    write_demo_inputs(out, 8, 2024, 2, force=True)
    write_demo_inputs(out, 5, 2024, 1, force=True)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert len(list((out / "2024" / "contributions").glob("*.yaml"))) == 5
    assert validate_paths([out], out).valid


def test_refuses_the_project_inputs_and_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(DemoDataError, match="inputs"):
        write_demo_inputs(DEMO_INPUTS / "2030", 5, 2024, 1, force=True)
    with pytest.raises(DemoDataError, match="members"):
        write_demo_inputs(tmp_path / "a", 0, 2024, 1)
    with pytest.raises(DemoDataError, match="members"):
        write_demo_inputs(tmp_path / "a", 677, 2024, 1)
    assert not (tmp_path / "a").exists()
    assert not (DEMO_INPUTS / "2030").exists()


def test_cli_writes_a_tree_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    args = ["demo-data", "--members", "4", "--year", "2025", "--seed", "9", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert re.search(
        r"Wrote \d+ files \([0-9,]+ bytes\) to .*: 4 members, editions 2024 and 2025, "
        r"\d+ initiatives, \d+ images, \d+ indicator CSV files",
        result.output,
    ), result.output
    assert (out / "2025" / "edition.yaml").is_file()
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "is not empty; use --force" in again.output
    check = runner.invoke(app, ["validate", str(out), "--inputs", str(out), "--format", "json"])
    assert check.exit_code == 0, check.output
    assert json.loads(check.output)["summary"]["warnings"] == 0


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=40,
    )
)
def test_every_single_line_text_reads_back_unchanged(text: str) -> None:
    """Plain where that reads back as the same text, quoted otherwise."""
    source = Source(path=Path("x.yaml"), display="x.yaml")
    parse_yaml_text(source, to_yaml({"key": text, "items": [text]}))
    assert source.issues == []
    assert source.data == {"key": text, "items": [text]}
