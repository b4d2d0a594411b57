"""Worked scoring examples on instrument v1 (pinned: v1 assessments must score as before):
every expected value is written out by hand from the formula and the instrument's weights
(read from the YAML files directly), never copied from output.

Formulas (instrument v1, see docs/instrument.md):
  DCS           = 100 * (1 - exp(-raw / 25)), raw = sum severity x type w x timing x chronicity
  region impact = 100 * (1 - exp(-raw_r / 12)), raw_r uses the region's sensitivity to the period
  functional    = 100/3 * sum(weight x status) / sum(weight) over *rated* items
  history       = sum(period weight x period score) / sum(period weights) over rated periods,
                  period score = 100/3 x mean rated item
  current       = 100/3 * sum(weight x rating) / sum(weight) over rated items
  gate          = sufficient >= 60, marginal >= 40, else insufficient
The timing principle (earlier adversity weighs more) follows Hambrick, Brawner and Perry (2019),
Front. Behav. Neurosci. 13:183.
"""

from __future__ import annotations

import copy
import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from neuroseq.assessment import parse_assessment
from neuroseq.cohort.example import WORKED_EXAMPLE_V1
from neuroseq.instrument import load_instrument
from neuroseq.instrument.loader import DATA_DIR
from neuroseq.scoring import score_assessment

INST = load_instrument("1")
V1 = Path(DATA_DIR) / "v1"


def _yaml(name: str) -> Any:
    return yaml.safe_load((V1 / name).read_text(encoding="utf-8"))


FUNCTIONS = {f["id"]: f for f in _yaml("functions.yaml")["functions"]}
PERIODS = {p["id"]: p for p in _yaml("periods.yaml")["periods"]}
ADV = _yaml("adversities.yaml")
TYPES = {t["id"]: t for t in ADV["types"]}
CHRONICITY = {c["id"]: c for c in ADV["chronicity"]}
SENSITIVITY = ADV["sensitivity"]
REL = _yaml("relational.yaml")
MAIN = _yaml("instrument.yaml")
REGIONS = [r["id"] for r in MAIN["regions"]]
DOMAINS = [d["id"] for d in MAIN["domains"]]
CHALLENGES_SCALE = MAIN["transforms"]["challenges_scale"]
IMPACT_SCALE = MAIN["transforms"]["region_impact_scale"]


def score(**fields: Any) -> Any:
    data = {
        "instrument_version": "1",
        "assessment_date": "2026-01-01",
        "chronological_age_months": 60,
        **fields,
    }
    return score_assessment(parse_assessment(data, INST), INST)


def test_the_weights_used_below_are_the_instruments() -> None:
    assert TYPES["neglect"]["weight"] == 2.0
    assert TYPES["intrauterine_alcohol"]["weight"] == 2.0
    assert TYPES["placement_disruption"]["weight"] == 1.0
    assert PERIODS["m0_2"]["timing_weight"] == 3.0
    assert PERIODS["prenatal"]["timing_weight"] == 3.0
    assert PERIODS["y2_4"]["timing_weight"] == 1.5
    assert CHRONICITY["single"]["factor"] == 1.0
    assert CHRONICITY["repeated"]["factor"] == 1.5
    assert CHRONICITY["chronic"]["factor"] == 2.0
    assert [SENSITIVITY[r]["m0_2"] for r in REGIONS] == [1.0, 0.9, 0.6, 0.3, 0.2]
    assert CHALLENGES_SCALE == 25 and IMPACT_SCALE == 12
    assert all(f["weight"] == 1.0 for f in FUNCTIONS.values())
    assert [i["weight"] for i in REL["current_items"]] == [2.0, 1.0, 1.0, 1.0, 1.0]
    assert REL["history_period_weights"]["m0_2"] == 3.0
    assert REL["history_period_weights"]["m2_6"] == 2.6
    assert REL["gate"] == {**REL["gate"], "sufficient_min": 60, "marginal_min": 40}


# -- developmental history ----------------------------------------------------------------


