"""Members' SVG images are rebuilt from an allowlist (issue 35, wgreport.inputs.svgsafe): each
attack image is refused by validation with its code at the image field's line, or its
sanitised copy holds none of the hostile part and renders; the report embeds the
sanitised copy, never the member's bytes; a plain drawing comes through intact."""

from __future__ import annotations

import base64
import random
import re
import struct
import zlib
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.conftest import DEMO_INPUTS, ROOT, copy_inputs, validate_in_demo
from tests.support.requestcounter import request_counter
from wgreport.inputs import svgsafe, svgtree

TEMPLATES = ROOT / "templates"
NS = 'xmlns="http://www.w3.org/2000/svg"'
URL = "http://127.0.0.1:{PORT}"


def _svg(body: str, extra: str = "") -> str:
    return f'<svg {NS}{extra} viewBox="0 0 100 40">{body}</svg>'


def _use_bomb(levels: int = 8, fan: int = 10) -> str:
    parts = ['<g id="g0"><rect width="1" height="1"/></g>']
    for k in range(1, levels + 1):
        parts.append(f'<g id="g{k}">' + f'<use href="#g{k - 1}"/>' * fan + "</g>")
    return _svg("<defs>" + "".join(parts) + f'</defs><use href="#g{levels}"/>')


_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
    + "".join(
        f'<!ENTITY {n} "{("&" + p + ";") * 10}">'
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + f"]><svg {NS}><text>&i;</text></svg>"
)

#: The attacks of issue 35, each refused with its code.
REFUSED: dict[str, tuple[str, str]] = {
    "css-escape-import": (
        _svg(f'<style>@\\69mport "{URL}/css";</style><rect width="9" height="9"/>'),
        "image-unsafe",
    ),
    "css-escape-url": (
        _svg(f"<style>rect{{fill:\\75rl({URL}/fill)}}</style><rect width='9' height='9'/>"),
        "image-unsafe",
    ),
    "fill-url": (_svg(f'<rect width="9" height="9" fill="url({URL}/x#p)"/>'), "image-unsafe"),
    "style-attribute-escape": (
        _svg(f'<rect width="9" height="9" style="fill:\\75rl({URL}/s)"/>'),
        "image-unsafe",
    ),
    "xml-stylesheet": (
        f'<?xml-stylesheet href="{URL}/pi.css"?>' + _svg('<rect width="9" height="9"/>'),
        "image-unsafe",
    ),
    "font-face": (
        _svg(f"<style>@font-face{{font-family:x;src:url({URL}/f.woff)}}</style><text>a</text>"),
        "image-unsafe",
    ),
    "font-face-escaped": (
        _svg(f"<style>@font-face{{font-family:x;src:\\75rl({URL}/f)}}</style><text>a</text>"),
        "image-unsafe",
    ),
    "font-face-local": (
        _svg("<style>@font-face{font-family:x;src:url(#x)}</style><text>a</text>"),
        "image-unsafe",
    ),
    "billion-laughs": (_LAUGHS, "image-unsafe"),
    "use-cycle": (
        _svg(
            '<g id="a"><rect width="1" height="1"/><use href="#b"/></g><g id="b"><use href="#a"/></g>'
        ),
        "image-too-complex",
    ),
    "use-self": (_svg('<g id="a"><use href="#a" x="2"/></g>'), "image-too-complex"),
    "gradient-cycle": (
        _svg(
            '<linearGradient id="p" href="#q"/><linearGradient id="q" href="#p"/>'
            '<rect width="9" height="9" fill="url(#p)"/>'
        ),
        "image-too-complex",
    ),
    "ten-thousand-uses": (
        _svg('<defs><rect id="a" width="1" height="1"/></defs>' + '<use href="#a"/>' * 9_990),
        "image-too-complex",
    ),
    "use-bomb": (_use_bomb(), "image-too-complex"),
    "image-file": (
        _svg('<image href="file:///etc/passwd" width="9" height="9"/>'),
        "image-unsafe",
    ),
    "image-xlink-http": (
        _svg(
            f'<image xlink:href="{URL}/i.png" width="9" height="9"/>',
            ' xmlns:xlink="http://www.w3.org/1999/xlink"',
        ),
        "image-unsafe",
    ),
    "foreign-object": (
        _svg(
            '<foreignObject width="9" height="9"><p xmlns="http://www.w3.org/1999/xhtml">x</p>'
            "</foreignObject>"
        ),
        "image-unsafe",
    ),
    "script": (_svg(f'<script>fetch("{URL}/s")</script>'), "image-unsafe"),
    "event-handler": (_svg('<rect width="9" height="9"/>', ' onload="x()"'), "image-unsafe"),
    "animation-rewrites-link": (
        _svg(
            f'<use href="#r"><set attributeName="href" to="{URL}/a"/></use>'
            '<rect id="r" width="9" height="9"/>'
        ),
        "image-unsafe",
    ),
    "not-well-formed": ("<svg", "image-unsafe"),
}

