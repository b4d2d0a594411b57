"""Krippendorff's alpha and percent agreement.

Krippendorff K (2011) Computing Krippendorff's Alpha-Reliability, section C: four
observers, twelve units, with gaps (unit 12 has one value and is not pairable).
Published: nominal .743, ordinal .815, interval .849, ratio .797.
The Wikipedia "Krippendorff's alpha" computational example (3 coders, 15 units):
nominal .691.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from neuroseq.reliability import ReliabilityError, krippendorff_alpha, percent_agreement

nan = np.nan
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]
WIKIPEDIA = [
    [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
    [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
    [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
]


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_reliability_data(level: str, published: float) -> None:
    r = krippendorff_alpha(KRIPPENDORFF_2011, level)  # type: ignore[arg-type]
    assert r.value == pytest.approx(published, abs=5e-4)
    assert (r.n_raters, r.n_units, r.n_values) == (4, 11, 40)


def test_wikipedia_example_nominal() -> None:
    assert krippendorff_alpha(WIKIPEDIA, "nominal").value == pytest.approx(0.691, abs=5e-4)


data = arrays(
    float, st.tuples(st.integers(2, 5), st.integers(3, 12)), elements=st.integers(0, 3).map(float)
)


@settings(max_examples=40, deadline=None)
@given(data, st.randoms(use_true_random=False))
def test_alpha_ignores_rater_and_unit_order(x: np.ndarray, rnd: object) -> None:
    if np.unique(x).size < 2:
        return
    rows = list(range(x.shape[0]))
    cols = list(range(x.shape[1]))
    rnd.shuffle(rows)  # type: ignore[attr-defined]
    rnd.shuffle(cols)  # type: ignore[attr-defined]
    for level in ("nominal", "interval"):
        assert krippendorff_alpha(x[rows][:, cols], level).value == pytest.approx(  # type: ignore[arg-type]
            krippendorff_alpha(x, level).value  # type: ignore[arg-type]
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([[1, 2, 3]], "at least 2 raters"),
        ([[1, nan, 3], [nan, 2, nan]], "no unit was rated by two"),
        ([[2, 2, nan], [2, 2, 2]], "every rating is 2"),
    ],
)
def test_alpha_bad_input(data: list, message: str) -> None:
    with pytest.raises(ReliabilityError) as exc:
        krippendorff_alpha(data)
    assert message in str(exc.value)


def test_alpha_unknown_level() -> None:
    with pytest.raises(ReliabilityError, match="level: expected one of"):
        krippendorff_alpha(KRIPPENDORFF_2011, "cardinal")  # type: ignore[arg-type]


def test_percent_agreement_counts_pairs_by_hand() -> None:
    # units x raters. Pairs per unit: u1 (0,0,0): 3 exact; u2 (1,2,3): 0 exact, 2 within one
    # (1-2, 2-3), u3 (2, 2, missing): 1 exact. 7 pairs, 4 exact, 6 within one.
    r = percent_agreement([[0, 0, 0], [1, 2, 3], [2, 2, nan]])
    assert (r.n_pairs, r.n_units) == (7, 3)
    assert r.value == pytest.approx(4 / 7)
    assert r.within_one == pytest.approx(6 / 7)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=40))
def test_two_raters_agree_as_often_as_kappa_counts(pairs: list[tuple[int, int]]) -> None:
    """With two raters and no gaps, exact agreement is kappa's observed agreement p_o."""
    from neuroseq.reliability import cohen_kappa

    ratings = np.asarray(pairs, dtype=float)
    a, b = ratings[:, 0], ratings[:, 1]
    exact = float(np.mean(a == b))
    assert percent_agreement(ratings).value == pytest.approx(exact)
    if len(set(a) | set(b)) > 1:
        kappa = cohen_kappa(a, b, categories=[0, 1, 2, 3])
        assert kappa.observed_agreement == pytest.approx(exact)


def test_percent_agreement_needs_pairs() -> None:
    with pytest.raises(ReliabilityError, match="nothing to compare"):
        percent_agreement([[1, nan], [nan, 2]])
