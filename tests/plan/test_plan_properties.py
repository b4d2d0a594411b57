"""Properties over random children: bottom-up focus, ordered phases, ages respected.

"Below threshold" is recomputed here from the scoring package's region scores, not taken
from the plan, so the plan's own review cannot vouch for itself.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuroseq.assessment import parse_assessment
from neuroseq.instrument import load_instrument
from neuroseq.instrument.activities import load_activities
from neuroseq.plan import plan_for_assessment
from neuroseq.scoring import score_assessment

INST = load_instrument("1")
CATALOGUE = load_activities(INST)
RATING = st.one_of(st.none(), st.integers(0, 3))
RATINGS = st.fixed_dictionaries(dict.fromkeys(INST.function_ids, RATING))
RELATIONAL = st.fixed_dictionaries({i.id: RATING for i in INST.current_items})
AGE = st.floats(min_value=0, max_value=216, allow_nan=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(age=AGE, ratings=RATINGS, relational=RELATIONAL)
def test_focus_is_never_above_a_region_below_threshold(
    age: float, ratings: dict[str, int | None], relational: dict[str, int | None]
) -> None:
    child = parse_assessment(
        {
            "instrument_version": INST.version,
            "assessment_date": "2026-11-25",
            "chronological_age_months": age,
            "functional": ratings,
            "current_relational_health": relational,
        },
        INST,
    )
    scores = score_assessment(child, INST)
    threshold = INST.plan.focus_threshold_points
    below = [
        r
        for r in INST.region_ids
        if (s := scores.region_scores[r]) is not None
        and (t := scores.typical_region_scores[r]) is not None
        and t - s > threshold + 1e-9
    ]
    plan = plan_for_assessment(child, INST, CATALOGUE)

    if not below:
        assert plan.focus_region is None and plan.phases == []
        return
    assert plan.focus_region is not None
    order = INST.region_ids.index
    assert all(order(plan.focus_region) <= order(r) for r in below)
    assert plan.focus_region in below
    assert [p.region for p in plan.phases] == below
    assert plan.relational_gate == scores.relational_gate
    assert (plan.first_step == "relational_supports") == (scores.relational_gate == "insufficient")
    for phase in plan.phases:
        assert phase.compromised, "a region below threshold has a function below its target"
        for rec in phase.recommendations:
            a = CATALOGUE.activity(rec.activity)
            assert a.age_acceptable_months.contains(age)
            assert phase.region in a.regions
            assert rec.setting in a.settings and rec.delivered_by in a.delivered_by
            if phase.region in ("brainstem", "diencephalon"):
                assert rec.stage == "regulate"
