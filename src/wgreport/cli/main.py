"""The `wgreport` command line: a thin layer over the library.

Member-facing commands (`validate`) import neither Prefect, WeasyPrint, pandas nor
matplotlib; `build` hands over to the Prefect flow in `wgreport.flows`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..inputs.issues import ValidationReport
from ..inputs.limits import check_year_option
from ..layout import Inputs
from ..terminal import fail_usage as _fail_usage
from ..terminal import (
    format_github,
    print_summary,
    print_text_report,
    printable,
    quiet_shutdown,
    rich_text,
    shown,
    stage_display,
    stderr_console,
)
from .check import (
    AllowDatesOption,
    AllowExampleLinksOption,
    AllowFrontMatterOption,
    AllowLateSourcesOption,
    AllowMissingOption,
    AllowOpenCommentsOption,
    AllowPlaceholdersOption,
    AllowUnconfirmedOption,
    allowed_missing,
    check,
    override_names,
)
from .edition import edition_app
from .facts import facts
from .formats import Format
from .notify import notify_app
from .options import (
    DefaultYearOption,
    InputsOption,
    MemberOption,
    OutputsOption,
    edition_year,
    require_build,
)
from .portal import portal_app
from .preview import preview
from .publish import publish
from .review import comments, diff, status
from .template import template
from .translations import translations_app
from .validation import validation_app

if TYPE_CHECKING:
    from ..runtime.settings import Settings

HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="wgreport",
    help="Build the annual report of the Digital Nations Digital Governance Working Group.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings=HELP_OPTIONS,
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"wgreport {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """Build the annual report of the Digital Nations Digital Governance Working Group."""


app.add_typer(edition_app, name="edition")
app.command("template")(template)
app.command("check")(check)
app.add_typer(portal_app, name="portal")
app.command("preview")(preview)
app.add_typer(validation_app, name="validation")
app.add_typer(translations_app, name="translations")
app.add_typer(notify_app, name="notify")
app.command("publish")(publish)
app.command("diff")(diff)
app.command("status")(status)
app.command("comments")(comments)
app.command("facts")(facts)


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to check (default: the newest edition)."),
    ] = None,
    inputs: InputsOption = None,
    output_format: Annotated[
        Format, typer.Option("--format", help="text (default), json or github.")
    ] = Format.text,
) -> None:
    """Check input files; every problem with its line, column, code and a hint.

    Exit status: 0 when every file is valid (warnings allowed), 1 when any file has an
    error, 2 for a usage error.
    """
    from ..errors import UsageError
    from ..inputs.validate_paths import validate_paths
    from ..runtime.settings import get_settings

    settings = get_settings(inputs)
    try:
        report = validate_paths(list(paths or []), settings.inputs_dir, settings.outputs_dir)
    except UsageError as exc:
        raise _fail_usage(str(exc)) from None
    if output_format is Format.json:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    elif output_format is Format.github:
        for line in format_github(report):
            typer.echo(line)
    else:
        print_text_report(report)
    raise typer.Exit(code=0 if report.valid else 1)


# The options of `wgreport build`.
YearOption = DefaultYearOption
FinalOption = Annotated[
    bool,
    typer.Option(
        "--final",
        help="Publish outputs/<year>/final/ (no draft mark, PDF/UA-1). Refused, before "
        "anything renders, while its preflight finds a problem (wgreport check --final "
        "lists them) that no --allow-… option lets through.",
    ),
]
SupersedeOption = Annotated[
    bool,
    typer.Option(
        "--supersede",
        help="With --final: replace an existing final, keeping it as final-superseded-<time>/.",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=0,
        help="Processes for a draft's PDF, one chapter each: 1 = one pass; 0 = auto "
        "(every core). Default: $WGREPORT_RENDER_WORKERS or 0.",
    ),
]
DaskAddressOption = Annotated[
    str | None,
    typer.Option(
        "--dask-address",
        metavar="tcp://HOST:8786",
        help="Validate and lay out a draft's chapters on this existing Dask cluster (its "
        "scheduler), one chapter per worker thread; replaces --workers for a draft. "
        "Default: $WGREPORT_DASK_ADDRESS, or none (this machine).",
    ),
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Also show Prefect's own log lines.")
]
LangOption = Annotated[
    list[str] | None,
    typer.Option(
        "--lang",
        metavar="LANG",
        help="Also write the report in this language (report.LANG.pdf and report.LANG.html "
        "beside the English files, in the same draft), e.g. ko; repeat for more.",
    ),
]


def _other_languages(lang: list[str] | None) -> tuple[str, ...]:
    """The languages `--lang` asks for besides English; a usage error for one without a
    catalogue."""
    from ..build.plan import report_languages
    from ..errors import WgreportError

    try:
        return report_languages(lang or ())[1:]
    except WgreportError as exc:
        raise _fail_usage(str(exc)) from None


@app.command()
def build(
    year: YearOption = None,
    final: FinalOption = False,
    allow_missing: AllowMissingOption = None,
    supersede: SupersedeOption = False,
    allow_open_comments: AllowOpenCommentsOption = False,
    allow_placeholders: AllowPlaceholdersOption = False,
    allow_front_matter: AllowFrontMatterOption = False,
    allow_dates: AllowDatesOption = False,
    allow_late_sources: AllowLateSourcesOption = False,
    allow_example_links: AllowExampleLinksOption = False,
    allow_unconfirmed: AllowUnconfirmedOption = False,
    inputs: InputsOption = None,
    outputs: OutputsOption = None,
    workers: WorkersOption = None,
    dask_address: DaskAddressOption = None,
    lang: LangOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Build a new numbered draft, or the final, with the Prefect flow (embedded server)."""
    require_build("wgreport build")
    from ..runtime.settings import get_settings

    settings = get_settings(inputs, outputs, workers, dask_address)
    _run_in_warm_builder(settings, verbose)  # exits when the warm builder ran the command
    from ..build.progress import reporting
    from ..build.steps import BuildRequest
    from ..errors import FinalExists, FinalRefused, WgreportError
    from ..flows.launch import BuildTerminated, build_with_prefect, lost_api

    allowed = allowed_missing(allow_missing)
    names = override_names(
        allow_placeholders, allow_front_matter, allow_dates, allow_late_sources,
        allow_example_links, allow_unconfirmed,
    )  # fmt: skip
    if (allowed or supersede or allow_open_comments or names) and not final:
        raise _fail_usage(
            "--allow-missing, --allow-open-comments, the other --allow-… options and "
            "--supersede apply only with --final"
        )
    year = _edition_to_build(year, settings)
    request = BuildRequest(year, final, tuple(allowed), supersede, allow_open_comments,
                           tuple(names), _other_languages(lang))  # fmt: skip
    console = stderr_console()
    console.print(
        f"Building {'the final' if final else 'a new draft'} of the {year} edition from "
        f"{shown(settings.inputs_dir)}",
        soft_wrap=True,
    )
    try:
        with stage_display(console) as show, reporting(show):
            result = build_with_prefect(settings, request, verbose=verbose)
    except WgreportError as exc:
        # A final refused (its preflight found problems, or a final exists) is no failure
        # of the build: say what it is.
        what = "final refused" if isinstance(exc, FinalRefused | FinalExists) else "build failed"
        console.print(f"[bold red]wgreport: {what}:[/] {rich_text(str(exc))}", soft_wrap=True)
        quiet_shutdown()
        raise typer.Exit(code=1) from None
    except BuildTerminated as exc:
        console.print(f"[bold red]wgreport: build interrupted:[/] {exc}", soft_wrap=True)
        quiet_shutdown()
        raise typer.Exit(code=128 + 15) from None
    except Exception:
        lost = lost_api()
        if lost:  # the Prefect server went away: say so, not its traceback, and do not
            # wait for Prefect's services to give up on it at exit (minutes)
            console.print(f"[bold red]wgreport: error:[/] {lost}", soft_wrap=True)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(1)
        console.print("[bold red]wgreport: build failed with an unexpected error:[/]")
        console.print_exception()
        quiet_shutdown()
        raise typer.Exit(code=1) from None
    print_summary(result.folder, result.manifest, year)
    quiet_shutdown()


