"""The Functional Brain Map, the typical-child comparison and the change map."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date

from neuroseq.brainmap.frame import MARGIN, describe_statuses, footer, header, legend
from neuroseq.brainmap.layout import ARROW_SPACE, LABEL_WIDTH, pyramid_layout
from neuroseq.brainmap.palette import pattern_defs
from neuroseq.brainmap.pyramid import draw_pyramid
from neuroseq.brainmap.svg import document, make_id_prefix
from neuroseq.brainmap.text import format_age, format_date
from neuroseq.instrument import Instrument
from neuroseq.progress.functions import function_changes

Ratings = Mapping[str, int | None]
PYRAMID_TOP = 124.0
COMPARISON_GAP = 70.0


def check_ratings(
    inst: Instrument, ratings: Ratings, name: str = "ratings"
) -> dict[str, int | None]:
    """Every function of the instrument with its status; absent keys are not rated."""
    known = set(inst.function_ids)
    problems = [f"{name}.{key}: unknown function id" for key in sorted(set(ratings) - known)]
    for key in sorted(set(ratings) & known):
        value = ratings[key]
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3
        ):
            problems.append(f"{name}.{key}: expected 0-3 or None, got {value!r}")
    if problems:
        raise ValueError("\n".join(problems))
    return {f: ratings.get(f) for f in inst.function_ids}


def typical_statuses(inst: Instrument, age_months: float) -> dict[str, int | None]:
    """The typical child's status of each function at this age, rounded half up."""
    return {
        f.id: min(3, max(0, math.floor(inst.typical_status(f.id, age_months) + 0.5)))
        for f in inst.functions
    }


def _subtitle(pseudonym: str | None, age_months: float, assessment_date: date) -> str:
    who = pseudonym or "Child (no pseudonym)"
    return (
        f"{who} \u00b7 age {format_age(age_months)} \u00b7 assessed {format_date(assessment_date)}"
    )


def _payload(*items: object) -> str:
    return json.dumps(items, sort_keys=True, default=str)


def _frame_and_finish(
    inst: Instrument,
    *,
    prefix: str,
    width: float,
    body_height: float,
    title: str,
    subtitle: str,
    synthetic: bool,
    desc: str,
    body: list[str],
    changes: bool = False,
) -> str:
    head, _ = header(title, subtitle, width, synthetic)
    key, key_height = legend(inst, prefix, PYRAMID_TOP + body_height + 18, width, changes=changes)
    foot_y = PYRAMID_TOP + body_height + 18 + key_height + 6
    foot, foot_height = footer(inst, foot_y, width)
    label = f"{title}. {subtitle}." + (" SYNTHETIC record, not a real child." if synthetic else "")
    return document(
        width=width,
        height=foot_y + foot_height + 8,
        prefix=prefix,
        title=label,
        desc=desc,
        defs=pattern_defs(prefix),
        body=[*head, *body, *key, *foot],
    )


def render_map(
    instrument: Instrument,
    ratings: Ratings,
    *,
    pseudonym: str | None,
    age_months: float,
    assessment_date: date,
    title: str | None = None,
    synthetic: bool = False,
    id_prefix: str | None = None,
    mark_typical: bool = False,
) -> str:
    """The child's Functional Brain Map as standalone SVG text.

    ``mark_typical`` outlines, in bold, each rated function whose status differs from a
    typically developing child of the same age, and writes the typical status in the tile.
    """
    statuses = check_ratings(instrument, ratings)
    title = title or "Functional Brain Map"
    typical = typical_statuses(instrument, age_months) if mark_typical else None
    prefix = make_id_prefix(
        "map",
        _payload(
            instrument.version,
            statuses,
            pseudonym,
            age_months,
            assessment_date,
            title,
            synthetic,
            mark_typical,
        ),
        id_prefix,
    )
    layout = pyramid_layout(instrument, MARGIN, PYRAMID_TOP)
    width = layout.width + 2 * MARGIN
    desc = (
        "Brain map: one row per brain region, from the body basics at the bottom to "
        "planning and self-control at the top. " + describe_statuses(instrument, statuses)
    )
    if typical is not None:
        below = [f.name for f in instrument.functions if _below(statuses, typical, f.id)]
        above = [f.name for f in instrument.functions if _below(typical, statuses, f.id)]
        desc += (
            f" Compared with a typical child aged {format_age(age_months)}: "
            f"{len(below)} functions below ({', '.join(below) or 'none'}), "
            f"{len(above)} above ({', '.join(above) or 'none'}); outlined in bold."
        )
    return _frame_and_finish(
        instrument,
        prefix=prefix,
        width=width,
        body_height=layout.height,
        title=title,
        subtitle=_subtitle(pseudonym, age_months, assessment_date),
        synthetic=synthetic,
        desc=desc,
        body=[draw_pyramid(instrument, layout, statuses, prefix, typical=typical)],
    )


