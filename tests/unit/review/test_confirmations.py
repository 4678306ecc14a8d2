"""Country validation's record (`inputs/<year>/country-validation.yaml`): rounds, members'
confirmations and corrections, the content a member confirms, refusals, and writers that
never lose each other's change. On a copy of the demo inputs with a fake draft (no build)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import copy_inputs
from tests.support.editions import SECRETARIAT, fake_draft
from wgreport.errors import CountryValidationRefused, InputsError
from wgreport.inputs.comments import load_reviews
from wgreport.inputs.validate_paths import validate_paths
from wgreport.inputs.validation import load_working_group
from wgreport.layout import Inputs
from wgreport.review import confirmations, yamlfiles
from wgreport.review.confirmations import (
    confirm,
    content_digest,
    load_record,
    member_states,
    open_round,
    return_corrections,
)

YEAR = 2024


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    inputs = copy_inputs(tmp_path)
    (inputs / "2024" / "country-validation.yaml").unlink()  # before its country validation
    outputs = tmp_path / "outputs"
    fake_draft(outputs, 3)
    return inputs, outputs


def _open(tree: tuple[Path, Path], draft: int = 3) -> confirmations.Round:
    inputs, outputs = tree
    return open_round(inputs, YEAR, draft, SECRETARIAT, None, outputs_dir=outputs)


def _record(inputs: Path) -> Path:
    return Inputs(inputs).edition(YEAR).country_validation


def _validate(path: Path, inputs: Path, outputs: Path) -> list[str]:
    report = validate_paths([path], inputs, outputs)
    return [f"{i.line}:{i.code}" for f in report.files for i in f.sorted_issues()]


def test_without_a_record_no_member_is_requested(tree: tuple[Path, Path]) -> None:
    inputs, _ = tree
    assert load_record(inputs, YEAR).rounds == []
    states = member_states(inputs, YEAR)
    assert list(states) == ["KR", "GB", "EE", "CA", "NZ", "PT", "MX", "IL", "UY", "DK"]
    assert {s.state for s in states.values()} == {"not requested"}


def test_a_round_asks_every_expected_member_and_the_record_validates(
    tree: tuple[Path, Path],
) -> None:
    inputs, outputs = tree
    made = _open(tree)
    assert made.draft == 3 and made.opened_by == SECRETARIAT
    states = member_states(inputs, YEAR)
    assert {s.state for s in states.values()} == {"requested"}
    text = _record(inputs).read_text(encoding="utf-8").splitlines()
    line = states["GB"].line
    assert line is not None and text[line - 1] == "      GB:"  # each member's line in the YAML
    assert _validate(_record(inputs), inputs, outputs) == []


def test_a_round_on_a_draft_that_does_not_exist_is_refused(tree: tuple[Path, Path]) -> None:
    with pytest.raises(CountryValidationRefused, match=r"no draft 007 .*drafts: 003"):
        _open(tree, 7)
    assert not _record(tree[0]).exists()


def test_a_second_round_needs_a_newer_draft(tree: tuple[Path, Path]) -> None:
    _open(tree)
    with pytest.raises(CountryValidationRefused, match="already open"):
        _open(tree)
    fake_draft(tree[1], 4)
    assert _open(tree, 4).draft == 4
    assert [r.draft for r in load_record(tree[0], YEAR).rounds] == [3, 4]


def test_confirming_with_no_round_open_is_refused(tree: tuple[Path, Path]) -> None:
    with pytest.raises(CountryValidationRefused, match="no country-validation round is open"):
        confirm(tree[0], YEAR, "KR", "kr@example.org")


def test_confirming_an_unknown_member_is_refused(tree: tuple[Path, Path]) -> None:
    _open(tree)
    with pytest.raises(CountryValidationRefused, match=r"'UK' is not a member .*'GB'"):
        confirm(tree[0], YEAR, "UK", "gb@example.org")


def test_confirming_a_member_whose_contribution_is_not_valid_is_refused(
    tree: tuple[Path, Path],
) -> None:
    inputs, _ = tree
    _open(tree)
    kr = Inputs(inputs).edition(YEAR).contribution("KR")
    kr.write_text(kr.read_text(encoding="utf-8").replace("status: ", "statut: ", 1), "utf-8")
    assert content_digest(inputs, YEAR, "KR") is None
    with pytest.raises(CountryValidationRefused, match="KR has no valid contribution"):
        confirm(inputs, YEAR, "KR", "kr@example.org")
    assert member_states(inputs, YEAR)["KR"].state == "requested"


def test_a_changed_value_must_be_confirmed_again(tree: tuple[Path, Path]) -> None:
    inputs, _ = tree
    _open(tree)
    done = confirm(inputs, YEAR, "kr", "kr@example.org")
    assert (done.code, done.state, done.by) == ("KR", "confirmed", "kr@example.org")
    kr = Inputs(inputs).edition(YEAR).contribution("KR")
    text = kr.read_text(encoding="utf-8")
    assert "value: 0.96789" in text
    kr.write_text(text.replace("value: 0.96789", "value: 0.96790"), encoding="utf-8")
    assert member_states(inputs, YEAR)["KR"].state == "changed since confirmed"
    assert confirm(inputs, YEAR, "KR", "kr@example.org").state == "confirmed"


def test_reformatting_the_file_keeps_it_confirmed(tree: tuple[Path, Path]) -> None:
    inputs, _ = tree
    _open(tree)
    confirm(inputs, YEAR, "KR", "kr@example.org")
    kr = Inputs(inputs).edition(YEAR).contribution("KR")
    lines = kr.read_text(encoding="utf-8").splitlines()
    reformatted = ["# reformatted by hand", ""]
    for line in lines:
        line = line.replace("value: 0.96789", "value: 0.967890")  # the same number
        reformatted += [line.rstrip() + ("   # a comment" if line.startswith("year:") else "")]
        if line.startswith(("member:", "submitted:")):
            reformatted.append("")  # blank lines
    kr.write_text("\n".join(reformatted) + "\n\n", encoding="utf-8")
    assert kr.read_text(encoding="utf-8") != "\n".join(lines) + "\n"
    assert member_states(inputs, YEAR)["KR"].state == "confirmed"


def test_a_changed_image_is_a_changed_content(tree: tuple[Path, Path]) -> None:
    inputs, _ = tree
    _open(tree)
    confirm(inputs, YEAR, "KR", "kr@example.org")
    image = Inputs(inputs).edition(YEAR).images("KR") / "benefits-flow.svg"
    image.write_text(image.read_text(encoding="utf-8") + "<!-- changed -->\n", "utf-8")
    assert member_states(inputs, YEAR)["KR"].state == "changed since confirmed"


def test_corrections_are_a_valid_review_comment_on_the_members_chapter(
    tree: tuple[Path, Path],
) -> None:
    inputs, outputs = tree
    _open(tree)
    ref = return_corrections(
        inputs, YEAR, "GB", "gb@example.org", "Table 3 shows the 2022 value.", 12,
        outputs_dir=outputs,
    )  # fmt: skip
    assert ref == "gb-validation#1"
    review = Inputs(inputs).edition(YEAR).review("gb-validation")
    assert _validate(review, inputs, outputs) == []
    assert _validate(_record(inputs), inputs, outputs) == []
    wg, _ = load_working_group(Inputs(inputs).working_group)
    reviews = load_reviews(Inputs(inputs).edition(YEAR).folder, wg, YEAR, {3: 40})
    [row] = reviews.rows
    assert (row.ref, row.draft, row.section, row.page, row.status) == (ref, 3, "GB", 12, "open")
    assert row.comment == "Table 3 shows the 2022 value."
    gb = member_states(inputs, YEAR)["GB"]
    assert (gb.state, gb.comment, gb.by) == ("corrections", ref, "gb@example.org")
    again = return_corrections(inputs, YEAR, "GB", "gb@example.org", "And page 13.", None)
    assert again == "gb-validation#2"


def test_corrections_past_the_drafts_pages_are_refused_and_nothing_is_written(
    tree: tuple[Path, Path],
) -> None:
    inputs, outputs = tree
    _open(tree)
    before = _record(inputs).read_bytes()
    with pytest.raises(CountryValidationRefused, match="draft 003 has 40 pages"):
        return_corrections(inputs, YEAR, "GB", "gb@example.org", "x", 99, outputs_dir=outputs)
    with pytest.raises(CountryValidationRefused, match="empty"):
        return_corrections(inputs, YEAR, "GB", "gb@example.org", "  ", None)
    with pytest.raises(CountryValidationRefused, match="invalid-email"):
        return_corrections(inputs, YEAR, "GB", "not an address", "x", None)
    assert _record(inputs).read_bytes() == before
    assert not Inputs(inputs).edition(YEAR).review("gb-validation").exists()


def test_concurrent_confirms_are_all_kept(
    tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each writer reads the record, then pauses before writing it back: without the
    edition's lock, a writer would write over another's confirmation."""
    inputs, _ = tree
    _open(tree)
    read = yamlfiles.load_roundtrip

    def slow_read(path: Path) -> Any:
        data = read(path)
        time.sleep(0.05)
        return data

    monkeypatch.setattr(confirmations, "load_roundtrip", slow_read)
    codes = ["KR", "GB", "EE", "CA"]
    errors: list[BaseException] = []

    def run(code: str) -> None:
        try:
            confirm(inputs, YEAR, code, f"{code.lower()}@example.org")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    states = member_states(inputs, YEAR)
    assert [c for c in codes if states[c].state == "confirmed"] == codes


