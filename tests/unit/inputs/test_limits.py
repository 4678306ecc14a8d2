"""Resource limits on members' content: each limit gives a validation error naming it.

Big images and bombs are made here at runtime; none is committed.
"""

from __future__ import annotations

import shutil
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DEMO_INPUTS, VALID_KR, validate_in_demo
from wgreport.inputs import limits

VALID = VALID_KR
DESCRIPTION = "    description: A shared catalogue of public APIs.\n"  # line 44 of VALID


def _validate(folder: Path, text: str) -> list[tuple[str, int | None, str, str]]:
    folder.mkdir(exist_ok=True)
    path = folder / "KR.yaml"
    path.write_text(text, encoding="utf-8")
    result = validate_in_demo(path)
    return [
        (i.code, i.line, i.field, i.message)
        for r in result.reports
        for i in r.issues
        if i.severity == "error"
    ]


def _with_description(markdown: str) -> str:
    block = "    description: |\n" + "".join(f"      {line}\n" for line in markdown.splitlines())
    assert DESCRIPTION in VALID
    return VALID.replace(DESCRIPTION, block)


def _with_image(file: str) -> str:
    return VALID.replace(DESCRIPTION, DESCRIPTION + f"    image:\n      file: {file}\n"
                         "      alt: A picture of the hub\n")  # fmt: skip


def _png(width: int, height: int) -> bytes:
    """A PNG header with the first rows of a grey picture: as small as a real bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\0" + b"\x80" * width
    raw = b"".join(compressor.compress(row) for _ in range(min(height, 64)))
    raw += compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _jpeg_header(width: int, height: int) -> bytes:
    """A JPEG's first markers: SOI, an APP0 segment, then a baseline frame header."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def test_markdown_over_its_character_limit(tmp_path: Path) -> None:
    limit = limits.markdown_char_limit("description")
    # Few words, many characters: the word limit alone would let it through.
    text = ("x" * 200 + " ") * (limit // 200 + 1)
    found = _validate(tmp_path / "c", _with_description(text))
    assert [(c, line, f) for c, line, f, _ in found] == [
        ("markdown-too-large", 44, "initiatives[1].description")
    ]
    assert "limit: markdown size" in found[0][3] and f"{limit:,}" in found[0][3]


def test_markdown_table_over_its_size(tmp_path: Path) -> None:
    wide = "| " + " | ".join(f"c{i}" for i in range(13)) + " |\n" + "|---" * 13 + "|\n"
    wide += "| " + " | ".join("1" for _ in range(13)) + " |\n"
    found = _validate(tmp_path / "w", _with_description("Intro.\n\n" + wide))
    # The table starts on the description's third line: 44 (key) + 1 + 2.
    assert [(c, line) for c, line, _, _ in found] == [("markdown-table-too-large", 47)]
    assert "13 columns" in found[0][3] and "limit: markdown table size" in found[0][3]

    long = "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * (limits.MAX_TABLE_ROWS + 1)
    found = _validate(tmp_path / "l", _with_description(long))
    assert [c for c, *_ in found] == ["markdown-table-too-large"]
    assert f"{limits.MAX_TABLE_ROWS + 1} rows" in found[0][3]

    fits = "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * limits.MAX_TABLE_ROWS
    assert _validate(tmp_path / "ok", _with_description(fits)) == []


def test_markdown_nesting_depth(tmp_path: Path) -> None:
    deep = "\n".join("  " * i + "- level" for i in range(limits.MAX_MARKDOWN_NESTING + 1))
    found = _validate(tmp_path / "d", _with_description("Intro.\n\n" + deep))
    # the seventh level, on the description's ninth line: 44 (key) + 1 + 8
    assert [(c, line) for c, line, _, _ in found] == [("markdown-too-deep", 53)]
    assert "limit: markdown nesting" in found[0][3]
    quotes = ">" * (limits.MAX_MARKDOWN_NESTING + 1) + " quoted"
    assert [c for c, *_ in _validate(tmp_path / "q", _with_description(quotes))] == [
        "markdown-too-deep"
    ]
    fits = "\n".join("  " * i + "- level" for i in range(limits.MAX_MARKDOWN_NESTING))
    assert _validate(tmp_path / "ok", _with_description(fits)) == []


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bomb.png", lambda: _png(30_000, 30_000), "limit: image side"),
        ("wide.png", lambda: _png(5_000, 5_000), "limit: image pixels"),
        ("bomb.jpg", lambda: _jpeg_header(20_000, 20_000), "limit: image side"),
        (
            "huge.svg",
            lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="50000" height="10"/>',
            "limit: image side",
        ),
        (
            "box.svg",
            lambda: b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 5000 5000"/>',
            "limit: image pixels",
        ),
    ],
)
def test_images_over_their_pixel_limit(
    tmp_path: Path, name: str, content: Callable[[], bytes], expected: str
) -> None:
    folder = tmp_path / "c"
    (folder / "KR").mkdir(parents=True)
    data = content()
    assert len(data) < 1_000_000  # small files: the bytes limit does not catch them
    (folder / "KR" / name).write_bytes(data)
    found = _validate(folder, _with_image(f"KR/{name}"))
    assert [(c, line, f) for c, line, f, _ in found] == [
        ("image-too-many-pixels", 46, "initiatives[1].image.file")
    ]
    assert expected in found[0][3]


