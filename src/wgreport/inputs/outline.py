"""The report's outline as the inputs can name it: its chapters' ids (the front chapters,
the members', the annexes) and the ids of its fixed tables and figures. The numbering
(content/numbering.py) numbers them; the edition's editorial chapters are placed before or
after them, and the secretariat's prose names them (`{{ chapter:indicators }}`).
Standard library only: `wgreport validate` checks the edition against it."""

from __future__ import annotations

from collections.abc import Sequence

from ..locales import N_

#: The chapters before the members' and the annexes after them: (id, title, partial).
FRONT_CHAPTERS = [
    ("foreword", N_("Foreword"), "_foreword"),
    ("lists", N_("Figures, tables and abbreviations"), "_lists"),
    ("summary", N_("Executive summary"), "_summary"),
    ("about", N_("About the working group and its method"), "_about"),
    ("governance", N_("Governance"), "_governance"),
    ("themes", N_("Themes and practices"), "_themes"),
    ("indicators", N_("Indicators"), "_indicators"),
]
ANNEXES = [
    ("annex-indicators", N_("Indicator definitions and sources"), "_annex_indicators"),
    ("annex-data", N_("Data tables"), "_annex_data"),
    ("annex-contributors", N_("Contributors"), "_annex_contributors"),
    ("annex-status", N_("Submission status and validation notes"), "_annex_status"),
]
#: Front chapters printed without a number.
UNNUMBERED = {"foreword", "lists", "summary"}
#: Where an editorial chapter can be placed besides a chapter's id: before the first
#: member's chapter, or after the last.
MEMBERS = "members"

#: The titles of the tables whose title does not depend on the data.
TABLE_TITLES = {
    "references-table": N_("Published averages used as reference values"),
    "governance-table": N_("Digital-government governance by member"),
    "indicator-table": N_(
        "Indicator values by member, with the group median, the best and "
        "weakest value, and the published averages"
    ),
    "contributors-table": N_("Contributions included in this edition"),
    "status-table": N_("Status of every expected member's contribution"),
    "comments-table": N_("Open review comments by section"),
}
#: The annex's data tables (a large group's has a sources table).
ANNEX_TABLES = ["values-table", "sources-table", "initiatives-table", "completeness-table"]
THEME_FIGURES = ["fig-themes", "fig-status"]


def member_chapter_id(code: str) -> str:
    return f"member-{code.lower()}"


def chapter_ids(codes: Sequence[str]) -> list[str]:
    """The report's own chapters' ids, in order (without editorial chapters)."""
    return [
        *(c for c, _, _ in FRONT_CHAPTERS),
        *(member_chapter_id(c) for c in codes),
        *(c for c, _, _ in ANNEXES),
    ]


def figure_ids(indicators: Sequence[str]) -> list[str]:
    """The report's charts a text can name (a chart is left out when it would show nothing,
    e.g. equal bars)."""
    return [*THEME_FIGURES, *(f for i in indicators for f in (f"fig-{i}", f"fig-change-{i}"))]


def table_ids(codes: Sequence[str], indicators: Sequence[str]) -> list[str]:
    """The report's tables a text can name: the fixed ones, each member's indicator table,
    the annex's data tables and the data of each figure."""
    return [
        *TABLE_TITLES,
        *(f"tab-{c.lower()}-indicators" for c in codes),
        *ANNEX_TABLES,
        *(f"data-{f}" for f in figure_ids(indicators)),
    ]