#: Hostile content that cannot act once the file is rebuilt: accepted, and dropped. Each
#: with the text that must not reach the sanitised copy.
DROPPED: dict[str, tuple[str, str]] = {
    "comment": (
        _svg(f'<!-- <script>fetch("{URL}/c")</script> --><rect width="9" height="9"/>'),
        "script",
    ),
    "processing-instruction": (
        _svg(f'<?php readfile("{URL}/pi") ?><rect width="9" height="9"/>'),
        "readfile",
    ),
    "metadata-with-script": (
        _svg(f'<metadata><script>fetch("{URL}/m")</script></metadata><rect width="9" height="9"/>'),
        "script",
    ),
    "editor-data": (
        _svg(
            '<sodipodi:namedview pagecolor="#fff" inkscape:zoom="1"/>'
            '<rect width="9" height="9" inkscape:label="/etc/passwd"/>',
            ' xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"'
            ' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"'
            ' inkscape:export-filename="/etc/passwd"',
        ),
        "passwd",
    ),
    "foreign-element": (
        _svg(
            '<x:payload xmlns:x="urn:x">@import "http://example.org/x.css";</x:payload>'
            '<rect width="9" height="9"/>'
        ),
        "import",
    ),
    "unknown-attributes": (
        _svg(
            '<rect width="9" height="9" class="\\69mport" data-x="@import" requiredFeatures="x"/>'
        ),
        "mport",
    ),
    "style-unknown-properties": (
        _svg(
            '<rect width="9" height="9" style="fill:#123456;behavior:expression(fetch(1));'
            '-inkscape-font-specification:Sans"/>'
        ),
        "expression",
    ),
    "dangling-use": (_svg('<rect width="9" height="9"/><use href="#nowhere"/>'), "nowhere"),
    "empty-style": (_svg('<style id="s1"/><rect width="9" height="9"/>'), "style"),
}


def _with_port(svg: str, port: int = 9) -> bytes:
    return svg.replace("{PORT}", str(port)).encode("utf-8")


def _hostile_contribution(tmp_path: Path, svg: bytes) -> tuple[Path, int]:
    """A copy of the demo inputs whose KR image is `svg`; KR.yaml and its image line."""
    contributions = copy_inputs(tmp_path) / "2024" / "contributions"
    (contributions / "KR" / "benefits-flow.svg").write_bytes(svg)
    kr = contributions / "KR.yaml"
    lines = kr.read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(lines, 1) if "file: KR/benefits-flow.svg" in t)
    return kr, line


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_each_attack_is_refused_at_the_image_field_with_its_code(tmp_path: Path, name: str) -> None:
    svg, code = REFUSED[name]
    kr, line = _hostile_contribution(tmp_path, _with_port(svg))
    result = validate_in_demo(kr)
    issues = [i for r in result.reports for i in r.issues if i.code.startswith("image-")]
    assert [(i.code, i.severity, i.line) for i in issues] == [(code, "error", line)], issues
    assert issues[0].field.endswith("image.file")
    assert "KR/benefits-flow.svg" in issues[0].message and issues[0].hint


@pytest.mark.parametrize("name", sorted(DROPPED))
def test_hostile_parts_that_cannot_act_are_dropped(name: str) -> None:
    svg, marker = DROPPED[name]
    assert svgsafe.problem(_with_port(svg)) is None
    clean = svgsafe.sanitise(_with_port(svg)).data.decode("utf-8")
    assert marker not in clean and "127.0.0.1" not in clean, clean
    assert "<rect" in clean


def test_the_sanitised_hostile_images_render_and_fetch_nothing() -> None:
    from wgreport.render.html import render_pdf, unexpected_warnings

    with request_counter() as server:
        images = []
        for svg, _ in DROPPED.values():
            clean = svgsafe.sanitise(_with_port(svg, server.port)).data
            images.append(base64.b64encode(clean).decode("ascii"))
        body = "".join(
            f'<img src="data:image/svg+xml;base64,{data}" alt="image {n}">'
            for n, data in enumerate(images)
        )
        pdf, log = render_pdf(f'<html lang="en"><body>{body}</body></html>', TEMPLATES)
        assert pdf.startswith(b"%PDF")
        assert unexpected_warnings(log.warnings) == []
        assert server.requests == []


