"""The portal's e-mails in their recipient's language (issue 42).

The words of each e-mail are `review.messages`' (the same the command line sends); the
portal sends them in the language its recipient reads the portal in:

- an upload's receipt goes to the person who uploaded, in the language of the page they
  uploaded from (kept as their language too);
- a country-validation request or reminder goes to the member's address, in the language
  the person at that address last read the portal in (`Store.language_of`: chosen with the
  switch, or their browser's when they signed in), else in the language the member's
  people last read it in, else in English, the group's working language.

The portal does not e-mail invitations: `wgreport portal invite` and the people page show
the link once, for the secretariat to pass on in its own words.

In English the messages are `review.messages`' own; in another language they are made
here from the catalogues (the same structure, the values as they are: the edition's title,
the group's and the member's names are the inputs' English), with `Content-Language`.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

from .. import i18n
from ..inputs.models import Member
from ..layout import draft_name
from ..review import messages
from ..review.messages import MEMBER_PAGE, Letterhead

_ = i18n.gettext


def _english(lang: str) -> bool:
    return i18n.check_language(lang) == i18n.SOURCE_LANGUAGE


def _day(day: dt.date) -> str:
    return i18n.long_date(day) or messages.long_date(day)


def _edition(head: Letterhead) -> str:
    return _('the %(year)s edition ("%(title)s")') % {"year": head.year, "title": head.title}


def _who(member: Member) -> str:
    return f"{member.name} ({member.code})"


def _letter(
    head: Letterhead, kind: str, to: str, subject: str, paragraphs: list[str]
) -> EmailMessage:
    """As `review.messages`' letters, in the current language: its greeting, signature
    and Content-Language."""
    message = messages.envelope(head, kind, to, subject)
    signature = "-- \n" + "\n".join(
        [
            _("The secretariat of the %(group)s") % {"group": head.group},
            _("%(year)s edition: %(title)s") % {"year": head.year, "title": head.title},
            _("Portal: %(url)s") % {"url": head.portal_url},
        ]
    )
    body = "\n\n".join([_("Dear colleague,"), *paragraphs]) + "\n\n" + signature + "\n"
    message.set_content(body, subtype="plain", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = i18n.current_language()  # after set_content, which clears it
    return message


def upload_receipt(
    head: Letterhead, member: Member, to: str, lang: str, *, accepted: bool,
    problems: int = 0, file_name: str | None = None,
) -> EmailMessage:  # fmt: skip
    """`review.messages.upload_receipt` in `lang`."""
    if _english(lang):
        return messages.upload_receipt(head, member, to, accepted=accepted, problems=problems,
                                       file_name=file_name)  # fmt: skip
    with i18n.language(lang):
        what = _("the file %(name)s") % {"name": file_name} if file_name else _("your file")
        values = {"what": what, "who": _who(member), "edition": _edition(head),
                  "page": head.link(MEMBER_PAGE), "deadline": _day(head.deadline),
                  "count": problems}  # fmt: skip
        if accepted:
            return _letter(head, "upload-receipt", to, _("Your contribution was accepted"), [
                _("The portal accepted %(what)s as the contribution of %(who)s to %(edition)s. "
                  "It passed every check and will be in the next draft.") % values,
                _("You may upload a corrected version at any time before the deadline, "
                  "%(deadline)s: %(page)s") % values,
            ])  # fmt: skip
        subject = i18n.ngettext("Your upload was refused: %(count)s problem to fix",
                                "Your upload was refused: %(count)s problems to fix",
                                problems) % values  # fmt: skip
        return _letter(head, "upload-receipt", to, subject, [
            i18n.ngettext(
                "The portal checked %(what)s, sent for the contribution of %(who)s to "
                "%(edition)s, and found %(count)s problem, so it was not accepted. A "
                "contribution the portal accepted earlier, if there is one, is unchanged.",
                "The portal checked %(what)s, sent for the contribution of %(who)s to "
                "%(edition)s, and found %(count)s problems, so it was not accepted. A "
                "contribution the portal accepted earlier, if there is one, is unchanged.",
                problems) % values,
            _("Your page in the portal lists each problem with its line and what to do: "
              "%(page)s") % values,
            i18n.ngettext(
                "Please fix it and upload the file again before the deadline, %(deadline)s.",
                "Please fix them and upload the file again before the deadline, %(deadline)s.",
                problems) % values,
        ])  # fmt: skip


def _answer(head: Letterhead, due: dt.date | None, soon: bool) -> str:
    link = _("In the portal, confirm it, or return corrections (each one tied to its page): "
             "%(page)s") % {"page": head.link(MEMBER_PAGE)}  # fmt: skip
    if due is not None:
        return link + "\n" + _("Please answer by %(due)s.") % {"due": _day(due)}
    return link + ("\n" + _("Please answer soon.") if soon else "")


def validation_request(
    head: Letterhead, member: Member, to: str, draft: int, due: dt.date | None, lang: str
) -> EmailMessage:
    """`review.messages.validation_request` in `lang`."""
    if _english(lang):
        return messages.validation_request(head, member, to, draft, due)
    with i18n.language(lang):
        values = {"edition": _edition(head), "who": _who(member), "draft": draft_name(draft)}
        subject = _("Please check your chapter in draft %(draft)s") % values
        return _letter(head, "validation-request", to, subject, [
            _("Before %(edition)s is published, each member confirms the pages of its own "
              "chapter. The chapter of %(who)s in draft %(draft)s is ready for you to "
              "check.") % values,
            _answer(head, due, soon=False),
        ])  # fmt: skip


def validation_reminder(
    head: Letterhead, member: Member, to: str, draft: int, due: dt.date | None, lang: str,
    *, changed: bool = False,
) -> EmailMessage:  # fmt: skip
    """`review.messages.validation_reminder` in `lang`."""
    if _english(lang):
        return messages.validation_reminder(head, member, to, draft, due, changed=changed)
    with i18n.language(lang):
        values = {"edition": _edition(head), "who": _who(member), "draft": draft_name(draft)}
        why = (
            _("The contribution of %(who)s to %(edition)s changed after you confirmed your "
              "chapter, so the chapter in draft %(draft)s needs your confirmation again.")
            if changed
            else _("The chapter of %(who)s in draft %(draft)s of %(edition)s is still waiting "
                   "for your confirmation.")
        ) % values  # fmt: skip
        subject = _("Reminder: please confirm your chapter in draft %(draft)s") % values
        return _letter(head, "validation-reminder", to, subject,
                       [why, _answer(head, due, soon=True)])  # fmt: skip
