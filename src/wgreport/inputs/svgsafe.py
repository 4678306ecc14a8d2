"""A member's SVG image, rebuilt from an allowlist: what the report embeds is never the
member's file, but a new SVG made of the elements, attributes and values listed here.

The file is read with defusedxml's expat reader, which refuses a DOCTYPE (so no entity is
ever declared or expanded) and never reads an external entity. From the parsed tree a new
document is written: only the static drawing elements of SVG 1.1 (`ELEMENTS`), only
their geometry, presentation, accessibility and local-reference attributes, each value
checked against the form it must have (a colour, a length, a transform, path data, a
local reference `#id`, …), attributes sorted, so that the same file always gives the same
bytes.

The rule, per case:

- **Refused** (`image-unsafe`) — what signals an attack or would make the report load
  something: scripts, embedded HTML (`<foreignObject>`), animation (it can rewrite a
  link), event handlers (`onload=`), a DOCTYPE or entities, the `xml-stylesheet`
  instruction, a link (`href`) that is not `#id` (or, on `<image>`, an embedded PNG or
  JPEG as a `data:` URL), a CSS `url()` that is not `url(#id)`, a CSS escape (`\\69`) in
  a value.
- **Refused** (`image-too-complex`) — what would hold the layout: too many or too deeply
  nested elements, more than `MAX_USES` `<use>`, `<use>` chains deeper than
  `MAX_USE_DEPTH`, more than `MAX_DRAWN` elements drawn once every `<use>` is expanded
  and every pattern, clip path, mask and marker drawn where it is used, and
  reference cycles (a `<use>`, gradient, pattern, marker, clip path or mask that
  shows itself).
- **Refused** (`image-svg-unsupported`) — what the report cannot check or draw and that
  would change the picture if dropped: a style sheet (`<style>`), a filter, a link
  (`<a>`), text on a path, other elements outside the list, and an allowed attribute
  whose value is not of its form.
- **Dropped silently** — what does not change the picture: comments, other processing
  instructions, `<metadata>`, elements and attributes of other XML namespaces (the
  `inkscape:`, `sodipodi:`, `rdf:` and Illustrator editors' data), attributes outside
  the list (`class`, `data-*`, `version`, …), an empty `<style/>`, and style
  declarations outside the list (`-inkscape-font-specification`, …). A `style="…"`
  attribute is not kept: its allowed declarations become presentation attributes.

Standard library only: `wgreport validate` imports this module.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import SvgRefused
from . import limits
from .svgtree import (
    ATTRIBUTES,
    CSS_ATTACK,
    DATA_IMAGE,
    DROPPED_ELEMENTS,
    ELEMENTS,
    FORMS,
    HREF_ELEMENTS,
    LOCAL_URL,
    MAX_DRAWN,
    MAX_USE_DEPTH,
    MAX_USES,
    NUMBER,
    PROPERTIES,
    SVG_NS,
    TEMPLATES,
    TEXT_ELEMENTS,
    UNSAFE_ELEMENTS,
    URL,
    XLINK_NS,
    XML_NS,
    Node,
    not_svg,
    parse,
    too_complex,
    unsafe,
    unsupported,
)

__all__ = ["SafeSvg", "SvgRefused", "problem", "sanitise"]


@dataclass(frozen=True)
class SafeSvg:
    """A member's SVG rebuilt from the allowlist: its bytes and the size it declares."""

    data: bytes
    size: tuple[float, float] | None


def sanitise(data: bytes) -> SafeSvg:
    """The SVG rebuilt from the allowlist; raises `SvgRefused` when it cannot be used."""
    root, stopped = parse(data)
    complex_ = limits.svg_complexity_problem(root)
    if stopped and complex_ is None:  # pragma: no cover - the limits agree
        complex_ = "is too large to lay out (limit: SVG elements)"
    if complex_ is not None:
        raise SvgRefused(*too_complex(
            complex_, "simplify the drawing (fewer, flatter groups), or export it as PNG"
        ))  # fmt: skip
    if root.ns not in ("", SVG_NS) or root.tag != "svg":
        raise SvgRefused(*not_svg(f"is not an SVG drawing: its first element is <{root.tag}>"))
    clean = _rebuild(root)
    assert clean is not None  # the root is an <svg>
    _check_references(clean)
    return SafeSvg(_serialise(clean).encode("utf-8"), limits.svg_size(clean))


def problem(data: bytes) -> tuple[str, str, str] | None:
    """Why the SVG cannot be used, as (code, message, hint), or None."""
    try:
        sanitise(data)
    except SvgRefused as exc:
        return exc.code, exc.message, exc.hint
    return None


# --- rebuilding ---------------------------------------------------------------------------


