"""The embedded default's background Prefect server (background.py): started once, reused
by the next build, never stopped under a running build, stopped after its idle time; and
the temporary server when it is turned off or cannot start."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.prefecthome import seed
from tests.support.waiting import eventually
from wgreport.flows import launch
from wgreport.runtime import background


@pytest.fixture
def home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_prefect_db: Path
) -> Iterator[Path]:
    seed(tmp_path, migrated_prefect_db)  # a server started here need not migrate
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("WGREPORT_PREFECT_SERVER", "background")
    monkeypatch.setenv("WGREPORT_SERVER_IDLE", "3")
    yield tmp_path
    background.stop(tmp_path)


def test_started_once_reused_held_and_stopped_when_idle(home: Path) -> None:
    with launch.prefect_api():
        server = background.running(home)
        assert server is not None
        assert os.environ["PREFECT_API_URL"] == server.api_url
        time.sleep(6)  # twice the idle time: a running build holds the server
        assert background.running(home) == server
    assert "PREFECT_API_URL" not in os.environ
    with launch.prefect_api():  # the next build finds it and does not start another
        assert background.running(home) == server
    assert eventually(lambda: background.read_state(home) is None, 60, step=0.5), (
        "not stopped when idle"
    )
    assert eventually(lambda: not background.alive(server.pid), 30, step=0.5)


def test_turned_off_or_failing_it_leaves_the_temporary_server(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WGREPORT_PREFECT_SERVER", "temporary")
    with launch.prefect_api():
        assert "PREFECT_API_URL" not in os.environ
    monkeypatch.setenv("WGREPORT_PREFECT_SERVER", "background")

    def cannot_start(home: Path, timeout: float = 0) -> background.Server:
        raise RuntimeError("the background Prefect server exited")

    monkeypatch.setattr(background, "ensure", cannot_start)
    with launch.prefect_api():
        assert "PREFECT_API_URL" not in os.environ
    assert background.read_state(home) is None


def test_an_explicit_api_url_wins(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    with launch.prefect_api():
        assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:9/api"
    assert background.read_state(home) is None


def test_flow_runs_send_heartbeats_only_to_a_server_the_user_named() -> None:
    """The project's servers run no automation that reads a flow run's heartbeat, and the
    end of every run waits for the heartbeat thread's one-second sleep (flow_engine's
    `_send_heartbeats` joins it): on them a run sends none; a server the user named
    (PREFECT_API_URL) keeps Prefect's default."""
    from prefect.flow_engine import FlowRunEngine
    from prefect.settings import get_current_settings

    default = get_current_settings().flows.heartbeat_frequency
    assert default is not None  # Prefect's default sends them: else this test tests nothing
    with launch.heartbeats_only_for(explicit=False):
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == default
    with launch.heartbeats_only_for(explicit=True):
        assert get_current_settings().flows.heartbeat_frequency == default
    # the setting is the one the engine reads for its heartbeat interval
    heartbeat = FlowRunEngine.heartbeat_seconds
    assert isinstance(heartbeat, property) and heartbeat.fget is not None
    engine = FlowRunEngine.__new__(FlowRunEngine)
    with launch.heartbeats_only_for(explicit=False):
        assert heartbeat.fget(engine) is None
    assert heartbeat.fget(engine) is not None
