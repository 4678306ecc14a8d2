"""The command-line options that several `wgreport` commands share, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..inputs.limits import check_year_option

InputsOption = Annotated[
    Path | None,
    typer.Option("--inputs", help="The inputs folder (default: inputs/, or $WGREPORT_INPUTS)."),
]
OutputsOption = Annotated[
    Path | None,
    typer.Option("--outputs", help="The outputs folder (default: outputs/, or $WGREPORT_OUTPUTS)."),
]


def member_code_option(value: str | None) -> str | None:
    """`--member kr` is `KR`: member codes are capital letters (ISO 3166-1 alpha-2)."""
    return value.strip().upper() if isinstance(value, str) else value


MemberOption = Annotated[
    str,
    typer.Option("--member", callback=member_code_option, help="The member code, e.g. KR."),
]
# `--year` where a command defaults it: `edition_year` then picks the edition and says why.
DefaultYearOption = Annotated[
    int | None,
    typer.Option(
        "--year",
        callback=check_year_option,
        help="The edition, e.g. 2025 (default: the one open or in review: the newest "
        "without a final; the command says which it chose).",
    ),
]


def edition_year(year: int | None, inputs_dir: Path, outputs_dir: Path) -> int:
    """`--year` as given; else the current edition (`review.cycle.current_edition`), saying
    on standard error which it chose and why. No edition at all is a usage error."""
    if year is not None:
        return year
    from ..errors import InputsError
    from ..review.cycle import current_edition
    from ..runtime.clock import build_time
    from ..terminal import fail_usage

    try:
        chosen, why = current_edition(inputs_dir, outputs_dir, build_time().date())
    except InputsError as exc:
        raise fail_usage(str(exc)) from None
    typer.echo(why, err=True)
    return chosen


def require_build(command: str) -> None:
    """A usage error when the build extra (Prefect, WeasyPrint…) is not installed."""
    from ..runtime.install import missing_build_extra
    from ..terminal import fail_usage

    problem = missing_build_extra(command)
    if problem:
        raise fail_usage(problem)
