"""Validation issues and reports: the JSON shape of `wgreport validate --format json`.

Kept free of heavy imports: the member-facing `validate` command loads this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem found in one input file, located by line and column (1-based)."""

    severity: Severity
    code: str
    message: str
    field: str = ""
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    cell: str | None = None  # in a workbook: "Initiatives!C2" (line and column are None)
    #: A YAML syntax error's second position: where the reader noticed the problem, when
    #: that is not the line where it starts (an unclosed quote is noticed lines later).
    noticed_line: int | None = None
    noticed_column: int | None = None
    #: In a workbook: the sheet's tab, the row and the column of `cell`, so that issues are
    #: listed in the order a person reads the workbook (not part of the JSON).
    order: tuple[int, int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "field": self.field,
            "line": self.line,
            "column": self.column,
            **({"cell": self.cell} if self.cell else {}),  # optional fields of the spec
            **(
                {"noticed_line": self.noticed_line, "noticed_column": self.noticed_column}
                if self.noticed_line is not None
                else {}
            ),
            "message": self.message,
            "hint": self.hint,
        }

    @property
    def sort_key(self) -> tuple[int, int, tuple[int, int, int], str, str]:
        return (self.line or 0, self.column or 0, self.order or (0, 0, 0), self.code, self.field)


@dataclass
class FileReport:
    """Every issue found in one file."""

    file: str
    member: str | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == "warning")

    def sorted_issues(self) -> list[Issue]:
        return sorted(self.issues, key=lambda i: i.sort_key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "member": self.member,
            "valid": self.valid,
            "issues": [i.to_dict() for i in self.sorted_issues()],
        }


@dataclass
class ValidationReport:
    """The result of validating a set of files (the spec's validation output)."""

    files: list[FileReport] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return all(f.valid for f in self.files)

    def summary(self) -> dict[str, int]:
        summary = {
            "files": len(self.files),
            "valid": sum(1 for f in self.files if f.valid),
            "errors": sum(f.errors for f in self.files),
            "warnings": sum(f.warnings for f in self.files),
        }
        if self.checks_not_run:  # an optional field of the spec's summary
            summary["checks_not_run"] = self.checks_not_run
        return summary

    @property
    def checks_not_run(self) -> int:
        """Files that were checked only in part: the group's or edition's files not found."""
        return sum(1 for f in self.files if any(i.code == "checks-not-run" for i in f.issues))

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "files": [f.to_dict() for f in self.files],
            "summary": self.summary(),
        }
