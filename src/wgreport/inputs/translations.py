"""Translations of what people wrote: the members' texts and the group's own text in another
language, each entry with the digest of the English it translates (issue 42).

    inputs/<year>/translations/<lang>/<CODE>.yaml     a member's texts (this edition's)
    inputs/<year>/translations/<lang>/edition.yaml    the edition's titles (year: line too)
    inputs/translations/<lang>/group.yaml             the group's name, themes, indicators

    schema: wgreport/translation/v1
    language: ko
    member: KR              # a member's file only
    year: 2024              # a member's file only
    texts:
      summary:
        source_sha256: <sha256 of the English text, as read from the contribution>
        text: |
          한국은 …
      initiatives.one-stop-benefits.title:
        source_sha256: …
        text: 원스톱 급여 서비스

Each key is a field path (`source_fields` lists those of a contribution, `group_fields`
those of the group's file). An entry whose digest is not the English text's now is
outdated: reported (`translation-outdated`) and not printed, the English is printed in its
place, marked. A translated editorial file (`foreword.ko.md`) says which English it
translates on its first line, `<!-- translates: foreword.md sha256:… -->` (`translations
import` writes it): outdated as an entry is when the English changed since; without the
line it is "not tracked", and prints. Standard library, pydantic and the input modules
only: `wgreport validate` and `wgreport translations` import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..layout import Inputs
from . import limits
from .checks.common import is_int
from .checks.pydantic_issues import validate_model
from .editiontexts import edition_fields
from .editorialtranslations import OUTDATED, editorial_state, printed_text
from .editorialtranslations import digest as digest
from .editorialtranslations import translation_languages as translation_languages
from .issues import FileReport, Issue
from .models import Contribution, Edition, MemberCode, WorkingGroup, Year
from .suggest import did_you_mean
from .yamlsource import Source, load_yaml

SCHEMA_ID = "wgreport/translation/v1"
#: A translated text's longest (the longest English field, a case study's body, is 30,000).
TEXT_CHARS = 30_000


def _digest(value: str) -> str:
    if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value
    raise PydanticCustomError(
        "invalid-format",
        "'{value}' is not a sha256 digest (64 lowercase hexadecimal characters)",
        {
            "value": value[:70],
            "hint": "`wgreport translations import` writes it; or copy it from "
            "`wgreport translations export` (the digest of the English the text translates)",
        },
    )


def _text(value: str) -> str:
    if value.strip():
        return value
    raise PydanticCustomError(
        "empty-value",
        "the translation is empty",
        {"hint": "write the translation, or remove the entry: the English is printed then"},
    )


class _Record(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, populate_by_name=True, validate_by_alias=True
    )


class TranslatedText(_Record):
    source_sha256: Annotated[str, AfterValidator(_digest)] = Field(
        description="sha256 (hex) of the English text this translates, as read from its file"
    )
    text: Annotated[str, Field(max_length=TEXT_CHARS), AfterValidator(_text)] = Field(
        description="The translation (Markdown where the English field is Markdown)"
    )


class TranslationFile(_Record):
    schema_: Literal["wgreport/translation/v1"] = Field(alias="schema")
    language: str = Field(description="The language of the texts, e.g. ko")
    member: MemberCode | None = Field(None, description="A member's file: its code")
    year: Year | None = Field(None, description="A member's file: the edition's year")
    texts: dict[str, TranslatedText] = Field(
        {}, description="Field path (e.g. summary, initiatives.<id>.title) → its translation"
    )


# --- the texts a translation can translate ---------------------------------------------------


def source_fields(contribution: Contribution) -> dict[str, str]:
    """A contribution's translatable texts by field path, in the order its chapter prints
    them (the English each translation's digest is of)."""
    out: dict[str, str] = {"summary": contribution.summary}
    gov = contribution.governance
    out["governance.strategy.title"] = gov.strategy.title
    for n, instrument in enumerate(gov.legal_instruments, start=1):
        out[f"governance.legal_instruments.{n}.title"] = instrument.title
    for i in contribution.initiatives:
        base = f"initiatives.{i.id}"
        out[f"{base}.title"] = i.title
        out[f"{base}.description"] = i.description
        for n, outcome in enumerate(i.outcomes, start=1):
            out[f"{base}.outcomes.{n}"] = outcome
        if i.image is not None:
            out[f"{base}.image.alt"] = i.image.alt
    for value in contribution.indicators:
        if value.note:
            out[f"indicators.{value.id}.note"] = value.note
    case = contribution.case_study
    if case is not None:
        out["case_study.title"] = case.title
        out["case_study.body"] = case.body
        if case.image is not None:
            out["case_study.image.alt"] = case.image.alt
    return out


def group_fields(wg: WorkingGroup) -> dict[str, str]:
    """The group's own text the report prints, by field path: its name and forum (the
    cover's), each theme's title and description, each indicator's title and definition
    (and caveat)."""
    out: dict[str, str] = {"name": wg.name, "forum": wg.forum}
    for theme in wg.themes:
        out[f"themes.{theme.id}.title"] = theme.title
        out[f"themes.{theme.id}.description"] = theme.description
    for indicator in wg.indicators:
        out[f"indicators.{indicator.id}.title"] = indicator.title
        out[f"indicators.{indicator.id}.definition"] = indicator.definition
        if indicator.caveat:
            out[f"indicators.{indicator.id}.caveat"] = indicator.caveat
    return out


#: The Markdown fields (their translation is checked as Markdown: size, tables, nesting).
_MARKDOWN = {"summary": "summary", "description": "description", "body": "body"}


def field_limit(path: str) -> tuple[int, str | None]:
    """The most characters a translation of the field at `path` may have (the English
    field's own limit, docs/limits.md), and the Markdown field's kind if it is one."""
    parts = path.split(".")
    last = parts[-1]
    if (
        path == "summary"
        or path == "case_study.body"
        or (parts[0] == "initiatives" and last == "description")
    ):
        kind = "body" if last == "body" else last
        return limits.markdown_char_limit(kind), _MARKDOWN[kind]
    if len(parts) >= 2 and parts[-2] == "outcomes":
        return limits.OUTCOME_CHARS, None
    sentences = ("subtitle", "foreword_signatory.role", "approval.by")
    if parts[0] == "governance" or last in ("alt", "note") or path in sentences:
        return limits.SENTENCE_CHARS, None
    if last in ("description", "definition", "caveat"):
        return limits.PARAGRAPH_CHARS, None
    return limits.NAME_CHARS, None


@dataclass(frozen=True)
class Coverage:
    """How far a file's translations cover its sources: the texts that print translated
    (field → translation), and the fields missing or outdated, in the sources' order."""

    current: dict[str, str]
    missing: list[str]
    outdated: list[str]

    @property
    def total(self) -> int:
        return len(self.current) + len(self.missing) + len(self.outdated)


def coverage(sources: Mapping[str, str], translation: TranslationFile | None) -> Coverage:
    texts = translation.texts if translation is not None else {}
    current: dict[str, str] = {}
    missing: list[str] = []
    outdated: list[str] = []
    for path, english in sources.items():
        entry = texts.get(path)
        if entry is None:
            missing.append(path)
        elif entry.source_sha256 != digest(english):
            outdated.append(path)
        else:
            current[path] = entry.text
    return Coverage(current, missing, outdated)


# --- applying them ---------------------------------------------------------------------------


def _replace_items(
    items: list[Any], key: str, updates: Mapping[str, Mapping[str, Any]]
) -> list[Any]:
    return [
        item.model_copy(update=updates[getattr(item, key)])
        if getattr(item, key) in updates
        else item
        for item in items
    ]


def translate_contribution(contribution: Contribution, texts: Mapping[str, str]) -> Contribution:
    """The contribution with each field of `texts` (field path → translation) replaced."""
    if not texts:
        return contribution

    def get(path: str, default: Any) -> Any:
        return texts.get(path, default)

    gov = contribution.governance
    strategy = gov.strategy.model_copy(
        update={"title": get("governance.strategy.title", gov.strategy.title)}
    )
    instruments = [
        li.model_copy(update={"title": get(f"governance.legal_instruments.{n}.title", li.title)})
        for n, li in enumerate(gov.legal_instruments, start=1)
    ]
    initiatives = []
    for i in contribution.initiatives:
        base = f"initiatives.{i.id}"
        image = i.image
        if image is not None:
            image = image.model_copy(update={"alt": get(f"{base}.image.alt", image.alt)})
        outcomes = [get(f"{base}.outcomes.{n}", o) for n, o in enumerate(i.outcomes, start=1)]
        initiatives.append(
            i.model_copy(
                update={
                    "title": get(f"{base}.title", i.title),
                    "description": get(f"{base}.description", i.description),
                    "outcomes": outcomes,
                    "image": image,
                }
            )
        )
    indicators = [
        v.model_copy(update={"note": get(f"indicators.{v.id}.note", v.note)})
        for v in contribution.indicators
    ]
    case = contribution.case_study
    if case is not None:
        image = case.image
        if image is not None:
            image = image.model_copy(update={"alt": get("case_study.image.alt", image.alt)})
        case = case.model_copy(
            update={
                "title": get("case_study.title", case.title),
                "body": get("case_study.body", case.body),
                "image": image,
            }
        )
    return contribution.model_copy(
        update={
            "summary": get("summary", contribution.summary),
            "governance": gov.model_copy(
                update={"strategy": strategy, "legal_instruments": instruments}
            ),
            "initiatives": initiatives,
            "indicators": indicators,
            "case_study": case,
        }
    )


def translate_group(wg: WorkingGroup, texts: Mapping[str, str]) -> WorkingGroup:
    """The working group with its name, forum and each theme's and indicator's text of
    `texts` replaced."""
    if not texts:
        return wg
    names = {k: texts[k] for k in ("name", "forum") if k in texts}
    themes = {
        t.id: {k: texts[f"themes.{t.id}.{k}"] for k in ("title", "description")
               if f"themes.{t.id}.{k}" in texts}
        for t in wg.themes
    }  # fmt: skip
    indicators = {
        i.id: {k: texts[f"indicators.{i.id}.{k}"] for k in ("title", "definition", "caveat")
               if f"indicators.{i.id}.{k}" in texts}
        for i in wg.indicators
    }  # fmt: skip
    return wg.model_copy(
        update={
            **names,
            "themes": _replace_items(list(wg.themes), "id", themes),
            "indicators": _replace_items(list(wg.indicators), "id", indicators),
        }
    )


# --- reading them ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageTexts:
    """What people wrote, in one language, as the read step read it: the editorial files'
    translations, current or not tracked, without their translates line (by the English
    file's name) and the valid translation files (a member's
    by its code; the group's). A file with an error is left out (validation reports it)."""

    lang: str
    editorial: dict[str, str] = field(default_factory=dict)
    members: dict[str, TranslationFile] = field(default_factory=dict)
    group: TranslationFile | None = None
    #: the edition's own titles (inputs/<year>/translations/<lang>/edition.yaml)
    edition: TranslationFile | None = None
    #: every translation file found, as checked (validation.json's `translations` block)
    reports: tuple[FileReport, ...] = ()


def read_language(
    inputs_dir: Path,
    year: int,
    names: list[str],
    lang: str,
    wg: WorkingGroup,
    contributions: Mapping[str, Contribution],
    edition: Edition | None = None,
) -> LanguageTexts:
    """The translations into `lang` of an edition: its editorial files `names` (each
    `<stem>.<lang>.md` present), its members' files (of the members in `contributions`),
    the edition's own file (with `edition`) and the group's file; a translation file with
    an error (as `wgreport validate` checks it) is not used: its English prints, marked."""
    inputs = Inputs(inputs_dir)
    folder = inputs.edition(year)
    editorial = {}
    for name in names:
        path = folder.file_in(name, lang)
        try:
            translated = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        try:
            english: str | None = folder.file(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            english = None
        if editorial_state(name, english, translated) != OUTDATED:
            editorial[name] = printed_text(translated)  # outdated: the English, marked
    members: dict[str, TranslationFile] = {}
    reports: list[FileReport] = []
    shown = inputs.shown
    for code, contribution in contributions.items():
        path = folder.translation(lang, code)
        if path.is_file():
            place = TranslationPlace(lang, code, year)
            sources = source_fields(contribution)
            model, report = validate_translation(path, place, wg, sources, shown(path))
            reports.append(report)
            if model is not None:
                members[code] = model
    group_path = inputs.group_translation(lang)
    group = None
    if group_path.is_file():
        place = TranslationPlace(lang)
        group, report = validate_translation(
            group_path, place, wg, group_fields(wg), shown(group_path)
        )
        reports.append(report)
    edition_file = None
    if edition is not None and folder.edition_translation(lang).is_file():
        path = folder.edition_translation(lang)
        place = TranslationPlace(lang, None, year, edition=True)
        edition_file, report = validate_translation(
            path, place, wg, edition_fields(edition), shown(path)
        )
        reports.append(report)
    return LanguageTexts(lang, editorial, members, group, edition_file, tuple(reports))


def load_translation(path: Path) -> TranslationFile | None:
    source = load_yaml(path)
    model = validate_model(source, TranslationFile)
    return model if not any(i.severity == "error" for i in source.issues) else None


def load_contribution(path: Path) -> Contribution | None:
    """A contribution's content as its model (None when it is absent or not valid): the
    sources a translation file is checked against."""
    if not path.is_file() or path.suffix != ".yaml":
        return None
    source = load_yaml(path)
    model = validate_model(source, Contribution)
    return model if not any(i.severity == "error" for i in source.issues) else None


# --- checking them -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TranslationPlace:
    """Where a translation file stands: its language folder, and for a member's file its
    code and the edition's year (from the path; the file's own lines must agree); for the
    edition's file (`edition`) its year."""

    lang: str
    member: str | None = None
    year: int | None = None
    edition: bool = False

    @property
    def what(self) -> str:
        """Whose texts the file translates, as a message names them."""
        if self.edition:
            return f"the {self.year} edition.yaml"
        return f"{self.member}'s contribution" if self.member else "working-group.yaml"


def validate_translation(
    path: Path,
    place: TranslationPlace,
    wg: WorkingGroup | None,
    sources: Mapping[str, str] | None,
    display: str | None = None,
) -> tuple[TranslationFile | None, FileReport]:
    """Check a translation file: its format, its language, member and year against its
    place, and each entry against the English it translates (`sources`: None when they
    could not be read, which a `checks-not-run` warning says)."""
    source = load_yaml(path, display)
    model = validate_model(source, TranslationFile)
    data = source.data if isinstance(source.data, dict) else {}
    _check_place(source, data, place, wg)
    texts = data.get("texts")
    if sources is None:
        source.issues.append(
            Issue(
                "warning",
                "checks-not-run",
                "the entries were not checked against the English: "
                + (
                    f"{place.member}'s contribution for {place.year} was not found or is not valid"
                    if place.member
                    else f"{place.what} was not found or is not valid"
                ),
                "",
                1,
                1,
                "check the contribution (wgreport validate) and this file again",
            )
        )
    elif isinstance(texts, dict):
        _check_entries(source, texts, sources, place)
    report = FileReport(source.display, place.member, source.issues)
    return (model if report.valid else None), report


def _check_place(
    source: Source, data: Mapping[str, Any], place: TranslationPlace, wg: WorkingGroup | None
) -> None:
    language = data.get("language")
    languages = translation_languages()
    if not place.lang:  # a copy outside translations/<lang>/ without a language line
        pass  # the format's missing-field says so
    elif place.lang not in languages:
        source.add("error", "invalid-choice",
                   f"'{place.lang}' is not a language the report can be built in",
                   ("language",),
                   hint=f"write one of the report's other languages: "
                        f"{', '.join(languages) or 'none shipped'} (a translation folder "
                        "is named by its language)")  # fmt: skip
    elif isinstance(language, str) and language != place.lang:
        source.add("error", "language-mismatch",
                   f"language '{language}' does not match the folder '{place.lang}'",
                   ("language",),
                   hint=f"write language: {place.lang}, or move the file to "
                        f"translations/{language}/")  # fmt: skip
    member, year = data.get("member"), data.get("year")
    if place.edition:
        _check_edition_place(source, data, place)
        return
    if place.member is None:
        for key in ("member", "year"):
            if key in data:
                source.add("error", "unknown-key",
                           f"'{key}' is not a field of the group's translation file",
                           (key,), hint="remove the line", key=True)  # fmt: skip
        return
    codes = [m.code for m in wg.members] if wg is not None else None
    if "member" not in data:
        source.add("error", "missing-field", "'member' is required here", ("member",),
                   hint=f"write member: {place.member}",
                   at=source.locate_missing(("member",)))  # fmt: skip
    elif isinstance(member, str) and member != place.member:
        source.add("error", "member-mismatch",
                   f"member '{member}' does not match the file name '{place.member}'",
                   ("member",),
                   hint=f"name the file {member}.yaml, or write "
                        f"member: {place.member}")  # fmt: skip
    elif codes is not None and place.member not in codes:
        source.add("error", "unknown-member",
                   f"'{place.member}' is not a member of this working group", ("member",),
                   hint=did_you_mean(place.member, codes))  # fmt: skip
    if "year" not in data:
        source.add("error", "missing-field", "'year' is required here", ("year",),
                   hint=f"write year: {place.year}",
                   at=source.locate_missing(("year",)))  # fmt: skip
    elif is_int(year) and place.year is not None and year != place.year:
        source.add("error", "year-mismatch",
                   f"year {year} does not match the edition folder '{place.year}'", ("year",),
                   hint=f"write year: {place.year}, or move the file to "
                        f"inputs/{year}/translations/{place.lang}/")  # fmt: skip


def _check_edition_place(source: Source, data: Mapping[str, Any], place: TranslationPlace) -> None:
    """The edition's file names no member, and its year (if written) is its folder's."""
    year = data.get("year")
    if "member" in data:
        source.add("error", "unknown-key",
                   "'member' is not a field of the edition's translation file", ("member",),
                   hint="remove the line (a member's texts go in <CODE>.yaml)",
                   key=True)  # fmt: skip
    if is_int(year) and place.year is not None and year != place.year:
        source.add("error", "year-mismatch",
                   f"year {year} does not match the edition folder '{place.year}'", ("year",),
                   hint=f"write year: {place.year}, or move the file to "
                        f"inputs/{year}/translations/{place.lang}/")  # fmt: skip


def _check_entries(
    source: Source, texts: Mapping[Any, Any], sources: Mapping[str, str], place: TranslationPlace
) -> None:
    what = place.what
    for key, entry in texts.items():
        where = ("texts", key)
        english = sources.get(str(key))
        if english is None:
            source.add("error", "unknown-translated-field",
                       f"'{key}' is not a text of {what} to translate", where,
                       hint=did_you_mean(str(key), list(sources))
                       or "`wgreport translations export` lists the fields",
                       key=True)  # fmt: skip
            continue
        text = entry.get("text") if isinstance(entry, dict) else None
        if isinstance(text, str):
            _check_length(source, (*where, "text"), str(key), text)
        written = entry.get("source_sha256") if isinstance(entry, dict) else None
        if isinstance(written, str) and len(written) == 64 and written != digest(english):
            source.add("warning", "translation-outdated",
                       f"the English of '{key}' changed since it was translated: the report "
                       "prints the English in its place, marked", (*where, "source_sha256"),
                       hint="update the translation, then its digest (`wgreport translations "
                            "export`, then `import`, does both)")  # fmt: skip


def _check_length(source: Source, where: tuple[Any, ...], key: str, text: str) -> None:
    """A translation over its English field's limit, or Markdown over its limits (tables,
    nesting): the same limits the English has (docs/limits.md)."""
    limit, markdown = field_limit(key)
    if len(text) > limit:
        code = "markdown-too-large" if markdown else "text-too-long"
        source.add("error", code,
                   f"the translation of '{key}' has {len(text):,} characters; at most "
                   f"{limit:,} are allowed (the English field's limit)", where,
                   hint=limits.text_too_long_hint(limit, len(text)))  # fmt: skip
        return
    if markdown:
        for problem in limits.markdown_problems(text):
            source.add("error", problem.code, problem.message, where, hint=problem.hint)
