"""The report's message catalogues: one gettext catalogue per language (Babel).

The report's chrome (headings, labels, table headers, the front matter's lines) is written
in English in the templates and marked for translation (`{% trans %}`, `_()`); `pybabel
extract` (babel.cfg) collects it into `locale/messages.pot`, and each language's translators
fill `locale/<lang>/LC_MESSAGES/messages.po` (`pybabel update` merges a new template in).
The `.po` files are the only files kept: they are compiled here, in the process, when a
language is first used, so no binary `.mo` is committed or has to be made by hand.

English is the language the messages are written in: it needs no catalogue, and its
translations are the identity, so the English report is the templates' own text.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import functools
import gettext as _gettext
import io
from collections.abc import Iterator

from .locales import (
    DOMAIN,
    LOCALE_DIR,
    REGION_TAGS,
    SOURCE_LANGUAGE,
    catalogue_path,
    check_language,
    shipped_languages,
    template_path,
)

#: What the rest of wgreport imports from here (the catalogues' places from .locales too).
__all__ = [
    "DOMAIN",
    "LOCALE_DIR",
    "REGION_TAGS",
    "SOURCE_LANGUAGE",
    "autonym",
    "catalogue_path",
    "check_language",
    "current_language",
    "gettext",
    "language",
    "long_date",
    "ngettext",
    "shipped_languages",
    "template_path",
    "translations",
]


@functools.lru_cache(maxsize=8)
def translations(lang: str) -> _gettext.NullTranslations:
    """The messages of `lang`, compiled from its `.po` in memory (fuzzy entries left out,
    as msgfmt does); for English, the identity."""
    if check_language(lang) == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalogue_path(lang).open("rb") as po:
        catalogue = read_po(po, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


# --- the language the report's text is being written in -------------------------------------

_LANGUAGE: contextvars.ContextVar[str] = contextvars.ContextVar(
    "wgreport_language", default=SOURCE_LANGUAGE
)


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """Within it, the report's text computed in Python (headings, sentences, dates) is
    written in `lang`: `gettext`, `ngettext` and `long_date` follow it. The build makes
    each language's context inside one (build.steps.make_report_context)."""
    token = _LANGUAGE.set(check_language(lang))
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def current_language() -> str:
    return _LANGUAGE.get()


def gettext(message: str) -> str:
    """`message` in the current language (English: itself)."""
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of `singular`/`plural` for `n` in the current language."""
    return translations(current_language()).ngettext(singular, plural, n)


def long_date(day: datetime.date) -> str | None:
    """A date as running text writes it in the current language, by Babel's locale data
    (Korean: 2025년 3월 31일); None in English, whose report keeps its own form."""
    lang = current_language()
    if lang == SOURCE_LANGUAGE:
        return None
    from babel.dates import format_date

    return format_date(day, format="long", locale=lang)


def autonym(lang: str) -> str:
    """A language's name in itself, by Babel's locale data (English, 한국어): what a
    language switch offers."""
    from babel import Locale

    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]
