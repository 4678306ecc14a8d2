"""The public bundle of an edition: what `wgreport publish` writes for the world to read.

    DIR/
      index.html          the landing page: title, edition, publication date, the links
      report.html         the report as one page, its links to files not published removed
      report.pdf          the final's PDF, as built
      report.ko.html      the report in each other language the final was built in, its
      report.ko.pdf       links made as report.html's (issue 42: `languages: [en, ko]`)
      data/*.csv          the final's data tables, as built
      data/README.txt     what each table holds, its columns, the sources and the licence
      LICENCE.txt         the licence the report states (with its text for CC BY 4.0)
      SHA256SUMS          the sha256 of every other file (`wgreport verify DIR`, `sha256sum -c`)

It is made from `outputs/<year>/final/` once that folder passes its own SHA256SUMS check,
and holds none of the final's internal files: not the comment-resolution table
(comments.html, comments.csv), validation.json, report.json (which carries the comments),
the manifest (paths and digests of the inputs), the audit trail or the portal's state.
Before anything is written, every reviewer's name and e-mail address (from the edition's
review files) is looked for in every file of the bundle, the PDF's text included, and every
link of its pages is checked to lead to a file of the bundle. The bundle is written into a
temporary folder beside DIR and renamed into place, so DIR is either as it was or complete;
each bundle is recorded as one line of `outputs/<year>/publications.jsonl`.

A static folder: any web server serves it as it is.
"""

from __future__ import annotations

import contextlib
import errno
import html
import io
import json
import os
import posixpath
import re
import shutil
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import PublishError
from ..layout import (
    FINAL,
    INDEX,
    REPORT_HTML,
    REPORT_JSON,
    REPORT_PDF,
    SUMS,
    Draft,
    Inputs,
    Outputs,
    data_file,
    report_file,
)
from ..runtime.clock import utc_now_iso
from .bundletexts import (
    DATA_README,
    LICENCE,
    data_readme,
    front_of,
    landing_page,
    licence_text,
    text_file,
)
from .publish import fsync_dir, sha256_bytes, sha256sums, verify_folder, year_lock


@dataclass(frozen=True)
class Bundle:
    """A bundle written: its folder, its files (SHA256SUMS included) and the line recorded
    in publications.jsonl."""

    folder: Path
    files: list[str]
    record: dict[str, str]


@dataclass(frozen=True)
class Person:
    """Someone whose name or address must not be published, and where they were found."""

    name: str | None
    email: str | None
    source: str


def publish_bundle(
    inputs_dir: Path, outputs_dir: Path, year: int, out: Path, *, force: bool = False
) -> Bundle:
    """Write the public bundle of `year`'s final into `out` and record it.

    Refused (PublishError, nothing written) when there is no final, when the final fails
    its SHA256SUMS check, when `out` is not empty (with `force`: unless it holds an
    earlier bundle and nothing else), when a reviewer's name or address would be
    published, or when a page links to a file the bundle does not hold.
    """
    year_outputs = Outputs(outputs_dir).year(year)
    final = year_outputs.final
    if not final.published:  # checked before the lock, which would make the year's folder
        raise PublishError(
            f"there is no final of {year} to publish ({final.folder} has no manifest.json): "
            f"build it first with `wgreport build --final --year {year}`"
        )
    with year_lock(year_outputs.folder):  # a --supersede build does not swap it meanwhile
        _check_final(final, year)
        target = out.resolve()
        replace = _check_destination(target, final.folder, force)
        files = bundle_files(final, year)
        leaks = find_people(files, people_of(inputs_dir, year), _named_by_report(final))
        if leaks:
            raise PublishError(
                "the bundle would publish reviewers' names or addresses, so nothing was "
                f"written: {'; '.join(leaks)}. Remove them from the report's inputs and "
                f"build the final again (`wgreport build --final --supersede --year {year}`)"
            )
        dangling = [
            f"{name} links to {href}"
            for name in sorted(files)
            if name.endswith(".html")
            for href in dangling_links(files[name].decode("utf-8"), [*files, SUMS])
        ]
        if dangling:
            raise PublishError(
                f"the bundle's pages link to files it does not hold, so nothing was written: "
                f"{'; '.join(dangling)}"
            )
        sums = sha256sums({name: sha256_bytes(files[name]) for name in files})
        _write_bundle(target, {**files, SUMS: sums}, replace)
        record = {
            "at": utc_now_iso(),
            "out": str(target),
            "sums_sha256": sha256_bytes(sums),
            "final_manifest_sha256": sha256_bytes(final.manifest.read_bytes()),
        }
        _append_line(year_outputs.publications, record)
    return Bundle(target, sorted([*files, SUMS]), record)


