"""A translated editorial file (`foreword.ko.md` beside `foreword.md`): which languages a
translation can be in, the digest of the English it translates, and the first line that
says which English it translates (`<!-- translates: foreword.md sha256:… -->`, written by
`wgreport translations import`): outdated when that English changed since; without the
line it is not tracked. Members' translation files are wgreport.inputs.translations."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..layout import translated_name
from ..locales import SOURCE_LANGUAGE, shipped_languages
from .issues import Issue


def digest(text: str) -> str:
    """The digest an entry records of the English it translates: sha256 of its UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def translation_languages() -> list[str]:
    """The languages a translation can be in: those the report can be built in, but English."""
    return [lang for lang in shipped_languages() if lang != SOURCE_LANGUAGE]


def editorial_translations(folder: Path, names: list[str]) -> list[str]:
    """The translated editorial files present beside `names` (`foreword.ko.md`), by name."""
    return [
        translated_name(name, lang)
        for name in names
        for lang in translation_languages()
        if (folder / translated_name(name, lang)).is_file()
    ]


# --- a translated editorial file: the English it translates ----------------------------------

#: A translated editorial file's first line may say which English it translates, as
#: `wgreport translations import` writes it: `<!-- translates: foreword.md sha256:… -->`.
_TRANSLATES = re.compile(
    r"<!--[ \t]*translates:[ \t]*(?P<name>[^\s]+)[ \t]+sha256:(?P<sha>[0-9a-f]{64})[ \t]*-->[ \t]*"
)
#: Editorial translation states (`editorial_state`).
CURRENT, OUTDATED, NOT_TRACKED = "current", "outdated", "not tracked"


def translates_line(name: str, english: str) -> str:
    """The first line that says a translation translates English file `name` as it is."""
    return f"<!-- translates: {name} sha256:{digest(english)} -->"


def _first_line(text: str) -> str:
    return text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")


def is_translates_line(line: str) -> bool:
    """Whether `line` is meant as the translates line (well-formed or not)."""
    return line.lstrip().startswith("<!--") and "translates:" in line


def declared_source(text: str) -> tuple[str, str] | None:
    """The English file and digest a translation's first line names, or None when its
    first line is no well-formed translates line."""
    found = _TRANSLATES.fullmatch(_first_line(text))
    return (found["name"], found["sha"]) if found else None


def editorial_state(name: str, english: str | None, translated: str) -> str:
    """A translated editorial file's state against its English file `name` (`english`, its
    text now; None when it cannot be read): CURRENT, OUTDATED (its first line names
    another file or another English) or NOT_TRACKED (no such line: it prints, as it is)."""
    declared = declared_source(translated)
    if declared is None:
        return NOT_TRACKED
    if english is None:
        return CURRENT
    return CURRENT if declared == (name, digest(english)) else OUTDATED


def printed_text(translated: str) -> str:
    """A translated editorial file as the report prints it: its translates line (however
    written) blanked, so that no comment prints and its lines keep their numbers."""
    first, newline, rest = translated.partition("\n")
    return (newline + rest) if is_translates_line(first) else translated


def with_translates_line(name: str, english: str, translated: str) -> str:
    """A translation's text with its first line saying it translates `english` as it is
    now (replacing the line it had)."""
    first, _, rest = translated.lstrip("\ufeff").partition("\n")
    body = rest if is_translates_line(first) else translated.lstrip("\ufeff")
    return f"{translates_line(name, english)}\n{body}"


def _language_of(name: str, file: str) -> str:
    """The language of `file`, the translation of editorial file `name` (`foreword.ko.md`)."""
    found = [lang for lang in translation_languages() if file.endswith(translated_name(name, lang))]
    return found[0] if found else "LANG"


def editorial_issues(
    name: str, english: str | None, translated: str, file: str = "this file"
) -> list[Issue]:
    """The warning of a translated editorial file whose English changed since (its first
    line's digest is not the English file's now, or it names another file)."""
    if editorial_state(name, english, translated) != OUTDATED:
        return []
    declared = declared_source(translated)
    assert declared is not None
    said = (
        f"its first line says it translates {declared[0]}, not {name}"
        if declared[0] != name
        else f"{name} changed since it was translated"
    )
    return [
        Issue(
            "warning",
            "translation-outdated",
            f"{said}: the report prints the English {name} in its place, marked",
            "",
            1,
            1,
            "update the translation to the English as it is now, then record the English it "
            f"translates: wgreport translations import {file} --lang {_language_of(name, file)}",
        )
    ]
