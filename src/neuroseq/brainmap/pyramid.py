"""Draw one brain triangle: region labels, function tiles, domain groups, change marks."""

from __future__ import annotations

from collections.abc import Mapping

from neuroseq.brainmap.layout import ARROW_SPACE, LABEL_WIDTH, PyramidLayout, Row, Tile
from neuroseq.brainmap.palette import MUTED_TEXT, OUTLINE, STYLES, TEXT, status_key
from neuroseq.brainmap.svg import el, group, halo_text, num
from neuroseq.brainmap.text import fit, text_width, wrap
from neuroseq.instrument import Instrument
from neuroseq.progress.functions import Direction, FunctionChange

# Short names under each domain group; the legend spells them out. Unknown domains of a
# future instrument fall back to their plain name.
DOMAIN_SHORT = {
    "sensory_integration": "senses",
    "self_regulation": "calm",
    "relational": "people",
    "cognitive": "thinking",
}

CHANGE_BADGE = {
    "improved": ("#2166ac", "#ffffff"),
    "worse": ("#b2182b", "#ffffff"),
    "unchanged": ("#ffffff", MUTED_TEXT),
    "not comparable": ("#ffffff", TEXT),
}
CHANGE_WORDS: dict[Direction, str] = {
    "improved": "better",
    "unchanged": "same",
    "worse": "worse",
    "not comparable": "not comparable",
}


def domain_short(inst: Instrument, domain_id: str) -> str:
    return DOMAIN_SHORT.get(domain_id, inst.domain(domain_id).plain_name)


def status_words(inst: Instrument, status: int | None) -> tuple[str, str]:
    """(plain label, clinical label) of a status."""
    if status is None:
        return "not rated", "not rated (missing, not zero)"
    level = inst.status_level(status)
    return level.plain_label, level.label


def change_badge(direction: Direction, cx: float, cy: float, r: float = 9.0) -> str:
    """A round mark whose shape alone tells the direction: up, down, equals or question."""
    fill, ink = CHANGE_BADGE[direction]
    circle = el(
        "circle",
        {
            "cx": num(cx),
            "cy": num(cy),
            "r": num(r),
            "fill": fill,
            "stroke": TEXT,
            "stroke-width": "1.2",
            "stroke-dasharray": "2.5 2" if direction == "not comparable" else None,
        },
    )
    s = r * 0.55
    if direction == "improved":
        mark = el(
            "path",
            {
                "d": f"M{num(cx)} {num(cy - s)} L{num(cx + s)} {num(cy + s * 0.7)} "
                f"L{num(cx - s)} {num(cy + s * 0.7)} Z",
                "fill": ink,
            },
        )
    elif direction == "worse":
        mark = el(
            "path",
            {
                "d": f"M{num(cx)} {num(cy + s)} L{num(cx + s)} {num(cy - s * 0.7)} "
                f"L{num(cx - s)} {num(cy - s * 0.7)} Z",
                "fill": ink,
            },
        )
    elif direction == "unchanged":
        mark = el(
            "path",
            {
                "d": f"M{num(cx - s)} {num(cy - 2.2)} H{num(cx + s)} "
                f"M{num(cx - s)} {num(cy + 2.2)} H{num(cx + s)}",
                "stroke": ink,
                "stroke-width": "1.8",
            },
        )
    else:
        mark = el(
            "text",
            {
                "x": num(cx),
                "y": num(cy + 4),
                "font-size": "12",
                "font-weight": "bold",
                "text-anchor": "middle",
                "fill": ink,
            },
            "?",
        )
    return group([circle, mark], {"class": "change-mark", "data-change": direction})


def _versus_typical(status: int | None, typical: int | None) -> str | None:
    if status is None or typical is None or status == typical:
        return None
    return "below" if status < typical else "above"


