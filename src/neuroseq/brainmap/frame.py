"""What surrounds a map: heading, synthetic banner, legend, footer and the text description."""

from __future__ import annotations

from collections.abc import Mapping

from neuroseq.brainmap.palette import LEGEND_ORDER, MUTED_TEXT, OUTLINE, STYLES, TEXT
from neuroseq.brainmap.pyramid import (
    CHANGE_WORDS,
    change_badge,
    domain_short,
    status_words,
)
from neuroseq.brainmap.svg import el, group, num
from neuroseq.brainmap.text import text_width, wrap
from neuroseq.instrument import Instrument
from neuroseq.progress.functions import DIRECTIONS, Direction

MARGIN = 24.0
SYNTHETIC_TEXT = "SYNTHETIC - not a real child"


def header(title: str, subtitle: str, width: float, synthetic: bool) -> tuple[list[str], float]:
    """Title and subtitle at the top left; a framed SYNTHETIC banner at the top right."""
    parts = [
        el(
            "text",
            {"x": num(MARGIN), "y": "38", "font-size": "22", "font-weight": "bold", "fill": TEXT},
            title,
        ),
        el("text", {"x": num(MARGIN), "y": "62", "font-size": "15", "fill": TEXT}, subtitle),
    ]
    if synthetic:
        w = text_width(SYNTHETIC_TEXT, 14) + 20
        x = width - MARGIN - w
        parts.append(
            group(
                [
                    el(
                        "rect",
                        {
                            "x": num(x),
                            "y": "18",
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
                            "x": num(x + w / 2),
                            "y": "37",
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
    return parts, 84.0


def legend(
    inst: Instrument, prefix: str, y: float, width: float, *, changes: bool = False
) -> tuple[list[str], float]:
    """Swatches with the plain and the clinical label of each status (and change marks),
    then the instrument's sentence on what a status means, which a rater must not miss."""
    parts = [
        el(
            "text",
            {
                "x": num(MARGIN),
                "y": num(y + 14),
                "font-size": "13",
                "font-weight": "bold",
                "fill": TEXT,
            },
            "Key",
        )
    ]
    item_width = (width - 2 * MARGIN) / len(LEGEND_ORDER)
    top = y + 24
    for i, key in enumerate(LEGEND_ORDER):
        style = STYLES[key]
        status = None if key == "none" else int(key)
        plain, clinical = status_words(inst, status)
        x = MARGIN + i * item_width
        clinical_lines = wrap(clinical, item_width - 50, 11)
        parts.append(
            group(
                [
                    el(
                        "rect",
                        {
                            "x": num(x),
                            "y": num(top),
                            "width": "38",
                            "height": "26",
                            "rx": "3",
                            "fill": f"url(#{style.pattern_id(prefix)})",
                            "stroke": style.ink if style.dashed else OUTLINE,
                            "stroke-width": "1.5" if style.dashed else "1",
                            "stroke-dasharray": "5 3" if style.dashed else None,
                            "data-legend-status": key,
                        },
                    ),
                    el(
                        "text",
                        {
                            "x": num(x + 46),
                            "y": num(top + 11),
                            "font-size": "13",
                            "font-weight": "bold",
                            "fill": TEXT,
                        },
                        plain,
                    ),
                    el(
                        "text",
                        {
                            "x": num(x + 46),
                            "y": num(top + 26),
                            "font-size": "11",
                            "fill": MUTED_TEXT,
                        },
                        [
                            el("tspan", {"x": num(x + 46), "dy": "0" if j == 0 else "13"}, line)
                            for j, line in enumerate(clinical_lines)
                        ],
                    ),
                ],
                {"class": "legend-item"},
            )
        )
    height = 24 + 26 + 13 * 2 + 8
    if changes:
        row_y = y + height + 4
        step = (width - 2 * MARGIN) / len(DIRECTIONS)
        for i, direction in enumerate(DIRECTIONS):
            x = MARGIN + i * step
            parts.append(change_badge(direction, x + 10, row_y + 10))
            parts.append(
                el(
                    "text",
                    {"x": num(x + 26), "y": num(row_y + 14), "font-size": "13", "fill": TEXT},
                    {
                        "improved": "better than before",
                        "unchanged": "same as before",
                        "worse": "worse than before",
                        "not comparable": "not rated at one of the two times",
                    }[direction],
                )
            )
        height += 32
    if inst.header.status_meaning:
        # Bold glyphs run about 15% wider than the regular ones ``wrap`` assumes.
        meaning = wrap(" ".join(inst.header.status_meaning.split()), width - 2 * MARGIN, 12 * 1.15)
        parts.append(
            el(
                "text",
                {
                    "x": num(MARGIN),
                    "y": num(y + height + 12),
                    "font-size": "12",
                    "font-weight": "bold",
                    "fill": TEXT,
                    "class": "status-meaning",
                },
                [
                    el("tspan", {"x": num(MARGIN), "dy": "0" if j == 0 else "15"}, line)
                    for j, line in enumerate(meaning)
                ],
            )
        )
        height += 15 * len(meaning) + 6
    domains = "; ".join(
        f"{domain_short(inst, d.id)} = {d.plain_name.lower()} ({d.name.lower()})"
        for d in inst.domains
    )
    lines = wrap(f"Groups under each row: {domains}.", width - 2 * MARGIN, 11.5)
    parts.append(
        el(
            "text",
            {"x": num(MARGIN), "y": num(y + height + 12), "font-size": "11.5", "fill": MUTED_TEXT},
            [
                el("tspan", {"x": num(MARGIN), "dy": "0" if j == 0 else "14"}, line)
                for j, line in enumerate(lines)
            ],
        )
    )
    height += 14 * len(lines) + 6
    return [group(parts, {"class": "legend"})], height


def footer(inst: Instrument, y: float, width: float) -> tuple[list[str], float]:
    text = (
        f"{inst.header.name}, version {inst.version} ({inst.header.status.split(' - ')[0]}). "
        "Supports clinical judgement; it does not replace it. Not the NMT metrics."
    )
    lines = wrap(text, width - 2 * MARGIN, 11)
    return [
        el(
            "text",
            {
                "x": num(MARGIN),
                "y": num(y + 12),
                "font-size": "11",
                "fill": MUTED_TEXT,
                "class": "footer",
            },
            [
                el("tspan", {"x": num(MARGIN), "dy": "0" if j == 0 else "13"}, line)
                for j, line in enumerate(lines)
            ],
        )
    ], 13.0 * len(lines) + 10


def describe_statuses(
    inst: Instrument,
    statuses: Mapping[str, int | None],
    changes: Mapping[str, Direction] | None = None,
) -> str:
    """A sentence per region listing functions by status: what a screen reader reads."""
    sentences = []
    for region in reversed(inst.regions):
        functions = inst.functions_in_region(region.id)
        parts = []
        for key in LEGEND_ORDER:
            status = None if key == "none" else int(key)
            names = [
                f.plain_name
                + (f" ({CHANGE_WORDS[changes[f.id]]})" if changes and f.id in changes else "")
                for f in functions
                if statuses.get(f.id) == status
            ]
            if names:
                parts.append(f"{status_words(inst, status)[0]}: {', '.join(names)}")
        sentences.append(f"{region.plain_name} ({region.name}) - {'; '.join(parts)}.")
    return " ".join(sentences)
