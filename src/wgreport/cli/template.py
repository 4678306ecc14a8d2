"""`wgreport template`: a contribution as a spreadsheet, and back.

wgreport template --member KR --year 2025 --format xlsx       the skeleton as a workbook
wgreport template --from inputs/2024/contributions/KR.yaml --format xlsx   a file's content
wgreport template --from KR.xlsx --format yaml                a filled-in workbook as v1 YAML
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from ..inputs.limits import check_year_option
from ..layout import Inputs
from .options import InputsOption, member_code_option


class TemplateFormat(enum.StrEnum):
    xlsx = "xlsx"
    yaml = "yaml"


def template(
    output_format: Annotated[
        TemplateFormat, typer.Option("--format", help="xlsx (a workbook) or yaml.")
    ],
    member: Annotated[
        str | None,
        typer.Option(
            "--member",
            callback=member_code_option,
            help="The member code, e.g. KR (for a skeleton).",
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option("--year", callback=check_year_option, help="The edition year, e.g. 2025."),
    ] = None,
    source: Annotated[
        Path | None,
        typer.Option("--from", help="A contribution (.yaml or .xlsx) to convert instead."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write (default: CODE.xlsx or CODE.yaml).")
    ] = None,
    inputs: InputsOption = None,
) -> None:
    """Write a contribution as a workbook (one sheet per part, each value cell formatted
    for what it holds, required fields marked, drop-down lists for the catalogue's codes,
    instructions naming the member and the portal, $WGREPORT_PORTAL_URL), or a filled-in
    workbook as the v1 YAML; never overwrites. `wgreport validate` checks a workbook as it
    checks a YAML file."""
    from ..errors import WorkbookRefused
    from ..inputs.validation import load_working_group
    from ..inputs.workbook import read_workbook, skeleton_data, to_yaml, write_workbook
    from ..inputs.yamlsource import load_yaml
    from ..runtime.settings import get_settings
    from ..terminal import fail_usage, shown

    settings = get_settings(inputs)
    wg_path = Inputs(settings.inputs_dir).working_group
    wg = load_working_group(wg_path)[0] if wg_path.is_file() else None
    if source is None:
        if member is None or year is None or wg is None:
            raise fail_usage(
                "give --member and --year (and the inputs with working-group.yaml) for a "
                "skeleton, or --from FILE to convert a contribution"
            )
        if wg.member(member) is None:
            raise fail_usage(f"'{member}' is not a member of the working group")
        data = skeleton_data(wg, member, year)
        code = member
    elif not source.is_file():
        raise fail_usage(f"{source}: no such file")
    elif source.suffix.lower() == ".xlsx":
        try:
            found = read_workbook(source)
        except WorkbookRefused as refused:
            raise fail_usage(f"{source}: {refused}; run wgreport validate {source}") from None
        if found.problems:
            raise fail_usage(
                f"{source} is not a contribution workbook: run wgreport validate {source}"
            )
        data, code = found.data, source.stem
    else:
        loaded = load_yaml(source)
        if not isinstance(loaded.data, dict):
            raise fail_usage(f"{source} cannot be read: run wgreport validate {source}")
        data, code = loaded.data, source.stem
    target = out or Path(f"{code}.{output_format.value}")
    body = (
        write_workbook(data, wg, portal_url=settings.mail.portal_url)
        if output_format is TemplateFormat.xlsx
        else to_yaml(data).encode("utf-8")
    )
    try:
        with target.open("xb") as fh:  # never overwrites
            fh.write(body)
    except FileExistsError:
        raise fail_usage(f"{shown(target)} already exists; not overwriting it") from None
    typer.echo(f"Wrote {shown(target)}")
    typer.echo(f"Check it with: wgreport validate {shown(target)}")
