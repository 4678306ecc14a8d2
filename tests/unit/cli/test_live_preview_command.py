"""`wgreport preview` refuses clearly before it serves (issue 41): no such edition, a port
in use."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tests.conftest import SMALL, copy_inputs
from wgreport.cli.main import app
from wgreport.cli.preview import port_problem

runner = CliRunner()


def test_no_such_edition_is_a_usage_error_that_says_what_to_check(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path, members=SMALL)
    done = runner.invoke(app, ["preview", "--year", "2031", "--inputs", str(inputs),
                               "--outputs", str(tmp_path / "out"), "--no-browser"])  # fmt: skip
    assert done.exit_code == 2, done.output
    assert "no 2031 edition to preview" in done.output and "--year" in done.output
    assert not (tmp_path / "out").exists()


def test_a_port_in_use_is_a_usage_error_that_names_another(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path, members=SMALL)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert port_problem("127.0.0.1", port) is not None
        done = runner.invoke(app, ["preview", "--year", "2024", "--inputs", str(inputs),
                                   "--outputs", str(tmp_path / "out"), "--port", str(port),
                                   "--no-browser"])  # fmt: skip
    assert done.exit_code == 2, done.output
    assert f"port {port} on 127.0.0.1 is in use" in done.output
    assert f"--port {port + 1}" in done.output
    assert not (tmp_path / "out").exists()  # refused before anything was built
    assert port_problem("127.0.0.1", port) is None  # free again


def test_the_resource_trackers_notice_is_kept_off_the_terminal(monkeypatch: Any) -> None:
    from wgreport.cli.preview import TRACKER_NOTICE, quiet_resource_tracker

    monkeypatch.setenv("PYTHONWARNINGS", "default::DeprecationWarning")
    quiet_resource_tracker()
    quiet_resource_tracker()
    assert os.environ["PYTHONWARNINGS"] == f"default::DeprecationWarning,{TRACKER_NOTICE}"
