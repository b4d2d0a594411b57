"""Geometry of the brain "triangle": one row per region, bottom-up, each row narrower.

Rows are drawn top (last region, e.g. frontal cortex) to bottom (brainstem); inside a
row the functions are grouped by domain in the instrument's domain order, so a domain
sits in the same place across rows as far as the counts allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from neuroseq.instrument import Instrument
from neuroseq.instrument.schema import Domain, Function, Region

LABEL_WIDTH = 170.0
BASE_WIDTH = 780.0
TOP_WIDTH = 500.0
TILE_HEIGHT = 80.0
DOMAIN_BAND = 20.0
ROW_GAP = 8.0
TILE_GAP = 3.0
GROUP_GAP = 10.0
BACKDROP_MARGIN = 10.0
ARROW_SPACE = 36.0  # the "grows from the bottom up" arrow right of the triangle


@dataclass(frozen=True)
class Tile:
    function: Function
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class DomainGroup:
    domain: Domain
    x0: float
    x1: float


@dataclass(frozen=True)
class Row:
    region: Region
    x: float
    y: float
    width: float
    tiles: tuple[Tile, ...]
    groups: tuple[DomainGroup, ...]


@dataclass(frozen=True)
class PyramidLayout:
    rows: tuple[Row, ...]  # top to bottom
    x: float
    y: float
    width: float
    height: float
    backdrop: tuple[tuple[float, float], ...]  # trapezoid polygon behind the rows

    @property
    def centre(self) -> float:
        return self.x + LABEL_WIDTH + BASE_WIDTH / 2


def _grouped(inst: Instrument, region_id: str) -> list[tuple[Domain, list[Function]]]:
    functions = inst.functions_in_region(region_id)
    groups = []
    for domain in inst.domains:
        members = [f for f in functions if f.domain == domain.id]
        if members:
            groups.append((domain, members))
    return groups


def _row(inst: Instrument, region: Region, left: float, top: float, width: float) -> Row:
    groups = _grouped(inst, region.id)
    count = sum(len(members) for _, members in groups)
    gaps = (count - len(groups)) * TILE_GAP + (len(groups) - 1) * GROUP_GAP
    tile_width = (width - gaps) / count
    tiles: list[Tile] = []
    spans: list[DomainGroup] = []
    x = left
    for g, (domain, members) in enumerate(groups):
        if g:
            x += GROUP_GAP - TILE_GAP
        start = x
        for member in members:
            tiles.append(Tile(member, x, top, tile_width, TILE_HEIGHT))
            x += tile_width + TILE_GAP
        spans.append(DomainGroup(domain, start, x - TILE_GAP))
    return Row(region, left, top, width, tuple(tiles), tuple(spans))


def pyramid_layout(inst: Instrument, x: float, y: float) -> PyramidLayout:
    """Rows at ``(x, y)``: the region label column, then the triangle to its right."""
    regions = list(reversed(inst.regions))  # top row first
    n = len(regions)
    pitch = TILE_HEIGHT + DOMAIN_BAND + ROW_GAP
    centre = x + LABEL_WIDTH + BASE_WIDTH / 2
    rows = []
    for k, region in enumerate(regions):
        width = TOP_WIDTH + (BASE_WIDTH - TOP_WIDTH) * (k / (n - 1) if n > 1 else 1.0)
        rows.append(_row(inst, region, centre - width / 2, y + k * pitch, width))
    height = (n - 1) * pitch + TILE_HEIGHT + DOMAIN_BAND
    # The backdrop's sides pass BACKDROP_MARGIN outside the top corners of every row.
    spread = (BASE_WIDTH - TOP_WIDTH) / 2 / ((n - 1) * pitch if n > 1 else height)
    top, bottom = y - BACKDROP_MARGIN, y + height
    half_top = TOP_WIDTH / 2 + BACKDROP_MARGIN - spread * BACKDROP_MARGIN
    half_base = TOP_WIDTH / 2 + BACKDROP_MARGIN + spread * height
    backdrop = (
        (centre - half_top, top),
        (centre + half_top, top),
        (centre + half_base, bottom),
        (centre - half_base, bottom),
    )
    width = LABEL_WIDTH + BASE_WIDTH / 2 + half_base + ARROW_SPACE
    return PyramidLayout(tuple(rows), x, y, width, height, backdrop)
