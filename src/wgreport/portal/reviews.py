"""A reviewer's comment from the portal's form, added to their review file
(`inputs/<year>/reviews/<reviewer-id>.yaml`, the documented `wgreport/review/v1` format),
checked as `wgreport comments` checks it before anything is written. A refused comment's
problems are said in words at the form's fields (`field_words`), never as a file position,
so that the page can show them beside what was typed."""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path
from typing import Any

from ..i18n import gettext
from ..inputs.comments import drafts_known, validate_review
from ..inputs.issues import Issue
from ..inputs.validation import load_working_group
from ..layout import Inputs, Outputs
from ..locales import N_
from .store import Invitation, write_atomic

_ = gettext


KINDS = ("editorial", "substantive", "factual")


def review_file(inputs_dir: Path, year: int, reviewer: str) -> Path:
    return Inputs(inputs_dir).edition(year).review(reviewer)


def _load(path: Path, year: int, who: Invitation) -> Any:
    from ruamel.yaml import YAML

    if path.is_file():
        return YAML().load(path.read_text(encoding="utf-8"))
    reviewer = {"id": who.reviewer, "name": who.name or who.email,
                "organisation": who.organisation or "(not given)", "email": who.email}  # fmt: skip
    return {"schema": "wgreport/review/v1", "year": year, "reviewer": reviewer, "comments": []}


def _dump(data: Any) -> str:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


#: The form's fields, in the form's order, with the words a refusal names them by (translated
#: where they are shown: `N_`).
FIELDS: dict[str, str] = {
    "draft": N_("Draft"),
    "section": N_("Section"),
    "page": N_("Page"),
    "quote": N_("Quote"),
    "comment": N_("Comment"),
    "proposed_change": N_("Proposed change"),
    "kind": N_("Kind"),
}
#: The same fields as a sentence names them (after "Write the …").
FIELD_WORDS: dict[str, str] = {
    "draft": N_("the draft"),
    "section": N_("the section"),
    "page": N_("the page"),
    "quote": N_("the quote"),
    "comment": N_("the comment"),
    "proposed_change": N_("the proposed change"),
    "kind": N_("the kind"),
}
#: What a refused form keeps of what was typed (and shows again).
TYPED = (*FIELDS, "reply_to")


def comment_from_form(form: dict[str, str], number: int) -> dict[str, Any]:
    """The comment the form describes; numbers stay text when they are not numbers, so
    that validation names the field. An empty proposed change is left out (a question
    needs none)."""

    def number_or_text(value: str) -> int | str:
        text = value.strip()
        return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else value

    comment: dict[str, Any] = {"id": number, "draft": number_or_text(form.get("draft", ""))}
    comment["section"] = form.get("section", "")
    if form.get("page", "").strip():
        comment["page"] = number_or_text(form["page"])
    if form.get("quote", "").strip():
        comment["quote"] = form["quote"].strip()
    comment["comment"] = form.get("comment", "").strip()
    if form.get("proposed_change", "").strip():
        comment["proposed_change"] = form["proposed_change"].strip()
    comment["kind"] = form.get("kind", "")
    return comment


