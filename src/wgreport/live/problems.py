"""The live preview's panel of problems over the report (issue 42): the build's failure and
every problem of the saved files, at its file and line with what to do, in the preview's
language (the validator's English kept beside it, marked, in another language); and the
small helpers the preview's own words are made with (wgreport.live.server)."""

from __future__ import annotations

import html as htmllib

from .. import i18n
from ..i18n import gettext, ngettext
from ..i18n import gettext as _
from ..issuewords import code_meaning, issue_hint, issue_message
from ..locales import N_
from .rebuild import Built, Problem


def esc(text: object) -> str:
    return htmllib.escape(str(text), quote=True)


#: A problem's severity as the panel names it (the portal's words: 오류, 경고).
SEVERITIES = {"error": N_("error"), "warning": N_("warning")}


def say(message: str, /, **values: object) -> str:
    """The preview's own words (issue 42): `message`, the catalogue's in the current
    language (`_()`), escaped, with `values` (HTML already) put in its named places. The English
    messages hold no character that escaping changes, so the English page is as before."""
    return esc(message) % values


def in_english() -> bool:
    return i18n.current_language() == i18n.SOURCE_LANGUAGE


def marked_english(text: object) -> str:
    """The validator's or the build's English, marked as English on a page in another
    language."""
    return esc(text) if in_english() else f'<span lang="en">{esc(text)}</span>'


def place(p: Problem) -> str:
    """Where the problem is: `file:line:column` in English; the file and its line and
    column as the portal's member page words them in another language (12행 5열)."""
    if in_english() or p.line is None:
        return f"<code>{esc(p.where if in_english() else p.file)}</code>"
    file = f"<code>{esc(p.file)}</code>"
    if p.column is None:
        return say(_("%(file)s, line %(line)s"), file=file, line=p.line)
    return file + ", " + say(_("line %(line)s, column %(column)s"), line=p.line, column=p.column)


def problem_message(p: Problem) -> str:
    """The problem's message: the validator's English; in another language, the code's
    meaning and the message worded in that language (when of a known form) above it."""
    if in_english():
        return esc(p.message)
    meaning = code_meaning(p.code)
    worded = issue_message(p.code, p.message)
    return (
        (f'<span class="wg-live-meaning">{esc(meaning)}</span><br>' if meaning else "")
        + (f'<span class="wg-live-message">{esc(worded)}</span><br>' if worded else "")
        + marked_english(p.message)
    )


def _hint(hint: str) -> str:
    worded = None if in_english() else issue_hint(hint)
    shown = f"{esc(worded)}<br>{marked_english(hint)}" if worded else marked_english(hint)
    return (
        '<br><span class="wg-live-hint">' + say(_("What to do: %(hint)s"), hint=shown) + "</span>"
    )


def problems_html(built: Built) -> str:
    """The problems over the report: the build's failure, then every error (and, when
    there are errors, the warnings), each at its file and line with what to do; in the
    current language (the preview's, `LiveSession`)."""
    errors = [p for p in built.problems if p.severity == "error"]
    if not errors and not built.failure:
        return ""
    items = []
    if built.failure:
        items.append(f'<li class="wg-live-failure">{marked_english(built.failure)}</li>')
    for p in built.problems:
        hint = _hint(p.hint) if p.hint else ""
        field = f" [{esc(p.field)}]" if p.field else ""
        severity = gettext(SEVERITIES[p.severity]) if p.severity in SEVERITIES else p.severity
        said = say(
            _("%(where)s: %(severity)s %(code)s: %(message)s"),
            where=place(p),
            severity=esc(severity),
            code=esc(p.code),
            message=problem_message(p),
        )
        items.append(
            f'<li class="wg-live-problem" data-severity="{p.severity}">{said}{field}{hint}</li>'
        )
    label = say(_("Problems"))
    if built.failure and not errors:
        title = say(
            _("The report could not be made: the page below is the last one that could be made")
        )
        return (
            f'<section class="wg-live-problems" role="alert" aria-label="{label}">'
            f"<h2>{title}</h2><ul>{''.join(items)}</ul></section>"
        )
    title = esc(
        ngettext(
            "%(count)s error in the saved files: fix and save again (until then the report "
            "below leaves out what is not valid)",
            "%(count)s errors in the saved files: fix and save again (until then the report "
            "below leaves out what is not valid)",
            len(errors),
        )
    ) % {"count": len(errors)}
    return (
        f'<section class="wg-live-problems" role="alert" aria-label="{label}">'
        f"<h2>{title}</h2><ul>{''.join(items)}</ul></section>"
    )
