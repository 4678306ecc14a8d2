"""Waiting for something another process does, with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable


def eventually(predicate: Callable[[], object], seconds: float, step: float = 0.1) -> bool:
    """Whether `predicate()` came true within `seconds` (asked every `step` seconds, and
    once more at the deadline)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
