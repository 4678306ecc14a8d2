"""`wgreport validate PATH...`: find what each path is and check it in its edition's context."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..layout import (
    COUNTRY_VALIDATION,
    EDITION,
    EDITION_TRANSLATION,
    GROUP_TRANSLATION,
    REVIEWS,
    TRANSLATIONS,
    WORKING_GROUP,
    EditionInputs,
    Inputs,
    Outputs,
    shown,
)
from .editorial import editorial_reports
from .issues import FileReport, Issue, ValidationReport
from .models import Edition, WorkingGroup
from .validation import (
    EditionContext,
    duplicate_member_issue,
    load_edition,
    load_working_group,
    validate_contribution,
)

CONTRIBUTION_SUFFIXES = (".yaml", ".yml", ".xlsx")  # a workbook: wgreport template


@dataclass
class _Group:
    working_group: WorkingGroup | None
    report: FileReport | None


def _display(path: Path) -> str:
    return shown(path, resolve=True)


def _inputs_root(path: Path, default: Path, cache: dict[Path, Path]) -> Path:
    """The inputs folder a file belongs to (the one holding working-group.yaml), cached per
    folder so that a large tree does not stat the same parents for every file."""
    folder = path.resolve().parent
    if folder not in cache:
        cache[folder] = next(
            (p for p in (folder, *folder.parents) if Inputs(p).working_group.is_file()),
            default,
        )
    return cache[folder]


def _declared_year(path: Path) -> int | None:
    """The edition year a contribution names on its `year:` line, read without parsing
    (in a workbook: its `year` row)."""
    if path.suffix.lower() == ".xlsx":
        from .workbook import read_workbook

        try:
            year = read_workbook(path).data.get("year")
        except Exception:  # unreadable: validation says so
            return None
        return year if isinstance(year, int) and not isinstance(year, bool) else None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = _YEAR_LINE.search(text)
    return int(found[1]) if found else None


_YEAR_LINE = re.compile(r"^year:[ \t]*([0-9]{4})[ \t]*(?:#.*)?$", re.MULTILINE)
#: a top-level `key: value` line, read without parsing (schema, language, member)
_KEY_LINE = r"^{key}:[ \t]*['\"]?([A-Za-z0-9/_.-]+)['\"]?[ \t]*(?:#.*)?$"


def _declared(path: Path, key: str) -> str | None:
    """The value a YAML file gives `key` on a top-level line of its own, read without
    parsing (None when it has none, or the file cannot be read)."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = re.search(_KEY_LINE.format(key=key), text, re.MULTILINE)
    return found[1] if found else None


def checks_not_run(
    wg: WorkingGroup | None, edition: Edition | None, year: int | None, root: Path
) -> Issue | None:
    """The warning that the group's checks could not run on a contribution, and how to run
    them: without working-group.yaml, neither its catalogue's (member, themes, indicators
    and their bounds) nor the edition's (year, deadline); without the edition's file, the
    edition's. A file checked only against the format is never reported as plainly valid."""
    run = "check the file in the group's inputs folder (inputs/<year>/contributions/), or name that folder with --inputs PATH"  # noqa: E501
    if wg is None:
        return Issue(
            "warning",
            "checks-not-run",
            "only the file's format was checked: no working-group.yaml was found (looked in "
            f"the file's folders and in {root}), so the group's checks did not run (member "
            "code, themes, indicators and their bounds, the edition's year and deadline)",
            line=1,
            column=1,
            hint=run,
        )
    if edition is None:
        path = Inputs(root).edition(year).settings if year is not None else None
        if path is not None and path.is_file():
            return Issue(
                "warning",
                "checks-not-run",
                f"the edition's checks did not run (its year and deadline): {path} has errors",
                line=1,
                column=1,
                hint=f"the secretariat fixes it: wgreport validate {path}",
            )
        return Issue(
            "warning",
            "checks-not-run",
            "the edition's checks did not run (its year and deadline): "
            f"{path or 'the edition named by the file'} was not found",
            line=1,
            column=1,
            hint=f"is the year right? The editions are the folders of {root}; or {run}",
        )
    return None


