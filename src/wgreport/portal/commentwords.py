"""Why an answer to a review comment, or a reply in its thread, is refused, in the reader's
language (issue 42).

`review.answers` (shared with the command line) says it in English; the portal's pages say
it in the request's language: each sentence is matched against the forms `review.answers`
writes and its values put into the catalogue's message of the same form. A sentence of no
known form (a file that cannot be read, say) is shown as `review.answers` wrote it.
"""

from __future__ import annotations

from .. import i18n
from ..locales import N_
from .language import KNOWN_WORDS
from .stagewords import compiled, shown

_NUMBER = r"[0-9][0-9,]*"

FORMS: tuple[tuple[str, str], ...] = (
    (
        r"Write a response: a comment marked '(?P<status>[a-z]+)' needs one that says what was "
        r"done, or why not\.",
        N_(
            "Write a response: a comment marked '%(status)s' needs one that says what was done, "
            "or why not."
        ),
    ),
    (
        rf"The response is (?P<length>{_NUMBER}) characters long; at most (?P<limit>{_NUMBER}) "
        r"are kept\. Shorten it, or refer to a longer document\.",
        N_(
            "The response is %(length)s characters long; at most %(limit)s are kept. Shorten "
            "it, or refer to a longer document."
        ),
    ),
    (
        r"'(?P<status>[^']*)' is not a status: choose one of open, accepted, rejected, deferred\.",
        N_("'%(status)s' is not a status: choose one of open, accepted, rejected, deferred."),
    ),
    (r"Write your reply: the box is empty\.", N_("Write your reply: the box is empty.")),
    (
        rf"The reply is (?P<length>{_NUMBER}) characters long; at most (?P<limit>{_NUMBER}) are "
        r"kept\. Shorten it, or split it into several replies\.",
        N_(
            "The reply is %(length)s characters long; at most %(limit)s are kept. Shorten it, "
            "or split it into several replies."
        ),
    ),
    (
        r"The thread of (?P<ref>\S+) has (?P<count>\d+) replies, the most a comment keeps: "
        r"start a new comment\.",
        N_(
            "The thread of %(ref)s has %(count)s replies, the most a comment keeps: start a "
            "new comment."
        ),
    ),
    (
        r"There is no comment (?P<number>\d+) in the file of reviewer '(?P<reviewer>[^']+)' "
        r"\((?P<file>[^()]+)\)\.",
        N_("There is no comment %(number)s in the file of reviewer '%(reviewer)s' (%(file)s)."),
    ),
)
_FORMS = compiled(FORMS)


def _status(word: str) -> str:
    return i18n.gettext(word) if word in KNOWN_WORDS else word


def comment_problem(text: str) -> str:
    """A refusal of `review.answers` in the request's language (see the module)."""
    return shown(text, _FORMS, {"status": _status}).text


def comment_problems(problems: dict[str, str]) -> dict[str, str]:
    return {key: comment_problem(text) for key, text in problems.items()}
