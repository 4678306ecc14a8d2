"""The output formats of the commands that print reports (`--format`)."""

from __future__ import annotations

import enum


class Format(enum.StrEnum):
    """`validate`'s output formats."""

    text = "text"
    json = "json"
    github = "github"


class ReportFormat(enum.StrEnum):
    """The formats of `status` and `diff` (GitHub annotations are for files' issues only)."""

    text = "text"
    json = "json"


class TableFormat(enum.StrEnum):
    text = "text"
    json = "json"
    csv = "csv"