def _tile(
    inst: Instrument,
    tile: Tile,
    status: int | None,
    prefix: str,
    change: FunctionChange | None,
    typical: int | None = None,
) -> str:
    fn = tile.function
    style = STYLES[status_key(status)]
    plain, clinical = status_words(inst, status)
    tooltip = f"{fn.plain_name} ({fn.name}): {plain} - {clinical}"
    versus = _versus_typical(status, typical)
    if versus is not None:
        tooltip += f"; a typical child of this age: {typical} ({versus} typical)"
    if change is not None:
        before = status_words(inst, change.before)[0]
        tooltip += f"; before: {before}; change: {CHANGE_WORDS[change.direction]}"
    rect = el(
        "rect",
        {
            "x": num(tile.x),
            "y": num(tile.y),
            "width": num(tile.width),
            "height": num(tile.height),
            "rx": "4",
            "fill": f"url(#{style.pattern_id(prefix)})",
            "stroke": style.ink if style.dashed else OUTLINE,
            "stroke-width": "1.5" if style.dashed else "1",
            "stroke-dasharray": "5 3" if style.dashed else None,
            "data-function": fn.id,
            "data-status": style.key,
            "data-region": fn.region,
            "data-domain": fn.domain,
            "data-change": change.direction if change is not None else None,
            "data-before": status_key(change.before) if change is not None else None,
            "data-vs-typical": versus,
        },
        [el("title", None, tooltip)],
    )
    extra = "not rated" if status is None else None
    if versus is not None:
        # A difference from the typical child of the same age: bold outline and the typical
        # status in words, so it reads without colour.
        arrow = "\u25bc" if versus == "below" else "\u25b2"
        extra = f"{arrow} typical {typical}"
    reserved = (1 if extra else 0) + (1 if change is not None else 0)
    lines, size = fit(fn.plain_name, tile.width - 14, (12.5, 11.5, 10.5), 4 - reserved)
    line_height = size * 1.2
    block = (len(lines) + reserved) * line_height
    first = tile.y + (tile.height - block) / 2 + size * 0.85
    centre = tile.x + tile.width / 2
    parts = [rect, halo_text(lines, x=centre, y=first, size=size, line_height=line_height)]
    if versus is not None:
        parts.insert(
            1,
            el(
                "rect",
                {
                    "x": num(tile.x + 1.5),
                    "y": num(tile.y + 1.5),
                    "width": num(tile.width - 3),
                    "height": num(tile.height - 3),
                    "rx": "3",
                    "fill": "none",
                    "stroke": TEXT,
                    "stroke-width": "3",
                    "class": "vs-typical",
                },
            ),
        )
    y = first + len(lines) * line_height
    if extra:
        parts.append(
            halo_text(
                [extra],
                x=centre,
                y=y,
                size=size - 1 if versus is None else size,
                line_height=line_height,
                fill=MUTED_TEXT if versus is None else TEXT,
                style="italic" if versus is None else None,
                weight="bold" if versus is not None else None,
            )
        )
        y += line_height
    if change is not None:
        was = "-" if change.before is None else str(change.before)
        now = "-" if change.after is None else str(change.after)
        words = f"{was} \u2192 {now}"
        # Badge then text, laid out from the left so a wide font cannot push them together.
        start = centre - (19 + text_width(words, size)) / 2
        parts.append(change_badge(change.direction, start + 7.5, y - size * 0.35, 7.5))
        parts.append(
            halo_text(
                [words],
                x=start + 19,
                y=y,
                size=size,
                line_height=line_height,
                weight="bold",
                anchor="start",
            )
        )
    return group(parts, {"class": "function"})


def _region_label(row: Row, x: float, show: bool) -> list[str]:
    centre = row.y + row.tiles[0].height / 2
    guide = el(
        "path",
        {
            "d": f"M{num(x + LABEL_WIDTH - 6)} {num(centre)} H{num(row.x - 4)}",
            "stroke": "#b3b3b3",
            "stroke-width": "1",
            "stroke-dasharray": "1 3",
        },
    )
    if not show:
        return []
    name = wrap(row.region.plain_name, LABEL_WIDTH - 12, 14)
    clinical = wrap(row.region.name, LABEL_WIDTH - 12, 12)
    total = len(name) * 17 + len(clinical) * 14.5
    top = centre - total / 2 + 12
    return [
        guide,
        el(
            "text",
            {"x": num(x), "y": num(top), "font-size": "14", "font-weight": "bold", "fill": TEXT},
            [
                el("tspan", {"x": num(x), "dy": "0" if i == 0 else "17"}, line)
                for i, line in enumerate(name)
            ],
        ),
        el(
            "text",
            {"x": num(x), "y": num(top + len(name) * 17), "font-size": "12", "fill": MUTED_TEXT},
            [
                el("tspan", {"x": num(x), "dy": "0" if i == 0 else "14.5"}, line)
                for i, line in enumerate(clinical)
            ],
        ),
    ]


