"""The v2 challenges and region-impact transforms do not saturate (issue 8, item 7).

v1's 100 * (1 - exp(-raw / 25)) scored the worked example 98.5 and a severe case 99.4;
doubling a severe load added under 2 points. v2 uses 100 * raw / (raw + scale), with the
scale (the raw load that scores 50) read from the data file here; v1 keeps its transform
(pinned in test_v1_pinned.py).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from neuroseq.assessment import parse_assessment
from neuroseq.cohort.example import WORKED_EXAMPLE, WORKED_EXAMPLE_V1
from neuroseq.cohort.synth import iter_chunks
from neuroseq.instrument import load_instrument
from neuroseq.instrument.loader import DATA_DIR
from neuroseq.scoring import score_assessment
from neuroseq.scoring.batch import BatchInput, adversity_loads, score_batch
from neuroseq.scoring.history import saturate

V2 = load_instrument("2")
MAIN = yaml.safe_load((Path(DATA_DIR) / "v2" / "instrument.yaml").read_text(encoding="utf-8"))
SCALE = MAIN["transforms"]["challenges_scale"]
REGION_SCALE = MAIN["transforms"]["region_impact_scale"]


def test_the_transform_in_the_data_is_hyperbolic() -> None:
    assert MAIN["transforms"]["kind"] == "hyperbolic"
    assert load_instrument("1").transforms.kind == "exponential"


def test_worked_example_no_longer_near_the_ceiling() -> None:
    s = score_assessment(parse_assessment(copy.deepcopy(WORKED_EXAMPLE)))
    # same adversities as v1: raw = 18 + 27 + 31.2 + 17.6 + 6.75 + 3 + 1.2 = 104.75
    # (2x2x3x1.5, 3x1.5x3x2, 3x2x2.6x2, 2x2x2.2x2, 2x1.25x1.8x1.5, 2x1x1.5x1, 1x1x1.2x1)
    assert s.developmental_challenges_raw == pytest.approx(104.75, rel=1e-12)
    assert s.developmental_challenges_score == pytest.approx(
        100 * 104.75 / (104.75 + SCALE), rel=1e-12
    )
    assert s.developmental_challenges_score < 80
    v1 = score_assessment(parse_assessment(copy.deepcopy(WORKED_EXAMPLE_V1)))
    assert v1.developmental_challenges_score == pytest.approx(98.4853715126953, rel=1e-12)
    # the period breakdown is the raw load: identical under both versions
    assert s.period_load == pytest.approx(v1.period_load, rel=1e-12)


def test_doubling_a_severe_load_still_counts() -> None:
    # v1: 100 (1 - e^(-104.75/25)) = 98.5 -> 100 (1 - e^(-209.5/25)) = 99.98: +1.5 points
    severe = saturate(104.75, SCALE, "hyperbolic")
    doubled = saturate(2 * 104.75, SCALE, "hyperbolic")
    assert doubled - severe >= 10
    assert saturate(209.5, 25, "exponential") - saturate(104.75, 25, "exponential") < 2


@given(st.floats(0, 1e4), st.floats(1e-6, 1e4))
def test_strictly_monotone_and_bounded(raw: float, extra: float) -> None:
    low, high = saturate(raw, SCALE, "hyperbolic"), saturate(raw + extra, SCALE, "hyperbolic")
    assert 0 <= low < high < 100 or math.isclose(high, 100)
    assert saturate(0.0, SCALE, "hyperbolic") == 0.0
    assert saturate(SCALE, SCALE, "hyperbolic") == pytest.approx(50.0)


@pytest.fixture(scope="module")
def cohort_loads() -> tuple[np.ndarray, np.ndarray]:
    raws, regions = [], []
    for chunk in iter_chunks(20_000, 0, V2):
        raw, _, region_raw = adversity_loads(chunk.batch, V2)
        raws.append(raw)
        regions.append(region_raw)
    return np.concatenate(raws), np.concatenate(regions)


def test_top_decile_of_the_synthetic_cohort_spans_at_least_15_points(
    cohort_loads: tuple[np.ndarray, np.ndarray],
) -> None:
    raw, _ = cohort_loads
    p90, p99 = np.percentile(raw, [90, 99])
    top = raw[raw >= p90]

    def score(x: float) -> float:
        return 100 * x / (x + SCALE)

    assert score(top.max()) - score(p90) >= 15
    assert score(p99) - score(p90) >= 15  # not only through the single worst child
    # the same cohort under v1's exponential: the top decile crowds under 10 points
    assert 100 * (math.exp(-p90 / 25) - math.exp(-top.max() / 25)) < 10


def test_region_impact_does_not_saturate(cohort_loads: tuple[np.ndarray, np.ndarray]) -> None:
    _, region_raw = cohort_loads
    for j, region in enumerate(V2.region_ids):
        p90, p99 = np.percentile(region_raw[:, j], [90, 99])
        s90, s99 = (100 * x / (x + REGION_SCALE) for x in (p90, p99))
        assert s99 < 90, region
        assert s99 - s90 >= 10, region


def test_batch_path_uses_the_same_transform() -> None:
    a = parse_assessment(copy.deepcopy(WORKED_EXAMPLE))
    single = score_assessment(a)
    batch = score_batch(BatchInput.from_assessments([a], V2), V2)
    assert batch.developmental_challenges_score[0] == pytest.approx(
        single.developmental_challenges_score, rel=1e-12
    )
    for j, region in enumerate(V2.region_ids):
        assert batch.region_impact[0, j] == pytest.approx(single.region_impact[region], rel=1e-12)