def _edition_to_build(year: int | None, settings: Settings) -> int:
    """The year to build (the newest edition unless given); a usage error without one."""
    from ..errors import InputsError
    from ..inputs.edition import find_edition_files

    chosen = edition_year(year, settings.inputs_dir, settings.outputs_dir)
    try:
        find_edition_files(settings.inputs_dir, chosen)
    except InputsError as exc:
        raise _fail_usage(str(exc)) from None
    return chosen


def _run_in_warm_builder(settings: Settings, verbose: bool) -> None:
    """`wgreport build` started as a command on the embedded default (not --verbose): run
    by the warm builder of its Prefect home when one runs and accepts it (runtime/warm.py),
    then exit with its status; otherwise return, to build in this process."""
    from ..runtime import background, warm
    from ..runtime.settings import configure_prefect_environment, quiet_prefect_console

    started_as_build = sys.argv[1:2] == ["build"] and Path(sys.argv[0]).name in {
        "wgreport",
        "__main__.py",
    }
    if (
        verbose  # Prefect's console logging is set at its import: the builder's is quiet
        or not started_as_build  # in-process callers (tests, scripts) keep their process
        or settings.dask_address
        or os.environ.get("PREFECT_API_URL")
        or background.mode() != "background"
    ):
        return
    configure_prefect_environment(settings, temporary_server=True)
    quiet_prefect_console()  # as build_with_prefect does: the builder's Prefect is quiet
    code = warm.delegate(Path(os.environ["PREFECT_HOME"]), sys.argv[1:], dict(os.environ))
    if code is not None:
        raise typer.Exit(code)


