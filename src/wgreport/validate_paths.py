"""`wgreport validate PATH...`: find what each path is and check it in its edition's context."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .issues import FileReport, ValidationReport
from .models import Edition, WorkingGroup
from .validation import (
    EditionContext,
    duplicate_member_issue,
    load_edition,
    load_working_group,
    validate_contribution,
)

CONTRIBUTION_SUFFIXES = (".yaml", ".yml")


@dataclass
class _Group:
    working_group: WorkingGroup | None
    report: FileReport | None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _inputs_root(path: Path, default: Path, cache: dict[Path, Path]) -> Path:
    """The inputs folder a file belongs to (the one holding working-group.yaml), cached per
    folder so that a large tree does not stat the same parents for every file."""
    folder = path.resolve().parent
    if folder not in cache:
        cache[folder] = next(
            (p for p in (folder, *folder.parents) if (p / "working-group.yaml").is_file()),
            default,
        )
    return cache[folder]


def _collect(paths: list[Path], inputs_dir: Path) -> list[Path]:
    if not paths:
        years = (
            sorted(
                int(p.name)
                for p in inputs_dir.iterdir()
                if p.is_dir() and p.name.isdigit() and (p / "edition.yaml").is_file()
            )
            if inputs_dir.is_dir()
            else []
        )
        if not years:
            raise UsageError(f"no edition found under {inputs_dir}; name the files to check")
        paths = [inputs_dir / str(years[-1])]
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
        if path.is_dir():
            found.extend(
                sorted(
                    p for p in path.rglob("*") if p.suffix in CONTRIBUTION_SUFFIXES and p.is_file()
                )
            )
        else:
            found.append(path)
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in found:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(path)
    return unique


def validate_paths(
    paths: list[Path], inputs_dir: Path, outputs_dir: Path | None = None
) -> ValidationReport:
    """Validate files and folders: contributions, review files, edition and working-group
    files. With `outputs_dir`, review comments are checked against the published drafts."""
    from .comments import drafts_known, validate_review

    files = _collect(paths, inputs_dir)
    groups: dict[Path, _Group] = {}
    editions: dict[Path, tuple[Edition | None, FileReport]] = {}
    reports: list[FileReport] = []
    seen_members: dict[tuple[Path, str], str] = {}
    roots: dict[Path, Path] = {}

    def group_for(path: Path) -> WorkingGroup | None:
        root = _inputs_root(path, inputs_dir, roots)
        if root not in groups:
            wg_path = root / "working-group.yaml"
            if wg_path.is_file():
                wg, report = load_working_group(wg_path, _display(wg_path))
                groups[root] = _Group(wg, report)
            else:
                groups[root] = _Group(None, None)
        return groups[root].working_group

    for path in files:
        name = path.name
        if name == "working-group.yaml":
            group_for(path)
            root = _inputs_root(path, inputs_dir, roots)
            report = groups[root].report
            if report is not None and report not in reports:
                reports.append(report)
            continue
        wg = group_for(path)
        if name == "edition.yaml":
            folder_year = int(path.parent.name) if path.parent.name.isdigit() else 0
            _, report = load_edition(path, wg, folder_year, _display(path))
            reports.append(report)
            continue
        year_dir = path.parent.parent
        year = int(year_dir.name) if year_dir.name.isdigit() else None
        if path.parent.name == "reviews":
            drafts = (
                drafts_known(outputs_dir / str(year))
                if outputs_dir is not None and year is not None
                else None
            )
            reports.append(validate_review(path, wg, year, drafts, _display(path)).report)
            continue
        edition_path = year_dir / "edition.yaml"
        edition = None
        if year is not None and edition_path.is_file():
            if edition_path not in editions:
                editions[edition_path] = load_edition(
                    edition_path, wg, year, _display(edition_path)
                )
            edition = editions[edition_path][0]
        ctx = EditionContext(wg, year, edition, path.parent)
        result = validate_contribution(path, ctx, _display(path))
        key = (path.parent.resolve(), path.stem.upper())
        if key in seen_members:
            result.reports[0].issues.append(duplicate_member_issue(seen_members[key], key[1]))
        else:
            seen_members[key] = path.name
        reports.extend(result.reports)
    # A broken working group explains every contribution's failure: show it first.
    for group in groups.values():
        if group.report is not None and not group.report.valid and group.report not in reports:
            reports.insert(0, group.report)
    return ValidationReport(reports)
