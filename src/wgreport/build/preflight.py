"""The preflight of a final: every reason not to publish it yet, listed at once.

`wgreport check --final` prints it; `build --final` (the command line, the Prefect flow and
whatever starts it) runs it after validating and before anything renders, and refuses the
final while a problem is left that no override names. Each problem has its file and line
and what to do, and belongs to one check; each check is overridden only by its own flag:

- `placeholders` (`--allow-placeholders`): `TODO`, `TBD`, `XXX`, `FIXME`, `Lorem ipsum`
  and the skeleton's `todo-initiative-id` (what `wgreport edition new`, `wgreport new` and
  the workbook template write) in the foreword, edition.yaml, working-group.yaml or a
  contribution the final carries;
- `front-matter` (`--allow-incomplete-front-matter`): no foreword (or an empty one), no
  foreword signatory, no approval, no publication date;
- `dates` (`--allow-dates`): a publication date (or, without one, today) before the
  deadline or the data cut-off, or more than 90 days after today; an approval after the
  publication or before the deadline; a source last checked on or before the previous
  edition's cut-off (its access date carried over);
- `late-sources` (`--allow-late-sources`): a source `accessed` after the data cut-off; a
  reference value the report shows `published` after it;
- `example-links` (`--allow-example-links`): a link to a name reserved for examples
  (example.com/.net/.org, *.example, *.test, *.invalid, localhost: RFC 2606 and 6761), a
  loopback address, or a host named `example` (www.example.gov.uk); e-mail addresses are
  not links;
- `members` (`--allow-missing CODE`, per member): an expected member whose contribution is
  missing or not valid;
- `open-comments` (`--allow-open-comments`): a review comment still `open`, or comments
  that cannot be read.

Besides the checks, a warning that does not refuse the final (`Preflight.warnings`): a fact
cited in the foreword or an editorial chapter that prints "n/a" in this edition
(`find_unavailable_facts`).

Why 90 days: a final is built for its publication, with the data as it stands; a date
further ahead is a typing error (2035 for 2025), or a final built too early to be the
edition that is published.

The checks are registered in `CHECKS`, one list; the country-validation check
(`--allow-unconfirmed`) is added there when `wgreport.review.confirmations` exists (see
`unconfirmed_problems` and the hook in `CHECKS`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import FinalRefused
from ..inputs.comments import Reviews
from ..inputs.edition import LoadedEdition
from ..runtime.clock import build_time
from .finalchecks import (
    FUTURE_DAYS,
    Material,
    PrintedFacts,
    Problem,
    comment_problems,
    find_dates,
    find_example_links,
    find_front_matter,
    find_late_sources,
    find_members,
    find_open_comments,
    find_placeholders,
    find_unavailable_facts,
    find_unconfirmed,
    plural,
    reserved_host,
    unconfirmed_problems,
)

__all__ = [
    "CHECKS", "CHECK_NAMES", "FUTURE_DAYS", "Check", "Material", "Overrides", "Preflight",
    "PrintedFacts", "Problem", "comment_problems", "find_members", "preflight",
    "refuse_unless_clean", "reserved_host", "run_checks", "unconfirmed_problems",
]  # fmt: skip


@dataclass(frozen=True)
class Overrides:
    """The overrides a final is asked with: whole checks by name (`allow`, e.g.
    {"placeholders"}), and members by code (`missing`, --allow-missing)."""

    allow: frozenset[str] = frozenset()
    missing: tuple[str, ...] = ()

    def covers(self, problem: Problem) -> bool:
        if problem.check == "members":
            return problem.subject in self.missing
        return problem.check in self.allow


@dataclass(frozen=True)
class Check:
    """One class of problems: its name, its heading, its override flag, what using the
    override means in the report's imprint, and the function that finds the problems."""

    name: str
    title: str
    flag: str
    statement: Callable[[Sequence[Problem]], str]
    find: Callable[[Material], Iterator[Problem]]


@dataclass
class Preflight:
    """The preflight's result: the problems that refuse the final, and the ones the
    overrides let through (recorded in the manifest, stated in the imprint)."""

    year: int
    problems: list[Problem] = field(default_factory=list)
    overridden: list[Problem] = field(default_factory=list)
    #: what is worth a look but does not refuse the final (a cited fact that prints "n/a")
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def statements(self) -> list[str]:
        """What the imprint says about each override used, in plain words."""
        out = []
        for check in CHECKS:
            used = [p for p in self.overridden if p.check == check.name]
            if used:
                out.append(check.statement(used))
        return out

    def manifest_record(self) -> list[dict[str, Any]]:
        """The overrides used, for the final's manifest: each check with its flag(s) and
        the problems it let through."""
        out = []
        for check in CHECKS:
            used = [p for p in self.overridden if p.check == check.name]
            if used:
                flags = sorted({p.flag for p in used})
                out.append(
                    {
                        "check": check.name,
                        "flags": flags,
                        "problems": [
                            {"file": p.file, "line": p.line, "message": p.message} for p in used
                        ],
                    }
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "ok": self.ok,
            "problems": [p.to_dict() for p in self.problems],
            "overridden": [p.to_dict() for p in self.overridden],
            "warnings": [p.to_dict() for p in self.warnings],
            "checks": [{"name": c.name, "title": c.title, "flag": c.flag} for c in CHECKS],
        }

    def lines(self) -> list[str]:
        """The text `wgreport check --final` prints and a refused final's error carries:
        the problems grouped by check, each with where, what and what to do."""
        count = len(self.problems)
        if self.ok:
            head = f"Preflight of the {self.year} final: no problems; the final may be built."
        else:
            groups = len({p.check for p in self.problems})
            head = (
                f"Preflight of the {self.year} final: {plural(count, 'problem')} in "
                f"{plural(groups, 'check')}; the final is refused until each is fixed or its "
                "check is overridden with the flag named (recorded in the manifest and "
                "stated in the report's imprint)."
            )
        out = [head]
        for check in CHECKS:
            found = [p for p in self.problems if p.check == check.name]
            if found:
                out += ["", f"{check.title} ({len(found)}; override: {check.flag})"]
                for p in found:
                    where = f"{p.where}: " if p.where else ""
                    out.append(f"  {where}{p.message}")
                    out.append(f"    fix: {p.fix}")
        if self.warnings:
            out += ["", f"Warnings ({len(self.warnings)}; they do not refuse the final):"]
            for p in self.warnings:
                where = f"{p.where}: " if p.where else ""
                out.append(f"  {where}{p.message}")
                out.append(f"    fix: {p.fix}")
        if self.overridden:
            out += ["", "Overridden (recorded in the manifest, stated in the imprint):"]
            for p in self.overridden:
                where = f"{p.where}: " if p.where else ""
                out.append(f"  {p.flag}: {where}{p.message}")
        return out


