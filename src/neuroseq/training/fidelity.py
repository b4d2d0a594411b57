"""Agreement over time for the fidelity dashboard: monthly means and a small SVG chart.

The input is any sequence of (date, agreement) points: ICC(A,1) of vignette attempts
with the key today, and of staffings (raters with each other) once staffings exist. The
same two functions serve both, so the dashboard can show them side by side.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from neuroseq.training.certification import add_months


@dataclass(frozen=True)
class MonthPoint:
    month: date  # first day of the month
    mean: float | None  # None: no defined figure that month
    n: int

    @property
    def label(self) -> str:
        return f"{self.month:%b %Y}"


def agreement_by_month(
    points: Iterable[tuple[date, float | None]], today: date, months: int = 12
) -> tuple[MonthPoint, ...]:
    """Mean agreement per calendar month for the ``months`` months up to ``today``.

    Undefined figures (None) are left out of the mean; a month without any is ``None``.
    """
    first = add_months(date(today.year, today.month, 1), -(months - 1))
    buckets: dict[date, list[float]] = {add_months(first, i): [] for i in range(months)}
    for day, value in points:
        key = date(day.year, day.month, 1)
        if key in buckets and value is not None:
            buckets[key].append(float(value))
    return tuple(MonthPoint(m, sum(v) / len(v) if v else None, len(v)) for m, v in buckets.items())


COLOURS = ("#1f5f8b", "#a4471b")


def agreement_chart_svg(
    series: Mapping[str, Sequence[MonthPoint]], threshold: float, title: str
) -> str:
    """A line per series on a 0-1 scale with the certification threshold as a dashed line.

    Months without data break the line. The caller shows the same numbers as a table.
    """
    width, height, left, right, top, bottom = 480, 252, 40, 10, 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    months = max((len(s) for s in series.values()), default=0)

    def x(i: int) -> float:
        return left + (plot_w * i / (months - 1) if months > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - max(0.0, min(1.0, v)))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="chart-title" class="agreement-chart">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    for tick in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="13" '
            f'text-anchor="end">{tick:.1f}</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y(threshold):.1f}" '
        f'y2="{y(threshold):.1f}" stroke="#555" stroke-dasharray="5 4"/>'
        f'<text x="{width - right}" y="{y(threshold) - 4:.1f}" font-size="13" '
        f'text-anchor="end">certification {threshold:.2f}</text>'
    )
    first = next(iter(series.values()), ())
    for i, point in enumerate(first):
        if i % 2 == 0 or months <= 6:
            parts.append(
                f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" font-size="13" '
                f'text-anchor="middle">{point.month:%b %y}</text>'
            )
    for (name, points), colour in zip(series.items(), COLOURS, strict=False):
        run: list[str] = []
        segments: list[list[str]] = []
        for i, point in enumerate(points):
            if point.mean is None:
                if run:
                    segments.append(run)
                run = []
                continue
            run.append(f"{x(i):.1f},{y(point.mean):.1f}")
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(point.mean):.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(name)}, {point.label}: {point.mean:.2f} (n={point.n})</title>"
                "</circle>"
            )
        if run:
            segments.append(run)
        for seg in segments:
            if len(seg) > 1:
                parts.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" '
                    'stroke-width="2"/>'
                )
    for i, (name, colour) in enumerate(zip(series, COLOURS, strict=False)):
        y0 = height - 10 if len(series) == 1 else height - 26 + 16 * i
        parts.append(
            f'<line x1="{left}" x2="{left + 18}" y1="{y0 - 4}" y2="{y0 - 4}" '
            f'stroke="{colour}" stroke-width="3"/><text x="{left + 24}" y="{y0}" '
            f'font-size="13">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
