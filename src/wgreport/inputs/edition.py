"""Find and load an edition's inputs: the group, the edition and every contribution."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputsError
from ..layout import Inputs
from ..runtime.clock import build_time
from .editorial import editorial_reports
from .issues import FileReport, ValidationReport
from .models import Contribution, Edition, WorkingGroup
from .validation import (
    ContributionResult,
    EditionContext,
    duplicate_member_issue,
    load_edition,
    load_working_group,
    validate_contribution,
)

CONTRIBUTION_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class EditionFiles:
    """Where an edition's input files are."""

    inputs_dir: Path
    year: int
    working_group: Path
    edition: Path
    contributions_dir: Path
    contributions: tuple[Path, ...]

    def display(self, path: Path) -> str:
        """A path as shown in reports: relative to the inputs folder's parent when possible."""
        return Inputs(self.inputs_dir).shown(path)


@dataclass(frozen=True)
class MemberStatus:
    """One expected member's submission status."""

    code: str
    name: str
    submitted: bool
    valid: bool
    late: bool
    errors: int
    warnings: int
    file: str | None
    submitted_on: dt.date | None = None
    path: Path | None = None
    not_rendered: str | None = None  # why a valid contribution was left out at render time
    overdue: bool = False  # not submitted, and the deadline has passed

    @property
    def label(self) -> str:
        if self.not_rendered:
            return f"submitted, not rendered: {self.not_rendered}"
        if not self.submitted:
            return "not submitted, overdue" if self.overdue else "not submitted"
        if not self.valid:
            return "submitted late, not valid" if self.late else "submitted, not valid"
        return "submitted late" if self.late else "submitted"


@dataclass
class LoadedEdition:
    """An edition's validated inputs, ready to aggregate."""

    files: EditionFiles
    working_group: WorkingGroup
    edition: Edition
    contributions: dict[str, Contribution]
    report: ValidationReport
    status: list[MemberStatus] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.edition.year


def list_years(inputs_dir: Path) -> list[int]:
    """The edition years present under the inputs folder."""
    return Inputs(inputs_dir).years()


def find_edition_files(inputs_dir: Path, year: int) -> EditionFiles:
    """Locate the files of one edition; raise InputsError when the edition is not there."""
    inputs = Inputs(inputs_dir)
    wg = inputs.working_group
    if not wg.is_file():
        raise InputsError(f"no {wg.name} in {inputs_dir}")
    edition = inputs.edition(year).settings
    if not edition.is_file():
        years = ", ".join(str(y) for y in list_years(inputs_dir)) or "none"
        raise InputsError(f"no edition {year} in {inputs_dir} (editions found: {years})")
    contributions_dir = inputs.edition(year).contributions
    files: list[Path] = []
    if contributions_dir.is_dir():
        files = sorted(
            p
            for p in contributions_dir.iterdir()
            if p.suffix in CONTRIBUTION_SUFFIXES and p.is_file()
        )
    return EditionFiles(inputs_dir, year, wg, edition, contributions_dir, tuple(files))


def load_group_and_edition(
    files: EditionFiles,
) -> tuple[WorkingGroup | None, Edition | None, list[FileReport]]:
    """Load the working group and the edition settings with their reports."""
    wg, wg_report = load_working_group(files.working_group, files.display(files.working_group))
    edition, ed_report = load_edition(files.edition, wg, files.year, files.display(files.edition))
    texts = editorial_reports(files.edition, wg, edition, files.display)
    return wg, edition, [wg_report, ed_report, *texts]


def edition_context(
    files: EditionFiles, wg: WorkingGroup | None, edition: Edition | None
) -> EditionContext:
    return EditionContext(wg, files.year, edition, files.contributions_dir)


def check_contribution(files: EditionFiles, ctx: EditionContext, path: Path) -> ContributionResult:
    """Validate one contribution file of the edition."""
    return validate_contribution(path, ctx, files.display(path))


def duplicate_member_reports(files: EditionFiles) -> list[FileReport]:
    """An error for every second file that claims the same member (KR.yaml and KR.yml)."""
    by_code: dict[str, Path] = {}
    reports = []
    for path in files.contributions:
        code = path.stem.upper()
        if code in by_code:
            reports.append(
                FileReport(
                    files.display(path), code, [duplicate_member_issue(by_code[code].name, code)]
                )
            )
        else:
            by_code[code] = path
    return reports


