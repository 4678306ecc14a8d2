"""The machine-checkable conditions of PDF/UA-1 (the Matterhorn protocol's checkpoints that
need no human judgement and no full content-stream parse), checked with pikepdf.

veraPDF cannot be installed here (it needs a JVM from outside the registries). The `pdfua`
package on PyPI (0.1.3, alpha, one author, first released 2026) implements 16 of the 106
machine-checkable rules and is not kept well enough to be a dependency; these checks cover
the same ground and the rest that a WeasyPrint PDF can get wrong. Each problem names its
Matterhorn checkpoint."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: The standard structure types of ISO 32000-1, 14.8.4 (Matterhorn 02-001: any other must
#: be role-mapped to one of these).
STANDARD_TYPES = frozenset(
    {
        "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI",
        "Index", "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L",
        "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span",
        "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT",
        "RP", "Warichu", "WT", "WP", "Figure", "Formula", "Form",
    }
)  # fmt: skip
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_PDFUAID_PART = "{http://www.aiim.org/pdfua/ns/id/}part"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def xmp_properties(xmp: bytes) -> dict[str, str]:
    """The XMP packet's simple properties and first list items, by {namespace}name
    (written either as attributes or as elements of rdf:Description)."""
    import xml.etree.ElementTree as ET

    found: dict[str, str] = {}
    if not xmp.strip():
        return found
    for description in ET.fromstring(xmp).iter(f"{_RDF}Description"):
        for name, value in description.attrib.items():
            found.setdefault(name, value)
        for element in description:
            item = next(element.iter(f"{_RDF}li"), None)
            text = (item.text if item is not None else element.text) or ""
            found.setdefault(element.tag, text.strip())
    return found


def _true(value: object) -> bool:
    """Whether a PDF value is the boolean true (pikepdf gives it as a Python bool)."""
    return isinstance(value, bool) and value


def _elements(root: Any) -> Iterator[Any]:
    """Every structure element under the StructTreeRoot, in document order."""
    import pikepdf

    stack = [root.get("/K")]
    seen: set[tuple[int, int]] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            if node.is_indirect:
                if node.objgen in seen:
                    continue
                seen.add(node.objgen)
            yield node
            if "/K" in node:
                stack.append(node.K)


def _fonts(pdf: Any) -> Iterator[Any]:
    import pikepdf

    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.Font:
            yield obj


def ua_problems(path: Path) -> list[str]:
    """What keeps the PDF at `path` from PDF/UA-1, one line per problem ([] when none)."""
    import pikepdf

    problems: list[str] = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        if pdf.pdf_version < "1.7":
            problems.append(f"header: PDF {pdf.pdf_version}; PDF/UA-1 is based on PDF 1.7")
        # 06: metadata; 07: dictionary
        meta = root.get("/Metadata")
        xmp = meta.read_bytes() if isinstance(meta, pikepdf.Stream) else b""
        if not xmp:
            problems.append("06-001: the catalog has no XMP metadata stream")
        properties = xmp_properties(xmp)
        if properties.get(_PDFUAID_PART) != "1":
            problems.append("06-002: the XMP metadata has no PDF/UA identifier (pdfuaid:part 1)")
        if not properties.get(_DC_TITLE):
            problems.append("06-003: the XMP metadata has no dc:title")
        prefs = root.get("/ViewerPreferences", pikepdf.Dictionary())
        if not _true(prefs.get("/DisplayDocTitle")):
            problems.append("07-001: ViewerPreferences has no DisplayDocTitle true")
        # 01: tagged content; 11: natural language
        if "/StructTreeRoot" not in root:
            problems.append("01-004: the catalog has no StructTreeRoot (not tagged)")
        if not _true(root.get("/MarkInfo", pikepdf.Dictionary()).get("/Marked")):
            problems.append("01-002: MarkInfo has no Marked true")
        if not str(root.get("/Lang", "")).strip():
            problems.append("11-006: the catalog has no /Lang")
        if "/StructTreeRoot" in root:
            problems += _structure_problems(root.StructTreeRoot)
        # 28: annotations; 19/21: embedded files
        for number, page in enumerate(pdf.pages, start=1):
            annots = list(page.obj.get("/Annots", pikepdf.Array()))
            if annots and page.obj.get("/Tabs") != pikepdf.Name.S:
                problems.append(f"28-008: page {number} has annotations but no /Tabs /S")
            for annot in annots:
                kind = annot.get("/Subtype")
                if kind == pikepdf.Name.Link and "/StructParent" not in annot:
                    problems.append(f"28-011: a link on page {number} is not tagged (Link)")
                elif (
                    kind not in (pikepdf.Name.Link, pikepdf.Name.Widget, pikepdf.Name.Popup)
                    and "/Contents" not in annot
                ):
                    problems.append(
                        f"28-004: a {kind} annotation on page {number} has no /Contents"
                    )
        names = root.get("/Names", pikepdf.Dictionary())
        if "/EmbeddedFiles" in names:
            for name, spec in pikepdf.NameTree(names.EmbeddedFiles).items():
                if "/F" not in spec or "/UF" not in spec:
                    problems.append(f"21-001: the embedded file {name} has no /F and /UF")
        # 31: fonts
        for font in _fonts(pdf):
            problems += _font_problems(font)
    return problems


def _structure_problems(tree: Any) -> list[str]:
    import pikepdf

    problems: list[str] = []
    roles = tree.get("/RoleMap", pikepdf.Dictionary())
    levels: list[int] = []
    for element in _elements(tree):
        kind = str(element.S)[1:]
        mapped = kind
        for _ in range(10):  # a role map's chain ends at a standard type
            if mapped in STANDARD_TYPES or f"/{mapped}" not in roles:
                break
            mapped = str(roles[f"/{mapped}"])[1:]
        if mapped not in STANDARD_TYPES:
            problems.append(f"02-001: structure type {kind} is neither standard nor role-mapped")
        if mapped == "Figure" and not str(element.get("/Alt", element.get("/ActualText", ""))):
            problems.append("13-004: a Figure has neither /Alt nor /ActualText")
        if mapped in {f"H{n}" for n in range(1, 7)}:
            levels.append(int(mapped[1]))
        if mapped == "H":
            problems.append("14-???: unnumbered H headings mixed with numbered ones (14-007)")
    if levels and levels[0] != 1:
        problems.append(f"14-002: the first heading is H{levels[0]}, not H1")
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            problems.append(f"14-003: heading level skipped: H{before} followed by H{after}")
            break
    return problems


def _font_problems(font: Any) -> list[str]:
    import pikepdf

    kind = font.get("/Subtype")
    name = str(font.get("/BaseFont", "?"))
    if kind == pikepdf.Name.Type3:
        return []
    if kind == pikepdf.Name.Type0:
        problems = [] if "/ToUnicode" in font else [f"31-017: font {name} has no ToUnicode map"]
        return problems  # its descendant CIDFont is checked on its own
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return [f"31-001: font {name} has no font descriptor"]
    if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
        return [f"31-009: font {name} is not embedded"]
    if kind == pikepdf.Name.CIDFontType2 and "/CIDToGIDMap" not in font:
        return [f"31-003: CIDFontType2 font {name} has no CIDToGIDMap"]
    return []
