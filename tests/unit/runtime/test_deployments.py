"""prefect.yaml's deployments, the due edition, and the build command's usage errors."""

from __future__ import annotations

import inspect
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import ROOT
from wgreport.cli.main import app
from wgreport.runtime.server import load_flow, read_deployments, runner_deployments


def test_prefect_yaml_declares_the_deployments_with_valid_parameters() -> None:
    specs = {d["name"]: d for d in read_deployments(ROOT)}
    assert set(specs) == {"draft-weekly", "on-demand", "status"}
    for spec in specs.values():
        flow = load_flow(ROOT, spec["entrypoint"])
        accepted = set(inspect.signature(flow.fn).parameters)
        assert set(spec.get("parameters") or {}) <= accepted, spec["name"]
        assert spec["work_pool"]["name"] == "wgreport"
    weekly = specs["draft-weekly"]["schedules"][0]
    assert "FREQ=WEEKLY" in weekly["rrule"] and "UNTIL=" in weekly["rrule"]  # the window ends
    assert weekly["active"] is True


def test_served_deployments_carry_schedules_and_parameters() -> None:
    deployments = {d.name: d for d in runner_deployments(ROOT)}
    assert set(deployments) == {"draft-weekly", "on-demand", "status"}
    weekly = deployments["draft-weekly"]
    assert len(weekly.schedules) == 1 and weekly.parameters["final"] is False
    assert deployments["on-demand"].schedules == []


def test_final_options_need_final(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["build", "--year", "2024", "--supersede"])
    assert result.exit_code == 2 and "only with --final" in result.output
    result = runner.invoke(app, ["build", "--year", "2024", "--allow-missing", "NZ"])
    assert result.exit_code == 2
