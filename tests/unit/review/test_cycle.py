"""An edition's stage, derived from its data (each stage reached on a copy of the demo inputs
with fake draft and final folders, no build), its checklist, and the edition a command
uses when no year is given."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests.conftest import DEMO_INPUTS, copy_inputs
from tests.support.editions import SECRETARIAT, fake_draft
from wgreport.errors import InputsError
from wgreport.inputs.edition_setup import new_edition
from wgreport.layout import Inputs, Outputs
from wgreport.review.confirmations import confirm, open_round
from wgreport.review.cycle import EditionStage, current_edition, stage

YEAR = 2024
AFTER_DEADLINE = dt.date(2025, 3, 15)  # the demo's 2024 deadline is 2025-02-28


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """The demo before its country validation (the demo's own record removed)."""
    inputs = copy_inputs(tmp_path)
    (inputs / "2024" / "country-validation.yaml").unlink()
    return inputs, tmp_path / "outputs"


def _texts(found: EditionStage) -> list[str]:
    return [f"[{'x' if s.done else ' '}] {s.text}" for s in found.checklist]


def test_preparing_while_the_edition_file_holds_placeholders(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(DEMO_INPUTS / "working-group.yaml", inputs)
    new_edition(inputs, 2025, dt.date(2026, 2, 27))  # a first edition: TODO placeholders
    found = stage(inputs, tmp_path / "outputs", 2025, dt.date(2025, 6, 1))
    assert found.name == "preparing"
    assert found.reason == "being prepared: inputs/2025/edition.yaml is not valid yet"
    [step] = found.checklist
    assert not step.done and "not-filled-in" in step.text
    assert "wgreport validate inputs/2025/edition.yaml" in step.text


def test_open_until_the_deadline(tree: tuple[Path, Path]) -> None:
    found = stage(*tree, YEAR, dt.date(2025, 2, 28))
    assert (found.name, found.reason) == ("open", "open for contributions until 2025-02-28")
    assert found.dates.deadline == dt.date(2025, 2, 28)
    assert found.dates.approval == dt.date(2025, 3, 12)
    assert "[x] 10 of 10 members submitted a valid contribution" in _texts(found)


def test_drafting_after_the_deadline_without_a_draft(tree: tuple[Path, Path]) -> None:
    found = stage(*tree, YEAR, AFTER_DEADLINE)
    assert found.name == "drafting"
    assert "[ ] build a draft: wgreport build --year 2024 (or the portal)" in _texts(found)


def test_review_once_drafts_exist(tree: tuple[Path, Path]) -> None:
    inputs, outputs = tree
    fake_draft(outputs, 1)
    fake_draft(outputs, 2)
    found = stage(inputs, outputs, YEAR, AFTER_DEADLINE)
    assert (found.name, found.reason) == ("review", "in review: draft 002 is the newest")
    assert found.drafts == [1, 2]
    assert "[ ] country validation: open a round: wgreport validation open --draft 2" in _texts(
        found
    )


def test_country_validation_until_every_member_confirmed(tree: tuple[Path, Path]) -> None:
    inputs, outputs = tree
    fake_draft(outputs, 3)
    open_round(inputs, YEAR, 3, SECRETARIAT, None, outputs_dir=outputs)
    confirm(inputs, YEAR, "KR", "kr@example.org")
    found = stage(inputs, outputs, YEAR, AFTER_DEADLINE)
    assert found.name == "country validation"
    assert found.reason == "country validation of draft 003: 1 of 10 confirmed"
    assert found.round_draft == 3 and found.dates.round_opened is not None
    kr = next(m for m in found.members if m.code == "KR")
    assert (kr.status, kr.validation) == ("submitted", "confirmed")
    step = next(t for t in _texts(found) if "country validation:" in t)
    assert step.startswith("[ ] country validation: 1 of 10 confirmed on draft 003 (requested:")
    assert step.endswith("— follow: wgreport validation status --year 2024")
    for code in ("GB", "EE", "CA", "NZ", "PT", "MX", "IL", "UY", "DK"):
        confirm(inputs, YEAR, code, f"{code.lower()}@example.org")
    found = stage(inputs, outputs, YEAR, AFTER_DEADLINE)
    assert found.name == "review"
    assert "[x] country validation: 10 of 10 confirmed on draft 003" in _texts(found)


def test_final_then_published(tree: tuple[Path, Path]) -> None:
    inputs, outputs = tree
    fake_draft(outputs, 3)
    year_out = Outputs(outputs).year(YEAR)
    year_out.final.folder.mkdir(parents=True)
    found = stage(inputs, outputs, YEAR, AFTER_DEADLINE)
    assert found.name == "final"
    assert "[x] build the final: wgreport build --final --year 2024" in _texts(found)
    assert "[ ] publish: wgreport publish --year 2024 --out DIR" in _texts(found)
    year_out.publications.write_text('{"at": "2025-04-01T08:00:00Z"}\n', encoding="utf-8")
    found = stage(inputs, outputs, YEAR, AFTER_DEADLINE)
    assert found.name == "published"
    assert "[x] publish: wgreport publish --year 2024 --out DIR" in _texts(found)


def test_the_checklist_names_who_is_missing_and_the_open_comments(
    tree: tuple[Path, Path],
) -> None:
    inputs, outputs = tree
    edition = Inputs(inputs).edition(YEAR)
    edition.contribution("UY").unlink()
    text = edition.contribution("DK").read_text(encoding="utf-8")
    edition.contribution("DK").write_text(text.replace("status: ", "statut: ", 1), "utf-8")
    edition.reviews.mkdir()
    edition.review("ee-review").write_text(
        "schema: wgreport/review/v1\nyear: 2024\nreviewer:\n  id: ee-review\n  name: A Reviewer\n"
        "  organisation: An organisation\ncomments:\n  - id: 1\n    draft: 1\n    section: summary\n"
        "    comment: Too long.\n    proposed_change: Shorten it.\n    kind: editorial\n"
        "  - id: 2\n    draft: 1\n    section: KR\n    comment: A typo.\n"
        "    proposed_change: Fix it.\n    kind: editorial\n    status: accepted\n"
        "    response: Fixed.\n",
        encoding="utf-8",
    )
    found = stage(inputs, outputs, YEAR, AFTER_DEADLINE)
    texts = _texts(found)
    assert (
        "[ ] 8 of 10 members submitted a valid contribution (not submitted: UY; not valid: DK)"
        " — remind: wgreport notify reminders --year 2024" in texts
    )
    assert (
        "[ ] open comments: 1 — answer in the portal or the review files "
        "(wgreport comments --year 2024 --status open)" in texts
    )
    [reviewer] = found.reviewers
    assert (reviewer.reviewer, reviewer.open, reviewer.answered) == ("ee-review", 1, 1)
    uy = next(m for m in found.members if m.code == "UY")
    assert (uy.status, uy.validation) == ("not submitted, overdue", "not requested")


def test_the_default_year_is_the_open_edition_not_the_closed_one(
    tree: tuple[Path, Path],
) -> None:
    inputs, outputs = tree
    new_edition(inputs, 2025, dt.date(2026, 2, 27))
    Outputs(outputs).year(2023).final.folder.mkdir(parents=True)
    today = dt.date(2025, 11, 2)  # 2024's deadline passed, 2025's call is open
    year, why = current_edition(inputs, outputs, today)
    assert year == 2025
    assert why == (
        "Using the 2025 edition (open for contributions until 2026-02-27); "
        "name another with --year."
    )


def test_the_default_year_is_the_newest_without_a_final(tree: tuple[Path, Path]) -> None:
    inputs, outputs = tree
    fake_draft(outputs, 2)
    assert current_edition(inputs, outputs, AFTER_DEADLINE) == (
        2024,
        "Using the 2024 edition (in review: draft 002 is the newest); name another with --year.",
    )
    # 2024's final closes it and every older edition, final or not (2023 has none)
    Outputs(outputs).year(2024).final.folder.mkdir(parents=True, exist_ok=True)
    year, why = current_edition(inputs, outputs, AFTER_DEADLINE)
    assert year == 2024
    assert "(the newest; it has its final: the final is built" in why


def test_no_edition_at_all_says_how_to_set_one_up(tmp_path: Path) -> None:
    with pytest.raises(InputsError, match="wgreport edition new"):
        current_edition(tmp_path, tmp_path, AFTER_DEADLINE)


def test_a_member_is_overdue_only_after_the_deadline_of_the_day_asked(
    tree: tuple[Path, Path],
) -> None:
    inputs, outputs = tree
    Inputs(inputs).edition(YEAR).contribution("UY").unlink()
    before = stage(inputs, outputs, YEAR, dt.date(2025, 2, 1))
    after = stage(inputs, outputs, YEAR, AFTER_DEADLINE)
    assert [(m.status, m.overdue) for m in before.members if m.code == "UY"] == [
        ("not submitted", False)
    ]
    assert [(m.status, m.overdue) for m in after.members if m.code == "UY"] == [
        ("not submitted, overdue", True)
    ]