def _collect(paths: list[Path], inputs_dir: Path) -> list[Path]:
    if not paths:
        years = Inputs(inputs_dir).years()
        if not years:
            raise UsageError(f"no edition found under {inputs_dir}; name the files to check")
        paths = [Inputs(inputs_dir).edition(years[-1]).folder]
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


def _edition_file_reports(path: Path, wg: WorkingGroup | None) -> list[FileReport]:
    """The reports of an edition's own file: edition.yaml (with its editorial texts, the
    foreword and the chapters) or country-validation.yaml."""
    folder_year = int(path.parent.name) if path.parent.name.isdigit() else None
    if path.name == COUNTRY_VALIDATION:
        from .country_validation import validate_country_validation

        return [validate_country_validation(path, wg, folder_year, _display(path))[2]]
    edition, report = load_edition(path, wg, folder_year or 0, _display(path))
    return [report, *editorial_reports(path, wg, edition, _display)]


def _editorial_file_report(path: Path, wg: WorkingGroup | None) -> list[FileReport]:
    """The report of an editorial text (the foreword, a chapter's file) named on its own:
    its references checked in its edition; the edition's file's report when that is not
    valid, and a note when the edition does not name the file."""
    settings = path.parent / EDITION
    folder_year = int(path.parent.name) if path.parent.name.isdigit() else 0
    edition, report = load_edition(settings, wg, folder_year, _display(settings))
    if edition is None:
        return [report]
    found = [
        r for r in editorial_reports(settings, wg, edition, _display) if r.file == _display(path)
    ]
    if found:
        return found
    issue = Issue(
        "warning",
        "checks-not-run",
        f"{path.name} is not a file the edition names (its foreword or a chapter's file), so "
        "it was not checked",
        line=1,
        column=1,
        hint=f"name it in {_display(settings)} (foreword, or chapters[].file)",
    )
    return [FileReport(_display(path), None, [issue])]


def _translation_report(path: Path, wg: WorkingGroup | None, root: Path) -> FileReport:
    """The report of a translation file: a member's (`<year>/translations/<lang>/<CODE>.yaml`,
    checked against its contribution's texts), the edition's (`<year>/translations/<lang>/
    edition.yaml`, against edition.yaml's) or the group's (`translations/<lang>/group.yaml`,
    against working-group.yaml's)."""
    from .translations import (
        TranslationPlace,
        group_fields,
        load_contribution,
        source_fields,
        validate_translation,
    )

    placed = path.parent.parent.name == TRANSLATIONS
    lang = path.parent.name if placed else (_declared(path, "language") or "")
    above = path.parent.parent.parent
    # a copy outside translations/<lang>/: its own lines say whose it is (a member's names
    # its member; the group's none)
    member = path.stem if placed else _declared(path, "member")
    if placed and path.name == EDITION_TRANSLATION and above.name.isdigit():
        return _edition_translation_report(path, wg, lang, int(above.name))
    if (path.name == GROUP_TRANSLATION and not above.name.isdigit()) if placed else not member:
        place = TranslationPlace(lang)
        sources = group_fields(wg) if wg is not None else None
    else:
        assert member is not None
        year = int(above.name) if placed and above.name.isdigit() else _declared_year(path)
        place = TranslationPlace(lang, member, year)
        model = (
            load_contribution(Inputs(root).edition(year).contribution(member))
            if year is not None
            else None
        )
        sources = source_fields(model) if model is not None else None
    return validate_translation(path, place, wg, sources, _display(path))[1]


def _edition_translation_report(
    path: Path, wg: WorkingGroup | None, lang: str, year: int
) -> FileReport:
    """The report of `<year>/translations/<lang>/edition.yaml`, checked against the
    texts of the edition.yaml two folders up (when it is valid)."""
    from .editiontexts import edition_fields
    from .translations import TranslationPlace, validate_translation

    settings = path.parent.parent.parent / EDITION
    edition = load_edition(settings, wg, year)[0] if settings.is_file() else None
    sources = edition_fields(edition) if edition is not None else None
    place = TranslationPlace(lang, None, year, edition=True)
    return validate_translation(path, place, wg, sources, _display(path))[1]


