"""The last pass over a report's PDF, draft or final: what archives and assistive technology
expect of the file as a whole.

- **One font per face.** A draft's parts are laid out separately, and each part embeds its
  own subset of every face it uses (the demo draft: 60 font programs for 6 faces, the
  Korean face's four subsets 430 kB). WeasyPrint subsets with retained glyph ids (HarfBuzz's
  RETAIN_GIDS, as fontTools' `retain_gids`): a glyph has the same id in every part's
  subset, and the PDF's character codes are those ids (Identity-H, CIDToGIDMap Identity).
  So the fonts of one face are joined into one: one subset of the installed font with the
  union of the glyphs every part uses (fontTools, retaining the ids as WeasyPrint does), one
  width array, one ToUnicode map, and every page's resources point at it. WeasyPrint has no
  option to embed the whole fonts once (`full_fonts` embeds the whole font in each part:
  19 MB for the Korean face). A face whose installed font cannot be found (fontconfig is
  asked by PostScript name) is left as it is: correct, only larger.
- **Metadata.** XMP metadata (title, authors, description, keywords, language, dates,
  creator tool) from the document information, with the PDF/UA-1 identifier
  (`pdfuaid:part`) when the file is tagged; the viewer shows the title, not the file name
  (ViewerPreferences/DisplayDocTitle).
- **PDF 1.7**, written with object streams (what makes a merged draft's structure tree
  small: 2.5 MB of dictionaries in plain objects).

The result is deterministic: the same PDF in, the same bytes out. fontTools comes with
WeasyPrint (which subsets with it where HarfBuzz cannot).
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import struct
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...cache import ContentCache, content_key

#: The version the file declares: PDF/UA-1 is based on PDF 1.7 (ISO 32000-1).
PDF_VERSION = "1.7"

_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")
_BFBLOCK = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)


def finish_pdf(pdf: bytes, cache_dir: Path | None = None) -> bytes:
    """The PDF with one font per face, XMP metadata and the PDF/UA identifier where it is
    tagged, written as PDF 1.7 with object streams. The joined fonts are kept in the
    content-addressed cache in `cache_dir` (the Korean face takes 4-5 s to cut)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return finish_document(doc, cache_dir)


def finish_document(doc: Any, cache_dir: Path | None = None) -> bytes:
    """`finish_pdf` of the open pikepdf document `doc` (which it changes): the bytes of
    the finished file. The per-chapter render calls it on the merged document before it
    is ever written, so that merging, the draft mark and this pass save the file once."""
    import pikepdf

    join_fonts(doc, ContentCache(cache_dir))
    write_metadata(doc)
    out = io.BytesIO()
    doc.save(
        out,
        min_version=PDF_VERSION,
        force_version=PDF_VERSION,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        deterministic_id=True,
    )
    return out.getvalue()


# --- metadata ---------------------------------------------------------------------------


def write_metadata(doc: Any) -> None:
    """XMP metadata from the document information (and the catalog's /Lang), with the
    PDF/UA-1 identifier when the document is tagged; the viewer shows its title."""
    import pikepdf

    tagged = "/StructTreeRoot" in doc.Root and bool(
        doc.Root.get("/MarkInfo", pikepdf.Dictionary()).get("/Marked", False)
    )
    info = doc.docinfo
    if "/CreationDate" in info and "/ModDate" not in info:
        info["/ModDate"] = info["/CreationDate"]  # a build writes its PDF once
    lang = str(doc.Root.get("/Lang", "")).strip()
    with doc.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.load_from_docinfo(info, raise_failure=False)
        if lang:
            meta["dc:language"] = [lang]
        if "xmp:ModifyDate" in meta:
            meta["xmp:MetadataDate"] = meta["xmp:ModifyDate"]
        if tagged:
            meta["pdfuaid:part"] = "1"
    prefs = doc.Root.get("/ViewerPreferences")
    if prefs is None:
        doc.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    else:
        prefs.DisplayDocTitle = True


# --- fonts ------------------------------------------------------------------------------


def join_fonts(doc: Any, cache: ContentCache | None = None) -> int:
    """Join the composite fonts of each face into one (see the module's doc); return how
    many font dictionaries were replaced."""
    faces: dict[tuple[str, str], list[Any]] = {}
    for font in _type0_fonts(doc):
        descendant = font.DescendantFonts[0]
        descriptor = descendant.get("/FontDescriptor")
        if descriptor is None or descendant.get("/CIDToGIDMap", "/Identity") != "/Identity":
            continue
        face = str(descriptor.FontName).split("+", 1)[-1]
        faces.setdefault((face, str(descendant.Subtype)), []).append(font)
    replaced: dict[tuple[int, int], Any] = {}
    for fonts in faces.values():
        if len(fonts) < 2:
            continue
        joined = _join_face(doc, fonts, cache or ContentCache(None))
        if joined is not None:
            replaced |= {f.objgen: joined for f in fonts if f.objgen != joined.objgen}
    if replaced:
        _repoint(doc, replaced)
    return len(replaced)


