"""Jacobson-Truax reliable change index against hand-worked examples.

Jacobson NS, Truax P (1991) Clinical significance: a statistical approach to defining
meaningful change in psychotherapy research. J Consult Clin Psychol 59:12-19.

    S_E    = SD * sqrt(1 - r)
    S_diff = sqrt(2 * S_E^2)
    RCI    = (x2 - x1) / S_diff,   reliable when |RCI| > 1.96

The expected numbers below are worked out by hand from those formulas, not by the code.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neuroseq.instrument import load_instrument
from neuroseq.progress import (
    Snapshot,
    classify,
    compare,
    reliable_change_index,
    standard_error,
    standard_error_of_difference,
)

INST = load_instrument("1")  # the hand-worked figures below are v1's


def snap(day: date, total: float | None, domain: float | None, region: float | None) -> Snapshot:
    return Snapshot(
        pseudonym="RIVER-07",
        instrument_version=INST.version,
        assessment_date=day,
        age_months=120.0,
        ratings={},
        functional_score=total,
        region_scores=dict.fromkeys(INST.region_ids, region),
        domain_scores=dict.fromkeys(INST.domain_ids, domain),
    )


def test_hand_worked_domain_example() -> None:
    # Instrument v1, every domain: SD = 20, r = 0.80.
    figure = INST.reliability.domains["relational"]
    assert (figure.sd, figure.reliability) == (20.0, 0.80)
    # S_E^2 = 20^2 * (1 - 0.80) = 400 * 0.2 = 80, S_E = 8.94427191
    # S_diff = sqrt(2 * 80) = sqrt(160) = 12.64911064
    # 40 -> 70: RCI = 30 / 12.64911064 = 2.37170825 > 1.96: improved
    assert standard_error(20.0, 0.80) == pytest.approx(8.94427191)
    assert standard_error_of_difference(20.0, 0.80) == pytest.approx(12.64911064)
    change = compare(
        snap(date(2026, 5, 1), 50, 40, 50), snap(date(2026, 11, 1), 50, 70, 50), INST
    ).score("domain", "relational")
    assert change.difference == 30
    assert change.rci == pytest.approx(2.37170825)
    assert change.reliable and change.classification == "improved"


def test_hand_worked_total_example_either_side_of_the_threshold() -> None:
    # Functional Score: SD = 18, r = 0.85.
    figure = INST.reliability.functional_score
    assert (figure.sd, figure.reliability) == (18.0, 0.85)
    # S_E^2 = 324 * 0.15 = 48.6; S_diff = sqrt(97.2) = 9.85900603
    # +20: RCI = 20 / 9.85900603 = 2.02860207 -> improved
    # +19: RCI = 19 / 9.85900603 = 1.92717197 -> no reliable change
    # -20: RCI = -2.02860207 -> deteriorated
    start = snap(date(2026, 5, 1), 50, 50, 50)
    cases = [
        (70, 2.02860207, "improved"),
        (69, 1.92717197, "no reliable change"),
        (30, -2.02860207, "deteriorated"),
    ]
    for after, rci, verdict in cases:
        change = compare(start, snap(date(2026, 11, 1), after, 50, 50), INST).score(
            "total", "functional_score"
        )
        assert change.rci == pytest.approx(rci)
        assert change.s_diff == pytest.approx(9.85900603)
        assert change.classification == verdict


def test_hand_worked_region_example() -> None:
    # Regions: SD = 22, r = 0.80. S_E^2 = 484 * 0.2 = 96.8; S_diff = sqrt(193.6) = 13.91402170
    # 80 -> 50: RCI = -30 / 13.91402170 = -2.15609840 -> deteriorated
    change = compare(
        snap(date(2026, 5, 1), 50, 50, 80), snap(date(2026, 11, 1), 50, 50, 50), INST
    ).score("region", "limbic")
    assert change.rci == pytest.approx(-2.15609840)
    assert change.classification == "deteriorated"


def test_threshold_is_strict_and_missing_is_not_comparable() -> None:
    assert classify(1.96) == "no reliable change"
    assert classify(-1.96) == "no reliable change"
    assert classify(1.9601) == "improved"
    assert classify(None) == "not comparable"
    change = compare(
        snap(date(2026, 5, 1), None, 50, 50), snap(date(2026, 11, 1), 60, 50, 50), INST
    ).score("total", "functional_score")
    assert change.rci is None and change.difference is None
    assert change.classification == "not comparable" and not change.reliable


@pytest.mark.parametrize(("sd", "r"), [(0, 0.8), (-1, 0.8), (10, 0), (10, 1), (10, 1.2)])
def test_bad_reliability_figures_are_refused(sd: float, r: float) -> None:
    with pytest.raises(ValueError):
        standard_error(sd, r)


scores = st.floats(0, 100, allow_nan=False)


@given(scores, scores, st.floats(1, 40), st.floats(0.05, 0.95))
def test_rci_is_antisymmetric_and_its_sign_is_the_direction(
    x1: float, x2: float, sd: float, r: float
) -> None:
    forward = reliable_change_index(x1, x2, sd, r)
    assert reliable_change_index(x2, x1, sd, r) == pytest.approx(-forward)
    verdict = classify(forward)
    if verdict == "improved":
        assert x2 > x1
    elif verdict == "deteriorated":
        assert x2 < x1
