"""The worked example: a 10-year-old with the speech of an 8-year-old, the social skills
of a 5-year-old and the self-regulation of a 2-year-old.

``WORKED_EXAMPLE`` uses the current instrument (v2) and is what ``neuroseq example``
writes; ``WORKED_EXAMPLE_V1`` is the same child rated on instrument v1, kept so that v1
scores stay pinned. ``tests/scoring/test_scoring_worked.py`` recomputes both from the
formulas.
"""

from __future__ import annotations

import copy
from typing import Any

WORKED_EXAMPLE_V1: dict[str, Any] = {
    "format": "neuroseq.assessment/1",
    "instrument_version": "1",
    "synthetic": True,
    "client": {"pseudonym": "EXAMPLE-10Y", "birth_date": "2016-03-14"},
    "assessment_date": "2026-03-16",
    "rater": "worked example (synthetic)",
    "adversities": [
        {
            "type": "intrauterine_alcohol",
            "period": "prenatal",
            "severity": 2,
            "chronicity": "repeated",
        },
        {"type": "impaired_caregiver", "period": "m0_2", "severity": 3, "chronicity": "chronic"},
        {"type": "neglect", "period": "m2_6", "severity": 3, "chronicity": "chronic"},
        {"type": "neglect", "period": "m6_12", "severity": 2, "chronicity": "chronic"},
        {"type": "witnessed_violence", "period": "y1_2", "severity": 2, "chronicity": "repeated"},
        {"type": "placement_disruption", "period": "y2_4", "severity": 2, "chronicity": "single"},
        {"type": "placement_disruption", "period": "y4_6", "severity": 1, "chronicity": "single"},
    ],
    "relational_history": {
        "prenatal": {
            "caregiver_attunement": 1,
            "caregiver_safety": 1,
            "extended_support": 1,
            "placement_stability": 2,
        },
        "m0_2": {
            "caregiver_attunement": 0,
            "caregiver_safety": 1,
            "extended_support": 1,
            "placement_stability": 2,
        },
        "m2_6": {
            "caregiver_attunement": 0,
            "caregiver_safety": 1,
            "extended_support": 0,
            "placement_stability": 2,
        },
        "m6_12": {
            "caregiver_attunement": 1,
            "caregiver_safety": 1,
            "extended_support": 0,
            "placement_stability": 1,
        },
        "y1_2": {
            "caregiver_attunement": 1,
            "caregiver_safety": 0,
            "extended_support": 1,
            "placement_stability": 1,
        },
        "y2_4": {
            "caregiver_attunement": 2,
            "caregiver_safety": 2,
            "extended_support": 1,
            "placement_stability": 0,
        },
        "y4_6": {
            "caregiver_attunement": 2,
            "caregiver_safety": 2,
            "extended_support": 2,
            "placement_stability": 1,
        },
        "y6_12": {
            "caregiver_attunement": 2,
            "caregiver_safety": 3,
            "extended_support": 2,
            "placement_stability": 3,
        },
    },
    "current_relational_health": {
        "family_connectedness": 2,
        "caregiver_capacity": 2,
        "placement_security": 2,
        "school_connectedness": 1,
        "peer_connectedness": 1,
    },
    "functional": {
        "suck_swallow_feeding": 3,
        "startle_orienting": 2,
        "tactile_processing": 2,
        "auditory_processing": 3,
        "vestibular_balance": 2,
        "large_motor_coordination": 2,
        "fine_motor_skills": 2,
        "visual_motor_integration": 2,
        "heart_rate_regulation": 3,
        "temperature_regulation": 3,
        "sleep_regulation": 2,
        "arousal_regulation": 2,
        "appetite_satiety": 3,
        "stress_recovery": 1,
        "affect_regulation": 1,
        "impulse_control": 0,
        "attachment": 2,
        "attunement": 3,
        "reward_pleasure": 3,
        "relational_trust": 2,
        "peer_play": 2,
        "affiliation": 2,
        "social_skills": 2,
        "empathy": 1,
        "short_term_memory": 2,
        "sustained_attention": 1,
        "speech_articulation": 3,
        "receptive_language": 3,
        "expressive_language": 2,
        "concrete_reasoning": 2,
        "abstract_reasoning": 1,
        "self_reflection": None,
    },
}


def _v2_example() -> dict[str, Any]:
    """The same child on instrument v2: the replaced items rated, flags checked."""
    functional = {
        k: v
        for k, v in WORKED_EXAMPLE_V1["functional"].items()
        if k not in {"temperature_regulation", "concrete_reasoning", "abstract_reasoning"}
    }
    # On v2's earlier milestones the v1 ratings read younger; these keep the child's
    # story (speech of about 8, social skills of about 5, self-regulation of about 2).
    functional.update(
        continence=2,
        literacy=2,
        reasoning=2,
        expressive_language=3,
        sustained_attention=2,
        empathy=2,
        peer_play=3,
    )
    return {
        **copy.deepcopy(WORKED_EXAMPLE_V1),
        "instrument_version": "2",
        "functional": functional,
        "clinical_flags": {
            "cardiac_concern": False,
            "temperature_instability": False,
            "choking_aspiration": False,
            "faltering_growth": False,
            "sleep_breathing": False,
            "seizure_like_events": False,
            "continence_medical": False,
            "hearing_concern": False,
            "current_care_unsafe": False,
            "placement_move_imminent": False,
            "self_harm_risk": None,
            "missing_or_exploitation": None,
        },
    }


WORKED_EXAMPLE: dict[str, Any] = _v2_example()
