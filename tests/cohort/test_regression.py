"""Least squares from streamed sufficient statistics.

Oracle 1, a published example: Anscombe FJ (1973) Graphs in statistical analysis.
The American Statistician 27:17-21. All four of his data sets have the fitted line
y = 3.00 + 0.500 x and r = 0.816 (to the printed precision); statsmodels' OLS gives the
same, and so does our streaming fit whatever the chunking.
Oracle 2: statsmodels' OLS on raw rows (coefficients, SEs, CIs, R^2, standardised
coefficients from z-scored rows) for generated data.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from neuroseq.cohort.errors import CohortError
from neuroseq.cohort.moments import Moments
from neuroseq.cohort.regression import fit_line, fit_ols

ANSCOMBE_X = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
ANSCOMBE_X4 = [8, 8, 8, 8, 8, 8, 8, 19, 8, 8, 8]
ANSCOMBE_Y = {
    "I": [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68],
    "II": [9.14, 8.14, 8.74, 8.77, 9.26, 8.10, 6.13, 3.10, 9.13, 7.26, 4.74],
    "III": [7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73],
    "IV": [6.58, 5.76, 7.71, 8.84, 8.47, 7.04, 5.25, 12.50, 5.56, 7.91, 6.89],
}


@pytest.mark.parametrize("name", list(ANSCOMBE_Y))
def test_anscombe_quartet(name: str) -> None:
    x = np.asarray(ANSCOMBE_X4 if name == "IV" else ANSCOMBE_X, float)
    y = np.asarray(ANSCOMBE_Y[name])
    reference = sm.OLS(y, sm.add_constant(x)).fit()
    assert reference.params == pytest.approx([3.00, 0.500], abs=0.005)
    assert np.sqrt(reference.rsquared) == pytest.approx(0.816, abs=0.001)
    m = Moments(("x", "y"))
    m.add([x[:3], y[:3]])
    m.add([x[3:], y[3:]])
    line = fit_line(m, "x", "y")
    assert (line.intercept, line.slope) == (
        pytest.approx(3.00, abs=0.005),
        pytest.approx(0.500, abs=0.0005),
    )
    assert line.r == pytest.approx(0.816, abs=0.001)
    low, high = reference.conf_int()[1]
    assert (line.slope_ci_low, line.slope_ci_high) == (pytest.approx(low), pytest.approx(high))


def _generated(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal([50, 60, 40], [20, 15, 25], size=(n, 3))
    y = 80 - 0.4 * x[:, 0] + 0.2 * x[:, 1] + 0.1 * x[:, 2] + rng.normal(0, 10, n)
    return x, y


@settings(max_examples=25, deadline=None)
@given(st.integers(10, 400), st.integers(0, 10_000), st.integers(1, 97))
def test_streamed_fit_equals_statsmodels_on_the_rows(n: int, seed: int, chunk: int) -> None:
    x, y = _generated(n, seed)
    m = Moments(("a", "b", "c", "y"))
    for start in range(0, n, chunk):
        part = slice(start, start + chunk)
        m.add([x[part, 0], x[part, 1], x[part, 2], y[part]])
    fit = fit_ols(m, ["a", "b", "c"], "y")
    reference = sm.OLS(y, sm.add_constant(x)).fit()
    ours = [fit.intercept, *fit.coefficients]
    assert [c.estimate for c in ours] == pytest.approx(list(reference.params), rel=1e-7, abs=1e-9)
    assert [c.se for c in ours] == pytest.approx(list(reference.bse), rel=1e-6)
    assert [c.ci_low for c in ours] == pytest.approx(
        list(reference.conf_int()[:, 0]), rel=1e-6, abs=1e-9
    )
    assert [c.p_value for c in ours] == pytest.approx(list(reference.pvalues), rel=1e-5, abs=1e-12)
    assert fit.r_squared == pytest.approx(reference.rsquared, rel=1e-9)
    assert fit.n == n
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    standardised = sm.OLS((y - y.mean()) / y.std(ddof=1), sm.add_constant(z)).fit()
    assert [c.standardised for c in fit.coefficients] == pytest.approx(
        list(standardised.params[1:]), rel=1e-6, abs=1e-9
    )
    assert [c.standardised_ci_high for c in fit.coefficients] == pytest.approx(
        list(standardised.conf_int()[1:, 1]), rel=1e-6, abs=1e-9
    )


def test_rows_with_a_gap_are_left_out() -> None:
    m = Moments(("x", "y"))
    m.add([np.asarray([1.0, 2.0, np.nan, 4.0]), np.asarray([2.0, 4.0, 5.0, np.nan])])
    assert m.n == 2 and m.mean == pytest.approx([1.5, 3.0])


def test_degenerate_data_get_plain_messages() -> None:
    small = Moments(("x", "y"))
    small.add([np.asarray([1.0, 2.0]), np.asarray([3.0, 1.0])])
    with pytest.raises(CohortError, match="too few children: .* at least 3 children .* got 2"):
        fit_line(small, "x", "y")
    constant = Moments(("x", "y"))
    constant.add([np.full(10, 40.0), np.arange(10.0)])
    with pytest.raises(CohortError, match="Challenges is constant \\(every child 40\\)"):
        fit_line(constant, "x", "y", labels={"x": "Challenges"})
    collinear = Moments(("a", "b", "y"))
    a = np.arange(20.0)
    collinear.add([a, 2 * a + 1, np.sin(a)])
    with pytest.raises(CohortError, match="collinear.*a and b correlate 1.000"):
        fit_ols(collinear, ["a", "b"], "y")
