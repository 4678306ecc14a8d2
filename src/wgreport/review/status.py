"""Submission status of an edition: rows for the CLI and JSON, Markdown for Prefect's UI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..inputs.edition import LoadedEdition, MemberStatus, last_change, load_edition_inputs
from ..inputs.yamlsource import load_yaml

_CONTACT_FIELDS = ("name", "email", "organisation")


def member_contacts(loaded: LoadedEdition, status: MemberStatus) -> dict[str, Any]:
    """Whom to chase for a member: the `email` of its entry in working-group.yaml and the
    contact of its contribution (read from the file as written when it is not valid);
    `write_to` is where the secretariat's e-mails go (the first of the two)."""
    member = loaded.working_group.member(status.code)
    group_email = member.email if member is not None else None
    contribution = loaded.contributions.get(status.code)
    contact: dict[str, Any] | None = None
    if contribution is not None:
        contact = contribution.contact.model_dump(include=set(_CONTACT_FIELDS))
    elif status.path is not None and status.path.suffix in {".yaml", ".yml"}:
        written = load_yaml(status.path).data
        found = written.get("contact") if isinstance(written, dict) else None
        if isinstance(found, dict):
            contact = {k: found[k] for k in _CONTACT_FIELDS if isinstance(found.get(k), str)}
    write_to = group_email or (contact or {}).get("email")
    return {"write_to": write_to, "working_group_email": group_email, "contribution": contact}


def status_rows(
    loaded: LoadedEdition, *, with_last_change: bool = False, with_contacts: bool = False
) -> list[dict[str, Any]]:
    """One row per expected member, in the group's order; `with_last_change` adds when each
    member's file last changed (a git call per member), `with_contacts` whom to chase."""
    return [
        {
            "member": s.code,
            "name": s.name,
            "submitted": s.submitted,
            "valid": s.valid,
            "errors": s.errors,
            "warnings": s.warnings,
            "late": s.late,
            "overdue": s.overdue,
            "status": s.label,
            **(
                {"last_change": last_change(s.path) if s.path else None} if with_last_change else {}
            ),
            **({"contacts": member_contacts(loaded, s)} if with_contacts else {}),
        }
        for s in loaded.status
    ]


@dataclass(frozen=True)
class StatusReport:
    """What `wgreport status` shows: the deadline and one row per expected member."""

    year: int
    deadline: str
    members: list[dict[str, Any]]

    @property
    def valid(self) -> int:
        return sum(1 for r in self.members if r["valid"])

    @property
    def overdue(self) -> list[str]:
        """Expected members with no contribution after the deadline."""
        return [r["member"] for r in self.members if r.get("overdue")]


def status_report(loaded: LoadedEdition) -> StatusReport:
    """The edition's submission status, with each member's last change."""
    rows = status_rows(loaded, with_last_change=True, with_contacts=True)
    return StatusReport(loaded.year, str(loaded.edition.deadline), rows)


def submission_status(inputs_dir: Path, year: int) -> StatusReport:
    """Validate the edition once and report who has submitted (the library path)."""
    return status_report(load_edition_inputs(inputs_dir, year))


def status_markdown(loaded: LoadedEdition) -> str:
    """The validation summary and the submission status as a Markdown document."""
    rows = status_rows(loaded)
    summary = loaded.report.summary()
    valid = sum(1 for r in rows if r["valid"])
    lines = [
        f"# {loaded.year} edition: submission status",
        "",
        f"Deadline {loaded.edition.deadline}. **{valid} of {len(rows)}** expected members "
        f"have a valid contribution. Validation: {summary['files']} files, "
        f"{summary['valid']} valid, {summary['errors']} errors, {summary['warnings']} warnings.",
        "",
        "| Member | Status | Errors | Warnings | Late |",
        "|---|---|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['member']} {r['name']} | {r['status']} | {r['errors']} | {r['warnings']} "
            f"| {'late' if r['late'] else ''} |"
        )
    problems = [
        (report.file, issue)
        for report in loaded.report.files
        for issue in report.sorted_issues()
        if issue.severity == "error"
    ]
    if problems:
        lines += ["", "## Errors", ""]
        for file, issue in problems[:200]:
            lines.append(
                f"- `{file}:{issue.line}:{issue.column}` **{issue.code}**: {issue.message}"
            )
        if len(problems) > 200:
            lines.append(f"- … and {len(problems) - 200} more (run `wgreport validate`)")
    return "\n".join(lines) + "\n"
