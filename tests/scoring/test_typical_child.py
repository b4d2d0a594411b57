"""A typical child must look typical (issue 8): at every age from 1 to 18 years, a child
rated at the typical status of each function reads as typical through the real map,
scores and plan focus, and nothing on the map calls an immature function dysfunctional.

The typical child is the one the map draws beside every child (``typical_statuses``:
each norm rounded half up, what a rater choosing the nearest anchor would record).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from neuroseq.assessment import Assessment, parse_assessment
from neuroseq.brainmap.maps import render_typical_comparison, typical_statuses
from neuroseq.instrument import load_instrument
from neuroseq.plan import plan_for_assessment
from neuroseq.scoring import score_assessment

INST = load_instrument("2")
AGES = list(range(12, 217, 3))  # every 3 months from 1 to 18 years
SUFFICIENT = {
    "family_connectedness": 3,
    "caregiver_capacity": 3,
    "placement_security": 3,
    "school_connectedness": 2,
    "peer_connectedness": 2,
}
ALARMING = ("dysfunction", "struggle", "poorly", "severe", "impair", "disorder", "for age")


def typical_child(age_months: float) -> Assessment:
    return parse_assessment(
        {
            "instrument_version": "2",
            "synthetic": True,
            "client": {"pseudonym": "TYPICAL"},
            "assessment_date": "2026-01-01",
            "chronological_age_months": age_months,
            "current_relational_health": SUFFICIENT,
            "functional": typical_statuses(INST, age_months),
            "clinical_flags": dict.fromkeys(INST.flag_ids, False),
        },
        INST,
    )


def test_status_words_never_call_immaturity_a_problem() -> None:
    for level in INST.status_levels:
        words = f"{level.label} {level.plain_label}".lower()
        assert not any(w in words for w in ALARMING), level
    assert INST.status_level(1).label == "emerging"
    for f in INST.functions:
        for s in range(4):
            anchor = f.anchors.for_status(s).lower()
            assert not any(w in anchor for w in ALARMING), (f.id, s, anchor)
            assert anchor.startswith(INST.status_level(s).label.split(",")[0]), (f.id, s)


@pytest.mark.parametrize("age", AGES)
def test_typical_child_is_typical_in_scores_and_plan(age: int) -> None:
    child = typical_child(age)
    scores = score_assessment(child, INST)
    threshold = INST.plan.focus_threshold_points
    for region in INST.region_ids:
        child_score, typical_score = (
            scores.region_scores[region],
            scores.typical_region_scores[region],
        )
        assert child_score is not None and typical_score is not None
        assert typical_score - child_score < threshold, (region, child_score, typical_score)
    assert scores.age_typical_percent is not None
    assert 90 <= scores.age_typical_percent <= 110
    plan = plan_for_assessment(child, INST)
    assert plan.focus_region is None, (age, [r.region for r in plan.regions if r.below_threshold])


@pytest.mark.parametrize("age", [12, 36, 72, 120, 180, 216])
def test_typical_child_map_reads_without_alarm(age: int) -> None:
    svg = render_typical_comparison(
        INST,
        typical_statuses(INST, age),
        pseudonym="TYPICAL",
        age_months=age,
        assessment_date=date(2026, 1, 1),
        synthetic=True,
    )
    root = ET.fromstring(svg)
    text = " ".join(" ".join(e.itertext()) for e in root.iter()).lower()
    assert not any(w in text for w in ("dysfunction", "struggle")), age
    # the one sentence on what a status means is in the legend, in full
    legend = [e for e in root.iter() if e.attrib.get("class") == "status-meaning"]
    assert len(legend) == 1
    assert INST.header.status_meaning is not None
    assert " ".join(legend[0].itertext()).split() == INST.header.status_meaning.split()


def test_typical_6_year_old_reads_developing_where_6_year_olds_are_developing() -> None:
    # attention, impulse control, empathy and social skills are still developing at 6
    # (Zubler et al. 2022: pays attention 5-10 minutes and follows game rules at 5 years)
    statuses = typical_statuses(INST, 72)
    for f in ("sustained_attention", "impulse_control", "empathy", "social_skills"):
        assert statuses[f] == 2, f
        assert INST.status_level(2).label == "developing, partly organised"
