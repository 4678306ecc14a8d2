"""The demo draft's tables as an editor reads them, from the PDF (word boxes from
`pdftotext -bbox`) and the HTML: numbers right-aligned on the decimal point, one type size
for the tables of Annex B, a source said once, ranks that read "3rd of 10"."""

from __future__ import annotations

import html as htmllib
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

Word = tuple[int, float, float, float, float, str]  # page, x0, y0, x1, y1, text
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
_NUMBER = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?$")
FOOTER = (297 - 22) * 72 / 25.4  # templates/paged.css: A4, 22 mm bottom margin (the stamp below)


@pytest.fixture(scope="module")
def words(library_draft: Path) -> list[Word]:
    xml = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(library_draft / "report.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    out: list[Word] = []
    for number, body in enumerate(re.findall(r"<page [^>]*>(.*?)</page>", xml, re.S), start=1):
        for x0, y0, x1, y1, text in _WORD.findall(body):
            out.append((number, float(x0), float(y0), float(x1), float(y1), htmllib.unescape(text)))
    return out


def annex_b_tables(words: list[Word]) -> dict[str, list[Word]]:
    """Each Annex B table's words on the page where it starts: from below its caption to
    its first note, the next caption or the page's end."""
    tables: dict[str, list[Word]] = {}
    for n, word in enumerate(words[:-1]):
        following = words[n + 1]
        if word[5] == "Table" and re.fullmatch(r"B\.\d+\.", following[5]):
            body = []
            for later in words[n + 2 :]:
                if later[0] != word[0] or (later[5] in {"Note:", "Table"} and later[1] < 80):
                    break
                if word[4] + 1 < later[2] and later[4] < FOOTER:  # below the caption's line
                    body.append(later)
            tables[following[5].rstrip(".")] = body
    return tables


def test_every_annex_b_table_is_found(words: list[Word]) -> None:
    assert [f"B.{n}" for n in range(1, 13)] == sorted(
        annex_b_tables(words), key=lambda t: int(t[2:])
    )


def test_no_two_numbers_of_different_widths_start_at_one_x(words: list[Word]) -> None:
    """Left-aligned numbers share their left edge; numbers aligned on their decimal point
    do not, unless their integer parts are of one width."""
    left_aligned = []
    for table, body in annex_b_tables(words).items():
        numbers = [w for w in body if _NUMBER.match(w[5])]
        by_start: dict[float, set[str]] = {}
        for w in numbers:
            whole = w[5].split(".")[0]
            by_start.setdefault(round(w[1], 1), set()).add(re.sub(r"\d", "0", whole))
        left_aligned += [(table, x, shapes) for x, shapes in by_start.items() if len(shapes) > 1]
    assert left_aligned == [], left_aligned


def test_values_of_mixed_decimals_line_up_on_the_decimal_point(words: list[Word]) -> None:
    """Table B.1's Value column holds indices (4 decimals) and world ranks (none)."""
    body = annex_b_tables(words)["B.1"]
    years = [w for w in body if re.fullmatch(r"20\d\d", w[5])]
    digit = (years[0][3] - years[0][1]) / 4  # tabular figures: one width for every digit
    values = [w for w in body if _NUMBER.match(w[5]) and not re.fullmatch(r"20\d\d", w[5])]
    assert {"." in w[5] for w in values} == {True, False}, values  # both kinds on the page
    points = [w[1] + len(w[5].split(".")[0].lstrip("+-")) * digit for w in values]
    assert max(points) - min(points) < 0.6, sorted(zip(points, (w[5] for w in values), strict=True))


def test_the_tables_of_annex_b_share_one_type_size(words: list[Word]) -> None:
    sizes = {
        table: Counter(round(w[4] - w[2], 1) for w in body).most_common(1)[0][0]
        for table, body in annex_b_tables(words).items()
    }
    assert len(set(sizes.values())) == 1, sizes


def _table_html(library_draft: Path, table_id: str) -> str:
    page = (library_draft / "report.html").read_text(encoding="utf-8")
    start = page.index(f'id="{table_id}"')
    end = page.index("</table>", start)
    notes = re.match(
        r'(?:\s*</div>\s*)?((?:\s*<p class="table-note">.*?</p>)*)', page[end + 8 :], re.S
    )
    return page[start:end] + (notes.group(1) if notes else "")


def test_a_source_shared_by_every_row_is_said_once_in_a_note(library_draft: Path) -> None:
    table = _table_html(library_draft, "values-table")
    body, _, notes = table.partition("</tbody>")
    assert "Knowledgebase data export" not in body
    assert "Not comparable with the 2019 index" not in body
    assert notes.count("Knowledgebase data export") == 1
    assert re.search(r'class="table-note">Note: Source of every value of the E-Government', notes)


def test_a_member_s_rank_reads_as_an_ordinal(library_draft: Path) -> None:
    page = (library_draft / "report.html").read_text(encoding="utf-8")
    tables = re.findall(r'<table class="data" id="tab-[a-z]{2}-indicators">.*?</table>', page, re.S)
    assert len(tables) == 10
    ranks = [r for t in tables for r in re.findall(r'<td class="num nobr">([^<]*)</td>', t)]
    assert ranks
    assert all(re.fullmatch(r"\d+(st|nd|rd|th) of \d+( \(tied\))?|–", r) for r in ranks), ranks


def test_no_figure_data_table_repeats_one_note_in_every_row(library_draft: Path) -> None:
    """Table B.11 (the DGI's data) printed "Not comparable with the 2019 index (OECD)"
    beside each of its nine values; it is said once under the table, and Uruguay's missing
    value keeps its own reason in the Note column."""
    page = (library_draft / "report.html").read_text(encoding="utf-8")
    ids = re.findall(r'<table class="data[^"]*" id="(data-fig-[a-z0-9-]+)"', page)
    assert "data-fig-dgi" in ids
    for table_id in ids:
        body, _, notes = _table_html(library_draft, table_id).partition("</tbody>")
        rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
        notes_by_row = [re.findall(r"<td>([^<]{20,})</td>", row) for row in rows]
        texts = Counter(text for found in notes_by_row for text in found)
        assert all(count < max(2, len(rows) - 1) for count in texts.values()), (table_id, texts)
    body, _, notes = _table_html(library_draft, "data-fig-dgi").partition("</tbody>")
    assert "Not comparable with the 2019 index" not in body
    assert "Every value shown: Not comparable with the 2019 index (OECD)." in notes
    assert "Uruguay is not covered by the 2023 OECD Digital Government Index" in body
