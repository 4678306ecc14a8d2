"""Render the context to HTML (Jinja2) and the HTML to PDF (WeasyPrint).

WeasyPrint gets a URL fetcher that serves only `data:` URLs and regular files under the
allowed folders (the templates and the edition's image folders); anything else (network
URLs, other files, devices such as /dev/urandom) stops the render.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from ..content import cells
from ..content.reportmodel import ReportContext
from ..errors import RenderError
from ..i18n import REGION_TAGS, SOURCE_LANGUAGE, check_language, language, translations
from .languages import HANGUL, korean_particles, mark_korean, page_language, tag_languages
from .paged import mark_same_page, number_xrefs, print_tables, same_page

if TYPE_CHECKING:
    import jinja2

REPORT_TEMPLATE = "report.html.j2"


def make_environment(templates_dir: Path, lang: str = SOURCE_LANGUAGE) -> jinja2.Environment:
    """The Jinja2 environment: autoescaped, strict about undefined names, its messages in
    `lang` (Jinja's i18n extension over the catalogue of wgreport.i18n). One per templates
    folder, language and process, so that a template is compiled once (0.3 s for the
    report's), not on every render (`wgreport preview` renders on each save); Jinja's loader
    still reads a template again when its file changed (auto_reload)."""
    if not (templates_dir / REPORT_TEMPLATE).is_file():
        raise RenderError(f"template {REPORT_TEMPLATE} not found in {templates_dir}")
    return _environment(templates_dir, check_language(lang))


@functools.lru_cache(maxsize=16)
def _environment(templates_dir: Path, lang: str) -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["bidi"] = bidi
    env.filters["svg_data_url"] = svg_data_url
    env.filters["aligned"] = functools.partial(
        _in_language, lang, cells.aligned
    )  # a table's numeric columns, on the decimal point
    env.filters["pad_decimals"] = cells.pad_decimals
    env.filters["ordinal_rank"] = functools.partial(_in_language, lang, cells.ordinal_rank)
    env.filters["draft_label"] = functools.partial(_draft_label, lang)  # "Draft 001"
    env.filters["moment"] = functools.partial(_moment, lang)  # a build's time
    # newstyle: `_()` and `{% trans %}` escape their variables and format them by name
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = lang
    # the print variant's (and so the PDF's /Lang) tag names the region a translation is
    # for (ko-KR); English keeps its plain tag
    env.globals["print_lang"] = lang if lang == SOURCE_LANGUAGE else REGION_TAGS.get(lang, lang)
    # what people wrote (the foreword, members' texts) is printed as written, in English
    # until it has a translation: in another language's page it says so (`{{ original }}`
    # in its element's tag), for screen readers and the PDF's tags (languages.py)
    env.globals["original"] = (
        "" if lang == SOURCE_LANGUAGE else Markup(f' lang="{SOURCE_LANGUAGE}"')
    )
    return env


def _in_language(lang: str, function: Callable[[Any], Any], value: Any) -> Any:
    """`function(value)`, its words in the page's language `lang`."""
    with language(lang):
        return function(value)


def _draft_label(lang: str, label: str) -> str:
    """A draft's label in the page's language `lang`."""
    from ..content.formatting import draft_label

    with language(lang):
        return draft_label(label)


def _moment(lang: str, value: str) -> str:
    """A build's time in the page's language `lang`."""
    from ..content.formatting import format_moment

    with language(lang):
        return format_moment(value)


def svg_data_url(svg: str) -> str:
    """An SVG document as a base64 `data:` URL."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def bidi(value: object) -> Markup:
    """Plain text, escaped, with its right-to-left runs marked (`dir="rtl"`)."""
    from ..content.markdown import wrap_rtl_runs

    return Markup(wrap_rtl_runs(str(escape(value))))


def render_html(
    ctx: ReportContext,
    templates_dir: Path,
    *,
    for_print: bool = False,
    lang: str = SOURCE_LANGUAGE,
    alternates: Sequence[tuple[str, str, str]] = (),
) -> str:
    """The report as one self-contained HTML page, its chrome in `lang` (wgreport.i18n).
    `alternates` are the report's pages in each language built (language, file, the
    language's own name): the web page links them (`<link rel="alternate">`) and offers
    them in a language switch.

    `for_print=True` gives the variant WeasyPrint lays out: charts as `<img>` with their
    text alternative (a tagged PDF's figures need `Alt`) rather than inline SVG, no
    screen-only styles, its tables marked for pages (`paged.print_tables`) and its
    cross-references numbered (`paged.number_xrefs`: the layout marks those printed on their
    target's page).
    """
    import jinja2

    env = make_environment(templates_dir, lang)
    try:
        html = env.get_template(REPORT_TEMPLATE).render(
            ctx=ctx, for_print=for_print, alternates=() if for_print else alternates
        )
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template {exc.name} not found in {templates_dir}") from exc
    # on a Korean page Korean is the page's language, not a change of it; its particles
    # after words the messages could not know are set (덴마크이(가) → 덴마크가)
    html = mark_korean(html) if lang != "ko" else korean_particles(html)
    if not for_print:
        return html
    # the Korean edition breaks between words on every line (word-break: keep-all)
    html = print_tables(html, translations(lang).gettext)
    return number_xrefs(keep_korean_words(html, everywhere=lang == "ko"))


_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_TAG_OR_TEXT = re.compile(r"(<[^>]+>)")
#: A Korean word: Hangul syllables (and jamo) with the letters and digits attached to them.
_KOREAN_WORD = re.compile(f"[0-9A-Za-z]*[{HANGUL}]+[0-9A-Za-z]*")


def keep_korean_words(html: str, *, everywhere: bool = False) -> str:
    """Korean breaks between words, not inside them: in the print HTML's tables (or, for
    the Korean edition, in the whole body: `everywhere`) each Korean word is kept on one
    line (`<span class="nobr">`). Browsers do this with `word-break: keep-all`
    (screen.css); WeasyPrint does not support it, and breaks Hangul between any two
    syllables, so that a narrow cell splits 디지털플랫폼 in the middle."""

    def words(m: re.Match[str]) -> str:
        parts = _TAG_OR_TEXT.split(m.group(0))
        return "".join(
            p if p.startswith("<") else _KOREAN_WORD.sub(r'<span class="nobr">\g<0></span>', p)
            for p in parts
        )

    if everywhere:
        return _BODY.sub(lambda m: _SKIPPED.sub(_unwrap, words(m)), html)
    return _TABLE.sub(words, html)


_BODY = re.compile(r"<body\b.*</body>", re.S)
#: Where no word is wrapped: attributes are tags already; inline SVG and its text, and text
#: areas, are not the page's flowing text.
_SKIPPED = re.compile(r"<(svg|textarea|title|style|script)\b.*?</\1\s*>", re.S | re.I)


def _unwrap(m: re.Match[str]) -> str:
    return re.sub(r'<span class="nobr">([^<]*)</span>', r"\1", m.group(0))


@dataclass
class RenderLog:
    """WeasyPrint's warnings during one render."""

    warnings: list[str] = field(default_factory=list)


class _Collect(logging.Handler):
    def __init__(self, log: RenderLog) -> None:
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        self.log.warnings.append(record.getMessage())


@contextmanager
def capture_weasyprint_warnings() -> Iterator[RenderLog]:
    """Collect WeasyPrint's warnings (unknown CSS, missing glyphs, refused URLs)."""
    log = RenderLog()
    handler = _Collect(log)
    loggers = [logging.getLogger("weasyprint"), logging.getLogger("weasyprint.progress")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield log
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def safe_url_fetcher(allowed_roots: Sequence[Path]) -> Any:
    """A WeasyPrint URL fetcher that serves `data:` URLs and files under `allowed_roots`."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    roots = [r.resolve() for r in allowed_roots]

    class SafeURLFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in roots) and path.is_file():
                    return super().fetch(url, headers)
            raise FatalURLFetchingError(f"refused to fetch {url[:200]}")

    return SafeURLFetcher(allowed_protocols={"data", "file"}, fail_on_errors=True)


PAGED_CSS = "paged.css"

#: WeasyPrint warnings a render may emit, as a regular expression with the reason it is
#: harmless. Every other warning (an unknown CSS property, a refused URL, a missing font)
#: fails the tests. None is expected today.
EXPECTED_WARNINGS: dict[str, str] = {}


def unexpected_warnings(warnings: Sequence[str]) -> list[str]:
    """The warnings that `EXPECTED_WARNINGS` does not explain."""
    return [w for w in warnings if not any(re.search(p, w) for p in EXPECTED_WARNINGS)]


#: The PDF variant of a final: tagged PDF/UA-1 (WeasyPrint's `pdf/ua-1`, PDF 1.7).
FINAL_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF (the data CSVs of a final)."""

    name: str
    data: bytes
    description: str


def _pdf_options(
    templates_dir: Path,
    fetcher: Any,
    variant: str | None,
    attachments: Sequence[Attachment],
    created: datetime | None,
    extra_css: str | None = None,
    lang: str = SOURCE_LANGUAGE,
) -> dict[str, Any]:
    import weasyprint

    tag_languages()
    paged = templates_dir / PAGED_CSS
    if not paged.is_file():
        raise RenderError(f"stylesheet {PAGED_CSS} not found in {templates_dir}")
    sheets = [weasyprint.CSS(filename=str(paged), url_fetcher=fetcher)]
    # a language's words in the margins (paged.ko.css: 3 / 62쪽), after paged.css's English
    words = templates_dir / f"paged.{lang}.css"
    if lang != SOURCE_LANGUAGE and words.is_file():
        sheets.append(weasyprint.CSS(filename=str(words), url_fetcher=fetcher))
    if extra_css:
        sheets.append(weasyprint.CSS(string=extra_css, url_fetcher=fetcher))
    # Drafts are tagged PDFs too (reviewers use screen readers); a final's PDF/UA variant
    # tags it anyway.
    options: dict[str, Any] = {"stylesheets": sheets, "pdf_tags": True}
    if variant:
        options["pdf_variant"] = variant
    if attachments:
        when = created or datetime.now(UTC)
        options["attachments"] = [
            weasyprint.Attachment(
                string=a.data.decode("utf-8"),
                name=a.name,
                description=a.description,
                created=when,
                modified=when,
            )
            for a in attachments
        ]
    return options


def layout_pdf(
    html: str,
    templates_dir: Path,
    *,
    image_roots: Sequence[Path] = (),
    extra_css: str | None = None,
    write: bool = True,
) -> tuple[
    bytes | None, list[dict[str, tuple[float, float]]], dict[str, tuple[str, int]], RenderLog
]:
    """Lay out one document; return its PDF (unless `write` is false), each page's anchors
    (id → position), its cross-references' pages (xref_pages) and the warnings. Used by the
    per-chapter renderer (wgreport.render.pdf.schedule)."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    fetcher = safe_url_fetcher([templates_dir, *image_roots])
    with capture_weasyprint_warnings() as log:
        try:
            options = _pdf_options(
                templates_dir, fetcher, None, (), None, extra_css, page_language(html)
            )
            document = weasyprint.HTML(
                string=html, base_url=str(templates_dir) + "/", url_fetcher=fetcher
            ).render(stylesheets=options.pop("stylesheets"))
            anchors = [
                {name: (x, y) for name, (x, y, *_rest) in page.anchors.items()}
                for page in document.pages
            ]
            pdf = document.write_pdf(**options) if write else None
        except FatalURLFetchingError as exc:
            raise RenderError(str(exc)) from exc
    return (bytes(pdf) if pdf is not None else None), anchors, xref_pages(document.pages), log


def xref_pages(pages: Sequence[Any]) -> dict[str, tuple[str, int]]:
    """Each numbered cross-reference (`data-xref`, paged.number_xrefs) of a laid-out
    document → its target's id and the page (from 0) it ends on: where its ", page N"
    prints."""
    found: dict[str, tuple[str, int]] = {}
    for index, page in enumerate(pages):
        for kind, target, _rect, box in page.links:
            element = getattr(box, "element", None)
            number = element.get("data-xref") if element is not None else None
            if kind == "internal" and number:
                found[number] = (target, index)
    return found


def _anchor_pages(pages: Sequence[Any]) -> dict[str, int]:
    """Each anchor's first page (from 0)."""
    found: dict[str, int] = {}
    for index, page in enumerate(pages):
        for name in page.anchors:
            found.setdefault(name, index)
    return found


_GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui",
                     "inherit", "initial", "unset"}  # fmt: skip
_FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;}]+)")


