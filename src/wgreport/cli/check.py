"""`wgreport check --final`: the preflight of a final, every problem at once; and the
override options `build --final` shares with it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from .formats import ReportFormat
from .options import DefaultYearOption, InputsOption, OutputsOption, edition_year

AllowPlaceholdersOption = Annotated[
    bool,
    typer.Option(
        "--allow-placeholders",
        help="With --final: publish although placeholder text (TODO, TBD, XXX, Lorem ipsum, "
        "the templates' text) is left in an editorial file or a contribution.",
    ),
]
AllowFrontMatterOption = Annotated[
    bool,
    typer.Option(
        "--allow-incomplete-front-matter",
        help="With --final: publish without a foreword, its signatory, the approval or the "
        "publication date.",
    ),
]
AllowDatesOption = Annotated[
    bool,
    typer.Option(
        "--allow-dates",
        help="With --final: publish although the dates do not agree (publication before the "
        "deadline or the data cut-off, or over 90 days ahead; approval after publication; "
        "sources' access dates carried over).",
    ),
]
AllowLateSourcesOption = Annotated[
    bool,
    typer.Option(
        "--allow-late-sources",
        help="With --final: publish although a source was accessed, or a reference value "
        "published, after the data cut-off.",
    ),
]
AllowExampleLinksOption = Annotated[
    bool,
    typer.Option(
        "--allow-example-links",
        help="With --final: publish although links lead to example addresses (example.com, "
        "*.test, localhost, a host named 'example').",
    ),
]
AllowUnconfirmedOption = Annotated[
    bool,
    typer.Option(
        "--allow-unconfirmed",
        help="With --final: publish although members have not confirmed the content of their "
        "chapter in country validation (wgreport validation status).",
    ),
]
AllowMissingOption = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-missing",
        metavar="CODE",
        help="With --final: publish without this member (repeatable, or a comma list: "
        "NZ,PT). Recorded in the manifest and stated in the report.",
    ),
]


def allowed_missing(values: list[str] | None) -> list[str]:
    """The member codes of `--allow-missing`, repeated or as comma lists (`NZ,PT`), in
    capitals, each once."""
    codes = [c.strip().upper() for value in values or [] for c in value.split(",")]
    return list(dict.fromkeys(c for c in codes if c))


AllowOpenCommentsOption = Annotated[
    bool,
    typer.Option(
        "--allow-open-comments",
        help="With --final: publish although review comments are still open (recorded in "
        "the manifest). Without it, a final is refused until every comment is resolved.",
    ),
]


def override_names(
    placeholders: bool,
    front_matter: bool,
    dates: bool,
    late_sources: bool,
    example_links: bool,
    unconfirmed: bool = False,
) -> list[str]:
    """The preflight's checks the options let through, by name (build/preflight.py)."""
    chosen = {
        "placeholders": placeholders,
        "front-matter": front_matter,
        "dates": dates,
        "late-sources": late_sources,
        "example-links": example_links,
        "unconfirmed": unconfirmed,
    }
    return [name for name, on in chosen.items() if on]


def check(
    final: Annotated[
        bool,
        typer.Option("--final", help="Check what a final needs (the only check for now)."),
    ] = False,
    year: DefaultYearOption = None,
    allow_placeholders: AllowPlaceholdersOption = False,
    allow_front_matter: AllowFrontMatterOption = False,
    allow_dates: AllowDatesOption = False,
    allow_late_sources: AllowLateSourcesOption = False,
    allow_example_links: AllowExampleLinksOption = False,
    allow_unconfirmed: AllowUnconfirmedOption = False,
    allow_missing: AllowMissingOption = None,
    allow_open_comments: AllowOpenCommentsOption = False,
    inputs: InputsOption = None,
    outputs: OutputsOption = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="text (default) or json.")
    ] = ReportFormat.text,
) -> None:
    """The preflight of a final: every problem that would refuse `build --final`, at once,
    grouped by check, each with its file, line and what to do, and the flag that overrides
    its check. The same options as `build --final` say what to let through.

    Exit status: 0 when the final may be built, 1 when a problem is left, 2 for a usage
    error.
    """
    from ..build.plan import request_overrides
    from ..build.preflight import PrintedFacts, preflight
    from ..errors import FinalRefused, InputsError
    from ..inputs.edition import find_edition_files
    from ..runtime.install import missing_build_extra
    from ..runtime.settings import get_settings
    from ..terminal import fail_usage, printable

    if not final:
        raise fail_usage("say what to check: wgreport check --final [--year YEAR]")
    settings = get_settings(inputs, outputs)
    names = override_names(
        allow_placeholders, allow_front_matter, allow_dates, allow_late_sources,
        allow_example_links, allow_unconfirmed,
    )  # fmt: skip
    overrides = request_overrides(names, allowed_missing(allow_missing), allow_open_comments)
    try:
        year = edition_year(year, settings.inputs_dir, settings.outputs_dir)
        find_edition_files(settings.inputs_dir, year)
        # a cited fact that prints "n/a" is a warning, where the build extra can compute
        # the facts (on the light install the checks run without it)
        printed_facts: PrintedFacts | None = None
        if not missing_build_extra("wgreport check --final"):
            from ..build import pipeline

            printed_facts = pipeline.printed_facts
        result = preflight(
            settings.inputs_dir, settings.outputs_dir, year, overrides,
            printed_facts=printed_facts,
        )  # fmt: skip
    except (InputsError, FinalRefused) as exc:
        raise fail_usage(str(exc)) from None
    if output_format is ReportFormat.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        for line in result.lines():
            typer.echo(printable(line, multiline=False))
    raise typer.Exit(code=0 if result.ok else 1)
