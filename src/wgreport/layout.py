"""The folder layout of the inputs, the outputs and the portal's state, and how a path is
shown to a person. Every other module asks this one for a path instead of spelling it.

    inputs/                          Inputs(root)
      working-group.yaml               .working_group
      translations/<lang>/group.yaml   .group_translation(lang): the group's own text
      <year>/                          .edition(year).folder
        edition.yaml                     .settings
        foreword.md (editorial files)    .foreword, .file(name)
        foreword.ko.md (their Korean)    .file_in(name, lang)
        translations/<lang>/<CODE>.yaml  .translations(lang), .translation(lang, code)
        translations/<lang>/edition.yaml .edition_translation(lang): the edition's titles
        contributions/                   .contributions
          <CODE>.yaml                      .contribution(code)
          <CODE>.indicators.csv            .indicators(code)
          <CODE>/ (images)                 .images(code)
        reviews/<id>.yaml                .reviews, .review(reviewer)
        country-validation.yaml          .country_validation

    outputs/                         Outputs(root)
      <year>/                          .year(year).folder
        drafts/NNN/                      .drafts, .draft(number)
        latest -> drafts/NNN             .latest
        final/                           .final
        final-superseded-<time>/         .superseded(stamp)
        index.html                       .index
        builds.log                       .builds_log
        publications.jsonl               .publications
        preview/                         .preview: `wgreport preview`'s files (never a draft)
          report.html, report.pdf          .report_html, .report_pdf
          chapters/<id>.pdf                .chapter_pdf(id)
          pages/<id>-<n>.png               .page_image(id, n)
      outbox/                          .outbox: e-mails not sent over SMTP, as .eml files

    a draft's (or the final's) folder: Draft(folder)
      report.pdf, report.html, manifest.json, validation.json, data/*.csv, report.json,
      report.<lang>.pdf, report.<lang>.html: the report in another language (report_file)
      facts.json,
      comments.html, comments.csv, SHA256SUMS

    docs/members-guide.md            project_doc(root, MEMBERS_GUIDE)

    .portal/                         PortalFiles(folder)
      portal.db                        .database
      revisions/<year>/<CODE>/NNN.ext  .revisions(year, code), .revision(year, code, n, ext)
      builds/<year>/NNN.log            .builds(year), .build_log(year, n)
      locks/<year>/                    .locks(year)

Standard library only: the member-facing commands (validate, new, schema) import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# --- the inputs ----------------------------------------------------------------------------

WORKING_GROUP = "working-group.yaml"
EDITION = "edition.yaml"
FOREWORD = "foreword.md"
CONTRIBUTIONS = "contributions"
REVIEWS = "reviews"
INDICATORS_SUFFIX = ".indicators.csv"
COUNTRY_VALIDATION = "country-validation.yaml"
TRANSLATIONS = "translations"  # translations/<lang>/: members' texts in another language
GROUP_TRANSLATION = "group.yaml"  # inputs/translations/<lang>/group.yaml: the group's text
#: inputs/<year>/translations/<lang>/edition.yaml: the edition's title, subtitle, editors and
#: editorial chapters' titles (a member's file is named by its upper-case code)
EDITION_TRANSLATION = "edition.yaml"


def translated_name(name: str, lang: str) -> str:
    """An editorial file's name in another language: `foreword.md` → `foreword.ko.md`."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{lang}.{suffix}" if dot else f"{name}.{lang}"


# --- the outputs ---------------------------------------------------------------------------

DRAFTS = "drafts"
LATEST = "latest"
FINAL = "final"
SUPERSEDED_PREFIX = "final-superseded-"
INDEX = "index.html"
BUILDS_LOG = "builds.log"
PUBLICATIONS = "publications.jsonl"
OUTBOX = "outbox"
PREVIEW = "preview"
DRAFT_DIGITS = 3

# a draft's files
REPORT_PDF = "report.pdf"
REPORT_HTML = "report.html"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
VALIDATION = "validation.json"
REPORT_JSON = "report.json"


def report_file(name: str, lang: str) -> str:
    """A report file's name in a language: `report.pdf` in English (the report's own
    language), `report.ko.pdf` in Korean."""
    if lang == "en":
        return name
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{lang}{dot}{suffix}"


FACTS_JSON = "facts.json"  # the facts printed, and the editorial sentences using them
COMMENTS_HTML = "comments.html"
COMMENTS_CSV = "comments.csv"
DATA = "data"

# --- the project's documents -----------------------------------------------------------------

DOCS = "docs"
MEMBERS_GUIDE = "members-guide.md"

# --- the portal ----------------------------------------------------------------------------

PORTAL_DIR = ".portal"
PORTAL_DB = "portal.db"
REVISIONS = "revisions"
BUILDS = "builds"
LOCKS = "locks"
PREVIEWS = "previews"


