"""Members' names in the report's language: a country's name comes from Babel's territory
names (CLDR), by the member's ISO 3166-1 code (`GB` → 영국 in Korean), so that no
translator has to spell the group's ten countries. English keeps the group's own names
(working-group.yaml: "Republic of Korea", short name "Korea"). Pure: no I/O."""

from __future__ import annotations

from ..i18n import SOURCE_LANGUAGE, current_language
from ..inputs.models import WorkingGroup


def country_name(code: str, lang: str) -> str | None:
    """The country of `code` as `lang` names it (Babel's territory names); None when Babel
    does not know the code."""
    from babel import Locale

    return Locale.parse(lang).territories.get(code.upper())


def localised_group(wg: WorkingGroup, lang: str | None = None) -> WorkingGroup:
    """The group with each member's name and short name in `lang` (by default the report's
    language): the group itself in English, or for a code Babel does not know."""
    lang = lang or current_language()
    if lang == SOURCE_LANGUAGE:
        return wg
    members = []
    for member in wg.members:
        name = country_name(member.code, lang)
        members.append(
            member.model_copy(update={"name": name, "short_name": None}) if name else member
        )
    return wg.model_copy(update={"members": members})