def _domain_groups(inst: Instrument, row: Row) -> list[str]:
    parts = []
    y = row.y + row.tiles[0].height + 4
    for span in row.groups:
        parts.append(
            el(
                "path",
                {
                    "d": f"M{num(span.x0 + 2)} {num(y)} V{num(y + 3)} H{num(span.x1 - 2)} "
                    f"V{num(y)}",
                    "fill": "none",
                    "stroke": "#8c8c8c",
                    "stroke-width": "1",
                },
            )
        )
        parts.append(
            el(
                "text",
                {
                    "x": num((span.x0 + span.x1) / 2),
                    "y": num(y + 14),
                    "font-size": "10.5",
                    "text-anchor": "middle",
                    "fill": MUTED_TEXT,
                    "data-domain": span.domain.id,
                },
                domain_short(inst, span.domain.id),
            )
        )
    return parts


def _growth_arrow(layout: PyramidLayout) -> str:
    """The order of development, for readers who do not know the triangle."""
    x = layout.backdrop[2][0] + ARROW_SPACE / 2
    top, bottom = layout.y + 6, layout.y + layout.height - 6
    middle = (top + bottom) / 2
    return group(
        [
            el(
                "path",
                {
                    "d": f"M{num(x)} {num(bottom)} V{num(top + 8)}",
                    "stroke": "#8c8c8c",
                    "stroke-width": "2",
                },
            ),
            el(
                "path",
                {
                    "d": f"M{num(x - 6)} {num(top + 10)} L{num(x)} {num(top)} "
                    f"L{num(x + 6)} {num(top + 10)} Z",
                    "fill": "#8c8c8c",
                },
            ),
            el(
                "text",
                {
                    "x": num(x - 6),
                    "y": num(middle),
                    "font-size": "11.5",
                    "text-anchor": "middle",
                    "fill": MUTED_TEXT,
                    "transform": f"rotate(-90 {num(x - 6)} {num(middle)})",
                },
                "the brain grows from the bottom up",
            ),
        ],
        {"class": "growth-arrow"},
    )


def draw_pyramid(
    inst: Instrument,
    layout: PyramidLayout,
    statuses: Mapping[str, int | None],
    prefix: str,
    *,
    region_labels: bool = True,
    arrow: bool = True,
    changes: Mapping[str, FunctionChange] | None = None,
    heading: str | None = None,
    typical: Mapping[str, int | None] | None = None,
) -> str:
    backdrop = " ".join(f"{num(px)},{num(py)}" for px, py in layout.backdrop)
    parts = [el("polygon", {"points": backdrop, "fill": "#f2f2f2", "stroke": "#d9d9d9"})]
    if heading is not None:
        parts.append(
            el(
                "text",
                {
                    "x": num(layout.centre),
                    "y": num(layout.y - 22),
                    "font-size": "16",
                    "font-weight": "bold",
                    "text-anchor": "middle",
                    "fill": TEXT,
                },
                heading,
            )
        )
    if arrow:
        parts.append(_growth_arrow(layout))
    for row in layout.rows:
        tiles = [
            _tile(
                inst,
                tile,
                statuses.get(tile.function.id),
                prefix,
                changes.get(tile.function.id) if changes is not None else None,
                typical.get(tile.function.id) if typical is not None else None,
            )
            for tile in row.tiles
        ]
        parts.append(
            group(
                [*_region_label(row, layout.x, region_labels), *tiles, *_domain_groups(inst, row)],
                {"class": "region", "data-region": row.region.id},
            )
        )
    return group(parts, {"class": "brain-map"})
