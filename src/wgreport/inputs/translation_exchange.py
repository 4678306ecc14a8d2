"""How far an edition is translated, and the exchange with translators' tools as PO files
(`wgreport translations status|export|import`, issue 42).

In a PO file each translatable text is one message: `msgctxt` names it (`KR:summary`, a
member's field; `group:themes.<id>.title`, the group's), `msgid` is its English as it is
now, `msgstr` the translation; an outdated translation is exported `fuzzy`. Import writes
the translation files (never a contribution): each entry's digest is computed from the
English as it is when it is imported, and an entry whose `msgid` is no longer that English
is refused. Babel reads and writes the PO files (imported only here, only when asked)."""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..layout import Inputs, shown
from .editiontexts import edition_fields
from .editorialtranslations import (
    NOT_TRACKED,
    OUTDATED,
    editorial_state,
    with_translates_line,
)
from .models import WorkingGroup
from .translations import (
    SCHEMA_ID,
    Coverage,
    TranslationFile,
    TranslationPlace,
    coverage,
    digest,
    group_fields,
    load_contribution,
    source_fields,
    validate_translation,
)
from .validation import load_edition, load_working_group

GROUP = "group"  # the msgctxt prefix and the status row of the group's own text
EDITION = "edition"  # the same of the edition's own text (its title, editors, chapters' titles)


@dataclass(frozen=True)
class Part:
    """One translation file's sources: a member's contribution, or the group's file."""

    name: str  # the member's code, "edition" or "group"
    path: Path  # the translation file
    sources: dict[str, str]
    translation: TranslationFile | None
    problem: str = ""  # why the translation file was not read (it has errors)


@dataclass
class Edition:
    """An edition's translatable parts in one language, read from disk."""

    inputs: Inputs
    year: int
    lang: str
    wg: WorkingGroup
    parts: list[Part] = field(default_factory=list)
    editorial: list[tuple[str, Path, bool]] = field(default_factory=list)  # English, file, there


def _read_translation(
    path: Path, place: TranslationPlace, wg: WorkingGroup, sources: dict[str, str]
) -> tuple[TranslationFile | None, str]:
    """A translation file as the build reads it (None with its first error when it has one,
    so that status counts what the report prints)."""
    if not path.is_file():
        return None, ""
    model, report = validate_translation(path, place, wg, sources)
    errors = [i for i in report.issues if i.severity == "error"]
    if errors:
        first = errors[0]
        return None, f"{first.code} at line {first.line}: {first.message}"
    return model, ""


def read_edition(inputs_dir: Path, year: int, lang: str, member: str | None = None) -> Edition:
    """The edition's parts translatable into `lang` (one member's with `member`)."""
    inputs = Inputs(inputs_dir)
    wg, _ = load_working_group(inputs.working_group)
    if wg is None:
        raise UsageError(
            f"{shown(inputs.working_group)} is missing or not valid: wgreport validate"
        )
    folder = inputs.edition(year)
    edition, _ = load_edition(folder.settings, wg, year)
    if edition is None:
        raise UsageError(f"{shown(folder.settings)} is missing or not valid: wgreport validate")
    if member is not None and wg.member(member) is None:
        from .suggest import did_you_mean

        codes = [m.code for m in wg.members]
        hint = did_you_mean(member, codes) or f"the members are {', '.join(codes)}"
        raise UsageError(f"'{member}' is not a member of the working group ({hint})")
    found = Edition(inputs, year, lang, wg)
    for m in wg.members:
        if member is not None and m.code != member:
            continue
        contribution = load_contribution(folder.contribution(m.code))
        if contribution is None:
            continue  # nothing submitted (or not valid): nothing to translate yet
        path = folder.translation(lang, m.code)
        sources = source_fields(contribution)
        place = TranslationPlace(lang, m.code, year)
        translation, problem = _read_translation(path, place, wg, sources)
        found.parts.append(Part(m.code, path, sources, translation, problem))
    if member is None:
        path = inputs.group_translation(lang)
        sources = group_fields(wg)
        translation, problem = _read_translation(path, TranslationPlace(lang), wg, sources)
        found.parts.append(Part(GROUP, path, sources, translation, problem))
        path = folder.edition_translation(lang)
        sources = edition_fields(edition)
        place = TranslationPlace(lang, None, year, edition=True)
        translation, problem = _read_translation(path, place, wg, sources)
        found.parts.append(Part(EDITION, path, sources, translation, problem))
        names = ([edition.foreword] if edition.foreword else []) + [
            c.file for c in edition.chapters
        ]
        for name in names:
            target = folder.file_in(name, lang)
            found.editorial.append((name, target, target.is_file()))
    return found


# --- status ------------------------------------------------------------------------------------