def test_the_style_attribute_becomes_presentation_attributes() -> None:
    svg = _svg(
        '<rect width="9" height="9" fill="red" style="fill: #1f4e8c ;stroke:none !important"/>'
    )
    clean = svgsafe.sanitise(svg.encode()).data.decode()
    assert '<rect fill="#1f4e8c" height="9" stroke="none" width="9"/>' in clean
    assert "style" not in clean


def test_local_references_and_embedded_pictures_are_kept() -> None:
    png = _png(4, 3)
    svg = _svg(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>'
        '<symbol id="s"><rect width="1" height="1" fill="url(#g)"/></symbol></defs>'
        '<use xlink:href="#s" x="2"/>'
        f'<image width="4" height="3" href="data:image/png;base64,{base64.b64encode(png).decode()}"/>',
        ' xmlns:xlink="http://www.w3.org/1999/xlink"',
    )
    clean = svgsafe.sanitise(svg.encode()).data.decode()
    assert '<use href="#s" x="2"/>' in clean and 'fill="url(#g)"' in clean
    assert f"data:image/png;base64,{base64.b64encode(png).decode()}" in clean
    fake = svg.replace(base64.b64encode(png).decode(), base64.b64encode(b"<svg/>").decode())
    found = svgsafe.problem(fake.encode())
    assert found is not None and found[0] == "image-svg-unsupported"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("<filter id='f'/><rect width='9' height='9' filter='url(#f)'/>", "image-svg-unsupported"),
        ("<style>.a{fill:red}</style>", "image-svg-unsupported"),
        ("<a href='#x'><rect width='9' height='9'/></a>", "image-svg-unsupported"),
        ("<rect width='9' height='9' fill='linear-gradient(red, blue)'/>", "image-svg-unsupported"),
        ("<rect width='9' height='9' transform='rotate(attr(x))'/>", "image-svg-unsupported"),
        ("<path d='M0 0 L url(x)'/>", "image-unsafe"),
    ],
)
def test_what_cannot_be_drawn_is_refused_not_dropped(body: str, code: str) -> None:
    problem = svgsafe.problem(_svg(body).encode())
    assert problem is not None and problem[0] == code, problem


def test_use_is_limited_in_count_and_depth() -> None:
    def chain(depth: int) -> str:
        parts = ['<rect id="u0" width="1" height="1"/>']
        parts += [f'<g id="u{k}"><use href="#u{k - 1}"/></g>' for k in range(1, depth)]
        return _svg("<defs>" + "".join(parts) + f'</defs><use href="#u{depth - 1}"/>')

    assert svgsafe.problem(chain(svgtree.MAX_USE_DEPTH).encode()) is None
    deep = svgsafe.problem(chain(svgtree.MAX_USE_DEPTH + 1).encode())
    assert deep is not None and deep[0] == "image-too-complex" and "deep" in deep[1]
    many = '<defs><rect id="a" width="1" height="1"/></defs>' + '<use href="#a"/>'
    assert svgsafe.problem(_svg(many * 1 + '<use href="#a"/>' * 499).encode()) is None
    refused = svgsafe.problem(_svg(many + '<use href="#a"/>' * 500).encode())
    assert refused is not None and "501 <use>" in refused[1]


def _elements(svg: bytes) -> list[tuple[str, dict[str, str], str]]:
    return [
        (e.tag.rsplit("}", 1)[-1], dict(e.attrib), (e.text or "").strip())
        for e in ET.fromstring(svg).iter()
    ]


def _drawings() -> list[bytes]:
    from wgreport.inputs.demodata import svg_image

    files = sorted((DEMO_INPUTS / "2024" / "contributions").rglob("*.svg"))
    made = svg_image(random.Random(1), ["Apply", "Check", "Pay"], "Steps <1> & 2")
    return [p.read_bytes() for p in files] + [made.encode("utf-8")]


def test_plain_drawings_come_through_intact() -> None:
    drawings = _drawings()
    assert len(drawings) >= 3
    for data in drawings:
        clean = svgsafe.sanitise(data)
        assert _elements(clean.data) == _elements(data)
        assert clean.size is not None


def test_the_sanitised_demo_drawings_render() -> None:
    from wgreport.render.html import render_pdf, unexpected_warnings

    body = "".join(
        f'<img src="data:image/svg+xml;base64,{base64.b64encode(svgsafe.sanitise(d).data).decode()}" alt="d">'
        for d in _drawings()
    )
    pdf, log = render_pdf(f'<html lang="en"><body>{body}</body></html>', TEMPLATES)
    assert pdf.startswith(b"%PDF") and unexpected_warnings(log.warnings) == []