def test_one_chronic_severe_neglect_in_the_first_two_months() -> None:
    s = score(
        adversities=[{"type": "neglect", "period": "m0_2", "severity": 3, "chronicity": "chronic"}]
    )
    # raw = severity 3 x neglect 2.0 x timing(m0_2) 3.0 x chronic 2.0 = 36
    assert s.developmental_challenges_raw == pytest.approx(36.0, rel=1e-12)
    assert s.developmental_challenges_score == pytest.approx(
        100 * (1 - math.exp(-36 / 25)), rel=1e-12
    )
    assert s.period_load == pytest.approx(
        {p: (36.0 if p == "m0_2" else 0.0) for p in INST.period_ids}
    )
    # region raw = 3 x 2.0 x sensitivity(region, m0_2) x 2.0 = 12 x sensitivity
    expected_raw = {
        "brainstem": 3 * 2.0 * 1.0 * 2.0,  # 12
        "diencephalon": 3 * 2.0 * 0.9 * 2.0,  # 10.8
        "limbic": 3 * 2.0 * 0.6 * 2.0,  # 7.2
        "cortex": 3 * 2.0 * 0.3 * 2.0,  # 3.6
        "frontal_cortex": 3 * 2.0 * 0.2 * 2.0,  # 2.4
    }
    for region, raw in expected_raw.items():
        assert s.region_impact[region] == pytest.approx(100 * (1 - math.exp(-raw / 12)), rel=1e-12)
    assert s.region_impact["brainstem"] == pytest.approx(100 * (1 - math.exp(-1)), rel=1e-12)


def test_two_adversities_add_and_split_by_period() -> None:
    s = score(
        adversities=[
            {
                "type": "intrauterine_alcohol",
                "period": "prenatal",
                "severity": 2,
                "chronicity": "repeated",
            },
            {"type": "placement_disruption", "period": "y2_4", "severity": 1},
        ]
    )
    # 2 x 2.0 x 3.0 x 1.5 = 18 ; 1 x 1.0 x 1.5 x 1.0 (single by default) = 1.5 ; raw = 19.5
    assert s.developmental_challenges_raw == pytest.approx(19.5, rel=1e-12)
    assert s.developmental_challenges_score == pytest.approx(
        100 * (1 - math.exp(-19.5 / 25)), rel=1e-12
    )
    assert s.period_load["prenatal"] == pytest.approx(18.0)
    assert s.period_load["y2_4"] == pytest.approx(1.5)
    assert sum(s.period_load.values()) == pytest.approx(19.5)
    # brainstem: 2 x 2.0 x 1.0 x 1.5 + 1 x 1.0 x 0.3 x 1.0 = 6 + 0.3 = 6.3
    assert s.region_impact["brainstem"] == pytest.approx(100 * (1 - math.exp(-6.3 / 12)), rel=1e-12)
    # frontal cortex: 2 x 2.0 x 0.2 x 1.5 + 1 x 1.0 x 0.6 x 1.0 = 1.2 + 0.6 = 1.8
    assert s.region_impact["frontal_cortex"] == pytest.approx(
        100 * (1 - math.exp(-1.8 / 12)), rel=1e-12
    )


def test_no_adversity_scores_zero() -> None:
    s = score()
    assert s.developmental_challenges_score == 0.0
    assert s.developmental_challenges_raw == 0.0
    assert all(v == 0.0 for v in s.region_impact.values())
    assert all(v == 0.0 for v in s.period_load.values())


# -- functional scores, missing items excluded -------------------------------------------


def test_functional_scores_exclude_missing_items() -> None:
    s = score(
        functional={
            "heart_rate_regulation": 3,  # brainstem, self_regulation
            "temperature_regulation": 0,  # brainstem, self_regulation
            "sleep_regulation": None,  # brainstem, self_regulation: not rated
            "attachment": 2,  # limbic, relational
            "speech_articulation": 1,  # cortex, cognitive
        }
    )
    # all weights 1.0: total = 100/3 x (3 + 0 + 2 + 1) / 4 = 50 (not 100/3 x 6/5 = 40)
    assert s.functional_score == pytest.approx(50.0, rel=1e-12)
    assert s.region_scores["brainstem"] == pytest.approx(100 / 3 * (3 + 0) / 2, rel=1e-12)  # 50
    assert s.region_scores["limbic"] == pytest.approx(100 / 3 * 2, rel=1e-12)
    assert s.region_scores["cortex"] == pytest.approx(100 / 3 * 1, rel=1e-12)
    assert s.region_scores["diencephalon"] is None
    assert s.region_scores["frontal_cortex"] is None
    assert s.domain_scores["self_regulation"] == pytest.approx(50.0, rel=1e-12)
    assert s.domain_scores["relational"] == pytest.approx(200 / 3, rel=1e-12)
    assert s.domain_scores["cognitive"] == pytest.approx(100 / 3, rel=1e-12)
    assert s.domain_scores["sensory_integration"] is None
    assert len(s.missing_items) == 32 - 4
    assert "sleep_regulation" in s.missing_items
    assert "heart_rate_regulation" not in s.missing_items
    # typical child at 60 months on the same 4 items: hr 3, temp 3, attachment 3,
    # speech = 1.5 + (60 - 36) / (72 - 36) x (2.5 - 1.5) = 2.1666...
    speech_typ = 1.5 + (60 - 36) / 36 * 1.0
    typical_total = 3 + 3 + 3 + speech_typ
    assert s.typical_functional_score == pytest.approx(100 / 3 * typical_total / 4, rel=1e-12)
    assert s.age_typical_percent == pytest.approx(100 * 6 / typical_total, rel=1e-12)
    assert s.typical_region_scores["cortex"] == pytest.approx(100 / 3 * speech_typ, rel=1e-12)


