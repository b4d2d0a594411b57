"""Issue 8's constructed cases, planned end to end with instrument v2 and real scoring.

Each assertion is one a clinician would make before signing the plan: what comes first,
where the work starts, who does what, how often, and what is never suggested. None is a
snapshot of the plan's own output.
"""

from __future__ import annotations

import re

import pytest

from neuroseq.instrument import Instrument
from neuroseq.instrument.activities import Catalogue
from neuroseq.plan import Plan, render_plan

PAE_AND_EARLY_NEGLECT = [
    {"type": "intrauterine_alcohol", "period": "prenatal", "severity": 3, "chronicity": "chronic"},
    {"type": "neglect", "period": "m0_2", "severity": 3, "chronicity": "chronic"},
    {"type": "neglect", "period": "m2_6", "severity": 3, "chronicity": "chronic"},
    {"type": "neglect", "period": "m6_12", "severity": 2, "chronicity": "chronic"},
]
# A 4-year-old whose lower brain carries the early insults: poor sleep, arousal, startle,
# sensory processing and stress recovery; relational and thinking items a little behind.
FOUR_YEAR_OLD = {
    "sleep_regulation": 1,
    "arousal_regulation": 1,
    "startle_orienting": 1,
    "heart_rate_regulation": 2,
    "tactile_processing": 1,
    "auditory_processing": 1,
    "stress_recovery": 1,
    "affect_regulation": 0,
    "attunement": 1,
    "relational_trust": 1,
    "peer_play": 1,
    "short_term_memory": 1,
    "impulse_control": 0,
    "sustained_attention": 0,
}
VERY_POOR_RELATIONAL = {
    "family_connectedness": 0,
    "caregiver_capacity": 1,
    "placement_security": 0,
    "school_connectedness": 1,
    "peer_connectedness": 0,
}
# A 15-year-old whose lower regions are typical and whose cortex and frontal cortex are not.
CORTICAL_ONLY = {
    "speech_articulation": 2,
    "receptive_language": 2,
    "expressive_language": 1,
    "literacy": 1,
    "social_skills": 1,
    "visual_motor_integration": 2,
    "reasoning": 1,
    "self_reflection": 1,
    "sustained_attention": 1,
    "impulse_control": 1,
}
ALARM_WORDS = (
    "doctor",
    "safe and settled",
    "worry",
    "hard for",
    "struggle",
    "not enough",
    "problem",
)
SCHOOL_NEVER = re.compile(r"\b(bed|bath|night|evening|weekend|7 days|every day)", re.I)


def running(plan: Plan) -> list:
    """Every recommendation that runs now: the relational core and the current phases."""
    return [*plan.relational_core, *(r for p in plan.current_phases for r in p.recommendations)]


def every_recommendation(plan: Plan) -> list:
    return [*plan.relational_core, *(r for p in plan.phases for r in p.recommendations)]


# ------------------------------------------------------------------------- (a)
def test_a_typical_six_year_old_gets_no_deficit_focus_no_alarm_and_a_light_plan(
    make_child2, make_plan2, inst2: Instrument, catalogue2: Catalogue
) -> None:
    plan = make_plan2(make_child2(72))
    assert plan.blocks == []
    assert plan.focus_region is None and plan.phases == []
    assert plan.first_step == "maintain"
    assert plan.relational_core == [] and plan.weekly_dose_now is None
    assert not any(r.below_threshold for r in plan.regions)
    assert plan.strengths
    text = render_plan(plan, "caregiver", inst2, catalogue2)
    assert "doing as well as other children of the same age" in text
    assert "## What to do" not in text
    for word in ALARM_WORDS:
        assert word not in text.lower(), word


@pytest.mark.parametrize("years", range(1, 19))
def test_a_typical_child_of_any_age_gets_a_maintenance_plan(
    make_child2, make_plan2, years: int
) -> None:
    plan = make_plan2(make_child2(years * 12))
    assert plan.first_step == "maintain", [
        (r.region, r.gap, r.threshold) for r in plan.regions if r.below_threshold
    ]
    assert plan.blocks == []