def status_rows(found: Edition) -> list[dict[str, Any]]:
    """One row per part: its file, and the fields translated, missing and outdated."""
    rows: list[dict[str, Any]] = []
    folder = found.inputs.edition(found.year)
    for name, path, there in found.editorial:
        state = _editorial_state(folder.file(name), name, path) if there else ""
        outdated = state == OUTDATED
        rows.append({"part": name, "file": shown(path, found.inputs.root.parent),
                     "translated": int(there and not outdated), "missing": int(not there),
                     "outdated": int(outdated), "missing_fields": [] if there else [name],
                     "outdated_fields": [name] if outdated else [], "problem": "",
                     "tracked": state != NOT_TRACKED})  # fmt: skip
    for part in found.parts:
        covered: Coverage = coverage(part.sources, part.translation)
        rows.append({"part": part.name, "file": shown(part.path, found.inputs.root.parent),
                     "translated": len(covered.current), "missing": len(covered.missing),
                     "outdated": len(covered.outdated), "missing_fields": covered.missing,
                     "outdated_fields": covered.outdated, "problem": part.problem,
                     "tracked": True})  # fmt: skip
    return rows


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _editorial_state(english: Path, name: str, translated: Path) -> str:
    text = _read(translated)
    return editorial_state(name, _read(english), text) if text is not None else NOT_TRACKED


def status_text(found: Edition, rows: Sequence[Mapping[str, Any]]) -> str:
    lines = [f"Translation into '{found.lang}' of the {found.year} edition:"]
    width = max([len(str(r["part"])) for r in rows] + [4])
    for r in rows:
        lines.append(
            f"  {r['part']!s:<{width}}  {r['translated']:>3} translated  "
            f"{r['missing']:>3} missing  {r['outdated']:>3} outdated   {r['file']}"
        )
        if r["problem"]:
            lines.append(f"      not read: {r['problem']} (wgreport validate {r['file']})")
        if not r["tracked"]:
            lines.append(
                f"      not tracked: its first line does not say which English it translates, "
                f"so a change of {r['part']} will not mark it outdated (it prints as it is); "
                f"`wgreport translations import --lang {found.lang} {r['file']}` records it"
            )
        for name in r["outdated_fields"]:
            lines.append(f"      outdated: {name} (its English changed; the English is printed)")
    totals = {k: sum(int(r[k]) for r in rows) for k in ("translated", "missing", "outdated")}
    lines.append(
        f"{totals['translated']} translated, {totals['missing']} missing, "
        f"{totals['outdated']} outdated."
    )
    if totals["outdated"]:
        lines.append(
            f"  hint: export them (wgreport translations export --lang {found.lang} --out "
            f"{found.lang}.po): outdated entries are marked fuzzy; translate, then import"
        )
    return "\n".join(lines)


def status_json(found: Edition, rows: Sequence[Mapping[str, Any]]) -> str:
    totals = {k: sum(int(r[k]) for r in rows) for k in ("translated", "missing", "outdated")}
    document = {"language": found.lang, "year": found.year, "parts": list(rows), "totals": totals}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# --- a translated editorial file ----------------------------------------------------------------


def import_editorial(found: Edition, source: Path) -> tuple[Path, str]:
    """Write a translated editorial file (`foreword.ko.md`, wherever it was kept) into the
    edition's folder with its first line saying it translates the English file as it is
    now (`<!-- translates: foreword.md sha256:… -->`): the file and the English file's
    name. A usage error for a file that is not one of the edition's editorial files'
    translations into the language, or that cannot be read."""
    from ..layout import translated_name

    by_name = {translated_name(name, found.lang): (name, target)
               for name, target, _ in found.editorial}  # fmt: skip
    if source.name not in by_name:
        expected = ", ".join(by_name) or "none (the edition names no foreword or chapter file)"
        raise UsageError(
            f"{source}: not a translated editorial file of the {found.year} edition; "
            f"the files are {expected}"
        )
    name, target = by_name[source.name]
    translated, english = _read(source), _read(found.inputs.edition(found.year).file(name))
    if translated is None:
        raise UsageError(f"{source}: cannot be read as UTF-8 text")
    if english is None:
        where = shown(found.inputs.edition(found.year).file(name))
        raise UsageError(f"{where}: cannot be read, so the English this file translates "
                         "cannot be recorded")  # fmt: skip
    text = with_translates_line(name, english, translated)
    if translated != text or source.resolve() != target.resolve():
        write_atomically(target, text)
    return target, name


# --- export ------------------------------------------------------------------------------------


def _context(part: str, field_path: str) -> str:
    return f"{part}:{field_path}"


