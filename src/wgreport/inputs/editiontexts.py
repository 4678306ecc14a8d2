"""The edition's own text in another language (issue 42): the cover's title and subtitle,
its editors' lines (the secretariat), the editorial chapters' titles, the foreword
signatory's role and who approved the edition, by field path, as
`inputs/<year>/translations/<lang>/edition.yaml` translates them (the format of
inputs/translations.py: `texts` keyed by field path, each with the digest of its English).
Pure; pydantic models only."""

from __future__ import annotations

from collections.abc import Mapping

from .models import Edition


def edition_fields(edition: Edition) -> dict[str, str]:
    """The edition's text the report prints, by field path, in the order it prints it:
    `title`, `subtitle`, `editors.<n>.name` and `.organisation`, `chapters.<id>.title`, the
    foreword signatory's `foreword_signatory.role` and the approval's `approval.by`."""
    out: dict[str, str] = {"title": edition.title}
    if edition.subtitle:
        out["subtitle"] = edition.subtitle
    for n, editor in enumerate(edition.editors, start=1):
        out[f"editors.{n}.name"] = editor.name
        if editor.organisation:
            out[f"editors.{n}.organisation"] = editor.organisation
    for chapter in edition.chapters:
        out[f"chapters.{chapter.id}.title"] = chapter.title
    if edition.foreword_signatory is not None:
        out["foreword_signatory.role"] = edition.foreword_signatory.role
    if edition.approval is not None:
        out["approval.by"] = edition.approval.by
    return out


def translate_edition(edition: Edition, texts: Mapping[str, str]) -> Edition:
    """The edition with each field of `texts` (field path → translation) replaced."""
    if not texts:
        return edition
    editors = [
        e.model_copy(
            update={
                "name": texts.get(f"editors.{n}.name", e.name),
                "organisation": texts.get(f"editors.{n}.organisation", e.organisation),
            }
        )
        for n, e in enumerate(edition.editors, start=1)
    ]
    chapters = [
        c.model_copy(update={"title": texts.get(f"chapters.{c.id}.title", c.title)})
        for c in edition.chapters
    ]
    signatory, approval = edition.foreword_signatory, edition.approval
    if signatory is not None and "foreword_signatory.role" in texts:
        signatory = signatory.model_copy(update={"role": texts["foreword_signatory.role"]})
    if approval is not None and "approval.by" in texts:
        approval = approval.model_copy(update={"by": texts["approval.by"]})
    return edition.model_copy(
        update={
            "foreword_signatory": signatory,
            "approval": approval,
            "title": texts.get("title", edition.title),
            "subtitle": texts.get("subtitle", edition.subtitle),
            "editors": editors,
            "chapters": chapters,
        }
    )
