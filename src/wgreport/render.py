"""Render the context to HTML (Jinja2) and the HTML to PDF (WeasyPrint).

WeasyPrint gets a URL fetcher that serves only `data:` URLs and files under the allowed
folders (the templates); anything else stops the render.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .context import ReportContext

if TYPE_CHECKING:
    import jinja2

REPORT_TEMPLATE = "report.html.j2"


class RenderError(Exception):
    """The report could not be rendered (a template or a font is missing, a URL refused)."""


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja2 environment: autoescaped, strict about undefined names."""
    import jinja2

    if not (templates_dir / REPORT_TEMPLATE).is_file():
        raise RenderError(f"template {REPORT_TEMPLATE} not found in {templates_dir}")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(ctx: ReportContext, templates_dir: Path) -> str:
    """The report as one self-contained HTML page."""
    import jinja2

    env = make_environment(templates_dir)
    try:
        return env.get_template(REPORT_TEMPLATE).render(ctx=ctx)
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template {exc.name} not found in {templates_dir}") from exc


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


def render_pdf(
    html: str, templates_dir: Path, *, variant: str | None = None
) -> tuple[bytes, RenderLog]:
    """Lay out the HTML with WeasyPrint; return the PDF bytes and the warnings it emitted."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    fetcher = safe_url_fetcher([templates_dir])
    with capture_weasyprint_warnings() as log:
        try:
            document = weasyprint.HTML(
                string=html, base_url=str(templates_dir) + "/", url_fetcher=fetcher
            )
            options: dict[str, Any] = {}
            if variant:
                options["pdf_variant"] = variant
            pdf = document.write_pdf(**options)
        except FatalURLFetchingError as exc:
            raise RenderError(str(exc)) from exc
    if pdf is None:  # pragma: no cover - write_pdf returns bytes without a target
        raise RenderError("WeasyPrint produced no PDF")
    return bytes(pdf), log
