"""review.messages and review.notices: the e-mails' text, who they go to, the reminders an
edition calls for, and `wgreport notify reminders` (sent through a real SMTP server on
loopback, or written to the outbox)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import BUILD_TIME, DEMO_INPUTS, FIXTURES, copy_inputs
from tests.support.smtpserver import smtp_server
from wgreport.cli.main import app
from wgreport.inputs.edition import load_edition_inputs
from wgreport.inputs.models import Member, WorkingGroup
from wgreport.inputs.validation import load_edition, load_working_group
from wgreport.layout import Inputs, Outputs
from wgreport.review.messages import (
    Letterhead,
    draft_ready,
    reminder,
    upload_receipt,
    validation_reminder,
    validation_request,
)
from wgreport.review.notices import (
    draft_ready_notices,
    due_reminders,
    member_address,
    reviewer_addresses,
)
from wgreport.runtime.mail import KIND_HEADER
from wgreport.runtime.settings import MailSettings

PORTAL = "https://portal.example.org"
SENDER = "secretariat@example.org"


def _group() -> WorkingGroup:
    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    assert wg is not None
    return wg


def _head() -> Letterhead:
    wg = _group()
    edition, _ = load_edition(DEMO_INPUTS / "2024" / "edition.yaml", wg, 2024)
    assert edition is not None
    return Letterhead.of(wg, edition, MailSettings(portal_url=PORTAL + "/", sender=SENDER))


def _body(message: EmailMessage) -> str:
    """The plain-text body with its lines joined (messages wrap at 72 columns)."""
    part = message.get_body(("plain",))
    assert part is not None
    text = part.get_content()
    assert isinstance(text, str)
    assert all(len(line) <= 72 for line in text.splitlines())
    return " ".join(text.split())


def _wire(message: EmailMessage) -> str:
    """Everything a recipient sees: the headers and the decoded body."""
    headers = "\n".join(f"{k}: {v}" for k, v in message.items())
    return headers + "\n" + _body(message)


# Every message to a member, as (kind, subject, function of the member and its address).
MemberMessage = Callable[[Member, str], EmailMessage]
MEMBER_MESSAGES: dict[str, tuple[str, MemberMessage]] = {
    "accepted": (
        "[wgreport 2024] Your contribution was accepted",
        lambda m, to: upload_receipt(_head(), m, to, accepted=True, file_name=f"{m.code}.yaml"),
    ),
    "refused": (
        "[wgreport 2024] Your upload was refused: 3 problems to fix",
        lambda m, to: upload_receipt(_head(), m, to, accepted=False, problems=3),
    ),
    "overdue": (
        "[wgreport 2024] Reminder: your contribution is overdue",
        lambda m, to: reminder(_head(), m, to, "overdue"),
    ),
    "invalid": (
        "[wgreport 2024] Reminder: your contribution is not valid yet",
        lambda m, to: reminder(_head(), m, to, "invalid", problems=1),
    ),
    "validation-request": (
        "[wgreport 2024] Please check your chapter in draft 003",
        lambda m, to: validation_request(_head(), m, to, 3, dt.date(2025, 3, 20)),
    ),
    "validation-reminder": (
        "[wgreport 2024] Reminder: please confirm your chapter in draft 003",
        lambda m, to: validation_reminder(_head(), m, to, 3, changed=True),
    ),
}


@pytest.mark.parametrize("case", sorted(MEMBER_MESSAGES))
def test_a_member_message_says_what_where_and_by_when(case: str) -> None:
    subject, make = MEMBER_MESSAGES[case]
    korea = _group().member("KR")
    assert korea is not None
    message = make(korea, "kr-contact@example.org")
    assert message["Subject"] == subject
    assert message["To"] == "kr-contact@example.org" and message["From"] == SENDER
    assert message["Date"] == "Sat, 15 Mar 2025 09:00:00 +0000"  # runtime.clock, pinned
    assert re.fullmatch(r"<[^@>]+@example\.org>", str(message["Message-ID"]))
    assert message.get_content_type() == "text/plain" and not message.is_multipart()
    assert message[KIND_HEADER]
    body = _body(message)
    assert f"{PORTAL}/member" in body and "Republic of Korea (KR)" in body
    assert '2024 edition ("Agile and Active Digital Governance")' in body
    if case in {"accepted", "refused", "overdue", "invalid"}:
        assert "28 February 2025" in body  # the deadline
    if case == "refused":
        assert "found 3 problems" in body
    if case == "validation-request":
        assert "20 March 2025" in body
    if case == "validation-reminder":
        assert "needs your confirmation again" in body


def test_message_ids_are_unique() -> None:
    korea = _group().member("KR")
    assert korea is not None
    ids = {
        reminder(_head(), korea, "kr-contact@example.org", "overdue")["Message-ID"] for _ in "ab"
    }
    assert len(ids) == 2


def test_a_members_message_carries_no_other_members_data() -> None:
    wg = _group()
    contacts = {}
    for code in (m.code for m in wg.members):
        path = Inputs(DEMO_INPUTS).edition(2024).contribution(code)
        contacts[code] = member_address(wg.model_copy(update={"members": []}), code, path)
    for member in wg.members:
        assert member.email
        others = [m for m in wg.members if m.code != member.code]
        for case, (_, make) in MEMBER_MESSAGES.items():
            seen = _wire(make(member, member.email))
            for other in others:
                words = [other.code, other.name, other.short_name, other.email]
                words += [other.ministry, contacts[other.code]]
                for word in filter(None, words):
                    assert not re.search(rf"\b{re.escape(word)}\b", seen), (
                        case,
                        member.code,
                        word,
                    )


def test_draft_ready_goes_to_one_reviewer() -> None:
    message = draft_ready(_head(), 3, "review@example.org")
    assert message["Subject"] == "[wgreport 2024] Draft 003 is ready for review"
    assert message["To"] == "review@example.org"
    body = _body(message)
    assert f"{PORTAL}/review" in body and "Draft 003 of the 2024 edition" in body


# --- recipients ----------------------------------------------------------------------


def test_a_member_is_written_to_at_its_group_address_else_its_contact(tmp_path: Path) -> None:
    wg = _group()
    korea = Inputs(DEMO_INPUTS).edition(2024).contribution("KR")
    assert member_address(wg, "KR", korea) == "kr-contact@example.org"
    bare = wg.model_copy(
        update={"members": [m.model_copy(update={"email": None}) for m in wg.members]}
    )
    assert member_address(bare, "KR", korea) == "daeun.jeong@kr.example"
    assert member_address(bare, "KR", None) is None
    broken = tmp_path / "KR.yaml"
    broken.write_text("contact:\n  email: not an address\nsummary: [\n", encoding="utf-8")
    assert member_address(bare, "KR", broken) is None


def test_a_members_email_in_the_group_file_is_checked(tmp_path: Path) -> None:
    group = tmp_path / "working-group.yaml"
    text = (DEMO_INPUTS / "working-group.yaml").read_text("utf-8")
    group.write_text(text.replace("kr-contact@example.org", "kr-contact at example"), "utf-8")
    wg, report = load_working_group(group)
    assert wg is None
    (issue,) = [i for i in report.issues if i.severity == "error"]
    assert issue.code == "invalid-email" and issue.field == "members[0].email"
    assert issue.line is not None
    assert text.splitlines()[issue.line - 1].strip() == "email: kr-contact@example.org"


def test_reviewers_from_the_review_files_and_the_callers_list(tmp_path: Path) -> None:
    inputs = copy_inputs(tmp_path)
    reviews = Inputs(inputs).edition(2024).reviews
    reviews.mkdir()
    for path in (FIXTURES / "reviews" / "valid").iterdir():
        shutil.copy(path, reviews)  # ee-review-team has an e-mail, nz-reader none
    extra = ["REVIEW@example.org", "gb-reader@example.org", "not an address"]
    assert reviewer_addresses(inputs, 2024, extra) == [
        "review@example.org",
        "gb-reader@example.org",
    ]
    notices = draft_ready_notices(inputs, _head(), 4, ["gb-reader@example.org"])
    assert [n.to for n in notices] == ["review@example.org", "gb-reader@example.org"]
    for notice in notices:  # one message each: reviewers do not see each other's address
        assert notice.message is not None and notice.message["To"] == notice.to


# --- reminders -------------------------------------------------------------------------


def _small_edition(tmp_path: Path) -> Path:
    """The demo 2024 edition with Korea missing (overdue), Britain's file broken (not
    valid), and Estonia missing with no address anywhere."""
    inputs = copy_inputs(tmp_path)
    edition = Inputs(inputs).edition(2024)
    edition.contribution("KR").unlink()
    gb = edition.contribution("GB")
    gb.write_text(
        re.sub(r"coordination_model: \w+", "coordination_model: bogus", gb.read_text("utf-8")),
        encoding="utf-8",
    )
    edition.contribution("EE").unlink()
    group = Inputs(inputs).working_group
    group.write_text(
        group.read_text("utf-8").replace("    email: ee-contact@example.org\n", ""),
        encoding="utf-8",
    )
    return inputs


def test_reminders_pick_exactly_the_overdue_and_the_invalid(tmp_path: Path) -> None:
    loaded = load_edition_inputs(_small_edition(tmp_path), 2024)
    notices = due_reminders(loaded, _head())
    assert [(n.member, n.to) for n in notices] == [
        ("KR", "kr-contact@example.org"),
        ("GB", "gb-contact@example.org"),
        ("EE", None),
    ]
    kr, gb, ee = notices
    assert kr.why.startswith("overdue") and gb.why.startswith("not valid: 1 error")
    assert kr.message is not None and "overdue" in str(kr.message["Subject"])
    assert gb.message is not None and "not valid" in str(gb.message["Subject"])
    assert ee.message is None


def test_before_the_deadline_only_the_invalid_are_reminded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WGREPORT_BUILD_TIME", "2025-02-01T09:00:00+00:00")
    loaded = load_edition_inputs(_small_edition(tmp_path), 2024)
    notices = due_reminders(loaded, _head())
    assert [n.member for n in notices] == ["GB"]
    assert notices[0].message is not None
    assert "before the deadline, 28 February 2025" in _body(notices[0].message)


def test_notify_reminders_dry_run_sends_nothing(tmp_path: Path) -> None:
    inputs = _small_edition(tmp_path)
    outputs = tmp_path / "outputs"
    args = ["notify", "reminders", "--year", "2024", "--dry-run"]
    result = CliRunner().invoke(app, [*args, "--inputs", str(inputs), "--outputs", str(outputs)])
    assert result.exit_code == 0, result.output
    assert "KR  kr-contact@example.org  overdue: nothing submitted" in result.output
    assert "GB  gb-contact@example.org  not valid: 1 error(s)" in result.output
    assert "EE  no e-mail address" in result.output
    assert not Outputs(outputs).outbox.exists()


def test_notify_reminders_writes_the_outbox_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WGREPORT_SMTP_HOST", raising=False)
    inputs, outputs = _small_edition(tmp_path), tmp_path / "outputs"
    args = ["notify", "reminders", "--year", "2024", "--inputs", str(inputs)]
    result = CliRunner().invoke(app, [*args, "--outputs", str(outputs)])
    assert result.exit_code == 1, result.output  # Estonia could not be reminded
    assert "2 reminded, 1 not reminded" in result.output
    assert "NOT reminded: no e-mail address" in result.output
    files = sorted(Outputs(outputs).outbox.glob("*.eml"))
    read = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert sorted(str(m["To"]) for m in read) == [
        "gb-contact@example.org",
        "kr-contact@example.org",
    ]
    assert all(f.name.startswith("20250315T090000Z-reminder-") for f in files)


def test_notify_reminders_over_smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs, outputs = _small_edition(tmp_path), tmp_path / "outputs"
    with smtp_server() as server:
        for name, value in {
            "WGREPORT_SMTP_HOST": server.host,
            "WGREPORT_SMTP_PORT": str(server.port),
            "WGREPORT_SMTP_STARTTLS": "0",
            "WGREPORT_MAIL_FROM": SENDER,
            "WGREPORT_PORTAL_URL": PORTAL,
        }.items():
            monkeypatch.setenv(name, value)
        args = ["notify", "reminders", "--year", "2024", "--inputs", str(inputs)]
        result = CliRunner().invoke(app, [*args, "--outputs", str(outputs)])
    assert result.exit_code == 1, result.output
    assert f"through the SMTP server 127.0.0.1:{server.port}" in result.output
    assert result.output.count("    sent") == 2
    got = {r.rcpt_tos[0]: r for r in server.received}
    assert sorted(got) == ["gb-contact@example.org", "kr-contact@example.org"]
    assert all(r.mail_from == SENDER and len(r.rcpt_tos) == 1 for r in server.received)
    kr, gb = got["kr-contact@example.org"], got["gb-contact@example.org"]
    assert kr.message["Subject"] == "[wgreport 2024] Reminder: your contribution is overdue"
    assert gb.message["Subject"] == "[wgreport 2024] Reminder: your contribution is not valid yet"
    assert f"{PORTAL}/member" in kr.body and "Republic of Korea (KR)" in kr.body
    assert "United Kingdom (GB)" in gb.body and "1 problem to fix" in gb.body
    assert "Korea" not in gb.body and "United Kingdom" not in kr.body
    assert not Outputs(outputs).outbox.exists()  # all sent: nothing kept


def test_nobody_to_remind(tmp_path: Path) -> None:
    args = ["notify", "reminders", "--year", "2024", "--inputs", str(DEMO_INPUTS)]
    result = CliRunner().invoke(app, [*args, "--outputs", str(tmp_path / "outputs")])
    assert result.exit_code == 0 and "Nobody to remind in the 2024 edition" in result.output
    assert BUILD_TIME.startswith("2025-03-15")  # after the deadline: the demo is complete


def test_the_status_deployment_reminds_every_week_of_the_call() -> None:
    from tests.conftest import ROOT
    from wgreport.runtime.server import read_deployments

    status = {d["name"]: d for d in read_deployments(ROOT)}["status"]
    assert status["parameters"]["remind"] is True
    (schedule,) = status["schedules"]
    assert "FREQ=WEEKLY" in schedule["rrule"] and "UNTIL=" in schedule["rrule"]
    assert schedule["active"] is True
