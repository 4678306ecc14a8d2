"""The method section's content, from the catalogue and the edition file: the reporting
period and data cut-off, each source with its edition and access date, the published
averages the report compares with, the breaks in series and the definitions of every
category the report uses. Pure: no I/O."""

from __future__ import annotations

import pandas as pd

from ..inputs.models import Edition, SeriesBreak, WorkingGroup
from .compare import references
from .formatting import format_day, format_written
from .reportmodel import (
    COORDINATION_DEFINITIONS,
    COORDINATION_TITLES,
    STATUS_DEFINITIONS,
    STATUS_TITLES,
    Definition,
    MethodReference,
    MethodSource,
    MethodView,
)

UNIT_MEANINGS = {
    "index": "a score from 0 to 1 as the source publishes it; higher is better",
    "rank": "a position in the source's ranking of all countries it covers; 1 is best",
    "percent": "a share from 0 to 100",
    "count": "a whole number of things counted",
    "currency": "an amount of money in the currency the indicator names",
    "years": "a duration in years",
    "score": "a score on the scale the indicator names",
}


def break_text(series_break: SeriesBreak) -> str:
    """A break in series as the report states it: its reason, and its source when given."""
    source = series_break.source
    return series_break.reason + (f" Source: {source.rstrip('.')}." if source else "")


def method_view(wg: WorkingGroup, edition: Edition, values: pd.DataFrame) -> MethodView:
    """What the method section states, for this edition."""
    titles = {i.id: i.title for i in wg.indicators}
    return MethodView(
        period=f"1 January to 31 December {edition.year}",
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
                label=f"{r.label} ({r.data_year})",
                value=format_written(r.value),
                source=r.source,
                url=str(r.url or ""),
            )
            for i in wg.indicators
            for r in references(i, values)
        ],
        breaks=[
            Definition(term=f"{i.title}, {b.edition} edition", meaning=break_text(b))
            for i in wg.indicators
            for b in i.series_breaks
            if b.edition == edition.year
        ],
        coordination=[
            Definition(term=COORDINATION_TITLES[k], meaning=v)
            for k, v in COORDINATION_DEFINITIONS.items()
        ],
        statuses=[
            Definition(term=STATUS_TITLES[k], meaning=v) for k, v in STATUS_DEFINITIONS.items()
        ],
        themes=[Definition(term=t.title, meaning=t.description) for t in wg.themes],
        units=[
            Definition(term=u, meaning=UNIT_MEANINGS[u])
            for u in dict.fromkeys(i.unit for i in wg.indicators)
        ],
    )
