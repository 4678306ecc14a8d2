"""A draft built on a Dask cluster (`--dask-address`): a local cluster of two worker
processes, under the session's Prefect test server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import SMALL, copy_inputs
from wgreport.build.audit import read_log
from wgreport.inputs.edition import load_edition_inputs

pytestmark = pytest.mark.e2e


class TaskLog:
    """A scheduler plugin: the function name and worker of every task that finished."""

    name = "wgreport-task-log"

    def __init__(self) -> None:
        self.done: list[tuple[str, str | None]] = []

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        if start == "processing" and finish == "memory":
            # a submitted function's key is "<its name>-<token>"
            self.done.append((str(key).rsplit("-", 1)[0], kwargs.get("worker")))


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    from distributed import LocalCluster
    from distributed.diagnostics.plugin import SchedulerPlugin

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        # The scheduler runs in this process: the plugin is added to it directly.
        plugin = type("TaskLogPlugin", (TaskLog, SchedulerPlugin), {})()
        local.scheduler.add_plugin(plugin)
        local.task_log = plugin
        yield local


# (c) counts the chapters laid out on the cluster's workers: none may come from the session's cache
@pytest.mark.usefixtures("cold_build_cache")
def test_a_draft_built_on_a_dask_cluster(
    prefect_harness: None, cluster: Any, tmp_path: Path
) -> None:
    from wgreport.flows.annual_report import annual_report_on

    address = cluster.scheduler_address
    # three members: what is checked is where each task ran, for any number of members
    inputs = copy_inputs(tmp_path, members=SMALL)
    folder = annual_report_on(address)(
        year=2024,
        inputs_dir=str(inputs),
        outputs_dir=str(tmp_path / "outputs"),
        dask_address=address,
    ).folder
    # (a) published, and the PDF reads back like a local build's
    assert folder.name == "001" and (folder.parent.parent / "latest").resolve() == folder
    reader = PdfReader(folder / "report.pdf")
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    loaded = load_edition_inputs(inputs, 2024)
    korea = loaded.contributions["KR"]
    assert "Republic of Korea" in text
    for initiative in korea.initiatives:
        assert " ".join(initiative.title.split()) in text, initiative.title
    # (c) the manifest says where the chapters were laid out
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    parts = manifest["render"]["parts"]
    assert manifest["render"] == {
        "mode": "parallel", "workers": 2, "dask": address, "parts": parts,
        "parts_laid_out": 6, "parts_rendered": parts, "passes": 1,
    }  # fmt: skip
    # the front matter, the chapters and the annexes in 12 parts, and a part per member
    assert parts == 12 + len(SMALL) and manifest["pages"] == len(reader.pages) > 30
    assert manifest["render_warnings"] == []
    # (b) the validation tasks and the part layouts ran on the cluster's workers
    done = cluster.task_log.done
    workers = set(cluster.scheduler.workers)
    assert {worker for _, worker in done} <= workers
    validated = [w for prefix, w in done if prefix == "validate_member"]
    laid_out = [w for prefix, w in done if prefix == "_part_job"]
    contributions = len(list((inputs / "2024" / "contributions").glob("*.yaml")))
    assert len(validated) == contributions == len(SMALL)
    # every part rendered, the six with page numbers of others (the contents, the lists of
    # figures and tables, the chapters with cross-references) laid out first with
    # placeholders, and the stamp's sample page
    assert len(laid_out) == parts + 6 + 1
    entry = read_log(folder.parent.parent)[-1]
    assert entry["result"] == "success" and entry["parameters"]["dask_address"] == address


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_cluster_fails_the_build_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from wgreport.cli import main as cli
    from wgreport.runtime import cluster

    # The command's own set-up, kept to this test: the environment it sets for Prefect (-v:
    # it leaves Prefect's logging alone). It fails before it starts Prefect.
    for name, value in (
        ("PREFECT_HOME", str(tmp_path / ".prefect")),
        ("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180"),
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_SECONDS", 2)
    address = f"tcp://127.0.0.1:{_closed_port()}"
    inputs, outputs = copy_inputs(tmp_path), tmp_path / "outputs"
    where = ["--inputs", str(inputs), "--outputs", str(outputs)]
    result = CliRunner().invoke(
        cli.app, ["build", "--year", "2024", "-v", "--dask-address", address, *where]
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[1:] == [
        f"wgreport: build failed: cannot connect to the Dask scheduler at {address} "
        f"(OSError: Timed out trying to connect to {address} after 2 s)"
    ]
    _assert_failed_and_logged(outputs / "2024", address)
    assert read_log(outputs / "2024")[-1]["run_id"] is None  # no flow run was started


def test_the_flow_checks_the_cluster_before_it_validates(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wgreport.errors import ClusterError
    from wgreport.flows.annual_report import annual_report_on
    from wgreport.runtime import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_SECONDS", 2)
    address = f"tcp://127.0.0.1:{_closed_port()}"
    outputs = tmp_path / "outputs"
    with pytest.raises(ClusterError, match=f"^cannot connect to the Dask scheduler at {address} "):
        annual_report_on(address)(
            year=2024,
            inputs_dir=str(copy_inputs(tmp_path)),
            outputs_dir=str(outputs),
            dask_address=address,
        )
    _assert_failed_and_logged(outputs / "2024", address)
    assert read_log(outputs / "2024")[-1]["run_id"] is not None


def _assert_failed_and_logged(year_dir: Path, address: str) -> None:
    """Nothing published, and builds.log records the failed build."""
    assert sorted(p.name for p in year_dir.iterdir()) == [".lock", "builds.log"]
    entry = read_log(year_dir)[-1]
    assert entry["result"] == "failed" and entry["via"] == "prefect"
    assert entry["error"].startswith(
        f"ClusterError: cannot connect to the Dask scheduler at {address}"
    )
    assert entry["parameters"]["dask_address"] == address and entry["draft"] is None


def test_a_cluster_without_workers_or_without_the_api_is_refused() -> None:
    from distributed import LocalCluster

    from wgreport.errors import ClusterError
    from wgreport.runtime.cluster import check_cluster

    no_workers = pytest.raises(ClusterError, match=r"^the Dask cluster at \S+ has no workers$")
    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty, no_workers:
        check_cluster(empty.scheduler_address)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as one:
        assert check_cluster(one.scheduler_address) == 1
        api = f"http://127.0.0.1:{_closed_port()}/api"
        with pytest.raises(ClusterError, match=f"cannot reach the Prefect API at {api}"):
            check_cluster(one.scheduler_address, api)