def font_families(templates_dir: Path) -> dict[str, str]:
    """Every font family the stylesheets name (generic ones aside) → the file naming it."""
    found: dict[str, str] = {}
    for css in sorted(templates_dir.glob("*.css")):
        for match in _FONT_FAMILY.finditer(css.read_text(encoding="utf-8")):
            for name in match[1].split(","):
                family = name.strip().strip("'\"").strip()
                if family and family.lower() not in _GENERIC_FAMILIES:
                    found.setdefault(family, css.name)
    return found


def installed_font_families() -> set[str] | None:
    """The font families fontconfig knows (what WeasyPrint can use); None without fc-list."""
    import subprocess

    try:
        out = subprocess.run(
            ["fc-list", "--format", "%{family}\n"],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return {f.strip() for line in out.stdout.splitlines() for f in line.split(",") if f.strip()}


def check_fonts(templates_dir: Path) -> None:
    """Refuse to render when a font the stylesheets name is not installed: WeasyPrint would
    quietly use another one, and the report would not look as designed."""
    installed = installed_font_families()
    if installed is None:
        return  # no fontconfig tools to ask; WeasyPrint's own warnings still apply
    missing = {f: css for f, css in font_families(templates_dir).items() if f not in installed}
    if missing:
        named = ", ".join(f"'{f}' (named in templates/{css})" for f, css in sorted(missing.items()))
        raise RenderError(
            f"font {named} is not installed; install it (make report installs the Noto fonts) "
            "or change the stylesheet"
        )


def render_pdf(
    html: str,
    templates_dir: Path,
    *,
    image_roots: Sequence[Path] = (),
    variant: str | None = None,
    attachments: Sequence[Attachment] = (),
    created: datetime | None = None,
) -> tuple[bytes, RenderLog]:
    """Lay out the HTML with WeasyPrint; return the PDF bytes and the warnings it emitted.

    WeasyPrint reads only what `safe_url_fetcher` allows: `data:` URLs, the templates and
    `image_roots` (the edition's image folders). `templates/paged.css` adds the paged-media
    rules. `variant="pdf/ua-1"` makes a tagged PDF/UA-1 document; `attachments` are
    embedded as files, dated `created` so that the output is reproducible. A
    cross-reference printed on its target's page is laid out without its ", page N"
    (_same_page_layout).
    """
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    check_fonts(templates_dir)
    fetcher = safe_url_fetcher([templates_dir, *image_roots])
    with capture_weasyprint_warnings() as log:
        try:
            options = _pdf_options(
                templates_dir, fetcher, variant, attachments, created, lang=page_language(html)
            )
            document = _same_page_layout(weasyprint, html, templates_dir, fetcher, options)
            pdf = document.write_pdf(**options)
        except FatalURLFetchingError as exc:
            raise RenderError(str(exc)) from exc
    if pdf is None:  # pragma: no cover - write_pdf returns bytes without a target
        raise RenderError("WeasyPrint produced no PDF")
    return bytes(pdf), log


def _same_page_layout(
    weasyprint: Any, html: str, templates_dir: Path, fetcher: Any, options: dict[str, Any]
) -> Any:
    """The document laid out, its cross-references on their target's page marked
    (paged.mark_same_page: no ", page N"). One layout tells which they are; when there are
    any, the marked HTML is laid out again (a second layout, as the per-chapter render's
    numbered parts get theirs). A mark that the shorter text moved off its target's page
    stays: it names an item on the facing or next page, without a wrong number."""
    marked: frozenset[str] = frozenset()
    for _ in range(3):
        document = weasyprint.HTML(
            string=mark_same_page(html, marked),
            base_url=str(templates_dir) + "/",
            url_fetcher=fetcher,
        ).render(**options)
        found = marked | same_page(xref_pages(document.pages), _anchor_pages(document.pages))
        if found == marked:
            return document
        marked = found
    return document