def test_nothing_rated_gives_none_not_zero() -> None:
    s = score()
    assert s.functional_score is None
    assert s.age_typical_percent is None
    assert all(v is None for v in s.region_scores.values())
    assert all(v is None for v in s.domain_scores.values())
    assert all(v is None for v in s.age_equivalents.values())
    assert len(s.missing_items) == 32


# -- age equivalents ---------------------------------------------------------------------


def test_age_equivalent_exactly_on_a_norm_point() -> None:
    # heart rate norms 0:1, 6:2, 24:3 -> a rating of 2 is the typical child at 6 months
    assert FUNCTIONS["heart_rate_regulation"]["norms"][:3] == [[0, 1], [6, 2], [24, 3]]
    ae = score(functional={"heart_rate_regulation": 2}).age_equivalents["self_regulation"]
    assert ae is not None
    assert ae.months == pytest.approx(6.0, abs=1e-9)
    assert ae.flag is None


def test_age_equivalent_ceiling() -> None:
    # rating 3 = top of the heart-rate norms, first reached at 24 months
    ae = score(functional={"heart_rate_regulation": 3}).age_equivalents["self_regulation"]
    assert ae is not None
    assert ae.months == pytest.approx(24.0, abs=1e-9)
    assert ae.flag == "ceiling"


def test_age_equivalent_interpolated() -> None:
    # speech norms 36:1.5, 72:2.5 -> rating 2 = 36 + (2 - 1.5) / (2.5 - 1.5) x 36 = 54 months
    assert [36, 1.5] in FUNCTIONS["speech_articulation"]["norms"]
    assert [72, 2.5] in FUNCTIONS["speech_articulation"]["norms"]
    ae = score(functional={"speech_articulation": 2}).age_equivalents["cognitive"]
    assert ae is not None
    assert ae.months == pytest.approx(54.0, abs=1e-9)
    assert ae.flag is None


def test_age_equivalent_below_the_norms() -> None:
    # suck-swallow norm at birth is 1.5 > rating 1
    assert FUNCTIONS["suck_swallow_feeding"]["norms"][0] == [0, 1.5]
    ae = score(functional={"suck_swallow_feeding": 1}).age_equivalents["sensory_integration"]
    assert ae is not None
    assert ae.flag == "below_norms"
    assert ae.months == 0.0


def test_age_equivalent_of_two_items_inverts_their_summed_curve() -> None:
    # heart rate (0:1, 6:2) slope 1/6 per month; temperature (0:1, 3:2, 12:3) slope 1/9 after 3 m.
    # child sum 2 + 2 = 4. At 3 months the typical sum is (1 + 3/6) + 2 = 3.5; from 3 to 6 months
    # it rises by 1/6 + 1/9 = 5/18 per month, so it reaches 4 at 3 + 0.5 / (5/18) = 4.8 months.
    s = score(functional={"heart_rate_regulation": 2, "temperature_regulation": 2})
    ae = s.age_equivalents["self_regulation"]
    assert ae is not None
    assert ae.months == pytest.approx(4.8, abs=1e-9)
    assert ae.flag is None


