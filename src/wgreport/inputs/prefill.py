"""A member's contribution as a starting point: last edition's file made this edition's
(as OECD's questionnaires come back pre-filled with last year's answers), and any file's
indicator values gathered into it when they are kept in a CSV beside it.

The values are kept for the member to check; only what says which edition the file is for
changes: `year`, and `submitted` (today, to be set again when the member sends it).

Standard library and the input modules only: the member-facing commands may import it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..layout import Inputs
from .checks.indicator_csv import parse_indicator_csv
from .yamlsource import Source, load_yaml, read_text


@dataclass(frozen=True)
class Previous:
    """A member's contribution to an earlier edition, as data."""

    year: int
    path: Path
    data: dict[str, Any]


def contribution_data(path: Path) -> dict[str, Any] | None:
    """The data of a contribution file (None when it cannot be read as a mapping), with the
    values of its `indicators_file` CSV, if it names one, moved into its `indicators` list,
    so that the data stands alone (a workbook holds no CSV)."""
    source = load_yaml(path)
    if not isinstance(source.data, dict) or any(i.severity == "error" for i in source.issues):
        return None
    data: dict[str, Any] = dict(source.data)
    name = data.get("indicators_file")
    if isinstance(name, str) and "indicators" not in data:
        csv_path = path.parent / name
        inside = csv_path.resolve().is_relative_to(path.parent.resolve())
        if inside and csv_path.is_file() and "/" not in name and "\\" not in name:
            csv_source = Source(path=csv_path, display=name)
            text = read_text(csv_source)
            rows = parse_indicator_csv(csv_source, text) if text is not None else None
            if rows is not None:
                data.pop("indicators_file")
                data["indicators"] = rows
    return data


def previous_contribution(
    inputs_dir: Path, year: int, code: str, previous_edition: int | None = None
) -> Previous | None:
    """Member `code`'s newest contribution to an edition before `year`: the edition's
    `previous_edition` when it has one there, else the newest earlier edition that has."""
    inputs = Inputs(inputs_dir)
    earlier = sorted((y for y in inputs.years() if y < year), reverse=True)
    if previous_edition is not None and previous_edition in earlier:
        earlier.remove(previous_edition)
        earlier.insert(0, previous_edition)
    for candidate in earlier:
        path = inputs.edition(candidate).contribution(code)
        if path.is_file():
            data = contribution_data(path)
            if data is not None:
                return Previous(candidate, path, data)
    return None


def prefilled(previous: dict[str, Any], year: int, today: dt.date) -> dict[str, Any]:
    """`previous`'s content as a contribution to `year`: the year and the submission date
    (`today`) changed, every other value kept for the member to check."""
    data = dict(previous)
    data["year"] = year
    data["submitted"] = today
    return data
