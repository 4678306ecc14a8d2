"""The portal's e-mails: the receipt of each upload, and the requests and reminders of a
country-validation round (`portal/validation.py`), through `runtime.mail.Mailer` (SMTP when
WGREPORT_SMTP_HOST is set, else the outbox `outputs/outbox/`).

An e-mail never fails what the person did: the upload is settled and the round is opened
before anything is sent, and a message that cannot go out is kept in the outbox
(`Mailer.send`), written to the audit log as `mail-failed` and said on the page. The
messages link to the portal's own address (its --base-url) unless WGREPORT_PORTAL_URL says
otherwise.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import i18n
from ..errors import MailError, WgreportError
from ..inputs.edition import load_edition_setup
from ..inputs.models import WorkingGroup
from ..review.messages import Letterhead
from ..runtime.mail import Mailer
from ..runtime.settings import get_settings
from .mailtexts import upload_receipt
from .store import Invitation
from .web import Portal

#: The statuses of a settled upload that the member gets a receipt for (a "superseded"
#: upload gets none: the later one that was accepted has its own).
RECEIPT_STATUSES = ("accepted", "not valid", "refused")


@dataclass(frozen=True)
class PortalPost:
    """What the portal sends with: the mailer, the edition's letterhead and its group."""

    mailer: Mailer
    head: Letterhead
    group: WorkingGroup


def portal_post(portal: Portal) -> PortalPost:
    """The mailer of the portal's outputs folder and the environment's mail settings, the
    edition's letterhead and working group. Raises InputsError when the edition cannot be
    read."""
    settings = get_settings(portal.inputs_dir, portal.outputs_dir)
    mail = settings.mail
    if not os.environ.get("WGREPORT_PORTAL_URL"):
        mail = mail.model_copy(update={"portal_url": portal.base_url.rstrip("/")})
    setup = load_edition_setup(portal.inputs_dir, portal.year)
    return PortalPost(
        Mailer.from_settings(settings.model_copy(update={"mail": mail})),
        Letterhead.of(setup.working_group, setup.edition, mail),
        setup.working_group,
    )


def _file_name(name: str) -> str | None:
    """The uploaded file's own name, as the receipt may show it (no folders, no control
    characters, at most 100 characters)."""
    base = re.sub(r"[\x00-\x1f\x7f]", "", Path(name.replace("\\", "/")).name)[:100]
    return base or None


def send_receipt(
    portal: Portal, who: Invitation, code: str, number: int, name: str, client: str | None
) -> str | None:
    """Send the receipt of upload `number` of member `code` to the invitation's e-mail:
    accepted, or not accepted with the count of its problems. Returns where it went, or
    None (no receipt for this status, or it failed: then an audit line `mail-failed`).
    Never raises: the upload is settled whatever becomes of its receipt."""
    try:
        record = portal.store.revision(portal.year, code, number)
        if record is None or record["status"] not in RECEIPT_STATUSES:
            return None
        accepted = record["status"] == "accepted"
        errors = sum(1 for i in record.get("issues") or [] if i.get("severity") == "error")
        problems = 0 if accepted else max(errors, 1)  # a refusal is one problem
        post = portal_post(portal)
        member = post.group.member(code)
        if member is None:
            raise MailError(f"{code} is not a member of the working group")
        # in the language of the page they uploaded from, kept as theirs (portal.mailtexts)
        lang = i18n.current_language()
        portal.store.remember_language(who, lang)
        message = upload_receipt(
            post.head,
            member,
            who.email,
            lang,
            accepted=accepted,
            problems=problems,
            file_name=_file_name(name),
        )
        return post.mailer.send(message)
    except Exception as exc:  # a receipt never fails the upload
        mail_failed(portal, who, client, "upload-receipt", who.email, exc, revision=number)
        return None


def mail_failed(
    portal: Portal,
    who: Invitation | None,
    client: str | None,
    kind: str,
    to: str | None,
    why: BaseException | str,
    **details: Any,
) -> None:
    """Say that a message did not go out (`why`: the error, or its words): on standard
    error and in the audit log."""
    known = isinstance(why, str | WgreportError)
    reason = str(why) if known else f"{type(why).__name__}: {why}"
    kept = why.kept if isinstance(why, MailError) else None
    print(f"wgreport portal: the {kind} to {to} was not sent: {reason}", file=sys.stderr)
    try:
        portal.store.audit(
            "mail-failed",
            who,
            client=client,
            kind=kind,
            to=to,
            reason=reason[:500],
            kept=str(kept) if kept else None,
            **details,
        )
    except Exception as error:  # the audit log itself may be unwritable (disk full)
        print(f"wgreport portal: audit line not written: {error}", file=sys.stderr)
