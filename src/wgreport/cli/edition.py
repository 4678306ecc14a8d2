"""`wgreport edition …`: the secretariat's commands for setting up a year's edition."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from ..inputs.limits import check_year_option
from ..layout import Inputs
from .options import InputsOption

edition_app = typer.Typer(
    help="Set up an edition (the secretariat's commands).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@edition_app.command("new")
def edition_new(
    year: Annotated[
        int, typer.Option("--year", callback=check_year_option, help="The new edition, e.g. 2025.")
    ],
    deadline: Annotated[
        dt.datetime,
        typer.Option("--deadline", formats=["%Y-%m-%d"], help="Contributions due, YYYY-MM-DD."),
    ],
    previous: Annotated[
        int | None,
        typer.Option(
            "--from",
            callback=check_year_option,
            help="The edition to start from (default: the newest one before --year).",
        ),
    ] = None,
    inputs: InputsOption = None,
) -> None:
    """Write inputs/<year>/edition.yaml, a foreword to write and contributions/, from the
    previous edition; print what to edit next. Never overwrites."""
    from ..errors import UsageError
    from ..inputs.edition_setup import new_edition
    from ..inputs.issues import ValidationReport
    from ..inputs.validation import load_edition, load_working_group
    from ..runtime.settings import get_settings
    from ..terminal import fail_usage, print_text_report, shown

    settings = get_settings(inputs)
    try:
        made = new_edition(settings.inputs_dir, year, deadline.date(), previous)
    except UsageError as exc:
        raise fail_usage(str(exc)) from None
    for path in made.written:
        typer.echo(f"Wrote {shown(path)}")
    source = f"from the {made.previous} edition" if made.previous else "as a first edition"
    typer.echo(f"The {year} edition is set up {source}. Next:")
    for number, step in enumerate(made.next_steps, start=1):
        typer.echo(f"  {number}. {step}")
    folders = Inputs(settings.inputs_dir)
    wg, _ = load_working_group(folders.working_group)
    edition_file = folders.edition(year).settings
    _, report = load_edition(edition_file, wg, year, shown(edition_file))
    if not report.valid:  # e.g. a first edition's placeholders: say so now
        print_text_report(ValidationReport([report]))
