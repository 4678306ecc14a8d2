"""The texts of the public bundle (`build.bundle`): the landing page, the data README and
the licence, made from what the final's report.json says the report shows."""

from __future__ import annotations

import csv
import io
import posixpath
import textwrap
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..layout import REPORT_HTML, REPORT_PDF, SUMS, data_file, report_file
from .publish import sha256_bytes

LICENCE = "LICENCE.txt"
DATA_README = data_file("README.txt")
FILES_DIR = Path(__file__).parent / "bundle_files"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"

#: What each column of the data tables holds (data/README.txt); a column not named here is
#: listed without a description.
COLUMNS = {
    "member": "the member's two-letter code (the list of codes is below)",
    "indicator": "the indicator's id (the list of indicators is below)",
    "value": "the value, as the source publishes it (empty when not reported)",
    "data_year": "the year the value refers to",
    "source": "where the value comes from, as the member cites it",
    "note": "the member's note on the value",
    "reason_missing": "why the value is not reported, in the member's words",
    "reported": "True when the member reported a value",
    "reason": "why the value is not reported (empty when it is)",
    "median": "the median of the members' values",
    "min": "the lowest value among the members",
    "max": "the highest value among the members",
    "previous": "the value in the previous edition",
    "previous_data_year": "the year the previous value refers to",
    "previous_source": "where the previous value came from",
    "comparable": "False when the source breaks its series between the two editions",
    "change": "value minus previous (empty when not comparable or not reported)",
    "id": "the initiative's id in the member's contribution",
    "title": "the initiative's title",
    "theme": "the theme's id (the list of themes is in the report)",
    "status": "planned, in-progress, completed or discontinued",
    "started": "when it started (YYYY-MM or YYYY-MM-DD)",
    "ended": "when it ended, if it has",
    "lead_institution": "the institution that leads digital government",
    "coordination_model": "centralised, decentralised or hybrid",
    "strategy": "the title of the national digital-government strategy",
    "strategy_adopted": "when the strategy was adopted",
    "strategy_horizon": "the year the strategy runs to",
    "legal_instruments": "how many legal instruments the member lists",
}


def text_file(text: str) -> bytes:
    """A .txt file of the bundle: UTF-8 with a byte-order mark, so that a browser shows
    its accents and quotes right even when the web server names no charset for .txt."""
    return text.encode("utf-8-sig")


def front_of(report: Mapping[str, Any]) -> dict[str, Any]:
    front = report.get("front")
    return front if isinstance(front, dict) else {}


def downloads_of(report: Mapping[str, Any]) -> dict[str, str]:
    """What each published file is, as the report's Downloads list says."""
    items = report.get("downloads")
    return {
        str(d.get("href")): str(d.get("title"))
        for d in (items if isinstance(items, list) else [])
        if isinstance(d, dict)
    }


def licence_text(report: Mapping[str, Any]) -> str:
    """LICENCE.txt: the licence the report states (its imprint), with the licence's text
    when it is CC BY 4.0 (the default of every edition that names none)."""
    front = front_of(report)
    name = str(front.get("licence") or "Creative Commons Attribution 4.0 International (CC BY 4.0)")
    url = str(front.get("licence_url") or "")
    title = str(report.get("title") or "this report")
    statement = (
        f'"{title}", its pages, its PDF and its data files (data/) are available under the '
        f"{name} licence" + (f", {url}." if url else ".")
    )
    head = [str(front.get("copyright") or ""), "", *textwrap.wrap(statement, 88), ""]
    if url.rstrip("/") == CC_BY_4.rstrip("/"):
        text = (FILES_DIR / "CC-BY-4.0.txt").read_text(encoding="utf-8")
        return "\n".join([*head, "The text of the licence follows.", "", "", text])
    where = f" is at {url}" if url else " is available from the publisher"
    return "\n".join([*head, f"The text of the licence{where}.", ""])


