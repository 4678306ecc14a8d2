"""The stamp: the draft label and "Page X of Y", set onto merged pages from one sample
page laid out by WeasyPrint."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from ...errors import RenderError
from ..languages import FOOTERS, page_language
from .parts import DRAFT_INFO, body_start

_DIGITS = "0123456789"


def sample_footer(lang: str = "en") -> str:
    """The footer a stamp sample is laid out with: every glyph a footer needs, in the style
    of the real one (languages.FOOTERS)."""
    before, between, after = FOOTERS.get(lang, FOOTERS["en"])
    return before + _DIGITS + between + _DIGITS + after


def sample_css(html: str = "") -> str:
    """The stamp sample's style sheet, its footer in the language of the page `html`."""
    return (
        "@page { @top-left { content: none; } @top-right { content: none; } "
        f'@bottom-right {{ content: "{sample_footer(page_language(html))}"; }} }}\n'
        # nothing but the two lines: no background to hide the page under the stamp
        "html, body { background: none !important; }\n"
    )


SAMPLE_FOOTER = sample_footer()
SAMPLE_CSS = sample_css()


def stamp_html(html: str) -> str:
    """The stamp's source: the report's head and styles, and only the draft label."""
    label = DRAFT_INFO.search(html)
    return html[: body_start(html)] + (label.group(0) if label else "") + "</body>\n</html>\n"


_TEXT = re.compile(
    rb"BT\n1 0 0 -1 (?P<x>-?[\d.]+) (?P<y>-?[\d.]+) Tm\n/(?P<font>\S+) (?P<size>[\d.]+) Tf\n"
    rb"\[(?P<tj>[^\]]*)\] TJ\nET"
)
_GLYPHS = re.compile(rb"<([0-9a-fA-F]*)>(-?[\d.]+)?")
_RESOURCE_KINDS = ("/Font", "/ExtGState")


def _glyph_runs(tj: bytes) -> list[tuple[str, float]]:
    """The glyphs of a TJ array (4-hex-digit glyph ids) with the adjustment after each."""
    out: list[tuple[str, float]] = []
    for hexes, adjust in _GLYPHS.findall(tj):
        ids = [hexes[i : i + 4].decode() for i in range(0, len(hexes), 4)]
        for n, gid in enumerate(ids):
            last = n == len(ids) - 1
            out.append((gid, float(adjust) if last and adjust else 0.0))
    return out


def _widths(font: Any) -> tuple[dict[int, float], float]:
    """A CID font's advance widths (/W) and default width (/DW), in 1/1000 em."""
    import pikepdf

    descendant = font.DescendantFonts[0]
    default = float(descendant.get("/DW", 1000))
    widths: dict[int, float] = {}
    items = list(descendant.get("/W", pikepdf.Array()))
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1]
        if isinstance(nxt, pikepdf.Array):
            for n, w in enumerate(nxt):
                widths[first + n] = float(w)
            i += 2
        else:
            for cid in range(first, int(nxt) + 1):
                widths[cid] = float(items[i + 2])
            i += 3
    return widths, default


def page_contents(page: Any) -> list[Any]:
    """A page's content streams, as a list (none, one, or an array of them)."""
    import pikepdf

    contents = page.obj.get("/Contents")
    if contents is None:
        return []
    return list(contents) if isinstance(contents, pikepdf.Array) else [contents]


class Stamper:
    """Stamps the draft label and "Page X of Y" onto merged pages, from a sample page."""

    def __init__(self, sample_pdf: bytes, out: Any) -> None:
        import pikepdf

        sample = pikepdf.open(io.BytesIO(sample_pdf))
        page = sample.pages[0]
        contents = page.obj.get("/Contents")
        if isinstance(contents, pikepdf.Array):
            data = b"".join(c.read_bytes() for c in contents)
        else:
            data = contents.read_bytes() if contents is not None else b""
        resources = page.obj.Resources
        footer, words = None, FOOTERS["en"]
        for match in _TEXT.finditer(data):
            glyphs = [g for g, _ in _glyph_runs(match["tj"])]
            for lang_words in FOOTERS.values():
                lead, between, tail = lang_words
                first, second = len(lead), len(lead) + 10 + len(between)
                if (
                    len(glyphs) == len(lead + between + tail) + 20
                    and glyphs[first : first + 10] == glyphs[second : second + 10]
                ):
                    footer, words = match, lang_words
        if footer is None:
            raise RenderError("the stamp sample has no footer to re-set")
        runs = _glyph_runs(footer["tj"])
        sample_text = words[0] + _DIGITS + words[1] + _DIGITS + words[2]
        self.words = words
        self.glyph = {c: runs[i] for i, c in enumerate(sample_text)}
        self.widths, self.default = _widths(resources.Font["/" + footer["font"].decode()])
        self.size = float(footer["size"])
        self.right = float(footer["x"]) + self._advance(runs)
        start = footer.start()
        before, after = data[:start], data[footer.end() :]
        head = data[start : footer.start("x")]
        middle = data[footer.end("x") : footer.start("tj")]
        # The sample's resources, renamed so that they cannot clash with a page's own, and
        # copied into the merged document once.
        self.resources: dict[str, dict[str, Any]] = {}
        renames: dict[bytes, bytes] = {}
        for kind in _RESOURCE_KINDS:
            if kind not in resources:
                continue
            for name, value in resources[kind].items():
                new = f"/WgStamp{kind[1:]}{len(renames)}"
                renames[str(name).encode()] = new.encode()
                shared = value if value.is_indirect else sample.make_indirect(value)
                self.resources.setdefault(kind, {})[new] = out.copy_foreign(shared)
        pattern = re.compile(rb"(" + b"|".join(re.escape(k) for k in renames) + rb")(?=[\s\[<(/])")

        def rename(chunk: bytes) -> bytes:
            return pattern.sub(lambda m: renames[m.group(1)], chunk) if renames else chunk

        self.before, self.head = rename(before), rename(head)
        self.middle, self.after = rename(middle), rename(after)
        self.out = out
        self.push = pikepdf.Stream(out, b"q\n")
        self.pop = pikepdf.Stream(out, b"Q\n")

    def _advance(self, runs: Sequence[tuple[str, float]]) -> float:
        """How far a run of glyphs moves the pen (TJ's adjustments included)."""
        em = sum(self.widths.get(int(g, 16), self.default) - adjust for g, adjust in runs)
        return em / 1000 * self.size

    def footer(self, page: int, total: int) -> bytes:
        """The stamp's content for one page: the label, and the footer re-set."""
        before, between, after = self.words
        runs = [self.glyph[c] for c in f"{before}{page}{between}{total}{after}"]
        x = self.right - self._advance(runs)
        tj = b"".join(b"<" + g.encode() + b">" + f"{a:g}".encode() for g, a in runs)
        return (
            self.before + self.head + f"{x:.6f}".encode() + self.middle + tj + b"] TJ\nET"
            + self.after
        )  # fmt: skip

    def apply(self, page: Any, number: int, total: int) -> None:
        import pikepdf

        existing = page_contents(page)
        # the label and the footer are pagination artifacts, outside the tagged content
        stream = pikepdf.Stream(
            self.out,
            b"/Artifact <</Type /Pagination>> BDC\n" + self.footer(number, total) + b"\nEMC\n",
        )
        page.obj.Contents = pikepdf.Array([self.push, *existing, self.pop, stream])
        resources = page.obj.Resources
        for kind, entries in self.resources.items():
            if kind not in resources:
                resources[kind] = pikepdf.Dictionary()
            for name, obj in entries.items():
                resources[kind][name] = obj
