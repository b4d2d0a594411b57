"""The Functional Brain Map and its companions, as standalone, accessible SVG text.

Pure functions: instrument and plain inputs in, SVG text out; no I/O, no randomness.
Every SVG has a ``viewBox``, ``role="img"`` with ``<title>``/``<desc>``, no scripts or
external resources, and ids prefixed per SVG so several can share one HTML page.
"""

from neuroseq.brainmap.charts import render_age_equivalent_chart, render_trend_chart
from neuroseq.brainmap.maps import (
    render_change_map,
    render_map,
    render_typical_comparison,
    typical_statuses,
)
from neuroseq.brainmap.palette import STYLES, StatusStyle, contrast_ratio, relative_luminance

__all__ = [
    "STYLES",
    "StatusStyle",
    "contrast_ratio",
    "relative_luminance",
    "render_age_equivalent_chart",
    "render_change_map",
    "render_map",
    "render_trend_chart",
    "render_typical_comparison",
    "typical_statuses",
]
