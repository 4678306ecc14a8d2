"""The edition's stage and next steps in the reader's language (issue 42).

`review.cycle` words the stage, its reason and each step of the checklist in English, the
words `wgreport edition status` prints. The secretariat's page shows them in the request's
language: each English sentence is matched against the forms `review.cycle` writes, and its
values (a year, a draft, counts, member codes, a command) are put into the catalogue's
message of the same form. A sentence of no known form (a new one in `review.cycle`, or one
that quotes an input's own error) is shown as written, in English, and the page marks it
`lang="en"`; tests/unit/portal/test_portal_language_more.py checks that a whole edition's
sentences are of known forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .. import i18n
from ..issuewords import Shown as Shown
from ..issuewords import compiled as compiled
from ..issuewords import worded
from ..locales import N_
from .language import KNOWN_WORDS

#: An edition's stages (`review.cycle.STAGES`) as the page names them ("open" is a
#: comment's status too, so the stage has words of its own).
STAGE_NAMES = {
    "preparing": N_("preparing"),
    "open": N_("open for contributions"),
    "drafting": N_("drafting"),
    "review": N_("review"),
    "country validation": N_("country validation"),
    "final": N_("final"),
    "published": N_("published"),
}

_CODES = r"[A-Za-z0-9, _-]+"
_COMMAND = r"wgreport [^()—]+?"

#: The forms of `review.cycle`'s reasons and steps: (the English, its values as named
#: groups; the catalogue's message with the same names).
FORMS: tuple[tuple[str, str], ...] = (
    # the stage's reason
    (r"published with wgreport publish", N_("published with wgreport publish")),
    (r"the final is built; not published yet", N_("the final is built; not published yet")),
    (
        r"country validation of draft (?P<draft>\d+): (?P<confirmed>\d+) of (?P<total>\d+) "
        r"confirmed",
        N_("country validation of draft %(draft)s: %(confirmed)s of %(total)s confirmed"),
    ),
    (r"open for contributions until (?P<day>[0-9-]+)", N_("open for contributions until %(day)s")),
    (
        r"the deadline (?P<day>[0-9-]+) has passed; no draft yet",
        N_("the deadline %(day)s has passed; no draft yet"),
    ),
    (
        r"in review: draft (?P<draft>\d+) is the newest",
        N_("in review: draft %(draft)s is the newest"),
    ),
    (
        r"being prepared: (?P<file>\S+) is not valid yet",
        N_("being prepared: %(file)s is not valid yet"),
    ),
    # the checklist's steps
    (
        r"set up the edition: (?P<file>inputs/\d+/edition\.yaml) is valid",
        N_("set up the edition: %(file)s is valid"),
    ),
    (
        r"(?P<valid>\d+) of (?P<total>\d+) members submitted a valid contribution",
        N_("%(valid)s of %(total)s members submitted a valid contribution"),
    ),
    (
        rf"(?P<valid>\d+) of (?P<total>\d+) members submitted a valid contribution "
        rf"\((?P<who>[^()]+)\) — remind: (?P<command>{_COMMAND})",
        N_(
            "%(valid)s of %(total)s members submitted a valid contribution (%(who)s) — "
            "remind: %(command)s"
        ),
    ),
    (
        r"build a draft: draft (?P<draft>\d+) is built",
        N_("build a draft: draft %(draft)s is built"),
    ),
    (
        rf"build a draft: (?P<command>{_COMMAND}) \(or the portal\)",
        N_("build a draft: %(command)s (or the portal)"),
    ),
    (
        rf"review files with errors: (?P<files>{_CODES}) — see (?P<command>{_COMMAND})",
        N_("review files with errors: %(files)s — see %(command)s"),
    ),
    (
        rf"open comments: (?P<count>\d+) — answer in the portal or the review files "
        rf"\((?P<command>{_COMMAND})\)",
        N_("open comments: %(count)s — answer in the portal or the review files (%(command)s)"),
    ),
    (
        r"answer the review comments: none open \((?P<count>\d+) answered\)",
        N_("answer the review comments: none open (%(count)s answered)"),
    ),
    (
        r"country validation: open a round: (?P<command>wgreport validation open --draft \d+)",
        N_("country validation: open a round: %(command)s"),
    ),
    (
        r"country validation: open a round: (?P<command>wgreport validation open) "
        r"--draft N \(after a draft\)",
        N_("country validation: open a round: %(command)s --draft N (after a draft)"),
    ),
    (
        r"country validation: (?P<confirmed>\d+) of (?P<total>\d+) confirmed on draft "
        r"(?P<draft>\d+)",
        N_("country validation: %(confirmed)s of %(total)s confirmed on draft %(draft)s"),
    ),
    (
        r"country validation: (?P<confirmed>\d+) of (?P<total>\d+) confirmed on draft "
        rf"(?P<draft>\d+) \((?P<waiting>[^()]+)\) — follow: (?P<command>{_COMMAND})",
        N_(
            "country validation: %(confirmed)s of %(total)s confirmed on draft %(draft)s "
            "(%(waiting)s) — follow: %(command)s"
        ),
    ),
    (rf"preflight: run (?P<command>{_COMMAND})", N_("preflight: run %(command)s")),
    (rf"build the final: (?P<command>{_COMMAND})", N_("build the final: %(command)s")),
    (rf"publish: (?P<command>{_COMMAND})", N_("publish: %(command)s")),
)
_FORMS = compiled(FORMS)

#: The labels inside a step's lists ("not submitted: DK; not valid: MX").
LIST_LABELS = (N_("not submitted"), N_("not valid"))


def _labelled(text: str) -> str:
    """`label: values; label: values` with each label translated (the lists' labels and
    the members' states of a validation round)."""
    parts = []
    for part in text.split("; "):
        label, sep, values = part.partition(": ")
        known = label in LIST_LABELS or label in KNOWN_WORDS
        parts.append(f"{i18n.gettext(label)}{sep}{values}" if sep and known else part)
    return "; ".join(parts)


#: Values worded again in the reader's language (the others are numbers, dates, codes or
#: commands, shown as they are).
_VALUES: dict[str, Callable[[str], str]] = {"who": _labelled, "waiting": _labelled}


def shown(
    sentence: str,
    forms: tuple[tuple[re.Pattern[str], str], ...] | None = None,
    words: dict[str, Callable[[str], str]] | None = None,
) -> Shown:
    """`review.cycle`'s English sentence in the request's language (see the module); with
    `forms`, a sentence of those forms instead, its values named in `words` worded again."""
    return worded(sentence, _FORMS if forms is None else forms, _VALUES if words is None else words)


def stage_name(name: str) -> str:
    """The stage's name in the request's language (English: `review.cycle`'s own word)."""
    if name not in STAGE_NAMES or i18n.current_language() == i18n.SOURCE_LANGUAGE:
        return name
    return i18n.gettext(STAGE_NAMES[name])