def _type0_fonts(doc: Any) -> Iterator[Any]:
    import pikepdf

    for obj in doc.objects:
        if (
            isinstance(obj, pikepdf.Dictionary)
            and obj.get("/Type") == pikepdf.Name.Font
            and obj.get("/Subtype") == pikepdf.Name.Type0
            and obj.is_indirect
        ):
            yield obj


def _font_file(descriptor: Any) -> tuple[str, Any] | None:
    for key in ("/FontFile2", "/FontFile3"):
        if key in descriptor:
            return key, descriptor[key]
    return None


def _join_face(doc: Any, fonts: list[Any], cache: ContentCache) -> Any | None:
    """One font for `fonts` (the same face's subsets): the first, given the union of their
    glyphs, widths and Unicode maps; None when the installed font cannot be found."""
    import pikepdf

    widths: dict[int, float] = {}
    unicode: dict[int, bytes] = {}
    for font in fonts:
        for gid, width in parse_widths(font.DescendantFonts[0].get("/W", pikepdf.Array())):
            widths.setdefault(gid, width)
        if "/ToUnicode" in font:
            for gid, text in parse_to_unicode(font.ToUnicode.read_bytes()).items():
                unicode.setdefault(gid, text)
    first = fonts[0]
    descendant = first.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    found = _font_file(descriptor)
    if found is None:
        return None
    key, stream = found
    glyphs = frozenset(widths) | frozenset(unicode) | {0}
    program = subset_installed(stream.read_bytes(), glyphs, cache)
    if program is None:
        return None
    new = pikepdf.Stream(doc, program)
    if key == "/FontFile3":
        new.Subtype = pikepdf.Name.OpenType
    else:
        new.Length1 = len(program)
    descriptor[key] = new
    descendant.W = pikepdf.Array(_width_array(widths))
    first.ToUnicode = pikepdf.Stream(doc, to_unicode_cmap(unicode))
    tag = _subset_tag(program)
    name = pikepdf.Name("/" + tag + "+" + str(descriptor.FontName).split("+", 1)[-1])
    descriptor.FontName = descendant.BaseFont = first.BaseFont = name
    return first


def _subset_tag(program: bytes) -> str:
    """Six capital letters naming the subset (ISO 32000-1, 9.6.4), from its content."""
    digest = hashlib.sha256(program).digest()
    return "".join(chr(65 + b % 26) for b in digest[:6])


def _repoint(doc: Any, replaced: dict[tuple[int, int], Any]) -> None:
    """Every resource dictionary's fonts that were joined point at the joined font."""
    import pikepdf

    seen: set[tuple[int, int]] = set()

    def fix(resources: Any) -> None:
        if not isinstance(resources, pikepdf.Dictionary):
            return
        if resources.is_indirect:
            if resources.objgen in seen:
                return
            seen.add(resources.objgen)
        fonts = resources.get("/Font")
        if isinstance(fonts, pikepdf.Dictionary):
            for name in list(fonts.keys()):
                value = fonts[name]
                if value.is_indirect and value.objgen in replaced:
                    fonts[name] = replaced[value.objgen]

    for obj in doc.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            fix(obj.get("/Resources"))
            if isinstance(obj, pikepdf.Dictionary) and "/Font" in obj and "/Type" not in obj:
                fix(obj)  # an indirect resource dictionary
    for page in doc.pages:
        fix(page.obj.get("/Resources"))


def parse_widths(w: Iterable[Any]) -> Iterator[tuple[int, float]]:
    """A CID font's /W array as (glyph id, width) pairs."""
    import pikepdf

    items = list(w)
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1]
        if isinstance(nxt, pikepdf.Array):
            for n, width in enumerate(nxt):
                yield first + n, float(width)
            i += 2
        else:
            for gid in range(first, int(nxt) + 1):
                yield gid, float(items[i + 2])
            i += 3


