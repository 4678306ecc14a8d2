"""An edition's stage, derived from its data, and the next steps as a checklist.

    preparing            edition.yaml is not valid yet (the placeholders of `edition new`)
    open                 contributions are due: today is on or before the deadline
    drafting             the deadline has passed and no draft is built yet
    review               drafts exist (reviewers comment on them)
    country validation   a round is open on a draft and not every member has confirmed
    final                outputs/<year>/final/ exists
    published            `wgreport publish` wrote a line in outputs/<year>/publications.jsonl

`current_edition` is the edition a command works on when `--year` is not given: the newest
edition with no final yet (the one open or in review, not last year's closed one), else the
newest; it says which and why, and every command that defaulted its year prints that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputsError
from ..inputs.comments import drafts_known, edition_reviews
from ..inputs.edition import (
    LoadedEdition,
    find_edition_files,
    first_error,
    load_edition_inputs,
    load_group_and_edition,
)
from ..layout import Inputs, Outputs, draft_name
from .confirmations import (
    MemberConfirmation,
    ValidationRecord,
    confirmation_states,
    load_record,
)

STAGES: tuple[str, ...] = (
    "preparing",
    "open",
    "drafting",
    "review",
    "country validation",
    "final",
    "published",
)


@dataclass(frozen=True)
class Step:
    """One item of the checklist: done or not, and what it is (with the command or portal
    page to use when it is not done)."""

    done: bool
    text: str


@dataclass(frozen=True)
class EditionDates:
    deadline: dt.date | None = None
    data_cutoff: dt.date | None = None
    approval: dt.date | None = None
    publication: dt.date | None = None
    round_opened: dt.date | None = None
    round_due: dt.date | None = None


@dataclass(frozen=True)
class MemberRow:
    """Who has done what: one expected member."""

    code: str
    name: str
    status: str  # "submitted", "submitted late, not valid", "not submitted, overdue"…
    submitted: bool
    valid: bool
    late: bool
    overdue: bool
    validation: str  # its state in the newest country-validation round


@dataclass(frozen=True)
class ReviewerRow:
    """Who has done what: one review file."""

    reviewer: str
    name: str
    open: int
    answered: int
    valid: bool


@dataclass(frozen=True)
class EditionStage:
    year: int
    name: str  # one of STAGES
    reason: str  # the stage in words, with its date or count
    dates: EditionDates
    checklist: list[Step] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)
    reviewers: list[ReviewerRow] = field(default_factory=list)
    drafts: list[int] = field(default_factory=list)
    round_draft: int | None = None
    problems: list[str] = field(default_factory=list)  # inputs that could not be read

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["dates"] = {k: v.isoformat() if v else None for k, v in asdict(self.dates).items()}
        return out


# --- the stage -----------------------------------------------------------------------------


def _published(outputs_dir: Path, year: int) -> bool:
    path = Outputs(outputs_dir).year(year).publications
    try:
        return any(line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return False


def _has_final(outputs_dir: Path, year: int) -> bool:
    return Outputs(outputs_dir).year(year).final.folder.is_dir()


def stage(inputs_dir: Path, outputs_dir: Path, year: int, today: dt.date) -> EditionStage:
    """Where edition `year` stands on `today`, who has done what, and what is next.
    Raises InputsError when there is no such edition."""
    files = find_edition_files(inputs_dir, year)
    wg, edition, reports = load_group_and_edition(files)
    drafts = sorted(drafts_known(Outputs(outputs_dir).year(year).folder))
    if wg is None or edition is None:
        shown = files.display(files.edition if edition is None else files.working_group)
        reason = f"being prepared: {shown} is not valid yet"
        steps = [Step(False, f"set up the edition: {first_error(reports)}; wgreport validate "
                             f"{shown} lists every problem")]  # fmt: skip
        return EditionStage(year, "preparing", reason, EditionDates(), steps, drafts=drafts)
    loaded = load_edition_inputs(inputs_dir, year)
    problems: list[str] = []
    try:
        record = load_record(inputs_dir, year)
    except InputsError as exc:
        problems.append(str(exc))
        record = ValidationRecord(year, Inputs(inputs_dir).edition(year).country_validation)
    states = confirmation_states(loaded, record)
    current = record.current
    dates = EditionDates(
        edition.deadline,
        edition.data_cutoff or edition.deadline,
        edition.approval.date if edition.approval else None,
        edition.publication_date,
        current.opened if current else None,
        current.due if current else None,
    )
    # overdue on `today`, not on the build's clock that loading the edition uses
    rows = [replace(s, overdue=not s.submitted and today > edition.deadline) for s in loaded.status]
    members = [
        MemberRow(
            s.code,
            s.name,
            s.label,
            s.submitted,
            s.valid,
            s.late,
            s.overdue,
            states[s.code].state if s.code in states else "not requested",
        )
        for s in rows
    ]
    reviewers = _reviewers(loaded, outputs_dir)
    facts = _Facts(year, today, drafts, states, record, reviewers, members, problems)
    facts.final = _has_final(outputs_dir, year)
    facts.published = _published(outputs_dir, year)
    name, reason = _name(facts, edition.deadline)
    return EditionStage(
        year, name, reason, dates, _checklist(facts), members, reviewers, drafts,
        current.draft if current else None, problems,
    )  # fmt: skip


def _reviewers(loaded: LoadedEdition, outputs_dir: Path) -> list[ReviewerRow]:
    files = loaded.files
    reviews = edition_reviews(
        files.edition.parent, loaded.working_group, loaded.year, outputs_dir,
        files.inputs_dir.parent,
    )  # fmt: skip
    out = []
    for review in reviews.files:
        rows = review.rows
        opened = sum(1 for r in rows if r.status == "open")
        name = rows[0].reviewer_name if rows else review.reviewer
        out.append(
            ReviewerRow(review.reviewer, name, opened, len(rows) - opened, review.report.valid)
        )
    return out


@dataclass
class _Facts:
    year: int
    today: dt.date
    drafts: list[int]
    states: dict[str, MemberConfirmation]
    record: ValidationRecord
    reviewers: list[ReviewerRow]
    members: list[MemberRow]
    problems: list[str]
    final: bool = False
    published: bool = False

    @property
    def confirmed(self) -> int:
        return sum(1 for s in self.states.values() if s.state == "confirmed")


def _name(facts: _Facts, deadline: dt.date) -> tuple[str, str]:
    current = facts.record.current
    if facts.published:
        return "published", "published with wgreport publish"
    if facts.final:
        return "final", "the final is built; not published yet"
    if current is not None and facts.confirmed < len(facts.states):
        return "country validation", (
            f"country validation of draft {draft_name(current.draft)}: "
            f"{facts.confirmed} of {len(facts.states)} confirmed"
        )
    if facts.today <= deadline:
        return "open", f"open for contributions until {deadline.isoformat()}"
    if not facts.drafts:
        return "drafting", f"the deadline {deadline.isoformat()} has passed; no draft yet"
    return "review", f"in review: draft {draft_name(facts.drafts[-1])} is the newest"


# --- the checklist -------------------------------------------------------------------------


def _checklist(facts: _Facts) -> list[Step]:
    y = facts.year
    steps = [Step(True, f"set up the edition: inputs/{y}/edition.yaml is valid")]
    steps.append(_contributions_step(facts))
    if facts.drafts:
        steps.append(Step(True, f"build a draft: draft {draft_name(facts.drafts[-1])} is built"))
    else:
        steps.append(Step(False, f"build a draft: wgreport build --year {y} (or the portal)"))
    steps.append(_comments_step(facts))
    steps.append(_validation_step(facts))
    for problem in facts.problems:
        steps.append(Step(False, f"fix: {problem}"))
    steps += [
        Step(facts.final, f"preflight: run wgreport check --final --year {y}"),
        Step(facts.final, f"build the final: wgreport build --final --year {y}"),
        Step(facts.published, f"publish: wgreport publish --year {y} --out DIR"),
    ]
    return steps


def _contributions_step(facts: _Facts) -> Step:
    members = facts.members
    valid = [m for m in members if m.valid]
    text = f"{len(valid)} of {len(members)} members submitted a valid contribution"
    if len(valid) == len(members):
        return Step(True, text)
    missing = [m.code for m in members if not m.submitted]
    invalid = [m.code for m in members if m.submitted and not m.valid]
    who = "; ".join(
        part
        for part in (
            f"not submitted: {', '.join(missing)}" if missing else "",
            f"not valid: {', '.join(invalid)}" if invalid else "",
        )
        if part
    )
    return Step(False, f"{text} ({who}) — remind: wgreport notify reminders --year {facts.year}")


def _comments_step(facts: _Facts) -> Step:
    opened = sum(r.open for r in facts.reviewers)
    answered = sum(r.answered for r in facts.reviewers)
    broken = [r.reviewer for r in facts.reviewers if not r.valid]
    if broken:
        return Step(
            False,
            f"review files with errors: {', '.join(broken)} — see wgreport comments "
            f"--year {facts.year}",
        )
    if opened:
        return Step(
            False,
            f"open comments: {opened} — answer in the portal or the review files "
            f"(wgreport comments --year {facts.year} --status open)",
        )
    return Step(True, f"answer the review comments: none open ({answered} answered)")


def _validation_step(facts: _Facts) -> Step:
    y = facts.year
    current = facts.record.current
    if current is None:
        draft = f"--draft {facts.drafts[-1]}" if facts.drafts else "--draft N (after a draft)"
        return Step(False, f"country validation: open a round: wgreport validation open {draft}")
    total, confirmed = len(facts.states), facts.confirmed
    text = (
        f"country validation: {confirmed} of {total} confirmed on draft {draft_name(current.draft)}"
    )
    if confirmed == total:
        return Step(True, text)
    waiting = {}
    for state in ("requested", "corrections", "changed since confirmed", "not requested"):
        codes = [s.code for s in facts.states.values() if s.state == state]
        if codes:
            waiting[state] = ", ".join(codes)
    detail = "; ".join(f"{k}: {v}" for k, v in waiting.items())
    return Step(False, f"{text} ({detail}) — follow: wgreport validation status --year {y}")


# --- the edition a command works on ------------------------------------------------------


def current_edition(inputs_dir: Path, outputs_dir: Path, today: dt.date) -> tuple[int, str]:
    """The edition to use when none is named, and why (a sentence to print): the newest
    edition with no final yet and none newer with a final, else the newest. Raises
    InputsError when there is none."""
    years = Inputs(inputs_dir).years()
    if not years:
        raise InputsError(
            f"no edition under {inputs_dir}; set one up with wgreport edition new --year "
            "YYYY --deadline YYYY-MM-DD, or name the inputs with --inputs"
        )
    # An edition older than one with a final is closed, final or not (the demo's 2023
    # inputs are last year's, kept for the comparison), so only newer ones are candidates.
    finals = [y for y in years if _has_final(outputs_dir, y)]
    unfinished = [y for y in years if y > max(finals, default=0)]
    year = unfinished[-1] if unfinished else years[-1]
    reason = stage(inputs_dir, outputs_dir, year, today).reason
    if not unfinished:
        reason = f"the newest; it has its final: {reason}"
    return year, f"Using the {year} edition ({reason}); name another with --year."
