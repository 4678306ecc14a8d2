"""End-to-end: the Prefect flow under Prefect's test harness, read back from its outputs."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import SMALL, copy_inputs
from tests.support.prefecthome import seed
from tests.support.waiting import eventually
from wgreport.build.audit import read_log
from wgreport.build.steps import STEPS, VALIDATE
from wgreport.inputs.edition import load_edition_inputs

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def flow_drafts(
    prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, Path]:
    """Two runs of the flow on a copy of the demo: drafts 001 and 002."""
    from wgreport.flows.annual_report import annual_report

    base = tmp_path_factory.mktemp("flow")
    inputs = copy_inputs(base)
    outputs = base / "outputs"
    first = annual_report(2024, inputs_dir=str(inputs), outputs_dir=str(outputs)).folder
    second = annual_report(2024, inputs_dir=str(inputs), outputs_dir=str(outputs)).folder
    return inputs, first, second


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def test_drafts_are_numbered_and_never_overwritten(flow_drafts: tuple[Path, Path, Path]) -> None:
    _, first, second = flow_drafts
    assert first.name == "001" and second.name == "002"
    assert first.parent == second.parent
    latest = first.parent.parent / "latest"
    assert latest.resolve() == second.resolve()
    expected = [
        "SHA256SUMS", "comments.csv", "comments.html", "data/completeness.csv", "data/governance.csv", "data/indicator_change.csv",
        "data/indicator_summary.csv", "data/indicators.csv", "data/initiatives.csv",
        "data/themes.csv", "facts.json", "manifest.json", "report.html", "report.json", "report.pdf",
        "validation.json",
    ]  # fmt: skip
    for folder in (first, second):
        found = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        assert found == expected
    html = (first / "report.html").read_text(encoding="utf-8")
    for name in expected:
        if name.startswith(("data/", "comments.")) or name in ("report.json", "facts.json"):
            assert f'href="{name}"' in html, name


def test_pdf_holds_every_member_and_initiative(flow_drafts: tuple[Path, Path, Path]) -> None:
    inputs, first, _ = flow_drafts
    loaded = load_edition_inputs(inputs, 2024)
    reader = PdfReader(first / "report.pdf")
    assert 30 <= len(reader.pages) <= 80
    text = " ".join(pdf_text(first / "report.pdf").split())
    for member in loaded.working_group.members:
        assert member.name in text
    titles = [i.title for c in loaded.contributions.values() for i in c.initiatives]
    assert len(titles) >= 20
    for title in titles:
        assert " ".join(title.split()) in text, title
    assert "Draft 001" in text
    assert "디지털플랫폼정부위원회" in text  # Hangul survived with real glyphs
    manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pages"] == len(reader.pages)
    assert manifest["members_left_out"] == []
    assert manifest["render_warnings"] == []
    assert manifest["built_at"] == "2025-03-15T09:00:00Z"
    assert "inputs/2024/contributions/KR.yaml" in manifest["inputs"]


def test_pdf_metadata_and_outline(flow_drafts: tuple[Path, Path, Path]) -> None:
    _, first, _ = flow_drafts
    reader = PdfReader(first / "report.pdf")
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Agile and Active Digital Governance — Annual Report 2024"
    assert meta.author == "Digital Nations Digital Governance Working Group"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Executive summary" in outline
    assert "5. Republic of Korea" in outline and "14. Denmark" in outline


def test_html_is_complete_and_clean(flow_drafts: tuple[Path, Path, Path]) -> None:
    _, first, _ = flow_drafts
    html = (first / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert 'lang="en"' in html
    assert "Content-Security-Policy" in html
    for leak in ("{{", "{%", "None", "undefined", "<script"):
        assert leak not in html, leak
    assert html.count('class="chapter member"') == 10


# Reads the run history back through the Prefect client, from the server that
# PREFECT_API_URL names (the background server the builds used).
READ_HISTORY = """
import json
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId

