"""Reports as HTML and PDF (WeasyPrint), from the same templates and partials as the pages.

Works without a database: the CLI calls it with no Django project loaded, so the templates
render with a standalone engine (the app's template folder and tag libraries), and Django is
configured with template settings only when nothing else configured it. The PDF is A4 with a
running header, page numbers and a SYNTHETIC watermark on demo data (``reports/report.css``);
WeasyPrint may read the app's own static files and nothing else, so rendering a report never
touches the network.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from neuroseq.instrument import Instrument
from neuroseq.reports import Report
from neuroseq.web import plan_page

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
STYLESHEETS = ("report.css",)  # not site.css: its screen rules doubled the PDF time
# Plan blocks a caregiver or teacher reads before anything else, on the page and the report:
# health checks, keeping safe, and what only the clinician does (touch).
FAMILY_FIRST = ("medical", "safeguarding", "contraindication")
TITLES = {
    "clinician": "Clinician report",
    "caregiver": "Report for the family",
    "teacher": "Report for school",
}


def _configure_django() -> None:
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False, USE_TZ=True, TIME_ZONE="UTC", INSTALLED_APPS=[])


@cache
def _engine() -> Any:
    _configure_django()
    from django.template import Engine

    return Engine(
        dirs=[str(TEMPLATES_DIR)],
        libraries={"editor_tags": "neuroseq.web.templatetags.editor_tags"},
        autoescape=True,
    )


def render_html(report: Report, inst: Instrument) -> str:
    """The report as one HTML document (what the PDF prints; also handy to debug)."""
    from django.template import Context

    page = None
    if report.plan is not None:
        page = plan_page.plan_page(
            report.plan, inst, report.catalogue, report.audience, child_name=report.child
        )
    flags = [b for b in page.blocks if b.kind in FAMILY_FIRST] if page else []
    plan_html = (
        _engine().get_template("assessments/_plan_cards.html").render(Context({"page": page}))
        if page is not None
        else ""
    )
    context = {
        "r": report,
        "view": report.view,
        "title": TITLES[report.audience],
        "flags": flags,
        "plan_html": plan_html,
        "stylesheets": [(STATIC_DIR / "neuroseq" / name).as_uri() for name in STYLESHEETS],
    }
    return _engine().get_template("reports/report.html").render(Context(context))


@cache
def _fetcher() -> Any:
    """WeasyPrint's url_fetcher: the app's own static files, nothing from anywhere else."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    static = STATIC_DIR.resolve()

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
            if path is None or not path.is_relative_to(static) or not path.is_file():
                raise FatalURLFetchingError(
                    f"report: refused to fetch {url!r}: only the app's static files"
                )
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})

    return StaticOnly(fail_on_errors=True)


def _mime(path: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(
        path.suffix, "application/octet-stream"
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_fetcher())
    return bytes(pdf.write_pdf())


def report_pdf(report: Report, inst: Instrument) -> bytes:
    return render_pdf(render_html(report, inst))
