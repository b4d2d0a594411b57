"""Cohen's kappa and weighted kappa with Fleiss-Cohen-Everitt (1969) standard errors.

Worked example: SAS/STAT PROC FREQ documentation, "Agreement Study" (skin condition
of 88 patients rated by two dermatologists on terrible / poor / marginal / clear):
simple kappa 0.3449, ASE 0.0724, 95% limits 0.2030-0.4868. SAS computes the ASE with
the Fleiss, Cohen and Everitt (1969) formula.

Second example, a 3 x 3 SAS printout reproduced in statsmodels' test suite
(table [[0,4,1],[0,8,0],[0,1,5]]): simple kappa 0.4842, ASE 0.1380, limits 0.2137-0.7547,
ASE under H0 0.1484, Z 3.2626; weighted (linear) 0.4701, ASE 0.1457, limits
0.1845-0.7558, ASE under H0 0.1426, Z 3.2971.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuroseq.reliability import ReliabilityError, cohen_kappa

SKIN = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]
SAS_3X3 = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]


def ratings_from_table(table: list[list[int]]) -> tuple[list[int], list[int]]:
    a: list[int] = []
    b: list[int] = []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return a, b


def test_sas_skin_condition_simple_kappa() -> None:
    r = cohen_kappa(*ratings_from_table(SKIN))
    assert r.n == 88
    assert r.value == pytest.approx(0.3449, abs=5e-5)
    assert r.se == pytest.approx(0.0724, abs=5e-5)
    assert (r.ci_low, r.ci_high) == (
        pytest.approx(0.2030, abs=5e-5),
        pytest.approx(0.4868, abs=5e-5),
    )


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        (None, (0.4842, 0.1380, 0.2137, 0.7547, 0.1484, 3.2626)),
        ("linear", (0.4701, 0.1457, 0.1845, 0.7558, 0.1426, 3.2971)),
    ],
)
def test_sas_3x3_with_test_of_zero(weights: str | None, expected: tuple[float, ...]) -> None:
    r = cohen_kappa(*ratings_from_table(SAS_3X3), weights=weights)  # type: ignore[arg-type]
    got = (r.value, r.se, r.ci_low, r.ci_high, r.se0, r.z)
    assert got == pytest.approx(expected, abs=5e-5)


pairs = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=3, max_size=60).filter(
    lambda p: (
        len({x for x, _ in p} | {y for _, y in p}) > 1
        and not (len({x for x, _ in p}) == 1 and len({y for _, y in p}) == 1)
    )
)


@settings(max_examples=80, deadline=None)
@given(pairs)
def test_quadratic_kappa_is_the_concordance_correlation(p: list[tuple[int, int]]) -> None:
    """Quadratic-weighted kappa on integer scores equals 2 s_xy / (s_x^2 + s_y^2 + (mx - my)^2)
    with 1/n moments (Fleiss and Cohen 1973; Lin's concordance correlation)."""
    x = np.asarray([a for a, _ in p], float)
    y = np.asarray([b for _, b in p], float)
    ccc_den = x.var() + y.var() + (x.mean() - y.mean()) ** 2
    if ccc_den == 0:
        return
    ccc = 2 * ((x - x.mean()) * (y - y.mean())).mean() / ccc_den
    assert cohen_kappa(x, y, "quadratic", categories=[0, 1, 2, 3]).value == pytest.approx(ccc)


@settings(max_examples=50, deadline=None)
@given(pairs)
def test_kappa_is_symmetric_in_the_raters(p: list[tuple[int, int]]) -> None:
    a = [x for x, _ in p]
    b = [y for _, y in p]
    for weights in (None, "linear", "quadratic"):
        one = cohen_kappa(a, b, weights, categories=[0, 1, 2, 3])  # type: ignore[arg-type]
        two = cohen_kappa(b, a, weights, categories=[0, 1, 2, 3])  # type: ignore[arg-type]
        assert one.value == pytest.approx(two.value)
        assert one.se == pytest.approx(two.se, abs=1e-6, nan_ok=True)


def test_unused_middle_category_keeps_its_distance() -> None:
    """Linear weights come from the category values, so 0 vs 3 is a full-range miss
    even when nobody used 1 or 2."""
    a, b = [0, 0, 3, 3, 0], [0, 3, 3, 3, 0]
    assert cohen_kappa(a, b, "linear").value == pytest.approx(
        cohen_kappa(a, b, "linear", categories=[0, 1, 2, 3]).value
    )


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "message"),
    [
        ([1, 2, None], [1, 2, 3], {}, "missing rating in unit(s) 3"),
        ([1, 2], [1, 2, 3], {}, "expected 2 ratings"),
        ([2, 2, 2], [2, 2, 2], {}, "same rating"),
        ([2, 2, 2], [2, 2, 2], {"categories": [0, 1, 2, 3]}, "undefined"),
        ([1, 2, 3], [1, 2, 3], {"weights": "cubic"}, "weights: expected"),
        ([1, 2, 5], [1, 2, 3], {"categories": [1, 2, 3]}, "ratings 5 are not among"),
    ],
)
def test_bad_input(a: list, b: list, kwargs: dict, message: str) -> None:
    with pytest.raises(ReliabilityError) as exc:
        cohen_kappa(a, b, **kwargs)
    assert message in str(exc.value)
