"""Country validation: each member confirms the pages of its own chapter of a draft, or
returns corrections, before the final (`inputs/<year>/country-validation.yaml`, its format
in `inputs/country_validation.py` and the reviewers' guide).

What a member confirms is its content, not its file: `content_digest` is the sha256 of the
contribution as validated (the model as canonical JSON, and the bytes of the indicators
CSV and images it names), so reformatting the file (comments, spacing, key order) keeps a
confirmation, and a changed value does not: the member is then `changed since confirmed`
and must confirm again. The newest round is the one that counts.

Writes (the record, and a member's corrections as a comment in the documented review
format, `reviews/<code>-validation.yaml`) are checked as `wgreport validate` checks the
files, written whole, and made under the edition folder's lock; every refusal is a
`CountryValidationRefused` (or an `InputsError` for inputs that cannot be used).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CountryValidationRefused, InputsError
from ..inputs.country_validation import (
    SCHEMA_ID,
    MemberEntry,
    reviewer_id,
    validate_country_validation,
)
from ..inputs.edition import (
    EditionSetup,
    LoadedEdition,
    expected_members,
    first_error,
    load_edition_inputs,
)
from ..inputs.edition import load_edition_setup as _setup
from ..inputs.models import Contribution
from ..inputs.suggest import did_you_mean
from ..inputs.validation import load_working_group
from ..layout import Inputs, Outputs, draft_name
from ..runtime.clock import utc_now
from .yamlfiles import add_comment, checked_text, dump_roundtrip, edition_lock, load_roundtrip
from .yamlfiles import write_atomic as _write

STATES: tuple[str, ...] = (
    "not requested",
    "requested",
    "confirmed",
    "corrections",
    "changed since confirmed",
)


@dataclass(frozen=True)
class Round:
    """One round of the record: the draft whose pages members check, and their answers."""

    draft: int
    opened: dt.date
    opened_by: str
    due: dt.date | None
    members: dict[str, MemberEntry]
    line: int | None = None
    member_lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ValidationRecord:
    """An edition's country-validation record (no rounds when the file is absent)."""

    year: int
    path: Path
    rounds: list[Round] = field(default_factory=list)

    @property
    def current(self) -> Round | None:
        """The newest round: the one that counts."""
        return self.rounds[-1] if self.rounds else None


@dataclass(frozen=True)
class MemberConfirmation:
    """Where one expected member stands in the newest round."""

    code: str
    name: str
    state: str  # one of STATES
    line: int | None = None  # the member's line in country-validation.yaml
    draft: int | None = None  # the round's draft
    at: str | None = None
    by: str | None = None
    comment: str | None = None  # with corrections: the review comment's reference
    confirmed_content: str | None = None
    content: str | None = None  # the member's content now (None: no valid contribution)

    def to_dict(self) -> dict[str, Any]:
        keys = ("code", "name", "state", "line", "draft", "at", "by", "comment")
        return {k: getattr(self, k) for k in keys}


# --- the content a member confirms -------------------------------------------------------


