"""Instrument v1 assessments score exactly as before v2 existed.

Every number below was computed by the code on ``main`` at commit eb4a4b8 (before
instrument v2), by running main's ``score_assessment`` and ``progress.compare`` on
main's worked example; they are written out here so that no later change to the
scoring, the transforms, the age equivalents or the reliability figures can move a
signed v1 assessment's scores.
"""

from __future__ import annotations

import copy

import pytest

from neuroseq.assessment import parse_assessment
from neuroseq.cohort.example import WORKED_EXAMPLE_V1
from neuroseq.instrument import load_instrument
from neuroseq.progress import compare, snapshot_of
from neuroseq.scoring import score_assessment

V1 = load_instrument("1")
MAIN_SCORES = {
    "chronological_age_months": 120.04928131416838,
    "developmental_challenges_score": 98.4853715126953,
    "developmental_challenges_raw": 104.75,
    "period_load": {
        "prenatal": 18.0,
        "m0_2": 27.0,
        "m2_6": 31.200000000000003,
        "m6_12": 17.6,
        "y1_2": 6.75,
        "y2_4": 3.0,
        "y4_6": 1.2,
        "y6_12": 0.0,
        "y12_18": 0.0,
    },
    "region_impact": {
        "brainstem": 92.875756683504,
        "diencephalon": 94.42846730365036,
        "limbic": 93.02264304035563,
        "cortex": 78.99514672571237,
        "frontal_cortex": 68.00476924920153,
    },
    "relational_health_history_score": 37.16768916155419,
    "current_relational_health": 55.555555555555564,
    "relational_gate": "marginal",
    "functional_score": 68.81720430107528,
    "region_scores": {
        "brainstem": 83.33333333333334,
        "diencephalon": 71.42857142857143,
        "limbic": 70.83333333333334,
        "cortex": 77.77777777777779,
        "frontal_cortex": 25.0,
    },
    "domain_scores": {
        "sensory_integration": 75.0,
        "self_regulation": 62.50000000000001,
        "relational": 70.83333333333334,
        "cognitive": 66.66666666666667,
    },
    "typical_functional_score": 90.38412708926718,
    "typical_region_scores": {
        "brainstem": 100.0,
        "diencephalon": 100.0,
        "limbic": 94.10292607802876,
        "cortex": 85.9425621720283,
        "frontal_cortex": 58.35728952772075,
    },
    "typical_domain_scores": {
        "sensory_integration": 98.61396303901438,
        "self_regulation": 92.01788158795345,
        "relational": 90.63227241615333,
        "cognitive": 78.82785763175907,
    },
    "age_typical_percent": 76.13859481445066,
    "age_equivalents_months": {
        "sensory_integration": 38.666666666666686,
        "self_regulation": 23.304347826086953,
        "relational": 61.69014084507043,
        "cognitive": 92.18823529411765,
    },
    "age_equivalent_flags": dict.fromkeys(
        ("sensory_integration", "self_regulation", "relational", "cognitive")
    ),
    "missing_items": ["self_reflection"],
}
# (score, before, after, RCI, classification) for the worked example six months later
# with impulse control, affect regulation, stress recovery, attention and empathy at 2.
MAIN_PROGRESS = [
    ("functional_score", 68.81720430107528, 75.26881720430109, 0.6543877628496609),
    ("brainstem", 83.33333333333334, 83.33333333333334, 0.0),
    ("diencephalon", 71.42857142857143, 76.19047619047619, 0.34223784200956475),
    ("limbic", 70.83333333333334, 75.0, 0.2994581117583686),
    ("cortex", 77.77777777777779, 77.77777777777779, 0.0),
    ("frontal_cortex", 25.0, 58.333333333333336, 2.3956648940669547),
    ("sensory_integration", 75.0, 75.0, 0.0),
    ("self_regulation", 62.50000000000001, 79.16666666666667, 1.317615691736825),
    ("relational", 70.83333333333334, 75.0, 0.3294039229342055),
    ("cognitive", 66.66666666666667, 71.42857142857143, 0.3764616262105212),
]


def _close(actual: object, expected: object) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) >= set(expected)
        for key, value in expected.items():
            _close(actual[key], value)
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected)
        for a, e in zip(actual, expected, strict=True):
            _close(a, e)
    elif isinstance(expected, float):
        assert actual == pytest.approx(expected, rel=1e-12, abs=1e-12)
    else:
        assert actual == expected


def test_v1_worked_example_scores_as_on_main() -> None:
    a = parse_assessment(copy.deepcopy(WORKED_EXAMPLE_V1))
    assert a.instrument_version == "1"
    _close(score_assessment(a).to_dict(), MAIN_SCORES)


def test_v1_progress_scores_as_on_main() -> None:
    before = parse_assessment(copy.deepcopy(WORKED_EXAMPLE_V1))
    later = copy.deepcopy(WORKED_EXAMPLE_V1)
    later["assessment_date"] = "2026-09-16"
    later["functional"].update(
        impulse_control=2, affect_regulation=2, stress_recovery=2, sustained_attention=2, empathy=2
    )
    after = parse_assessment(later)
    result = compare(snapshot_of(before, V1), snapshot_of(after, V1), V1)
    rows = [(s.key, s.before, s.after, s.rci) for s in result.scores if s.scope != "adjusted"]
    assert len(rows) == len(MAIN_PROGRESS)
    for row, expected in zip(rows, MAIN_PROGRESS, strict=True):
        assert row[0] == expected[0]
        _close(list(row[1:]), list(expected[1:]))
    assert result.score("region", "frontal_cortex").classification == "improved"