def draft_name(number: int) -> str:
    """A draft's folder name: its number on three digits (`001`)."""
    return f"{number:0{DRAFT_DIGITS}d}"


def project_doc(root: Path, name: str) -> Path:
    """One of the project's documents, `docs/<name>` under its folder (the members'
    guide, which the portal serves)."""
    return root / DOCS / name


def data_file(name: str) -> str:
    """A data table's name inside a draft folder: `data/<name>`."""
    return f"{DATA}/{name}"


@dataclass(frozen=True)
class EditionInputs:
    """One edition's input folder, `<inputs>/<year>/`."""

    folder: Path

    @property
    def settings(self) -> Path:
        """`edition.yaml`: the edition's settings."""
        return self.folder / EDITION

    @property
    def foreword(self) -> Path:
        return self.folder / FOREWORD

    def file(self, name: str) -> Path:
        """An editorial file the edition names (the foreword, a chapter's text)."""
        return self.folder / name

    def file_in(self, name: str, lang: str) -> Path:
        """An editorial file's translation, beside it: `foreword.ko.md` for `foreword.md`."""
        return self.folder / translated_name(name, lang)

    def translations(self, lang: str) -> Path:
        """`translations/<lang>/`: the members' texts translated into `lang`."""
        return self.folder / TRANSLATIONS / lang

    def translation(self, lang: str, code: str) -> Path:
        """`translations/<lang>/<CODE>.yaml`: one member's texts in `lang`."""
        return self.translations(lang) / f"{code}.yaml"

    def edition_translation(self, lang: str) -> Path:
        """`translations/<lang>/edition.yaml`: the edition's own titles in `lang`."""
        return self.translations(lang) / EDITION_TRANSLATION

    @property
    def contributions(self) -> Path:
        return self.folder / CONTRIBUTIONS

    def contribution(self, code: str, suffix: str = ".yaml") -> Path:
        return self.contributions / f"{code}{suffix}"

    def indicators(self, code: str) -> Path:
        """`<CODE>.indicators.csv`, a member's indicator values kept apart."""
        return self.contributions / f"{code}{INDICATORS_SUFFIX}"

    def images(self, code: str) -> Path:
        """`<CODE>/`, the folder of a member's images."""
        return self.contributions / code

    @property
    def reviews(self) -> Path:
        return self.folder / REVIEWS

    def review(self, reviewer: str) -> Path:
        return self.reviews / f"{reviewer}.yaml"

    @property
    def country_validation(self) -> Path:
        """`country-validation.yaml`: the rounds in which members confirm their chapters."""
        return self.folder / COUNTRY_VALIDATION


@dataclass(frozen=True)
class Inputs:
    """The inputs folder: the working group's file and one folder per edition."""

    root: Path

    @property
    def working_group(self) -> Path:
        return self.root / WORKING_GROUP

    def edition(self, year: int) -> EditionInputs:
        return EditionInputs(self.root / str(year))

    def translations(self, lang: str) -> Path:
        """`translations/<lang>/`: the group's own text translated into `lang`."""
        return self.root / TRANSLATIONS / lang

    def group_translation(self, lang: str) -> Path:
        """`translations/<lang>/group.yaml`: theme and indicator names and definitions."""
        return self.translations(lang) / GROUP_TRANSLATION

    def years(self) -> list[int]:
        """The edition years present: the numbered folders holding an edition.yaml."""
        if not self.root.is_dir():
            return []
        return sorted(
            int(p.name) for p in self.root.iterdir() if p.name.isdigit() and (p / EDITION).is_file()
        )

    def shown(self, path: Path) -> str:
        """A path as reports show it: relative to the inputs folder's parent
        (`inputs/2024/contributions/KR.yaml`), else as given."""
        return shown(path, self.root.parent)


@dataclass(frozen=True)
class Draft:
    """A published draft's (or final's) folder and its files."""

    folder: Path

    def file(self, name: str) -> Path:
        """One of the draft's files by its name in the manifest (`data/indicators.csv`)."""
        return self.folder / name

    @property
    def manifest(self) -> Path:
        return self.folder / MANIFEST

    @property
    def sums(self) -> Path:
        return self.folder / SUMS

    @property
    def report_pdf(self) -> Path:
        return self.folder / REPORT_PDF

    @property
    def report_html(self) -> Path:
        return self.folder / REPORT_HTML

    def report_pdf_in(self, lang: str) -> Path:
        return self.folder / report_file(REPORT_PDF, lang)

    def report_html_in(self, lang: str) -> Path:
        return self.folder / report_file(REPORT_HTML, lang)

    @property
    def validation(self) -> Path:
        return self.folder / VALIDATION

    def data(self, name: str) -> Path:
        return self.folder / DATA / name

    @property
    def published(self) -> bool:
        """Complete: its manifest is in place (it is written last)."""
        return self.manifest.is_file()