@app.command()
def server(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port of the UI and API.")] = 4200,
) -> None:
    """Start a local Prefect server with its UI and serve prefect.yaml's deployments.

    Runs until interrupted (Ctrl-C). Scheduled runs (draft-weekly) and runs started from
    the UI execute in this process; their drafts land in outputs/ as with `build`.
    """
    require_build("wgreport server")
    import os

    from ..runtime.server import runner_deployments, server_home, start_server, wait_healthy
    from ..runtime.settings import configure_prefect_environment, get_settings

    settings = get_settings()
    configure_prefect_environment(settings, temporary_server=False)
    process, api_url = start_server(settings, host, port)
    try:
        wait_healthy(api_url, 180, process)
        os.environ["PREFECT_API_URL"] = api_url
        ui = api_url.removesuffix("/api")
        typer.echo(f"Prefect UI: {ui}")
        typer.echo(f"  server log: {shown(server_home(settings) / 'server.log')}")
        typer.echo("Serving the deployments of prefect.yaml; Ctrl-C stops both.")
        from prefect import serve

        serve(*runner_deployments(settings.root), print_starting_message=True)
    except RuntimeError as exc:
        typer.echo(f"wgreport: {exc}", err=True)
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        pass
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except Exception:
            process.kill()


@app.command()
def verify(
    folder: Annotated[
        Path, typer.Argument(help="A draft, final or published folder, e.g. outputs/2024/final.")
    ],
) -> None:
    """Check a draft, a final or a published bundle (a downloaded copy, say) against its
    SHA256SUMS (exit 0 when all match)."""
    from ..build.publish import verify_folder
    from ..errors import PublishError

    try:
        rows = verify_folder(folder)
    except PublishError as exc:
        raise _fail_usage(str(exc)) from None
    bad = [(name, result) for name, result in rows if result != "OK"]
    for name, result in rows:
        typer.echo(printable(f"{name}: {result}", multiline=False))
    if bad:
        typer.echo(f"{len(bad)} of {len(rows)} file(s) do not match SHA256SUMS", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"all {len(rows)} files match SHA256SUMS")


