"""The e-mails wgreport sends, one function each, every one a plain-text `EmailMessage`.

Each names the edition (its year and title), its deadline where it matters, and the portal
page to go to (WGREPORT_PORTAL_URL). A message to a member speaks of that member only: it
carries its own code, name and address and never another member's (tests check it).
`runtime.mail.Mailer.send` sends them, or writes them to the outbox.

Date comes from `runtime.clock.build_time` (pinned in tests and reproducible builds);
Message-ID is unique per message, in the sender's domain.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import textwrap
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

from ..inputs.models import Edition, Member, WorkingGroup
from ..layout import draft_name
from ..runtime.clock import build_time
from ..runtime.mail import KIND_HEADER
from ..runtime.settings import MailSettings

#: The portal's pages that messages link to.
MEMBER_PAGE = "/member"
REVIEW_PAGE = "/review"

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

ReminderReason = Literal["overdue", "invalid"]


def long_date(day: dt.date) -> str:
    """`28 February 2025`, whatever the machine's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _them(number: int) -> str:
    return "it" if number == 1 else "them"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


@dataclass(frozen=True)
class Letterhead:
    """What every message of one edition says and where it comes from."""

    year: int
    title: str
    group: str
    deadline: dt.date
    portal_url: str
    sender: str

    @classmethod
    def of(cls, wg: WorkingGroup, edition: Edition, mail: MailSettings) -> Letterhead:
        return cls(
            year=edition.year,
            title=edition.title,
            group=wg.name,
            deadline=edition.deadline,
            portal_url=mail.portal_url.rstrip("/"),
            sender=mail.sender,
        )

    @property
    def edition(self) -> str:
        """`the 2024 edition ("Agile and Active Digital Governance")`."""
        return f'the {self.year} edition ("{self.title}")'

    def link(self, page: str) -> str:
        return self.portal_url + page

    def subject(self, text: str) -> str:
        return f"[wgreport {self.year}] {text}"


def envelope(head: Letterhead, kind: str, to: str, subject: str) -> EmailMessage:
    """A letter's headers, without its body: from the secretariat's sender to `to`, the
    edition's subject line, the date, a message id and the kind (runtime.mail's header)."""
    message = EmailMessage()
    message["From"] = head.sender
    message["To"] = to
    message["Subject"] = head.subject(subject)
    message["Date"] = email.utils.format_datetime(build_time())
    domain = head.sender.rpartition("@")[2].strip(">") or "localhost"
    message["Message-ID"] = email.utils.make_msgid(idstring=kind, domain=domain)
    message[KIND_HEADER] = kind
    return message


def _message(
    head: Letterhead, kind: str, to: str, subject: str, paragraphs: list[str]
) -> EmailMessage:
    message = envelope(head, kind, to, subject)
    signature = (
        f"-- \nThe secretariat of the {head.group}\n"
        f"{head.year} edition: {head.title}\nPortal: {head.portal_url}\n"
    )
    text = "\n\n".join(_wrap(p) for p in ["Dear colleague,", *paragraphs])
    body = text + "\n\n" + signature
    # plain ASCII stays readable in the outbox's .eml files; anything else is encoded
    cte = "7bit" if body.isascii() else "quoted-printable"
    message.set_content(body, subtype="plain", charset="utf-8", cte=cte)
    return message


def _wrap(paragraph: str) -> str:
    """A paragraph wrapped at 72 columns, its own line breaks kept, never inside a link."""
    return "\n".join(
        textwrap.fill(line, 72, break_long_words=False, break_on_hyphens=False)
        for line in paragraph.split("\n")
    )


def _who(member: Member) -> str:
    return f"{member.name} ({member.code})"


def upload_receipt(
    head: Letterhead,
    member: Member,
    to: str,
    *,
    accepted: bool,
    problems: int = 0,
    file_name: str | None = None,
) -> EmailMessage:
    """To the member who uploaded: the upload was accepted, or refused with the count of
    problems found (the problems themselves are on the member's page in the portal)."""
    what = f"the file {file_name}" if file_name else "your file"
    page = head.link(MEMBER_PAGE)
    if accepted:
        return _message(
            head,
            "upload-receipt",
            to,
            "Your contribution was accepted",
            [
                f"The portal accepted {what} as the contribution of {_who(member)} to "
                f"{head.edition}. It passed every check and will be in the next draft.",
                "You may upload a corrected version at any time before the deadline, "
                f"{long_date(head.deadline)}: {page}",
            ],
        )
    found = _count(problems, "problem")
    return _message(
        head,
        "upload-receipt",
        to,
        f"Your upload was refused: {found} to fix",
        [
            f"The portal checked {what}, sent for the contribution of {_who(member)} to "
            f"{head.edition}, and found {found}, so it was not accepted. A contribution the "
            "portal accepted earlier, if there is one, is unchanged.",
            f"Your page in the portal lists each problem with its line and what to do: {page}",
            f"Please fix {_them(problems)} and upload the file again before the deadline, "
            f"{long_date(head.deadline)}.",
        ],
    )


