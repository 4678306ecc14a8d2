"""Which languages the report can be written in, and where their catalogues are: standard
library only, so that `wgreport validate` can check an edition's `languages` without
Babel (wgreport.i18n compiles and uses the catalogues)."""

from __future__ import annotations

from pathlib import Path

from .errors import UsageError

#: The folder of the catalogues: `messages.pot` and `<lang>/LC_MESSAGES/messages.po`.
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
#: The language the messages are written in (the templates' and the code's own text).
SOURCE_LANGUAGE = "en"
#: Each language's tag in the PDF (/Lang) and the locale Babel formats its dates with.
REGION_TAGS = {"en": "en-GB", "ko": "ko-KR"}


def N_(message: str) -> str:
    """Marks `message` for the catalogue (babel.cfg's extraction knows `N_`) where it is
    defined, standard library only; it is translated where it is printed (`gettext`)."""
    return message


def template_path() -> Path:
    """The extracted template every catalogue is made from."""
    return LOCALE_DIR / f"{DOMAIN}.pot"


def catalogue_path(lang: str) -> Path:
    """The translators' file of a language."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def shipped_languages() -> list[str]:
    """Every language the report can be built in: English and each catalogue shipped."""
    found = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return sorted({SOURCE_LANGUAGE, *found})


def check_language(lang: str) -> str:
    """`lang` when the report can be built in it; a usage error naming the languages
    shipped otherwise. English is asked of no file (the context step reads none)."""
    if lang == SOURCE_LANGUAGE:
        return lang
    languages = shipped_languages()
    if lang not in languages:
        raise UsageError(
            f"no catalogue for the language {lang!r}; the report can be built in "
            f"{', '.join(languages)} (a new language is a catalogue: see the README's "
            "'Languages')"
        )
    return lang
