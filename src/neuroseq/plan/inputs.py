"""What the plan engine needs, as plain typed values.

The engine never computes a score: region scores, typical-child scores, age equivalents
and the relational gate come from :mod:`neuroseq.scoring` (one source of numbers).
:func:`plan_inputs` builds the inputs from an assessment and its scores; tests and other
callers may also fill :class:`PlanInputs` directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from neuroseq.assessment import Assessment
from neuroseq.plan.model import Gate
from neuroseq.progress import Snapshot
from neuroseq.scoring import AssessmentScores


@dataclass(frozen=True)
class HistoryEvent:
    """One adversity of the developmental history, as the safety rules read it."""

    type: str
    period: str
    severity: int


@dataclass(frozen=True)
class PlanInputs:
    """One child's state as the plan sees it.

    ``developmental_age_months`` is the age equivalent per domain (None when the domain
    has no rating). ``region_scores`` and ``typical_region_scores`` are on 0-100 over the
    same rated items, as scoring computes them.

    From instrument version 2 the safety rules also read ``clinical_flags`` (True =
    present) and ``adversities``; the unlock rule reads ``history`` (earlier reviews of
    the same child under this plan, oldest first) and ``documented_plateaus`` (region ->
    the clinician's note that it has plateaued).
    """

    chronological_age_months: float
    ratings: Mapping[str, int | None]
    region_scores: Mapping[str, float | None]
    typical_region_scores: Mapping[str, float | None]
    developmental_age_months: Mapping[str, float | None]
    relational_gate: Gate
    current_relational_health: float | None = None
    current_relational_items: Mapping[str, int | None] = field(default_factory=dict)
    synthetic: bool = False
    pseudonym: str | None = None
    clinical_flags: Mapping[str, bool | None] = field(default_factory=dict)
    adversities: Sequence[HistoryEvent] = ()
    history: Sequence[Snapshot] = ()
    documented_plateaus: Mapping[str, str] = field(default_factory=dict)

    @property
    def age_months(self) -> float:
        """The unlock rule reads this review like an earlier one."""
        return self.chronological_age_months


def plan_inputs(
    assessment: Assessment,
    scores: AssessmentScores,
    history: Sequence[Snapshot] = (),
    documented_plateaus: Mapping[str, str] | None = None,
) -> PlanInputs:
    """Inputs for the engine from a validated assessment and its scores."""
    return PlanInputs(
        chronological_age_months=scores.chronological_age_months,
        ratings=dict(assessment.functional),
        region_scores=dict(scores.region_scores),
        typical_region_scores=dict(scores.typical_region_scores),
        developmental_age_months={
            d: (ae.months if ae is not None else None) for d, ae in scores.age_equivalents.items()
        },
        relational_gate=scores.relational_gate,
        current_relational_health=scores.current_relational_health,
        current_relational_items=dict(assessment.current_relational_health),
        synthetic=assessment.synthetic,
        pseudonym=assessment.client.pseudonym,
        clinical_flags=dict(assessment.clinical_flags),
        adversities=tuple(
            HistoryEvent(a.type, a.period, a.severity) for a in assessment.adversities
        ),
        history=tuple(history),
        documented_plateaus=dict(documented_plateaus or {}),
    )
