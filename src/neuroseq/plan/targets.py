"""Regions below expectation, compromised functions and their targets.

A region is below threshold when the typical child of the same age scores more than the
region's threshold above it on the same rated items: the instrument's fixed
``focus_threshold_points`` in version 1, ``z x SEM`` of the region score from version 2
(see :mod:`neuroseq.plan.sequence`). A function's target is the lowest whole status that
is within that same threshold of the typical status at this age: once every rated
function of a region reaches its target, the region's gap is at most the threshold. The
targets are therefore a consequence of the threshold, not a second rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from neuroseq.instrument import Instrument
from neuroseq.plan.inputs import PlanInputs
from neuroseq.plan.model import FunctionTarget, RegionReview

PERCENT_PER_STATUS = 100.0 / 3.0
EPSILON = 1e-9  # float noise on 0-100 scores and statuses; far below one rating's effect


def review_regions(
    inputs: PlanInputs, inst: Instrument, thresholds: Mapping[str, float] | None = None
) -> list[RegionReview]:
    """Score, typical score and gap per region, bottom-up, against each region's threshold."""
    rows = []
    for r in inst.region_ids:
        threshold = thresholds[r] if thresholds is not None else inst.plan.focus_threshold_points
        score = inputs.region_scores.get(r)
        typical = inputs.typical_region_scores.get(r)
        gap = typical - score if score is not None and typical is not None else None
        rows.append(
            RegionReview(
                region=r,
                score=score,
                typical=typical,
                gap=gap,
                below_threshold=gap is not None and gap > threshold + EPSILON,
                threshold=threshold,
            )
        )
    return rows


def target_status(
    inst: Instrument, function_id: str, age_months: float, threshold: float | None = None
) -> int:
    """Lowest whole status within the region's threshold of the typical status at this age."""
    points = inst.plan.focus_threshold_points if threshold is None else threshold
    allowed = points / PERCENT_PER_STATUS
    typical = inst.typical_status(function_id, age_months)
    return max(0, min(3, math.ceil(typical - allowed - EPSILON)))


def function_target(
    inputs: PlanInputs, inst: Instrument, function_id: str, threshold: float | None = None
) -> FunctionTarget:
    f = inst.function(function_id)
    age = inputs.chronological_age_months
    return FunctionTarget(
        function=f.id,
        name=f.name,
        plain_name=f.plain_name,
        current=inputs.ratings.get(f.id),
        typical_status=round(inst.typical_status(f.id, age), 2),
        target=target_status(inst, f.id, age, threshold),
    )


def compromised_functions(
    inputs: PlanInputs, inst: Instrument, region: str, threshold: float | None = None
) -> list[FunctionTarget]:
    """Rated functions of ``region`` below their target, in instrument order."""
    rows = [
        function_target(inputs, inst, f.id, threshold) for f in inst.functions_in_region(region)
    ]
    return [t for t in rows if t.current is not None and t.current < t.target]