def _check_final(final: Draft, year: int) -> None:
    try:
        rows = verify_folder(final.folder)
    except PublishError as exc:
        raise PublishError(f"the final of {year} cannot be checked: {exc}") from None
    bad = [f"{name}: {result}" for name, result in rows if result != "OK"]
    if bad:
        raise PublishError(
            f"the final of {year} ({final.folder}) does not match its own SHA256SUMS "
            f"({'; '.join(bad)}), so it is not published. Put back the final as it was built "
            f"(from a copy), or build it again with `wgreport build --final --supersede "
            f"--year {year}`"
        )


def _check_destination(target: Path, final: Path, force: bool) -> bool:
    """Whether `target` (resolved) is to be replaced; refuse a folder that must not be."""
    final = final.resolve()
    if target.is_relative_to(final) or final.is_relative_to(target):
        raise PublishError(
            f"--out {target} is, or is inside, or contains the final's own folder {final}, "
            "which stays the archive: choose a folder outside it, e.g. public/2024"
        )
    if target.exists() and not target.is_dir():
        raise PublishError(f"--out {target} is a file: name a new or empty folder")
    if not target.is_dir() or not any(target.iterdir()):
        return False
    if not force:
        raise PublishError(
            f"--out {target} exists and is not empty: name a new or empty folder, or add "
            "--force to replace an earlier bundle written there"
        )
    why = _not_a_bundle(target)
    if why:
        raise PublishError(
            f"--out {target} is not an earlier bundle ({why}), so --force does not replace "
            "it: name a new or empty folder"
        )
    return True


def _not_a_bundle(folder: Path) -> str | None:
    """Why `folder` is not a bundle `publish` wrote, holding nothing else; None if it is."""
    index = folder / INDEX
    if not (folder / SUMS).is_file() or not index.is_file():
        return f"it has no {SUMS} and {INDEX}"
    if b'<meta name="generator" content="wgreport' not in index.read_bytes():
        return f"its {INDEX} was not written by wgreport"
    extra = [name for name, result in verify_folder(folder) if result == "not listed"]
    if extra:
        return f"it holds files its {SUMS} does not list: {', '.join(extra[:5])}"
    return None


# --- the files -----------------------------------------------------------------------------


def bundle_files(final: Draft, year: int) -> dict[str, bytes]:
    """Every file of the bundle but SHA256SUMS, from a final that passed its check."""
    report = _report_context(final)
    csvs = sorted(
        path.relative_to(final.folder).as_posix()
        for path in (final.folder / data_file("")).glob("*.csv")
        if path.is_file()
    )
    languages = final_languages(final)
    pages = {report_file(REPORT_HTML, lang) for lang in ("en", *languages)}
    pdfs = {report_file(REPORT_PDF, lang) for lang in ("en", *languages)}
    present = {INDEX, LICENCE, DATA_README, SUMS, *pages, *pdfs, *csvs}
    files: dict[str, bytes] = {
        **{name: final.file(name).read_bytes() for name in sorted(pdfs)},
        **{
            name: rewrite_links(final.file(name).read_text(encoding="utf-8"), present, year).encode(
                "utf-8"
            )
            for name in sorted(pages)
        },
        **{name: final.file(name).read_bytes() for name in csvs},
    }
    files[LICENCE] = text_file(licence_text(report))
    files[DATA_README] = text_file(data_readme(report, {n: files[n] for n in csvs}))
    files[INDEX] = landing_page(report, files, _manifest(final), languages).encode("utf-8")
    return files


def final_languages(final: Draft) -> list[str]:
    """The final's other languages (its manifest's `languages`) whose PDF and page it
    holds; none for a final built in English only."""
    recorded = _manifest(final).get("languages") or {}
    return [
        lang
        for lang in sorted(recorded if isinstance(recorded, dict) else {})
        if all(final.file(report_file(n, lang)).is_file() for n in (REPORT_HTML, REPORT_PDF))
    ]


