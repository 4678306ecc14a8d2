"""A member's validation issues in the reader's language, as the portal's member page and the
live preview (`wgreport preview --lang ko`) show them (issue 42).

The validator writes each issue's message and hint in English (the words `wgreport validate`
prints and its JSON gives, a public contract kept byte for byte); the portal keeps them so.
When a page in another language shows an issue, the most common ones a member meets are
worded again: the message and the hint are matched, whole, against the forms the validator
writes (inputs/checks/pydantic_issues.py, images.py, yamlsource.py, validation.py,
suggest.py, models.py, dates.py) and their values (a field's name, a value, a date) put
into the catalogue's message of the same form. A message or hint of no known form is not
translated: the page shows the code's meaning (`code_meaning`, inputs/codes.py, from the
catalogue) and the English as written. The English is always shown beside, marked
`lang="en"`, so nothing specific is lost.

`worded` is the matching itself, shared with the portal's other sentences worded again
(portal/stagewords.py, uploadwords.py, commentwords.py). The module is neutral ground: the
portal and the live preview, which may not import each other, both use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import i18n
from .locales import N_


@dataclass(frozen=True)
class Shown:
    """A sentence as the page shows it, and whether it stayed the library's English."""

    text: str
    english: bool


def compiled(forms: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern), message) for pattern, message in forms)


def worded(
    sentence: str,
    forms: tuple[tuple[re.Pattern[str], str], ...],
    words: dict[str, Callable[[str], str]],
) -> Shown:
    """`sentence` in the current language when it is, whole, of one of `forms` (its values
    put into the form's catalogue message, those named in `words` worded again); else as
    written, `english` when the current language is another."""
    for pattern, message in forms:
        found = pattern.fullmatch(sentence)
        if found is not None:
            values = {k: words.get(k, str)(v) for k, v in found.groupdict().items()}
            return Shown(i18n.gettext(message) % values if values else i18n.gettext(message), False)
    english = i18n.current_language() != i18n.SOURCE_LANGUAGE
    return Shown(sentence, english)


_Q = r"'(?P<%s>[^'\n]*)'"  # a value the validator quotes: 'name'

#: Per code, the forms of its message: (pattern of the whole English, catalogue message).
MESSAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "missing-field": ((_Q % "name" + r" is required here", N_("'%(name)s' is required here")),),
    "unknown-key": ((_Q % "name" + r" is not a field here", N_("'%(name)s' is not a field here")),),
    "not-filled-in": (
        (
            _Q % "field" + r" still holds the placeholder " + _Q % "value",
            N_("'%(field)s' still holds the placeholder '%(value)s'"),
        ),
    ),
    "invalid-choice": (
        (
            _Q % "value" + r" is not an allowed value for " + _Q % "name",
            N_("'%(value)s' is not an allowed value for '%(name)s'"),
        ),
    ),
    "image-not-found": (
        (
            r"the image " + _Q % "file" + r" does not exist",
            N_("the image '%(file)s' does not exist"),
        ),
    ),
    "empty-value": (
        (r"the value is empty", N_("the value is empty")),
        (r"the translation is empty", N_("the translation is empty")),
    ),
    "invalid-date": (
        (
            _Q % "value" + r" is not a real calendar date",
            N_("'%(value)s' is not a real calendar date"),
        ),
        (
            _Q % "value" + r" is not a date in the form YYYY-MM-DD",
            N_("'%(value)s' is not a date in the form YYYY-MM-DD"),
        ),
        (
            _Q % "value" + r" is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD",
            N_("'%(value)s' is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD"),
        ),
    ),
    "invalid-url": (
        (_Q % "value" + r" is not a web address", N_("'%(value)s' is not a web address")),
    ),
    "link-scheme": (
        (
            r"links must start with https:, http: or mailto: \(" + _Q % "value" + r"\)",
            N_("links must start with https:, http: or mailto: ('%(value)s')"),
        ),
    ),
    "late-submission": (
        (
            r"submitted (?P<submitted>\d{4}-\d{2}-\d{2}), after the deadline "
            r"(?P<deadline>\d{4}-\d{2}-\d{2})",
            N_("submitted %(submitted)s, after the deadline %(deadline)s"),
        ),
    ),
    "duplicate-key": (
        (
            _Q % "key" + r" appears twice in this mapping \(first on line (?P<line>\d+)\)",
            N_("'%(key)s' appears twice in this mapping (first on line %(line)s)"),
        ),
    ),
}

#: The forms of a hint, whatever the code.
HINTS: tuple[tuple[str, str], ...] = (
    (r"add it \(see the members' guide\)", N_("add it (see the members' guide)")),
    (r"did you mean " + _Q % "name" + r"\?", N_("did you mean '%(name)s'?")),
    (r"expected one of: (?P<choices>'[^\n]*')", N_("expected one of: %(choices)s")),
    (r"replace the TODO text with the real value", N_("replace the TODO text with the real value")),
    (
        r"check the file name \(it is case-sensitive\) and that the file was added",
        N_("check the file name (it is case-sensitive) and that the file was added"),
    ),
    (
        r"the report will flag this contribution as late",
        N_("the report will flag this contribution as late"),
    ),
    (r"keep one of them and remove the other", N_("keep one of them and remove the other")),
    (r"write a date that exists, as YYYY-MM-DD", N_("write a date that exists, as YYYY-MM-DD")),
    (
        r"for example 2025-02-14 \(year, month, day\)",
        N_("for example 2025-02-14 (year, month, day)"),
    ),
    (r"for example 2023, 2023-04 or 2023-04-14", N_("for example 2023, 2023-04 or 2023-04-14")),
    (
        r"write the full address, e\.g\. https://www\.example\.org",
        N_("write the full address, e.g. https://www.example.org"),
    ),
)

_MESSAGES = {code: compiled(forms) for code, forms in MESSAGES.items()}
_HINTS = compiled(HINTS)


def issue_message(code: str, message: str) -> str | None:
    """The issue's message in the request's language, or None when it stays English (the
    page in English, or a message of no known form)."""
    forms = _MESSAGES.get(code)
    if forms is None or i18n.current_language() == i18n.SOURCE_LANGUAGE:
        return None
    words = worded(message, forms, {})
    return None if words.english else words.text


def issue_hint(hint: str) -> str | None:
    """The issue's hint in the request's language, or None when it stays English."""
    if i18n.current_language() == i18n.SOURCE_LANGUAGE:
        return None
    words = worded(hint, _HINTS, {})
    return None if words.english else words.text


def code_meaning(code: object) -> str:
    """What a validation issue code means (inputs/codes.py) in the current language, shown
    beside the validator's English message on a page in another language; "" for a code
    the table does not have (an issue kept by an older portal)."""
    from .inputs.codes import ISSUE_CODES

    meaning = ISSUE_CODES.get(str(code))
    return i18n.gettext(meaning) if meaning else ""