def _count(problems: Sequence[Problem], noun: str) -> str:
    return plural(len(problems), noun)


CHECKS: list[Check] = [
    Check(
        "placeholders",
        "Placeholder text",
        "--allow-placeholders",
        lambda ps: (
            f"This edition was published with placeholder text (such as TODO) left "
            f"in {_count(ps, 'place')}."
        ),
        find_placeholders,
    ),
    Check(
        "front-matter",
        "Front matter incomplete",
        "--allow-incomplete-front-matter",
        lambda ps: (
            "This edition was published with its front matter incomplete: "
            + "; ".join(p.message for p in ps)
            + "."
        ),
        find_front_matter,
    ),
    Check(
        "dates",
        "Dates that do not agree",
        "--allow-dates",
        lambda ps: (
            "This edition was published although its dates do not agree: "
            + "; ".join(p.message for p in ps)
            + "."
        ),
        find_dates,
    ),
    Check(
        "late-sources",
        "Sources dated after the data cut-off",
        "--allow-late-sources",
        lambda ps: (
            f"This edition uses {_count(ps, 'source')} dated after its data cut-off: "
            + "; ".join(p.message for p in ps)
            + "."
        ),
        find_late_sources,
    ),
    Check(
        "example-links",
        "Links to example addresses",
        "--allow-example-links",
        lambda ps: (
            f"This edition contains {_count(ps, 'link')} to example addresses, which "
            "lead to no real page."
        ),
        find_example_links,
    ),
    Check(
        "members",
        "Members not valid",
        "--allow-missing CODE",
        lambda ps: (
            "This edition was published without the contributions of "
            + ", ".join(p.subject_name or p.subject or "" for p in ps)
            + ", which were missing or not valid."
        ),
        find_members,
    ),
    Check(
        "open-comments",
        "Review comments not resolved",
        "--allow-open-comments",
        lambda ps: (
            f"This edition was published with {_count(ps, 'review comment')} "
            "(or review file) not resolved."
        ),
        find_open_comments,
    ),
    Check(
        "unconfirmed",
        "Members who have not confirmed their chapter",
        "--allow-unconfirmed",
        lambda ps: (
            f"This edition was published without the confirmation of {_count(ps, 'member')} "
            "of the content of their chapter (country validation)."
        ),
        find_unconfirmed,
    ),
]

#: The checks a whole-check override may name (members are overridden by code).
CHECK_NAMES: tuple[str, ...] = tuple(c.name for c in CHECKS if c.name != "members")


def run_checks(
    loaded: LoadedEdition,
    reviews: Reviews,
    overrides: Overrides,
    today: dt.date | None = None,
    printed_facts: PrintedFacts | None = None,
) -> Preflight:
    """Every check on an edition already validated, at once; the overrides sort what is
    found into problems and overridden. With `printed_facts` (pipeline.printed_facts: the
    build and `wgreport check` give it; the portal, which builds nothing, does not), a
    cited fact that prints "n/a" is a warning."""
    unknown = sorted(set(overrides.missing) - {s.code for s in loaded.status})
    if unknown:
        raise FinalRefused(
            f"--allow-missing names {', '.join(unknown)}, which "
            f"{'is' if len(unknown) == 1 else 'are'} not expected in {loaded.year}"
        )
    material = Material(loaded, reviews, today or build_time().date())
    result = Preflight(loaded.year)
    for check in CHECKS:
        for problem in check.find(material):
            (result.overridden if overrides.covers(problem) else result.problems).append(problem)
    if printed_facts is not None:
        result.warnings += find_unavailable_facts(material, printed_facts)
    return result


def preflight(
    inputs_dir: Path,
    outputs_dir: Path,
    year: int,
    overrides: Overrides,
    today: dt.date | None = None,
    printed_facts: PrintedFacts | None = None,
) -> Preflight:
    """The preflight of the `year` final: validate the edition, read its review files, run
    every check (`wgreport check --final`); `printed_facts` as for run_checks."""
    from ..inputs.comments import edition_reviews
    from ..inputs.edition import load_edition_inputs

    loaded = load_edition_inputs(inputs_dir, year)
    files = loaded.files
    reviews = edition_reviews(files.edition.parent, loaded.working_group, year, outputs_dir,
                              files.inputs_dir.parent)  # fmt: skip
    return run_checks(loaded, reviews, overrides, today, printed_facts)


def refuse_unless_clean(result: Preflight) -> None:
    """Refuse the final (FinalRefused, every problem in its message) unless it is clean."""
    if not result.ok:
        raise FinalRefused(
            "\n".join(
                [
                    *result.lines(),
                    "",
                    f"wgreport check --final --year {result.year} lists them again.",
                ]
            )
        )
