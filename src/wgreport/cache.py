"""The content-addressed cache of a build's expensive pieces (outputs/.cache/): the charts
(`figures`) and the PDF parts and their layouts (`pdf.cache`). An entry's key is the sha256
of everything it is made from, so an entry is never stale: a change makes a new key. A
damaged or unreadable entry is a miss, and a cache that cannot be written only costs time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def content_key(*items: str | bytes) -> str:
    """The sha256 of `items`, each length-prefixed (so that ("ab", "c") ≠ ("a", "bc"))."""
    h = hashlib.sha256()
    for item in items:
        data = item.encode("utf-8") if isinstance(item, str) else item
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


class ContentCache:
    """Bytes on disk under `folder/<kind>/<key[:2]>/<key>`; no folder: nothing is kept."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _path(self, kind: str, key: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / kind / key[:2] / key

    def get(self, kind: str, key: str) -> bytes | None:
        path = self._path(kind, key)
        try:
            return path.read_bytes() if path is not None else None
        except OSError:
            return None

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Write the entry atomically (a reader never sees half of it)."""
        path = self._path(kind, key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time
