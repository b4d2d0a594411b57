"""The v2 worked example recomputed independently from the v2 YAML files.

Formulas (instrument v2, docs/scoring.md): as v1 except the transforms, now
100 * raw / (raw + scale). Age equivalents are found here by bisection on the typical
curves read from functions.yaml, not by the package's inversion.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from neuroseq.assessment import parse_assessment
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.instrument.loader import DATA_DIR
from neuroseq.scoring import score_assessment

V2 = Path(DATA_DIR) / "v2"


def _yaml(name: str) -> Any:
    return yaml.safe_load((V2 / name).read_text(encoding="utf-8"))


FUNCTIONS = {f["id"]: f for f in _yaml("functions.yaml")["functions"]}
MAIN = _yaml("instrument.yaml")
ADV = _yaml("adversities.yaml")
TYPES = {t["id"]: t["weight"] for t in ADV["types"]}
CHRONICITY = {c["id"]: c["factor"] for c in ADV["chronicity"]}
TIMING = {p["id"]: p["timing_weight"] for p in _yaml("periods.yaml")["periods"]}
SENSITIVITY = ADV["sensitivity"]


def typical(function_id: str, months: float) -> float:
    ages, statuses = zip(*FUNCTIONS[function_id]["norms"], strict=True)
    return float(np.interp(months, ages, statuses))


def bisect_age(pairs: list[tuple[str, int]]) -> float:
    child = sum(FUNCTIONS[f]["weight"] * r for f, r in pairs)
    lo, hi = 0.0, 216.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if sum(FUNCTIONS[f]["weight"] * typical(f, mid) for f, _ in pairs) >= child:
            hi = mid
        else:
            lo = mid
    return hi


def test_v2_worked_example() -> None:
    example = copy.deepcopy(WORKED_EXAMPLE)
    s = score_assessment(parse_assessment(example))
    assert s.instrument_version == "2"

    raw = 0.0
    region_raw = dict.fromkeys(SENSITIVITY, 0.0)
    for adv in example["adversities"]:
        base = adv["severity"] * TYPES[adv["type"]] * CHRONICITY[adv["chronicity"]]
        raw += base * TIMING[adv["period"]]
        for r in region_raw:
            region_raw[r] += base * SENSITIVITY[r][adv["period"]]
    t = MAIN["transforms"]
    assert s.developmental_challenges_score == pytest.approx(
        100 * raw / (raw + t["challenges_scale"]), rel=1e-12
    )
    for r, value in region_raw.items():
        assert s.region_impact[r] == pytest.approx(
            100 * value / (value + t["region_impact_scale"]), rel=1e-12
        )

    rated = [(f, r) for f, r in example["functional"].items() if r is not None]
    total = sum(r for _, r in rated) / len(rated)  # all weights 1
    assert all(FUNCTIONS[f]["weight"] == 1.0 for f, _ in rated)
    assert s.functional_score == pytest.approx(100 / 3 * total, rel=1e-12)

    months = {}
    for d in ("sensory_integration", "self_regulation", "relational", "cognitive"):
        pairs = [(f, r) for f, r in rated if FUNCTIONS[f]["domain"] == d]
        ae = s.age_equivalents[d]
        assert ae is not None and ae.flag is None, d
        assert ae.months == pytest.approx(bisect_age(pairs), abs=1e-6), d
        months[d] = ae.months
    # the child's story: speech and language near 8, social skills near 5,
    # self-regulation near 2 (each within one year)
    assert abs(months["cognitive"] - 96) <= 12
    assert abs(months["relational"] - 60) <= 12
    assert abs(months["self_regulation"] - 24) <= 12
    assert example["clinical_flags"]["cardiac_concern"] is False
