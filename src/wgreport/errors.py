"""Every error wgreport raises on purpose, in one bottom module that imports nothing of ours.

Each is a `WgreportError`: a known refusal or failure whose message is meant for the person
running the command, printed as one line (the CLI catches the base class). Anything else
that escapes is a bug and is shown with its traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


class WgreportError(Exception):
    """A known failure, explained in its message."""


class InputsError(WgreportError):
    """The inputs cannot be used at all (no working group, no such edition)."""


class UsageError(WgreportError):
    """The command was given paths it cannot check."""


class DemoDataError(WgreportError):
    """The demo tree cannot be written (bad arguments, or a folder that is not empty)."""


class CountryValidationRefused(WgreportError):
    """A country-validation round cannot be opened, or a confirmation or correction cannot
    be recorded (no round open, an unknown member, a contribution that is not valid)."""


class FinalRefused(WgreportError):
    """A final was asked for while expected members are missing or invalid."""


class DiskFull(WgreportError):
    """The portal's disk (or its database) is full: nothing of the change was kept."""


class UploadQuotaExceeded(WgreportError):
    """A member sent more uploads or bytes in the last hour than the portal takes."""

    def __init__(self, count: int, sent: int) -> None:
        super().__init__(f"{count} uploads ({sent} bytes) in the last hour")
        self.count, self.sent = count, sent


class SvgRefused(WgreportError):
    """Why a member's SVG is not used: an issue code, a message and a hint."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


class PublishError(WgreportError):
    """A draft could not be written (locked, disk full, read-only outputs)."""


class FinalExists(PublishError):
    """A final of the year exists and `supersede` was not asked for."""


class RenderError(WgreportError):
    """The report could not be rendered (a template or a font is missing, a URL refused)."""


class PartsTimedOut(RenderError):
    """Members' chapters did not render within the time limit."""

    def __init__(self, sections: Sequence[str], limit: float) -> None:
        self.sections = list(sections)
        self.limit = limit
        super().__init__(
            f"{', '.join(self.sections)} did not render within the time limit of {limit:g} s"
        )


class FontMissing(WgreportError, RuntimeError):
    """The pinned chart font is not installed."""


class ClusterError(WgreportError):
    """The Dask cluster cannot be used: it does not answer, or has no workers."""


class WorkbookRefused(WgreportError, ValueError):
    """A workbook past a limit measured before parsing (workbook_limits.measure_workbook):
    `problems` are its WorkbookProblems, each with an issue code, a message and a hint."""

    def __init__(self, problems: Sequence[Any]) -> None:
        super().__init__("; ".join(str(p.message) for p in problems))
        self.problems = list(problems)


class MailError(WgreportError):
    """An e-mail could not be sent (SMTP unreachable, refused, or not configured properly).

    `kept` is the outbox file the message was written to instead, so nothing is lost."""

    def __init__(self, message: str, kept: Path | None = None) -> None:
        super().__init__(message)
        self.kept = kept
