"""`wgreport publish`: the public bundle of an edition's final, a static folder to serve."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..inputs.limits import check_year_option
from .options import InputsOption, OutputsOption


def publish(
    year: Annotated[
        int,
        typer.Option(
            "--year", callback=check_year_option, help="The edition whose final to publish."
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="The folder to write, new or empty (e.g. public/2024).", metavar="DIR"
        ),
    ],
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace an earlier bundle in DIR (only a bundle, nothing else)."
        ),
    ] = False,
    inputs: InputsOption = None,
    outputs: OutputsOption = None,
) -> None:
    """Write the public bundle of the final into DIR: index.html, the report as PDF and
    HTML, the data CSVs with their README, the licence and SHA256SUMS. Never the comments,
    validation report, reviewers' names, manifest or audit. Exit 2 when refused (nothing
    written)."""
    from ..errors import WgreportError
    from ..layout import Outputs
    from ..runtime.install import missing_build_extra
    from ..runtime.settings import get_settings
    from ..terminal import fail_usage, printable, shown

    problem = missing_build_extra("wgreport publish")
    if problem:
        raise fail_usage(problem)
    from ..build.bundle import publish_bundle

    settings = get_settings(inputs, outputs)
    try:
        bundle = publish_bundle(settings.inputs_dir, settings.outputs_dir, year, out, force=force)
    except WgreportError as exc:
        raise fail_usage(f"publish refused: {exc}") from None
    folder = shown(bundle.folder)
    typer.echo(
        printable(f"Published the final of {year} in {folder}/ ({len(bundle.files)} files):")
    )
    for name in bundle.files:
        typer.echo(printable(f"  {name}"))
    log = Outputs(settings.outputs_dir).year(year).publications
    typer.echo(printable(f"Recorded in {shown(log)}. Check a copy with: wgreport verify {folder}"))
    typer.echo(printable(f"Look at it in a browser: python -m http.server -d {folder} 8000"))
