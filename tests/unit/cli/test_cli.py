"""The command line, through typer's CliRunner, with exact output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import DEMO_INPUTS, ROOT, VALID_KR, edition_tree
from wgreport.cli.main import app

runner = CliRunner()

SEVERAL_PROBLEMS = """\
schema: wgreport/contribution/v1
member: UK
year: 2024
submitted: 2025-02-14
contact:
  name: Test Person
  email: test.person@example.gov.uk
  organisation: Cabinet Office
sumary: Too short.
governance:
  lead_institution: Government Digital Service
  coordination_model: hybrid
  strategy:
    title: A strategy
    adopted: 2022-06
initiatives:
  - id: one-login
    title: One login
    theme: agile-goverance
    status: in-progress
    started: 2023-01
    description: A single sign-on.
indicators:
  - id: egdi
    value: 0,9577
    data_year: 2024
    source: UN E-Government Survey 2024
  - id: osi
    value: 0.95349
    data_year: 2024
    source: UN E-Government Survey 2024
"""


def make_tree(tmp_path: Path) -> Path:
    inputs = edition_tree(tmp_path)
    (inputs / "2024" / "contributions" / "GB.yaml").write_text(SEVERAL_PROBLEMS, encoding="utf-8")
    return inputs


EXPECTED_TEXT = """\
{f}:2:9: error member-mismatch: member 'UK' does not match the file name 'GB' [member]
    hint: name the file UK.yaml, or write member: GB
{f}:2:9: error unknown-member: 'UK' is not a member of this working group [member]
    hint: did you mean 'GB'?
{f}:9:1: error unknown-key: 'sumary' is not a field here [sumary]
    hint: did you mean 'summary'?
{f}:19:12: error unknown-theme: 'agile-goverance' is not a theme of this working group [initiatives[0].theme]
    hint: did you mean 'agile-governance'?
{f}:23:1: warning missing-indicator: indicator 'egdi-rank' (E-Government Development Index world rank) is not reported [indicators]
    hint: add '- id: egdi-rank' with a value, or value: null and a reason_missing
{f}:23:1: warning missing-indicator: indicator 'dgi' (OECD Digital Government Index) is not reported [indicators]
    hint: add '- id: dgi' with a value, or value: null and a reason_missing
{f}:25:12: error decimal-comma: '0,9577' uses a decimal comma [indicators[0].value]
    hint: numbers use a dot as the decimal separator: write 0.9577
