"""The member's page that starts them off (issue 38): the deadline with the days left in
the edition's time zone, what is expected and the guide, the template, their accepted file
as YAML and as a workbook, last year's file pre-filled, image upload through the checks of
validate, sign-out, and every time shown in the edition's zone with its offset."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import DEMO_INPUTS, edition_tree
from wgreport.inputs.models import Edition
from wgreport.inputs.validation import load_edition, load_working_group
from wgreport.review.deadline import deadline_status, edition_zone, local_time

# --- the edition's time zone ----------------------------------------------------------------


def _edition_with(tmp_path: Path, line: str | None) -> tuple[Edition | None, list[str]]:
    inputs = edition_tree(tmp_path)
    path = inputs / "2024" / "edition.yaml"
    text = path.read_text(encoding="utf-8").replace("time_zone: Asia/Seoul\n", "")
    if line is not None:
        text = text.replace("deadline: 2025-02-28\n", f"deadline: 2025-02-28\n{line}\n", 1)
    path.write_text(text, encoding="utf-8")
    wg, _ = load_working_group(inputs / "working-group.yaml")
    edition, report = load_edition(path, wg, 2024)
    return edition, [f"{i.code} {i.field} {i.message} {i.hint}" for i in report.issues]


def test_the_demo_edition_is_in_seoul_and_an_edition_without_a_zone_is_in_utc(
    tmp_path: Path,
) -> None:
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    demo, _ = load_edition(DEMO_INPUTS / "2024" / "edition.yaml", wg, 2024)
    assert demo is not None and demo.time_zone == "Asia/Seoul"
    assert str(edition_zone(demo)) == "Asia/Seoul"
    plain, issues = _edition_with(tmp_path, None)
    assert issues == [] and plain is not None
    assert edition_zone(plain).utcoffset(dt.datetime(2025, 1, 1)) == dt.timedelta(0)


@pytest.mark.parametrize("name", ["Asia/Seul", "../../etc/passwd", "Mars/Olympus_Mons", ""])
def test_a_time_zone_that_is_not_one_is_refused_with_a_hint(tmp_path: Path, name: str) -> None:
    edition, issues = _edition_with(tmp_path, f'time_zone: "{name}"')
    assert edition is None
    (issue,) = issues
    assert issue.startswith("invalid-choice time_zone"), issue
    assert "is not a time zone name" in issue and "Asia/Seoul" in issue


def test_times_are_shown_in_the_zone_with_their_offset() -> None:
    seoul = edition_zone(_demo_edition())
    assert local_time("2025-02-14T08:05:00+00:00", seoul) == "2025-02-14 17:05 (UTC+09:00)"
    assert local_time("2025-02-14T20:05:00Z", seoul) == "2025-02-15 05:05 (UTC+09:00)"
    assert local_time("2025-02-14T08:05:00+00:00", dt.UTC) == "2025-02-14 08:05 (UTC+00:00)"
    assert local_time(None, seoul) == ""


def _demo_edition() -> Edition:
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    edition, _ = load_edition(DEMO_INPUTS / "2024" / "edition.yaml", wg, 2024)
    assert edition is not None
    return edition


def _seoul(day: str, time: str) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=ZoneInfo("Asia/Seoul"))


def test_the_days_left_are_counted_from_today_in_the_editions_zone() -> None:
    edition = _demo_edition()  # deadline 2025-02-28, Asia/Seoul
    early = deadline_status(edition, _seoul("2025-02-14", "10:00"), submitted=False)
    assert (early.state, early.days_left, early.words) == ("open", 14, "14 days left.")
    assert early.due == "28 February 2025, 23:59 (UTC+09:00)"
    # 27 February 16:00 UTC is already 28 February in Seoul: the last day, not one day left
    last = deadline_status(edition, dt.datetime(2025, 2, 27, 16, 0, tzinfo=dt.UTC), submitted=False)
    assert (last.state, last.days_left) == ("due today", 0)
    one = deadline_status(edition, _seoul("2025-02-27", "23:00"), submitted=False)
    assert one.words == "1 day left."
    late = deadline_status(edition, _seoul("2025-03-03", "09:00"), submitted=False)
    assert (late.state, late.days_left) == ("late", -3)
    assert late.words.startswith("3 days late: upload your contribution")
    past = deadline_status(edition, _seoul("2025-03-01", "09:00"), submitted=True)
    assert past.state == "past" and "passed 1 day ago; your contribution is in" in past.words
    closed = deadline_status(edition, _seoul("2025-04-01", "09:00"), submitted=True, closed=True)
    assert (closed.state, closed.words) == (
        "closed",
        "The call is closed: the final report is out.",
    )