def expected_members(wg: WorkingGroup, edition: Edition) -> list[str]:
    """The member codes expected this edition, in the report's order."""
    if edition.expected_members == "all":
        return [m.code for m in wg.members]
    return [m.code for m in wg.members if m.code in edition.expected_members]


def member_status(
    wg: WorkingGroup,
    edition: Edition,
    results: dict[str, ContributionResult],
    today: dt.date | None = None,
) -> list[MemberStatus]:
    """One status row per expected member; `today` (the build's date) makes a member with
    no contribution after the deadline overdue."""
    rows = []
    overdue = today is not None and today > edition.deadline
    for code in expected_members(wg, edition):
        member = wg.member(code)
        result = results.get(code)
        name = member.name if member else code
        if result is None:
            rows.append(MemberStatus(code, name, False, False, False, 0, 0, None, overdue=overdue))
            continue
        errors = sum(r.errors for r in result.reports)
        warnings = sum(r.warnings for r in result.reports)
        contribution = result.contribution
        submitted_on = contribution.submitted if contribution else result.submitted_on
        late = submitted_on is not None and submitted_on > edition.deadline
        rows.append(
            MemberStatus(
                code,
                name,
                True,
                result.valid,
                late,
                errors,
                warnings,
                result.reports[0].file,
                submitted_on,
                result.path,
            )
        )
    return rows


@dataclass(frozen=True)
class EditionSetup:
    """An edition's files with its working group and edition settings, validated."""

    files: EditionFiles
    working_group: WorkingGroup
    edition: Edition
    reports: list[FileReport]


def load_edition_setup(inputs_dir: Path, year: int) -> EditionSetup:
    """The edition's files, and its working group and edition file, which must be valid."""
    files = find_edition_files(inputs_dir, year)
    wg, edition, reports = load_group_and_edition(files)
    if wg is None or edition is None:
        raise InputsError(first_error(reports))
    return EditionSetup(files, wg, edition, reports)


def load_edition_inputs(inputs_dir: Path, year: int) -> LoadedEdition:
    """Load and validate everything of one edition (the library path, without Prefect)."""
    setup = load_edition_setup(inputs_dir, year)
    files, wg, edition = setup.files, setup.working_group, setup.edition
    ctx = edition_context(files, wg, edition)
    results = {p.stem: check_contribution(files, ctx, p) for p in files.contributions}
    return assemble_edition(files, wg, edition, setup.reports, list(results.values()))


def assemble_edition(
    files: EditionFiles,
    wg: WorkingGroup,
    edition: Edition,
    reports: list[FileReport],
    results: list[ContributionResult],
) -> LoadedEdition:
    """Put validated pieces together: valid contributions, the report and the status."""
    duplicates = duplicate_member_reports(files)
    duplicate_files = {r.file for r in duplicates}
    by_code: dict[str, ContributionResult] = {}
    for result in results:
        if result.reports[0].file in duplicate_files:
            continue
        by_code.setdefault(result.member.upper(), result)
    all_reports = list(reports)
    for result in results:
        all_reports.extend(result.reports)
    all_reports.extend(duplicates)
    contributions = {
        code: r.contribution
        for code, r in by_code.items()
        if r.valid and r.contribution is not None
    }
    return LoadedEdition(
        files=files,
        working_group=wg,
        edition=edition,
        contributions=contributions,
        report=ValidationReport(all_reports),
        status=member_status(wg, edition, by_code, build_time().date()),
    )


def last_change(path: Path) -> str:
    """When a file last changed: its last git commit date, else its modification time (UTC)."""
    import subprocess

    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%cI", "--", path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if out.returncode == 0 and out.stdout.strip() and not dirty.stdout.strip():
            when = dt.datetime.fromisoformat(out.stdout.strip()).astimezone(dt.UTC)
            return when.strftime("%Y-%m-%d %H:%M")
    except (OSError, subprocess.TimeoutExpired):
        pass
    mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return mtime.strftime("%Y-%m-%d %H:%M")


def previous_year(loaded: LoadedEdition) -> int | None:
    """The edition to compare with, when its folder is there: `previous_edition`, else
    year - 1."""
    named = loaded.edition.previous_edition
    candidate = loaded.year - 1 if named is None else named
    return candidate if candidate in list_years(loaded.files.inputs_dir) else None


def first_error(reports: list[FileReport]) -> str:
    for report in reports:
        for issue in report.sorted_issues():
            if issue.severity == "error":
                return f"{report.file}:{issue.line}:{issue.column}: {issue.code}: {issue.message}"
    return "the working group or edition file is not valid"