1 file(s) checked: 0 valid, 5 error(s), 2 warning(s)
"""


def test_validate_text_output_is_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", "inputs/2024/contributions/GB.yaml"])
    assert result.exit_code == 1
    assert result.output == EXPECTED_TEXT.format(f="inputs/2024/contributions/GB.yaml")
    assert inputs.exists()


def test_validate_json_has_the_spec_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", "--format", "json", "inputs/2024"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert set(data) == {"valid", "files", "summary"}
    assert data["valid"] is False
    # edition.yaml, its editorial texts (foreword.md, key-messages.md) and GB.yaml
    assert data["summary"] == {"files": 4, "valid": 3, "errors": 5, "warnings": 2}
    gb = next(f for f in data["files"] if f["file"].endswith("GB.yaml"))
    assert set(gb) == {"file", "member", "valid", "issues"}
    assert gb["member"] == "GB" and gb["valid"] is False
    theme = next(i for i in gb["issues"] if i["code"] == "unknown-theme")
    assert theme == {
        "severity": "error",
        "code": "unknown-theme",
        "field": "initiatives[0].theme",
        "line": 19,
        "column": 12,
        "message": "'agile-goverance' is not a theme of this working group",
        "hint": "did you mean 'agile-governance'?",
    }


def test_validate_github_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["validate", "--format", "github", "inputs/2024/contributions/GB.yaml"]
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 7
    assert lines[3] == (
        "::error file=inputs/2024/contributions/GB.yaml,line=19,col=12,title=unknown-theme::"
        "'agile-goverance' is not a theme of this working group "
        "(hint: did you mean 'agile-governance'?)"
    )


def test_validate_demo_is_clean_and_exits_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["validate", "inputs/2024", "inputs/2023"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith("0 error(s), 1 warning(s)")


def test_validate_usage_error_exits_two(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    result = runner.invoke(app, ["validate", "--format", "xml"])
    assert result.exit_code == 2


def test_build_of_missing_edition_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "--year", "1999", "--inputs", str(DEMO_INPUTS)])
    assert result.exit_code == 2
    assert "no edition 1999" in result.output


def test_validate_imports_no_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from wgreport.cli.main import app\n"
        "try:\n"
        "    app(['validate', 'inputs/2024'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "heavy = {'prefect', 'weasyprint', 'pandas', 'matplotlib'} & {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_every_command_has_help() -> None:
    for command in app.registered_commands:
        assert command.callback is not None and command.callback.__doc__, command.name


def test_new_writes_a_skeleton_that_fails_until_filled_in(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(DEMO_INPUTS / "working-group.yaml", inputs)
    first = ["edition", "new", "--year", "2025", "--deadline", "2026-02-27"]
    setup = runner.invoke(app, [*first, "--inputs", str(inputs)])
    assert setup.exit_code == 0, setup.output
    assert "not-filled-in" in setup.output  # a first edition's title and editors, to write
    result = runner.invoke(
        app, ["new", "--member", "KR", "--year", "2025", "--inputs", str(inputs)]
    )
    assert result.exit_code == 0, result.output
    target = inputs / "2025" / "contributions" / "KR.yaml"
    text = target.read_text(encoding="utf-8")
    assert text.startswith(
        "# yaml-language-server: $schema=../../../schemas/contribution-v1.schema.json\n"
    )
    assert "member: KR\nyear: 2025\n" in text
    assert "  - id: egdi\n" in text and "unit index, 0 to 1, required" in text
    check = runner.invoke(
        app, ["validate", "--format", "json", "--inputs", str(inputs), str(target)]
    )
    assert check.exit_code == 1
    issues = json.loads(check.output)["files"][0]["issues"]
    errors = {i["code"] for i in issues if i["severity"] == "error"}
    assert errors == {"not-filled-in"}
    assert len([i for i in issues if i["code"] == "not-filled-in"]) >= 10
    again = runner.invoke(app, ["new", "--member", "KR", "--year", "2025", "--inputs", str(inputs)])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert target.read_text(encoding="utf-8") == text


def test_new_refuses_unknown_member_with_a_hint(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["new", "--member", "UK", "--year", "2025", "--inputs", str(DEMO_INPUTS)]
    )
    assert result.exit_code == 2
    assert "did you mean 'GB'?" in result.output


def test_committed_schemas_are_current() -> None:
    from wgreport.inputs.schemas import schema_texts

    for name, text in schema_texts().items():
        committed = (ROOT / "schemas" / name).read_text(encoding="utf-8")
        assert committed == text, f"schemas/{name} is stale: run `wgreport schema`"


def test_schema_command_writes_every_kind(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "contribution-v1.schema.json",
        "country-validation-v1.schema.json",
        "edition-v1.schema.json",
        "review-v1.schema.json",
        "translation-v1.schema.json",
        "working-group-v1.schema.json",
    ]
    schema = json.loads((tmp_path / "contribution-v1.schema.json").read_text(encoding="utf-8"))
    assert schema["additionalProperties"] is False
    assert "initiatives" in schema["required"]


def test_demo_contributions_carry_the_schema_line() -> None:
    for path in sorted(DEMO_INPUTS.glob("*/contributions/*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert (
            first == "# yaml-language-server: $schema=../../../schemas/contribution-v1.schema.json"
        )


def test_status_lists_every_expected_member(tmp_path: Path) -> None:
    inputs = make_tree(tmp_path)
    shutil.copy(
        DEMO_INPUTS / "2024" / "contributions" / "MX.yaml", inputs / "2024" / "contributions"
    )
    result = runner.invoke(
        app, ["status", "--year", "2024", "--inputs", str(inputs), "--format", "json"]
    )
    assert result.exit_code == 1, result.output  # members are overdue at the pinned build time
    rows = {r["member"]: r for r in json.loads(result.output)["members"]}
    assert list(rows) == ["KR", "GB", "EE", "CA", "NZ", "PT", "MX", "IL", "UY", "DK"]
    assert rows["GB"]["submitted"] and not rows["GB"]["valid"] and rows["GB"]["errors"] == 5
    assert rows["MX"]["valid"] and rows["MX"]["late"] and rows["MX"]["status"] == "submitted late"
    assert not rows["KR"]["submitted"] and rows["KR"]["status"] == "not submitted, overdue"
    text = runner.invoke(app, ["status", "--year", "2024", "--inputs", str(inputs)])
    assert text.exit_code == 1
    assert "1 of 10 expected members have a valid contribution." in text.output
    assert (
        "Overdue (nothing submitted by the deadline 2025-02-28): KR, EE, CA, NZ, PT, IL, UY, DK"
        in text.output
    )


# Runs `wgreport build` with the flow replaced by a probe that reports the Prefect settings
# the build's temporary server gets (its environment, as Prefect reads it), then stops.
BUILD_SETTINGS_PROBE = """
import json, os, sys, types

