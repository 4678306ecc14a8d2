"""The secretariat's editorial text in the report: the foreword, the key messages that open
the executive summary and the edition's editorial chapters, each with its references
(`{{ fact-id }}`, `{{ figure:ID }}`…) replaced by what the report prints, then rendered and
sanitised as members' Markdown is. Also what a draft records of them (facts.json): every
fact as printed, and each sentence of the editorial text that uses one, so that `wgreport
diff` can list a sentence whose values changed between two drafts. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..i18n import gettext
from ..inputs.factrefs import resolve, scan
from ..inputs.models import KEY_MESSAGES, Edition
from .editorialmodel import EditorialSentence, EditorialView, FactRecord
from .facts import Fact
from .markdown import render_markdown
from .reportmodel import Chapter

#: A sentence ends at a full stop, question or exclamation mark followed by a space (a
#: printed value such as 0.9140 has none after its dot).
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")


def element_labels(
    chapters: Sequence[Chapter], figures: Mapping[str, str], tables: Mapping[str, str]
) -> dict[str, str]:
    """How a reference to a figure, table or chapter prints: "Figure 4.1", "Table B.2",
    "Chapter 4", "Annex A" (a chapter without a label: its title), in the report's language."""
    figure, table = gettext("Figure %(number)s"), gettext("Table %(number)s")
    labels = {f"figure:{k}": figure % {"number": v} for k, v in figures.items()}
    labels |= {f"table:{k}": table % {"number": v} for k, v in tables.items()}
    for chapter in chapters:
        labels[f"chapter:{chapter.id}"] = chapter.label or chapter.title
    return labels


def sentences(text: str) -> list[tuple[int, int, str]]:
    """The sentences of a Markdown text with a reference in them: (line, offset, sentence),
    paragraph by paragraph (a list item or a heading is a paragraph of its own)."""
    found: list[tuple[int, int, str]] = []
    offset = 0
    for block in re.split(r"(\n[ \t]*\n|\n(?=[ \t]*(?:[-*+]|\d+[.)]|#+)\s))", text):
        start = offset
        offset += len(block)
        if not block.strip() or "{{" not in block:
            continue
        position = 0
        for part in _SENTENCE_END.split(block) if block else []:
            at = block.find(part, position)
            position = at + len(part)
            if "{{" in part and scan(part)[0]:
                where = start + at
                found.append((text.count("\n", 0, where) + 1, where, " ".join(part.split())))
    return found


def editorial_view(
    edition: Edition,
    foreword: str,
    texts: Mapping[str, str],
    facts: Sequence[Fact],
    labels: Mapping[str, str],
) -> tuple[str, EditorialView]:
    """The foreword's HTML and the editorial view: `texts` are the chapters' Markdown by file
    name; every reference is replaced by its printed value or label."""
    printed = {f.id: f.printed for f in facts}
    used: list[EditorialSentence] = []

    def render(name: str, text: str) -> str:
        for line, _, written in sentences(text):
            refs, _ = scan(written)
            used.append(
                EditorialSentence(
                    file=name,
                    line=line,
                    written=written,
                    printed=resolve(written, printed, labels),
                    values={
                        r.key: (printed if r.kind == "fact" else labels).get(r.key, "?")
                        for r in refs
                    },
                )
            )
        return render_markdown(resolve(text, printed, labels)) if text.strip() else ""

    foreword_html = render(edition.foreword or "foreword.md", foreword)
    view = EditorialView()
    chapters: dict[str, str] = {}
    for chapter in edition.chapters:
        html = render(chapter.file, texts.get(chapter.file, ""))
        if chapter.id == KEY_MESSAGES:
            view = view.model_copy(update={"key_messages_title": chapter.title,
                                           "key_messages_html": html})  # fmt: skip
        else:
            chapters[chapter.id] = html
    records = [
        FactRecord(id=f.id, printed=f.printed, value=f.value, source=f.source) for f in facts
    ]
    return foreword_html, view.model_copy(
        update={"chapters": chapters, "facts": records, "sentences": used}
    )
