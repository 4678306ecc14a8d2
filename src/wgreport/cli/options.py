"""The command-line options that several `wgreport` commands share, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

InputsOption = Annotated[
    Path | None,
    typer.Option("--inputs", help="The inputs folder (default: inputs/, or $WGREPORT_INPUTS)."),
]
OutputsOption = Annotated[
    Path | None,
    typer.Option("--outputs", help="The outputs folder (default: outputs/, or $WGREPORT_OUTPUTS)."),
]
