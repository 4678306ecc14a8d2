"""The report's message catalogues as the tools see them: a fresh extraction of the
messages (babel.cfg) and the checks `make lint` and the tests run on the committed
template (`src/wgreport/locale/messages.pot`) and each shipped language's `.po`."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from wgreport.i18n import (
    DOMAIN,
    SOURCE_LANGUAGE,
    catalogue_path,
    shipped_languages,
    template_path,
)

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "babel.cfg"

TEMPLATE_HEADER = """\
# The messages of wgreport's report, in English: made by `scripts/catalogues extract` from
# the templates and the code (babel.cfg); never edited by hand. Translators work in
# src/wgreport/locale/<lang>/LC_MESSAGES/messages.po (see the README's "Languages")."""
LANGUAGE_HEADER = """\
# The messages of wgreport's report in {language}. Translate each msgstr; keep every
# %(name)s placeholder as it is. `scripts/catalogues extract` merges new messages in."""

#: gettext's calls, and N_(): a message marked where it is defined, translated where used
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}

#: A message's identity: its id (singular, plural) and context.
Key = tuple[str | tuple[str, ...], str | None]


def extract() -> Catalog:
    """The messages the templates and the code mark today, with where each is used."""
    with MAPPING.open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(MAPPING))  # type: ignore[no-untyped-call]
    catalogue = Catalog(
        project="wgreport", domain=DOMAIN, fuzzy=False, header_comment=TEMPLATE_HEADER
    )
    for path, line, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalogue.add(message, None, [(path, line)], auto_comments=comments, context=context)
    return catalogue


def keys(catalogue: Catalog) -> set[Key]:
    return {(m.id if isinstance(m.id, str) else tuple(m.id), m.context) for m in catalogue if m.id}


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale, domain=DOMAIN)


def write(path: Path, catalogue: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalogue, width=100, sort_output=False, ignore_obsolete=True)


def stale_template() -> list[str]:
    """What the committed template lacks or keeps beyond a fresh extraction."""
    if not template_path().is_file():
        return [f"{template_path().relative_to(ROOT)} is missing"]
    fresh, committed = keys(extract()), keys(read(template_path()))
    return [f"not in the template: {k[0]!r}" for k in sorted(fresh - committed, key=str)] + [
        f"no longer used: {k[0]!r}" for k in sorted(committed - fresh, key=str)
    ]


def missing_translations(lang: str) -> list[str]:
    """Each message of the template that `lang`'s catalogue does not translate (missing,
    empty or fuzzy), and each translation whose placeholders differ from its message's."""
    path = catalogue_path(lang)
    if not path.is_file():
        return [f"{path.relative_to(ROOT)} is missing"]
    catalogue = read(path, lang)
    problems: list[str] = []
    for message in read(template_path()):
        if not message.id:
            continue
        found = catalogue.get(message.id, context=message.context)
        strings = (
            []
            if found is None
            else list(found.string or ())
            if found.pluralizable
            else [found.string]
        )
        if found is None or found.fuzzy or not all(strings):
            state = "fuzzy" if found is not None and found.fuzzy else "not translated"
            problems.append(f"{lang}: {state}: {message.id!r}")
        elif _placeholders(found.id) != _placeholders(found.string):
            problems.append(
                f"{lang}: {message.id!r}: the translation's placeholders "
                f"{sorted(_placeholders(found.string))} are not the message's "
                f"{sorted(_placeholders(found.id))}"
            )
    return problems


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _placeholders(text: str | tuple[str, ...] | list[str] | None) -> set[str]:
    """The named placeholders (`%(name)s`) of a message or translation, all forms."""
    forms = [text] if isinstance(text, str) else list(text or ())
    return {name for form in forms for name in _PLACEHOLDER.findall(form)}


def problems() -> list[str]:
    """Every problem of the catalogues: a stale template, a language missing a message."""
    found = stale_template()
    for lang in shipped_languages():
        if lang != SOURCE_LANGUAGE:
            found += missing_translations(lang)
    return found


def update() -> None:
    """Extract the template again and merge it into every shipped language's catalogue
    (as `pybabel extract` and `pybabel update` do): new messages come in untranslated,
    changed ones fuzzy, and the ones no longer used are dropped."""
    template = extract()
    write(template_path(), template)
    for lang in shipped_languages():
        if lang == SOURCE_LANGUAGE:
            continue
        catalogue = read(catalogue_path(lang), lang)
        catalogue.update(template)
        write(catalogue_path(lang), catalogue)


def init(lang: str) -> None:
    """A new language's catalogue, every message untranslated (`pybabel init`)."""
    from babel.messages.catalog import Catalog as _Catalog

    path = catalogue_path(lang)
    if path.exists():
        raise SystemExit(f"{path.relative_to(ROOT)} exists already; update it with `extract`")
    template = read(template_path())
    catalogue = _Catalog(
        locale=lang,
        domain=DOMAIN,
        project="wgreport",
        fuzzy=False,
        header_comment=LANGUAGE_HEADER.format(language=lang),
    )
    catalogue.update(template)
    write(path, catalogue)
