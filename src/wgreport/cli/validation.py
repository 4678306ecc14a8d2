"""`wgreport validation …`: country validation, the round in which each member confirms
the pages of its own chapter of a draft, or returns corrections, before the final.

The secretariat opens a round on a draft (`open`), follows it (`status`), and records
what members send by mail (`confirm`, `corrections`); members answer in the portal too.
The record is `inputs/<year>/country-validation.yaml` (format in the reviewers' guide).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from typing import Annotated

import typer

from .formats import ReportFormat
from .options import DefaultYearOption, InputsOption, MemberOption, OutputsOption, edition_year

validation_app = typer.Typer(
    help="Country validation: members confirm their chapter of a draft before the final.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="EMAIL",
        help="Who answered (default: the contact e-mail of the member's contribution).",
    ),
]


def _refused(exc: Exception, code: int = 1) -> typer.Exit:
    from ..terminal import printable

    typer.echo(f"wgreport: {printable(str(exc))}", err=True)
    return typer.Exit(code=code)


def _secretariat_email() -> str | None:
    """Who opens a round by default: $WGREPORT_SECRETARIAT_EMAIL, else git's user.email."""
    found = os.environ.get("WGREPORT_SECRETARIAT_EMAIL", "").strip()
    if found:
        return found
    try:
        out = subprocess.run(
            ["git", "config", "user.email"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


@validation_app.command("open")
def open_command(
    draft: Annotated[int, typer.Option("--draft", min=1, help="The draft members check, e.g. 3.")],
    due: Annotated[
        dt.datetime | None,
        typer.Option("--due", formats=["%Y-%m-%d"], help="Answers due, YYYY-MM-DD."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="EMAIL",
            help="Who opens it (default: $WGREPORT_SECRETARIAT_EMAIL, else git's user.email).",
        ),
    ] = None,
    year: DefaultYearOption = None,
    inputs: InputsOption = None,
    outputs: OutputsOption = None,
) -> None:
    """Open a round on a draft: every expected member is asked to confirm its chapter."""
    from ..errors import CountryValidationRefused, InputsError
    from ..layout import Inputs, draft_name
    from ..review.confirmations import open_round
    from ..runtime.settings import get_settings
    from ..terminal import fail_usage, shown

    settings = get_settings(inputs, outputs)
    year = edition_year(year, settings.inputs_dir, settings.outputs_dir)
    who = by or _secretariat_email()
    if not who:
        raise fail_usage("say who opens the round: --by EMAIL (or WGREPORT_SECRETARIAT_EMAIL)")
    try:
        made = open_round(
            settings.inputs_dir,
            year,
            draft,
            who,
            due.date() if due else None,
            outputs_dir=settings.outputs_dir,
        )
    except InputsError as exc:
        raise _refused(exc, 2) from None
    except CountryValidationRefused as exc:
        raise _refused(exc) from None
    record = Inputs(settings.inputs_dir).edition(year).country_validation
    until = f", due {made.due.isoformat()}" if made.due else ""
    typer.echo(
        f"Opened a country-validation round on draft {draft_name(made.draft)} of the {year} "
        f"edition for {len(made.members)} members{until}; recorded in {shown(record)}."
    )
    typer.echo(
        "Members confirm their chapter in the portal; record what they send by mail with "
        f"wgreport validation confirm --member CODE --year {year} (or corrections)."
    )


@validation_app.command("status")
def status_command(
    year: DefaultYearOption = None,
    inputs: InputsOption = None,
    outputs: OutputsOption = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="text (default) or json.")
    ] = ReportFormat.text,
) -> None:
    """Each expected member's state in the newest round: not requested, requested,
    confirmed, corrections, or changed since confirmed (must confirm again)."""
    from ..errors import InputsError
    from ..layout import Inputs, draft_name
    from ..review.confirmations import load_record, member_states
    from ..runtime.settings import get_settings
    from ..terminal import printable, shown

    settings = get_settings(inputs, outputs)
    year = edition_year(year, settings.inputs_dir, settings.outputs_dir)
    try:
        current = load_record(settings.inputs_dir, year).current
        states = member_states(settings.inputs_dir, year)
    except InputsError as exc:
        raise _refused(exc, 2) from None
    confirmed = sum(1 for s in states.values() if s.state == "confirmed")
    if output_format is ReportFormat.json:
        payload = {
            "year": year,
            "draft": current.draft if current else None,
            "opened": current.opened.isoformat() if current else None,
            "due": current.due.isoformat() if current and current.due else None,
            "confirmed": confirmed,
            "members": [s.to_dict() for s in states.values()],
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    record = shown(Inputs(settings.inputs_dir).edition(year).country_validation)
    if current is None:
        typer.echo(f"No country-validation round of the {year} edition yet ({record}).")
        typer.echo(f"Open one on a draft: wgreport validation open --draft N --year {year}")
        return
    due = f", due {current.due.isoformat()}" if current.due else ""
    typer.echo(
        f"Country validation of the {year} edition: round on draft "
        f"{draft_name(current.draft)}, opened {current.opened.isoformat()}{due} ({record})"
    )
    for s in states.values():
        answer = f" {s.at} by {printable(s.by or '', multiline=False)}" if s.at else ""
        comment = f" ({s.comment})" if s.comment else ""
        line = f"  [{record}:{s.line}]" if s.line else ""
        typer.echo(f"  {s.code}  {s.state}{answer}{comment}{line}")
    typer.echo(f"{confirmed} of {len(states)} members confirmed.")


@validation_app.command("confirm")
def confirm_command(
    member: MemberOption,
    by: ByOption = None,
    year: DefaultYearOption = None,
    inputs: InputsOption = None,
    outputs: OutputsOption = None,
) -> None:
    """Record a member's confirmation received by mail: the content it confirms is its
    contribution as it is now (which must be valid)."""
    from ..errors import CountryValidationRefused, InputsError
    from ..layout import draft_name
    from ..review.confirmations import confirm, member_contact
    from ..runtime.settings import get_settings

    settings = get_settings(inputs, outputs)
    year = edition_year(year, settings.inputs_dir, settings.outputs_dir)
    code = member.strip().upper()
    who = by or member_contact(settings.inputs_dir, year, code)
    try:
        if not who:
            raise CountryValidationRefused(
                f"{code} has no valid contribution with a contact e-mail: say who confirmed "
                "with --by EMAIL (a confirmation also needs a valid contribution)"
            )
        done = confirm(settings.inputs_dir, year, code, who)
    except InputsError as exc:
        raise _refused(exc, 2) from None
    except CountryValidationRefused as exc:
        raise _refused(exc) from None
    typer.echo(
        f"Recorded: {done.code} confirmed its chapter of draft {draft_name(done.draft or 0)} "
        f"(by {who}; content sha256 {(done.content or '')[:12]}…)."
    )


@validation_app.command("corrections")
def corrections_command(
    member: MemberOption,
    comment: Annotated[
        str, typer.Option("--comment", help="What is to be corrected, as the member wrote it.")
    ],
    page: Annotated[
        int | None, typer.Option("--page", min=1, help="The draft's page it is on.")
    ] = None,
    by: ByOption = None,
    year: DefaultYearOption = None,
    inputs: InputsOption = None,
    outputs: OutputsOption = None,
) -> None:
    """Record a member's corrections received by mail: a comment on its chapter in
    inputs/<year>/reviews/<code>-validation.yaml, answered like any review comment."""
    from ..errors import CountryValidationRefused, InputsError
    from ..inputs.country_validation import reviewer_id
    from ..layout import Inputs
    from ..review.confirmations import member_contact, return_corrections
    from ..runtime.settings import get_settings
    from ..terminal import shown

    settings = get_settings(inputs, outputs)
    year = edition_year(year, settings.inputs_dir, settings.outputs_dir)
    code = member.strip().upper()
    who = by or member_contact(settings.inputs_dir, year, code)
    try:
        if not who:
            raise CountryValidationRefused(
                f"{code} has no valid contribution with a contact e-mail: say who sent the "
                "corrections with --by EMAIL"
            )
        ref = return_corrections(
            settings.inputs_dir, year, code, who, comment, page, outputs_dir=settings.outputs_dir
        )
    except InputsError as exc:
        raise _refused(exc, 2) from None
    except CountryValidationRefused as exc:
        raise _refused(exc) from None
    review = shown(Inputs(settings.inputs_dir).edition(year).review(reviewer_id(code)))
    typer.echo(
        f"Recorded {code}'s corrections as comment {ref} in {review}; answer it as any "
        f"review comment (the portal, or the file), then {code} confirms the next draft."
    )
