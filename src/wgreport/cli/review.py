"""The commands of the review year on the command line: who has submitted (`status`),
the comment-resolution table (`comments`) and what changed between two drafts (`diff`)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from ..layout import Outputs
from ..terminal import fail_usage as _fail_usage
from ..terminal import print_comment_table, print_status_table, print_text_report, printable
from .formats import ReportFormat, TableFormat
from .options import DefaultYearOption, InputsOption, OutputsOption, edition_year, require_build


def diff(
    older: Annotated[
        str, typer.Argument(help="A draft number (3 or 003), 'latest' (the newest) or 'final'.")
    ],
    newer: Annotated[str, typer.Argument(help="A later draft number, 'latest' or 'final'.")],
    year: DefaultYearOption = None,
    outputs: OutputsOption = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="text (default) or json.")
    ] = ReportFormat.text,
) -> None:
    """What changed between two drafts: contributions, initiatives, statuses, values, and
    the members' texts word by word ([-deleted-]{+inserted+})."""
    from ..review.draftdiff import changes_lines, compare_drafts, resolve_draft, words_lines
    from ..runtime.settings import get_settings

    settings = get_settings(None, outputs)
    year = edition_year(year, settings.inputs_dir, settings.outputs_dir)
    year_dir = Outputs(settings.outputs_dir).year(year).folder
    try:
        changes = compare_drafts(resolve_draft(year_dir, older), resolve_draft(year_dir, newer))
    except ValueError as exc:
        raise _fail_usage(str(exc)) from None
    if output_format is ReportFormat.json:
        typer.echo(json.dumps(changes.to_dict(), indent=2, ensure_ascii=False))
        return
    typer.echo(f"Changes from draft {changes.older} to {changes.newer} ({year}):")
    for line in changes_lines(changes) or ["nothing"]:
        typer.echo(f"  {printable(line, multiline=False)}")
    words = words_lines(changes)
    if words:
        typer.echo("Texts changed, in words ([-deleted-]{+inserted+}):")
    for line in words:
        typer.echo(f"  {printable(line, multiline=False)}")


def status(
    year: DefaultYearOption = None,
    inputs: InputsOption = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="text (default) or json.")
    ] = ReportFormat.text,
    as_flow: Annotated[
        bool,
        typer.Option(
            "--flow", help="Run as the Prefect flow collect-status (records a status artifact)."
        ),
    ] = False,
) -> None:
    """Show who has submitted: one row per expected member, with validity and lateness.

    Exit status: 0, or 1 when an expected member has submitted nothing and the deadline has
    passed (overdue); 2 for a usage error.
    """
    from ..errors import InputsError
    from ..inputs.edition import find_edition_files
    from ..review.status import submission_status
    from ..runtime.settings import configure_prefect_environment, get_settings

    settings = get_settings(inputs)
    year = edition_year(year, settings.inputs_dir, settings.outputs_dir)
    try:
        if as_flow:
            require_build("wgreport status --flow")
            find_edition_files(settings.inputs_dir, year)  # a usage error, before Prefect starts
            configure_prefect_environment(settings, temporary_server=True)
            from ..flows.annual_report import collect_status

            report = collect_status(year=year, inputs_dir=str(settings.inputs_dir), remind=False)
        else:
            report = submission_status(settings.inputs_dir, year)
    except InputsError as exc:
        raise _fail_usage(str(exc)) from None
    rows = report.members
    # Exit 1 when an expected member has sent nothing after the deadline: a script (or the
    # secretariat's weekly job) sees who to chase.
    exit_code = 1 if report.overdue else 0
    if output_format is ReportFormat.json:
        typer.echo(json.dumps({"year": year, "members": rows}, indent=2, ensure_ascii=False))
        raise typer.Exit(code=exit_code)
    print_status_table(rows, year, report.deadline)
    typer.echo(f"{report.valid} of {len(rows)} expected members have a valid contribution.")
    if report.overdue:
        typer.echo(
            f"Overdue (nothing submitted by the deadline {report.deadline}): "
            + printable(", ".join(report.overdue))
        )
    raise typer.Exit(code=exit_code)


def comments(
    year: DefaultYearOption = None,
    inputs: InputsOption = None,
    outputs: OutputsOption = None,
    output_format: Annotated[
        TableFormat, typer.Option("--format", help="text (default), json or csv.")
    ] = TableFormat.text,
    only: Annotated[
        str | None,
        typer.Option("--status", help="Show only comments with this status (e.g. open)."),
    ] = None,
) -> None:
    """Print the comment-resolution table of inputs/<year>/reviews/.

    Every reviewer's comments with the secretariat's response and status (and the number
    of replies after it, with the last one; JSON: the whole thread), after checking
    the review files (their issues are printed first, as by `wgreport validate`). The same
    table is written as comments.csv and comments.html next to every draft. Exit status: 0
    when every review file is valid, 1 when one has an error.
    """
    from ..errors import InputsError
    from ..inputs.comments import comment_record, comments_csv, edition_reviews, summarise
    from ..inputs.edition import find_edition_files
    from ..inputs.models import COMMENT_STATUSES
    from ..inputs.validation import load_working_group
    from ..runtime.settings import get_settings

    settings = get_settings(inputs, outputs)
    year = edition_year(year, settings.inputs_dir, settings.outputs_dir)
    if only is not None and only not in COMMENT_STATUSES:
        raise _fail_usage(f"--status must be one of {', '.join(COMMENT_STATUSES)}")
    try:
        files = find_edition_files(settings.inputs_dir, year)
    except InputsError as exc:
        raise _fail_usage(str(exc)) from None
    wg, _ = load_working_group(files.working_group, files.display(files.working_group))
    reviews = edition_reviews(
        files.edition.parent, wg, year, settings.outputs_dir, settings.inputs_dir.parent
    )
    rows = [r for r in reviews.rows if only is None or r.status == only]
    summary = summarise(reviews, wg)
    exit_code = 0 if reviews.report.valid else 1
    if output_format is TableFormat.csv:
        # Printed: control characters shown as escapes, as in the table (comments.csv keeps them).
        sys.stdout.write(printable(comments_csv(rows).decode("utf-8")))
        raise typer.Exit(code=exit_code)
    if output_format is TableFormat.json:
        payload = {
            "year": year,
            "summary": summary.model_dump(),
            "comments": [comment_record(r) for r in rows],
            "validation": reviews.report.to_dict(),
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        raise typer.Exit(code=exit_code)
    if any(f.issues for f in reviews.report.files):
        print_text_report(reviews.report)
        typer.echo("")
    print_comment_table(rows, year, summary)
    raise typer.Exit(code=exit_code)