def reminder(
    head: Letterhead,
    member: Member,
    to: str,
    reason: ReminderReason,
    *,
    problems: int = 0,
    today: dt.date | None = None,
) -> EmailMessage:
    """To a member whose contribution is overdue (nothing submitted after the deadline) or
    not valid (submitted, with `problems` errors that keep it out of the report)."""
    page = head.link(MEMBER_PAGE)
    deadline = long_date(head.deadline)
    if reason == "overdue":
        return _message(
            head,
            "reminder",
            to,
            "Reminder: your contribution is overdue",
            [
                f"The deadline for contributions to {head.edition} was {deadline}, and the "
                f"contribution of {_who(member)} has not arrived yet.",
                f"Please upload it in the portal as soon as you can: {page}",
                "If you need more time, or will not contribute this year, please reply to "
                "this message so that the secretariat can plan the report.",
            ],
        )
    today = today or build_time().date()
    when = (
        f"before the deadline, {deadline}"
        if today <= head.deadline
        else f"as soon as you can (the deadline was {deadline})"
    )
    return _message(
        head,
        "reminder",
        to,
        "Reminder: your contribution is not valid yet",
        [
            f"The contribution of {_who(member)} to {head.edition} has "
            f"{_count(problems, 'problem')} to fix before it can be in the report.",
            f"Your page in the portal lists each problem with its line and what to do: {page}",
            f"Please fix {_them(problems)} and upload the file again {when}.",
        ],
    )


def draft_ready(head: Letterhead, draft: int, to: str) -> EmailMessage:
    """To a reviewer: draft `draft` is published and open for comments."""
    number = draft_name(draft)  # as the draft's pages and the portal say it: 002
    return _message(
        head,
        "draft-ready",
        to,
        f"Draft {number} is ready for review",
        [
            f"Draft {number} of {head.edition} is ready.",
            f"Read it and leave your comments in the portal: {head.link(REVIEW_PAGE)}",
            f"Each comment names the draft it is on (draft {number}), the section and, if you "
            "can, the page.",
        ],
    )


def validation_request(
    head: Letterhead, member: Member, to: str, draft: int, due: dt.date | None = None
) -> EmailMessage:
    """To a member, when a country-validation round opens on `draft`: check your chapter."""
    answer = f" Please answer by {long_date(due)}." if due else ""
    return _message(
        head,
        "validation-request",
        to,
        f"Please check your chapter in draft {draft_name(draft)}",
        [
            f"Before {head.edition} is published, each member confirms the pages of its own "
            f"chapter. The chapter of {_who(member)} in draft {draft_name(draft)} is ready for "
            "you to check.",
            f"In the portal, confirm it, or return corrections (each one tied to its page): "
            f"{head.link(MEMBER_PAGE)}" + ("\n" + answer.strip() if answer else ""),
        ],
    )


def validation_reminder(
    head: Letterhead,
    member: Member,
    to: str,
    draft: int,
    due: dt.date | None = None,
    *,
    changed: bool = False,
) -> EmailMessage:
    """To a member who has not confirmed its chapter in the open round on `draft` yet, or
    whose contribution `changed` since it confirmed (it must confirm again)."""
    why = (
        f"The contribution of {_who(member)} to {head.edition} changed after you confirmed "
        f"your chapter, so the chapter in draft {draft_name(draft)} needs your confirmation again."
        if changed
        else f"The chapter of {_who(member)} in draft {draft_name(draft)} of {head.edition} is "
        "still waiting for your confirmation."
    )
    answer = f"Please answer by {long_date(due)}." if due else "Please answer soon."
    return _message(
        head,
        "validation-reminder",
        to,
        f"Reminder: please confirm your chapter in draft {draft_name(draft)}",
        [
            why,
            "In the portal, confirm it, or return corrections (each one tied to its page): "
            f"{head.link(MEMBER_PAGE)}\n{answer}",
        ],
    )