def probe(**kwargs):
    from prefect.settings import get_current_settings

    server = get_current_settings().server
    print("PROBE " + json.dumps({
        "triggers": server.services.triggers.enabled,
        "stream_out": server.events.stream_out_enabled,
        "analytics": server.analytics_enabled,
        "startup_timeout": server.ephemeral.startup_timeout_seconds,
        "task_run_recorder": server.services.task_run_recorder.enabled,
        "event_persister": server.services.event_persister.enabled,
        "home": os.environ["PREFECT_HOME"],
    }))
    raise SystemExit(0)

fake = types.ModuleType("wgreport.flows.annual_report")
fake.annual_report = probe
fake.annual_report_on = lambda address: probe
sys.modules["wgreport.flows.annual_report"] = fake
from wgreport.cli.main import app
app(["build", "--year", "2024", "--inputs", sys.argv[1]])
"""


def _build_settings(tmp_path: Path, **env: str) -> dict[str, object]:
    import os

    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    out = subprocess.run(
        [sys.executable, "-c", BUILD_SETTINGS_PROBE, str(DEMO_INPUTS)],
        cwd=tmp_path,  # not the project folder: prefect.toml is not read
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("PROBE "))
    found: dict[str, object] = json.loads(line.removeprefix("PROBE "))
    return found


def test_build_gives_the_temporary_server_its_settings(tmp_path: Path) -> None:
    found = _build_settings(tmp_path)
    assert found == {
        # an embedded one-shot build needs neither automations nor event streaming
        "triggers": False,
        "stream_out": False,
        "analytics": False,
        "startup_timeout": 180,
        # what records the run history stays on
        "task_run_recorder": True,
        "event_persister": True,
        "home": str(ROOT / ".prefect"),
    }
    # An explicit setting wins over wgreport's default.
    found = _build_settings(tmp_path, PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED="true")
    assert found["triggers"] is True and found["stream_out"] is False


def test_the_long_running_server_keeps_prefects_services(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from wgreport.runtime import settings as wgsettings

    for temporary, expected in ((False, set()), (True, set(wgsettings.TEMPORARY_SERVER))):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        monkeypatch.setattr(os, "environ", env)
        wgsettings.configure_prefect_environment(
            wgsettings.get_settings(), temporary_server=temporary
        )
        assert set(env) & set(wgsettings.TEMPORARY_SERVER) == expected
        assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"


def test_prefect_toml_mirrors_the_settings_for_every_prefect_process() -> None:
    import tomllib

    from wgreport.runtime.settings import PREFECT_SETTINGS, TEMPORARY_SERVER

    toml = tomllib.loads((ROOT / "prefect.toml").read_text(encoding="utf-8"))
    flat = {
        f"PREFECT_{section.upper()}_{key.upper()}".replace(".", "_"): str(value).lower()
        for section, values in _sections(toml)
        for key, value in values.items()
    }
    assert flat == {k: v.lower() for k, v in PREFECT_SETTINGS.items()}
    # Not in prefect.toml: `wgreport server` and `prefect server start` read it too.
    assert not set(flat) & set(TEMPORARY_SERVER)


def _sections(table: dict[str, object], prefix: str = "") -> list[tuple[str, dict[str, object]]]:
    leaves = {k: v for k, v in table.items() if not isinstance(v, dict)}
    found = [(prefix, leaves)] if leaves else []
    for key, value in table.items():
        if isinstance(value, dict):
            found += _sections(value, f"{prefix}.{key}" if prefix else key)
    return found


def test_validate_json_gives_a_syntax_errors_second_position(tmp_path: Path) -> None:
    """An unclosed quote: the issue is at the line where the quote opens, and the line
    where the YAML reader noticed it is the optional noticed_line/noticed_column."""
    target = tmp_path / "KR.yaml"
    lines = VALID_KR.splitlines()
    title = next(i for i, line in enumerate(lines) if line.strip().startswith("title:"))
    lines[title] = lines[title].replace("title: ", 'title: "', 1)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    check = runner.invoke(app, ["validate", "--format", "json", str(target)])
    assert check.exit_code == 1, check.output
    (issue,) = json.loads(check.output)["files"][0]["issues"]
    assert issue["code"] == "yaml-syntax" and issue["line"] == title + 1
    assert issue["noticed_line"] > issue["line"] and issue["noticed_column"] >= 1
    text = runner.invoke(app, ["validate", str(target)]).output
    assert f"KR.yaml:{title + 1}:" in text
    assert f"noticed it at line {issue['noticed_line']}, column {issue['noticed_column']}" in text
