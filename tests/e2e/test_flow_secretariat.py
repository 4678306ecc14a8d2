"""The secretariat's flows under Prefect's test harness: drafts, a final, artifacts,
refusals, caching and retries. Builds at once: tests/e2e/test_concurrency.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import multiprocessing
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import SMALL, copy_inputs, library_settings
from wgreport.errors import FinalExists, FinalRefused

if TYPE_CHECKING:
    from prefect.client.schemas.objects import Artifact

pytestmark = pytest.mark.e2e


def _task_states(flow_run_id: Any) -> dict[str, str | None]:
    """Task-run name → final state name, read back through the Prefect client."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async def read() -> dict[str, str | None]:
        async with get_client() as client:
            runs = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
            )
            return {r.name: r.state.name for r in runs if r.state is not None}

    return asyncio.run(read())


def _created(artifact: Artifact) -> dt.datetime:
    """When the server made the artifact (it always says; Prefect's schema has it optional)."""
    assert artifact.created is not None
    return artifact.created


def _artifacts(year: int) -> dict[str | None, Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    keys = [f"wgreport-{year}-{k}" for k in ("status", "indicators", "pdf", "html")]

    async def read() -> dict[str | None, Any]:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys))
            )
            latest: dict[str | None, Any] = {}
            for artifact in sorted(found, key=_created):
                latest[artifact.key] = artifact
            return latest

    return asyncio.run(read())


def _run(**kwargs: Any) -> tuple[Path, Any]:
    from wgreport.flows.annual_report import annual_report

    state = annual_report(return_state=True, **kwargs)
    return state.result().folder, state.state_details.flow_run_id


