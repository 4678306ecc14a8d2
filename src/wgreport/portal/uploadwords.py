"""Why an upload was not accepted, as the member's page shows it (issue 42).

The portal keeps an upload's outcome in its database in English (the `message` of its
revision, written when the upload was checked or settled, whoever's request it was); the
member's page words it in the reader's language when it is shown: each kept sentence is
matched against the forms the portal writes (`checker`, `app`, `store.settle`) and its
values put into the catalogue's message of the same form. Rows kept before this, in the
same English, are read the same way; a sentence of no known form is shown as it was kept,
marked `lang="en"`.
"""

from __future__ import annotations

from ..locales import N_
from .stagewords import Shown, compiled, shown

FORMS: tuple[tuple[str, str], ...] = (
    # store.settle: an upload cut short by the portal stopping or failing
    (
        r"The portal stopped while checking this upload; nothing was changed\. Upload it again\.",
        N_("The portal stopped while checking this upload; nothing was changed. Upload it again."),
    ),
    (
        r"The portal failed while checking this upload; nothing was changed\. Upload it again\.",
        N_("The portal failed while checking this upload; nothing was changed. Upload it again."),
    ),
    (
        r"Accepted \(the portal stopped just after writing it\)\.",
        N_("Accepted (the portal stopped just after writing it)."),
    ),
    (
        r"Accepted \(the portal failed just after writing it\)\.",
        N_("Accepted (the portal failed just after writing it)."),
    ),
    (
        r"The portal stopped before this upload was written; your contribution is unchanged\. "
        r"Upload it again\.",
        N_(
            "The portal stopped before this upload was written; your contribution is "
            "unchanged. Upload it again."
        ),
    ),
    (
        r"The portal failed before this upload was written; your contribution is unchanged\. "
        r"Upload it again\.",
        N_(
            "The portal failed before this upload was written; your contribution is "
            "unchanged. Upload it again."
        ),
    ),
    # app._settle: a valid upload that a later one overtook
    (
        r"Valid, but revision (?P<newer>\d+), sent after it, was accepted first and is your "
        r"contribution\.",
        N_(
            "Valid, but revision %(newer)s, sent after it, was accepted first and is your "
            "contribution."
        ),
    ),
    # checker: a file refused without a validation report
    (
        r"Checking this file took longer than (?P<seconds>[0-9.]+) seconds, so it was "
        r"stopped\. A contribution is checked in about a second: send the template's file "
        r"with your content \(no extra sheets, rows or large cells\)\.",
        N_(
            "Checking this file took longer than %(seconds)s seconds, so it was stopped. A "
            "contribution is checked in about a second: send the template's file with your "
            "content (no extra sheets, rows or large cells)."
        ),
    ),
    (
        r"Checking this file needed more than (?P<amount>\d+ [KM]iB) of memory, so it was "
        r"stopped\. Send the template's file with your content only\.",
        N_(
            "Checking this file needed more than %(amount)s of memory, so it was stopped. "
            "Send the template's file with your content only."
        ),
    ),
    (
        r"The YAML made from this workbook is (?P<size>\d+) KiB, more than the (?P<limit>\d+) "
        r"KiB an uploaded file may be\. Shorten the longest texts\.",
        N_(
            "The YAML made from this workbook is %(size)s KiB, more than the %(limit)s KiB "
            "an uploaded file may be. Shorten the longest texts."
        ),
    ),
)
_FORMS = compiled(FORMS)


def upload_message(kept: str) -> Shown:
    """An upload's kept message in the request's language (see the module)."""
    return shown(kept, _FORMS)