def test_images_within_their_limits_pass(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    (folder / "KR").mkdir(parents=True)
    (folder / "KR" / "a.png").write_bytes(_png(2_000, 1_000))
    (folder / "KR" / "b.jpg").write_bytes(_jpeg_header(4_000, 4_000))
    (folder / "KR" / "c.svg").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm"/>'
    )
    for name in ("a.png", "b.jpg", "c.svg"):
        assert _validate(folder, _with_image(f"KR/{name}")) == [], name


def test_an_image_whose_size_cannot_be_read_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    (folder / "KR").mkdir(parents=True)
    (folder / "KR" / "cut.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    (folder / "KR" / "cut.jpg").write_bytes(b"\xff\xd8\xff\xe0\0\x10JFIF")
    for name in ("cut.png", "cut.jpg"):
        found = _validate(folder, _with_image(f"KR/{name}"))
        assert [c for c, *_ in found] == ["image-type"]
        assert "size cannot be read" in found[0][3]


def test_svg_with_too_many_or_too_deep_elements(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    (folder / "KR").mkdir(parents=True)
    ns = b'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"'
    many = b"<svg " + ns + b">" + b"<rect/>" * limits.MAX_SVG_ELEMENTS + b"</svg>"
    deep = b"<svg " + ns + b">" + b"<g>" * 100 + b"</g>" * 100 + b"</svg>"
    (folder / "KR" / "many.svg").write_bytes(many)
    (folder / "KR" / "deep.svg").write_bytes(deep)
    for name, limit in (("many.svg", "limit: SVG elements"), ("deep.svg", "limit: SVG depth")):
        found = _validate(folder, _with_image(f"KR/{name}"))
        assert [c for c, *_ in found] == ["image-too-complex"], name
        assert limit in found[0][3]


def test_header_readers() -> None:
    assert limits.raster_size(_png(3, 2), "PNG") == (3, 2)
    assert limits.raster_size(_jpeg_header(640, 480), "JPEG") == (640, 480)
    assert limits.svg_length("10in") == 960 and limits.svg_length("50%") is None


def test_demo_images_pass_the_limits(tmp_path: Path) -> None:
    shutil.copytree(DEMO_INPUTS / "2024" / "contributions", tmp_path / "c")
    for code in ("KR", "EE"):
        path = tmp_path / "c" / f"{code}.yaml"
        result = validate_in_demo(path)
        assert result.valid, [i for r in result.reports for i in r.issues]


def test_a_problem_is_placed_on_its_own_line_not_an_earlier_copy(tmp_path: Path) -> None:
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n"
    wide = "| a | " + " | ".join("x" for _ in range(13)) + " |\n" + "|---" * 14 + "|\n"
    found = _validate(tmp_path / "c", _with_description(table + "\n" + wide))
    # the fitting table starts at line 45, the wide one (same first cell) at 49
    assert [(c, line) for c, line, _, _ in found] == [("markdown-table-too-large", 49)]