@app.command()
def new(
    member: MemberOption,
    year: Annotated[
        int, typer.Option("--year", callback=check_year_option, help="The edition year, e.g. 2025.")
    ],
    inputs: InputsOption = None,
) -> None:
    """Write a commented contribution skeleton to inputs/<year>/contributions/<CODE>.yaml.

    It fills in what is known (member, year, the catalogue's indicators with their units)
    and never overwrites an existing file. Its TODO placeholders fail validation with the
    code `not-filled-in` until they are replaced.
    """
    from ..inputs.skeleton import make_skeleton
    from ..inputs.suggest import did_you_mean
    from ..inputs.validation import load_working_group
    from ..runtime.settings import get_settings

    settings = get_settings(inputs)
    folders = Inputs(settings.inputs_dir)
    wg_path = folders.working_group
    if not wg_path.is_file():
        raise _fail_usage(f"no {wg_path.name} in {settings.inputs_dir}")
    wg, report = load_working_group(wg_path, shown(wg_path))
    if wg is None:
        print_text_report(ValidationReport([report]))
        raise typer.Exit(code=1)
    codes = [m.code for m in wg.members]
    if member not in codes:
        hint = did_you_mean(member, codes) or ""
        raise _fail_usage(f"'{member}' is not a member of the working group. {hint}".strip())
    if not folders.edition(year).settings.is_file():
        raise _fail_usage(
            f"there is no {year} edition in {shown(settings.inputs_dir)} yet (no "
            f"{year}/edition.yaml): check the year, or ask the secretariat to set it up "
            f"(wgreport edition new --year {year} --deadline YYYY-MM-DD)"
        )
    target = folders.edition(year).contribution(member)
    if target.exists():
        typer.echo(f"wgreport: {shown(target)} already exists; not overwriting it", err=True)
        raise typer.Exit(code=1)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as fh:
        fh.write(make_skeleton(wg, member, year))
    typer.echo(f"Wrote {shown(target)}")
    typer.echo(f"Fill in every TODO, then run: wgreport validate {shown(target)}")


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Option("--out", help="The folder to write the inputs tree to.")],
    members: Annotated[
        int, typer.Option("--members", help="How many invented members (1 to 676).")
    ] = 50,
    year: Annotated[
        int,
        typer.Option(
            "--year", callback=check_year_option, help="The newer edition; year - 1 is written too."
        ),
    ] = 2024,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 1,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty folder, replacing its working-group.yaml and the "
            "two edition folders (nothing else there is touched).",
        ),
    ] = False,
) -> None:
    """Write a synthetic, valid inputs tree (invented members, two editions) for scale tests.

    Build from it with --inputs, e.g. `wgreport build --year 2024 --inputs DIR --outputs
    OTHER`. The output depends only on the options: the same seed gives the same bytes.
    """
    from ..errors import DemoDataError
    from ..inputs.demodata import write_demo_inputs

    try:
        summary = write_demo_inputs(out, members, year, seed, force=force)
    except DemoDataError as exc:
        raise _fail_usage(str(exc)) from None
    first, last = summary.years
    typer.echo(
        f"Wrote {summary.files} files ({summary.bytes:,} bytes) to {shown(out)}: "
        f"{summary.members} members, editions {first} and {last}, "
        f"{summary.initiatives} initiatives, {summary.images} images, "
        f"{summary.csv_files} indicator CSV files"
    )
    typer.echo(f"Check it with: wgreport validate {shown(out)} --inputs {shown(out)}")


@app.command()
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder to write to (default: schemas/).")
    ] = None,
) -> None:
    """Write the JSON Schema of each input file kind (from the pydantic models) to schemas/.

    Editors that understand the `yaml-language-server` line at the top of a contribution
    then check the file while it is typed.
    """
    from ..inputs.schemas import write_schemas
    from ..runtime.settings import project_root

    for path in write_schemas(out or project_root() / "schemas"):
        typer.echo(f"Wrote {shown(path)}")


def main() -> None:  # pragma: no cover
    app(prog_name="wgreport")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
