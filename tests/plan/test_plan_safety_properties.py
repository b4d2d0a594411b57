"""Properties of the v2 safety, coverage and focus rules over random children.

Whatever else is in the input (any age, ratings, missing ratings, relational health,
flags, history), these must hold. Expectations are recomputed here from the rules file,
the instrument and the scoring package, not read from the plan.
"""

from __future__ import annotations

import math
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuroseq.assessment import parse_assessment
from neuroseq.instrument import load_instrument
from neuroseq.instrument.activities import load_activities
from neuroseq.instrument.rules import load_rules
from neuroseq.plan import Plan, plan_for_assessment, render_plan
from neuroseq.scoring import score_assessment

INST = load_instrument("2")
CATALOGUE = load_activities(INST)
RULES = load_rules(INST)
assert RULES is not None
RATING = st.one_of(st.none(), st.integers(0, 3))
MOSTLY_RATED = st.one_of(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), st.none())
RATINGS = st.fixed_dictionaries(dict.fromkeys(INST.function_ids, MOSTLY_RATED))
RELATIONAL = st.fixed_dictionaries({i.id: RATING for i in INST.current_items})
FLAGS = st.fixed_dictionaries({f.id: st.sampled_from([None, False, True]) for f in INST.flags})
AGE = st.floats(min_value=0, max_value=216, allow_nan=False)
ADVERSITY = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["sexual_abuse", "physical_abuse", "neglect", "intrauterine_alcohol"]
        ),
        "severity": st.integers(1, 3),
    }
)
SCHOOL_NEVER = re.compile(r"\b(bed|bath|night|evening|weekend|7 days|every day)", re.I)
PRIORITY = ["medical", "safeguarding", "coverage", "contraindication"]


def child(age: float, ratings, relational, flags, adversities):  # type: ignore[no-untyped-def]
    history = []
    for a in adversities:
        period = "prenatal" if a["type"] == "intrauterine_alcohol" else "m0_2"
        history.append({**a, "period": period})
    return parse_assessment(
        {
            "instrument_version": "2",
            "assessment_date": "2026-11-25",
            "chronological_age_months": age,
            "functional": ratings,
            "current_relational_health": relational,
            "clinical_flags": flags,
            "adversities": history,
        },
        INST,
    )