def data_readme(report: Mapping[str, Any], tables: Mapping[str, bytes]) -> str:
    """data/README.txt: what each table holds, its columns, the sources and the licence."""
    front = front_of(report)
    titles = downloads_of(report)
    title = str(report.get("title") or "")
    year = report.get("year")
    lines = [
        f"The data of {title!r}, edition {year}, of the {report.get('group_name') or ''}",
        f"{front.get('date_line') or ''}",
        "",
        "These are the tables the report is made from, as published with it (the same files",
        "are attached to the PDF). Each is CSV: UTF-8, comma-separated, one header row, a",
        "dot as decimal separator, an empty cell where there is no value. A text cell that a",
        "spreadsheet would read as a formula (beginning with =, +, -, @, a tab or a carriage",
        "return) is written with a leading apostrophe ('); the text after it is unchanged.",
        "",
        "Files",
        "-----",
    ]
    for name in in_report_order(tables, titles):
        rows = list(csv.reader(io.StringIO(tables[name].decode("utf-8"))))
        count = max(len(rows) - 1, 0)
        header = rows[0] if rows else []
        rows_count = f"{count} row{'' if count == 1 else 's'}"
        lines += ["", f"{posixpath.basename(name)}: {titles.get(name, '')} ({rows_count})"]
        for column in header:
            about = COLUMNS.get(column)
            if name.endswith("/themes.csv") and column != "theme":
                about = f"how many initiatives member {column} reports under the theme"
            elif name.endswith("/indicator_summary.csv") and column == "reported":
                about = "how many members reported a value"
            lines.append(f"  {column}: {about}" if about else f"  {column}")
    lines += ["", "Members", "-------", ""]
    members = report.get("members")
    for member in members if isinstance(members, list) else []:
        if isinstance(member, dict):
            lines.append(f"  {member.get('code')}: {member.get('name')}")
    lines += ["", "Indicators", "----------", ""]
    definitions = report.get("definitions")
    for d in definitions if isinstance(definitions, list) else []:
        if isinstance(d, dict):
            about = (
                f"{d.get('id')}: {d.get('title')} ({d.get('unit')}, {d.get('bounds')}). "
                f"{_sentence(d.get('definition'))} Source: {_sentence(d.get('source'))}"
            )
            lines += textwrap.wrap(about, 88, initial_indent="  ", subsequent_indent="    ")
    lines += ["", "Sources", "-------", ""]
    method = report.get("method")
    sources = method.get("sources") if isinstance(method, dict) else None
    for s in sources if isinstance(sources, list) else []:
        if isinstance(s, dict):
            url = f": {s['url']}" if s.get("url") else ""
            about = (
                f"{s.get('title')}, edition {s.get('edition')}, for {s.get('indicators')}; "
                f"accessed {s.get('accessed')}{url}"
            )
            lines += textwrap.wrap(about, 88, initial_indent="  - ", subsequent_indent="    ")
    url = f" ({front['licence_url']})" if front.get("licence_url") else ""
    licence = (
        f"{front.get('copyright') or ''}. Available under the {front.get('licence') or ''} "
        f"licence{url}; see ../{LICENCE}."
    )
    lines += [
        "  - The members' contributions: each government's own account of its governance and",
        "    initiatives, and the values it reports with the source it cites (column source).",
        "",
        "Licence",
        "-------",
        "",
        *textwrap.wrap(licence, 88),
    ]
    if front.get("citation"):
        lines += ["", *textwrap.wrap(f"Please cite as: {front['citation']}", 88)]
    return "\n".join(lines) + "\n"


def _sentence(text: object) -> str:
    words = str(text or "").strip()
    return words if not words or words.endswith((".", "!", "?")) else f"{words}."


def in_report_order(names: Collection[str], titles: Mapping[str, str]) -> list[str]:
    """The data files in the order of the report's Downloads list, then the others."""
    order = list(titles)
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def other_languages(
    files: Mapping[str, bytes], manifest: Mapping[str, Any], languages: Sequence[str]
) -> list[dict[str, Any]]:
    """The landing page's entries of the report in each other language: its name, its
    files and their lines, in that language (from the report's catalogues)."""
    from .. import i18n
    from ..i18n import gettext as _

    recorded = manifest.get("languages") or {}
    out: list[dict[str, Any]] = []
    for lang in languages:
        pdf = files[report_file(REPORT_PDF, lang)]
        pages = (recorded.get(lang) or {}).get("pages") if isinstance(recorded, dict) else None
        with i18n.language(lang):
            size = f"{len(pdf) / 1e6:.1f} MB"
            out.append({
                "lang": lang,
                "name": i18n.autonym(lang),
                "html": report_file(REPORT_HTML, lang),
                "pdf": report_file(REPORT_PDF, lang),
                "pdf_sha256": sha256_bytes(pdf),
                "read": _("Read it in the browser"),
                "read_note": _("(HTML, one page)"),
                "download": _("Download the PDF"),
                "download_note": (
                    _("(%(size)s, %(pages)s pages; A4, for printing and archiving)")
                    % {"size": size, "pages": pages}
                    if pages
                    else _("(%(size)s; A4, for printing and archiving)") % {"size": size}
                ),
            })  # fmt: skip
    return out


def landing_page(
    report: Mapping[str, Any],
    files: Mapping[str, bytes],
    manifest: Mapping[str, Any],
    languages: Sequence[str] = (),
) -> str:
    """index.html: the title, the edition, the publication date and every link; the
    report in each of its other `languages` too."""
    import jinja2

    from .. import __version__

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(FILES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    front = front_of(report)
    titles = downloads_of(report)
    pdf = files[REPORT_PDF]
    return env.get_template("index.html.j2").render(
        version=__version__,
        title=str(report.get("title") or f"Annual report {report.get('year')}"),
        subtitle=str(report.get("subtitle") or ""),
        group=str(report.get("group_name") or ""),
        year=report.get("year"),
        date_line=str(front.get("date_line") or ""),
        html_file=REPORT_HTML,
        pdf_file=REPORT_PDF,
        pdf_size=f"{len(pdf) / 1e6:.1f} MB",
        pages=manifest.get("pages"),
        data_readme=DATA_README,
        data=[
            (name, titles.get(name, ""))
            for name in in_report_order(files, titles)
            if name.startswith(data_file("")) and name.endswith(".csv")
        ],
        copyright=str(front.get("copyright") or ""),
        licence=str(front.get("licence") or ""),
        licence_url=str(front.get("licence_url") or ""),
        licence_file=LICENCE,
        citation=str(front.get("citation") or ""),
        sums_file=SUMS,
        pdf_sha256=sha256_bytes(pdf),
        built_at=str(manifest.get("built_at") or ""),
        translations=other_languages(files, manifest, languages),
    )