def _text_reports(path: Path, wg: WorkingGroup | None, root: Path) -> list[FileReport] | None:
    """The reports of an editorial text (`foreword.md`, `foreword.ko.md`…) or a translation
    file; None for any other file."""
    if path.suffix == ".md" and (path.parent / EDITION).is_file():
        return _editorial_file_report(path, wg)
    from .translations import SCHEMA_ID

    if path.parent.parent.name == TRANSLATIONS or _declared(path, "schema") == SCHEMA_ID:
        return [_translation_report(path, wg, root)]  # wherever it lies: its schema line says
    return None


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
            wg_path = Inputs(root).working_group
            if wg_path.is_file():
                wg, report = load_working_group(wg_path, _display(wg_path))
                groups[root] = _Group(wg, report)
            else:
                groups[root] = _Group(None, None)
        return groups[root].working_group

    for path in files:
        name = path.name
        if name == WORKING_GROUP:
            group_for(path)
            root = _inputs_root(path, inputs_dir, roots)
            report = groups[root].report
            if report is not None and report not in reports:
                reports.append(report)
            continue
        wg = group_for(path)
        if name in (EDITION, COUNTRY_VALIDATION) and path.parent.parent.name != TRANSLATIONS:
            reports.extend(_edition_file_reports(path, wg))
            continue
        texts = _text_reports(path, wg, _inputs_root(path, inputs_dir, roots))
        if texts is not None:  # an editorial text, or a translation file
            reports.extend(texts)
            continue
        year_dir = path.parent.parent
        year = int(year_dir.name) if year_dir.name.isdigit() else None
        if path.parent.name == REVIEWS:
            drafts = (
                drafts_known(Outputs(outputs_dir).year(year).folder)
                if outputs_dir is not None and year is not None
                else None
            )
            reports.append(validate_review(path, wg, year, drafts, _display(path)).report)
            continue
        if year is None:  # a copy outside inputs/<year>/contributions/: the year it names
            year = _declared_year(path)
        root = _inputs_root(path, inputs_dir, roots)
        folder = Inputs(root).edition(year) if year is not None else EditionInputs(year_dir)
        edition_path = folder.settings
        edition = None
        if year is not None and edition_path.is_file():
            if edition_path not in editions:
                editions[edition_path] = load_edition(
                    edition_path, wg, year, _display(edition_path)
                )
            edition = editions[edition_path][0]
        ctx = EditionContext(wg, year, edition, path.parent)
        result = validate_contribution(path, ctx, _display(path))
        skipped = checks_not_run(wg, edition, year, root)
        if skipped is not None:
            result.reports[0].issues.append(skipped)
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


def validate_upload(upload: Path, inputs_dir: Path, year: int, code: str) -> ValidationReport:
    """Check a file sent for member `code` (YAML or workbook, from wherever it was kept)
    exactly as `wgreport validate` checks `inputs/<year>/contributions/<CODE>.<ext>`: in a
    copy of the member's folder (images, indicators CSV) outside inputs/, under the name
    CODE<suffix>, against the edition's group and setup. The portal's checker uses it."""
    import shutil
    import tempfile

    group = Inputs(inputs_dir)
    edition_files = group.edition(year)
    wg, _ = load_working_group(group.working_group)
    edition, _ = load_edition(edition_files.settings, wg, year)
    name = f"{code}{upload.suffix.lower()}"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for extra in (edition_files.images(code), edition_files.indicators(code)):
            if extra.is_dir():
                shutil.copytree(extra, folder / code)
            elif extra.is_file():
                shutil.copy(extra, folder / extra.name)
        target = folder / name
        shutil.copy(upload, target)
        result = validate_contribution(target, EditionContext(wg, year, edition, folder), name)
    return ValidationReport(result.reports)
