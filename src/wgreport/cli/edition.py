"""`wgreport edition …`: the secretariat's commands for setting up a year's edition and
following it through the year (`edition status`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from ..inputs.limits import check_year_option
from ..layout import Inputs
from .formats import ReportFormat
from .options import DefaultYearOption, InputsOption, OutputsOption, edition_year

if TYPE_CHECKING:
    from ..review.cycle import EditionStage

edition_app = typer.Typer(
    help="Set up an edition and follow where it stands (the secretariat's commands).",
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


@edition_app.command("status")
def edition_status(
    year: DefaultYearOption = None,
    inputs: InputsOption = None,
    outputs: OutputsOption = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="text (default) or json.")
    ] = ReportFormat.text,
) -> None:
    """Where the edition stands: its stage, its dates, who has done what (members:
    submitted, valid, late, country validation; reviewers: comments open and answered) and
    the next steps as a checklist, each with the command or portal page to use."""
    import json

    from ..errors import InputsError
    from ..review.cycle import stage
    from ..runtime.clock import build_time
    from ..runtime.settings import get_settings
    from ..terminal import fail_usage

    settings = get_settings(inputs, outputs)
    year = edition_year(year, settings.inputs_dir, settings.outputs_dir)
    try:
        found = stage(settings.inputs_dir, settings.outputs_dir, year, build_time().date())
    except InputsError as exc:
        raise fail_usage(str(exc)) from None
    if output_format is ReportFormat.json:
        typer.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
        return
    for line in status_lines(found):
        typer.echo(line)


def status_lines(found: EditionStage) -> list[str]:
    """`edition status` as text."""
    from ..layout import draft_name
    from ..terminal import printable

    def day(value: dt.date | None) -> str:
        return value.isoformat() if value else "–"

    d = found.dates
    lines = [
        f"The {found.year} edition: {found.name} ({printable(found.reason, multiline=False)})",
        f"Dates: deadline {day(d.deadline)} · data cut-off {day(d.data_cutoff)} · approval "
        f"{day(d.approval)} · publication {day(d.publication)}",
    ]
    if found.round_draft is not None:
        lines.append(
            f"Country validation: round on draft {draft_name(found.round_draft)}, opened "
            f"{day(d.round_opened)}, due {day(d.round_due)}"
        )
    lines.append("Drafts: " + (", ".join(draft_name(n) for n in found.drafts) or "none yet"))
    if found.members:
        lines.append(f"Members ({len(found.members)}):")
        width = max(len(m.name) for m in found.members)
        for m in found.members:
            name = printable(m.name, multiline=False).ljust(width)
            lines.append(f"  {m.code}  {name}  {m.status:<27}  validation: {m.validation}")
    if found.reviewers:
        lines.append(f"Reviewers ({len(found.reviewers)}):")
        for r in found.reviewers:
            broken = "; the file has errors" if not r.valid else ""
            lines.append(
                f"  {printable(r.reviewer)} ({printable(r.name, multiline=False)}): "
                f"{r.open} open, {r.answered} answered{broken}"
            )
    lines.append("Next steps:")
    lines += [f"  [{'x' if s.done else ' '}] {printable(s.text)}" for s in found.checklist]
    return lines
