"""Submission status of an edition: rows for the CLI and JSON, Markdown for Prefect's UI."""

from __future__ import annotations

from typing import Any

from .inputs import LoadedEdition


def status_rows(loaded: LoadedEdition) -> list[dict[str, Any]]:
    """One row per expected member, in the group's order."""
    return [
        {
            "member": s.code,
            "name": s.name,
            "submitted": s.submitted,
            "valid": s.valid,
            "errors": s.errors,
            "warnings": s.warnings,
            "late": s.late,
            "status": s.label,
        }
        for s in loaded.status
    ]


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
