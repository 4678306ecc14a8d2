"""The method section's content, from the catalogue and the edition file: the reporting
period and data cut-off, each source with its edition and access date, the published
averages the report compares with, the breaks in series and the definitions of every
category the report uses. Pure: no I/O."""

from __future__ import annotations

import pandas as pd

from ..i18n import gettext as _
from ..inputs.models import Edition, SeriesBreak, WorkingGroup
from ..locales import N_
from .compare import references
from .formatting import coordination_title, format_day, format_written, status_title, unit_name
from .reportmodel import (
    Definition,
    MethodReference,
    MethodSource,
    MethodView,
)

UNIT_MEANINGS = {
    "index": N_("a score from 0 to 1 as the source publishes it; higher is better"),
    "rank": N_("a position in the source's ranking of all countries it covers; 1 is best"),
    "percent": N_("a share from 0 to 100"),
    "count": N_("a whole number of things counted"),
    "currency": N_("an amount of money in the currency the indicator names"),
    "years": N_("a duration in years"),
    "score": N_("a score on the scale the indicator names"),
}
#: What each category the report uses means, as the method section defines it.
COORDINATION_DEFINITIONS = {
    "centralised": N_(
        "one institution sets digital-government policy and standards for the "
        "whole of central government and holds the budget or mandate to enforce them"
    ),
    "decentralised": N_(
        "each ministry or agency leads its own digital programmes; a central "
        "body, where there is one, advises and coordinates without a mandate to enforce"
    ),
    "hybrid": N_(
        "a central institution sets shared standards and runs common platforms, "
        "while ministries and agencies lead their own services within them"
    ),
}
STATUS_DEFINITIONS = {
    "planned": N_("approved or announced, with work not yet started"),
    "in-progress": N_("under way at the data cut-off"),
    "completed": N_("delivered, with its end date given"),
    "discontinued": N_("stopped before completion; the member says why"),
}


def break_text(series_break: SeriesBreak) -> str:
    """A break in series as the report states it: its reason, and its source when given."""
    source = series_break.source
    said = _(" Source: %(source)s.") % {"source": source.rstrip(".")} if source else ""
    return series_break.reason + said


def method_view(wg: WorkingGroup, edition: Edition, values: pd.DataFrame) -> MethodView:
    """What the method section states, for this edition."""
    titles = {i.id: i.title for i in wg.indicators}
    return MethodView(
        period=_("1 January to 31 December %(year)s") % {"year": edition.year},
        cutoff=format_day(edition.data_cutoff or edition.deadline),
        deadline=format_day(edition.deadline),
        sources=[
            MethodSource(
                title=s.title,
                edition=s.edition,
                indicators=", ".join(titles.get(i, i) for i in s.indicators),
                url=str(s.url or ""),
                accessed=format_day(s.accessed),
            )
            for s in edition.sources
        ],
        references=[
            MethodReference(
                indicator=i.title,
                label=_("%(label)s (%(year)s)") % {"label": r.label, "year": r.data_year},
                value=format_written(r.value),
                source=r.source,
                url=str(r.url or ""),
            )
            for i in wg.indicators
            for r in references(i, values)
        ],
        breaks=[
            Definition(
                term=_("%(indicator)s, %(edition)s edition")
                % {"indicator": i.title, "edition": b.edition},
                meaning=break_text(b),
            )
            for i in wg.indicators
            for b in i.series_breaks
            if b.edition == edition.year
        ],
        coordination=[
            Definition(term=coordination_title(k), meaning=_(v))
            for k, v in COORDINATION_DEFINITIONS.items()
        ],
        statuses=[
            Definition(term=status_title(k), meaning=_(v)) for k, v in STATUS_DEFINITIONS.items()
        ],
        themes=[Definition(term=t.title, meaning=t.description) for t in wg.themes],
        units=[
            Definition(term=unit_name(u), meaning=_(UNIT_MEANINGS[u]))
            for u in dict.fromkeys(i.unit for i in wg.indicators)
        ],
    )