@pytest.fixture(scope="module")
def secretariat(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two drafts (the second from unchanged inputs), then a third after one member's file
    changed, then a final; of the small edition (three members: what is tested is per
    member, per build and per task, not the demo's ten)."""
    base = tmp_path_factory.mktemp("secretariat")
    inputs = copy_inputs(base, members=SMALL)
    outputs = base / "outputs"
    # A unique comment: no earlier test session can have cached these exact inputs.
    gb = inputs / "2024" / "contributions" / "GB.yaml"
    gb.write_text(gb.read_text(encoding="utf-8") + f"# run {uuid.uuid4()}\n", encoding="utf-8")
    where = {"inputs_dir": str(inputs), "outputs_dir": str(outputs)}
    first, first_id = _run(year=2024, **where)
    second, second_id = _run(year=2024, **where)
    ee = inputs / "2024" / "contributions" / "EE.yaml"
    ee.write_text(ee.read_text(encoding="utf-8") + f"# changed {uuid.uuid4()}\n", encoding="utf-8")
    third, third_id = _run(year=2024, **where)
    final, _ = _run(year=2024, final=True, **where)
    return {
        "inputs": inputs, "outputs": outputs, "where": where,
        "drafts": [first, second, third], "final": final,
        "states": [_task_states(i) for i in (first_id, second_id, third_id)],
    }  # fmt: skip


def test_drafts_and_final_with_their_manifests(secretariat: dict[str, Any]) -> None:
    first, second, third = secretariat["drafts"]
    assert [d.name for d in (first, second, third)] == ["001", "002", "003"]
    final = secretariat["final"]
    assert final == secretariat["outputs"] / "2024" / "final"
    manifest = json.loads((final / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["final"] is True and manifest["draft"] is None
    assert manifest["members_left_out"] == [] and manifest["allowed_missing"] == []
    assert len(manifest["members_included"]) == len(SMALL) == 3 and manifest["pages"] > 30
    assert set(manifest["outputs"]) >= {"report.pdf", "report.html", "validation.json"}
    assert "inputs/2024/contributions/GB.yaml" in manifest["inputs"]
    for name, digest in manifest["outputs"].items():
        import hashlib

        assert hashlib.sha256((final / name).read_bytes()).hexdigest() == digest, name
    draft = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    assert draft["final"] is False and draft["draft"] == "001"


def test_every_flow_build_is_in_builds_log(secretariat: dict[str, Any]) -> None:
    from wgreport.build.audit import read_log

    log = read_log(secretariat["outputs"] / "2024")[:4]  # later tests add more builds
    assert [(e["result"], e["draft"], e["folder"]) for e in log] == [
        ("success", "001", "drafts/001"),
        ("success", "002", "drafts/002"),
        ("success", "003", "drafts/003"),
        ("success", None, "final"),
    ]
    assert {e["via"] for e in log} == {"prefect"}
    assert all(e["run_id"] and e["user"] and e["host"] for e in log)
    assert log[3]["parameters"]["final"] is True


def test_artifacts_are_in_prefect(secretariat: dict[str, Any]) -> None:
    artifacts = _artifacts(2024)
    status = artifacts["wgreport-2024-status"]
    assert status.type == "markdown" and "3 of 3" in status.data  # the small edition
    table = artifacts["wgreport-2024-indicators"]
    assert table.type == "table"
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    kr = next(r for r in rows if r["member"] == "KR")
    assert kr["egdi"] == pytest.approx(0.9679, abs=1e-4)  # the demo's EGDI 2024 for Korea
    pdf = artifacts["wgreport-2024-pdf"]
    # Prefect stores a link artifact as Markdown: [text](link)
    assert "/2024/final/report.pdf)" in pdf.data and "file://" in pdf.data


def test_unchanged_inputs_reuse_cached_validation_and_aggregation(
    secretariat: dict[str, Any],
) -> None:
    first, second, third = secretariat["states"]
    validations = [n for n in first if n.startswith("validate-")]
    assert len(validations) == len(SMALL) == 3
    # GB's file is new (a unique comment); the others may already be cached from an earlier
    # run on the same contents: the key is the files' digests, not where they are.
    assert first["validate-GB"] == "Completed"
    assert {second[n] for n in validations} == {"Cached"}
    aggregate = next(n for n in second if n.startswith("aggregate"))
    charts = next(n for n in second if n.startswith("make-charts"))
    assert second[aggregate] == "Cached" and second[charts] == "Cached"
    # one member's file changed: only its validation and what depends on every input re-run
    rerun = {n for n in validations if third[n] != "Cached"}
    assert rerun == {"validate-EE"}, third
    assert third[next(n for n in third if n.startswith("aggregate"))] == "Completed"


def test_a_second_final_needs_supersede(secretariat: dict[str, Any]) -> None:
    from wgreport.build.audit import read_log
    from wgreport.flows.annual_report import annual_report

    with pytest.raises(FinalExists, match="--supersede"):
        annual_report(year=2024, final=True, **secretariat["where"])
    refused = read_log(secretariat["outputs"] / "2024")[-1]
    assert refused["result"] == "refused" and refused["via"] == "prefect"
    assert refused["error"].startswith("FinalExists:")
    folder = annual_report(year=2024, final=True, supersede=True, **secretariat["where"]).folder
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    kept = folder.parent / manifest["supersedes"]
    assert kept.name.startswith("final-superseded-") and (kept / "report.pdf").is_file()


def test_a_final_with_an_invalid_member_needs_allow_missing(
    prefect_harness: None, tmp_path: Path
) -> None:
    from wgreport.flows.annual_report import annual_report

    inputs = copy_inputs(tmp_path, members=("KR", "GB", "NZ"))
    (inputs / "2024" / "contributions" / "NZ.yaml").write_text(
        "schema: wgreport/contribution/v1\nmember: NZ\n", encoding="utf-8"
    )
    where: dict[str, Any] = {"inputs_dir": str(inputs), "outputs_dir": str(tmp_path / "outputs")}
    with pytest.raises(FinalRefused, match="--allow-missing NZ"):
        annual_report(year=2024, final=True, **where)
    assert not (tmp_path / "outputs" / "2024" / "final").exists()
    folder = annual_report(year=2024, final=True, allow_missing=["NZ"], **where).folder
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["allowed_missing"] == ["NZ"]
    assert manifest["members_left_out"][0]["member"] == "NZ"
    assert manifest["members_left_out"][0]["allowed_by"] == "--allow-missing"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "published this final without" in html and "New Zealand" in html


def test_a_task_that_fails_once_is_retried(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wgreport.build import publish

    calls = {"n": 0}
    real = publish.publish_draft

    def flaky(*args: Any, **kwargs: Any) -> publish.Published:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("simulated: the network share went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(publish, "publish_draft", flaky)  # called by publish_build
    inputs = copy_inputs(tmp_path, members=SMALL)
    folder, run_id = _run(year=2024, inputs_dir=str(inputs), outputs_dir=str(tmp_path / "out"))
    assert calls["n"] == 2 and (folder / "report.pdf").is_file()
    states = _task_states(run_id)
    assert states[next(n for n in states if n.startswith("publish"))] == "Completed"


def _build_in_process(inputs: str, outputs: str, queue: Any) -> None:
    from wgreport.build.steps import build

    settings = library_settings(Path(inputs), Path(outputs))
    queue.put(str(build(settings, 2024)))


def test_two_builds_of_the_same_year_at_once(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path, members=SMALL)
    outputs = tmp_path / "outputs"
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_build_in_process, args=(str(inputs), str(outputs), queue))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
        assert p.exitcode == 0
    folders = sorted(Path(queue.get(timeout=5)) for _ in procs)
    assert [f.name for f in folders] == ["001", "002"]
    for folder in folders:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        for name, digest in manifest["outputs"].items():
            import hashlib

            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert not list((outputs / "2024" / "drafts").glob(".tmp-*"))


def test_collect_status_runs_on_its_own(prefect_harness: None, tmp_path: Path) -> None:
    from wgreport.flows.annual_report import collect_status

    inputs = copy_inputs(tmp_path)
    (inputs / "2024" / "contributions" / "KR.yaml").unlink()
    outputs = str(tmp_path / "outputs")  # its reminder to Korea goes to this outbox
    rows = collect_status(year=2024, inputs_dir=str(inputs), outputs_dir=outputs).members
    by_member = {r["member"]: r for r in rows}
    # the suite's pinned build time is after the deadline: Korea is overdue
    assert len(rows) == 10 and by_member["KR"]["status"] == "not submitted, overdue"
    assert by_member["KR"]["overdue"] and not by_member["GB"]["overdue"]
    assert by_member["MX"]["late"] and by_member["GB"]["valid"]
    status = _artifacts(2024)["wgreport-2024-status"]
    assert "9 of 10" in status.data and "not submitted, overdue" in status.data
