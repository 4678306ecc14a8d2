"""`wgreport edition new`: set up a year's edition from the previous one.

It writes `inputs/<year>/edition.yaml` (the previous edition's, round-tripped with its
comments: the new year and deadline, the previous edition named, last year's approval and
publication date removed), a foreword to write, and the empty `contributions/` folder; it
never overwrites. What it cannot know (the title, the sources' editions and access dates,
the foreword, the schedule's window in prefect.yaml) it lists as the next steps.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..layout import FOREWORD, EditionInputs, Inputs, shown
from .checks.common import is_inside
from .edition import list_years
from .limits import year_problem
from .models import PLACEHOLDER

#: The first line of an edition.yaml: editors with a YAML language server check the file
#: against its schema as it is typed (as the contribution skeleton's first line does).
SCHEMA_LINE = "# yaml-language-server: $schema=../../schemas/edition-v1.schema.json"

#: Fields of an edition that belong to one year's final and are not carried over.
_NOT_CARRIED = ("approval", "publication_date")


@dataclass
class NewEdition:
    year: int
    previous: int | None
    written: list[Path] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)


def check_year(year: int) -> None:
    """Refuse a year no edition can have (`--year 25`)."""
    problem = year_problem(year)
    if problem is not None:
        raise UsageError(problem)


def new_edition(
    inputs_dir: Path, year: int, deadline: dt.date, previous: int | None = None
) -> NewEdition:
    """Write the files of edition `year`; raise UsageError when that is not possible."""
    check_year(year)
    if not year <= deadline.year <= year + 1:
        raise UsageError(
            f"the deadline {deadline.isoformat()} is not in {year} or {year + 1}: the "
            f"{year} edition's contributions are due after its year ends, e.g. "
            f"{year + 1}-02-28"
        )
    inputs = Inputs(inputs_dir)
    if not inputs.working_group.is_file():
        raise UsageError(f"no {inputs.working_group.name} in {inputs_dir}")
    edition = inputs.edition(year)
    if edition.settings.exists():
        raise UsageError(f"{edition.settings} already exists; not overwriting it")
    earlier = [y for y in list_years(inputs_dir) if y < year]
    if previous is None and earlier:
        previous = earlier[-1]
    if previous is not None and previous not in earlier:
        raise UsageError(f"no edition {previous} before {year} in {inputs_dir} to start from")
    result = NewEdition(year, previous)
    text = (
        _from_previous(inputs.edition(previous).settings, year, deadline, previous)
        if previous is not None
        else _first_edition(year, deadline)
    )
    if not text.startswith(SCHEMA_LINE + "\n"):
        text = f"{SCHEMA_LINE}\n{text}"
    edition.contributions.mkdir(parents=True, exist_ok=True)
    result.written.append(_write_new(edition.settings, text))
    foreword = edition.foreword
    if not foreword.exists():
        result.written.append(
            _write_new(foreword, f"{PLACEHOLDER}: the foreword of the {year} edition.\n")
        )
    for name, title in _chapters(text):  # the editorial chapters carried over, to write
        path = edition.file(name)
        if is_inside(path, edition.folder) and not path.exists():
            result.written.append(
                _write_new(path, f"{PLACEHOLDER}: the {title.lower()} of the {year} edition.\n")
            )
    result.next_steps = _next_steps(edition, year, deadline, previous)
    return result


def _chapters(text: str) -> list[tuple[str, str]]:
    """The (file, title) of each editorial chapter an edition's text lists."""
    from ruamel.yaml import YAML

    data: Any = YAML(typ="safe").load(text)
    chapters = data.get("chapters") if isinstance(data, dict) else None
    return [
        (str(c["file"]), str(c.get("title") or c["file"]))
        for c in chapters or []
        if isinstance(c, dict) and isinstance(c.get("file"), str) and c["file"].strip()
    ]


def _from_previous(path: Path, year: int, deadline: dt.date, previous: int) -> str:
    from ruamel.yaml import YAML

    yaml = YAML()  # round trip: the secretariat's comments and layout are kept
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.ignore_aliases = lambda *_: True  # the deadline is also the data cutoff
    data: Any = yaml.load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise UsageError(f"{path} does not hold an edition; run wgreport validate {path}")
    data["year"] = year
    data["deadline"] = deadline
    data["previous_edition"] = previous
    if "data_cutoff" in data:
        data["data_cutoff"] = deadline
    for key in ("title", "subtitle"):
        if isinstance(data.get(key), str):
            data[key] = data[key].replace(str(previous), str(year))
    for key in _NOT_CARRIED:
        data.pop(key, None)
    data["foreword"] = FOREWORD
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _first_edition(year: int, deadline: dt.date) -> str:
    return (
        "schema: wgreport/edition/v1\n"
        f"year: {year}\n"
        f'title: "{PLACEHOLDER}: the title of the {year} edition"\n'
        f"deadline: {deadline.isoformat()}\n"
        "editors:\n"
        f'  - name: "{PLACEHOLDER}: the secretariat"\n'
        "foreword: foreword.md\n"
        "expected_members: all\n"
    )


def _write_new(path: Path, text: str) -> Path:
    with path.open("x", encoding="utf-8") as fh:  # never overwrites
        fh.write(text)
    return path


def _window(year: int, deadline: dt.date) -> str:
    """What to set in prefect.yaml: draft-weekly's year and its window, from the next
    Monday to the deadline (or, when the deadline has passed, no weekly drafts)."""
    today = dt.date.today()
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    if monday > deadline:
        return (
            f"prefect.yaml, deployment draft-weekly: the deadline {deadline.isoformat()} has "
            f"passed, so no weekly drafts: leave its schedule inactive (active: false) and "
            f"build drafts with wgreport build --year {year}"
        )
    until = (deadline + dt.timedelta(days=1)).strftime("%Y%m%dT000000")
    return (
        f"prefect.yaml, deployment draft-weekly: set `year: {year}` and the contribution "
        f'window, e.g. rrule: "DTSTART:{monday.strftime("%Y%m%dT070000")}\\nRRULE:FREQ=WEEKLY;'
        f'BYDAY=MO;UNTIL={until}" (a draft every Monday until the deadline)'
    )


def _next_steps(
    edition: EditionInputs, year: int, deadline: dt.date, previous: int | None
) -> list[str]:
    carried = (
        f"the {previous} edition's title, editors, sources, signatory, acknowledgements and "
        "abbreviations were carried over: "
        if previous is not None
        else ""
    )
    settings, foreword = (
        shown(edition.settings, resolve=True),
        shown(edition.foreword, resolve=True),
    )
    return [
        f"{settings}: {carried}check the title and subtitle, and give each "
        "source its new edition and access date (`accessed`); add `approval` and "
        "`publication_date` before the final",
        f"{foreword}: write the foreword (and its signatory in edition.yaml), and the "
        "editorial chapters edition.yaml lists (`chapters`, e.g. the key messages)",
        _window(year, deadline),
        f"tell the members: wgreport new --member CODE --year {year} writes each one's "
        f"skeleton; contributions are due {deadline.isoformat()}",
        f"check the edition: wgreport validate {settings}",
    ]