@dataclass(frozen=True)
class YearOutputs:
    """One edition's output folder, `<outputs>/<year>/`."""

    folder: Path

    @property
    def drafts(self) -> Path:
        return self.folder / DRAFTS

    def draft(self, number: int | str) -> Draft:
        """Draft `number` (3 → `drafts/003/`; a string is taken as the folder's name)."""
        name = draft_name(number) if isinstance(number, int) else number
        return Draft(self.drafts / name)

    @property
    def latest(self) -> Path:
        """The symbolic link to the newest draft."""
        return self.folder / LATEST

    @property
    def final(self) -> Draft:
        return Draft(self.folder / FINAL)

    def superseded(self, stamp: str) -> Path:
        """Where a replaced final is kept: `final-superseded-<stamp>/`."""
        return self.folder / f"{SUPERSEDED_PREFIX}{stamp}"

    @property
    def index(self) -> Path:
        """The review page listing the year's drafts."""
        return self.folder / INDEX

    @property
    def builds_log(self) -> Path:
        return self.folder / BUILDS_LOG

    @property
    def publications(self) -> Path:
        """One JSON line per public bundle `wgreport publish` wrote of the final."""
        return self.folder / PUBLICATIONS

    @property
    def preview(self) -> LivePreviewFiles:
        """The live preview's files (`wgreport preview`)."""
        return LivePreviewFiles(self.folder / PREVIEW)


@dataclass(frozen=True)
class LivePreviewFiles:
    """`<outputs>/<year>/preview/`: what `wgreport preview` writes (replaced on each save;
    never a draft, never under drafts/ or final/)."""

    folder: Path

    @property
    def report_html(self) -> Path:
        return self.folder / REPORT_HTML

    @property
    def report_pdf(self) -> Path:
        return self.folder / REPORT_PDF

    @property
    def chapters(self) -> Path:
        return self.folder / "chapters"

    def chapter_pdf(self, chapter: str) -> Path:
        """A chapter laid out alone (`member-kr`)."""
        return self.chapters / f"{chapter}.pdf"

    @property
    def pages(self) -> Path:
        return self.folder / "pages"

    def page_image(self, chapter: str, number: int) -> Path:
        """Page `number` (1-based) of a chapter laid out alone, as a PNG."""
        return self.pages / f"{chapter}-{number}.png"


@dataclass(frozen=True)
class Outputs:
    """The outputs folder: one folder per edition."""

    root: Path

    def year(self, year: int) -> YearOutputs:
        return YearOutputs(self.root / str(year))

    @property
    def outbox(self) -> Path:
        """`outbox/`: the e-mails written instead of sent (no SMTP server configured, or
        sending failed), one `<UTC time>-<kind>-<short hash>.eml` file each."""
        return self.root / OUTBOX


@dataclass(frozen=True)
class PortalFiles:
    """The portal's state folder (`.portal/` in the project unless WGREPORT_PORTAL_DIR)."""

    folder: Path

    @classmethod
    def in_project(cls, project_root: Path) -> PortalFiles:
        return cls(project_root / PORTAL_DIR)

    @property
    def database(self) -> Path:
        return self.folder / PORTAL_DB

    def revisions(self, year: int, code: str) -> Path:
        """A member's uploads: `revisions/<year>/<CODE>/`."""
        return self.folder / REVISIONS / str(year) / code

    def revision(self, year: int, code: str, number: int, suffix: str) -> Path:
        return self.revisions(year, code) / f"{draft_name(number)}{suffix}"

    def builds(self, year: int) -> Path:
        """The logs of the builds the secretariat started: `builds/<year>/`."""
        return self.folder / BUILDS / str(year)

    def build_log(self, year: int, number: int) -> Path:
        return self.builds(year) / f"{draft_name(number)}.log"

    def locks(self, year: int) -> Path:
        return self.folder / LOCKS / str(year)

    def preview(self, year: int, code: str) -> Path:
        """A member's preview of its own chapter (its PDF and state): `previews/<year>/<CODE>/`."""
        return self.folder / PREVIEWS / str(year) / code


# --- how a path is shown to a person -------------------------------------------------------


def shown(path: Path, root: Path | None = None, *, resolve: bool = False) -> str:
    """A path as messages show it: relative to `root` (default: the current folder) when it
    is inside it, else as given. With `resolve`, both are resolved first (the files named
    on `wgreport validate`'s command line: `../proj/inputs/x.yaml` shows as `inputs/x.yaml`);
    without, a path through a symbolic link (`latest/report.pdf`) is shown as it was named."""
    base = Path.cwd() if root is None else root
    try:
        if resolve:
            return str(path.resolve().relative_to(base.resolve()))
        return str(path.relative_to(base))
    except ValueError:
        return str(path)
