"""SVG of the challenges-vs-function relation, drawn by our own code (house style of
``brainmap``): title, description, text labels, a SYNTHETIC banner on generated data.

Colour is never the only cue: each relational-health band has its own marker shape,
and the legend gives the count of children in each band.
"""

from __future__ import annotations

import math

import numpy as np

from neuroseq.brainmap.frame import MARGIN, footer
from neuroseq.brainmap.palette import MUTED_TEXT, TEXT
from neuroseq.brainmap.svg import document, el, group, make_id_prefix, num
from neuroseq.brainmap.text import text_width, wrap
from neuroseq.cohort.analysis import COLOURS, OUTCOMES, CohortFit
from neuroseq.instrument import Instrument

WIDTH = 960.0
PLOT_LEFT, PLOT_TOP, PLOT_WIDTH, PLOT_HEIGHT = 96.0, 150.0, 600.0, 400.0
GRID = "#d9d9d9"
LINE = "#1a1a1a"
BAND = "#bdbdbd"
SYNTHETIC_TEXT = "SYNTHETIC DATA - not real children"

# (key, label, colour, shape): Okabe-Ito colours, one shape each.
BANDS = (
    ("low", "low", "#d55e00", "triangle"),
    ("middle", "middle", "#e69f00", "square"),
    ("high", "high", "#0072b2", "circle"),
    ("none", "not rated", "#ffffff", "hollow"),
)


def _band_of(value: float, low: float, high: float) -> str:
    if math.isnan(value):
        return "none"
    return "low" if value < low else ("middle" if value < high else "high")


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "triangle":
        return el(
            "path",
            {
                "d": f"M{num(x)} {num(y - 4)}L{num(x + 4)} {num(y + 3)}L{num(x - 4)} {num(y + 3)}Z",
                "fill": colour,
            },
        )
    if shape == "square":
        return el(
            "rect",
            {"x": num(x - 3), "y": num(y - 3), "width": "6", "height": "6", "fill": colour},
        )
    if shape == "hollow":
        return el(
            "circle",
            {"cx": num(x), "cy": num(y), "r": "3", "fill": "#ffffff", "stroke": "#767676"},
        )
    return el("circle", {"cx": num(x), "cy": num(y), "r": "3.2", "fill": colour})


def _y_top(fit: CohortFit) -> float:
    if fit.outcome == "functional_score":
        return 100.0
    return float(min(200.0, max(120.0, math.ceil(fit.y_range[1] / 20) * 20)))


def _text(x: float, y: float, text: str, size: float = 12, **attrs: object) -> str:
    return el(
        "text", {"x": num(x), "y": num(y), "font-size": num(size), "fill": TEXT, **attrs}, text
    )