# ------------------------------------------------------------------------- (b)
def test_b_four_year_old_with_prenatal_alcohol_and_early_neglect_regulates_first(
    make_child2, make_plan2, inst2: Instrument, catalogue2: Catalogue
) -> None:
    child = make_child2(48, FOUR_YEAR_OLD, adversities=PAE_AND_EARLY_NEGLECT)
    plan = make_plan2(child)
    assert plan.blocks == []
    assert plan.focus_region == "brainstem"  # bottom-up: the lowest region below the typical
    first = plan.phases[0]
    assert first.status == "current"
    assert first.recommendations
    assert {r.stage for r in first.recommendations} == {"regulate"}  # regulate first
    assert all(r.stage != "reason" for r in running(plan))
    # relational work and caregiver coaching from phase 1
    core = [r.activity for r in plan.relational_core]
    assert "caregiver_coaching" in core
    assert {r.stage for r in plan.relational_core} == {"relate"}
    assert {r.setting for r in plan.relational_core} >= {"home", "clinic"}
    # age-appropriate: acceptable at 4 and at the developmental level of what it targets
    for phase in plan.phases:
        for rec in phase.recommendations:
            a = catalogue2.activity(rec.activity)
            assert a.age_acceptable_months.contains(48), rec.activity
            for d in {inst2.function(t).domain for t in rec.targets}:
                assert a.developmental_age_months.contains(phase.developmental_age_months[d])
    for rec in plan.relational_core:
        assert catalogue2.activity(rec.activity).age_acceptable_months.contains(48)
    # the next phase does not wait for perfection
    if len(plan.phases) > 1:
        assert "reliable improvement" in plan.phases[1].entry_criteria.summary
        assert "does not wait" in plan.phases[1].entry_criteria.summary
    # the history raises the FASD question for the clinician, not the family
    assert [k.id for k in plan.considerations] == ["fasd_assessment"]
    assert "FASD" in render_plan(plan, "clinician", inst2, catalogue2)
    assert "FASD" not in render_plan(plan, "caregiver", inst2, catalogue2)


# ------------------------------------------------------------------------- (c)
def test_c_same_child_with_very_poor_relationships_and_an_imminent_move_safeguarding_first(
    make_child2, make_plan2, inst2: Instrument, catalogue2: Catalogue
) -> None:
    child = make_child2(
        48,
        FOUR_YEAR_OLD,
        relational=VERY_POOR_RELATIONAL,
        flags={"placement_move_imminent": True},
        adversities=PAE_AND_EARLY_NEGLECT,
    )
    plan = make_plan2(child)
    assert plan.blocks[0].kind == "safeguarding"
    assert plan.first_step == "safeguarding"
    block = plan.blocks[0]
    kinds = {(r.kind, r.flag or r.item) for r in block.reasons}
    assert ("flag", "placement_move_imminent") in kinds
    assert ("rating", "placement_security") in kinds
    assert any(r.kind == "relational" and "below 20" in r.text for r in block.reasons)
    assert "safeguarding procedure today" in block.text
    # relational supports before anything else
    assert plan.relational_gate == "insufficient"
    assert plan.relational_supports.comes_first
    actions = [a.action for a in plan.relational_supports.actions]
    assert {"secure_placement", "strengthen_home_connection"} <= set(actions)
    assert plan.phases[0].status == "after_relational_supports"
    for audience in ("caregiver", "teacher"):
        text = render_plan(plan, audience, inst2, catalogue2)  # type: ignore[arg-type]
        safety = text.index("## First: keeping")
        relationships = text.index("## First: more steady, caring people")
        activities = text.index("## Where we start")
        assert safety < relationships < activities
    clinician = render_plan(plan, "clinician", inst2, catalogue2)
    assert clinician.index("SAFEGUARDING") < clinician.index("## Phase 1")


def test_c_a_concern_about_current_care_is_not_written_into_the_family_copy(
    make_child2, make_plan2, inst2: Instrument, catalogue2: Catalogue
) -> None:
    child = make_child2(
        48, FOUR_YEAR_OLD, flags={"current_care_unsafe": True}, adversities=PAE_AND_EARLY_NEGLECT
    )
    plan = make_plan2(child)
    assert plan.blocks[0].kind == "safeguarding"
    flag = inst2.flag("current_care_unsafe")
    clinician = render_plan(plan, "clinician", inst2, catalogue2)
    assert flag.label in clinician
    for audience in ("caregiver", "teacher"):
        text = render_plan(plan, audience, inst2, catalogue2)  # type: ignore[arg-type]
        assert flag.plain_label not in text
        assert " ".join(flag.plain_action.split()) not in text
        assert "safe" in text  # the family still reads that safety comes first