def contribution_digest(contribution: Contribution, contributions_dir: Path) -> str:
    """sha256 of a validated contribution: its model as canonical JSON, then the name and
    bytes of each file it names (the indicators CSV, images), in name order."""
    digest = hashlib.sha256()
    model = contribution.model_dump(mode="json", by_alias=True)
    digest.update(json.dumps(model, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    names = {contribution.indicators_file} if contribution.indicators_file else set()
    images = [i.image for i in contribution.initiatives]
    images.append(contribution.case_study.image if contribution.case_study else None)
    names |= {image.file for image in images if image is not None}
    for name in sorted(names):
        digest.update(b"\0" + name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256((contributions_dir / name).read_bytes()).digest())
    return digest.hexdigest()


def _digests(inputs_dir: Path, year: int) -> dict[str, str]:
    """Each member with a valid contribution → the digest of its content."""
    loaded = load_edition_inputs(inputs_dir, year)
    folder = loaded.files.contributions_dir
    return {code: contribution_digest(c, folder) for code, c in loaded.contributions.items()}


def content_digest(inputs_dir: Path, year: int, code: str) -> str | None:
    """The digest of member `code`'s contribution as validated; None when it has no valid
    contribution. Raises InputsError when the edition cannot be read."""
    return _digests(inputs_dir, year).get(code.upper())


# --- reading the record ------------------------------------------------------------------


def load_record(inputs_dir: Path, year: int) -> ValidationRecord:
    """The edition's record; empty when the file is absent. Raises InputsError (with the
    first error's file, line and column) when the file is not valid."""
    inputs = Inputs(inputs_dir)
    path = inputs.edition(year).country_validation
    if not path.is_file():
        return ValidationRecord(year, path)
    wg, _ = load_working_group(inputs.working_group)
    model, source, report = validate_country_validation(path, wg, year, inputs.shown(path))
    if model is None:
        raise InputsError(
            f"{first_error([report])}; fix it (wgreport validate {inputs.shown(path)}) "
            "before country validation can go on"
        )
    rounds = []
    for index, item in enumerate(model.rounds):
        where = ("rounds", index)
        lines = {
            code: source.locate((*where, "members", code), key=True)[0] for code in item.members
        }
        rounds.append(
            Round(
                item.draft,
                item.opened,
                item.opened_by,
                item.due,
                dict(item.members),
                source.locate(where)[0],
                lines,
            )
        )
    return ValidationRecord(year, path, rounds)


def member_states(inputs_dir: Path, year: int) -> dict[str, MemberConfirmation]:
    """Every expected member (in the group's order) → its state in the newest round.
    Raises InputsError when the edition or the record cannot be read."""
    record = load_record(inputs_dir, year)
    return confirmation_states(load_edition_inputs(inputs_dir, year), record)


def confirmation_states(
    loaded: LoadedEdition, record: ValidationRecord
) -> dict[str, MemberConfirmation]:
    """`member_states` of an edition already loaded (validated) and its record."""
    folder = loaded.files.contributions_dir
    digests = {c: contribution_digest(m, folder) for c, m in loaded.contributions.items()}
    out = {}
    for code in expected_members(loaded.working_group, loaded.edition):
        member = loaded.working_group.member(code)
        name = member.name if member else code
        out[code] = _state(code, name, record.current, digests.get(code))
    return out


def _state(code: str, name: str, current: Round | None, now: str | None) -> MemberConfirmation:
    entry = current.members.get(code) if current is not None else None
    if current is None or entry is None:
        return MemberConfirmation(code, name, "not requested", content=now)
    state: str = entry.status
    if state == "confirmed" and entry.content != now:
        state = "changed since confirmed"
    return MemberConfirmation(
        code, name, state, current.member_lines.get(code), current.draft, entry.at, entry.by,
        entry.comment, entry.content, now,
    )  # fmt: skip


# --- writing it --------------------------------------------------------------------------


def _now() -> str:
    return utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")


def _member(setup: EditionSetup, code: str) -> str:
    """`code` as an expected member of the edition, or a refusal."""
    code = code.strip().upper()
    codes = expected_members(setup.working_group, setup.edition)
    if code not in codes:
        hint = did_you_mean(code, codes) or f"the members expected are {', '.join(codes)}"
        raise CountryValidationRefused(
            f"'{code}' is not a member expected in the {setup.edition.year} edition ({hint})"
        )
    return code


def _open_round_or_refuse(inputs_dir: Path, year: int) -> Round:
    current = load_record(inputs_dir, year).current
    if current is None:
        raise CountryValidationRefused(
            f"no country-validation round is open for the {year} edition; the secretariat "
            f"opens one on a draft: wgreport validation open --draft N --year {year}"
        )
    return current


def _write_record(inputs_dir: Path, year: int, change: Any, *, write: bool = True) -> None:
    """Apply `change(data)` to the record's data (a new record when there is none), check
    the result as `wgreport validate` would, and write it (or, without `write`, only
    check it); a refusal when it would not be valid. The caller holds the edition's lock."""
    inputs = Inputs(inputs_dir)
    path = inputs.edition(year).country_validation
    data = load_roundtrip(path) if path.is_file() else None
    if not isinstance(data, dict):
        data = {"schema": SCHEMA_ID, "year": year, "rounds": []}
    change(data)
    wg, _ = load_working_group(inputs.working_group)
    text, problems = checked_text(
        path.name,
        dump_roundtrip(data),
        lambda trial: validate_country_validation(trial, wg, year, path.name)[2],
    )
    if problems:
        raise CountryValidationRefused("; ".join(problems))
    if write:
        _write(path, text)


def open_round(
    inputs_dir: Path,
    year: int,
    draft: int,
    by: str,
    due: dt.date | None,
    *,
    outputs_dir: Path | None = None,
) -> Round:
    """Open a round on draft `draft` (published under `outputs_dir`, default the settings'
    outputs folder): every expected member is asked to confirm its chapter."""
    setup = _setup(inputs_dir, year)
    if outputs_dir is None:
        from ..runtime.settings import get_settings

        outputs_dir = get_settings().outputs_dir
    from ..inputs.comments import drafts_known

    drafts = sorted(drafts_known(Outputs(outputs_dir).year(year).folder))
    if draft not in drafts:
        known = ", ".join(draft_name(d) for d in drafts) or "none yet"
        raise CountryValidationRefused(
            f"there is no draft {draft_name(draft)} of the {year} edition in {outputs_dir} "
            f"(drafts: {known}); build one with wgreport build --year {year}, or name one"
        )
    opened = utc_now().date()
    if due is not None and due < opened:
        raise CountryValidationRefused(
            f"the due date {due.isoformat()} is before today ({opened.isoformat()})"
        )
    codes = expected_members(setup.working_group, setup.edition)
    with edition_lock(setup.files.edition.parent):
        current = load_record(inputs_dir, year).current
        if current is not None and draft <= current.draft:
            same = draft == current.draft
            raise CountryValidationRefused(
                f"a round on draft {draft_name(current.draft)} is already open (since "
                f"{current.opened.isoformat()}); "
                + ("members answer in it" if same else "a new round needs a newer draft")
            )
        entry: dict[str, Any] = {"draft": draft, "opened": opened, "opened_by": by}
        if due is not None:
            entry["due"] = due
        entry["members"] = {code: {"status": "requested"} for code in codes}
        _write_record(inputs_dir, year, lambda data: data.setdefault("rounds", []).append(entry))
        made = load_record(inputs_dir, year).current
    assert made is not None
    return made


def _set_entry(code: str, entry: dict[str, Any]) -> Any:
    def change(data: dict[str, Any]) -> None:
        data["rounds"][-1].setdefault("members", {})[code] = entry

    return change


def confirm(inputs_dir: Path, year: int, code: str, by: str) -> MemberConfirmation:
    """Record that member `code` confirmed the pages of its chapter in the open round:
    the content it confirms is its contribution as it is now, which must be valid."""
    setup = _setup(inputs_dir, year)
    code = _member(setup, code)
    with edition_lock(setup.files.edition.parent):
        current = _open_round_or_refuse(inputs_dir, year)
        digest = content_digest(inputs_dir, year, code)
        if digest is None:
            path = Inputs(inputs_dir).edition(year).contribution(code)
            shown = Inputs(inputs_dir).shown(path)
            raise CountryValidationRefused(
                f"{code} has no valid contribution ({shown}), so there is nothing to confirm: "
                f"fix it (wgreport validate {shown}), then confirm the new draft's pages"
            )
        entry = {"status": "confirmed", "at": _now(), "by": by, "content": digest}
        _write_record(inputs_dir, year, _set_entry(code, entry))
        current = _open_round_or_refuse(inputs_dir, year)
    member = setup.working_group.member(code)
    return _state(code, member.name if member else code, current, digest)


def return_corrections(
    inputs_dir: Path,
    year: int,
    code: str,
    by: str,
    comment: str,
    page: int | None,
    *,
    outputs_dir: Path | None = None,
) -> str:
    """Record member `code`'s corrections to its chapter of the open round's draft: a
    comment in the review file `reviews/<code>-validation.yaml` (section: the member's
    code; checked against the drafts under `outputs_dir` when given), and the status
    `corrections` with the comment's reference, which is returned (`kr-validation#1`)."""
    setup = _setup(inputs_dir, year)
    code = _member(setup, code)
    if not comment.strip():
        raise CountryValidationRefused("the corrections are empty; say what is to be corrected")
    member = setup.working_group.member(code)
    rid = reviewer_id(code)
    with edition_lock(setup.files.edition.parent):
        current = _open_round_or_refuse(inputs_dir, year)
        entry: dict[str, Any] = {"status": "corrections", "at": _now(), "by": by}
        digest = _digests(inputs_dir, year).get(code)
        if digest is not None:
            entry["content"] = digest
        # The record with a reference to come is checked first: nothing is written when
        # either file would not be valid.
        change = _set_entry(code, {**entry, "comment": f"{rid}#1"})
        _write_record(inputs_dir, year, change, write=False)
        reviewer = {
            "id": rid,
            "name": f"{member.name if member else code}: country validation",
            "organisation": member.ministry if member else code,
            "member": code,
            "email": by,
        }
        text = comment.strip()
        new = {"draft": current.draft, "section": code, **({"page": page} if page else {})}
        new["comment"] = text
        new["proposed_change"] = (
            f"The corrections {code} returned in the country validation of draft "
            f"{draft_name(current.draft)}: see the comment."
        )
        new["kind"] = "factual"
        number, problems = add_comment(inputs_dir, outputs_dir, year, reviewer, new)
        if number is None:
            raise CountryValidationRefused("; ".join(problems))
        ref = f"{rid}#{number}"
        _write_record(inputs_dir, year, _set_entry(code, {**entry, "comment": ref}))
    return ref


def member_contact(inputs_dir: Path, year: int, code: str) -> str | None:
    """The contact e-mail of member `code`'s valid contribution (who answers by default)."""
    try:
        loaded = load_edition_inputs(inputs_dir, year)
    except InputsError:
        return None
    contribution = loaded.contributions.get(code.strip().upper())
    return contribution.contact.email if contribution is not None else None
