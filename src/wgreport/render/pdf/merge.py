"""One PDF from the laid-out parts (pikepdf): pages, outline, links and metadata."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from .parts import Part
from .stamp import Stamper


def merge_parts(
    pdfs: Sequence[bytes],
    parts: Sequence[Part],
    *,
    stamp: bytes | None = None,
    last: Callable[[Any], bytes] | None = None,
) -> bytes:
    """One PDF from the parts: pages, outline, links and metadata; with `stamp`, every
    page after the front matter gets the draft label and its footer from it. With
    `last`, the merged document is handed to it open, and what it returns (the finished
    file: report.py's draft mark and finish.finish_document) is the result: the file is
    written once instead of written, read back and written again for each pass.

    pikepdf (qpdf, in C++) copies the pages and writes the file: pypdf took 10 times as
    long (39 s against 3.9 s for 600 pages of 210 parts, measured on a loaded machine)."""
    import pikepdf

    out = pikepdf.new()
    dests: list[tuple[str, Any]] = []
    items: list[Any] = []
    sources = [pikepdf.open(io.BytesIO(p)) for p in pdfs]
    tree = _StructureMerge(out)
    for part, src in zip(parts, sources, strict=True):
        first = len(out.pages)
        where = {page.obj.objgen: first + n for n, page in enumerate(src.pages)}
        with warnings.catch_warnings():
            # pages.extend() does not carry named destinations: they are rebuilt below, from
            # each part's own anchors only (its stand-ins for other parts' must not come).
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            out.pages.extend(src.pages)
        tree.add(src, [out.pages[first + n] for n in range(len(src.pages))])

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
        stamper = Stamper(stamp, out)
        total = len(out.pages)
        for number in range(len(sources[0].pages), total):
            stamper.apply(out.pages[number], number + 1, total)
    tree.finish()
    front = sources[0]
    for key, value in front.docinfo.items():
        out.docinfo[key] = value
    if "/Lang" in front.Root:
        out.Root.Lang = front.Root.Lang
    if last is not None:
        return last(out)
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


class _StructureMerge:
    """One structure tree from the parts' (each part is a tagged PDF): their Document
    elements' children under one Document, and their parent trees joined, each part's keys
    moved past the previous parts' (pages' /StructParents, annotations' /StructParent).

    pikepdf copies a part's pages and then its structure elements with the same foreign
    object map, so the elements' /Pg and object references land on the merged pages."""

    def __init__(self, out: Any) -> None:
        import pikepdf

        self.out = out
        self.root = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        self.document = out.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=self.root)
        )
        self.kids = pikepdf.Array()
        self.nums = pikepdf.Array()
        self.next_key = 0
        self.tagged = False

    def add(self, src: Any, pages: Sequence[Any]) -> None:
        import pikepdf

        struct = src.Root.get("/StructTreeRoot")
        if struct is None:
            return
        self.tagged = True
        offset, highest = self.next_key, -1
        nums = list(struct.ParentTree.get("/Nums", pikepdf.Array()))
        for key, value in zip(nums[::2], nums[1::2], strict=True):
            highest = max(highest, int(key))
            self.nums.append(int(key) + offset)
            self.nums.append(self._copy(value))
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annot in page.obj.get("/Annots", pikepdf.Array()):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + offset
        top = struct.K
        elements = list(top) if isinstance(top, pikepdf.Array) else [top]
        for element in elements:
            inner = element.get("/K") if element.get("/S") == pikepdf.Name.Document else None
            children = (
                (list(inner) if isinstance(inner, pikepdf.Array) else [inner])
                if inner is not None
                else [element]
            )
            for child in children:
                copy = self._copy(child)
                if isinstance(copy, pikepdf.Dictionary):
                    copy.P = self.document
                self.kids.append(copy)
        self.next_key = offset + highest + 1

    def _copy(self, value: Any) -> Any:
        """A part's object in the merged PDF (a direct array or dictionary: its members)."""
        import pikepdf

        if isinstance(value, pikepdf.Object) and value.is_indirect:
            return self.out.copy_foreign(value)
        if isinstance(value, pikepdf.Array):
            return pikepdf.Array([self._copy(v) for v in value])
        if isinstance(value, pikepdf.Dictionary):
            return pikepdf.Dictionary({k: self._copy(v) for k, v in value.items()})
        return value

    def finish(self) -> None:
        import pikepdf

        if not self.tagged:
            return
        self.document.K = self.kids
        self.root.K = pikepdf.Array([self.document])
        self.root.ParentTree = self.out.make_indirect(pikepdf.Dictionary(Nums=self.nums))
        self.root.ParentTreeNextKey = self.next_key
        self.out.Root.StructTreeRoot = self.root
        self.out.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