def _below(a: Ratings, b: Ratings, function_id: str) -> bool:
    x, y = a.get(function_id), b.get(function_id)
    return x is not None and y is not None and x < y


def render_typical_comparison(
    instrument: Instrument,
    ratings: Ratings,
    *,
    pseudonym: str | None,
    age_months: float,
    assessment_date: date,
    title: str | None = None,
    synthetic: bool = False,
    id_prefix: str | None = None,
) -> str:
    """The child's map beside a typically developing child's of the same age."""
    statuses = check_ratings(instrument, ratings)
    typical = typical_statuses(instrument, age_months)
    title = title or "Functional Brain Map beside a typical child of the same age"
    prefix = make_id_prefix(
        "typ",
        _payload(
            instrument.version, statuses, pseudonym, age_months, assessment_date, title, synthetic
        ),
        id_prefix,
    )
    top = PYRAMID_TOP + 28
    left = pyramid_layout(instrument, MARGIN, top)
    # The right triangle shares the left one's region labels: its label column is skipped.
    right = pyramid_layout(
        instrument, MARGIN + left.width - ARROW_SPACE + COMPARISON_GAP - LABEL_WIDTH, top
    )
    width = right.x + right.width + MARGIN
    who = pseudonym or "This child"
    desc = (
        f"Left: {who}. "
        + describe_statuses(instrument, statuses)
        + f" Right: a typically developing child aged {format_age(age_months)}, from the "
        f"instrument's age norms. " + describe_statuses(instrument, typical)
    )
    body = [
        draw_pyramid(instrument, left, statuses, prefix, heading=who, arrow=False),
        draw_pyramid(
            instrument,
            right,
            typical,
            prefix,
            heading=f"Typical child aged {format_age(age_months)}",
            region_labels=False,
        ),
    ]
    return _frame_and_finish(
        instrument,
        prefix=prefix,
        width=width,
        body_height=left.height + 28,
        title=title,
        subtitle=_subtitle(pseudonym, age_months, assessment_date),
        synthetic=synthetic,
        desc=desc,
        body=body,
    )


def render_change_map(
    instrument: Instrument,
    before: Ratings,
    after: Ratings,
    *,
    pseudonym: str | None,
    age_months: float,
    before_date: date,
    assessment_date: date,
    title: str | None = None,
    synthetic: bool = False,
    id_prefix: str | None = None,
) -> str:
    """The later map, each tile marked better / same / worse / not comparable vs before."""
    old = check_ratings(instrument, before, "before")
    new = check_ratings(instrument, after, "after")
    changes = {c.function_id: c for c in function_changes(instrument.function_ids, old, new)}
    title = title or f"What changed since {format_date(before_date)}"
    prefix = make_id_prefix(
        "chg",
        _payload(
            instrument.version,
            old,
            new,
            pseudonym,
            age_months,
            before_date,
            assessment_date,
            title,
            synthetic,
        ),
        id_prefix,
    )
    layout = pyramid_layout(instrument, MARGIN, PYRAMID_TOP)
    width = layout.width + 2 * MARGIN
    counts = {
        d: sum(c.direction == d for c in changes.values())
        for d in ("improved", "unchanged", "worse", "not comparable")
    }
    desc = (
        f"Change map comparing {format_date(before_date)} with {format_date(assessment_date)}: "
        f"{counts['improved']} functions better, {counts['unchanged']} the same, "
        f"{counts['worse']} worse, {counts['not comparable']} not comparable. Now: "
        + describe_statuses(instrument, new, {f: c.direction for f, c in changes.items()})
    )
    return _frame_and_finish(
        instrument,
        prefix=prefix,
        width=width,
        body_height=layout.height,
        title=title,
        subtitle=_subtitle(pseudonym, age_months, assessment_date),
        synthetic=synthetic,
        desc=desc,
        body=[draw_pyramid(instrument, layout, new, prefix, changes=changes)],
        changes=True,
    )
