"""Score one assessment, keeping every explanation (the explainable path)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neuroseq.assessment import Assessment
from neuroseq.instrument import Instrument, load_instrument
from neuroseq.instrument.schema import Function
from neuroseq.scoring import functional, history, relational
from neuroseq.scoring.explain import Explanation
from neuroseq.scoring.functional import AgeEquivalent
from neuroseq.scoring.relational import Gate


@dataclass(frozen=True)
class AssessmentScores:
    instrument_version: str
    synthetic: bool
    chronological_age_months: float
    developmental_challenges_raw: float
    developmental_challenges_score: float
    period_load: dict[str, float]
    region_impact: dict[str, float]
    relational_health_history_score: float | None
    relational_history_by_period: dict[str, float | None]
    current_relational_health: float | None
    relational_gate: Gate
    functional_score: float | None
    region_scores: dict[str, float | None]
    domain_scores: dict[str, float | None]
    typical_functional_score: float | None
    typical_region_scores: dict[str, float | None]
    typical_domain_scores: dict[str, float | None]
    age_typical_percent: float | None
    domain_age_typical_percent: dict[str, float | None]
    age_equivalents: dict[str, AgeEquivalent | None]
    missing_items: tuple[str, ...]
    explanations: dict[str, Explanation]

    def explain(self, key: str) -> Explanation:
        """The explanation of one score, e.g. ``functional_score`` or ``region_scores.limbic``."""
        try:
            return self.explanations[key]
        except KeyError:
            known = ", ".join(sorted(self.explanations))
            raise KeyError(f"no score {key!r}; known: {known}") from None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready scores; the keys are the public contract of ``neuroseq score --json``."""
        return {
            "instrument_version": self.instrument_version,
            "synthetic": self.synthetic,
            "chronological_age_months": self.chronological_age_months,
            "developmental_challenges_score": self.developmental_challenges_score,
            "developmental_challenges_raw": self.developmental_challenges_raw,
            "period_load": self.period_load,
            "region_impact": self.region_impact,
            "relational_health_history_score": self.relational_health_history_score,
            "relational_history_by_period": self.relational_history_by_period,
            "current_relational_health": self.current_relational_health,
            "relational_gate": self.relational_gate,
            "functional_score": self.functional_score,
            "region_scores": self.region_scores,
            "domain_scores": self.domain_scores,
            "typical_functional_score": self.typical_functional_score,
            "typical_region_scores": self.typical_region_scores,
            "typical_domain_scores": self.typical_domain_scores,
            "age_typical_percent": self.age_typical_percent,
            "domain_age_typical_percent": self.domain_age_typical_percent,
            "age_equivalents_months": {
                d: (ae.months if ae else None) for d, ae in self.age_equivalents.items()
            },
            "age_equivalent_flags": {
                d: (ae.flag if ae else None) for d, ae in self.age_equivalents.items()
            },
            "age_equivalent_text": {
                d: (ae.text if ae else None) for d, ae in self.age_equivalents.items()
            },
            "missing_items": list(self.missing_items),
        }


def score_assessment(
    assessment: Assessment, instrument: Instrument | None = None
) -> AssessmentScores:
    inst = instrument or load_instrument(assessment.instrument_version)
    age = assessment.age_months
    ratings = assessment.functional
    typical = inst.typical_statuses(age)
    explanations: dict[str, Explanation] = {}

    dcs = history.challenges(assessment.adversities, inst)
    explanations["developmental_challenges_score"] = dcs
    impact = history.region_impact(assessment.adversities, inst)
    explanations.update({f"region_impact.{r}": e for r, e in impact.items()})

    rhh = relational.history_score(assessment.relational_history, inst)
    crh = relational.current_score(assessment.current_relational_health, inst)
    explanations[rhh.score] = rhh
    explanations[crh.score] = crh

    total = functional.group_score("functional_score", inst.functions, ratings)
    explanations[total.score] = total

    def groups(
        prefix: str, members: dict[str, tuple[Function, ...]]
    ) -> tuple[dict[str, float | None], dict[str, float | None]]:
        """Child's and typical child's score of each group, recording explanations."""
        scores: dict[str, float | None] = {}
        typicals: dict[str, float | None] = {}
        for key, items in members.items():
            e = functional.group_score(f"{prefix}.{key}", items, ratings)
            explanations[e.score] = e
            scores[key] = e.value
            typicals[key] = functional.typical_group_score(items, ratings, typical)
        return scores, typicals

    region_scores, typical_regions = groups(
        "region_scores", {r: inst.functions_in_region(r) for r in inst.region_ids}
    )
    domain_scores, typical_domains = groups(
        "domain_scores", {d: inst.functions_in_domain(d) for d in inst.domain_ids}
    )
    age_equivalents: dict[str, AgeEquivalent | None] = {}
    for d in inst.domain_ids:
        age_equivalents[d], explanations[f"age_equivalents_months.{d}"] = functional.age_equivalent(
            d, ratings, inst
        )
    percent = functional.age_typical_percent(ratings, inst, typical, age)
    explanations[percent.score] = percent

    assert dcs.value is not None
    return AssessmentScores(
        instrument_version=inst.version,
        synthetic=assessment.synthetic,
        chronological_age_months=age,
        developmental_challenges_raw=history.raw_challenges(dcs),
        developmental_challenges_score=dcs.value,
        period_load=history.period_load(assessment.adversities, inst),
        region_impact={r: e.value for r, e in impact.items() if e.value is not None},
        relational_health_history_score=rhh.value,
        relational_history_by_period=relational.history_by_period(
            assessment.relational_history, inst
        ),
        current_relational_health=crh.value,
        relational_gate=relational.gate(crh.value, inst),
        functional_score=total.value,
        region_scores=region_scores,
        domain_scores=domain_scores,
        typical_functional_score=functional.typical_group_score(inst.functions, ratings, typical),
        typical_region_scores=typical_regions,
        typical_domain_scores=typical_domains,
        age_typical_percent=percent.value,
        domain_age_typical_percent={
            d: functional.group_age_typical_percent(inst.functions_in_domain(d), ratings, typical)
            for d in inst.domain_ids
        },
        age_equivalents=age_equivalents,
        missing_items=tuple(f.id for f in inst.functions if ratings.get(f.id) is None),
        explanations=explanations,
    )
