"""A report's PDF reads the app's own static files and nothing else."""

from __future__ import annotations

import pytest
from weasyprint.urls import FatalURLFetchingError

from neuroseq.web.reports import STATIC_DIR, render_pdf


def _page(src: str) -> str:
    return f'<html><body><p>x</p><img src="{src}" alt=""></body></html>'


@pytest.mark.parametrize(
    "src",
    ["http://127.0.0.1:9/tracker.png", "https://example.org/logo.png", "file:///etc/hostname"],
)
def test_anything_outside_static_stops_the_rendering(src: str):
    with pytest.raises(FatalURLFetchingError):
        render_pdf(_page(src))


def test_the_apps_own_stylesheet_is_allowed():
    css = (STATIC_DIR / "neuroseq" / "report.css").as_uri()
    page = f'<html><head><link rel="stylesheet" href="{css}"></head><body>x</body></html>'
    pdf = render_pdf(page)
    assert pdf.startswith(b"%PDF")
