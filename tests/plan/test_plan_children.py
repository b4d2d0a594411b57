"""The issue's constructed children, planned end to end with real scoring."""

from __future__ import annotations

import json

import pytest

from neuroseq.instrument import Instrument
from neuroseq.instrument.activities import Catalogue
from neuroseq.scoring import score_assessment

BRAINSTEM_POOR = {
    "heart_rate_regulation": 1,
    "sleep_regulation": 1,
    "arousal_regulation": 1,
    "startle_orienting": 1,
}
LIMBIC_POOR = {
    "affect_regulation": 0,
    "attachment": 1,
    "attunement": 1,
    "relational_trust": 0,
    "peer_play": 1,
}
INSIGHT = {"trauma_focused_cbt", "psychodynamic_therapy", "narrative_life_story"}


def test_poor_brainstem_good_cortex_starts_with_somatosensory_work(
    make_child, make_plan, catalogue: Catalogue
) -> None:
    plan = make_plan(make_child(96, BRAINSTEM_POOR))
    assert plan.focus_region == "brainstem"
    assert plan.first_step == "focus_region"
    first = plan.phases[0]
    assert first.region == "brainstem" and first.status == "current"
    assert len(first.recommendations) >= 4
    for rec in first.recommendations:
        assert rec.stage == "regulate", rec.activity
        assert rec.activity not in INSIGHT
        assert "brainstem" in catalogue.activity(rec.activity).regions
    assert {t.function for t in first.compromised} == set(BRAINSTEM_POOR)
    cortex = next(r for r in plan.regions if r.region == "cortex")
    assert not cortex.below_threshold


def test_good_lower_regions_with_limbic_problems_focus_on_relationships(
    make_child, make_plan
) -> None:
    plan = make_plan(make_child(84, LIMBIC_POOR))
    assert plan.focus_region == "limbic"
    below = [r.region for r in plan.regions if r.below_threshold]
    assert below[0] == "limbic"
    stages = {r.stage for r in plan.phases[0].recommendations}
    assert "relate" in stages
    assert "reason" not in stages
    targeted = {t for r in plan.phases[0].recommendations for t in r.targets}
    assert {"attachment", "relational_trust"} <= targeted


def test_teenager_with_toddler_self_regulation_gets_level_fit_age_acceptable_activities(
    make_child, make_plan, inst: Instrument, catalogue: Catalogue
) -> None:
    ratings = {
        "heart_rate_regulation": 3,
        "temperature_regulation": 3,
        "sleep_regulation": 2,
        "arousal_regulation": 1,
        "appetite_satiety": 2,
        "stress_recovery": 1,
        "affect_regulation": 1,
        "impulse_control": 1,
    }
    child = make_child(180, ratings)
    scores = score_assessment(child, inst)
    self_reg = scores.age_equivalents["self_regulation"]
    assert self_reg is not None and 12 <= self_reg.months <= 36  # near a 2-year-old
    plan = make_plan(child)
    assert plan.focus_region == "brainstem"
    first = plan.phases[0]
    assert first.developmental_age_months["self_regulation"] == pytest.approx(
        self_reg.months, abs=0.1
    )
    assert first.recommendations
    for phase in plan.phases:
        for rec in phase.recommendations:
            a = catalogue.activity(rec.activity)
            assert a.age_acceptable_months.contains(180), rec.activity
            domains = {inst.function(t).domain for t in rec.targets}
            for d in domains:
                assert a.developmental_age_months.contains(phase.developmental_age_months[d])
    assert "lap_songs_and_bouncing" not in {r.activity for r in first.recommendations}


def test_insufficient_relational_health_puts_the_gate_first(
    make_child, make_plan, insufficient
) -> None:
    plan = make_plan(make_child(96, BRAINSTEM_POOR, insufficient))
    assert plan.relational_gate == "insufficient"
    assert plan.first_step == "relational_supports"
    rs = plan.relational_supports
    assert rs.comes_first
    assert "unlikely to take hold" in rs.statement
    actions = [a.action for a in rs.actions]
    assert {"secure_placement", "caregiver_support"} <= set(actions)
    # weakest items first: the two rated 0 come before those rated 1
    assert [a.item_rating for a in rs.actions] == sorted(a.item_rating for a in rs.actions)
    assert plan.phases[0].status == "after_relational_supports"
    assert plan.phases[0].entry_criteria.relational_health_min == 40
    assert plan.next_phase_when.relational_health_min == 40
    assert plan.next_phase_when.summary.startswith("First, current relational health")


