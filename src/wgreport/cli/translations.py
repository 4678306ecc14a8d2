"""`wgreport translations …`: what people wrote, in another language (issue 42).

`status` says, per member (and for the editorial files and the group's file), how many texts
are translated, missing or outdated; `export` writes them as a PO file for translators'
tools, and `import` writes a translated PO file back into the translation files
(`inputs/<year>/translations/<lang>/<CODE>.yaml`, `inputs/translations/<lang>/group.yaml`),
never into a contribution. Format: docs/translators-guide.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .formats import ReportFormat
from .options import DefaultYearOption, InputsOption, edition_year, member_code_option

translations_app = typer.Typer(
    help="Translations of members' texts and the editorial files: status, export, import.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

LangOption = Annotated[
    str, typer.Option("--lang", metavar="LANG", help="The language of the translation, e.g. ko.")
]


def _language(lang: str) -> str:
    from ..errors import UsageError
    from ..inputs.translations import translation_languages

    languages = translation_languages()
    if lang not in languages:
        raise UsageError(
            f"'{lang}' is not a language the report is translated into; the languages are "
            f"{', '.join(languages) or 'none'} (a new language is a catalogue: the README's "
            "'Languages')"
        )
    return lang


def _fail(exc: Exception, code: int = 2) -> typer.Exit:
    from ..terminal import printable

    typer.echo(f"wgreport: {printable(str(exc))}", err=True)
    return typer.Exit(code=code)


@translations_app.command("status")
def status_command(
    lang: LangOption,
    year: DefaultYearOption = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="text, or json for tools.")
    ] = ReportFormat.text,
    inputs: InputsOption = None,
) -> None:
    """Per member, the editorial files and the group's file: texts translated, missing and
    outdated (their English changed since). Exit 0, or 1 when a translation is outdated."""
    from ..errors import UsageError
    from ..inputs.translation_exchange import read_edition, status_json, status_rows, status_text
    from ..runtime.settings import get_settings

    settings = get_settings(inputs, None)
    try:
        chosen = edition_year(year, settings.inputs_dir, settings.outputs_dir)
        found = read_edition(settings.inputs_dir, chosen, _language(lang))
    except UsageError as exc:
        raise _fail(exc) from exc
    rows = status_rows(found)
    if output_format is ReportFormat.json:
        typer.echo(status_json(found, rows), nl=False)
    else:
        from ..terminal import printable

        typer.echo(printable(status_text(found, rows)))
    if any(r["outdated"] for r in rows):
        raise typer.Exit(code=1)


@translations_app.command("export")
def export_command(
    lang: LangOption,
    out: Annotated[Path, typer.Option("--out", help="The PO file to write.")],
    member: Annotated[
        str | None,
        typer.Option(
            "--member", callback=member_code_option, help="Only this member's texts, e.g. KR."
        ),
    ] = None,
    year: DefaultYearOption = None,
    inputs: InputsOption = None,
) -> None:
    """Write the texts to translate as a PO file (msgctxt: member and field, msgid: the
    English, msgstr: the translation so far; an outdated one marked fuzzy)."""
    from ..errors import UsageError
    from ..inputs.translation_exchange import export_po, read_edition
    from ..runtime.settings import get_settings

    settings = get_settings(inputs, None)
    try:
        chosen = edition_year(year, settings.inputs_dir, settings.outputs_dir)
        found = read_edition(settings.inputs_dir, chosen, _language(lang), member)
    except UsageError as exc:
        raise _fail(exc) from exc
    data = export_po(found)
    out.write_bytes(data)
    count = sum(len(p.sources) for p in found.parts)
    typer.echo(
        f"Wrote {out}: {count} texts of {len(found.parts)} file(s) to translate into {lang}."
    )


@translations_app.command("import")
def import_command(
    po: Annotated[
        Path,
        typer.Argument(
            help="The translated PO file; or a translated editorial file (foreword.ko.md)."
        ),
    ],
    lang: LangOption,
    year: DefaultYearOption = None,
    inputs: InputsOption = None,
) -> None:
    """Write a translated PO file into the translation files, each entry's digest computed
    from the English as it is now; an entry whose English changed since is refused. Exit 0,
    or 1 when an entry was refused (the others are written). A translated editorial file
    (foreword.ko.md) is written into the edition's folder with its first line saying it
    translates the English file as it is now, so that a change of the English marks it
    outdated."""
    from ..errors import UsageError
    from ..inputs.translation_exchange import import_editorial, import_po, read_edition
    from ..runtime.settings import get_settings
    from ..terminal import printable

    settings = get_settings(inputs, None)
    try:
        chosen = edition_year(year, settings.inputs_dir, settings.outputs_dir)
        found = read_edition(settings.inputs_dir, chosen, _language(lang))
        if po.suffix == ".md":
            target, name = import_editorial(found, po)
            typer.echo(printable(f"{found.inputs.shown(target)}: translates {name} as it is "
                                 "now (its first line says so)"))  # fmt: skip
            return
        result = import_po(found, po)
    except UsageError as exc:
        raise _fail(exc) from exc
    for name, count in result.written.items():
        typer.echo(f"{name}: {count} translation(s) imported")
    for line in result.skipped:
        typer.echo(printable(f"skipped {line}"))
    for line in result.refused:
        typer.echo(printable(f"refused {line}"), err=True)
    if not result.written and not result.refused:
        typer.echo("Nothing to import: no translated, checked message in the file.")
    if result.refused:
        raise typer.Exit(code=1)
