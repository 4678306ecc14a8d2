"""Stage reports from a build, for whoever shows progress (the CLI's rich display).

The flow's tasks call `stage()`; without a reporter (a deployment run by a worker) it does
nothing. A reporter is called from Prefect's worker threads, so it must be thread-safe.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Reporter = Callable[[str, str], None]

#: The stages of a build, in order, as the CLI shows them.
STAGES = [
    ("discover", "Finding the edition's files"),
    ("validate", "Validating contributions"),
    ("aggregate", "Aggregating indicators and initiatives"),
    ("charts", "Drawing the charts"),
    ("html", "Rendering the HTML page"),
    ("pdf", "Laying out the PDF"),
    ("publish", "Publishing"),
]

_lock = threading.Lock()
_reporter: Reporter | None = None


def stage(name: str, detail: str = "") -> None:
    """Report that the build has reached stage `name`."""
    with _lock:
        reporter = _reporter
    if reporter is not None:
        reporter(name, detail)


def notice(message: str) -> None:
    """Something the person running the build should know now (a wait, for example)."""
    stage("notice", message)


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    """Send stage reports to `reporter` for the duration of the block."""
    global _reporter
    with _lock:
        previous, _reporter = _reporter, reporter
    try:
        yield
    finally:
        with _lock:
            _reporter = previous
