"""The PDF's last pass (render/pdf/finish.py): its pieces on small documents. The demo's
draft and final are checked whole in tests/e2e/test_pdf_archive.py."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from wgreport.cache import ContentCache
from wgreport.render.pdf import finish


def _document(tagged: bool) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Title"] = "A report"
    pdf.docinfo["/Author"] = "A group"
    pdf.docinfo["/CreationDate"] = "D:20250315090000Z"
    pdf.Root.Lang = pikepdf.String("en")
    if tagged:
        pdf.Root.StructTreeRoot = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot)
        )
        pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def _xmp(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return bytes(pdf.Root.Metadata.read_bytes())


def test_a_tagged_pdf_is_identified_as_pdf_ua_1_and_an_untagged_one_is_not() -> None:
    tagged = finish.finish_pdf(_document(tagged=True))
    untagged = finish.finish_pdf(_document(tagged=False))
    assert b"pdfuaid:part" in _xmp(tagged)
    assert b"pdfuaid:part" not in _xmp(untagged)
    for data in (tagged, untagged):
        assert data.startswith(b"%PDF-1.7")
        xmp = _xmp(data)
        assert b"A report" in xmp and b"A group" in xmp and b"<rdf:li>en</rdf:li>" in xmp
        assert b"2025-03-15T09:00:00" in xmp
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)


def test_the_last_pass_is_deterministic() -> None:
    source = _document(tagged=True)
    assert finish.finish_pdf(source) == finish.finish_pdf(source)


def test_width_arrays_and_unicode_maps_survive_a_round_trip() -> None:
    widths = {3: 260.0, 4: 300.0, 5: 408.5, 10: 225.0, 11: 225.0, 40: 600.0}
    array = finish._width_array(widths)
    assert dict(finish.parse_widths(pikepdf.Array(array))) == widths
    # WeasyPrint's other form too: first last width
    assert dict(finish.parse_widths(pikepdf.Array([7, 9, 500]))) == {7: 500, 8: 500, 9: 500}
    entries = {gid: f"{0x41 + gid:04x}".encode() for gid in range(250)}
    assert finish.parse_to_unicode(finish.to_unicode_cmap(entries)) == entries


def test_a_font_that_is_not_installed_is_left_as_it_is() -> None:
    assert finish.installed_font("NoSuchFont-Regular") is None
    assert finish.subset_installed(b"not a font", frozenset({0, 1})) is None


def test_a_damaged_cached_font_is_a_miss(tmp_path: Path) -> None:
    found = finish.installed_font("NotoSans-Regular")
    assert found is not None, "Noto Sans is installed by scripts/setup-system.sh"
    with open(found[0], "rb") as handle:
        from fontTools.ttLib import TTFont

        font = TTFont(handle)
        out = io.BytesIO()
        font.save(out)
    cache = ContentCache(tmp_path)
    first = finish.subset_installed(out.getvalue(), frozenset({0, 36, 37}), cache)
    assert first is not None
    for entry in (tmp_path / "fonts").rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"damaged")
    assert finish.subset_installed(out.getvalue(), frozenset({0, 36, 37}), cache) == first