def test_writes_keep_what_the_secretariat_wrote_in_the_record(tree: tuple[Path, Path]) -> None:
    inputs, _ = tree
    _open(tree)
    path = _record(inputs)
    path.write_text("# Round 1 agreed at the plenary\n" + path.read_text("utf-8"), "utf-8")
    confirm(inputs, YEAR, "KR", "kr@example.org")
    assert path.read_text(encoding="utf-8").startswith("# Round 1 agreed at the plenary\n")


BAD_RECORD = """\
schema: wgreport/country-validation/v1
year: 2024
rounds:
  - draft: 3
    opened: 2025-03-03
    opened_by: secretariat@example.org
    members:
      KR:
        status: confirmed
        at: 2025-03-05T09:12:00Z
        by: kr-contact@example.org
      GB:
        status: corrections
        at: 2025-03-06 14:02
        by: gb-contact@example.org
        comment: kr-validation#1
  - draft: 2
    opened: 2025-03-20
    opened_by: secretariat@example.org
    due: 2025-03-14
    members:
      UK:
        status: requested
"""


def test_the_record_is_checked_line_by_line(tree: tuple[Path, Path]) -> None:
    inputs, outputs = tree
    _record(inputs).write_text(BAD_RECORD, encoding="utf-8")
    assert _validate(_record(inputs), inputs, outputs) == [
        "8:missing-field",  # confirmed without its content
        "14:invalid-date",
        "16:comment-mismatch",
        "17:round-order",
        "20:due-before-opened",
        "22:unknown-member",
    ]
    with pytest.raises(InputsError, match=r"country-validation.yaml:8:\d+: missing-field"):
        load_record(inputs, YEAR)
    with pytest.raises(InputsError, match="wgreport validate"):
        confirm(inputs, YEAR, "KR", "kr@example.org")
