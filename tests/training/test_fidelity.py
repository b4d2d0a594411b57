"""Monthly agreement for the fidelity dashboard, and its chart."""

from __future__ import annotations

from datetime import date

import pytest

from neuroseq.training import agreement_by_month, agreement_chart_svg


def test_monthly_means_cover_twelve_months_and_skip_undefined_figures():
    points = [
        (date(2026, 6, 3), 0.8),
        (date(2026, 6, 28), 0.9),
        (date(2026, 6, 29), None),  # undefined ICC: not part of the mean
        (date(2026, 4, 1), 0.7),
        (date(2025, 6, 30), 0.1),  # before the first month shown
        (date(2026, 7, 1), 0.1),  # after today
    ]
    months = agreement_by_month(points, today=date(2026, 6, 30))
    assert len(months) == 12
    assert months[0].month == date(2025, 7, 1) and months[-1].month == date(2026, 6, 1)
    assert months[-1].mean == pytest.approx(0.85) and months[-1].n == 2
    assert months[-3].mean == pytest.approx(0.7)
    assert months[-2].mean is None and months[-2].n == 0


def test_chart_draws_the_threshold_and_breaks_lines_at_empty_months():
    months = agreement_by_month(
        [(date(2026, 1, 5), 0.9), (date(2026, 2, 5), 0.8), (date(2026, 4, 5), 0.95)],
        today=date(2026, 4, 30),
        months=4,
    )
    svg = agreement_chart_svg({"Vignettes": months}, 0.8, "Agreement <per month>")
    assert svg.startswith("<svg") and "certification 0.80" in svg
    assert "Agreement &lt;per month&gt;" in svg  # titles are escaped
    assert svg.count("<circle") == 3
    assert svg.count("<polyline") == 1  # Jan-Feb joined; April alone after the empty March
    assert "Vignettes, Apr 2026: 0.95 (n=1)" in svg
