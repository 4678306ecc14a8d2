"""What the commands print: validation reports (text, GitHub annotations), the build's
progress and summary, the comment table. Kept apart from `cli/main.py`, whose commands only
parse options, call the library and hand its result here. Imports rich lazily: `validate`
stays light."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer

from .inputs.issues import FileReport, ValidationReport
from .layout import Draft
from .layout import shown as shown  # the command line's modules show paths through here


def _escapes(multiline: bool) -> dict[int, str]:
    controls = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
    names = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
    kept = {0x09, 0x0A} if multiline else {0x09}
    return {c: names.get(c, f"\\x{c:02x}") for c in controls if c not in kept}


_MULTILINE = _escapes(multiline=True)
_ONE_LINE = _escapes(multiline=False)


def printable(text: str, *, multiline: bool = True) -> str:
    """`text` (from an input or output file) made safe to print on a terminal.

    Every control character is replaced by a visible escape in Python's notation: the C0
    controls (U+0000–U+001F), DEL (U+007F) and the C1 controls (U+0080–U+009F), so that
    ESC becomes the four characters `\\x1b`, BEL `\\x07`, a carriage return `\\r`. An
    escape sequence in a reviewer's comment (`\\x1b]0;title\\x07`, `\\x1b[2J`) is thus
    shown as text and cannot retitle, clear or recolour the reader's terminal, nor hide or
    overwrite what was printed before it. A tab is kept; a newline is kept when
    `multiline` (a comment's paragraphs) and shown as `\\n` otherwise (one issue, one
    line: a value cannot forge a line of its own). Every command's text output goes
    through this; JSON output does not need it: json.dumps escapes control characters itself.
    """
    return text.translate(_MULTILINE if multiline else _ONE_LINE)


def rich_text(text: str, *, multiline: bool = True) -> str:
    """`printable(text)` with rich's markup escaped, for a cell of a rich table: a
    `[link=…]` or `[bold]` in a file is printed as written, not interpreted."""
    from rich.markup import escape

    return escape(printable(text, multiline=multiline))


def fail_usage(message: str) -> typer.Exit:
    """A usage error: the message on standard error, exit status 2."""
    typer.echo(f"wgreport: {printable(message)}", err=True)
    return typer.Exit(code=2)


def format_issue_line(report: FileReport, issue: object) -> str:
    from .inputs.issues import Issue

    assert isinstance(issue, Issue)
    where = (
        f"{report.file}[{issue.cell}]"
        if issue.cell
        else f"{report.file}:{issue.line or 1}:{issue.column or 1}"
    )
    field = f" [{issue.field}]" if issue.field else ""
    return printable(
        f"{where}: {issue.severity} {issue.code}: {issue.message}{field}", multiline=False
    )


def format_text(report: ValidationReport) -> list[str]:
    """The plain-text report: one line per issue, a hint under it, and a summary."""
    lines: list[str] = []
    for file in report.files:
        for issue in file.sorted_issues():
            lines.append(format_issue_line(file, issue))
            if issue.hint:
                lines.append(f"    hint: {printable(issue.hint, multiline=False)}")
    summary = report.to_dict()["summary"]
    line = (
        f"{summary['files']} file(s) checked: {summary['valid']} valid, "
        f"{summary['errors']} error(s), {summary['warnings']} warning(s)"
    )
    if report.checks_not_run:
        line += (
            f"; some of the group's checks did not run on {report.checks_not_run} file(s) "
            "(checks-not-run above)"
        )
    lines.append(line)
    return lines


def print_text_report(report: ValidationReport) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, soft_wrap=True)
    styles = {"error": "bold red", "warning": "yellow"}
    for line in format_text(report):
        if line.startswith("    hint:"):
            console.print(escape(line), style="dim")
            continue
        style = next((s for word, s in styles.items() if f": {word} " in line), None)
        console.print(escape(line), style=style)


def format_github(report: ValidationReport) -> list[str]:
    """GitHub Actions workflow commands: annotations on the pull request's files."""
    out = []
    for file in report.files:
        for issue in file.sorted_issues():
            message = issue.message + (f" (hint: {issue.hint})" if issue.hint else "")
            if issue.cell:
                message = f"{issue.cell}: {message}"
            message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            out.append(
                printable(
                    f"::{issue.severity} file={file.file},line={issue.line or 1},"
                    f"col={issue.column or 1},title={issue.code}::{message}",
                    multiline=False,
                )
            )
    return out


def stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


@contextlib.contextmanager
def stage_display(console: Any) -> Iterator[Callable[[str, str], None]]:
    """Show the build's stages as they are reached: a line each, with a spinner on a TTY."""
    from .build.progress import STAGES

    titles = dict(STAGES)
    order = [name for name, _ in STAGES]
    seen: list[str] = []
    status = console.status("Starting Prefect…", spinner="dots")
    status.start()

    def show(name: str, detail: str) -> None:
        detail = rich_text(detail, multiline=False)
        if name == "notice":
            console.print(f"  [yellow]{detail}[/]", soft_wrap=True)
            return
        if name not in seen:
            seen.append(name)
            console.print(f"  [{order.index(name) + 1}/{len(order)}] {titles[name]}")
        status.update(f"{titles[name]}{f' ({detail})' if detail else ''}…")

    try:
        yield show
    finally:
        status.stop()


