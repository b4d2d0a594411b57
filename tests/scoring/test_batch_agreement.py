"""The vectorised batch scorer gives the same numbers as the one-at-a-time scorer,
on random assessments (hypothesis) and on a synthetic cohort."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_strategies import assessment_dicts

from neuroseq.assessment import Assessment, parse_assessment
from neuroseq.cohort.synth import iter_synthetic_assessments
from neuroseq.instrument import Instrument, load_instrument
from neuroseq.scoring import score_assessment
from neuroseq.scoring.batch import AGE_FLAGS, GATES, BatchInput, score_batch

INST = load_instrument()
V1 = load_instrument("1")


def same(single: float | None, batch: float, where: str) -> None:
    if single is None:
        assert np.isnan(batch), f"{where}: single None, batch {batch}"
    else:
        assert not np.isnan(batch), f"{where}: single {single}, batch NaN"
        assert np.isclose(batch, single, rtol=1e-9, atol=1e-9), f"{where}: {single} vs {batch}"


def assert_agree(assessments: Sequence[Assessment], inst: Instrument = INST) -> None:
    b = score_batch(BatchInput.from_assessments(assessments, inst), inst)
    cols = b.columns(inst)
    for i, a in enumerate(assessments):
        s = score_assessment(a, inst)
        w = f"record {i}"
        same(s.chronological_age_months, BatchInput.from_assessments([a], inst).age_months[0], w)
        same(s.developmental_challenges_raw, b.developmental_challenges_raw[i], f"{w} dcs raw")
        same(s.developmental_challenges_score, b.developmental_challenges_score[i], f"{w} dcs")
        same(s.relational_health_history_score, b.relational_health_history_score[i], f"{w} rhh")
        same(s.current_relational_health, b.current_relational_health[i], f"{w} crh")
        assert GATES[b.relational_gate[i]] == s.relational_gate, w
        same(s.functional_score, b.functional_score[i], f"{w} fs")
        same(s.typical_functional_score, b.typical_functional_score[i], f"{w} typical fs")
        same(s.age_typical_percent, b.age_typical_percent[i], f"{w} percent")
        assert int(b.missing_count[i]) == len(s.missing_items), w
        for j, p in enumerate(inst.period_ids):
            same(s.period_load[p], b.period_load[i, j], f"{w} period_load.{p}")
            same(
                s.relational_history_by_period[p],
                b.relational_history_by_period[i, j],
                f"{w} rh.{p}",
            )
        for j, r in enumerate(inst.region_ids):
            same(s.region_impact[r], b.region_impact[i, j], f"{w} impact.{r}")
            same(s.region_scores[r], b.region_scores[i, j], f"{w} region.{r}")
            same(s.typical_region_scores[r], b.typical_region_scores[i, j], f"{w} typical.{r}")
        for j, d in enumerate(inst.domain_ids):
            same(s.domain_scores[d], b.domain_scores[i, j], f"{w} domain.{d}")
            same(
                s.domain_age_typical_percent[d],
                b.domain_age_typical_percent[i, j],
                f"{w} domain percent.{d}",
            )
            same(s.typical_domain_scores[d], b.typical_domain_scores[i, j], f"{w} typical.{d}")
            ae = s.age_equivalents[d]
            same(ae.months if ae else None, b.age_equivalents_months[i, j], f"{w} ae.{d}")
            flag = AGE_FLAGS[b.age_equivalent_flags[i, j]]
            assert flag == ((ae.flag or "") if ae else ""), f"{w} ae flag {d}"
            assert cols[f"age_equivalent_flag.{d}"][i] == flag
        # the flat columns written by `score --batch` are the same arrays
        assert cols["relational_gate"][i] == s.relational_gate


def _parse(records: Sequence[dict[str, Any]]) -> list[Assessment]:
    return [parse_assessment(r, INST) for r in records]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(assessment_dicts(), min_size=1, max_size=6))
def test_batch_equals_single_on_random_assessments(records: list[dict[str, Any]]) -> None:
    assert_agree(_parse(records))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(assessment_dicts(inst=V1), min_size=1, max_size=6))
def test_batch_equals_single_on_random_v1_assessments(records: list[dict[str, Any]]) -> None:
    # v1 keeps its own transform and age-equivalent ceiling: both paths still agree
    assert_agree([parse_assessment(r, V1) for r in records], V1)


def test_batch_equals_single_on_edge_cases() -> None:
    records = [
        {"assessment_date": "2026-01-01", "chronological_age_months": 0},  # nothing at all
        {
            "assessment_date": "2026-01-01",
            "chronological_age_months": 216,
            "functional": dict.fromkeys(INST.function_ids, 3),  # ceiling everywhere
            "current_relational_health": {
                "family_connectedness": 3,
                "caregiver_capacity": 1,
                "placement_security": 1,
                "school_connectedness": 1,
            },
        },
        {
            "assessment_date": "2026-01-01",
            "chronological_age_months": 30,
            "functional": {
                "suck_swallow_feeding": 1,
                "heart_rate_regulation": 2,
                "speech_articulation": 2,
                "vestibular_balance": 0,
            },
            "current_relational_health": {
                "family_connectedness": 2,
                "caregiver_capacity": 1,
                "placement_security": 1,
                "school_connectedness": 0,
            },
            "adversities": [
                {"type": "neglect", "period": "m0_2", "severity": 3, "chronicity": "chronic"}
            ],
        },
    ]
    assert_agree(_parse(records))


def test_batch_equals_single_on_500_synthetic_records() -> None:
    assessments = _parse(list(iter_synthetic_assessments(500, seed=7)))
    assert len(assessments) == 500
    assert_agree(assessments)


def test_empty_batch() -> None:
    b = score_batch(BatchInput.from_assessments([], INST), INST)
    assert b.functional_score.shape == (0,)
    assert b.region_scores.shape == (0, len(INST.region_ids))
    names = list(b.columns(INST))
    for r in INST.region_ids:
        assert f"region_score.{r}" in names and f"region_impact.{r}" in names
    for d in INST.domain_ids:
        assert f"domain_score.{d}" in names and f"age_equivalent_months.{d}" in names
