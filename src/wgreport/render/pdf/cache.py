"""Parts' PDFs and layouts in the content-addressed cache, keyed by the sha256 of what
they are made from."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from ...cache import ContentCache
from ..html import PAGED_CSS
from .parts import Layout


class PartCache:
    """Layouts and part PDFs in the content-addressed cache (`wgreport.cache`), under
    `parts/` of its folder, keyed by the sha256 of their inputs."""

    def __init__(self, folder: Path | None) -> None:
        self.store = ContentCache(folder)

    def get(self, kind: str, key: str) -> bytes | None:
        return self.store.get(f"parts/{kind}", key)

    def put(self, kind: str, key: str, data: bytes) -> None:
        self.store.put(f"parts/{kind}", key, data)

    def get_layout(self, kind: str, key: str) -> Layout | None:
        data = self.get(kind, key)
        if data is None:
            return None
        try:
            loaded = json.loads(data)
            return Layout(
                int(loaded["pages"]),
                {str(k): int(v) for k, v in loaded["anchors"].items()},
                {str(k): (str(t), int(p)) for k, (t, p) in loaded["xrefs"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # a damaged entry is a miss

    def put_layout(self, kind: str, key: str, layout: Layout) -> None:
        self.put(kind, key, json.dumps(dataclasses.asdict(layout)).encode())

    def get_part(self, key: str) -> tuple[bytes, Layout] | None:
        """A rendered part: its PDF and its layout."""
        layout = self.get_layout("meta", key)
        pdf = self.get("pdf", key) if layout is not None else None
        return (pdf, layout) if pdf is not None and layout is not None else None

    def put_part(self, key: str, pdf: bytes, layout: Layout) -> None:
        self.put("pdf", key, pdf)
        self.put_layout("meta", key, layout)

    def put_warnings(self, key: str, warnings: Sequence[str]) -> None:
        """WeasyPrint's warnings of the job whose result is kept under `key`: a build that
        takes that result from the cache reports them as the build that made it did."""
        if warnings:
            self.put("warnings", key, json.dumps(list(warnings)).encode())

    def warnings(self, key: str) -> list[str]:
        """The warnings kept for `key` (none kept: none were given, or a damaged entry)."""
        data = self.get("warnings", key)
        try:
            loaded = json.loads(data) if data is not None else []
        except ValueError:
            return []
        return [str(w) for w in loaded] if isinstance(loaded, list) else []


#: How parts are written (WeasyPrint's write_pdf options that change the bytes) and what is
#: kept with them: a cached part written otherwise, or kept without its warnings (before
#: they were kept), is not reused.
PDF_WRITER = (
    "pdf_tags=True; structure elements carry their lang (languages.tag_languages); "
    "warnings kept with each entry"
)


def environment_digest(templates_dir: Path, image_roots: Sequence[Path]) -> str:
    """What a part's layout depends on besides its HTML: the style sheets, the images, and
    the WeasyPrint version."""
    from importlib.metadata import version

    # The installed distribution's version, as weasyprint.__version__ gives it, without
    # importing WeasyPrint into the build's process (0.7-1.2 s): the workers lay out.
    h = hashlib.sha256(version("weasyprint").encode())
    h.update(PDF_WRITER.encode())
    h.update((templates_dir / PAGED_CSS).read_bytes())
    for root in sorted(image_roots):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            h.update(str(path.relative_to(root)).encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()