def test_sanitising_is_deterministic() -> None:
    one = _svg('<rect y="2" x="1" fill="#fff" width="9" height="9"/>').encode()
    two = _svg('<rect height="9" width="9" fill="#fff" x="1" y="2"/>').encode()
    assert svgsafe.sanitise(one).data == svgsafe.sanitise(two).data == svgsafe.sanitise(one).data
    assert b'<rect fill="#fff" height="9" width="9" x="1" y="2"/>' in svgsafe.sanitise(one).data


def test_the_build_embeds_the_sanitised_svg_not_the_members_file(tmp_path: Path) -> None:
    from wgreport.build.pipeline import image_data_urls
    from wgreport.inputs.edition import load_edition_inputs

    original = (DEMO_INPUTS / "2024" / "contributions" / "KR" / "benefits-flow.svg").read_bytes()
    marked = original.replace(
        b"<title>", b"<!-- member's note --><metadata>secret</metadata><title>"
    )
    kr, _ = _hostile_contribution(tmp_path, marked)
    loaded = load_edition_inputs(kr.parents[2], 2024)
    url = image_data_urls(loaded)["KR/benefits-flow.svg"]
    embedded = base64.b64decode(url.removeprefix("data:image/svg+xml;base64,"))
    assert embedded == svgsafe.sanitise(marked).data
    assert b"secret" not in embedded and b"note" not in embedded and embedded != marked
    assert _elements(embedded) == _elements(original)


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_the_members_guide_documents_the_allowlist() -> None:
    guide = (ROOT / "docs" / "members-guide.md").read_text(encoding="utf-8")
    section = guide[guide.index("#### What an SVG may contain") :].split("\n#### ")[0]
    for element in sorted(svgtree.ELEMENTS):
        assert re.search(rf"`{element}`", section), element


@pytest.mark.parametrize(
    "value",
    ["111 " * 5_000 + "!", "rotate(1  ) " * 5_000 + "!", "  " * 50_000 + "!important x"],
)
def test_a_long_bad_value_is_refused_without_backtracking(value: str) -> None:
    """Each value's form is read in one pass (atomic groups): a crafted value such as 40
    ambiguous numbers and a bad end, which took 2^40 steps with a backtracking pattern,
    is refused at once."""
    for attribute in ("stroke-dasharray", "transform", "style"):
        svg = _svg(f'<rect width="9" height="9" {attribute}="{value}"/>')
        if attribute == "style":
            svg = _svg(f'<rect width="9" height="9" style="stroke-width:{value}"/>')
        problem = svgsafe.problem(svg.encode())
        assert problem is not None and problem[0] == "image-svg-unsupported", problem


def _pattern_bomb() -> str:
    tile = '<rect width="1" height="1"/>' * 3_000
    return _svg(
        f'<defs><pattern id="p" width="4" height="4" patternUnits="userSpaceOnUse">{tile}'
        '</pattern></defs><g fill="url(#p)">' + '<rect width="9" height="9"/>' * 3_000 + "</g>"
    )


def _marker_bomb() -> str:
    mark = '<rect width="1" height="1"/>' * 2_000
    line = " ".join(f"L{i} {i}" for i in range(2_000))
    return _svg(
        f'<defs><marker id="m">{mark}</marker></defs><path d="M0 0 {line}" marker-mid="url(#m)"/>'
    )


@pytest.mark.parametrize(
    "svg",
    [
        _pattern_bomb(),
        _marker_bomb(),
        _svg(
            '<defs><clipPath id="c">' + '<rect width="1" height="1"/>' * 2_000 + "</clipPath>"
            "</defs>" + '<rect width="9" height="9" clip-path="url(#c)"/>' * 2_000
        ),
        _svg('<use id="a" href="#gone"/><use href="#a"/><rect width="1" height="1"/>'),
    ],
    ids=["pattern", "marker", "clip-path", "use-of-a-dangling-use"],
)
def test_what_a_pattern_marker_or_clip_draws_counts_where_it_is_used(svg: str) -> None:
    """A 170 kB file that fills 3,000 rectangles with a 3,000-rectangle pattern draws 9
    million; the old code accepted it and WeasyPrint was still drawing it after 90 s."""
    problem = svgsafe.problem(svg.encode())
    if "gone" in svg:
        assert problem is None
    else:
        assert problem is not None and problem[0] == "image-too-complex", problem
        assert "draws more than" in problem[1]