def _rebuild(node: Node) -> Node | None:
    """The node as kept (None when dropped), or `SvgRefused`."""
    lower = node.tag.lower()
    if lower in UNSAFE_ELEMENTS:
        raise SvgRefused(*unsafe(f"contains a <{lower}> element (line {node.line})"))
    if node.ns not in ("", SVG_NS) or node.tag in DROPPED_ELEMENTS:
        _attributes(node, keep=False)  # dropped, but an event handler or link is refused
        return None
    attrib = _attributes(node, keep=True)
    if node.tag == "style":
        sheet = "".join(c for c in node.children if isinstance(c, str))
        if CSS_ATTACK.search(sheet):
            raise SvgRefused(*unsafe(
                f"has a style sheet (<style>, line {node.line}) that loads another file or "
                "address, or hides its rules with CSS escapes"
            ))  # fmt: skip
        if sheet.strip():
            raise SvgRefused(*unsupported(
                f"has a style sheet (<style>, line {node.line}), which the report does not use",
                "export the SVG with presentation attributes instead of CSS (in Illustrator: "
                "Styling: Presentation Attributes; in Inkscape: save as Optimized or Plain "
                "SVG), or use PNG",
            ))  # fmt: skip
        return None
    if node.tag not in ELEMENTS:
        raise SvgRefused(*unsupported(
            f"contains a <{node.tag}> element (line {node.line}), which the report does not "
            "draw",
            "remove it (filters, links and text on a path are not supported), or export the "
            "drawing as PNG",
        ))  # fmt: skip
    clean = Node(SVG_NS, node.tag, attrib, line=node.line)
    for child in node.children:
        if isinstance(child, str):
            if node.tag in TEXT_ELEMENTS or not child.strip():
                clean.children.append(child)
        else:
            kept = _rebuild(child)
            if kept is not None:
                clean.children.append(kept)
    return clean


def _attributes(node: Node, keep: bool) -> dict[str, str]:
    """The node's kept attributes, `style="…"` turned into attributes; or `SvgRefused`.
    With `keep` false, only what signals an attack is looked for."""
    kept: dict[str, str] = {}
    declared: dict[str, str] = {}
    where = f"<{node.tag}> (line {node.line})"
    for qualified, value in node.attrib.items():
        ns, _, name = qualified.rpartition(" ")
        if name.lower().startswith("on"):
            raise SvgRefused(*unsafe(f"has an event handler ({name.lower()}=) on {where}"))
        if name == "href":
            if ns in ("", XLINK_NS):
                _href(node, value, kept, where)
            elif not value.strip().startswith("#"):
                raise SvgRefused(*unsafe(
                    f"refers to another file or address ({value.strip()[:60]})"
                ))  # fmt: skip
            continue
        if ns in ("", SVG_NS) or name == "style":
            _no_outside_url(value, f"{name}= on {where}")
        if ns == XML_NS:
            name = f"xml:{name}"
        elif ns not in ("", SVG_NS) or not keep:
            continue  # another vocabulary's data (inkscape:, sodipodi:, …)
        if name == "style":
            declared = _style(value, where)
        elif name in ATTRIBUTES:
            kept[name] = _checked(name, value, where)
    kept.update(declared)  # a style declaration overrides the attribute (CSS cascade)
    return kept


def _href(node: Node, value: str, kept: dict[str, str], where: str) -> None:
    target = value.strip()
    if target.startswith("#") and FORMS["id"].fullmatch(target[1:]):
        if node.tag in HREF_ELEMENTS and node.tag != "image":
            kept["href"] = target
        return
    data = DATA_IMAGE.fullmatch(target)
    if node.tag == "image" and data is not None:
        kept["href"] = _embedded_image(data[1].lower(), data[2], where)
        return
    raise SvgRefused(*unsafe(
        f"refers to another file or address ({target[:60]}) on {where}"
    ))  # fmt: skip