def test_marginal_relational_health_gives_a_caution_not_a_block(make_child, make_plan) -> None:
    marginal = {
        "family_connectedness": 2,
        "caregiver_capacity": 1,
        "placement_security": 2,
        "school_connectedness": 1,
        "peer_connectedness": 1,
    }
    plan = make_plan(make_child(96, BRAINSTEM_POOR, marginal))
    assert plan.relational_gate == "marginal"
    assert plan.first_step == "focus_region"
    assert not plan.relational_supports.comes_first
    assert "caution" in plan.relational_supports.statement
    assert plan.relational_supports.actions
    assert plan.phases[0].status == "current"


def test_unrated_relational_health_is_said_not_assumed(make_child, make_plan) -> None:
    plan = make_plan(make_child(96, BRAINSTEM_POOR, {}))
    assert plan.relational_gate == "not_rated"
    assert "not rated" in plan.relational_supports.statement
    assert plan.first_step == "focus_region"


def test_improving_ratings_move_the_plan_to_the_next_phase(make_child, make_plan) -> None:
    ratings = {**BRAINSTEM_POOR, **LIMBIC_POOR}
    before = make_plan(make_child(96, ratings))
    assert [p.region for p in before.phases][:2] == ["brainstem", "limbic"]
    nxt = before.next_phase_when
    assert nxt.next_region == "limbic"
    assert nxt.functions == before.phases[1].entry_criteria.functions
    improved = dict(ratings)
    improved.update({t.function: t.target for t in nxt.functions})
    after = make_plan(make_child(96, improved))
    assert after.focus_region == "limbic"
    assert after.phases[0].status == "current"
    # one step short of the targets keeps the plan where it is
    short = dict(improved)
    first = nxt.functions[0]
    short[first.function] = first.target - 1
    for t in nxt.functions[1:]:
        short[t.function] = t.current
    assert make_plan(make_child(96, short)).focus_region == "brainstem"


def test_no_region_below_expectation_means_keep_going(make_child, make_plan) -> None:
    plan = make_plan(make_child(120))
    assert plan.focus_region is None
    assert plan.phases == []
    assert plan.first_step == "maintain"
    assert plan.weekly_dose is None
    assert plan.strengths


def test_every_recommendation_explains_itself(make_child, make_plan) -> None:
    plan = make_plan(make_child(96, {**BRAINSTEM_POOR, **LIMBIC_POOR}))
    kinds = {"rating", "threshold", "sequence", "age", "catalogue", "dose"}
    for phase in plan.phases:
        for rec in phase.recommendations:
            assert kinds <= {r.kind for r in rec.reasons}, rec.activity
            assert rec.targets and rec.sources
            rating_lines = [r.text for r in rec.reasons if r.kind == "rating"]
            assert all(any(t in line for line in rating_lines) for t in rec.targets)
            threshold = next(r.text for r in rec.reasons if r.kind == "threshold")
            assert "threshold 15 points" in threshold


def test_plan_spreads_across_the_therapeutic_web(make_child, make_plan) -> None:
    plan = make_plan(make_child(96, BRAINSTEM_POOR))
    recs = plan.phases[0].recommendations
    assert {"home", "school"} <= {r.setting for r in recs}
    assert {"caregiver", "teacher"} <= {r.delivered_by for r in recs}
    dose = plan.weekly_dose
    assert dose is not None
    assert dose.episodes_per_week == sum(r.dosage.episodes_per_week for r in recs)
    assert dose.meets_daily_goal
    for rec in recs:  # daily activities are not parked in the clinic
        if rec.dosage.days_per_week >= 5:
            assert rec.setting != "clinic"


def test_strengths_are_well_organised_functions(make_child, make_plan) -> None:
    plan = make_plan(make_child(96, BRAINSTEM_POOR))
    strengths = {s.function for s in plan.strengths}
    assert "suck_swallow_feeding" in strengths
    assert not strengths & set(BRAINSTEM_POOR)


def test_same_input_same_plan(make_child, make_plan) -> None:
    child = make_child(96, {**BRAINSTEM_POOR, **LIMBIC_POOR})
    first = json.dumps(make_plan(child).to_dict(), sort_keys=True)
    assert json.dumps(make_plan(child).to_dict(), sort_keys=True) == first


def test_json_contract(make_child, make_plan) -> None:
    data = make_plan(make_child(96, BRAINSTEM_POOR)).to_dict()
    for key in ("focus_region", "relational_gate", "phases", "strengths", "weekly_dose"):
        assert key in data
    assert "next_phase_when" in data
    phase = data["phases"][0]
    assert {"region", "entry_criteria", "recommendations"} <= set(phase)
    rec = phase["recommendations"][0]
    assert {"activity", "setting", "delivered_by", "dosage", "reasons"} <= set(rec)
    json.dumps(data)