def render_cohort_plot(fit: CohortFit, inst: Instrument, *, title: str | None = None) -> str:
    """The scatter (a random sample), the line fitted to all children and its 95% band."""
    title = title or "Developmental challenges and functioning"
    y_top = _y_top(fit)
    line = fit.line

    def px(x: float) -> float:
        return PLOT_LEFT + PLOT_WIDTH * min(max(x, 0.0), 100.0) / 100.0

    def py(y: float) -> float:
        return PLOT_TOP + PLOT_HEIGHT * (1 - min(max(y, 0.0), y_top) / y_top)

    low, high = inst.gate.marginal_min, inst.gate.sufficient_min
    measure = COLOURS[fit.colour]
    measure_label = fit.labels[measure]
    parts: list[str] = []
    for tick in range(0, 101, 20):
        parts.append(
            el(
                "path",
                {
                    "d": f"M{num(px(tick))} {num(PLOT_TOP)}V{num(PLOT_TOP + PLOT_HEIGHT)}",
                    "stroke": GRID,
                },
            )
        )
        parts.append(
            _text(
                px(tick),
                PLOT_TOP + PLOT_HEIGHT + 18,
                str(tick),
                12,
                **{"text-anchor": "middle", "fill": MUTED_TEXT},
            )
        )
    step = 20 if y_top <= 140 else 40
    for tick in range(0, int(y_top) + 1, step):
        parts.append(
            el(
                "path",
                {
                    "d": f"M{num(PLOT_LEFT)} {num(py(tick))}H{num(PLOT_LEFT + PLOT_WIDTH)}",
                    "stroke": GRID,
                },
            )
        )
        parts.append(
            _text(
                PLOT_LEFT - 8,
                py(tick) + 4,
                str(tick),
                12,
                **{"text-anchor": "end", "fill": MUTED_TEXT},
            )
        )
    if fit.outcome == "age_typical_percent":
        parts.append(
            el(
                "path",
                {
                    "d": f"M{num(PLOT_LEFT)} {num(py(100))}H{num(PLOT_LEFT + PLOT_WIDTH)}",
                    "stroke": "#7f7f7f",
                    "stroke-dasharray": "6 4",
                },
            )
        )
    x_label = "Developmental Challenges Score (0-100, higher = more adversity)"
    parts.append(
        _text(
            PLOT_LEFT + PLOT_WIDTH / 2,
            PLOT_TOP + PLOT_HEIGHT + 40,
            x_label,
            13,
            **{"text-anchor": "middle"},
        )
    )
    y_label = (
        "y: "
        + OUTCOMES[fit.outcome]
        + (" (age-adjusted)" if fit.outcome == "age_typical_percent" else "")
    )
    parts.append(_text(MARGIN, PLOT_TOP - 14, y_label, 13, **{"font-weight": "bold"}))

    counts = {key: 0 for key, *_ in BANDS}
    points: dict[str, list[str]] = {key: [] for key, *_ in BANDS}
    style = {key: (colour, shape) for key, _, colour, shape in BANDS}
    for x, y, value in zip(fit.sample.x, fit.sample.y, fit.sample.colour, strict=True):
        key = _band_of(float(value), low, high)
        counts[key] += 1
        colour, shape = style[key]
        points[key].append(_marker(shape, px(float(x)), py(float(y)), colour))
    for key, *_ in BANDS:
        parts.append(group(points[key], {"class": f"points points-{key}", "opacity": "0.75"}))

    xs = np.linspace(max(fit.x_range[0], 0.0), min(fit.x_range[1], 100.0), 41)
    lower, upper = line.band(xs)
    outline = [f"{num(px(x))} {num(py(y))}" for x, y in zip(xs, upper, strict=True)]
    outline += [f"{num(px(x))} {num(py(y))}" for x, y in zip(xs[::-1], lower[::-1], strict=True)]
    parts.append(
        el(
            "path",
            {"d": "M" + "L".join(outline) + "Z", "fill": BAND, "opacity": "0.55", "class": "band"},
        )
    )
    fitted = line.predict(xs)
    parts.append(
        el(
            "path",
            {
                "d": "M"
                + "L".join(f"{num(px(x))} {num(py(y))}" for x, y in zip(xs, fitted, strict=True)),
                "stroke": LINE,
                "stroke-width": "2.5",
                "fill": "none",
                "class": "fit-line",
                "data-slope": f"{line.slope:.4f}",
                "data-intercept": f"{line.intercept:.4f}",
            },
        )
    )

    legend_x = PLOT_LEFT + PLOT_WIDTH + 40
    parts.append(_text(legend_x, PLOT_TOP - 14, "Colour:", 12.5, **{"font-weight": "bold"}))
    parts.append(_text(legend_x, PLOT_TOP + 4, measure_label, 12.5, **{"font-weight": "bold"}))
    for i, (key, label, colour, shape) in enumerate(BANDS):
        y = PLOT_TOP + 28 + 24 * i
        rule = {
            "low": f"below {low:g}",
            "middle": f"{low:g} to under {high:g}",
            "high": f"{high:g} or more",
            "none": "",
        }[key]
        parts.append(_marker(shape, legend_x + 6, y - 4, colour))
        parts.append(
            _text(
                legend_x + 18,
                y,
                f"{label} {rule} ({counts[key]})".replace("  ", " "),
                12,
                **{"data-band": key},
            )
        )
    legend_y = PLOT_TOP + 28 + 24 * len(BANDS) + 8
    parts.append(
        el(
            "path",
            {
                "d": f"M{num(legend_x)} {num(legend_y)}H{num(legend_x + 14)}",
                "stroke": LINE,
                "stroke-width": "2.5",
            },
        )
    )
    parts.append(_text(legend_x + 18, legend_y + 4, "least-squares line", 12))
    parts.append(
        el(
            "rect",
            {
                "x": num(legend_x),
                "y": num(legend_y + 14),
                "width": "14",
                "height": "10",
                "fill": BAND,
            },
        )
    )
    parts.append(_text(legend_x + 18, legend_y + 23, "95% band of the line", 12))
    if fit.outcome == "age_typical_percent":  # in the legend: beside the line it hit the legend
        parts.append(
            el(
                "path",
                {
                    "d": f"M{num(legend_x)} {num(legend_y + 38)}H{num(legend_x + 14)}",
                    "stroke": "#7f7f7f",
                    "stroke-dasharray": "6 4",
                },
            )
        )
        parts.append(_text(legend_x + 18, legend_y + 42, "typical for age (100%)", 12))

    sentences = _sentences(fit)
    note_y = PLOT_TOP + PLOT_HEIGHT + 66
    lines = [ln for s in sentences for ln in wrap(s, WIDTH - 2 * MARGIN, 12)]
    parts.append(
        el(
            "text",
            {"x": num(MARGIN), "y": num(note_y), "font-size": "12", "fill": TEXT},
            [
                el("tspan", {"x": num(MARGIN), "dy": "0" if j == 0 else "16"}, t)
                for j, t in enumerate(lines)
            ],
        )
    )
    subtitle = (
        f"n = {line.n:,} children; r = {line.r:.2f}; slope {line.slope:.3f} per point "
        f"(95% CI {line.slope_ci_low:.3f} to {line.slope_ci_high:.3f})"
    )
    head = [
        _text(MARGIN, 38, title, 22, **{"font-weight": "bold"}),
        _text(MARGIN, 62, subtitle, 14),
    ]
    if fit.synthetic:
        w = text_width(SYNTHETIC_TEXT, 14) + 32
        x = WIDTH - MARGIN - w
        head.append(
            group(
                [
                    el(
                        "rect",
                        {
                            "x": num(x),
                            "y": "96",
                            "width": num(w),
                            "height": "28",
                            "rx": "4",
                            "fill": "#fde0dc",
                            "stroke": "#8b0000",
                            "stroke-width": "2",
                        },
                    ),
                    _text(
                        x + w / 2,
                        115,
                        SYNTHETIC_TEXT,
                        14,
                        **{"font-weight": "bold", "text-anchor": "middle", "fill": "#8b0000"},
                    ),
                ],
                {"class": "synthetic-banner"},
            )
        )
    bottom = note_y + 16 * len(lines)
    foot, foot_height = footer(inst, bottom, WIDTH)
    prefix = make_id_prefix(
        "coh", f"{line.to_dict()}|{fit.outcome}|{fit.colour}|{fit.n_records}", None
    )
    label = f"{title}. {subtitle}." + (
        " SYNTHETIC data, not real children." if fit.synthetic else ""
    )
    return document(
        width=WIDTH,
        height=bottom + foot_height + 12,
        prefix=prefix,
        title=label,
        desc=" ".join(sentences),
        defs=[],
        body=[*head, group(parts, {"class": "cohort-plot"}), *foot],
    )


def _sentences(fit: CohortFit) -> list[str]:
    line = fit.line
    shown = fit.sample.x.shape[0]
    which = f"all {line.n:,}" if shown >= line.n else f"a random sample of {shown:,} of {line.n:,}"
    out = [
        f"Each point is one child ({which}); the line and its band are fitted to all of them.",
        f"Functioning changes by {line.slope:.2f} points for each point of developmental "
        f"challenges (95% CI {line.slope_ci_low:.2f} to {line.slope_ci_high:.2f}; "
        f"r = {line.r:.2f}).",
    ]
    for measure, result in fit.residuals.items():
        if result is None:
            continue
        name = fit.labels[measure]
        direction = "lower" if result.difference > 0 else "higher"
        out.append(
            f"Children below the line had {direction} {name} than those above it "
            f"(mean {result.mean_below:.0f} vs {result.mean_above:.0f}; difference "
            f"{result.difference:.1f}, 95% CI {result.ci_low:.1f} to {result.ci_high:.1f}; "
            f"d = {result.cohens_d:.2f})."
        )
    if fit.synthetic:
        out.append("These are synthetic records generated by neuroseq, not real children.")
    return out
