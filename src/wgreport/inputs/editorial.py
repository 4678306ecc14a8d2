"""The secretariat's editorial text, checked: the edition's `chapters` (each file there,
each placed before or after a chapter of the report) and the references in the foreword
and the chapters' Markdown (`{{ fact-id }}`, `{{ figure:ID }}`…), each problem at its file,
line and column with a "did you mean". Standard library and the models only."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .checks.common import check_unique, dict_items, is_inside
from .factrefs import check, fact_ids
from .issues import FileReport, Issue
from .models import KEY_MESSAGES, PLACEHOLDER, Edition, WorkingGroup
from .outline import MEMBERS, chapter_ids, figure_ids, table_ids
from .suggest import did_you_mean
from .yamlsource import Source


def check_chapters(
    source: Source, data: Mapping[str, Any], folder: Path, wg: WorkingGroup | None
) -> None:
    """The edition's `chapters`: unique ids that are not the report's own, a file next to
    edition.yaml, and one place (`before` or `after` a chapter of the report, another
    editorial chapter, or `members`); `key-messages` opens the summary and has none."""
    chapters = list(dict_items(data.get("chapters")))
    check_unique(source, data.get("chapters"), "id", ("chapters",), "duplicate-id")
    codes = [m.code for m in wg.members] if wg is not None else []
    own = chapter_ids(codes)
    editorial = [str(c["id"]) for c in chapters if isinstance(c.get("id"), str)]
    places = [*own, MEMBERS, *editorial]
    for index, chapter in enumerate(chapters):
        cid, name = chapter.get("id"), chapter.get("file")
        if isinstance(cid, str) and cid in own:
            source.add("error", "duplicate-id",
                       f"'{cid}' is the id of one of the report's own chapters",
                       ("chapters", index, "id"),
                       hint="give the editorial chapter an id of its own")  # fmt: skip
        if isinstance(name, str) and name.strip():
            target = folder / name
            if not is_inside(target, folder) or not target.is_file():
                source.add("error", "file-not-found",
                           f"the chapter's file '{name}' does not exist next to edition.yaml",
                           ("chapters", index, "file"))  # fmt: skip
        before, after = chapter.get("before"), chapter.get("after")
        if cid == KEY_MESSAGES:
            if before is not None or after is not None:
                where = "before" if before is not None else "after"
                source.add("error", "chapter-place",
                           "the key messages open the executive summary: they take no "
                           "`before` or `after`", ("chapters", index, where),
                           hint="remove the `before`/`after` line")  # fmt: skip
            continue
        if (before is None) == (after is None):
            source.add("error", "chapter-place",
                       "an editorial chapter needs exactly one place: `before` or `after` a "
                       "chapter", ("chapters", index),
                       hint="e.g. after: summary (a chapter's id, or `members`)")  # fmt: skip
            continue
        key, anchor = ("before", before) if before is not None else ("after", after)
        if isinstance(anchor, str) and (anchor not in places or anchor == cid):
            source.add("error", "unknown-chapter",
                       f"'{anchor}' is not a chapter of the report to place it {key}",
                       ("chapters", index, key),
                       hint=did_you_mean(anchor, places))  # fmt: skip


def element_ids(wg: WorkingGroup, edition: Edition) -> dict[str, list[str]]:
    """The figures, tables and chapters a text can name, by kind."""
    codes = [m.code for m in wg.members]
    indicators = [i.id for i in wg.indicators]
    return {
        "chapter": [*chapter_ids(codes), *(c.id for c in edition.chapters)],
        "figure": figure_ids(indicators),
        "table": table_ids(codes, indicators),
    }


def editorial_files(edition: Edition, folder: Path | None = None) -> list[str]:
    """The edition's editorial files: the foreword, then each chapter's file; with the
    edition's `folder`, each followed by its translations present there
    (`foreword.ko.md`), which are checked as the English files are."""
    names = [edition.foreword] if edition.foreword else []
    names += [c.file for c in edition.chapters if c.file not in names]
    if folder is None:
        return names
    from .editorialtranslations import editorial_translations

    return [n for name in names for n in (name, *editorial_translations(folder, [name]))]


def check_text(text: str, wg: WorkingGroup, edition: Edition) -> list[Issue]:
    """The reference problems of one editorial text."""
    return check(text, fact_ids(wg), element_ids(wg, edition))


#: An abbreviation: two or more capitals (digits may follow), as a word of its own.
_ABBREVIATION = re.compile(r"(?<![\w.@/-])[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*(?![\w@/-]|\.\w)")
#: What is not running text: references, code, link targets and web addresses.
_NOT_TEXT = re.compile(r"\{\{[^{}\n]{0,200}\}\}|`[^`\n]*`|\]\([^)\n]*\)|<[^>\s]*>|https?://\S+")


def unlisted_abbreviations(text: str, edition: Edition) -> list[Issue]:
    """A warning for each abbreviation the text uses that the edition's list does not
    explain, at its first use."""
    listed = {PLACEHOLDER}
    for entry in edition.abbreviations:
        listed |= {entry.term, *entry.term.split()}
    prose = _NOT_TEXT.sub(lambda m: " " * len(m.group(0)), text)
    issues: list[Issue] = []
    for match in _ABBREVIATION.finditer(prose):
        term = match.group(0)
        if term in listed:
            continue
        listed.add(term)
        line = prose.count("\n", 0, match.start()) + 1
        column = match.start() - (prose.rfind("\n", 0, match.start()) + 1) + 1
        issues.append(
            Issue(
                "warning",
                "abbreviation-not-listed",
                f"'{term}' is used but not in the edition's list of abbreviations",
                "",
                line,
                column,
                f"add it to `abbreviations` in edition.yaml (- term: {term}, meaning: …), "
                "or write it out",
            )
        )
    return issues


def editorial_reports(
    edition_path: Path,
    wg: WorkingGroup | None,
    edition: Edition | None,
    display: Callable[[Path], str] = str,
) -> list[FileReport]:
    """A report for each editorial file (the foreword, the chapters' files) and each of its
    translations (`foreword.ko.md`) that exists: its references checked against the facts
    and the report's elements; a translation whose English changed since, outdated."""
    if wg is None or edition is None:
        return []
    from .editorialtranslations import editorial_issues, editorial_translations

    folder = edition_path.parent
    english_of = {
        t: n for n in editorial_files(edition) for t in editorial_translations(folder, [n])
    }
    reports = []
    for name in editorial_files(edition, folder):
        path = folder / name
        if not is_inside(path, folder) or not path.is_file():
            continue  # the edition's report says so
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            issue = Issue("error", "file-unreadable", f"the file cannot be read: {exc}")
            reports.append(FileReport(display(path), None, [issue]))
            continue
        issues = check_text(text, wg, edition) + unlisted_abbreviations(text, edition)
        if name in english_of:  # a translation (foreword.ko.md): outdated when it says so
            english = folder / english_of[name]
            try:
                source: str | None = english.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                source = None
            issues += editorial_issues(english_of[name], source, text, display(path))
        reports.append(FileReport(display(path), None, issues))
    return reports
