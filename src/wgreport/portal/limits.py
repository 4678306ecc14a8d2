"""The portal's documented limits (README, "Portal"): what one person may send and how
much work one request may cause, so that nobody waits for somebody else's file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PortalLimits:
    #: An uploaded file (YAML or workbook), and the YAML made from a workbook.
    upload_bytes: int = 2 * 1024 * 1024
    #: A request body: the upload with its form around it; refused while it is read.
    body_bytes: int = 2 * 1024 * 1024 + 64 * 1024
    #: A reviewer's comment form: its texts at their longest (docs/limits.md), each
    #: character up to 9 bytes once URL-encoded.
    comment_bytes: int = 512 * 1024
    #: A member's image upload: the largest image validate allows (5 MiB) with its form.
    image_body_bytes: int = 5 * 1024 * 1024 + 64 * 1024
    #: Any other form without a file (a button, sign-out).
    form_bytes: int = 64 * 1024
    #: Uploads per member in an hour, and their bytes.
    uploads_per_hour: int = 20
    upload_bytes_per_hour: int = 20 * 1024 * 1024
    #: Checking one upload (validation, a workbook's conversion) runs in its own process
    #: with this much wall time and address space; this many at once, the rest queue.
    check_seconds: float = 60.0
    check_memory_bytes: int = 1024 * 1024 * 1024
    checks_at_once: int = 2
    #: Sign-in attempts per client address in a window.
    signin_attempts: int = 10
    signin_window_seconds: int = 15 * 60
    #: Refusals written to the audit log per client address in a minute (the rest are
    #: counted in the next line that is written).
    refusal_lines_per_minute: int = 20


DEFAULT_LIMITS = PortalLimits()
