"""Age-adjusted progress (issue 8, item 6): typical children mature between assessments,
so progress reports the change against them as well as the raw change.

Hand-worked example (v2 norms, read from the YAML):
  impulse control norms ... [12, 1], [54, 2], [204, 3]; empathy ... [48, 2], [192, 3]
  at 60 months: impulse 2 + 6/150 = 2.04,      empathy 2 + 12/144 = 2.083333
  at 72 months: impulse 2 + 18/150 = 2.12,     empathy 2 + 24/144 = 2.166667
  a child rated 2 and 2 at both ages (all weights 1):
  age-typical percent 100 x 4 / 4.123333 = 97.0089 -> 100 x 4 / 4.286667 = 93.3126
  typical child's change on those items: (4.286667 - 4.123333) / 2 x 100/3 = 2.7222 points
"""

from __future__ import annotations

import copy
import math
from datetime import date
from pathlib import Path

import pytest
import yaml

from neuroseq.assessment import parse_assessment
from neuroseq.cohort.example import WORKED_EXAMPLE, WORKED_EXAMPLE_V1
from neuroseq.instrument import load_instrument
from neuroseq.instrument.loader import DATA_DIR
from neuroseq.progress import Snapshot, compare, snapshot_of
from neuroseq.progress.adjusted import Velocity
from neuroseq.scoring.functional import AgeEquivalent

V2 = load_instrument("2")
V1 = load_instrument("1")
REFERENCE = yaml.safe_load((Path(DATA_DIR) / "v2" / "reference.yaml").read_text("utf-8"))


def snap(day: date, age: float, ratings: dict[str, int | None]) -> Snapshot:
    return Snapshot(
        pseudonym="RIVER-07",
        instrument_version="2",
        assessment_date=day,
        age_months=age,
        ratings=ratings,
        functional_score=None,
        region_scores={},
        domain_scores={},
    )


def test_hand_worked_unchanged_ratings_fall_behind_typical_children() -> None:
    ratings = {"impulse_control": 2, "empathy": 2}
    c = compare(snap(date(2026, 1, 1), 60, ratings), snap(date(2027, 1, 1), 72, ratings), V2)
    total = c.score("age_adjusted", "age_typical_percent")
    before, after = 100 * 4 / (2.04 + 2 + 1 / 12), 100 * 4 / (2.12 + 2 + 1 / 6)
    assert total.before == pytest.approx(before, rel=1e-12)  # 97.0089
    assert total.after == pytest.approx(after, rel=1e-12)  # 93.3126
    # RCI with the reference sample's SD for age-typical percent and the stated r
    figure = REFERENCE["age_typical_percent"]
    s_diff = math.sqrt(2 * (figure["sd"] * math.sqrt(1 - figure["reliability"])) ** 2)
    assert total.rci == pytest.approx((after - before) / s_diff, rel=1e-12)
    m = next(m for m in c.maturation if m.key == "functional_score")
    assert m.items == 2
    assert m.child_change == 0
    assert m.typical_change == pytest.approx((0.08 + 1 / 12) / 2 * 100 / 3, rel=1e-12)  # 2.7222
    assert m.beyond_typical == pytest.approx(-m.typical_change)


def test_the_issues_child_whose_ratings_do_not_change() -> None:
    # The v2 worked example re-rated identically 12 months later: the raw scores show no
    # change; age-adjusted figures show the child falling behind typical maturation.
    first = parse_assessment(copy.deepcopy(WORKED_EXAMPLE))
    later = copy.deepcopy(WORKED_EXAMPLE)
    later["assessment_date"] = "2027-03-16"
    second = parse_assessment(later)
    c = compare(snapshot_of(first, V2), snapshot_of(second, V2), V2)
    assert c.score("total", "functional_score").difference == 0
    adjusted = c.score("age_adjusted", "age_typical_percent")
    assert adjusted.difference is not None and adjusted.difference < 0
    assert adjusted.rci is not None and adjusted.sd == REFERENCE["age_typical_percent"]["sd"]
    for m in c.maturation:
        assert m.child_change == 0
        assert m.typical_change is not None and m.typical_change >= 0
    assert any(m.beyond_typical is not None and m.beyond_typical < 0 for m in c.maturation)
    for v in c.velocity:
        assert v.months_elapsed == pytest.approx(12, abs=0.1)
        if v.per_month is not None:
            assert v.per_month == 0.0
            assert v.text.startswith("0.0 months per month")


