"""`wgreport portal`: serve the submission and review portal; `portal invite`: invite."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

import typer

from .cli_options import InputsOption
from .limits import check_year_option

portal_app = typer.Typer(
    help="The submission and review portal (members, reviewers, the secretariat).",
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
)


def portal_dir() -> Path:
    """Where the portal keeps invitations, revisions and its audit log."""
    from .settings import project_root

    return Path(os.environ.get("WGREPORT_PORTAL_DIR") or project_root() / ".portal")


@portal_app.callback()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8080,
    year: Annotated[
        int | None,
        typer.Option("--year", callback=check_year_option, help="The edition (default: due)."),
    ] = None,
    https: Annotated[
        bool, typer.Option("--https", help="Behind an HTTPS reverse proxy: Secure cookies.")
    ] = False,
    inputs: InputsOption = None,
    outputs: Annotated[Path | None, typer.Option("--outputs", help="The outputs folder.")] = None,
) -> None:
    """Serve the portal of an edition (Ctrl-C stops it)."""
    if ctx.invoked_subcommand is not None:
        return
    from .install import missing_portal_extra

    problem = missing_portal_extra()
    if problem:
        from .terminal import fail_usage

        raise fail_usage(problem)
    import uvicorn

    from .inputs import due_edition
    from .portal.app import Portal, make_app
    from .portal.store import Store
    from .settings import get_settings

    settings = get_settings(inputs, outputs)
    edition = year or due_edition(settings.inputs_dir)
    portal = Portal(settings.inputs_dir, settings.outputs_dir, edition, Store(portal_dir()),
                    secure_cookies=https)  # fmt: skip
    typer.echo(f"Portal of the {edition} edition on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(make_app(portal), host=host, port=port, log_level="warning",
                proxy_headers=https, server_header=False)  # fmt: skip


@portal_app.command("invite")
def invite(
    email: Annotated[str, typer.Option("--email", help="Who the invitation is for.")],
    member: Annotated[
        str | None, typer.Option("--member", help="A member contact of this country, e.g. KR.")
    ] = None,
    reviewer: Annotated[
        str | None, typer.Option("--reviewer", help="A reviewer, by their reviewer id.")
    ] = None,
    secretariat: Annotated[
        bool, typer.Option("--secretariat", help="A member of the secretariat.")
    ] = False,
    name: Annotated[str | None, typer.Option("--name", help="A reviewer's name.")] = None,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="A reviewer's organisation.")
    ] = None,
    base_url: Annotated[
        str, typer.Option("--base-url", help="The portal's address, for the link.")
    ] = "http://127.0.0.1:8080",
    inputs: InputsOption = None,
) -> None:
    """Invite one person: prints their sign-in link once (only its hash is stored)."""
    from .portal.store import Store
    from .settings import get_settings
    from .terminal import fail_usage
    from .validation import load_working_group

    if sum(x is not None and x is not False for x in (member, reviewer, secretariat)) != 1:
        raise fail_usage("give exactly one of --member CODE, --reviewer ID, --secretariat")
    if member is not None:
        wg, _ = load_working_group(get_settings(inputs).inputs_dir / "working-group.yaml")
        if wg is None or wg.member(member.upper()) is None:
            raise fail_usage(f"'{member}' is not a member of the working group")
        member = member.upper()
    if reviewer is not None and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", reviewer):
        raise fail_usage(f"'{reviewer}' is not a reviewer id: lowercase letters, digits, dashes")
    role = "member" if member else "reviewer" if reviewer else "secretariat"
    invitation, token = Store(portal_dir()).invite(
        role, email, member=member, reviewer=reviewer, name=name, organisation=organisation
    )
    typer.echo(f"Invited {email} as {role}{f' of {member}' if member else ''} "
               f"(invitation {invitation.id}, valid until {invitation.expires[:10]}).")  # fmt: skip
    typer.echo(f"Send them this link; it is shown only now: {base_url.rstrip('/')}/signin/{token}")
