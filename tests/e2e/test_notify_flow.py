"""The flows' e-mails under Prefect's test harness: the `status` deployment's reminders
(collect_status) and "draft N is ready" to the reviewers after a draft (announce_draft,
the annual-report flow's last step, run here without building a draft)."""

from __future__ import annotations

import shutil
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, copy_inputs, library_settings
from wgreport.layout import Inputs, Outputs

pytestmark = pytest.mark.e2e


def _outbox(outputs: Path) -> list[tuple[str, str]]:
    """(To, Subject) of each message in the outbox."""
    found = []
    for path in sorted(Outputs(outputs).outbox.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        found.append((str(message["To"]), str(message["Subject"])))
    return sorted(found)


def test_the_status_flow_reminds_the_overdue(prefect_harness: None, tmp_path: Path) -> None:
    from wgreport.flows.annual_report import collect_status

    inputs, outputs = copy_inputs(tmp_path), tmp_path / "outputs"
    Inputs(inputs).edition(2024).contribution("KR").unlink()
    collect_status(year=2024, inputs_dir=str(inputs), outputs_dir=str(outputs), remind=False)
    assert _outbox(outputs) == []
    report = collect_status(year=2024, inputs_dir=str(inputs), outputs_dir=str(outputs))
    assert report.overdue == ["KR"]
    assert _outbox(outputs) == [
        ("kr-contact@example.org", "[wgreport 2024] Reminder: your contribution is overdue")
    ]


def test_a_draft_is_announced_to_the_reviewers(prefect_harness: None, tmp_path: Path) -> None:
    from prefect import flow

    from wgreport.flows.annual_report import announce_draft

    inputs, outputs = copy_inputs(tmp_path), tmp_path / "outputs"
    reviews = Inputs(inputs).edition(2024).reviews
    reviews.mkdir()
    for path in (FIXTURES / "reviews" / "valid").iterdir():
        shutil.copy(path, reviews)
    settings = library_settings(inputs, outputs)

    @flow
    def announce() -> None:
        announce_draft(settings, 2024, 3)

    announce()
    assert _outbox(outputs) == [
        ("review@example.org", "[wgreport 2024] Draft 003 is ready for review")
    ]
