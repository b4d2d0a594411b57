"""SVG of outcome counts: one bar per score (Functional Score, regions, domains), split
into improved / no reliable change / deteriorated / not comparable.

Each segment carries ``data-scope`` and ``data-class`` so a page can link it to the
clients behind the count; colour is never the only cue (every segment is labelled with
its count, and the legend spells out the classes).
"""

from __future__ import annotations

from neuroseq.brainmap.frame import MARGIN, footer
from neuroseq.brainmap.palette import MUTED_TEXT, TEXT
from neuroseq.brainmap.svg import document, el, group, make_id_prefix, num
from neuroseq.brainmap.text import text_width, wrap
from neuroseq.cohort.outcomes import ALL, CLASSES, Outcomes
from neuroseq.instrument import Instrument

WIDTH = 960.0
LABEL = 230.0
ROW = 30.0
STYLE = {
    "improved": ("#0072b2", "#ffffff"),
    "no reliable change": ("#d9d9d9", TEXT),
    "deteriorated": ("#d55e00", "#ffffff"),
    "not comparable": ("#ffffff", MUTED_TEXT),
}
SYNTHETIC_TEXT = "SYNTHETIC DATA - not real children"


def render_outcomes_chart(outcomes: Outcomes, inst: Instrument, *, group_name: str = ALL) -> str:
    g = outcomes.group(group_name)
    title = "Change from first to latest assessment (age-adjusted)"
    subtitle = (
        f"{'All clients' if group_name == ALL else group_name}: {g.n_clients:,} followed, "
        f"{g.n_single:,} with one assessment only"
    )
    top = 130.0
    x0, x1 = MARGIN + LABEL, WIDTH - MARGIN
    parts: list[str] = []
    sentences = [subtitle + "."]
    for i, outcome in enumerate(g.scopes):
        y = top + i * ROW
        total = sum(outcome.counts.values())
        name = outcome.scope.name
        parts.append(
            el("text", {"x": num(MARGIN), "y": num(y + 19), "font-size": "13", "fill": TEXT}, name)
        )
        sentences.append(f"{name}: " + ", ".join(f"{outcome.counts[c]} {c}" for c in CLASSES) + ".")
        x = x0
        for cls in CLASSES:
            count = outcome.counts[cls]
            if not count or not total:
                continue
            width = (x1 - x0) * count / total
            fill, ink = STYLE[cls]
            parts.append(
                el(
                    "rect",
                    {
                        "x": num(x),
                        "y": num(y + 4),
                        "width": num(width),
                        "height": num(ROW - 8),
                        "fill": fill,
                        "stroke": "#767676",
                        "stroke-width": "0.8",
                        "stroke-dasharray": "3 2" if cls == "not comparable" else None,
                        "data-scope": outcome.scope.label,
                        "data-class": cls,
                        "data-count": str(count),
                    },
                    [el("title", None, f"{name}: {count} {cls}")],
                )
            )
            if text_width(str(count), 12) + 6 < width:
                parts.append(
                    el(
                        "text",
                        {
                            "x": num(x + width / 2),
                            "y": num(y + 19),
                            "font-size": "12",
                            "text-anchor": "middle",
                            "fill": ink,
                        },
                        str(count),
                    )
                )
            x += width
    legend_y = top + len(g.scopes) * ROW + 16
    lx = x0
    for cls in CLASSES:
        fill, _ = STYLE[cls]
        parts.append(
            el(
                "rect",
                {
                    "x": num(lx),
                    "y": num(legend_y),
                    "width": "14",
                    "height": "14",
                    "fill": fill,
                    "stroke": "#767676",
                },
            )
        )
        parts.append(
            el(
                "text",
                {"x": num(lx + 20), "y": num(legend_y + 12), "font-size": "12", "fill": TEXT},
                cls,
            )
        )
        lx += 30 + text_width(cls, 12)
    note = (
        "Reliable change index of Jacobson and Truax (1991) with the instrument's provisional "
        "reliability figures, after subtracting the change of a typical child between the "
        "same ages."
    )
    lines = wrap(note, WIDTH - 2 * MARGIN, 11.5)
    parts.append(
        el(
            "text",
            {"x": num(MARGIN), "y": num(legend_y + 40), "font-size": "11.5", "fill": MUTED_TEXT},
            [
                el("tspan", {"x": num(MARGIN), "dy": "0" if k == 0 else "14"}, line)
                for k, line in enumerate(lines)
            ],
        )
    )
    head = [
        el(
            "text",
            {"x": num(MARGIN), "y": "38", "font-size": "22", "font-weight": "bold", "fill": TEXT},
            title,
        ),
        el("text", {"x": num(MARGIN), "y": "62", "font-size": "14", "fill": TEXT}, subtitle),
    ]
    if outcomes.synthetic:
        w = text_width(SYNTHETIC_TEXT, 14) + 32
        head.append(
            group(
                [
                    el(
                        "rect",
                        {
                            "x": num(WIDTH - MARGIN - w),
                            "y": "80",
                            "width": num(w),
                            "height": "28",
                            "rx": "4",
                            "fill": "#fde0dc",
                            "stroke": "#8b0000",
                            "stroke-width": "2",
                        },
                    ),
                    el(
                        "text",
                        {
                            "x": num(WIDTH - MARGIN - w / 2),
                            "y": "99",
                            "font-size": "14",
                            "font-weight": "bold",
                            "text-anchor": "middle",
                            "fill": "#8b0000",
                        },
                        SYNTHETIC_TEXT,
                    ),
                ],
                {"class": "synthetic-banner"},
            )
        )
        sentences.append("These are synthetic records, not real children.")
    bottom = legend_y + 40 + 14 * len(lines)
    foot, foot_height = footer(inst, bottom, WIDTH)
    prefix = make_id_prefix("out", f"{group_name}|{outcomes.to_dict()}", None)
    return document(
        width=WIDTH,
        height=bottom + foot_height + 12,
        prefix=prefix,
        title=f"{title}. {subtitle}." + (" SYNTHETIC data." if outcomes.synthetic else ""),
        desc=" ".join(sentences),
        defs=[],
        body=[*head, group(parts, {"class": "outcomes-chart"}), *foot],
    )
