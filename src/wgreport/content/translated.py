"""What people wrote, in the report's language (issue 42): the edition's inputs with each
current translation in place of its English (the foreword's and the chapters' files
`<name>.<lang>.md`, the members' translation files, the group's file), which parts print
translated, and which are left in English for the about chapter to name. A translation
whose English has changed since (outdated) is not used: the English prints, marked. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from ..i18n import gettext as _
from ..inputs.edition import LoadedEdition
from ..inputs.editiontexts import edition_fields, translate_edition
from ..inputs.translations import (
    LanguageTexts,
    coverage,
    group_fields,
    source_fields,
    translate_contribution,
    translate_group,
)


@dataclass(frozen=True)
class Applied:
    """The edition with its translations in place, and what they cover."""

    loaded: LoadedEdition
    foreword: str
    editorial: dict[str, str]
    #: the keys of the elements printed translated (ReportContext.translated)
    translated: list[str]
    #: the parts left in English, in the report's order (ReportContext.original_parts)
    original_parts: list[str]


def member_keys(code: str, texts: Mapping[str, str]) -> list[str]:
    """The keys of a member's elements that `texts` (field path → translation) translate:
    those its chapter marks with their language (summary, initiatives' titles,
    descriptions and outcomes, the case study's body)."""
    lower = code.lower()
    keys = []
    for path in texts:
        parts = path.split(".")
        if path == "summary":
            keys.append(f"member-{lower}/summary")
        elif path == "case_study.body":
            keys.append(f"member-{lower}/case-study")
        elif (
            parts[0] == "initiatives" and parts[-1] in ("title", "description") and len(parts) == 3
        ):
            keys.append(f"{lower}-{parts[1]}/{parts[2]}")
        elif parts[0] == "initiatives" and len(parts) == 4 and parts[2] == "outcomes":
            keys.append(f"{lower}-{parts[1]}/outcomes/{parts[3]}")
    return keys


def apply_translation(
    loaded: LoadedEdition, foreword: str, editorial: Mapping[str, str], texts: LanguageTexts
) -> Applied:
    """The edition as the report prints it in `texts.lang`."""
    edition = loaded.edition
    own = coverage(edition_fields(edition), texts.edition)
    translated = [f"edition/{path}" for path in own.current]
    if not edition.subtitle:  # the report's own words, in its language
        translated.append("edition/subtitle")
    parts = [_("The title, the cover and the headings")] if own.missing or own.outdated else []
    edition = translate_edition(edition, own.current)
    if edition.foreword and edition.foreword in texts.editorial:
        foreword = texts.editorial[edition.foreword]
        translated.append("foreword")
    elif foreword.strip():
        parts.append(_("Foreword"))
    chapters = dict(editorial)
    for chapter in edition.chapters:
        if chapter.file in texts.editorial:
            chapters[chapter.file] = texts.editorial[chapter.file]
            translated.append(f"chapter:{chapter.id}")
        elif chapters.get(chapter.file, "").strip():
            parts.append(chapter.title)
    wg = loaded.working_group
    contributions = {}
    for member in wg.members:
        contribution = loaded.contributions.get(member.code)
        if contribution is None:
            continue
        covered = coverage(source_fields(contribution), texts.members.get(member.code))
        contributions[member.code] = translate_contribution(contribution, covered.current)
        translated += member_keys(member.code, covered.current)
        if covered.missing or covered.outdated:
            parts.append(
                _("%(member)s (in part)") % {"member": member.label}
                if covered.current
                else member.label
            )
    group = translate_group(wg, coverage(group_fields(wg), texts.group).current)
    return Applied(
        loaded=dataclasses.replace(
            loaded,
            edition=edition,
            working_group=group,
            contributions=contributions,
        ),
        foreword=foreword,
        editorial=chapters,
        translated=translated,
        original_parts=parts,
    )
