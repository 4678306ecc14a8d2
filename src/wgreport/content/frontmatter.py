"""The report's front matter, from the edition's editorial fields with sensible defaults:
the cover's status line, the imprint (publication date, copyright and licence, disclaimer,
"Please cite this publication as", the statement of approval of a final), the foreword's
signatory, the acknowledgements with the member contacts as the group lists them, the lists
of figures and tables and the list of abbreviations. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ..i18n import gettext as _
from ..inputs.models import Contribution, Edition, WorkingGroup
from ..locales import N_
from .formatting import draft_label, format_day
from .reportmodel import BuildInfo, Definition, FrontMatter, ListEntry

DEFAULT_LICENCE = (
    "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "https://creativecommons.org/licenses/by/4.0/",
)
#: Abbreviations every edition uses (the edition's file adds its own).
DEFAULT_ABBREVIATIONS = {
    N_("n/a"): N_("not available: the member gives the reason in its chapter"),
}


def front_matter(
    wg: WorkingGroup,
    edition: Edition,
    build: BuildInfo,
    contributions: Mapping[str, Contribution],
    figures: Sequence[ListEntry],
    tables: Sequence[ListEntry],
) -> FrontMatter:
    """What the cover, the imprint, the foreword's signature and the lists print."""
    built = pd.Timestamp(build.built_at)
    published = pd.Timestamp(str(edition.publication_date)) if edition.publication_date else built
    year = published.year
    licence = (
        (edition.licence.name, str(edition.licence.url or ""))
        if edition.licence
        else DEFAULT_LICENCE
    )
    subtitle = edition.subtitle or _("Annual Report %(year)s of the %(group)s") % {
        "year": edition.year,
        "group": wg.name,
    }
    if build.draft:
        draft = draft_label(build.draft)
        status = _("%(draft)s for review, not for citation") % {"draft": draft}
        date_line = _("%(draft)s, built %(date)s; not yet published.") % {
            "draft": draft,
            "date": format_day(built.date()),
        }
    else:
        status = _("Final edition")
        date_line = _("Published %(date)s.") % {"date": format_day(published.date())}
    approval = ""
    if edition.approval and not build.draft:
        approval = _("Approved by %(by)s on %(date)s.") % {
            "by": edition.approval.by,
            "date": format_day(edition.approval.date),
        }
    abbreviations = {a.term: a.meaning for a in edition.abbreviations}
    for term, meaning in DEFAULT_ABBREVIATIONS.items():
        abbreviations.setdefault(_(term), _(meaning))
    return FrontMatter(
        status=status,
        date_line=date_line,
        copyright=f"© {edition.copyright or wg.name} {year}",
        licence=licence[0],
        licence_url=licence[1],
        disclaimer=edition.disclaimer or _disclaimer(wg),
        citation=edition.citation or _citation(wg, edition, year, subtitle),
        approval=approval,
        signatory=edition.foreword_signatory.name if edition.foreword_signatory else "",
        signatory_role=edition.foreword_signatory.role if edition.foreword_signatory else "",
        acknowledgements=edition.acknowledgements
        or _(
            "The %(group)s thanks the contacts of its members, who prepared the contributions "
            "this report is made from."
        )
        % {"group": wg.name},
        contacts=[
            Definition(
                term=m.label,
                meaning=f"{contributions[m.code].contact.name}, "
                f"{contributions[m.code].contact.organisation}",
            )
            for m in wg.members
            if m.code in contributions
        ],
        figures=list(figures),
        tables=list(tables),
        abbreviations=[
            Definition(term=t, meaning=m)
            for t, m in sorted(abbreviations.items(), key=lambda kv: kv[0].lower())
        ],
    )


def _citation(wg: WorkingGroup, edition: Edition, year: int, subtitle: str) -> str:
    """ "Please cite this publication as": the group (year), title: subtitle, forum."""
    return _("%(group)s (%(year)s), %(title)s: %(subtitle)s, %(forum)s.") % {
        "group": wg.name,
        "year": year,
        "title": edition.title,
        "subtitle": subtitle,
        "forum": wg.forum,
    }


def _disclaimer(wg: WorkingGroup) -> str:
    return _(
        "This report is published by the %(group)s. Each member's chapter is its "
        "government's own account; the analysis is the working group's and does not "
        "necessarily reflect the official views of every member government. Indicator values "
        "are those of the sources cited, whose publishers are not responsible for the use made "
        "of them here."
    ) % {"group": wg.name}
