"""The findings' shared wording (wgreport.content.findings, initiativefindings): lists, counts
and references in the report's language, and what a finding points at (its figure or
table). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..i18n import SOURCE_LANGUAGE, current_language, gettext
from .compare import count_word, names, reference_text, running_label
from .formatting import format_written
from .reportmodel import Finding
from .tables import joined

_ = gettext


def is_english() -> bool:
    return current_language() == SOURCE_LANGUAGE


def listed(labels: Sequence[str]) -> str:
    """ "Korea", "Korea and Estonia", "Korea, Estonia and Denmark", in the report's
    language."""
    return names(labels) if is_english() else joined(list(labels))


def counted(n: int) -> str:
    """A count in words up to twelve in English ("three"); its figure in another language."""
    return count_word(n) if is_english() else str(n)


def reference_words(ref: Any) -> str:
    """ "the 2024 world average of 0.6382" """
    if is_english():
        return reference_text(ref)
    return _("the %(year)s %(label)s of %(value)s") % {
        "year": ref.data_year,
        "label": ref.label,
        "value": format_written(ref.value),
    }


def running(label: str) -> str:
    return running_label(label) if is_english() else label


@dataclass(frozen=True)
class Ref:
    """What a finding rests on: an element id and its printed name ("Figure 3")."""

    id: str
    title: str


@dataclass(frozen=True)
class Refs:
    """The figure and table numbers a finding can point at."""

    figures: Mapping[str, str]
    tables: Mapping[str, str]

    def indicator(self, indicator_id: str, change: bool = False) -> Ref:
        """The indicator's chart (or its change chart), else the indicator matrix."""
        figure = f"fig-change-{indicator_id}" if change else f"fig-{indicator_id}"
        if figure in self.figures:
            return Ref(figure, figure_label(self.figures[figure]))
        if change and f"fig-{indicator_id}" in self.figures:
            return self.indicator(indicator_id)
        return Ref("indicator-table", table_label(self.tables["indicator-table"]))

    def themes(self, figure: str = "fig-themes") -> Ref:
        if figure in self.figures:
            return Ref(figure, figure_label(self.figures[figure]))
        return Ref("initiatives-table", table_label(self.tables["initiatives-table"]))


def figure_label(number: str) -> str:
    return gettext("Figure %(number)s") % {"number": number}


def table_label(number: str) -> str:
    return gettext("Table %(number)s") % {"number": number}


def make_finding(text: str, ref: Ref) -> Finding:
    return Finding(text=text, ref=ref.id, ref_title=ref.title)
