"""A reviewer's comment from the portal's form, added to their review file
(`inputs/<year>/reviews/<reviewer-id>.yaml`, the documented `wgreport/review/v1` format),
checked as `wgreport comments` checks it before anything is written."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from ..inputs.comments import drafts_known, validate_review
from ..inputs.validation import load_working_group
from ..layout import Inputs, Outputs
from .store import Invitation, write_atomic

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


def comment_from_form(form: dict[str, str], number: int) -> dict[str, Any]:
    """The comment the form describes; numbers stay text when they are not numbers, so
    that validation names the field."""

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
    comment["proposed_change"] = form.get("proposed_change", "").strip()
    comment["kind"] = form.get("kind", "")
    return comment


def add_comment(
    inputs_dir: Path, outputs_dir: Path, year: int, who: Invitation, form: dict[str, str]
) -> tuple[int | None, list[str]]:
    """Add the form's comment to the reviewer's file: its id, or None and the problems
    (the file is then unchanged). The caller holds the reviewer's lock."""
    from ..terminal import format_issue_line

    path = review_file(inputs_dir, year, str(who.reviewer))
    data = _load(path, year, who)
    comments = data.setdefault("comments", [])
    number = max((int(c.get("id", 0)) for c in comments if isinstance(c, dict)), default=0) + 1
    comments.append(comment_from_form(form, number))
    text = _dump(data)
    wg, _ = load_working_group(Inputs(inputs_dir).working_group)
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / path.name
        trial.write_text(text, encoding="utf-8")
        checked = validate_review(
            trial, wg, year, drafts_known(Outputs(outputs_dir).year(year).folder), path.name
        )
    problems = [
        format_issue_line(checked.report, issue) + (f" (hint: {issue.hint})" if issue.hint else "")
        for issue in checked.report.sorted_issues()
        if issue.severity == "error"
    ]
    if problems:
        return None, problems
    write_atomic(path, text.encode("utf-8"))
    return number, []


def own_comments(inputs_dir: Path, year: int, reviewer: str) -> list[dict[str, Any]]:
    """The reviewer's comments as their file holds them (with the secretariat's answers)."""
    path = review_file(inputs_dir, year, reviewer)
    if not path.is_file():
        return []
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return [c for c in (data or {}).get("comments", []) if isinstance(c, dict)]
