"""Developmental history: Developmental Challenges Score, load per period, region impact.

A term of the challenges score is severity x type weight x timing weight x chronicity
factor; a region's impact replaces the timing weight by the region's sensitivity to the
period. Raw sums go through the instrument's monotone transform (``saturate``) to 0-100.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from neuroseq.assessment import Adversity
from neuroseq.instrument import Instrument
from neuroseq.instrument.schema import TransformKind
from neuroseq.scoring.explain import Explanation, Term


def saturate(raw: float, scale: float, kind: TransformKind = "exponential") -> float:
    """The instrument's monotone transform of a raw load to 0-100 (see ``Transforms``)."""
    if kind == "hyperbolic":
        return 100.0 * raw / (raw + scale)
    return 100.0 * (1.0 - math.exp(-raw / scale))


def _label(adv: Adversity) -> str:
    return f"{adv.type} in {adv.period} (severity {adv.severity}, {adv.chronicity})"


def _saturated_load(
    score: str,
    adversities: Sequence[Adversity],
    inst: Instrument,
    period_weight: Callable[[str], float],
    period_weight_name: str,
    scale: float,
) -> Explanation:
    """Sum of severity x type weight x period weight x chronicity factor, then saturated."""
    terms = []
    for adv in adversities:
        weight = (
            inst.adversity_type(adv.type).weight
            * period_weight(adv.period)
            * inst.chronicity_level(adv.chronicity).factor
        )
        terms.append(Term(_label(adv), float(adv.severity), weight, adv.severity * weight))
    raw = math.fsum(t.contribution for t in terms)
    return Explanation(
        score=score,
        value=saturate(raw, scale, inst.transforms.kind),
        formula=(
            f"{inst.transforms.formula(scale)}, raw = sum of severity x type weight "
            f"x {period_weight_name} x chronicity factor = {raw:g}"
        ),
        terms=tuple(terms),
    )


def challenges(adversities: Sequence[Adversity], inst: Instrument) -> Explanation:
    return _saturated_load(
        "developmental_challenges_score",
        adversities,
        inst,
        lambda period: inst.period(period).timing_weight,
        "timing weight",
        inst.transforms.challenges_scale,
    )


def raw_challenges(explanation: Explanation) -> float:
    return math.fsum(t.contribution for t in explanation.terms)


def period_load(adversities: Sequence[Adversity], inst: Instrument) -> dict[str, float]:
    """Raw challenge load contributed by each period (sums to the raw challenges total)."""
    load = dict.fromkeys(inst.period_ids, 0.0)
    for t, adv in zip(challenges(adversities, inst).terms, adversities, strict=True):
        load[adv.period] += t.contribution
    return load


def region_impact(adversities: Sequence[Adversity], inst: Instrument) -> dict[str, Explanation]:
    return {
        region: _saturated_load(
            f"region_impact.{region}",
            adversities,
            inst,
            inst.sensitivity[region].__getitem__,
            f"sensitivity of {region} to the period",
            inst.transforms.region_impact_scale,
        )
        for region in inst.region_ids
    }
