"""The developmental history per period as a vector chart: challenge load and relational health.

Two rows of bars over the same periods, earliest on the left: the share of the raw
Developmental Challenges load each period carries (timing x nature x severity, chronicity
counted), and the Relational Health History score of that period (0-100, higher =
healthier). Read together, they show when insults met little relational buffering, which
is what the approach weighs most.
"""

from __future__ import annotations

import math

from neuroseq.brainmap.frame import header
from neuroseq.brainmap.svg import FONT_FAMILY, SVG_NS, el, num
from neuroseq.instrument import Instrument
from neuroseq.scoring import AssessmentScores

WIDTH = 760.0
MARGIN = 20.0
LABEL_W = 120.0
BAR_H = 60.0
LOAD_COLOUR = "#9c3d2e"
RELATIONAL_COLOUR = "#2e6f9c"
TEXT = "#1a1a1a"
MUTED = "#555555"


def _panel(
    top: float,
    title: str,
    values: list[float | None],
    labels: list[str],
    colour: str,
    scale: float,
) -> list[str]:
    step = (WIDTH - LABEL_W - 2 * MARGIN) / len(values)
    left = MARGIN + LABEL_W
    base = top + BAR_H
    parts = [
        el(
            "text",
            {"x": num(MARGIN), "y": num(top + BAR_H / 2), "font-size": "13", "fill": TEXT},
            title,
        ),
        el(
            "line",
            {
                "x1": num(left),
                "y1": num(base),
                "x2": num(WIDTH - MARGIN),
                "y2": num(base),
                "stroke": MUTED,
                "stroke-width": "1",
            },
        ),
    ]
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        x = left + i * step + step * 0.15
        if value is None:
            parts.append(
                el(
                    "text",
                    {
                        "x": num(x + step * 0.35),
                        "y": num(base - 4),
                        "font-size": "10",
                        "text-anchor": "middle",
                        "fill": MUTED,
                    },
                    "not rated",
                )
            )
            continue
        h = BAR_H * (value / scale if scale > 0 else 0.0)
        parts.append(
            el(
                "rect",
                {
                    "x": num(x),
                    "y": num(base - h),
                    "width": num(step * 0.7),
                    "height": num(h),
                    "fill": colour,
                },
            )
        )
        parts.append(
            el(
                "text",
                {
                    "x": num(x + step * 0.35),
                    "y": num(base - h - 3),
                    "font-size": "10",
                    "text-anchor": "middle",
                    "fill": TEXT,
                },
                label,
            )
        )
    return parts


def render_history_chart(inst: Instrument, scores: AssessmentScores, *, synthetic: bool) -> str:
    """Standalone SVG of the history by period (``viewBox`` scaled, text kept as text)."""
    periods = list(inst.periods)
    loads = [scores.period_load.get(p.id, 0.0) for p in periods]
    total = math.fsum(loads)
    shares = [100 * v / total if total > 0 else 0.0 for v in loads]
    relational = [scores.relational_history_by_period.get(p.id) for p in periods]
    parts, top = header(
        "Developmental history by period",
        "Share of the challenge load (top) and relational health (bottom), earliest first",
        WIDTH,
        synthetic,
    )
    parts += _panel(
        top,
        "Challenge load (%)",
        shares,
        [f"{v:.0f}%" for v in shares],
        LOAD_COLOUR,
        max([*shares, 1.0]),
    )
    second = top + BAR_H + 24
    parts += _panel(
        second,
        "Relational health",
        relational,
        ["" if v is None else f"{v:.0f}" for v in relational],
        RELATIONAL_COLOUR,
        100.0,
    )
    step = (WIDTH - LABEL_W - 2 * MARGIN) / len(periods)
    label_y = second + BAR_H + 16
    for i, p in enumerate(periods):
        x = MARGIN + LABEL_W + i * step + step / 2
        parts.append(
            el(
                "text",
                {
                    "x": num(x),
                    "y": num(label_y),
                    "font-size": "9",
                    "text-anchor": "middle",
                    "fill": TEXT,
                },
                p.label,
            )
        )
    height = label_y + 14
    desc = "; ".join(
        f"{p.label}: {s:.0f}% of the load, relational health "
        f"{'not rated' if r is None else f'{r:.0f}'}"
        for p, s, r in zip(periods, shares, relational, strict=True)
    )
    return el(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {num(WIDTH)} {num(height)}",
            "width": num(WIDTH),
            "height": num(height),
            "role": "img",
            "aria-label": "Developmental history by period",
            "font-family": FONT_FAMILY,
        },
        [el("title", {}, "Developmental history by period"), el("desc", {}, desc), *parts],
    )