def test_age_equivalent_zero_rating_at_a_newborns_level() -> None:
    # vestibular norm at birth is 0: a rating of 0 equals a newborn, not below the norms
    ae = score(functional={"vestibular_balance": 0}).age_equivalents["sensory_integration"]
    assert ae is not None
    assert ae.months == 0.0
    assert ae.flag is None


# -- relational health --------------------------------------------------------------------


def test_relational_history_score_by_hand() -> None:
    s = score(
        relational_history={
            "m0_2": {
                "caregiver_attunement": 0,
                "caregiver_safety": 1,
                "extended_support": 1,
                "placement_stability": 2,
            },
            "m2_6": {"caregiver_attunement": 3, "caregiver_safety": 3, "extended_support": None},
        }
    )
    m0_2 = 100 / 3 * (0 + 1 + 1 + 2) / 4  # 33.33
    m2_6 = 100 / 3 * (3 + 3) / 2  # 100: the unrated item is excluded, not zero
    assert s.relational_history_by_period["m0_2"] == pytest.approx(m0_2, rel=1e-12)
    assert s.relational_history_by_period["m2_6"] == pytest.approx(m2_6, rel=1e-12)
    assert s.relational_history_by_period["prenatal"] is None
    # weights m0_2 3.0, m2_6 2.6: (3 x 33.33 + 2.6 x 100) / 5.6 = 64.2857...
    expected = (3.0 * m0_2 + 2.6 * m2_6) / (3.0 + 2.6)
    assert s.relational_health_history_score == pytest.approx(expected, rel=1e-12)


def test_relational_history_not_rated() -> None:
    assert score().relational_health_history_score is None


CURRENT_IDS = (
    "family_connectedness",
    "caregiver_capacity",
    "placement_security",
    "school_connectedness",
    "peer_connectedness",
)


@pytest.mark.parametrize(
    ("ratings", "numerator", "denominator", "gate"),
    [
        # family weighs 2, the others 1
        ((2, 1, None, 3, None), 2 * 2 + 1 + 3, 2 + 1 + 1, "sufficient"),  # 8/4 = 2 -> 66.7
        ((3, 1, 1, 1, None), 2 * 3 + 1 + 1 + 1, 5, "sufficient"),  # 9/5 = 1.8 -> exactly 60
        ((1, 3, None, None, 2), 2 * 1 + 3 + 2, 4, "marginal"),  # 7/4 = 1.75 -> 58.3
        ((2, 1, 1, 0, None), 2 * 2 + 1 + 1 + 0, 5, "marginal"),  # 6/5 = 1.2 -> exactly 40
        ((2, 1, 0, 0, None), 2 * 2 + 1 + 0 + 0, 5, "insufficient"),  # 5/5 = 1 -> 33.3
        ((0, 0, 0, 0, 0), 0, 6, "insufficient"),  # 0
        ((3, 3, 3, 3, 3), 18, 6, "sufficient"),  # 100
    ],
)
def test_current_relational_health_and_gate(
    ratings: tuple[int | None, ...], numerator: float, denominator: float, gate: str
) -> None:
    s = score(current_relational_health=dict(zip(CURRENT_IDS, ratings, strict=True)))
    expected = 100 / 3 * numerator / denominator
    assert s.current_relational_health == pytest.approx(expected, rel=1e-12)
    assert s.relational_gate == gate


def test_gate_exact_boundaries() -> None:
    at_60 = score(current_relational_health=dict(zip(CURRENT_IDS, (3, 1, 1, 1, None), strict=True)))
    at_40 = score(current_relational_health=dict(zip(CURRENT_IDS, (2, 1, 1, 0, None), strict=True)))
    assert at_60.current_relational_health == pytest.approx(60.0, rel=1e-12)
    assert at_60.relational_gate == "sufficient"
    assert at_40.current_relational_health == pytest.approx(40.0, rel=1e-12)
    assert at_40.relational_gate == "marginal"


def test_gate_not_rated() -> None:
    s = score(current_relational_health={"family_connectedness": None})
    assert s.current_relational_health is None
    assert s.relational_gate == "not_rated"


# -- the worked example ---------------------------------------------------------------------


def _typical(function_id: str, months: float) -> float:
    ages, statuses = zip(*FUNCTIONS[function_id]["norms"], strict=True)
    return float(np.interp(months, ages, statuses))


