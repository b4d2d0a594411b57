"""Colour and texture of each status, and the contrast arithmetic that justifies them.

Colours come from ColorBrewer's colour-blind-safe RdYlBu scheme (blue = well organised,
red = undeveloped; red-green pairs are avoided). Colour is never the only cue: each
status also has its own texture, denser as the function is less organised, so the map
reads in greyscale print and for colour-blind readers. "Not rated" is white with a
dashed outline and the words "not rated", because missing is not zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from neuroseq.brainmap.svg import el, num

StatusKey = Literal["0", "1", "2", "3", "none"]
Texture = Literal["solid", "lines", "crosshatch", "dots", "blank"]

TEXT = "#1a1a1a"
MUTED_TEXT = "#4d4d4d"
OUTLINE = "#4d4d4d"
PATTERN_SIZE = 10


@dataclass(frozen=True)
class StatusStyle:
    key: StatusKey
    fill: str
    ink: str
    texture: Texture
    dashed: bool = False

    def pattern_id(self, prefix: str) -> str:
        return f"{prefix}-status-{self.key}"


STYLES: dict[StatusKey, StatusStyle] = {
    "3": StatusStyle("3", fill="#7fb8da", ink="#2c5d7c", texture="solid"),
    "2": StatusStyle("2", fill="#fff2ae", ink="#8a7a00", texture="lines"),
    "1": StatusStyle("1", fill="#f9a65a", ink="#7a3e00", texture="crosshatch"),
    "0": StatusStyle("0", fill="#e8705f", ink="#5c1208", texture="dots"),
    "none": StatusStyle("none", fill="#ffffff", ink="#6b6b6b", texture="blank", dashed=True),
}
_KEYS: dict[int | None, StatusKey] = {0: "0", 1: "1", 2: "2", 3: "3", None: "none"}
LEGEND_ORDER: tuple[StatusKey, ...] = ("3", "2", "1", "0", "none")


def status_key(status: int | None) -> StatusKey:
    key = _KEYS.get(status) if status is None or type(status) is int else None
    if key is None:
        raise ValueError(f"status: expected 0, 1, 2, 3 or None, got {status!r}")
    return key


def _marks(style: StatusStyle) -> list[str]:
    s = PATTERN_SIZE
    stroke = {"stroke": style.ink, "stroke-width": "1.3", "stroke-opacity": "0.7"}
    if style.texture == "lines":
        return [
            el(
                "path",
                {"d": f"M0 {s} L{s} 0 M-2 2 L2 -2 M{s - 2} {s + 2} L{s + 2} {s - 2}", **stroke},
            )
        ]
    if style.texture == "crosshatch":
        return [
            el(
                "path",
                {"d": f"M0 {s} L{s} 0 M-2 2 L2 -2 M{s - 2} {s + 2} L{s + 2} {s - 2}", **stroke},
            ),
            el(
                "path",
                {"d": f"M0 0 L{s} {s} M-2 {s - 2} L2 {s + 2} M{s - 2} -2 L{s + 2} 2", **stroke},
            ),
        ]
    if style.texture == "dots":
        dot = {"r": "1.7", "fill": style.ink, "fill-opacity": "0.75"}
        return [
            el("circle", {"cx": num(s / 4), "cy": num(s / 4), **dot}),
            el("circle", {"cx": num(3 * s / 4), "cy": num(3 * s / 4), **dot}),
        ]
    return []


def pattern_defs(prefix: str) -> list[str]:
    """One ``<pattern>`` per status; tiles and legend swatches fill with ``url(#...)``."""
    defs = []
    for key in LEGEND_ORDER:
        style = STYLES[key]
        body = [el("rect", {"width": PATTERN_SIZE, "height": PATTERN_SIZE, "fill": style.fill})]
        defs.append(
            el(
                "pattern",
                {
                    "id": style.pattern_id(prefix),
                    "patternUnits": "userSpaceOnUse",
                    "width": PATTERN_SIZE,
                    "height": PATTERN_SIZE,
                    "data-texture": style.texture,
                },
                body + _marks(style),
            )
        )
    return defs


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
