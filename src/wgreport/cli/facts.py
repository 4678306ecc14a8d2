"""`wgreport facts`: every fact the secretariat's prose can cite (`{{ fact-id }}`), with the
value as the report prints it and where it comes from."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from .formats import ReportFormat
from .options import DefaultYearOption, InputsOption, edition_year, require_build


def facts(
    year: DefaultYearOption = None,
    inputs: InputsOption = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="text (default) or json.")
    ] = ReportFormat.text,
) -> None:
    """List every fact of an edition: its id (for {{ fact-id }} in the foreword and the
    editorial chapters), the value as the report prints it, and its source. JSON: a list
    of objects with id, printed, value and source."""
    from ..errors import InputsError
    from ..runtime.settings import get_settings
    from ..terminal import fail_usage, printable

    require_build("wgreport facts")
    from ..build.pipeline import EditionRead, compute_frames, load_previous
    from ..content.facts import compute_facts
    from ..inputs.edition import load_edition_inputs

    settings = get_settings(inputs)
    year = edition_year(year, settings.inputs_dir, settings.outputs_dir)
    try:
        loaded = load_edition_inputs(settings.inputs_dir, year)
    except InputsError as exc:
        raise fail_usage(str(exc)) from None
    previous_year, previous = load_previous(loaded)
    _, frames = compute_frames(loaded, EditionRead(previous_year, previous))
    found = compute_facts(loaded.working_group, frames, year, previous_year)
    if output_format is ReportFormat.json:
        typer.echo(json.dumps([f.to_dict() for f in found], indent=2, ensure_ascii=False))
        return
    width = max(len(f.id) for f in found)
    printed = max(len(f.printed) for f in found if len(f.printed) <= 24)
    typer.echo(f"{len(found)} facts of the {year} edition ({{{{ id }}}} in editorial text):")
    for f in found:
        line = f"{f.id:<{width}}  {f.printed:<{printed}}  {f.source}"
        typer.echo(printable(line, multiline=False))
