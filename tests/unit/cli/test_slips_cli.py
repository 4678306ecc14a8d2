"""The slips the secretariat and members still met on the command line (issue 38):
`--member kr`, `--allow-missing NZ,PT`, a refused final called a failed build, `wgreport diff
latest` and its absolute paths, the contacts in `status --format json`, and edition.yaml
files without the schema line that lets editors check them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS, edition_tree
from wgreport.cli.check import allowed_missing
from wgreport.cli.main import app
from wgreport.inputs.edition_setup import SCHEMA_LINE

runner = CliRunner()


def said(output: str) -> str:
    """The output as one line of words, without the box that typer draws around errors."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, folder)
    return folder


# 5. --member kr is KR


def test_new_reads_a_lowercase_member_code(inputs: Path) -> None:
    (inputs / "2024" / "contributions" / "KR.yaml").unlink()
    args = ["new", "--member", "kr", "--year", "2024", "--inputs", str(inputs)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = (inputs / "2024" / "contributions" / "KR.yaml").read_text(encoding="utf-8")
    assert "\nmember: KR\n" in text
    assert not (inputs / "2024" / "contributions" / "kr.yaml").exists()


def test_template_reads_a_lowercase_member_code(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["template", "--format", "yaml", "--member", "kr", "--year", "2024"]
    result = runner.invoke(app, [*args, "--inputs", str(inputs)])
    assert result.exit_code == 0, result.output
    assert "\nmember: KR\n" in (tmp_path / "KR.yaml").read_text(encoding="utf-8")


def test_validation_confirm_reads_a_lowercase_member_code(inputs: Path, tmp_path: Path) -> None:
    args = ["validation", "confirm", "--member", " kr ", "--year", "2024", "--by", "a@b.org"]
    result = runner.invoke(
        app, [*args, "--inputs", str(inputs), "--outputs", str(tmp_path / "out")]
    )
    assert "'kr'" not in result.output and "' kr '" not in result.output
    assert "KR" in result.output, result.output


def test_every_member_option_reads_capitals() -> None:
    from wgreport.cli.options import member_code_option

    assert member_code_option(" kr ") == "KR"
    assert member_code_option(None) is None
    commands = [
        ["new", "--help"],
        ["template", "--help"],
        ["portal", "invite", "--help"],
        ["validation", "confirm", "--help"],
        ["validation", "corrections", "--help"],
    ]
    for command in commands:
        assert runner.invoke(app, command).exit_code == 0, command


# 6. --allow-missing NZ,PT


def test_allow_missing_takes_a_comma_list() -> None:
    assert allowed_missing(["NZ,PT"]) == ["NZ", "PT"]
    assert allowed_missing(["nz, pt", "UY", "NZ", ""]) == ["NZ", "PT", "UY"]
    assert allowed_missing(None) == []


def test_check_final_reads_the_comma_list(inputs: Path, tmp_path: Path) -> None:
    where = ["--inputs", str(inputs), "--outputs", str(tmp_path / "out"), "--year", "2024"]
    listed = runner.invoke(app, ["check", "--final", "--allow-missing", "MX,ZZ", *where])
    # The codes are read one by one: ZZ is named as not expected, MX is not.
    assert listed.exit_code == 2, listed.output
    assert "names ZZ, which is not expected" in said(listed.output)
    fine = runner.invoke(app, ["check", "--final", "--allow-missing", "MX,UY", *where])
    assert "not expected" not in said(fine.output), fine.output


# 7. A refused final says so


def test_a_refused_final_says_final_refused(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wgreport.cli.main as main
    import wgreport.flows.launch as launch
    from wgreport.errors import FinalRefused

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise FinalRefused("placeholders: foreword.md still holds TODO")

    monkeypatch.setattr(launch, "build_with_prefect", refuse)
    monkeypatch.setattr(main, "quiet_shutdown", lambda: None)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    args = ["build", "--final", "--year", "2024", "--inputs", str(inputs)]
    result = runner.invoke(app, [*args, "--outputs", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "wgreport: final refused: placeholders: foreword.md" in said(result.output)
    assert "build failed" not in result.output


# 8. wgreport diff latest, no absolute path


def _draft(folder: Path, digest: str) -> None:
    (folder / "data").mkdir(parents=True)
    manifest = {
        "inputs": {"2024/contributions/KR.yaml": digest},
        "members_included": ["KR"],
        "members_left_out": [],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    header = "member,id,title,theme,status,started,ended\n"
    (folder / "data" / "initiatives.csv").write_text(header, encoding="utf-8")


def test_diff_takes_latest_and_prints_no_absolute_path(tmp_path: Path) -> None:
    drafts = tmp_path / "outputs" / "2024" / "drafts"
    for number, digest in (("001", "a"), ("002", "b"), ("003", "c")):
        _draft(drafts / number, digest)
    (drafts / "004").mkdir()  # being written: not published, not the latest
    where = ["--year", "2024", "--outputs", str(tmp_path / "outputs")]
    latest = runner.invoke(app, ["diff", "1", "latest", *where, "--format", "json"])
    assert latest.exit_code == 0, latest.output
    assert json.loads(latest.stdout)["newer"] == "003"
    missing = runner.invoke(app, ["diff", "1", "7", *where])
    assert missing.exit_code == 2
    assert "draft 007 of 2024 is not published" in said(missing.output)
    assert str(tmp_path) not in missing.output
    final = runner.invoke(app, ["diff", "1", "final", *where])
    assert "the final of 2024 is not published" in said(final.output)
    assert str(tmp_path) not in final.output


def test_diff_latest_without_drafts_says_so(tmp_path: Path) -> None:
    where = ["--year", "2024", "--outputs", str(tmp_path / "outputs")]
    result = runner.invoke(app, ["diff", "latest", "final", *where])
    assert result.exit_code == 2
    assert "there is no published draft of 2024 yet" in said(result.output)


# 9. status --format json carries the contacts


def test_status_json_carries_each_members_contacts(inputs: Path) -> None:
    kr = inputs / "2024" / "contributions" / "KR.yaml"
    mx = inputs / "2024" / "contributions" / "MX.yaml"
    mx.write_text(
        mx.read_text(encoding="utf-8").replace("schema: wgreport", "schema: wrong", 1),
        encoding="utf-8",
    )
    args = ["status", "--year", "2024", "--inputs", str(inputs), "--format", "json"]
    result = runner.invoke(app, args)
    rows = {r["member"]: r for r in json.loads(result.stdout)["members"]}
    assert rows["KR"]["contacts"] == {
        "write_to": "kr-contact@example.org",
        "working_group_email": "kr-contact@example.org",
        "contribution": {
            "name": "Jeong Da-eun (정다은)",
            "email": "daeun.jeong@kr.example",
            "organisation": "Ministry of the Interior and Safety",
        },
    }
    assert kr.is_file()
    # not valid: the contact as written in the file, still there to chase
    assert rows["MX"]["valid"] is False
    assert rows["MX"]["contacts"]["contribution"]["email"] == "mariana.hernandez@mx.example"


def test_status_json_of_a_member_without_a_file_has_the_groups_email(tmp_path: Path) -> None:
    inputs = edition_tree(tmp_path)
    args = ["status", "--year", "2024", "--inputs", str(inputs), "--format", "json"]
    rows = json.loads(runner.invoke(app, args).stdout)["members"]
    kr = next(r for r in rows if r["member"] == "KR")
    assert kr["contacts"] == {
        "write_to": "kr-contact@example.org",
        "working_group_email": "kr-contact@example.org",
        "contribution": None,
    }


# 10. edition.yaml starts with the schema line


def test_the_demo_editions_start_with_the_schema_line() -> None:
    for path in sorted(DEMO_INPUTS.glob("20*/edition.yaml")):
        assert path.read_text(encoding="utf-8").startswith(SCHEMA_LINE + "\n"), path
        target = SCHEMA_LINE.split("$schema=")[1]
        assert (path.parent / target).resolve().is_file()


def test_edition_new_writes_the_schema_line(inputs: Path, tmp_path: Path) -> None:
    # from a previous edition without the line
    previous = inputs / "2024" / "edition.yaml"
    lines = previous.read_text(encoding="utf-8").splitlines(keepends=True)
    previous.write_text("".join(line for line in lines if "$schema" not in line), "utf-8")
    args = ["edition", "new", "--year", "2025", "--deadline", "2026-02-27"]
    assert runner.invoke(app, [*args, "--inputs", str(inputs)]).exit_code == 0
    text = (inputs / "2025" / "edition.yaml").read_text(encoding="utf-8")
    assert text.startswith(SCHEMA_LINE + "\n") and text.count("$schema") == 1
    # the group's first edition
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(DEMO_INPUTS / "working-group.yaml", first)
    assert runner.invoke(app, [*args, "--inputs", str(first)]).exit_code == 0
    text = (first / "2025" / "edition.yaml").read_text(encoding="utf-8")
    assert text.startswith(SCHEMA_LINE + "\n")