def _age_equivalent_by_bisection(pairs: list[tuple[str, int]]) -> float:
    """Smallest age whose typical weighted sum on the same items reaches the child's."""
    child = sum(FUNCTIONS[f]["weight"] * r for f, r in pairs)

    def curve(t: float) -> float:
        return sum(FUNCTIONS[f]["weight"] * _typical(f, t) for f, _ in pairs)

    lo, hi = 0.0, 216.0
    assert curve(lo) <= child < curve(hi)
    for _ in range(200):
        mid = (lo + hi) / 2
        if curve(mid) >= child:
            hi = mid
        else:
            lo = mid
    return hi


def test_worked_example_recomputed_independently() -> None:
    example = copy.deepcopy(WORKED_EXAMPLE_V1)
    s = score_assessment(parse_assessment(example, INST), INST)

    # chronological age from the dates: about 10 years
    age = (date(2026, 3, 16) - date(2016, 3, 14)).days / (365.25 / 12)
    assert s.chronological_age_months == pytest.approx(age)
    assert 119 < age < 121

    raw = 0.0
    region_raw = dict.fromkeys(REGIONS, 0.0)
    for adv in example["adversities"]:
        base = (
            adv["severity"] * TYPES[adv["type"]]["weight"] * CHRONICITY[adv["chronicity"]]["factor"]
        )
        raw += base * PERIODS[adv["period"]]["timing_weight"]
        for r in REGIONS:
            region_raw[r] += base * SENSITIVITY[r][adv["period"]]
    assert s.developmental_challenges_raw == pytest.approx(raw, rel=1e-12)
    assert s.developmental_challenges_score == pytest.approx(
        100 * (1 - math.exp(-raw / CHALLENGES_SCALE)), rel=1e-12
    )
    for r in REGIONS:
        assert s.region_impact[r] == pytest.approx(
            100 * (1 - math.exp(-region_raw[r] / IMPACT_SCALE)), rel=1e-12
        )

    for group, key in ((DOMAINS, "domain"), (REGIONS, "region")):
        scores = s.domain_scores if key == "domain" else s.region_scores
        for g in group:
            num = den = 0.0
            for fid, rating in example["functional"].items():
                if FUNCTIONS[fid][key] == g and rating is not None:
                    num += FUNCTIONS[fid]["weight"] * rating
                    den += FUNCTIONS[fid]["weight"]
            assert scores[g] == pytest.approx(100 / 3 * num / den, rel=1e-12), g
    rated = [(f, r) for f, r in example["functional"].items() if r is not None]
    total = sum(FUNCTIONS[f]["weight"] * r for f, r in rated) / sum(
        FUNCTIONS[f]["weight"] for f, _ in rated
    )
    assert s.functional_score == pytest.approx(100 / 3 * total, rel=1e-12)
    assert s.missing_items == ("self_reflection",)

    # relational history: period mean x 100/3, weighted by period
    pw = REL["history_period_weights"]
    by_period = {
        p: 100 / 3 * sum(items.values()) / len(items)
        for p, items in example["relational_history"].items()
    }
    expected_history = sum(pw[p] * v for p, v in by_period.items()) / sum(pw[p] for p in by_period)
    assert s.relational_health_history_score == pytest.approx(expected_history, rel=1e-12)
    cw = {i["id"]: i["weight"] for i in REL["current_items"]}
    cur = example["current_relational_health"]
    expected_current = 100 / 3 * sum(cw[i] * r for i, r in cur.items()) / sum(cw[i] for i in cur)
    assert s.current_relational_health == pytest.approx(expected_current, rel=1e-12)
    # (2x2 + 2 + 2 + 1 + 1) / 6 = 10/6 -> 55.6: marginal
    assert s.relational_gate == "marginal"

    # age equivalents, by an independent bisection on the typical curves
    for d in DOMAINS:
        pairs = [(f, r) for f, r in rated if FUNCTIONS[f]["domain"] == d]
        ae = s.age_equivalents[d]
        assert ae is not None and ae.flag is None, d
        assert ae.months == pytest.approx(_age_equivalent_by_bisection(pairs), abs=1e-6), d

    # the description: speech and language near 8 years, social skills near 5,
    # self-regulation near 2 (each within one year)
    months = s.to_dict()["age_equivalents_months"]
    assert abs(months["cognitive"] - 8 * 12) <= 12
    assert abs(months["relational"] - 5 * 12) <= 12
    assert abs(months["self_regulation"] - 2 * 12) <= 12
