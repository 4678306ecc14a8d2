"""A member's SVG as read: the allowlist's names and value forms, the refusals (an issue
code, a message and a hint), the element tree, and the reading itself (defusedxml's expat
reader, which refuses a DOCTYPE, entity declarations and external references). svgsafe.py
rebuilds a drawing from it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import SvgRefused
from . import limits

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

#: At most this many `<use>` elements, chained at most this deep, drawing at most this many
#: elements once every `<use>` is expanded (a few dozen `<use>` nested ten deep draw 10^10).
MAX_USES = 500
MAX_USE_DEPTH = 5
MAX_DRAWN = 50_000

#: The drawing elements kept (SVG 1.1, static).
ELEMENTS = frozenset({
    "svg", "g", "defs", "title", "desc", "symbol", "use", "image",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
})  # fmt: skip
#: Elements that signal an attack or load something: the image is refused (lower case).
UNSAFE_ELEMENTS = frozenset({
    "script", "foreignobject", "iframe", "embed", "object", "handler", "listener",
    "animate", "animatemotion", "animatetransform", "animatecolor", "set", "discard",
    "feimage", "tref", "audio", "video", "canvas", "font-face-uri",
})  # fmt: skip
#: SVG elements dropped with their content: they do not draw.
DROPPED_ELEMENTS = frozenset({"metadata"})
#: Elements whose `href` is kept (a local reference; on `<image>`, an embedded PNG or JPEG).
HREF_ELEMENTS = frozenset({"use", "image", "linearGradient", "radialGradient", "pattern"})
#: Elements drawn only where they are referenced (their content is counted there).
TEMPLATES = frozenset({
    "defs", "symbol", "linearGradient", "radialGradient", "pattern", "clipPath", "mask", "marker",
})  # fmt: skip
#: Elements whose text is part of the drawing or its description.
TEXT_ELEMENTS = frozenset({"text", "tspan", "title", "desc"})

NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
UNIT = r"(?:px|pt|pc|mm|cm|in|em|ex|rem|ch|vw|vh|vmin|vmax|%|deg|rad|grad|turn|q|s|ms)?"
WORD = r"[A-Za-z][A-Za-z0-9-]*"
TOKEN = rf"(?>{NUMBER}{UNIT}|{WORD})"  # atomic: one way to read a token
SEP = r"(?>\s*,\s*|\s+)"
ID = r"[A-Za-z_][\w.-]*"
COLOR = r"(?>#[0-9A-Fa-f]{3,8}|(?:rgba?|hsla?)\([0-9A-Za-z.,%+\-\s/]*+\)|[A-Za-z][A-Za-z-]*)"
IRI = rf"url\(\s*(['\"]?)#({ID})\1\s*\)"

#: The forms a value may take.
FORMS: dict[str, re.Pattern[str]] = {
    # numbers, lengths, angles, percentages and keywords, one or several (x, width,
    # stroke-dasharray, viewBox, points, preserveAspectRatio, font-weight, …)
    "tokens": re.compile(rf"\s*+{TOKEN}(?:{SEP}{TOKEN})*+\s*+", re.I),
    "color": re.compile(rf"\s*{COLOR}\s*"),
    "paint": re.compile(rf"\s*(?:{COLOR}|{IRI}(?:\s+{COLOR})?)\s*"),
    "reference": re.compile(rf"\s*(?:none|{IRI})\s*"),
    "transform": re.compile(
        r"\s*+(?>(?:matrix|translate|translateX|translateY|scale|scaleX|scaleY|rotate|skewX|skewY)"
        r"\s*+\([0-9A-Za-z.,%+\-\s]*+\)\s*+,?\s*+)*+"
    ),
    "path": re.compile(r"[MmZzLlHhVvCcSsQqTtAa0-9eE.,+\-\s]*"),
    "font-family": re.compile(r"[\w\s,.'\"\-]+"),
    "id": re.compile(ID),
    "ids": re.compile(rf"\s*+{ID}(?:\s++{ID})*+\s*+"),
    "lang": re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*"),
    "text": re.compile(r".*", re.S),
}

#: Presentation properties: allowed as attributes and as declarations of `style="…"`.
PROPERTIES: dict[str, str] = {
    "fill": "paint", "stroke": "paint",
    "color": "color", "stop-color": "color",
    "clip-path": "reference", "mask": "reference", "marker": "reference",
    "marker-start": "reference", "marker-mid": "reference", "marker-end": "reference",
    "font-family": "font-family",
    "transform": "transform",
    **{name: "tokens" for name in (
        "opacity", "fill-opacity", "stroke-opacity", "stop-opacity", "fill-rule",
        "clip-rule", "stroke-width", "stroke-linecap", "stroke-linejoin",
        "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "font-size",
        "font-weight", "font-style", "font-variant", "font-stretch", "text-anchor",
        "dominant-baseline", "alignment-baseline", "baseline-shift", "letter-spacing",
        "word-spacing", "text-decoration", "writing-mode", "direction", "unicode-bidi",
        "visibility", "display", "overflow", "vector-effect", "shape-rendering",
        "text-rendering", "color-rendering", "image-rendering", "paint-order",
        "color-interpolation", "transform-origin",
    )},
}  # fmt: skip
#: Every attribute kept (besides `href`), with the form of its value.
ATTRIBUTES: dict[str, str] = {
    **PROPERTIES,
    **{name: "tokens" for name in (
        "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr",
        "width", "height", "dx", "dy", "rotate", "offset", "points", "viewBox",
        "preserveAspectRatio", "markerWidth", "markerHeight", "markerUnits", "refX",
        "refY", "orient", "textLength", "lengthAdjust", "pathLength", "gradientUnits",
        "spreadMethod", "patternUnits", "patternContentUnits", "clipPathUnits",
        "maskUnits", "maskContentUnits", "role", "aria-hidden",
    )},
    "d": "path",
    "gradientTransform": "transform",
    "patternTransform": "transform",
    "id": "id",
    "aria-labelledby": "ids",
    "aria-describedby": "ids",
    "aria-label": "text",
    "lang": "lang",
    "xml:lang": "lang",
    "xml:space": "tokens",
}  # fmt: skip

URL = re.compile(r"url\s*\(\s*['\"]?\s*([^)'\"]*)", re.I)
LOCAL_URL = re.compile(rf"url\(\s*['\"]?#({ID})['\"]?\s*\)")
#: In a style sheet: an import, a font, a URL other than `url(#id)`, or a CSS escape.
CSS_ATTACK = re.compile(r"@import|@font-face|url\s*\(\s*['\"]?\s*(?!#)|\\", re.I)
DATA_IMAGE = re.compile(r"data:image/(png|jpeg|jpg);base64,([A-Za-z0-9+/=\s]*)", re.I)
HINT_UNSAFE = "export a plain SVG (no scripts, no links to other files or addresses), or use PNG"


def unsafe(what: str, hint: str = HINT_UNSAFE) -> tuple[str, str, str]:
    return ("image-unsafe", what, hint)


def unsupported(what: str, hint: str) -> tuple[str, str, str]:
    return ("image-svg-unsupported", what, hint)


def too_complex(what: str, hint: str) -> tuple[str, str, str]:
    return ("image-too-complex", what, hint)


def not_svg(what: str) -> tuple[str, str, str]:
    return ("image-type", what, "export the image again in the format its name says")


@dataclass
class Node:
    """An element as parsed: its namespace and name, attributes and content."""

    ns: str
    tag: str
    attrib: dict[str, str]
    children: list[Node | str] = field(default_factory=list)
    line: int = 0

    def __iter__(self) -> Iterator[Node]:
        return (c for c in self.children if isinstance(c, Node))


# --- reading ------------------------------------------------------------------------------


class _Stop(Exception):
    """The tree is already over a size limit: stop reading."""


def parse(data: bytes) -> tuple[Node, bool]:
    """The element tree, and whether reading stopped at a size limit. defusedxml's expat
    reader refuses a DOCTYPE, entity declarations and external references."""
    import io
    import xml.sax
    from xml.sax.handler import ContentHandler, feature_namespaces
    from xml.sax.xmlreader import AttributesNSImpl, Locator

    from defusedxml import DefusedXmlException
    from defusedxml.expatreader import create_parser

    stack: list[Node] = []
    result: list[Node] = []

    class Handler(ContentHandler):
        count = 0
        where: Locator | None = None

        def setDocumentLocator(self, locator: Locator) -> None:
            self.where = locator

        def processingInstruction(self, target: str, data: str) -> None:
            if target.strip().lower() == "xml-stylesheet":
                raise SvgRefused(*unsafe(
                    "has an xml-stylesheet instruction (<?xml-stylesheet …?>), which loads a "
                    "style sheet from another file or address"
                ))  # fmt: skip

        def startElementNS(
            self, name: tuple[str | None, str], qname: str | None, attrs: AttributesNSImpl
        ) -> None:
            ns, tag = name
            values = {
                (f"{a_ns} {a_name}" if a_ns else a_name): value
                for (a_ns, a_name), value in attrs.items()
            }
            line = (self.where.getLineNumber() or 0) if self.where is not None else 0
            node = Node(ns or "", tag, values, line=line)
            if stack:
                stack[-1].children.append(node)
            else:
                result.append(node)
            stack.append(node)
            self.count += 1
            if self.count > limits.MAX_SVG_ELEMENTS or len(stack) > limits.MAX_SVG_DEPTH:
                raise _Stop

        def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
            stack.pop()

        def characters(self, content: str) -> None:
            if stack:
                stack[-1].children.append(content)

    parser = create_parser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(Handler())
    stopped = False
    try:
        parser.parse(io.BytesIO(data))
    except _Stop:
        stopped = True
    except DefusedXmlException as exc:
        raise SvgRefused(*unsafe("declares a DOCTYPE or entities")) from exc
    except xml.sax.SAXParseException as exc:
        raise SvgRefused(*unsafe(
            f"is not well-formed XML ({exc.getMessage()}: line {exc.getLineNumber()}, "
            f"column {(exc.getColumnNumber() or 0) + 1})",
            "open the file in a drawing program and export it again as plain SVG",
        )) from exc  # fmt: skip
    if not result:
        raise SvgRefused(*not_svg("holds no element"))
    return result[0], stopped