def _embedded_image(kind: str, payload: str, where: str) -> str:
    """A PNG or JPEG embedded in an `<image>`: decoded, checked, written again."""
    kind = "jpeg" if kind == "jpg" else kind
    try:
        raw = base64.b64decode("".join(payload.split()), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    magic = b"\x89PNG\r\n\x1a\n" if kind == "png" else b"\xff\xd8\xff"
    size = limits.raster_size(raw, "PNG" if kind == "png" else "JPEG")
    if not raw.startswith(magic) or size is None:
        raise SvgRefused(*unsupported(
            f"embeds a picture on {where} that is not a readable {kind.upper()} image",
            "embed the picture again as PNG or JPEG, or export the whole drawing as PNG",
        ))  # fmt: skip
    too_big = limits.pixels_problem(*size)
    if too_big is not None:
        raise SvgRefused(*too_complex(
            f"embeds a picture on {where}: {too_big}",
            f"scale the embedded picture down to at most {limits.MAX_IMAGE_SIDE:,} pixels a "
            "side, or export the drawing as PNG",
        ))  # fmt: skip
    return f"data:image/{kind};base64," + base64.b64encode(raw).decode("ascii")


def _no_outside_url(value: str, where: str) -> None:
    for match in URL.finditer(value):
        if not match[1].strip().startswith("#"):
            raise SvgRefused(*unsafe(
                f"has a url() that refers to another file or address "
                f"(url({match[1].strip()[:60]})) in {where}"
            ))  # fmt: skip


def _style(value: str, where: str) -> dict[str, str]:
    """The allowed declarations of a `style="…"` attribute, as attributes."""
    if "\\" in value or "@" in value or "/*" in value:
        raise SvgRefused(*unsafe(
            f"has a style on {where} with a CSS escape, at-rule or comment "
            f"({value.strip()[:60]})"
        ))  # fmt: skip
    declared: dict[str, str] = {}
    for declaration in value.split(";"):
        name, colon, content = declaration.partition(":")
        name = name.strip().lower()
        if not colon or name not in PROPERTIES:
            continue  # an editor's own property (-inkscape-…), or one that does not draw
        declared[name] = _checked(name, _not_important(content), where)
    return declared


def _not_important(value: str) -> str:
    """A declaration's value without `!important` (which changes nothing here)."""
    head, bang, tail = value.rpartition("!")
    return head if bang and tail.strip().lower() == "important" else value


def _checked(name: str, value: str, where: str) -> str:
    if "\\" in value and name != "aria-label":
        raise SvgRefused(*unsafe(f"uses a CSS escape in {name}= on {where}"))
    form = ATTRIBUTES[name]
    if not FORMS[form].fullmatch(value):
        raise SvgRefused(*unsupported(
            f"has {name}=\"{value.strip()[:60]}\" on {where}, which is not a {form} value the "
            "report can check",
            "export the SVG again from its drawing program (plain SVG), or use PNG",
        ))  # fmt: skip
    return value.strip() if form != "text" else value


# --- references ---------------------------------------------------------------------------


def _references(node: Node) -> list[str]:
    """The ids a node refers to: its `href` and every `url(#id)`."""
    ids = [node.attrib["href"][1:]] if node.attrib.get("href", "").startswith("#") else []
    for name, value in sorted(node.attrib.items()):
        if name != "href":
            ids += LOCAL_URL.findall(value)
    return ids


def _check_references(root: Node) -> None:
    """Refuse reference cycles and `<use>` beyond the limits; drop dangling `<use>`."""
    nodes = list(_walk(root))
    by_id: dict[str, Node] = {}
    for node in nodes:
        if "id" in node.attrib:
            by_id.setdefault(node.attrib["id"], node)
    _drop_dangling_uses(root, by_id)
    uses = [n for n in _walk(root) if n.tag == "use"]
    if len(uses) > MAX_USES:
        raise SvgRefused(*too_complex(
            f"has {len(uses):,} <use> elements; at most {MAX_USES:,} are allowed "
            "(limit: SVG uses)",
            "draw the repeated shapes as one path, or export the drawing as PNG",
        ))  # fmt: skip
    # Depth-first over "draws": a node draws its children and what it refers to.
    depth: dict[int, int] = {}  # id(node) → longest chain of <use> from it
    state: dict[int, int] = {}  # 1: on the path, 2: done
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        successors = list(node) + [by_id[i] for i in _references(node) if i in by_id]
        if leaving:
            state[key] = 2
            depth[key] = (1 if node.tag == "use" else 0) + max(
                (depth[id(s)] for s in successors), default=0
            )
            if depth[key] > MAX_USE_DEPTH:
                raise SvgRefused(*too_complex(
                    f"nests <use> elements more than {MAX_USE_DEPTH} deep (a <use> of a group "
                    "that holds a <use> …) (limit: SVG uses)",
                    "ungroup or flatten the repeated shapes, or export the drawing as PNG",
                ))  # fmt: skip
            continue
        if state.get(key) == 2:
            continue
        state[key] = 1
        stack.append((node, True))
        for successor in successors:
            if state.get(id(successor)) == 1:
                raise SvgRefused(*too_complex(
                    f"has a reference cycle: <{node.tag}> (line {node.line}) shows "
                    f"'#{successor.attrib.get('id', '')}', which contains or refers back to it",
                    "remove the <use> (or the fill, clip, mask or marker) that refers to "
                    "itself; a drawing program never writes one",
                ))  # fmt: skip
            if state.get(id(successor)) is None:
                stack.append((successor, False))
    _Drawing(by_id).cost(root, _NO_PAINT, 0)


#: What a node inherits that makes it draw another element: its fill's and stroke's paint
#: server and its start, middle and end markers (ids, or None).
_Paint = tuple[str | None, str | None, str | None, str | None, str | None]
_NO_PAINT: _Paint = (None, None, None, None, None)
_SHAPES = frozenset({"path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
                     "text", "tspan"})  # fmt: skip
_MARKABLE = frozenset({"path", "line", "polyline", "polygon"})
_NUMBER_RE = re.compile(NUMBER)
#: Frames of the cost count: references inside references deeper than this are refused.
_MAX_NESTING = 300


class _Drawing:
    """How many elements the renderer draws: each `<use>` expanded, each pattern, clip path
    and mask drawn again for every element that uses it, each marker at every vertex it
    marks. Refused above `MAX_DRAWN` (a small file can otherwise draw billions)."""

    def __init__(self, by_id: dict[str, Node]) -> None:
        self.by_id = by_id
        self.memo: dict[tuple[int, _Paint], int] = {}

    def _ref(self, value: str | None, inherited: str | None) -> str | None:
        if value is None:
            return inherited
        match = LOCAL_URL.search(value)
        return match[1] if match and match[1] in self.by_id else None

    def _paint(self, node: Node, inherited: _Paint) -> _Paint:
        a = node.attrib
        fill, stroke, start, mid, end = inherited
        if "marker" in a:
            start = mid = end = self._ref(a["marker"], None)
        return (
            self._ref(a.get("fill"), fill),
            self._ref(a.get("stroke"), stroke),
            self._ref(a.get("marker-start"), start),
            self._ref(a.get("marker-mid"), mid),
            self._ref(a.get("marker-end"), end),
        )

    def cost(self, node: Node, inherited: _Paint, nesting: int) -> int:
        key = (id(node), inherited)
        if key in self.memo:
            return self.memo[key]
        if nesting > _MAX_NESTING:
            raise SvgRefused(*too_complex(
                "nests references (a <use> of a pattern filled with a pattern …) too deeply "
                "(limit: SVG uses)",
                "simplify the drawing, or export it as PNG",
            ))  # fmt: skip
        paint = self._paint(node, inherited)
        total = 1
        for child in node:
            if child.tag not in TEMPLATES:
                total += self.cost(child, paint, nesting + 1)
        target = self.by_id.get(node.attrib.get("href", "")[1:]) if node.tag == "use" else None
        if target is not None:
            total += self.cost(target, paint, nesting + 1)
        drawn: list[tuple[str | None, int]] = []
        if node.tag in _SHAPES:
            drawn += [(paint[0], 1), (paint[1], 1)]
        if node.tag in _MARKABLE:
            numbers = len(_NUMBER_RE.findall(node.attrib.get("d", node.attrib.get("points", ""))))
            drawn += [(paint[2], 1), (paint[3], numbers // 2 + 1), (paint[4], 1)]
        drawn += [(self._ref(node.attrib.get(name), None), 1) for name in ("clip-path", "mask")]
        for ref, times in drawn:
            if ref is not None:
                total += times * self.cost(self.by_id[ref], _NO_PAINT, nesting + 1)
        if total > MAX_DRAWN:
            raise SvgRefused(*too_complex(
                f"draws more than {MAX_DRAWN:,} elements once its <use>, patterns, clip paths, "
                "masks and markers are drawn where they are used (limit: SVG uses)",
                "draw the repeated shapes as one path, use fewer patterns or markers, or "
                "export the drawing as PNG",
            ))  # fmt: skip
        self.memo[key] = total
        return total


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(current)))


def _drop_dangling_uses(root: Node, by_id: dict[str, Node]) -> None:
    """A `<use>` of no element draws nothing: it is dropped."""
    for node in _walk(root):
        node.children = [
            c for c in node.children
            if not (isinstance(c, Node) and c.tag == "use"
                    and c.attrib.get("href", "#")[1:] not in by_id)
        ]  # fmt: skip


# --- writing ------------------------------------------------------------------------------


def _escape(text: str, quote: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
        text = text.replace("\t", "&#9;")
    return text


def _serialise(root: Node) -> str:
    out: list[str] = []

    def write(node: Node, top: bool) -> None:
        attrs = "".join(f' {k}="{_escape(v, True)}"' for k, v in sorted(node.attrib.items()))
        if top:
            attrs = f' xmlns="{SVG_NS}"' + attrs
        if not node.children:
            out.append(f"<{node.tag}{attrs}/>")
            return
        out.append(f"<{node.tag}{attrs}>")
        for child in node.children:
            if isinstance(child, str):
                out.append(_escape(child))
            else:
                write(child, False)
        out.append(f"</{node.tag}>")

    write(root, True)
    return "".join(out) + "\n"
