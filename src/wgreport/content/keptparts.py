"""The context's parts made from the aggregate alone, kept between builds by a caller that
makes the context again and again from the same frames (the live preview, issue 41: a save
of the foreword, an editorial file or a template changes none of them, and at 193 members
they were half the context's time).

`build_context(..., kept=KeptParts())` makes them once and gives the same parts while the
frames and the charts are the same objects and the working group, the edition's year and
previous year, the numbering (table and figure numbers, the charts' panels) and the
language are equal; anything else makes them again. Without `kept` (every build) they are
made each time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..i18n import current_language
from ..inputs.models import WorkingGroup
from . import aggregate
from .facts import Fact
from .numbering import Numbering
from .reportmodel import DataTable, FigureView, MatrixRow


@dataclass(frozen=True)
class AggregateParts:
    """Annex B's tables, the facts, the indicator matrix's rows and the charts' figures."""

    data_tables: list[DataTable]
    facts: list[Fact]
    matrix_rows: list[MatrixRow]
    theme_figures: list[FigureView]
    indicator_figures: list[FigureView]


def _numbering_key(n: Numbering) -> tuple[Any, ...]:
    return (
        n.large,
        tuple(n.theme_figure_ids),
        tuple(n.indicator_figure_ids),
        tuple(n.data_of.items()),
        tuple(n.tables.items()),
        tuple(n.figures.items()),
        tuple((f, len(charts)) for f, charts in n.panels.items()),
    )


_Made = tuple[tuple[object, ...], tuple[Any, ...], WorkingGroup, AggregateParts]


class KeptParts:
    """The last AggregateParts made, with what they were made from."""

    def __init__(self) -> None:
        self._made: _Made | None = None
        self.made = 0  # how many times the parts were made (not kept)

    def parts(
        self,
        wg: WorkingGroup,
        frames: aggregate.Frames,
        n: Numbering,
        years: tuple[int, int | None],
        make: Callable[[], AggregateParts],
    ) -> AggregateParts:
        """The parts kept when made from the same things, else `make()`'s (then kept)."""
        objects: Sequence[object] = (frames, *(c for p in n.panels.values() for c in p))
        key = (current_language(), years, _numbering_key(n))
        made = self._made
        if (
            made is not None
            and len(made[0]) == len(objects)
            and all(a is b for a, b in zip(made[0], objects, strict=True))
            and made[1] == key
            and made[2] == wg
        ):
            return made[3]
        parts = make()
        self._made = (tuple(objects), key, wg, parts)
        self.made += 1
        return parts
