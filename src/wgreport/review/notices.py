"""Who is written to, and about what: the recipients of members' and reviewers' e-mails,
the reminders an edition calls for, "draft N is ready", and sending a batch.

Recipients (the shared design of issue 37):
- a member: the `email` of its entry in working-group.yaml, else the `contact.email` of
  its contribution for the edition (read even when the contribution is not valid);
- reviewers: the `reviewer.email` of the edition's review files, plus the addresses the
  caller passes (the portal's reviewer invitations), each once.

Used by `wgreport notify reminders`, the `status` deployment (flows.annual_report
`collect_status`) and the annual-report flow after a draft.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..errors import MailError
from ..inputs.comments import review_files
from ..inputs.edition import LoadedEdition, MemberStatus
from ..inputs.models import Email, WorkingGroup
from ..inputs.yamlsource import load_yaml
from ..layout import Inputs
from ..runtime.mail import Mailer
from .messages import Letterhead, ReminderReason, draft_ready, long_date, reminder

_EMAIL: TypeAdapter[str] = TypeAdapter(Email)


def valid_address(value: Any) -> str | None:
    """`value` when it is an e-mail address, else None."""
    if not isinstance(value, str):
        return None
    try:
        return _EMAIL.validate_python(value.strip())
    except ValidationError:
        return None


def _yaml_field(path: Path, *keys: str) -> Any:
    """A field of a YAML file read as plain data (None when absent or unreadable)."""
    data: Any = load_yaml(path).data
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def member_address(wg: WorkingGroup, code: str, contribution: Path | None) -> str | None:
    """Where a member's e-mails go: its working-group entry's `email`, else the contact
    e-mail of its contribution file (valid or not); None when neither gives one."""
    member = wg.member(code)
    if member is not None and member.email:
        return member.email
    if contribution is not None and contribution.is_file():
        return valid_address(_yaml_field(contribution, "contact", "email"))
    return None


def reviewer_addresses(inputs_dir: Path, year: int, extra: Iterable[str] = ()) -> list[str]:
    """The reviewers of an edition: each review file's `reviewer.email`, then `extra`;
    each address once (compared without case), in that order."""
    found: list[str] = []
    seen: set[str] = set()
    files = review_files(Inputs(inputs_dir).edition(year).reviews)
    candidates = [_yaml_field(path, "reviewer", "email") for path in files]
    for value in [*candidates, *extra]:
        address = valid_address(value)
        if address and address.lower() not in seen:
            seen.add(address.lower())
            found.append(address)
    return found


@dataclass(frozen=True)
class Notice:
    """One e-mail to send: to whom (None: no address known), about what, and why."""

    to: str | None
    why: str
    message: EmailMessage | None
    member: str | None = None  # the member's code; None for a reviewer

    @property
    def who(self) -> str:
        return self.member or self.to or "?"


def _reason(status: MemberStatus) -> ReminderReason | None:
    if status.overdue:
        return "overdue"
    if status.submitted and not status.valid:
        return "invalid"
    return None


def due_reminders(loaded: LoadedEdition, head: Letterhead) -> list[Notice]:
    """A reminder for each expected member that is overdue (nothing submitted after the
    deadline) or has submitted a contribution that is not valid, in the group's order."""
    notices = []
    for status in loaded.status:
        reason = _reason(status)
        if reason is None:
            continue
        member = loaded.working_group.member(status.code)
        if member is None:  # expected members come from the group: cannot happen
            continue
        to = member_address(loaded.working_group, status.code, status.path)
        why = (
            f"overdue: nothing submitted by the deadline, {long_date(head.deadline)}"
            if reason == "overdue"
            else f"not valid: {status.errors} error(s) in {status.file}"
        )
        message = reminder(head, member, to, reason, problems=status.errors) if to else None
        notices.append(Notice(to, why, message, status.code))
    return notices


def draft_ready_notices(
    inputs_dir: Path, head: Letterhead, draft: int, extra: Iterable[str] = ()
) -> list[Notice]:
    """ "Draft N is ready", one message per reviewer (reviewers do not see each other's
    addresses)."""
    return [
        Notice(address, f"draft {draft} is ready", draft_ready(head, draft, address))
        for address in reviewer_addresses(inputs_dir, head.year, extra)
    ]


@dataclass(frozen=True)
class Delivery:
    """What became of a notice: where it went ("smtp" or an outbox file), or why not."""

    notice: Notice
    where: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.where is not None


def deliver(mailer: Mailer, notices: Sequence[Notice]) -> list[Delivery]:
    """Send every notice that has an address; one failure does not stop the others (each
    failed message is kept in the outbox, see runtime.mail)."""
    out = []
    for notice in notices:
        if notice.message is None:
            out.append(
                Delivery(
                    notice,
                    error="no e-mail address: add `email` to the member in "
                    "working-group.yaml (or a contact e-mail to its contribution)",
                )
            )
            continue
        try:
            out.append(Delivery(notice, where=mailer.send(notice.message)))
        except MailError as exc:
            out.append(Delivery(notice, error=str(exc)))
    return out
