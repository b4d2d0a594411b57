"""Age-equivalent chart and trend chart, in the same style as the maps."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from datetime import date
from typing import Protocol

from neuroseq.brainmap.frame import MARGIN, footer, header
from neuroseq.brainmap.maps import _payload, _subtitle
from neuroseq.brainmap.palette import MUTED_TEXT, TEXT
from neuroseq.brainmap.svg import document, el, group, make_id_prefix, num
from neuroseq.brainmap.text import format_age, format_date, format_years, wrap
from neuroseq.instrument import MAX_AGE_MONTHS, Instrument
from neuroseq.progress.compare import Scope
from neuroseq.progress.trend import Trend
from neuroseq.scoring.functional import AgeEquivalent

CHART_WIDTH = 960.0
LABEL_COLUMN = 230.0
BAR_COLOUR = "#2c7bb6"
AGE_LINE = "#b2182b"
GRID = "#d9d9d9"

# Okabe-Ito colours, each with its own marker and dash so lines differ without colour.
SERIES_STYLES = (
    ("#0072b2", "circle", None),
    ("#d55e00", "square", "7 4"),
    ("#009e73", "triangle", "2 3"),
    ("#cc79a7", "diamond", "10 3 2 3"),
    ("#56b4e9", "circle", "4 4"),
    ("#e69f00", "square", "1 2"),
)


class AgeEquivalentLike(Protocol):
    @property
    def months(self) -> float: ...

    @property
    def flag(self) -> str | None: ...


def _axis_max(months: list[float]) -> float:
    """Round up to whole years, even ones, between 4 years and the end of the norms."""
    top = max([48.0, *months])
    return float(min(MAX_AGE_MONTHS, math.ceil(top / 24 + 1e-9) * 24))


def _age_phrase(ae: AgeEquivalentLike | None) -> str:
    """scoring.AgeEquivalent.text itself (one rounding, to the nearest month), so the chart
    and the table beside it never differ by a month."""
    if ae is None:
        return "not rated"
    return AgeEquivalent(ae.months, ae.flag).text  # type: ignore[arg-type]


def render_age_equivalent_chart(
    instrument: Instrument,
    age_equivalents: Mapping[str, AgeEquivalentLike | None],
    *,
    pseudonym: str | None,
    age_months: float,
    assessment_date: date,
    title: str | None = None,
    synthetic: bool = False,
    id_prefix: str | None = None,
    expected: Collection[str] = (),
) -> str:
    """Per domain, the developmental age beside the chronological age.

    ``expected``: domains within the range for age (``reports.content.within_range_for_age``).
    Their bar reaches the child's age line and reads "within the range for age": a bar
    stopping at the top of the norms (or on the flat late part of the typical curve)
    would draw a typical 14-year-old as an 8-year-old.
    """
    unknown = sorted(set(age_equivalents) - set(instrument.domain_ids))
    if unknown:
        raise ValueError("\n".join(f"age_equivalents.{d}: unknown domain id" for d in unknown))
    title = title or "Developmental age by domain"
    values = {d: age_equivalents.get(d) for d in instrument.domain_ids}
    prefix = make_id_prefix(
        "age",
        _payload(
            instrument.version,
            {d: (a.months, a.flag, d in expected) if a else None for d, a in values.items()},
            pseudonym,
            age_months,
            assessment_date,
            title,
            synthetic,
        ),
        id_prefix,
    )
    axis_max = _axis_max([age_months, *(a.months for a in values.values() if a)])
    x0, x1 = MARGIN + LABEL_COLUMN, CHART_WIDTH - MARGIN - 20
    top = 130.0
    row_height = 64.0

    def x_of(months: float) -> float:
        return x0 + (x1 - x0) * min(months, axis_max) / axis_max

    parts: list[str] = []
    bottom = top + row_height * len(values)
    for year in range(0, int(axis_max / 12) + 1, 2 if axis_max > 96 else 1):
        x = x_of(year * 12)
        parts.append(
            el(
                "path",
                {
                    "d": f"M{num(x)} {num(top - 6)} V{num(bottom)}",
                    "stroke": GRID,
                    "stroke-width": "1",
                },
            )
        )
        parts.append(
            el(
                "text",
                {
                    "x": num(x),
                    "y": num(bottom + 18),
                    "font-size": "12",
                    "text-anchor": "middle",
                    "fill": MUTED_TEXT,
                },
                f"{year}",
            )
        )
    parts.append(
        el(
            "text",
            {
                "x": num((x0 + x1) / 2),
                "y": num(bottom + 38),
                "font-size": "12.5",
                "text-anchor": "middle",
                "fill": TEXT,
            },
            "age in years",
        )
    )
    sentences = []
    for i, domain in enumerate(instrument.domains):
        ae = values[domain.id]
        y = top + i * row_height
        within = ae is not None and domain.id in expected
        phrase = "within the range for age" if within else _age_phrase(ae)
        sentences.append(f"{domain.plain_name} ({domain.name}): {phrase}.")
        parts.append(
            el(
                "text",
                {
                    "x": num(MARGIN),
                    "y": num(y + 20),
                    "font-size": "14",
                    "font-weight": "bold",
                    "fill": TEXT,
                },
                domain.plain_name,
            )
        )
        parts.append(
            el(
                "text",
                {"x": num(MARGIN), "y": num(y + 37), "font-size": "12", "fill": MUTED_TEXT},
                domain.name,
            )
        )
        bar_end = x0
        if ae is not None and ae.flag != "below_norms":
            bar_end = x_of(max(ae.months, age_months) if within else ae.months)
            parts.append(
                el(
                    "rect",
                    {
                        "x": num(x0),
                        "y": num(y + 10),
                        "width": num(max(bar_end - x0, 2.0)),
                        "height": "26",
                        "rx": "3",
                        "fill": BAR_COLOUR,
                        "data-domain": domain.id,
                        "data-months": num(ae.months),
                        "data-flag": ae.flag or "none",
                        "data-expected": "yes" if within else "no",
                    },
                    [el("title", None, f"{domain.plain_name}: {phrase}")],
                )
            )
            if ae.flag == "ceiling" and not within:
                parts.append(
                    el(
                        "path",
                        {
                            "d": f"M{num(bar_end)} {num(y + 6)} L{num(bar_end + 12)} {num(y + 23)} "
                            f"L{num(bar_end)} {num(y + 40)} Z",
                            "fill": BAR_COLOUR,
                        },
                    )
                )
                bar_end += 12
        else:
            parts.append(
                el(
                    "rect",
                    {
                        "x": num(x0),
                        "y": num(y + 10),
                        "width": "2",
                        "height": "26",
                        "fill": MUTED_TEXT,
                        "data-domain": domain.id,
                        "data-months": "none" if ae is None else num(ae.months),
                        "data-flag": "not_rated" if ae is None else str(ae.flag),
                    },
                )
            )
        label_x = bar_end + 8
        anchor = "start"
        if label_x + len(phrase) * 6.8 > x1 + 10:
            label_x, anchor = bar_end - 8, "end"
        colour = "#ffffff" if anchor == "end" else TEXT
        parts.append(
            el(
                "text",
                {
                    "x": num(label_x),
                    "y": num(y + 28),
                    "font-size": "13",
                    "font-weight": "bold",
                    "text-anchor": anchor,
                    "fill": colour,
                },
                phrase,
            )
        )
    now = x_of(age_months)
    parts.append(
        el(
            "path",
            {
                "d": f"M{num(now)} {num(top - 14)} V{num(bottom + 4)}",
                "stroke": AGE_LINE,
                "stroke-width": "2.5",
                "stroke-dasharray": "8 4",
                "data-age-months": num(age_months),
            },
        )
    )
    parts.append(
        el(
            "text",
            {
                "x": num(now),
                "y": num(top - 20),
                "font-size": "13",
                "font-weight": "bold",
                "text-anchor": "middle",
                "fill": AGE_LINE,
            },
            f"age now: {format_age(age_months)}",
        )
    )
    note = wrap(
        "Each bar shows the age at which a typically developing child reaches this child's "
        "score in that area (the instrument's age norms); the dashed line is the child's "
        "actual age.",
        CHART_WIDTH - 2 * MARGIN,
        12,
    )
    note_y = bottom + 62
    parts.append(
        el(
            "text",
            {"x": num(MARGIN), "y": num(note_y), "font-size": "12", "fill": MUTED_TEXT},
            [
                el("tspan", {"x": num(MARGIN), "dy": "0" if j == 0 else "15"}, line)
                for j, line in enumerate(note)
            ],
        )
    )
    head, _ = header(
        title, _subtitle(pseudonym, age_months, assessment_date), CHART_WIDTH, synthetic
    )
    foot, foot_height = footer(instrument, note_y + 15 * len(note), CHART_WIDTH)
    label = f"{title}. {_subtitle(pseudonym, age_months, assessment_date)}." + (
        " SYNTHETIC record, not a real child." if synthetic else ""
    )
    return document(
        width=CHART_WIDTH,
        height=note_y + 15 * len(note) + foot_height + 10,
        prefix=prefix,
        title=label,
        desc=f"Actual age {format_age(age_months)}. " + " ".join(sentences),
        defs=[],
        body=[*head, group(parts, {"class": "age-equivalents"}), *foot],
    )


def _marker(shape: str, x: float, y: float, colour: str, tooltip: str) -> str:
    title = [el("title", None, tooltip)]
    common = {"fill": colour, "stroke": "#ffffff", "stroke-width": "1.5"}
    if shape == "square":
        return el(
            "rect",
            {"x": num(x - 5), "y": num(y - 5), "width": "10", "height": "10", **common},
            title,
        )
    if shape == "triangle":
        return el(
            "path",
            {
                "d": f"M{num(x)} {num(y - 6.5)} L{num(x + 6.5)} {num(y + 5)} "
                f"L{num(x - 6.5)} {num(y + 5)} Z",
                **common,
            },
            title,
        )
    if shape == "diamond":
        return el(
            "path",
            {
                "d": f"M{num(x)} {num(y - 7)} L{num(x + 7)} {num(y)} "
                f"L{num(x)} {num(y + 7)} L{num(x - 7)} {num(y)} Z",
                **common,
            },
            title,
        )
    return el("circle", {"cx": num(x), "cy": num(y), "r": "5.5", **common}, title)


def _end_labels(
    ends: list[tuple[float, int, str, str, float, float]], verdicts: dict[str, str], lx: float
) -> str:
    """Line names at the right, in the order the lines end, pushed apart so none overlap."""
    parts = []
    previous = -math.inf
    for end_y, i, key, plain, end_x, value in sorted(ends):
        colour, shape, _ = SERIES_STYLES[i % len(SERIES_STYLES)]
        y = max(end_y + 4, previous + 32)
        previous = y
        parts.append(
            el(
                "path",
                {
                    "d": f"M{num(end_x + 7)} {num(end_y)} L{num(lx - 8)} {num(y - 4)}",
                    "stroke": "#8c8c8c",
                    "stroke-width": "0.8",
                },
            )
        )
        parts.append(_marker(shape, lx, y - 4, colour, plain))
        parts.append(
            el(
                "text",
                {
                    "x": num(lx + 12),
                    "y": num(y),
                    "font-size": "13",
                    "font-weight": "bold" if i == 0 else None,
                    "fill": TEXT,
                    "data-series": key,
                },
                f"{plain} {value:.0f}",
            )
        )
        parts.append(
            el(
                "text",
                {"x": num(lx + 12), "y": num(y + 14), "font-size": "11", "fill": MUTED_TEXT},
                verdicts[key],
            )
        )
    return group(parts, {"class": "end-labels"})


def render_trend_chart(
    instrument: Instrument,
    trend: Trend,
    *,
    title: str | None = None,
    id_prefix: str | None = None,
) -> str:
    """Domain scores (0-100) and the Functional Score over time, oldest on the left."""
    points = trend.points
    first, last = points[0], points[-1]
    title = title or "Progress over time"
    total: tuple[Scope, str, str, str] = (
        "total",
        "functional_score",
        "Functional Score",
        "Functional Score",
    )
    domains: list[tuple[Scope, str, str, str]] = [
        ("domain", d.id, d.plain_name, d.name) for d in instrument.domains
    ]
    series = [total, *domains]
    data = {key: trend.series(scope, key) for scope, key, _, _ in series}
    synthetic = any(p.synthetic for p in points)
    prefix = make_id_prefix(
        "trd",
        _payload(
            instrument.version,
            [p.assessment_date for p in points],
            data,
            first.pseudonym,
            title,
            synthetic,
        ),
        id_prefix,
    )
    x0, x1 = MARGIN + 50, CHART_WIDTH - MARGIN - 250
    y0, y1 = 110.0, 470.0  # top and bottom of the plot area
    span = max((last.assessment_date - first.assessment_date).days, 1)

    def x_of(day: date) -> float:
        return x0 + (x1 - x0) * (day - first.assessment_date).days / span

    def y_of(score: float) -> float:
        return y1 - (y1 - y0) * score / 100

    parts: list[str] = []
    for score in range(0, 101, 25):
        y = y_of(score)
        parts.append(el("path", {"d": f"M{num(x0)} {num(y)} H{num(x1)}", "stroke": GRID}))
        parts.append(
            el(
                "text",
                {
                    "x": num(x0 - 8),
                    "y": num(y + 4),
                    "font-size": "12",
                    "text-anchor": "end",
                    "fill": MUTED_TEXT,
                },
                str(score),
            )
        )
    parts.append(
        el(
            "text",
            {"x": num(MARGIN), "y": num(y0 - 16), "font-size": "12.5", "fill": TEXT},
            "score (0-100, higher = functioning better)",
        )
    )
    for p in points:
        x = x_of(p.assessment_date)
        parts.append(
            el(
                "path",
                {"d": f"M{num(x)} {num(y0)} V{num(y1)}", "stroke": GRID, "stroke-dasharray": "2 3"},
            )
        )
        parts.append(
            el(
                "text",
                {
                    "x": num(x),
                    "y": num(y1 + 18),
                    "font-size": "12",
                    "text-anchor": "middle",
                    "fill": TEXT,
                },
                p.assessment_date.isoformat(),
            )
        )
        parts.append(
            el(
                "text",
                {
                    "x": num(x),
                    "y": num(y1 + 33),
                    "font-size": "11",
                    "text-anchor": "middle",
                    "fill": MUTED_TEXT,
                },
                f"age {format_years(p.age_months)}",
            )
        )
    sentences = []
    ends: list[tuple[float, int, str, str, float, float]] = []
    verdicts: dict[str, str] = {}
    for i, (scope, key, plain, clinical) in enumerate(series):
        colour, shape, dash = SERIES_STYLES[i % len(SERIES_STYLES)]
        width = "3.5" if scope == "total" else "2.2"
        values = data[key]
        coords = [
            (x_of(p.assessment_date), y_of(v), v, p)
            for p, v in zip(points, values, strict=True)
            if v is not None
        ]
        overall = trend.overall.score(scope, key)
        verdict = overall.classification
        sentences.append(
            (f"{plain} ({clinical}): " if clinical != plain else f"{plain}: ")
            + ", ".join("not rated" if v is None else f"{v:.0f}" for v in values)
            + f" ({verdict} from first to last)."
        )
        elements: list[str] = []
        if len(coords) > 1:
            path = " ".join(
                f"{'M' if j == 0 else 'L'}{num(cx)} {num(cy)}"
                for j, (cx, cy, _, _) in enumerate(coords)
            )
            elements.append(
                el(
                    "path",
                    {
                        "d": path,
                        "fill": "none",
                        "stroke": colour,
                        "stroke-width": width,
                        "stroke-dasharray": dash,
                        "stroke-linejoin": "round",
                    },
                )
            )
        for cx, cy, v, p in coords:
            elements.append(
                _marker(
                    shape, cx, cy, colour, f"{plain}, {format_date(p.assessment_date)}: {v:.0f}"
                )
            )
        if coords:
            ends.append((coords[-1][1], i, key, plain, coords[-1][0], coords[-1][2]))
            verdicts[key] = f"{verdict}" + (" (reliable)" if overall.reliable else "")
        parts.append(group(elements, {"class": "series", "data-series": key}))
    parts.append(_end_labels(ends, verdicts, x1 + 18))
    head, _ = header(
        title,
        f"{first.pseudonym or 'Child'} \u00b7 {len(points)} assessments, "
        f"{format_date(first.assessment_date)} to {format_date(last.assessment_date)}",
        CHART_WIDTH,
        synthetic,
    )
    note = wrap(
        "Under each line's name: the change from the first to the last assessment. "
        '"Reliable" means larger than measurement error alone would explain '
        "(Jacobson-Truax reliable change index above 1.96).",
        CHART_WIDTH - 2 * MARGIN,
        12,
    )
    note_y = y1 + 62
    parts.append(
        el(
            "text",
            {"x": num(MARGIN), "y": num(note_y), "font-size": "12", "fill": MUTED_TEXT},
            [
                el("tspan", {"x": num(MARGIN), "dy": "0" if j == 0 else "15"}, line)
                for j, line in enumerate(note)
            ],
        )
    )
    foot, foot_height = footer(instrument, note_y + 15 * len(note), CHART_WIDTH)
    return document(
        width=CHART_WIDTH,
        height=note_y + 15 * len(note) + foot_height + 10,
        prefix=prefix,
        title=f"{title}: {first.pseudonym or 'child'}"
        + (". SYNTHETIC record, not a real child." if synthetic else ""),
        desc=" ".join(sentences),
        defs=[],
        body=[*head, group(parts, {"class": "trend"}), *foot],
    )
