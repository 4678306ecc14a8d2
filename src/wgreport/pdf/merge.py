"""One PDF from the laid-out parts (pikepdf): pages, outline, links and metadata."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from .parts import Part
from .stamp import _Stamper


def merge_parts(
    pdfs: Sequence[bytes], parts: Sequence[Part], *, stamp: bytes | None = None
) -> bytes:
    """One PDF from the parts: pages, outline, links and metadata; with `stamp`, every
    page after the front matter gets the draft label and its footer from it.

    pikepdf (qpdf, in C++) copies the pages and writes the file: pypdf took 10 times as
    long (39 s against 3.9 s for 600 pages of 210 parts, measured on a loaded machine)."""
    import pikepdf

    out = pikepdf.new()
    dests: list[tuple[str, Any]] = []
    items: list[Any] = []
    sources = [pikepdf.open(io.BytesIO(p)) for p in pdfs]
    for part, src in zip(parts, sources, strict=True):
        first = len(out.pages)
        where = {page.obj.objgen: first + n for n, page in enumerate(src.pages)}
        with warnings.catch_warnings():
            # pages.extend() does not carry named destinations: they are rebuilt below, from
            # each part's own anchors only (its stand-ins for other parts' must not come).
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            out.pages.extend(src.pages)

        def moved(dest: Any, where: dict[tuple[int, int], int] = where) -> Any:
            """An explicit destination in the part, pointing at the merged page."""
            if not isinstance(dest, pikepdf.Array) or len(dest) < 1:
                return None
            page = where.get(dest[0].objgen)
            return None if page is None else pikepdf.Array([out.pages[page].obj, *list(dest)[1:]])

        for name, dest in _named_destinations(src):
            if name in part.owned and (target := moved(dest)) is not None:
                dests.append((name, target))
        with src.open_outline() as outline:
            items += [_copy_item(item, moved) for item in outline.root]
    out.Root.Names = pikepdf.Dictionary(
        Dests=pikepdf.Dictionary(
            Names=pikepdf.Array(
                [
                    x
                    for name, dest in sorted(dests, key=lambda d: d[0])
                    for x in (pikepdf.String(name), dest)
                ]
            )
        )
    )
    with out.open_outline() as outline:
        outline.root.extend(items)
    if stamp is not None:
        stamper = _Stamper(stamp, out)
        total = len(out.pages)
        for number in range(len(sources[0].pages), total):
            stamper.apply(out.pages[number], number + 1, total)
    front = sources[0]
    for key, value in front.docinfo.items():
        out.docinfo[key] = value
    if "/Lang" in front.Root:
        out.Root.Lang = front.Root.Lang
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _named_destinations(pdf: Any) -> list[tuple[str, Any]]:
    """A PDF's named destinations (the /Dests name tree, flattened)."""
    import pikepdf

    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    return [(str(k), v) for k, v in pikepdf.NameTree(names.Dests).items()]


def _copy_item(item: Any, moved: Callable[[Any], Any]) -> Any:
    """An outline entry of a part, with its children, pointing at the merged pages."""
    import pikepdf

    copy = pikepdf.OutlineItem(
        item.title, moved(item.destination) if item.destination is not None else None
    )
    copy.is_closed = item.is_closed
    copy.children.extend(_copy_item(child, moved) for child in item.children)
    return copy
