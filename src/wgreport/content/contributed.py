"""The tables and figures that members contribute to their chapters, numbered with the
chapter's own (Table 7.2, Figure 7.1) and listed in the lists of tables and figures.

A member's Markdown table is titled by a line `Table: …` just before or after it (Pandoc's
caption syntax), or else by a paragraph in bold just before it (as the demo's contributions
write a table's heading); without either it takes the title of the text it is in. An
initiative's or a case study's `image` is a figure titled by its alt text. Pure: the HTML in
and out is markdown.render_markdown's sanitised output, with captions and ids added here."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from ..i18n import gettext
from ..inputs.factrefs import scan
from ..inputs.models import Contribution
from .markdown import render_markdown

_TABLE = re.compile(r"<table(?P<attrs>[^>]*)>(?P<body>.*?</table>)", re.S)
_PARA = r"<p(?: dir=\"rtl\"[^>]*)?>"
_LINE = r"Table: (?P<line>(?:(?!</p>).)+?)"
# A title paragraph: `Table: …` (before or after), or wholly bold (before only).
_TITLE_BEFORE = re.compile(
    _PARA + r"(?:" + _LINE + r"|<strong>(?P<bold>[^<]+?)</strong>)</p>\s*$", re.S
)
_TITLE_AFTER = re.compile(r"^\s*" + _PARA + _LINE + "</p>", re.S)
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Item:
    """One numbered table or figure of a member's chapter, in the chapter's order."""

    kind: str  # "table" or "figure"
    id: str
    title: str  # plain text, as the list and the caption print it


@dataclass(frozen=True)
class _Piece:
    """A Markdown field's rendered HTML, with its tables' titles (as HTML)."""

    html: str
    titles: list[str | None]


def plain(fragment: str) -> str:
    """Sanitised inline HTML as plain text (tags dropped, entities decoded)."""
    return htmllib.unescape(_TAGS.sub("", fragment)).strip().rstrip(".:")


@dataclass(frozen=True)
class _Span:
    """A table in rendered HTML: where it and its title paragraph start and end."""

    start: int
    end: int
    attrs: str  # the table tag's attributes (its direction, if right-to-left)
    body: str  # the table's HTML after its opening tag
    title: str | None


def _spans(html: str) -> list[_Span]:
    spans: list[_Span] = []
    position = 0
    for match in _TABLE.finditer(html):
        start, end, title = match.start(), match.end(), None
        before = _TITLE_BEFORE.search(html, position, match.start())
        if before:
            start, title = before.start(), before["line"] or before["bold"]
        else:
            after = _TITLE_AFTER.match(html[end:])
            # a `Table:` line between two tables is the title of the one it precedes
            if after and not html[end + after.end() :].lstrip().startswith("<table"):
                title, end = after["line"], end + after.end()
        spans.append(_Span(start, end, match["attrs"], match["body"], title))
        position = end
    return spans


def _piece(markdown: str) -> _Piece:
    html = render_markdown(markdown)
    return _Piece(html=html, titles=[span.title for span in _spans(html)])


def caption_tables(html: str, captions: Sequence[tuple[str, str, str]]) -> str:
    """Give each table of `html` its (id, number, title): an id, the report's table style and
    a caption, and drop the paragraph its title came from."""
    parts: list[str] = []
    position = 0
    for span, (table_id, number, title) in zip(_spans(html), captions, strict=True):
        parts.append(html[position : span.start])
        caption = (
            f'<caption id="{table_id}-caption">Table {number}. {htmllib.escape(title)}</caption>'
        )
        parts.append(
            f'<div class="table-scroll" role="region" tabindex="0" '
            f'aria-labelledby="{table_id}-caption"><table class="data contributed" '
            f'id="{table_id}"{span.attrs}>{caption}{_scoped(span.body)}</div>'
        )
        position = span.end
    parts.append(html[position:])
    return "".join(parts)


def _scoped(body: str) -> str:
    """The header cells of a Markdown table (its first row) are column headers."""
    return re.sub(r"<th(?=[\s>])", '<th scope="col"', body)


@dataclass(frozen=True)
class MemberItems:
    """What a member's chapter numbers, in order, and the rendered Markdown it comes from."""

    items: list[Item]
    summary: _Piece
    descriptions: dict[str, _Piece]  # initiative id → its description
    case: _Piece | None

    def captions(self, piece: _Piece, ids: Sequence[str], numbers: Mapping[str, str]) -> str:
        titles = {i.id: i.title for i in self.items}
        return caption_tables(piece.html, [(i, numbers[i], titles[i]) for i in ids])


def table_ids(code: str, part: str, piece: _Piece) -> list[str]:
    return [f"tab-{code.lower()}-{part}-{k}" for k in range(1, len(piece.titles) + 1)]


def figure_id(code: str, part: str) -> str:
    return f"fig-{code.lower()}-{part}"


def cite_figures(html: str, code: str, figures: Mapping[str, str]) -> str:
    """A member's rendered text with each `{{ figure:ID }}` that names one of its own
    figures (an initiative's image by the initiative's id, the case study's by `case`;
    numbered in `figures`: figure id → "9.1") replaced by a cross-reference that prints
    "Figure 9.1". Anything else between braces stays as written (validation reports an
    unknown id: inputs/checks/figurerefs.py)."""
    refs, _ = scan(html)
    out: list[str] = []
    last = 0
    for ref in refs:
        fid = figure_id(code, ref.id)
        if ref.kind != "figure" or fid not in figures:
            continue
        out.append(html[last : ref.start])
        out.append(f'<a class="xref" href="#{fid}">Figure {figures[fid]}</a>')
        last = ref.end
    out.append(html[last:])
    return "".join(out)


def member_items(
    code: str, label: str, contribution: Contribution, images: Collection[str] | None = None
) -> MemberItems:
    """The member's numbered tables and figures in the order its chapter prints them: the
    summary's tables, each initiative's tables and image, the indicator table, then the case
    study's tables and image. With `images` (the files the report embeds), an image that
    is not among them is no figure (the chapter cannot show it)."""

    def shown(file: str) -> bool:
        return images is None or file in images

    items: list[Item] = []

    def tables(part: str, piece: _Piece, context: str) -> None:
        for table_id, title in zip(table_ids(code, part, piece), piece.titles, strict=True):
            items.append(Item("table", table_id, f"{label}: {plain(title) if title else context}"))

    summary = _piece(contribution.summary)
    tables("summary", summary, "summary")
    descriptions = {}
    for initiative in contribution.initiatives:
        piece = descriptions[initiative.id] = _piece(initiative.description)
        tables(initiative.id, piece, initiative.title)
        if initiative.image and shown(initiative.image.file):
            items.append(
                Item("figure", figure_id(code, initiative.id), f"{label}: {initiative.image.alt}")
            )
    items.append(
        Item(
            "table",
            f"tab-{code.lower()}-indicators",
            gettext("%(member)s: indicator values, group median and rank among members")
            % {"member": label},
        )
    )
    case = contribution.case_study
    case_piece = _piece(case.body) if case else None
    if case and case_piece:
        tables("case", case_piece, case.title)
        if case.image and shown(case.image.file):
            items.append(Item("figure", figure_id(code, "case"), f"{label}: {case.image.alt}"))
    return MemberItems(items=items, summary=summary, descriptions=descriptions, case=case_piece)