def field_words(issue: Issue, form: dict[str, str], drafts: dict[int, int]) -> tuple[str, str]:
    """(the form's field, what is wrong in words) for an issue of the new comment: no file
    position or field path, the field named as the form names it, in the request's language
    (an issue the portal has no words of its own for keeps the checker's English)."""
    name = issue.field.split("].", 1)[-1].split("[")[0] if "]." in issue.field else ""
    if name not in FIELDS:
        hint = f" {_sentence(issue.hint)}" if issue.hint else ""
        return "form", f"{_sentence(issue.message)}{hint}"
    field, typed = _(FIELD_WORDS[name]), form.get(name, "").strip()
    limit = re.search(r"at most ([0-9,]+)", issue.message)
    if issue.code == "out-of-range" and name == "page":
        draft = form.get("draft", "").strip()
        pages = drafts.get(int(draft)) if draft.isdigit() and len(draft) < 7 else None
        if pages is not None and typed.isdigit() and int(typed) > pages:
            return name, _("Page %(page)s is past the draft's last page, %(pages)s: write "
                           "the number printed at the foot of the page.") % {
                "page": typed, "pages": pages}  # fmt: skip
        return name, _("Pages are numbered from 1: write the number printed at the foot of "
                       "the page, or leave the field empty.")  # fmt: skip
    if issue.code == "wrong-type":
        if name == "page" and typed:
            return name, _("Write the page as a whole number, such as 12 (not “%(typed)s”), "
                           "or leave the field empty.") % {"typed": typed[:40]}  # fmt: skip
        if name == "page":
            return name, _("Write the page as a whole number, such as 12, or leave the "
                           "field empty.")  # fmt: skip
        if typed:
            return name, _("Write %(field)s as a whole number, such as 12 (not “%(typed)s”).") % {
                "field": field, "typed": typed[:40]}  # fmt: skip
        return name, _("Write %(field)s as a whole number, such as 12.") % {"field": field}
    if issue.code in ("empty-value", "missing-field"):
        return name, _("Write %(field)s: the field is empty.") % {"field": field}
    if issue.code == "text-too-long" and limit:
        return name, _("%(Field)s is %(length)s characters long; at most %(limit)s are "
                       "kept. Shorten it, or split it into several comments.") % {
            "Field": _upper(field), "length": f"{len(typed):,}", "limit": limit[1]}  # fmt: skip
    if issue.code == "invalid-choice" and name == "kind":
        return name, _("Choose the kind: editorial, substantive or factual.")
    if issue.code == "unknown-section":
        hint = f" {_sentence(issue.hint)}" if issue.hint else ""
        return name, _("“%(typed)s” is not a section of the report.") % {
            "typed": typed[:60]} + hint  # fmt: skip
    words = issue.message.replace(f"'{name}'", field)
    hint = f" {_sentence(issue.hint)}" if issue.hint else ""
    return name, f"{_sentence(words)}{hint}"


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def _errors(text: str, name: str, wg: Any, year: int, drafts: dict[int, int]) -> list[Issue]:
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / name
        trial.write_text(text, encoding="utf-8")
        checked = validate_review(trial, wg, year, drafts, name)
    return [i for i in checked.report.sorted_issues() if i.severity == "error"]


def add_comment(
    inputs_dir: Path, outputs_dir: Path, year: int, who: Invitation, form: dict[str, str]
) -> tuple[int | None, dict[str, str]]:
    """Add the form's comment to the reviewer's file: its id, or None and the problems,
    each under the form's field it concerns ("form" for the others), in words (the file
    is then unchanged). An error the file had already is not the comment's. The caller
    holds the reviewer's lock."""
    path = review_file(inputs_dir, year, str(who.reviewer))
    data = _load(path, year, who)
    before = _dump(data) if path.is_file() else None
    comments = data.setdefault("comments", [])
    number = max((int(c.get("id", 0)) for c in comments if isinstance(c, dict)), default=0) + 1
    comments.append(comment_from_form(form, number))
    text = _dump(data)
    wg, _issues = load_working_group(Inputs(inputs_dir).working_group)
    drafts = drafts_known(Outputs(outputs_dir).year(year).folder)
    old = (
        {(i.code, i.field) for i in _errors(before, path.name, wg, year, drafts)}
        if before
        else set()
    )
    problems: dict[str, str] = {}
    for issue in _errors(text, path.name, wg, year, drafts):
        if (issue.code, issue.field) in old:
            continue
        where, words = field_words(issue, form, drafts)
        problems.setdefault(where, words)
    if problems:
        return None, problems
    write_atomic(path, text.encode("utf-8"))
    return number, {}


def own_comments(inputs_dir: Path, year: int, reviewer: str) -> list[dict[str, Any]]:
    """The reviewer's comments as their file holds them (with the secretariat's answers)."""
    path = review_file(inputs_dir, year, reviewer)
    if not path.is_file():
        return []
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return [c for c in (data or {}).get("comments", []) if isinstance(c, dict)]