def _report_context(final: Draft) -> dict[str, Any]:
    """The final's report.json (what the report shows): titles, dates, licence, sources."""
    path = final.file(REPORT_JSON)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublishError(
            f"{path} cannot be read ({exc}): the landing page and the data README are made "
            "from it; build the final again with `wgreport build --final --supersede`"
        ) from None
    if not isinstance(data, dict):
        raise PublishError(f"{path} is not the report's context (not a JSON object)")
    return data


def _manifest(final: Draft) -> dict[str, Any]:
    try:
        data = json.loads(final.manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


# --- the links -----------------------------------------------------------------------------

_LIST_ITEM = re.compile(r'<li>\s*<a\b[^>]*?\bhref="([^"]*)"[^>]*>[^<]*</a>[^<]*</li>')
_ANCHOR = re.compile(r'<a\b([^>]*?)\bhref="([^"]*)"([^>]*)>(.*?)</a>', re.S)
_REFERENCE = re.compile(r'\b(?:href|src|action|poster|data)="([^"]*)"')
#: Leading folders of a path in the outputs' layout that lead to this final's files.
_LAYOUT = {"", ".", "..", "outputs", FINAL}


def local_target(href: str, year: int | None = None) -> str | None:
    """The file of a bundle a link leads to (its path from the bundle's folder), or None
    for a link that leads elsewhere (another site, an anchor of the same page)."""
    parts = urlsplit(html.unescape(href).strip())
    if parts.scheme or parts.netloc or not parts.path:
        return None
    segments = posixpath.normpath(unquote(parts.path)).split("/")
    layout = _LAYOUT | ({str(year)} if year is not None else set())
    while len(segments) > 1 and segments[0] in layout:
        segments = segments[1:]  # outputs/2024/final/report.pdf, ../final/data/x.csv
    return "/".join(segments)


def rewrite_links(page: str, present: Collection[str], year: int) -> str:
    """The page with each link to a file of the bundle made relative to the bundle's
    folder, and each link to a file it does not hold removed: a Downloads entry as a
    whole, any other link leaving its text."""

    def item(match: re.Match[str]) -> str:
        target = local_target(match.group(1), year)
        return "" if target is not None and target not in present else match.group(0)

    def anchor(match: re.Match[str]) -> str:
        href = match.group(2)
        target = local_target(href, year)
        if target is None:
            return match.group(0)
        if target not in present:
            return match.group(4)
        fragment = urlsplit(html.unescape(href)).fragment
        new = html.escape(target + (f"#{fragment}" if fragment else ""))
        return f'<a{match.group(1)}href="{new}"{match.group(3)}>{match.group(4)}</a>'

    return _ANCHOR.sub(anchor, _LIST_ITEM.sub(item, page))


def dangling_links(page: str, present: Collection[str]) -> list[str]:
    """Every reference of the page to a local file that is not in the bundle as written
    (a leading /, a ../ or a folder of the outputs' layout do not resolve in it)."""
    bad = []
    for match in _REFERENCE.finditer(page):
        href = match.group(1)
        if local_target(href) is None:
            continue
        path = unquote(urlsplit(html.unescape(href).strip()).path)
        if path.startswith("/") or posixpath.normpath(path) not in present:
            bad.append(href)
    return bad


# --- people who must not be published ------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_LINE = re.compile(r"^\s+name:\s*['\"]?(.+?)['\"]?\s*$", re.M)


def people_of(inputs_dir: Path, year: int) -> list[Person]:
    """The reviewers of the edition: the name and e-mail of each review file's reviewer
    (read leniently, so a file with errors still counts)."""
    folder = Inputs(inputs_dir).edition(year).reviews
    found: list[Person] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        shown = Inputs(inputs_dir).shown(path)
        text = path.read_text(encoding="utf-8", errors="replace")
        reviewer = _reviewer(text)
        if reviewer is not None:
            name, email = reviewer.get("name"), reviewer.get("email")
            found.append(Person(str(name) if name else None, str(email) if email else None, shown))
        else:  # not YAML we can read: every name line and address in it
            found += [Person(n, None, shown) for n in _NAME_LINE.findall(text)]
            found += [Person(None, e, shown) for e in _EMAIL.findall(text)]
    return found


def _reviewer(text: str) -> dict[str, Any] | None:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe", pure=True).load(text)
    except (YAMLError, ValueError):
        return None
    reviewer = data.get("reviewer") if isinstance(data, dict) else None
    return reviewer if isinstance(reviewer, dict) else None


def _named_by_report(final: Draft) -> set[str]:
    """The people the report names by design (member contacts, the foreword's signatory):
    a reviewer who is also one of them may appear under that role."""
    with contextlib.suppress(PublishError):
        report = _report_context(final)
        contributors = report.get("contributors")
        names = {
            str(c.get("contact"))
            for c in (contributors if isinstance(contributors, list) else [])
            if isinstance(c, dict)
        }
        names.add(str(front_of(report).get("signatory") or ""))
        return {_normal(n) for n in names if n}
    return set()


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def find_people(
    files: Mapping[str, bytes], people: Collection[Person], public: Collection[str] = ()
) -> list[str]:
    """Where a reviewer's name or e-mail address appears in the bundle's files (the PDF's
    text and metadata included), one message each; names in `public` are not looked for."""
    texts = {name: _normal(html.unescape(_text_of(name, data))) for name, data in files.items()}
    found = []
    for person in people:
        wanted = [("address", person.email)]
        if person.name and _normal(person.name) not in public:
            wanted.append(("name", person.name))
        for what, value in wanted:
            if not value or not value.strip():
                continue
            pattern = re.compile(rf"(?<!\w){re.escape(_normal(value))}(?!\w)")
            found += [
                f"{file} holds the {what} {value!r} of a reviewer ({person.source})"
                for file, text in sorted(texts.items())
                if pattern.search(text)
            ]
    return found


def _text_of(name: str, data: bytes) -> str:
    if not name.endswith(".pdf"):
        return data.decode("utf-8", errors="replace")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts = [page.extract_text() or "" for page in reader.pages]
    parts += [str(v) for v in (reader.metadata or {}).values()]
    for attached, contents in reader.attachments.items():
        parts.append(attached)
        parts += [c.decode("utf-8", errors="replace") for c in contents]
    return "\n".join(parts)


# --- writing -------------------------------------------------------------------------------


def _write_bundle(target: Path, files: Mapping[str, bytes], replace: bool) -> None:
    """Write the files into a temporary folder beside `target`, check them against their
    SHA256SUMS, and rename the folder into place (over an empty folder, or over an
    earlier bundle when `replace`)."""
    parent = target.parent
    tmp = parent / f".{target.name}.tmp-{os.getpid()}"
    old = parent / f".{target.name}.old-{os.getpid()}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name in sorted(files):
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as fh:
                fh.write(files[name])
                fh.flush()
                os.fsync(fh.fileno())
        for folder in {(tmp / name).parent for name in files}:
            fsync_dir(folder)
        bad = [f"{n}: {r}" for n, r in verify_folder(tmp) if r != "OK"]
        if bad:
            raise PublishError(f"the bundle written in {tmp} does not check: {'; '.join(bad)}")
        if replace:
            os.rename(target, old)
            os.rename(tmp, target)
            shutil.rmtree(old)
        else:
            os.rename(tmp, target)  # over an empty folder, or none
        fsync_dir(parent)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if replace and old.exists() and not target.exists():
            os.rename(old, target)
        raise PublishError(_describe(exc, target)) from exc
    except PublishError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _append_line(path: Path, record: Mapping[str, str]) -> None:
    line = json.dumps(record, ensure_ascii=False) + "\n"
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise PublishError(
            f"the bundle is written in {record['out']} but {path} could not record it "
            f"({exc.strerror}); add this line to it by hand: {line.strip()}"
        ) from exc


def _describe(exc: OSError, where: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the disk is full while writing {where}; nothing was published"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"cannot write {where}: {exc.strerror}; choose another --out folder"
    if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
        return f"{where} was filled while the bundle was written; nothing was published"
    return f"writing {where} failed: {exc}"