def _width_array(widths: dict[int, float]) -> list[Any]:
    """A /W array: runs of consecutive glyph ids, each with its widths."""
    import pikepdf

    out: list[Any] = []
    run: list[float] = []
    start = previous = -2
    for gid in sorted(widths):
        if gid != previous + 1 and run:
            out += [start, pikepdf.Array([_number(w) for w in run])]
            run = []
        if not run:
            start = gid
        run.append(widths[gid])
        previous = gid
    if run:
        out += [start, pikepdf.Array([_number(w) for w in run])]
    return out


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def parse_to_unicode(cmap: bytes) -> dict[int, bytes]:
    """A ToUnicode CMap's single-glyph entries (bfchar): glyph id → UTF-16BE hex."""
    return {
        int(gid, 16): text.lower()
        for block in _BFBLOCK.findall(cmap)
        for gid, text in _BFCHAR.findall(block)
    }


def to_unicode_cmap(entries: dict[int, bytes]) -> bytes:
    """A ToUnicode CMap (as WeasyPrint writes them) from glyph id → UTF-16BE hex."""
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo",
        b"<< /Registry (Adobe)",
        b"/Ordering (UCS)",
        b"/Supplement 0",
        b">> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = sorted(entries.items())
    for start in range(0, len(items), 100):
        batch = items[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [b"<%04x> <%s>" % (gid, text) for gid, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def subset_installed(
    embedded: bytes, glyphs: frozenset[int], cache: ContentCache | None = None
) -> bytes | None:
    """A subset of the installed font that `embedded` (a subset WeasyPrint made) was cut
    from, with `glyphs` at their ids; None when that font is not installed or not the one."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(io.BytesIO(embedded), lazy=True) as font:
            name = font["name"].getDebugName(6)
    except (TTLibError, KeyError, AssertionError):
        return None
    if not name:
        return None
    found = installed_font(name)
    if found is None:
        return None
    path, index = found
    from fontTools import version as fonttools_version

    stat = Path(path).stat()
    key = content_key(path, str(index), str(stat.st_size), str(stat.st_mtime_ns),
                      fonttools_version, ",".join(map(str, sorted(glyphs))))  # fmt: skip
    store = cache or ContentCache(None)
    program = store.get("fonts", key)
    if program is not None and not _readable(program):
        program = None  # a damaged entry is a miss
    if program is None:
        program = _subset(path, index, glyphs)
        if program is not None:
            store.put("fonts", key, program)
    return program


@functools.cache
def installed_font(postscript_name: str) -> tuple[str, int] | None:
    """The file (and index in a collection) of the installed font with this PostScript
    name, from fontconfig; None without fontconfig or such a font."""
    try:
        out = subprocess.run(
            ["fc-list", f":postscriptname={postscript_name}", "--format", "%{file}\t%{index}\n"],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    rows = sorted(line.split("\t") for line in out.stdout.splitlines() if "\t" in line)
    if not rows or not Path(rows[0][0]).is_file():
        return None
    return rows[0][0], int(rows[0][1] or 0)


def _readable(program: bytes) -> bool:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(io.BytesIO(program)) as font:
            return int(font["maxp"].numGlyphs) > 0
    except (TTLibError, KeyError, AssertionError, ValueError, EOFError, struct.error):
        return False


@functools.lru_cache(maxsize=32)
def _subset(path: str, index: int, glyphs: frozenset[int]) -> bytes | None:
    """The font at `path` (`index` in a collection) cut down to `glyphs`, their ids kept,
    without the layout tables a PDF does not use. Kept in memory too, for the next build
    in the same process (the live preview, the portal's builds, the test suite).

    Cut for speed: the font's bounding boxes are not computed again (fontTools would draw
    each of the 65,535 glyph slots of a CJK font: 3.7 s of the Korean face's 4-5 s), and its
    hints and subroutines are kept as the font has them (removing them took 4.8 s more)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont, TTLibError

    options = subset.Options(
        retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True,
        hinting=True, desubroutinize=False, notdef_outline=True,
    )  # fmt: skip
    options.drop_tables += ["GSUB", "GPOS", "SVG ", "BASE", "DSIG", "EBDT", "EBLC", "EBSC",
                            "JSTF", "LTSH", "PCLT"]  # fmt: skip
    try:
        with TTFont(
            path, fontNumber=index, lazy=True, recalcTimestamp=False, recalcBBoxes=False
        ) as font:
            if max(glyphs) >= font["maxp"].numGlyphs:
                return None  # not the font the subsets were cut from
            subsetter = subset.Subsetter(options)
            subsetter.populate(gids=sorted(glyphs))
            subsetter.subset(font)
            out = io.BytesIO()
            font.save(out)
    except (OSError, TTLibError):
        return None
    return out.getvalue()