# ------------------------------------------------------------------------- (d)
def test_d_fifteen_year_old_with_only_cortical_difficulties_works_on_the_cortex(
    make_child2, make_plan2, catalogue2: Catalogue
) -> None:
    plan = make_plan2(make_child2(180, CORTICAL_ONLY))
    below = [r.region for r in plan.regions if r.below_threshold]
    assert plan.focus_region == "cortex"
    assert not {"brainstem", "diencephalon", "limbic"} & set(below)
    assert plan.phases[0].region == "cortex"
    assert plan.phases[0].recommendations
    for rec in every_recommendation(plan):
        a = catalogue2.activity(rec.activity)
        assert a.age_acceptable_months.contains(180), rec.activity  # acceptable to a teenager
        assert not {"lap", "rocking"} & set(a.tags), rec.activity  # no infant activities
    for rec in plan.phases[0].recommendations:
        assert "cortex" in catalogue2.activity(rec.activity).regions
    core = [r.activity for r in plan.relational_core]
    assert "shared_activity_teen" in core and "special_time_play" not in core


# ------------------------------------------------------------------------- (e)
def test_e_half_the_items_unrated_refuses_and_names_what_to_rate_first(
    make_child2, make_plan2, inst2: Instrument, catalogue2: Catalogue
) -> None:
    every_other = {f.id: None for f in inst2.functions[::2]}  # 16 of 32 unrated
    plan = make_plan2(make_child2(72, {**every_other, "sleep_regulation": 0}))
    assert plan.refused
    assert plan.first_step == "rate_first"
    assert plan.phases == [] and plan.focus_region is None and plan.relational_core == []
    coverage = plan.coverage
    assert coverage is not None and not coverage.ok
    block = next(b for b in plan.blocks if b.kind == "coverage")
    under = [r for r in coverage.regions if not r.ok]
    assert under and under[0].region == coverage.first_underrated_region
    for row in under:  # every unrated item of every under-rated region is named, in order
        assert all(f in coverage.rate_first for f in row.unrated)
        assert all(f in block.text for f in row.unrated)
    order = [inst2.function_ids.index(f) for f in coverage.rate_first]
    assert order == sorted(order)  # bottom-up
    text = render_plan(plan, "caregiver", inst2, catalogue2)
    assert "## What to do" not in text and "Where we start" not in text


def test_an_unrated_lower_region_is_never_skipped(make_child2, make_plan2) -> None:
    brainstem_unrated = {"sleep_regulation": None, "arousal_regulation": None, "continence": None}
    poor_limbic = {"affect_regulation": 0, "attachment": 0, "relational_trust": 0, "attunement": 0}
    plan = make_plan2(make_child2(96, {**brainstem_unrated, **poor_limbic}))
    assert plan.refused and plan.focus_region is None
    assert plan.coverage is not None and plan.coverage.first_underrated_region == "brainstem"
    assert plan.coverage.rate_first[:3] == ["sleep_regulation", "arousal_regulation", "continence"]


def test_unrated_current_relational_health_asks_for_it_first(make_child2, make_plan2) -> None:
    plan = make_plan2(make_child2(48, FOUR_YEAR_OLD, relational={}))
    assert plan.refused and plan.first_step == "rate_first"
    block = next(b for b in plan.blocks if b.kind == "coverage")
    assert any("Rate current relational health first" in r.text for r in block.reasons)


# ------------------------------------------------------------------------- safety
def test_a_medical_flag_puts_a_referral_at_the_top_with_its_reason(
    make_child2, make_plan2, inst2: Instrument, catalogue2: Catalogue
) -> None:
    child = make_child2(48, FOUR_YEAR_OLD, flags={"cardiac_concern": True})
    plan = make_plan2(child)
    assert plan.blocks[0].kind == "medical" and plan.first_step == "medical_review"
    block = plan.blocks[0]
    flag = inst2.flag("cardiac_concern")
    reason = block.reasons[0]
    assert reason.flag == "cardiac_concern" and reason.item == "heart_rate_regulation"
    assert flag.label in reason.text and "Heart-rate" in reason.text  # which flag, which item
    assert "refer" in block.text.lower()
    # activities for the flagged function are held until the review
    assert block.holds == ["heart_rate_regulation"]
    for phase in plan.phases:
        for rec in phase.recommendations:
            assert "heart_rate_regulation" not in rec.targets
    brainstem = plan.phases[0]
    assert "heart_rate_regulation" in brainstem.held
    # a flagged function is not called a strength, even when its status is typical
    swallowing = make_plan2(make_child2(48, FOUR_YEAR_OLD, flags={"choking_aspiration": True}))
    assert "suck_swallow_feeding" not in {s.function for s in swallowing.strengths}
    assert "suck_swallow_feeding" in {s.function for s in make_plan2(child).strengths}
    for audience in ("caregiver", "teacher"):
        text = render_plan(plan, audience, inst2, catalogue2)  # type: ignore[arg-type]
        assert text.index("## First: a check with a doctor") < text.index("## Where we start")
        assert flag.plain_label in text


