"""A member's own figures cited by number from its text: `{{ figure:ID }}` in a summary, an
initiative's description or the case study's body, where ID is the `id` of one of its
initiatives that has an `image`, or `case` for the case study's image. The report prints
"Figure 9.1" (content/contributed.cite_figures); an ID that names none of the member's
images is an error at its line and column, with a "did you mean".

Only `{{ figure:… }}` is read in a member's text (the same scanner as the secretariat's:
inputs/factrefs.py); any other `{{ … }}` is text, as it was before this addition."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..factrefs import Reference, scan
from ..suggest import did_you_mean
from ..yamlsource import FieldPath, Source
from .common import dict_items, markdown_fields, text_position

#: The id that names the case study's image.
CASE = "case"


def figure_references(text: str) -> list[Reference]:
    """The `{{ figure:ID }}` references of a member's Markdown text, in order."""
    return [ref for ref in scan(text)[0] if ref.kind == "figure"]


def own_figures(data: dict[str, Any]) -> list[str]:
    """The ids a member's text may cite: its initiatives with an image, then `case`."""
    ids = [
        str(item["id"])
        for item in dict_items(data.get("initiatives"))
        if isinstance(item.get("id"), str) and isinstance(item.get("image"), dict)
    ]
    case = data.get("case_study")
    if isinstance(case, dict) and isinstance(case.get("image"), dict):
        ids.append(CASE)
    return ids


def check_figure_references(source: Source, data: dict[str, Any]) -> None:
    """An error for each `{{ figure:ID }}` of the member's text that names none of its
    images, at the ID's line and column in the file."""
    known = own_figures(data)
    for path, text in markdown_fields(data):
        for ref in figure_references(text):
            if ref.id in known:
                continue
            source.add(
                "error",
                "unknown-reference",
                f"'{ref.id}' is not one of your figures: {{{{ figure:ID }}}} names the "
                "image of one of your initiatives (by its id) or of your case study (case)",
                path,
                hint=did_you_mean(ref.id, known) or _choices(known),
                at=_where(source, path, text, ref),
            )


def _choices(known: Iterable[str]) -> str:
    ids = list(known)
    if not ids:
        return "add an `image` to the initiative or case study first, or remove the reference"
    return "your figures: " + ", ".join(ids)


def _where(source: Source, path: FieldPath, text: str, ref: Reference) -> tuple[int, int] | None:
    """The file's line and column of the reference's id, when findable."""
    written = text[ref.start : ref.end]
    found = text_position(source, path, written, ref.line - 1)
    if found is None:
        return None
    return found[0], found[1] + written.index(ref.id, written.index(":") + 1)