def test_velocity_of_a_child_gaining_a_year_in_six_months() -> None:
    v = Velocity("cognitive", AgeEquivalent(60.0, None), AgeEquivalent(72.0, None), 6.0)
    assert v.per_month == pytest.approx(2.0)


def test_velocity_is_a_lower_bound_when_only_bounds_are_known() -> None:
    # 36 months -> "at least 95 months" in 12 months: at least (95 - 36) / 12 = 4.9 per month
    v = Velocity("cognitive", AgeEquivalent(36.0, None), AgeEquivalent(95.0, "ceiling"), 12.0)
    assert v.per_month is None
    assert v.at_least == pytest.approx(59 / 12)
    assert v.text.startswith("at least 4.9 months per month")
    # "younger than the earliest norms" (below 0) -> 8 months in 6 months: at least 8 / 6
    early = Velocity("relational", AgeEquivalent(0.0, "below_norms"), AgeEquivalent(8.0, None), 6)
    assert early.at_least == pytest.approx(8 / 6)


@pytest.mark.parametrize(
    ("before", "after", "months", "words"),
    [
        (AgeEquivalent(95.0, "ceiling"), AgeEquivalent(95.0, "ceiling"), 6, "at least"),
        (AgeEquivalent(8.0, None), AgeEquivalent(0.0, "below_norms"), 6, "younger than"),
        (None, AgeEquivalent(8.0, None), 6, "not rated"),
        (AgeEquivalent(8.0, None), AgeEquivalent(8.0, None), 0, "no time elapsed"),
    ],
)
def test_velocity_is_not_a_number_when_an_age_equivalent_is_not_one(
    before: AgeEquivalent | None, after: AgeEquivalent | None, months: float, words: str
) -> None:
    v = Velocity("relational", before, after, months)
    assert v.per_month is None and v.at_least is None
    assert words in v.text


def test_json_keeps_its_keys_and_adds_the_new_ones() -> None:
    ratings = {"impulse_control": 2, "empathy": 2}
    data = compare(
        snap(date(2026, 1, 1), 60, ratings), snap(date(2027, 1, 1), 72, ratings), V2
    ).to_dict()
    old_keys = {
        "pseudonym",
        "synthetic",
        "instrument_version",
        "before_date",
        "after_date",
        "months_between",
        "functions",
        "function_counts",
        "scores",
        "reliable_change_threshold",
        "reliability_source",
        "notes",
    }
    assert old_keys <= set(data)
    assert {"age_adjusted", "maturation", "developmental_velocity"} <= set(data)
    assert [s["scope"] for s in data["age_adjusted"]] == ["age_adjusted"] * 5
    assert data["developmental_velocity"][0]["text"]


def test_v1_comparisons_say_their_age_adjusted_change_is_not_tested() -> None:
    a = parse_assessment(copy.deepcopy(WORKED_EXAMPLE_V1))
    later = copy.deepcopy(WORKED_EXAMPLE_V1)
    later["assessment_date"] = "2026-09-16"
    c = compare(snapshot_of(a, V1), snapshot_of(parse_assessment(later), V1), V1)
    adjusted = c.score("age_adjusted", "age_typical_percent")
    assert adjusted.before is not None and adjusted.rci is None
    assert adjusted.classification == "not comparable"
    assert any("no reliability figures for the age-adjusted" in n for n in c.notes)
