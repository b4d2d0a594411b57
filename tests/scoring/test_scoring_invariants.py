"""Hypothesis invariants of the one-at-a-time scorer, on valid random assessments."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scoring_strategies import adversity_for, assessment_dicts, lived_periods

from neuroseq.assessment import parse_assessment
from neuroseq.instrument import load_instrument
from neuroseq.scoring import score_assessment

INST = load_instrument()
FUNCTIONS = {f.id: f for f in INST.functions}
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scores_of(data: dict[str, Any]) -> Any:
    return score_assessment(parse_assessment(data, INST), INST)


def group_score(ratings: dict[str, int | None], ids: list[str]) -> float | None:
    """100/3 x weighted mean of the rated items (written out independently)."""
    rated = [(FUNCTIONS[i].weight, r) for i in ids if (r := ratings.get(i)) is not None]
    if not rated:
        return None
    return 100 / 3 * sum(w * r for w, r in rated) / sum(w for w, _ in rated)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@PROPERTY
@given(data=st.data())
def test_adding_an_adversity_never_lowers_challenges_or_impact(data: st.DataObject) -> None:
    base = data.draw(assessment_dicts())
    extra = data.draw(adversity_for(INST, base["chronological_age_months"]))
    more = copy.deepcopy(base)
    more["adversities"].append(extra)
    before, after = scores_of(base), scores_of(more)
    assert after.developmental_challenges_raw > before.developmental_challenges_raw
    assert after.developmental_challenges_score >= before.developmental_challenges_score
    for r in INST.region_ids:
        assert after.region_impact[r] >= before.region_impact[r]
    for p in INST.period_ids:
        assert after.period_load[p] >= before.period_load[p]


POSTNATAL_ANY = [t.id for t in INST.adversity_types if t.periods is None]


@PROPERTY
@given(data=st.data())
def test_the_same_insult_earlier_never_lowers_brainstem_impact(data: st.DataObject) -> None:
    base = data.draw(assessment_dicts())
    postnatal = [
        p for p in lived_periods(INST, base["chronological_age_months"]) if p != "prenatal"
    ]
    assume(len(postnatal) >= 2)
    early, late = sorted(
        data.draw(st.lists(st.sampled_from(postnatal), min_size=2, max_size=2, unique=True)),
        key=INST.period_ids.index,
    )
    insult = {
        "type": data.draw(st.sampled_from(POSTNATAL_ANY)),
        "severity": data.draw(st.integers(1, 3)),
        "chronicity": data.draw(st.sampled_from([c.id for c in INST.chronicity])),
    }
    at_early, at_late = copy.deepcopy(base), copy.deepcopy(base)
    at_early["adversities"].append({**insult, "period": early})
    at_late["adversities"].append({**insult, "period": late})
    s_early, s_late = scores_of(at_early), scores_of(at_late)
    assert s_early.region_impact["brainstem"] >= s_late.region_impact["brainstem"]
    # timing: the earlier insult also counts at least as much toward the challenges score
    assert s_early.developmental_challenges_raw >= s_late.developmental_challenges_raw


@PROPERTY
@given(data=st.data())
def test_raising_one_rating_never_lowers_any_score_it_belongs_to(data: st.DataObject) -> None:
    base = data.draw(assessment_dicts())
    fid = data.draw(st.sampled_from(INST.function_ids))
    low = data.draw(st.integers(0, 2))
    high = data.draw(st.integers(low + 1, 3))
    lower, higher = copy.deepcopy(base), copy.deepcopy(base)
    lower["functional"][fid] = low
    higher["functional"][fid] = high
    s_low, s_high = scores_of(lower), scores_of(higher)
    f = FUNCTIONS[fid]
    assert s_high.functional_score > s_low.functional_score
    assert s_high.region_scores[f.region] > s_low.region_scores[f.region]
    assert s_high.domain_scores[f.domain] > s_low.domain_scores[f.domain]
    ae_low, ae_high = s_low.age_equivalents[f.domain], s_high.age_equivalents[f.domain]
    assert ae_low is not None and ae_high is not None
    assert ae_high.months >= ae_low.months - 1e-9
    if s_low.age_typical_percent is not None:
        assert s_high.age_typical_percent >= s_low.age_typical_percent


@PROPERTY
@given(data=st.data())
def test_a_missing_rating_is_never_treated_as_zero(data: st.DataObject) -> None:
    base = data.draw(assessment_dicts())
    fid = data.draw(st.sampled_from(INST.function_ids))
    removal = data.draw(st.sampled_from(["null", "absent"]))
    as_zero, as_missing = copy.deepcopy(base), copy.deepcopy(base)
    as_zero["functional"][fid] = 0
    if removal == "null":
        as_missing["functional"][fid] = None
    else:
        as_missing["functional"].pop(fid, None)
    s_zero, s_missing = scores_of(as_zero), scores_of(as_missing)
    remaining = as_missing["functional"]
    f = FUNCTIONS[fid]
    groups = {
        "functional_score": list(INST.function_ids),
        f"region_scores.{f.region}": [g.id for g in INST.functions_in_region(f.region)],
        f"domain_scores.{f.domain}": [g.id for g in INST.functions_in_domain(f.domain)],
    }
    values_missing = {
        "functional_score": s_missing.functional_score,
        f"region_scores.{f.region}": s_missing.region_scores[f.region],
        f"domain_scores.{f.domain}": s_missing.domain_scores[f.domain],
    }
    values_zero = {
        "functional_score": s_zero.functional_score,
        f"region_scores.{f.region}": s_zero.region_scores[f.region],
        f"domain_scores.{f.domain}": s_zero.domain_scores[f.domain],
    }
    for key, ids in groups.items():
        # removing the 0 changes the score exactly as recomputed over the remaining items
        assert close(values_missing[key], group_score(remaining, ids)), key
        others_above_zero = any((remaining.get(i) or 0) > 0 for i in ids if i != fid)
        if others_above_zero:
            assert values_missing[key] > values_zero[key], key
    assert fid in s_missing.missing_items
    assert fid not in s_zero.missing_items


@PROPERTY
@given(data=st.data())
def test_age_equivalents_stay_within_0_and_216_months(data: st.DataObject) -> None:
    s = scores_of(data.draw(assessment_dicts()))
    for d, ae in s.age_equivalents.items():
        assert (ae is not None) == (s.domain_scores[d] is not None), d
        if ae is not None:
            assert 0.0 <= ae.months <= 216.0, d
            assert ae.flag in (None, "below_norms", "ceiling")
            if ae.flag == "below_norms":
                assert ae.months == 0.0


def _check_weighted_mean(e: Any, scale: float) -> None:
    for t in e.terms:
        assert math.isclose(t.contribution, t.weight * t.value, rel_tol=1e-12, abs_tol=1e-12)
    if not e.terms:
        assert e.value is None
        return
    expected = scale * sum(t.contribution for t in e.terms) / sum(t.weight for t in e.terms)
    assert math.isclose(e.value, expected, rel_tol=1e-9, abs_tol=1e-9), e.score


@PROPERTY
@given(data=st.data())
def test_every_explanation_reproduces_its_value(data: st.DataObject) -> None:
    s = scores_of(data.draw(assessment_dicts()))
    keys = set(s.explanations)
    expected_keys = {
        "developmental_challenges_score",
        "relational_health_history_score",
        "current_relational_health",
        "functional_score",
        "age_typical_percent",
        *(f"region_impact.{r}" for r in INST.region_ids),
        *(f"region_scores.{r}" for r in INST.region_ids),
        *(f"domain_scores.{d}" for d in INST.domain_ids),
        *(f"age_equivalents_months.{d}" for d in INST.domain_ids),
    }
    assert expected_keys <= keys

    # DCS: v2's hyperbolic 100 x raw / (raw + scale) (v1: 100 x (1 - exp(-raw / scale))),
    # raw = sum(contribution), contribution = severity x weight
    def transformed(raw: float, scale: float) -> float:
        if INST.transforms.kind == "hyperbolic":
            return 100 * raw / (raw + scale)
        return 100 * (1 - math.exp(-raw / scale))

    dcs = s.explain("developmental_challenges_score")
    for t in dcs.terms:
        assert math.isclose(t.contribution, t.value * t.weight, rel_tol=1e-12)
    raw = sum(t.contribution for t in dcs.terms)
    scale = INST.transforms.challenges_scale
    assert math.isclose(dcs.value, transformed(raw, scale), rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(dcs.value, s.developmental_challenges_score, rel_tol=1e-12, abs_tol=1e-12)
    for r in INST.region_ids:
        e = s.explain(f"region_impact.{r}")
        raw_r = sum(t.contribution for t in e.terms)
        impact = transformed(raw_r, INST.transforms.region_impact_scale)
        assert math.isclose(e.value, impact, rel_tol=1e-9, abs_tol=1e-9)
        assert e.value == s.region_impact[r]

    # weighted means: functional x 100/3, history (period scores already 0-100), current x 100/3
    _check_weighted_mean(s.explain("functional_score"), 100 / 3)
    assert close(s.explain("functional_score").value, s.functional_score)
    for r in INST.region_ids:
        _check_weighted_mean(s.explain(f"region_scores.{r}"), 100 / 3)
        assert close(s.explain(f"region_scores.{r}").value, s.region_scores[r])
    for d in INST.domain_ids:
        _check_weighted_mean(s.explain(f"domain_scores.{d}"), 100 / 3)
        assert close(s.explain(f"domain_scores.{d}").value, s.domain_scores[d])
        ae = s.age_equivalents[d]
        assert close(s.explain(f"age_equivalents_months.{d}").value, ae.months if ae else None)
    _check_weighted_mean(s.explain("relational_health_history_score"), 1.0)
    _check_weighted_mean(s.explain("current_relational_health"), 100 / 3)
    assert close(s.explain("current_relational_health").value, s.current_relational_health)

    # age-typical percent: 100 x child's weighted sum / sum of typical contributions
    pct = s.explain("age_typical_percent")
    if pct.value is not None:
        child = sum(t.weight * t.value for t in pct.terms)
        assert math.isclose(
            pct.value, 100 * child / sum(t.contribution for t in pct.terms), rel_tol=1e-9
        )

    with pytest.raises(KeyError, match="no score 'nope'"):
        s.explain("nope")
