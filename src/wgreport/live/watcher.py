"""The saves the live preview reacts to: watchfiles (inotify on Linux) on the edition's
inputs, the previous edition, the working group and the templates, each batch of saves as
the list of the files that changed and concern the preview."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

#: Milliseconds without a new change after which a batch of saves is handed over (an
#: editor's save is several events: a temporary file written, renamed over the file).
STEP_MS = 30
#: Milliseconds at most that saves are grouped for.
DEBOUNCE_MS = 300


#: The kinds of file a build reads: a file of another kind that is gone by now (an editor's
#: or sed's temporary file, renamed over the real one) is not a save.
READ_SUFFIXES = frozenset({".yaml", ".yml", ".md", ".csv", ".png", ".jpg", ".jpeg", ".svg",
                           ".j2", ".css", ".html", ".xlsx"})  # fmt: skip


def relevant(changes: Iterable[tuple[Any, str]], concerns: Callable[[Path], bool]) -> list[Path]:
    """The changed files that concern the preview, each once, in a stable order."""
    paths = {Path(path) for _, path in changes}
    return sorted(
        p for p in paths if concerns(p) and (p.suffix.lower() in READ_SUFFIXES or p.exists())
    )


async def saves(
    paths: Sequence[Path], concerns: Callable[[Path], bool], stop: asyncio.Event
) -> AsyncIterator[list[Path]]:
    """Each batch of saved files under `paths` that `concerns` keeps, until `stop` is set."""
    from watchfiles import awatch

    async for changes in awatch(*paths, stop_event=stop, step=STEP_MS, debounce=DEBOUNCE_MS,
                                recursive=True, ignore_permission_denied=True):  # fmt: skip
        found = relevant(changes, concerns)
        if found:
            yield found