def test_sexual_abuse_and_low_touch_keep_touch_activities_with_the_clinician(
    make_child2, make_plan2, inst2: Instrument, catalogue2: Catalogue
) -> None:
    history = [
        *PAE_AND_EARLY_NEGLECT,
        {"type": "sexual_abuse", "period": "y2_4", "severity": 3, "chronicity": "repeated"},
    ]
    child = make_child2(48, {**FOUR_YEAR_OLD, "tactile_processing": 0}, adversities=history)
    plan = make_plan2(child)
    touch = {a.id for a in catalogue2.activities if {"touch", "deep_pressure"} & set(a.tags)}
    assert touch
    for rec in every_recommendation(plan):
        if rec.activity in touch:
            assert rec.delivered_by == "therapist", rec
            assert {"caregiver", "teacher"}.isdisjoint(rec.others_who_can_deliver)
            assert any(r.kind == "safety" and "clinician-led" in r.text for r in rec.reasons)
    block = next(b for b in plan.blocks if b.kind == "contraindication")
    assert set(block.holds) >= touch
    assert any("sexual abuse" in r.text for r in block.reasons)
    assert any("Tactile processing" in r.text and "rated 0" in r.text for r in block.reasons)
    for audience in ("caregiver", "teacher"):
        text = render_plan(plan, audience, inst2, catalogue2)  # type: ignore[arg-type]
        assert "say no to touch" in text  # the plan says why, kindly
        assert "abuse" not in text.lower()  # and does not write the history into it


def test_a_teenager_is_not_shown_toddler_activities_as_held(
    make_child2, make_plan2, inst2: Instrument
) -> None:
    """QA finding 19: a 14-year-old's plan listed "Held: Lap songs..." (acceptable to 5
    years in activities.yaml). The block lists only what the child could be offered."""
    abuse = {"type": "physical_abuse", "period": "y6_12", "severity": 3}
    history = [{**abuse, "chronicity": "repeated"}]
    plan = make_plan2(make_child2(170, {"tactile_processing": 0}, adversities=history))
    block = next(b for b in plan.blocks if b.kind == "contraindication")
    # touch/deep-pressure activities acceptable at 14y2m (age_acceptable_months)
    assert set(block.holds) == {"therapeutic_massage", "deep_pressure", "sensory_integration_ot"}
    assert "lap_songs_and_bouncing" not in block.holds and "theraplay" not in block.holds


def test_without_the_history_touch_activities_may_go_home(
    make_child2, make_plan2, catalogue2: Catalogue
) -> None:
    plan = make_plan2(make_child2(48, {**FOUR_YEAR_OLD, "tactile_processing": 0}))
    assert not [b for b in plan.blocks if b.kind == "contraindication"]


def test_the_teacher_plan_has_school_day_frequencies_and_no_home_routines(
    make_child2, make_plan2, inst2: Instrument, catalogue2: Catalogue
) -> None:
    for age, ratings in ((48, FOUR_YEAR_OLD), (180, CORTICAL_ONLY), (96, FOUR_YEAR_OLD)):
        plan = make_plan2(make_child2(age, ratings))
        school = [r for r in every_recommendation(plan) if r.setting == "school"]
        assert school, age
        for rec in school:
            assert rec.dosage.days_per_week <= 5, rec.activity
            assert not SCHOOL_NEVER.search(rec.dosage.plain), rec.dosage.plain
            assert rec.delivered_by != "caregiver"
        text = render_plan(plan, "teacher", inst2, catalogue2)
        assert not SCHOOL_NEVER.search(text), SCHOOL_NEVER.search(text)
        assert "your child" not in text.lower()
        todo = text.split("## What to do at school", 1)[1].split("What others do", 1)[0]
        assert "rock" not in todo.lower()


def test_a_teacher_is_never_asked_to_rock_hold_or_massage(catalogue2: Catalogue) -> None:
    for a in catalogue2.activities:
        if {"rocking", "touch", "lap", "bathing"} & set(a.tags):
            assert all("teacher" not in d.by for d in a.delivery or ()), a.id
