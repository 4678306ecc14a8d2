"""`wgreport notify …`: the secretariat's e-mails, sent over SMTP when it is configured
(WGREPORT_SMTP_HOST), else written to outputs/outbox/ as .eml files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import DefaultYearOption, InputsOption, OutputsOption, edition_year

notify_app = typer.Typer(
    help="E-mail members and reviewers (over SMTP when WGREPORT_SMTP_HOST is set, else "
    "into outputs/outbox/).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@notify_app.command("reminders")
def reminders(
    year: DefaultYearOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say who would be reminded and why; send nothing.")
    ] = False,
    inputs: InputsOption = None,
    outputs: OutputsOption = None,
) -> None:
    """Remind each expected member that is overdue (nothing submitted after the deadline)
    or whose contribution is not valid; print who was reminded and why.

    Exit status: 0, or 1 when a reminder could not go out (no address known, or the SMTP
    server failed: the message is then kept in the outbox); 2 for a usage error.
    """
    from ..errors import InputsError
    from ..inputs.edition import load_edition_inputs
    from ..review.messages import Letterhead, long_date
    from ..review.notices import Delivery, deliver, due_reminders
    from ..runtime.mail import SENT_BY_SMTP, Mailer
    from ..runtime.settings import get_settings
    from ..terminal import fail_usage, printable, shown

    settings = get_settings(inputs, outputs)
    try:
        year = edition_year(year, settings.inputs_dir, settings.outputs_dir)
        loaded = load_edition_inputs(settings.inputs_dir, year)
    except InputsError as exc:
        raise fail_usage(str(exc)) from None
    head = Letterhead.of(loaded.working_group, loaded.edition, settings.mail)
    notices = due_reminders(loaded, head)
    mailer = Mailer.from_settings(settings)
    if not notices:
        typer.echo(
            f"Nobody to remind in the {year} edition (deadline {long_date(head.deadline)}): "
            "no member is overdue or has a contribution that is not valid."
        )
        return
    if dry_run:
        typer.echo(f"Would remind ({len(notices)}), through {mailer.describe()}:")
        for notice in notices:
            to = notice.to or "no e-mail address"
            typer.echo(printable(f"  {notice.who}  {to}  {notice.why}"))
        return
    typer.echo(f"Reminders of the {year} edition, through {mailer.describe()}:")
    deliveries = deliver(mailer, notices)

    def outcome(delivery: Delivery) -> str:
        if delivery.where == SENT_BY_SMTP:
            return "sent"
        if delivery.where:
            return f"written to {shown(Path(delivery.where))}"
        return f"NOT reminded: {delivery.error}"

    for delivery in deliveries:
        notice = delivery.notice
        to = notice.to or "no e-mail address"
        typer.echo(printable(f"  {notice.who}  {to}  {notice.why}\n    {outcome(delivery)}"))
    failed = sum(1 for d in deliveries if not d.ok)
    typer.echo(f"{len(deliveries) - failed} reminded, {failed} not reminded.")
    if failed:
        raise typer.Exit(code=1)
