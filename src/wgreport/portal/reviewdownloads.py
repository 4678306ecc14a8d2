"""What reviewers download of a published draft (or of the final, once it exists): its
PDF; its report.html, whose links lead to the files the portal serves; a zip of its
public files (report.html with links relative to the files beside it in the zip, report.pdf
and data/*.csv) that works on its own, offline; its data tables one by one; and what
changed from the draft before, as text or JSON (what the review page lists).

The links are rewritten as `wgreport publish` rewrites the public bundle's
(`build.bundle.rewrite_links`): a link to a file that is not offered is removed, a
Downloads entry as a whole. Internal files (the manifest, report.json and the comment
table, which name reviewers, validation.json) are offered neither here nor in the zip."""

from __future__ import annotations

import html
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from ..build.bundle import dangling_links, rewrite_links
from ..layout import FINAL, REPORT_HTML, REPORT_PDF, Draft, YearOutputs, data_file, report_file
from ..locales import SOURCE_LANGUAGE, shipped_languages

ZIP_NAME = "report-html.zip"
CHANGES_TEXT = "changes.txt"
CHANGES_JSON = "changes.json"
#: The report in each other language a draft may be built in (`report.ko.html`, `.pdf`).
TRANSLATED_HTML = tuple(
    report_file(REPORT_HTML, lang) for lang in shipped_languages() if lang != SOURCE_LANGUAGE
)
TRANSLATED_PDF = tuple(
    report_file(REPORT_PDF, lang) for lang in shipped_languages() if lang != SOURCE_LANGUAGE
)
#: The report's pages and PDFs, in every language: a draft may not have them all.
REPORTS = (REPORT_PDF, REPORT_HTML, *TRANSLATED_PDF, *TRANSLATED_HTML)
#: The files of a draft a reviewer may ask for by name (besides its data/*.csv).
NAMES = (*REPORTS, ZIP_NAME, CHANGES_TEXT, CHANGES_JSON)
CSV_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,60}\.csv")
CHUNK = 64 * 1024
_HREF = re.compile(r'\bhref="([^"]*)"')


def published(year_dir: Path, name: str) -> Draft | None:
    """Draft `name` ("001"…, or "final") of the year when it is published, else None."""
    if name == FINAL:
        draft = YearOutputs(year_dir).final
    elif name.isdigit() and len(name) == 3:
        draft = YearOutputs(year_dir).draft(name)
    else:
        return None
    return draft if draft.published else None


def data_names(draft: Draft) -> list[str]:
    """The draft's data tables, as `data/<name>.csv` (no symbolic link, nothing hidden)."""
    folder = draft.folder / data_file("")
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(
        data_file(p.name)
        for p in folder.iterdir()
        if CSV_NAME.fullmatch(p.name) and p.is_file() and not p.is_symlink()
    )


def public_files(draft: Draft) -> list[str]:
    """The draft's files a reviewer downloads, as their paths in the draft's folder."""
    pdf = [REPORT_PDF] if draft.report_pdf.is_file() else []
    return [REPORT_HTML, *pdf, *data_names(draft)]


def standalone_html(draft: Draft, year: int) -> str:
    """report.html with its links relative to the files of the zip (each present), the
    links to other files removed."""
    page = draft.report_html.read_text(encoding="utf-8")
    return rewrite_links(page, set(public_files(draft)), year)


def translated_files(draft: Draft) -> list[str]:
    """The draft's report in its other languages, each file that is there."""
    return [name for name in (*TRANSLATED_PDF, *TRANSLATED_HTML) if draft.file(name).is_file()]


def portal_html(draft: Draft, year: int, base: str, name: str = REPORT_HTML) -> str:
    """report.html (or another language's page, `name`) as the portal serves it: each
    link to a file the portal serves leads to its address there (`base`: the draft's
    download address, ending in /), so that the page works when opened from the
    downloads folder too; others are removed."""
    present = set(public_files(draft)) | set(translated_files(draft))
    page = rewrite_links(draft.file(name).read_text(encoding="utf-8"), present, year)

    def absolute(match: re.Match[str]) -> str:
        href = html.unescape(match.group(1))
        if unquote(urlsplit(href).path) in present - {name}:
            return f'href="{html.escape(base + href)}"'
        return match.group(0)

    return _HREF.sub(absolute, page)


def write_zip(draft: Draft, year: int, folder: str, target: IO[bytes]) -> list[str]:
    """The zip of the draft's public files under `folder/`: report.html made to work on
    its own, report.pdf and data/*.csv. The names written."""
    files = public_files(draft)
    page = standalone_html(draft, year)
    missing = dangling_links(page, files)
    if missing:  # rewrite_links removes them: a page that still has one is not sent
        raise ValueError(f"report.html still links to files not in the zip: {missing[:3]}")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in files:
            if name == REPORT_HTML:
                archive.writestr(f"{folder}/{name}", page.encode("utf-8"))
            else:
                archive.write(draft.file(name), f"{folder}/{name}")
    return files


def chunks(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()


def _label(name: str) -> str:
    return "the final" if name == FINAL else f"draft {name}"


def changes(year_dir: Path, name: str) -> dict[str, Any]:
    """What changed in draft `name` (or the final) from the draft before it, as the review
    page lists it: the lines, and the whole comparison (`review.draftdiff`)."""
    from ..review.draftdiff import changes_lines, compare_drafts, draft_folders

    folders = draft_folders(year_dir)
    names = [p.name for p in folders]
    draft = published(year_dir, name)
    assert draft is not None
    if name == FINAL:
        older = folders[-1] if folders else None
    else:
        index = names.index(name) if name in names else 0
        older = folders[index - 1] if index else None
    out: dict[str, Any] = {"year": int(year_dir.name), "draft": name,
                           "previous": older.name if older else None}  # fmt: skip
    if older is None:
        out |= {"lines": [f"{_label(name).capitalize()} is the first draft: there is "
                          "nothing before it to compare with."], "changes": None}  # fmt: skip
        return out
    compared = compare_drafts(older, draft.folder)
    out |= {"lines": changes_lines(compared) or ["nothing"], "changes": compared.to_dict()}
    return out


def changes_text(found: dict[str, Any]) -> str:
    head = f"What changed in {_label(found['draft'])} of the {found['year']} edition"
    head += f", from draft {found['previous']}" if found["previous"] else ""
    return "\n".join([head, "", *[f"- {line}" for line in found["lines"]]]) + "\n"


def changes_json(found: dict[str, Any]) -> str:
    return json.dumps(found, indent=2, ensure_ascii=False) + "\n"