def export_po(found: Edition) -> bytes:
    """The parts' texts as a PO catalogue: every source text, translated or not."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    header = (
        f"# The texts of the {found.year} edition to translate into '{found.lang}'\n"
        "# (wgreport translations export; bring it back with wgreport translations import).\n"
        "# msgctxt: the text (MEMBER:field, edition:field or group:field); msgid: its English;\n"
        "# msgstr: the translation; fuzzy: an outdated one, to check against the new English."
    )
    catalog = Catalog(locale=found.lang, project="wgreport", version=str(found.year),
                      fuzzy=False, charset="utf-8", header_comment=header)  # fmt: skip
    for part in found.parts:
        texts = part.translation.texts if part.translation is not None else {}
        for path, english in part.sources.items():
            entry = texts.get(path)
            outdated = entry is not None and entry.source_sha256 != digest(english)
            catalog.add(
                english,
                entry.text if entry is not None else "",
                locations=[(shown(part.path, found.inputs.root.parent), 0)],
                flags=["fuzzy"] if outdated else [],
                context=_context(part.name, path),
            )
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False, include_lineno=False)
    return out.getvalue()


# --- import ------------------------------------------------------------------------------------


@dataclass
class Imported:
    """What an import did: the files written (with their entries), and every entry left
    out with its reason."""

    written: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def import_po(found: Edition, po: Path) -> Imported:
    """Write the translations of `po` into the parts' files: each entry checked against the
    English as it is now (refused when its msgid is not), its digest computed from it;
    fuzzy and empty messages are skipped. Every file is made in memory first, then each
    written atomically (a temporary file renamed over it); a file is written only when its
    content changes. Nothing is written when a PO file cannot be read."""
    from babel.messages.pofile import PoFileError, read_po

    try:
        with po.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except (OSError, PoFileError, ValueError) as exc:
        raise UsageError(
            f"{po}: cannot be read as a PO file ({exc}); import a file that "
            "`wgreport translations export` wrote, as a PO editor saved it"
        ) from exc
    parts = {p.name: p for p in found.parts}
    updates: dict[str, dict[str, dict[str, str]]] = {}
    result = Imported()
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        where = f"{po.name}: {message.context or '(no msgctxt)'}"
        text = message.string if isinstance(message.string, str) else ""
        name, _, path = str(message.context or "").partition(":")
        part = parts.get(name)
        if part is None or path not in part.sources:
            result.refused.append(f"{where}: names no text of this edition to translate")
            continue
        if part.problem:
            result.refused.append(f"{where}: {shown(part.path)} has errors ({part.problem})")
            continue
        if not text.strip():
            continue
        if message.fuzzy:
            result.skipped.append(f"{where}: fuzzy (check it and clear the flag to import it)")
            continue
        english = part.sources[path]
        if message.id != english:
            result.refused.append(f"{where}: its English changed since the export; export "
                                  "again and translate the new English")  # fmt: skip
            continue
        updates.setdefault(name, {})[path] = {"source_sha256": digest(english), "text": text}
    contents: dict[Path, str] = {}
    for name, entries in updates.items():
        part = parts[name]
        existing = part.translation.texts if part.translation is not None else {}
        texts = {k: {"source_sha256": v.source_sha256, "text": v.text} for k, v in existing.items()}
        texts.update(entries)
        ordered = {k: texts[k] for k in part.sources if k in texts}
        ordered.update({k: v for k, v in texts.items() if k not in ordered})
        yaml_text = translation_yaml(found.lang, None if name in (GROUP, EDITION) else name,
                                None if name == GROUP else found.year, ordered)  # fmt: skip
        if not part.path.is_file() or part.path.read_text(encoding="utf-8") != yaml_text:
            contents[part.path] = yaml_text
        result.written[shown(part.path, found.inputs.root.parent)] = len(entries)
    for target, content in contents.items():
        write_atomically(target, content)
    return result


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- writing a translation file --------------------------------------------------------------


def _scalar(text: str, indent: str) -> str:
    """A text as a YAML scalar: a literal block when it is multi-line plain text ending in
    at most one line break, else a double-quoted string (JSON's form, which YAML reads)."""
    body = text[:-1] if text.endswith("\n") else text
    lines = body.split("\n")
    block = (
        len(lines) > 1
        and all(c == "\n" or (c >= " " and c not in "\x7f\u2028\u2029\ufeff") for c in body)
        and not body.startswith(" ")
        and not body.endswith("\n")
        and all(line == line.rstrip() for line in lines)
    )
    if not block:
        return json.dumps(text, ensure_ascii=False)
    shown_lines = [f"{indent}{line}" if line else "" for line in lines]
    return ("|" if text.endswith("\n") else "|-") + "\n" + "\n".join(shown_lines)


_NUMBER = re.compile(r"[0-9]+([eE][0-9]+)?")
_PLAIN_KEY = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_-]*)*")


def translation_yaml(
    lang: str, member: str | None, year: int | None, texts: Mapping[str, Mapping[str, str]]
) -> str:
    """A translation file's text, in the documented shape (a member's and the edition's
    with their year; the group's without)."""
    up = "../../../.." if year is not None else "../../.."  # to the project's schemas/
    head = [
        f"# yaml-language-server: $schema={up}/schemas/translation-v1.schema.json",
        f"schema: {SCHEMA_ID}",
        f"language: {lang}",
    ]
    if member is not None:
        head.append(f"member: {member}")
    if year is not None:
        head.append(f"year: {year}")
    lines = [*head, "texts:" if texts else "texts: {}"]
    for key, entry in texts.items():
        shown_key = key if _PLAIN_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)
        lines.append(f"  {shown_key}:")
        sha = entry["source_sha256"]  # quoted when YAML would read it as a number
        lines.append(f"    source_sha256: {json.dumps(sha) if _NUMBER.fullmatch(sha) else sha}")
        lines.append(f"    text: {_scalar(entry['text'], '      ')}")
    return "\n".join(lines) + "\n"
