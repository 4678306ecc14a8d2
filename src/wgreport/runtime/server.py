"""`wgreport server`: a long-lived local Prefect server with its UI, serving the
deployments declared in prefect.yaml so that their schedules run."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .background import healthy
from .settings import TELEMETRY_OFF, Settings


def read_deployments(root: Path) -> list[dict[str, Any]]:
    """The `deployments:` of the project's prefect.yaml."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load((root / "prefect.yaml").read_text(encoding="utf-8"))
    deployments: list[dict[str, Any]] = data.get("deployments") or []
    return deployments


def load_flow(root: Path, entrypoint: str) -> Any:
    """The flow object an entrypoint such as `src/wgreport/flows/annual_report.py:annual_report`
    names (a file under `src/` is the installed package's module)."""
    path, name = entrypoint.split(":")
    module = Path(path).with_suffix("").as_posix().removeprefix("src/").replace("/", ".")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return getattr(importlib.import_module(module), name)


def runner_deployments(root: Path) -> list[Any]:
    """prefect.yaml's deployments as RunnerDeployments for `prefect.serve` (no work pool)."""
    from prefect.schedules import Cron, Interval, RRule

    out = []
    for spec in read_deployments(root):
        schedules = []
        for s in spec.get("schedules") or []:
            common = {"timezone": s.get("timezone"), "active": s.get("active", True)}
            if "rrule" in s:
                schedules.append(RRule(s["rrule"], **common))
            elif "cron" in s:
                schedules.append(Cron(s["cron"], **common))
            elif "interval" in s:
                schedules.append(Interval(s["interval"], timezone=s.get("timezone")))
        flow = load_flow(root, spec["entrypoint"])
        out.append(
            flow.to_deployment(
                name=spec["name"],
                description=spec.get("description"),
                parameters=spec.get("parameters") or {},
                tags=spec.get("tags") or [],
                schedules=schedules,
            )
        )
    return out


def wait_healthy(api_url: str, timeout: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with status {process.returncode}")
        if healthy(api_url):
            return
        time.sleep(0.5)
    raise RuntimeError(f"the Prefect server did not answer at {api_url} within {timeout:.0f} s")


def server_home(settings: Settings) -> Path:
    """The server's Prefect home: $PREFECT_HOME when set, else the project's .prefect/."""
    return Path(os.environ.get("PREFECT_HOME") or settings.prefect_home)


def start_server(settings: Settings, host: str, port: int) -> tuple[subprocess.Popen[bytes], str]:
    """Start `prefect server start` (state in server_home); return it and its API URL."""
    home = server_home(settings)
    env = {**os.environ, "PREFECT_HOME": str(home)}
    env.update(TELEMETRY_OFF)
    env.pop("PREFECT_API_URL", None)
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "server.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=settings.root,
    )
    return process, f"http://{host}:{port}/api"
