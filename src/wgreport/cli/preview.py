"""`wgreport preview`: the live preview of an edition for the people who write it."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .options import DefaultYearOption, InputsOption, OutputsOption, edition_year

if TYPE_CHECKING:
    from ..runtime.settings import Settings

#: What the preview needs besides the build: the portal's web server, and watchfiles.
LIVE_MODULES = ("starlette", "uvicorn", "watchfiles")


def missing_live_modules() -> str | None:
    """Why `wgreport preview` cannot run here, or None."""
    import importlib.util

    from ..runtime.install import missing_build_extra

    missing = [m for m in LIVE_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        return (
            f"wgreport preview needs {', '.join(missing)} (not installed): "
            "pip install 'wgreport[portal]'"
        )
    return missing_build_extra("wgreport preview")


def port_problem(host: str, port: int) -> str | None:
    """Why the preview cannot listen on `host`:`port`, in words, or None."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return f"--host {host}: no such address on this machine; use 127.0.0.1"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is in use (another preview, the portal or another "
                    f"program): stop it, or choose another port, e.g. --port {port + 1}"
                )
            return (
                f"cannot listen on {host}:{port}: {exc.strerror}; choose another --host or --port"
            )
    return None


#: The resource tracker's notice of the semaphores of a layout stopped mid-job (Ctrl-C):
#: it releases them itself; the notice is not the user's business.
TRACKER_NOTICE = "ignore::UserWarning:multiprocessing.resource_tracker"


def quiet_resource_tracker() -> None:
    """Keep the resource tracker's shutdown notice off the terminal (set before the
    tracker starts: it reads PYTHONWARNINGS when it starts)."""
    import os

    current = os.environ.get("PYTHONWARNINGS", "")
    if TRACKER_NOTICE not in current:
        os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [current, TRACKER_NOTICE]))


def _checked(
    year: int | None, inputs: Path | None, outputs: Path | None, lang: str, host: str, port: int
) -> tuple[Settings, int]:
    """The settings and the edition to preview, once what would stop the preview is
    ruled out (a language without a catalogue, the live modules missing, no such edition,
    the port in use): each a usage error saying what to do."""
    from ..errors import InputsError, UsageError
    from ..inputs.edition import find_edition_files
    from ..locales import check_language
    from ..runtime.settings import get_settings
    from ..terminal import fail_usage

    try:
        check_language(lang)
    except UsageError as exc:
        raise fail_usage(f"--lang {lang}: {exc}") from None
    problem = missing_live_modules()
    if problem:
        raise fail_usage(problem)
    settings = get_settings(inputs, outputs)
    chosen = edition_year(year, settings.inputs_dir, settings.outputs_dir)
    try:
        find_edition_files(settings.inputs_dir, chosen)
    except InputsError as exc:
        raise fail_usage(
            f"no {chosen} edition to preview: {exc}. Check --year and --inputs "
            f"(wgreport edition new --year {chosen} sets an edition up)"
        ) from None
    busy = port_problem(host, port)
    if busy:
        raise fail_usage(busy)
    return settings, chosen


def preview(
    year: DefaultYearOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    inputs: InputsOption = None,
    outputs: OutputsOption = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open the page in a web browser.")
    ] = False,
    no_pdf: Annotated[
        bool,
        typer.Option("--no-pdf", help="Only the HTML page: no PDF laid out in the background."),
    ] = False,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            metavar="LANG",
            help="Preview the report in this language (e.g. ko): its translations and "
            "translated editorial files as they are saved. Default: English.",
        ),
    ] = "en",
) -> None:
    """Serve a live preview of an edition: the report's page, made again on each save of
    an input, editorial file or template and reloaded in the browser, with the problems of
    the saved files over it; the changed chapters' PDF pages laid out in the background.
    Writes only outputs/<year>/preview/ (never a draft or a final). Ctrl-C stops it."""
    from ..terminal import printable, shown, stderr_console

    settings, chosen = _checked(year, inputs, outputs, lang, host, port)
    from ..i18n import autonym
    from ..live.rebuild import LiveBuilder
    from ..live.server import LiveSession, describe_build, serve

    quiet_resource_tracker()

    console = stderr_console()

    def say(line: str) -> None:
        console.print(printable(line), soft_wrap=True, markup=False)

    builder = LiveBuilder(settings, chosen, lang)
    session = LiveSession(builder, pdf=not no_pdf, say=say)
    with console.status(f"Building the {chosen} edition…", spinner="dots"):
        first = session.first_build()
    say(describe_build(first))
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    watched = ", ".join(shown(p) for p in builder.watched())

    def ready() -> None:
        language = "" if lang == "en" else f" in {autonym(lang)} ({lang})"
        say(f"Live preview of the {chosen} edition{language} on {url} (Ctrl-C stops it)")
        say(f"  watching {watched}")
        say(f"  writing only {shown(Path(builder.files.folder))}/ (never a draft or the final)")
        if not no_browser:
            import webbrowser

            webbrowser.open(url)

    import contextlib

    with contextlib.suppress(KeyboardInterrupt):  # uvicorn raises Ctrl-C again once stopped
        serve(session, host, port, on_ready=ready)
    say("Live preview stopped.")