def print_summary(folder: Path, manifest: dict[str, Any], year: int) -> None:
    label = "Final" if manifest.get("final") else f"Draft {manifest['draft']}"
    typer.echo(f"{label} of {year}: {manifest['pages']} pages")
    included = manifest["members_included"]
    typer.echo(f"  members included ({len(included)}): {', '.join(included) or 'none'}")
    for left in manifest["members_left_out"]:
        allowed = " (published without it: --allow-missing)" if left.get("allowed_by") else ""
        typer.echo(printable(f"  left out: {left['member']}: {left['reason']}{allowed}"))
    if manifest.get("published_with_open_comments"):
        typer.echo(
            f"  published with {manifest['published_with_open_comments']} unresolved review "
            "comment(s): --allow-open-comments"
        )
    draft = Draft(folder)
    for path in (draft.report_pdf, draft.report_html, draft.manifest):
        typer.echo(f"  {shown(path)}")
    for lang, made in manifest.get("languages", {}).items():
        typer.echo(f"  {shown(draft.report_pdf_in(lang))} ({made['pages']} pages)")
        typer.echo(f"  {shown(draft.report_html_in(lang))}")
    if manifest.get("supersedes"):
        typer.echo(
            f"  the previous final is kept as {shown(folder.parent / manifest['supersedes'])}"
        )


_SHUTDOWN_LOG: list[Any] = []  # the open shutdown log, kept (and closed when replaced)


def quiet_shutdown() -> None:
    """Keep the embedded server's shutdown noise off the terminal.

    The build's own result is printed by now. Prefect stops its temporary server at exit,
    and its background services may log tracebacks while they are cancelled; those go to
    .prefect/logs/shutdown.log instead of the user's terminal.
    """
    import logging
    import os

    home = Path(os.environ.get("PREFECT_HOME", ".prefect"))
    try:
        (home / "logs").mkdir(parents=True, exist_ok=True)
        log = (home / "logs" / "shutdown.log").open("a", encoding="utf-8")
    except OSError:
        log = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    # A second call in one process (tests run commands in-process) closes the first log
    # instead of leaving it to the garbage collector, unclosed.
    previous, _SHUTDOWN_LOG[:] = list(_SHUTDOWN_LOG), [log]
    for handler in list(logging.getLogger().handlers):
        logging.getLogger().removeHandler(handler)
    logging.basicConfig(stream=log, level=logging.WARNING, force=True)
    for name in list(logging.root.manager.loggerDict):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.propagate = True
    sys.stdout.flush()
    sys.stderr.flush()
    sys.stderr = log
    for stream in previous:
        stream.close()
    # The process exits next. Without this, the interpreter's last garbage collections walk
    # the whole heap (Prefect's client, and on the embedded default its server modules too;
    # WeasyPrint's and pandas' objects): 2–4 s on a busy 2-core machine, for memory the
    # process is about to return anyway (benchmarks/results-startup.md).
    import gc

    gc.freeze()


def thread_summary(replies: Any) -> str:
    """A comment's thread in the table: how many replies, and the last one."""
    if not replies:
        return ""
    last = replies[-1]
    count = f"{len(replies)} repl{'y' if len(replies) == 1 else 'ies'}"
    return f"\n\n[{count}; the last by {last['by']}, {last['at']}]: {last['text']}"


def print_comment_table(rows: list[Any], year: int, summary: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=160)
    if not summary.total:
        console.print(f"No review comments in inputs/{year}/reviews/.")
    else:
        table = Table(title=f"Comment resolution, {year} edition", show_lines=True)
        for column in ("Ref.", "Draft", "Section", "Page", "Kind", "Comment", "Status", "Response"):
            table.add_column(column, justify="right" if column in {"Draft", "Page"} else "left")
        for r in rows:
            table.add_row(
                rich_text(r.ref),
                f"{r.draft:03d}",
                rich_text(r.section),
                str(r.page or ""),
                rich_text(r.kind),
                rich_text(r.comment),
                rich_text(r.status),
                rich_text(r.response + thread_summary(r.replies)),
            )
        console.print(table)
        counts = ", ".join(f"{n} {s}" for s, n in summary.by_status.items())
        console.print(f"{summary.total} comment(s) from {summary.reviewers} reviewer(s): {counts}.")
    if summary.left_out:
        console.print(
            f"{summary.left_out} comment(s) not shown: they have errors (see above).",
            style="bold red",
        )


def print_status_table(rows: list[dict[str, Any]], year: int, deadline: object) -> None:
    """`wgreport status`: one row per expected member (names from working-group.yaml)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Submission status, {year} edition (deadline {deadline})")
    for column in ("Member", "Submitted", "Valid", "Errors", "Warnings", "Last change", "Late"):
        table.add_column(column, justify="right" if column in {"Errors", "Warnings"} else "left")
    for row in rows:
        table.add_row(
            rich_text(f"{row['member']} {row['name']}", multiline=False),
            "yes" if row["submitted"] else "no",
            "yes" if row["valid"] else ("no" if row["submitted"] else "–"),
            str(row["errors"]),
            str(row["warnings"]),
            rich_text(str(row["last_change"] or "–"), multiline=False),
            "late" if row["late"] else ("overdue" if row.get("overdue") else ""),
        )
    Console(highlight=False, width=120).print(table)