history = {"flow_runs": [], "artifacts": {}}
with get_client(sync_client=True) as client:
    for run in sorted(client.read_flow_runs(), key=lambda r: r.created):
        only = FlowRunFilter(id=FlowRunFilterId(any_=[run.id]))
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])))
        history["flow_runs"].append({
            "id": str(run.id),
            "flow": client.read_flow(run.flow_id).name,
            "state": run.state.name,
            "tasks": {t.name: t.state.name for t in client.read_task_runs(flow_run_filter=only)},
            "logs": len(logs),
        })
    for artifact in client.read_artifacts():
        history["artifacts"].setdefault(artifact.key, []).append(str(artifact.flow_run_id))
# the flow runs' events, once the server has stored both runs' ends (it stores in batches)
import os, time, httpx
query = {"filter": {"event": {"prefix": ["prefect.flow-run."]}}, "limit": 50}
for _ in range(40):
    answer = httpx.post(os.environ["PREFECT_API_URL"] + "/events/filter", json=query)
    events = [e["event"] for e in answer.raise_for_status().json()["events"]]
    if events.count("prefect.flow-run.Completed") >= 2:
        break
    time.sleep(0.5)
history["flow_run_events"] = sorted(set(events))
print("HISTORY " + json.dumps(history))
"""


def _on_a_terminal(command: list[str], **kwargs: Any) -> tuple[int, str, str]:
    """Run `command` with its standard output on a pseudo-terminal, as a person at a
    terminal runs it (Prefect shows its telemetry notice only there), its standard error
    captured; return the exit code, what the terminal showed and the standard error."""
    main, side = pty.openpty()
    shown: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal's last writer closed it
                return
            if not chunk:
                return
            shown.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        done = subprocess.run(command, stdout=side, stderr=subprocess.PIPE, text=True, **kwargs)
    finally:
        os.close(side)
        reader.join(timeout=10)
        os.close(main)
    return done.returncode, b"".join(shown).decode("utf-8", "replace"), done.stderr


NETLOG = Path(__file__).resolve().parents[1] / "support" / "netlog"


def test_cli_build_on_the_embedded_default_keeps_its_run_history(
    tmp_path: Path, migrated_prefect_db: Path
) -> None:
    """`wgreport build` twice on the embedded default, as a secretariat runs it at a
    terminal: the first build starts the background Prefect server (background.py), the
    second reuses it. The flow runs, every task run (the second run's validation and
    aggregation cached), the artifacts, the logs, the builds.log lines and the progress
    lines are all there; and no process of either build (the CLI, the server, the render
    workers) tries to reach an address outside loopback, or prints Prefect's notice that
    it collects usage data, although the environment neither opts out nor looks like CI."""
    from prefect._internal.analytics.ci_detection import CI_ENV_VARS

    from wgreport.runtime import background

    inputs = copy_inputs(tmp_path, members=SMALL)  # what is checked is per member or per step
    outputs = tmp_path / "outputs"
    home = seed(tmp_path / "prefect", migrated_prefect_db)  # migrated: see prefecthome.py
    netlog = tmp_path / "network.log"
    unset = {*CI_ENV_VARS, "DO_NOT_TRACK", "WGREPORT_PREFECT_SERVER", "WGREPORT_WARM_BUILDER"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k not in unset}
    env.update(
        PREFECT_HOME=str(home), WGREPORT_SERVER_IDLE="120", WGREPORT_TEST_NETLOG=str(netlog),
        PYTHONPATH=os.pathsep.join(filter(None, [str(NETLOG), env.get("PYTHONPATH")])),
    )  # fmt: skip
    wgreport = str(Path(sys.executable).parent / "wgreport")
    build = [wgreport, "build", "--year", "2024", "--inputs", str(inputs), "--outputs", str(outputs)]  # fmt: skip
    try:
        servers = []
        server_log = home / background.LOG
        for _ in range(2):
            code, shown, stderr = _on_a_terminal(build, cwd=tmp_path, env=env)
            assert code == 0, shown + stderr
            for number in range(1, 8):
                assert f"[{number}/7]" in stderr
            assert "usage data" not in shown + stderr
            servers.append(background.running(home))
            # the warm builder beside the server (runtime/warm.py) is ready for the next
            assert eventually(lambda: "warm builder: ready" in server_log.read_text("utf-8"), 60), (
                server_log.read_text("utf-8")
            )
        assert servers[0] is not None and servers[0] == servers[1]  # started once, reused
        # the first build started the server and ran in its own process; the second ran in
        # a child of the warm builder, its progress on the caller's standard error
        assert server_log.read_text("utf-8").count("warm builder: build in process") == 1
        read = subprocess.run(
            [sys.executable, "-c", READ_HISTORY], cwd=tmp_path,
            env={**env, "PREFECT_API_URL": servers[0].api_url}, capture_output=True,
            text=True, check=True,
        )  # fmt: skip
    finally:
        background.stop(home)
    line = next(x for x in read.stdout.splitlines() if x.startswith("HISTORY "))
    history = json.loads(line.removeprefix("HISTORY "))
    assert not netlog.exists(), netlog.read_text(encoding="utf-8")

    runs = history["flow_runs"]
    assert [(r["flow"], r["state"]) for r in runs] == [("annual-report", "Completed")] * 2
    log = read_log(outputs / "2024")
    assert [(e["via"], e["result"], e["run_id"]) for e in log] == [
        ("prefect", "success", r["id"]) for r in runs
    ]
    members = [p.stem for p in sorted((inputs / "2024" / "contributions").glob("*.yaml"))]
    # every step of wgreport.build.steps is a task run of its own; validation one per member
    steps = [step.name for step in STEPS if step is not VALIDATE]
    assert steps == ["discover-inputs", "read-inputs", "aggregate", "make-charts",
                     "build-context", "render-html", "render-pdf", "publish",
                     "review-page"]  # fmt: skip
    for run in runs:
        names = run["tasks"]
        assert {f"validate-{m}" for m in members} <= set(names)
        for step in steps:
            assert [n for n in names if n.startswith(step + "-")], (step, sorted(names))
        assert len(names) == len(members) + len(steps)
        assert set(names.values()) <= {"Completed", "Cached"}, names
        assert run["logs"] > 0
    second = runs[1]["tasks"]
    assert {second[f"validate-{m}"] for m in members} == {"Cached"}
    for step in ("aggregate", "make-charts"):
        assert [second[n] for n in second if n.startswith(step + "-")] == ["Cached"]
    ids = [r["id"] for r in runs]
    for kind in ("status", "indicators", "pdf", "html"):
        assert sorted(history["artifacts"][f"wgreport-2024-{kind}"]) == sorted(ids), kind
    # the server stored the runs' events, and no heartbeat among them: nothing on the
    # project's own server reads one (flows/launch.heartbeats_only_for)
    assert "prefect.flow-run.Completed" in history["flow_run_events"], history
    assert "prefect.flow-run.heartbeat" not in history["flow_run_events"], history


def test_the_flow_and_the_library_build_publish_the_same_files(
    flow_drafts: tuple[Path, Path, Path], library_draft: Path
) -> None:
    """Both paths run wgreport.build.steps: the same inputs give the same outputs, byte for byte
    (the manifests' sha256 of every output, the PDF's included), and the same manifest."""
    _, first, _ = flow_drafts
    by_flow = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    by_library = json.loads((library_draft / "manifest.json").read_text(encoding="utf-8"))
    assert by_flow["outputs"] == by_library["outputs"]
    assert len(by_flow["outputs"]) == 14
    assert {k: v for k, v in by_flow.items() if k != "render"} == {
        k: v for k, v in by_library.items() if k != "render"
    }
