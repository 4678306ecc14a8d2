"""`wgreport portal`: serve the submission and review portal; `portal invite`, `people`,
`revoke` and `audit`: the people who may sign in, and the audit log."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

import typer

from ..layout import Inputs, PortalFiles
from .formats import ReportFormat
from .options import DefaultYearOption, InputsOption, edition_year, member_code_option

portal_app = typer.Typer(
    help="The submission and review portal (members, reviewers, the secretariat).",
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
)


def portal_dir() -> Path:
    """Where the portal keeps invitations, revisions and its audit log."""
    from ..runtime.settings import project_root

    return Path(
        os.environ.get("WGREPORT_PORTAL_DIR") or PortalFiles.in_project(project_root()).folder
    )


@portal_app.callback()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8080,
    year: DefaultYearOption = None,
    https: Annotated[
        bool, typer.Option("--https", help="Behind an HTTPS reverse proxy: Secure cookies.")
    ] = False,
    inputs: InputsOption = None,
    outputs: Annotated[Path | None, typer.Option("--outputs", help="The outputs folder.")] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="The portal's public address (default: http://HOST:PORT)."),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option("--allowed-host", help="Another host name the portal answers to."),
    ] = None,
) -> None:
    """Serve the portal of an edition (Ctrl-C stops it)."""
    if ctx.invoked_subcommand is not None:
        return
    from ..runtime.install import missing_portal_extra

    problem = missing_portal_extra()
    from ..terminal import fail_usage

    if problem:
        raise fail_usage(problem)
    import uvicorn

    from ..portal.app import Portal, make_app
    from ..portal.store import Store
    from ..runtime.settings import get_settings

    settings = get_settings(inputs, outputs)
    edition = edition_year(year, settings.inputs_dir, settings.outputs_dir)
    address = base_url or f"http://{host}:{port}"
    if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+/?", address):
        raise fail_usage(f"--base-url must be like https://portal.example.org, not {address!r}")
    loopback = ["127.0.0.1", "localhost", "::1"]
    portal = Portal(settings.inputs_dir, settings.outputs_dir, edition, Store(portal_dir()),
                    secure_cookies=https, base_url=address.rstrip("/"),
                    allowed_hosts=[*loopback, *(allowed_host or [])])  # fmt: skip
    typer.echo(f"Portal of the {edition} edition on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(make_app(portal), host=host, port=port, log_level="warning",
                proxy_headers=https, server_header=False)  # fmt: skip


@portal_app.command("invite")
def invite(
    email: Annotated[str, typer.Option("--email", help="Who the invitation is for.")],
    member: Annotated[
        str | None,
        typer.Option(
            "--member",
            callback=member_code_option,
            help="A member contact of this country, e.g. KR.",
        ),
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
    from ..inputs.validation import load_working_group
    from ..portal.store import Store
    from ..runtime.settings import get_settings
    from ..terminal import fail_usage

    if sum(x is not None and x is not False for x in (member, reviewer, secretariat)) != 1:
        raise fail_usage("give exactly one of --member CODE, --reviewer ID, --secretariat")
    if member is not None:
        wg, _ = load_working_group(Inputs(get_settings(inputs).inputs_dir).working_group)
        if wg is None or wg.member(member.upper()) is None:
            raise fail_usage(f"'{member}' is not a member of the working group")
        member = member.upper()
    if reviewer is not None and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", reviewer):
        raise fail_usage(f"'{reviewer}' is not a reviewer id: lowercase letters, digits, dashes")
    role = "member" if member else "reviewer" if reviewer else "secretariat"
    store = Store(portal_dir())
    invitation, token = store.invite(
        role, email, member=member, reviewer=reviewer, name=name, organisation=organisation
    )
    typer.echo(f"Invited {email} as {role}{f' of {member}' if member else ''} "
               f"(invitation {invitation.id}, valid until {invitation.expires[:10]}; "
               "the link signs in once).")  # fmt: skip
    replaced = [i.id for i in store.invitations()
                if i.revoked_reason == f"replaced by invitation {invitation.id}"]  # fmt: skip
    if replaced:
        typer.echo(f"This revokes the earlier invitation(s) {', '.join(replaced)} of the same "
                   "person, and ends their sessions.")  # fmt: skip
    typer.echo(f"Send them this link; it is shown only now: {base_url.rstrip('/')}/signin/{token}")


@portal_app.command("people")
def people_command(
    output: Annotated[
        ReportFormat, typer.Option("--format", help="text (default) or json.")
    ] = ReportFormat.text,
) -> None:
    """List every invitation (its state) and its sessions (open or ended, and why)."""
    import json

    from ..portal.app import people
    from ..portal.store import Store
    from ..terminal import printable

    rows = people(Store(portal_dir()))
    if output is ReportFormat.json:
        from dataclasses import asdict

        data = [
            {
                "invitation": {
                    k: v for k, v in asdict(p["invitation"]).items() if k != "token_sha256"
                },
                "state": p["state"],
                "sessions": [asdict(s) for s in p["open"] + p["ended"]],
            }
            for p in rows
        ]
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if not rows:
        typer.echo("No invitations yet (wgreport portal invite).")
    for p in rows:
        i = p["invitation"]
        what = i.member or i.reviewer or ""
        line = f"{i.id}  {i.role:<11} {what:<14} {printable(i.email):<32} {p['state']}"
        if i.revoked_reason:
            line += f" ({printable(i.revoked_reason)})"
        typer.echo(line + f", until {i.expires[:10]}")
        for s in p["open"]:
            typer.echo(f"    session {s.id} open since {s.created}, last seen {s.last_seen} "
                       f"from {printable(s.client or '?')}")  # fmt: skip
        for s in p["ended"]:
            typer.echo(f"    session {s.id} ended {s.ended}: {printable(s.ended_reason or '')}")


@portal_app.command("revoke")
def revoke_command(
    ident: Annotated[str, typer.Argument(help="An invitation's or a session's id.")],
) -> None:
    """End an invitation (its link and all its sessions) or one session, at once."""
    from ..portal.store import Store
    from ..terminal import fail_usage

    kind = Store(portal_dir()).revoke(ident)
    if kind is None:
        raise fail_usage(f"{ident} is not an open invitation or session (wgreport portal people)")
    if kind == "invitation":
        typer.echo(f"Revoked invitation {ident}: its link no longer signs in, its sessions ended.")
    else:
        typer.echo(f"Ended session {ident}: that browser is signed out.")


@portal_app.command("audit")
def audit_command(
    verify: Annotated[
        bool, typer.Option("--verify", help="Check the hash chain: find an edit or a cut.")
    ] = False,
    last: Annotated[int, typer.Option("--last", help="Print the last N lines.")] = 20,
    noted: Annotated[
        str | None,
        typer.Option("--noted", help="A head printed by an earlier --verify (LINE:HASH)."),
    ] = None,
) -> None:
    """Print the portal's audit log, or check that no line was changed, removed or added
    (with --noted, also that the log still holds the head an earlier check printed)."""
    import json

    from ..portal.store import Store
    from ..terminal import fail_usage, printable

    store = Store(portal_dir())
    if verify:
        problems, count, head = store.verify_audit()
        if noted is not None:
            line, _, digest = noted.partition(":")
            if not line.isdigit() or len(digest) != 64:
                raise fail_usage(f"--noted takes LINE:HASH as --verify prints it, not {noted!r}")
            if store.audit_hash_at(int(line)) != digest:
                problems.append(f"line {line} is not the line that was noted: the log was "
                                "rewritten from there on, or cut before it")  # fmt: skip
        for problem in problems:
            typer.echo(f"audit: {problem}", err=True)
        if problems:
            typer.echo(f"The audit log is NOT intact: {len(problems)} problem(s) in {count} "
                       "lines.", err=True)  # fmt: skip
            raise typer.Exit(1)
        typer.echo(f"The audit log is intact: {count} lines, head {count}:{head}.")
        typer.echo("Keep the head elsewhere: `wgreport portal audit --verify --noted "
                   f"{count}:{head}` later also finds a log rewritten from a line on.")  # fmt: skip
        return
    for row in store.audit_lines()[-last:] if last > 0 else []:
        typer.echo(printable(json.dumps(row, ensure_ascii=False, sort_keys=True)))