def all_recommendations(plan: Plan) -> list:
    return [*plan.relational_core, *(r for p in plan.phases for r in p.recommendations)]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    age=AGE,
    ratings=RATINGS,
    relational=RELATIONAL,
    flags=FLAGS,
    adversities=st.lists(ADVERSITY, max_size=3),
)
def test_safety_rules_hold_whatever_else_is_in_the_input(
    age, ratings, relational, flags, adversities
) -> None:  # type: ignore[no-untyped-def]
    assessment = child(age, ratings, relational, flags, adversities)
    plan = plan_for_assessment(assessment, INST, CATALOGUE)
    kinds = [b.kind for b in plan.blocks]
    # blocks come in priority order, each with its reason
    assert kinds == sorted(kinds, key=PRIORITY.index)
    assert all(b.reasons for b in plan.blocks)
    medical = [f.id for f in INST.flags if f.kind == "medical" and flags[f.id] is True]
    if medical:
        assert kinds[0] == "medical" and plan.first_step == "medical_review"
        assert {r.flag for r in plan.blocks[0].reasons} == set(medical)
        held = {INST.flag(f).function for f in medical} - {None}
        for phase in plan.phases:
            for rec in phase.recommendations:
                assert not held & set(rec.targets), (rec.activity, held)
        for audience in ("caregiver", "teacher"):
            text = render_plan(plan, audience, INST, CATALOGUE)  # type: ignore[arg-type]
            first_activity = min(
                (
                    text.index(h)
                    for h in ("## Every day", "## From the start", "## Where we")
                    if h in text
                ),
                default=len(text),
            )
            assert text.index("## First: a check with a doctor") < first_activity
    else:
        assert "medical" not in kinds
    safeguarding_flags = [f.id for f in INST.flags if f.kind == "safeguarding" and flags[f.id]]
    scores = score_assessment(assessment, INST)
    low = (
        scores.current_relational_health is not None
        and scores.current_relational_health < RULES.safeguarding.current_relational_health_below
    )
    moving = relational["placement_security"] == 0
    assert ("safeguarding" in kinds) == bool(safeguarding_flags or low or moving)
    if "safeguarding" in kinds and not medical:
        assert plan.first_step == "safeguarding"
    # family copies never carry a reason the rules keep for clinicians
    for block in plan.blocks:
        for reason in block.reasons:
            if reason.flag and INST.flag(reason.flag).kind == "safeguarding":
                shared = reason.flag in RULES.safeguarding.share_flags_with_family
                assert (reason.plain_text is not None) == shared
    # touch stays with the clinician after abuse with low or unrated touch
    abused = {a["type"] for a in adversities} & {"sexual_abuse", "physical_abuse"}
    tactile = ratings["tactile_processing"]
    if abused and (tactile is None or tactile <= 1):
        for rec in all_recommendations(plan):
            tags = set(CATALOGUE.activity(rec.activity).tags)
            if tags & {"touch", "deep_pressure"}:
                assert rec.delivered_by == "therapist"
    # school is school days; teachers never rock, hold or bathe
    for rec in all_recommendations(plan):
        if rec.setting == "school":
            assert rec.dosage.days_per_week <= 5 and not SCHOOL_NEVER.search(rec.dosage.plain)
        if rec.delivered_by == "teacher":
            tags = set(CATALOGUE.activity(rec.activity).tags)
            assert not tags & {"rocking", "touch", "lap", "bathing"}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(age=AGE, ratings=RATINGS, relational=RELATIONAL)
def test_coverage_and_the_measurement_error_rule(age, ratings, relational) -> None:  # type: ignore[no-untyped-def]
    assessment = child(age, ratings, relational, {}, [])
    plan = plan_for_assessment(assessment, INST, CATALOGUE)
    scores = score_assessment(assessment, INST)
    regions = INST.region_ids
    rated = {
        r: sum(ratings[f.id] is not None for f in INST.functions_in_region(r)) for r in regions
    }
    under = [r for r in regions if rated[r] < RULES.coverage.min_rated[r]]
    rel_rated = sum(v is not None for v in relational.values())
    rel_ok = (
        rel_rated >= RULES.coverage.relational_min_rated
        and relational["family_connectedness"] is not None
    )

    def below(region: str) -> bool:
        score, typical = scores.region_scores[region], scores.typical_region_scores[region]
        if score is None or typical is None:
            return False
        figure = INST.reliability.regions[region]
        sem = figure.sd * math.sqrt(1 - figure.reliability)
        return typical - score > RULES.focus.z * sem + 1e-9

    allowed = regions[: regions.index(under[0])] if under else regions
    expected = [r for r in allowed if below(r)] if rel_ok else []
    assert [p.region for p in plan.phases] == expected
    assert plan.focus_region == (expected[0] if expected else None)
    if plan.focus_region is not None:  # never above an unrated or under-rated lower region
        assert all(
            rated[r] >= RULES.coverage.min_rated[r]
            for r in regions[: regions.index(plan.focus_region) + 1]
        )
    assert plan.refused == ((bool(under) or not rel_ok) and not expected)
    if plan.refused:
        assert plan.first_step == "rate_first" or plan.blocks[0].kind in ("medical", "safeguarding")
        assert plan.coverage is not None and plan.coverage.rate_first
    for row in plan.regions:  # the plan's thresholds are z x SEM of the region score
        figure = INST.reliability.regions[row.region]
        assert row.threshold is not None
        assert (
            abs(row.threshold - RULES.focus.z * figure.sd * math.sqrt(1 - figure.reliability))
            < 0.01
        )
