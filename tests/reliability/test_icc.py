"""ICC in the six Shrout-Fleiss forms against the published worked examples.

Shrout PE, Fleiss JL (1979) Intraclass correlations: uses in assessing rater
reliability. Psychol Bull 86:420-428, Table 2: 6 targets x 4 judges. The paper prints
ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44, ICC(2,4) .62, ICC(3,4) .91.
The confidence limits and F tests for the same matrix are those printed by R's
``psych::ICC`` (Revelle), which implements the paper's interval formulas, e.g. in the
RExRepos "interRaterICC" page: ICC1 [-0.133, 0.72], ICC2 [0.019, 0.76],
ICC3 [0.342, 0.95], ICC1k [-0.884, 0.91], ICC2k [0.071, 0.93], ICC3k [0.676, 0.99];
F = 1.79 on (5, 18) and 11.03 on (5, 15), p = 0.16477 and 0.00013 (DescTools::ICC).

McGraw KO, Wong SP (1996) Psychol Methods 1:30-46, Table 6 (10 targets x 2 measures),
with the limits printed by psych::ICC for it.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from neuroseq.reliability import FORMS, ReliabilityError, icc, resolve_form

SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]

# form: (value to 2 dp as printed in the paper, lower, upper, digits of the limits)
PUBLISHED = {
    "ICC1": (0.17, -0.133, 0.72),
    "ICC2": (0.29, 0.019, 0.76),
    "ICC3": (0.71, 0.342, 0.95),
    "ICC1k": (0.44, -0.884, 0.91),
    "ICC2k": (0.62, 0.071, 0.93),
    "ICC3k": (0.91, 0.676, 0.99),
}


@pytest.mark.parametrize("form", FORMS)
def test_shrout_fleiss_table_2(form: str) -> None:
    value, low, high = PUBLISHED[form]
    result = icc(SHROUT_FLEISS, form)
    assert round(result.value, 2) == pytest.approx(value)
    # psych prints the lower limit with 3 decimals and the upper one with 2
    assert result.ci_low == pytest.approx(low, abs=0.0005)
    assert result.ci_high == pytest.approx(high, abs=0.005)
    assert (result.n_targets, result.n_raters) == (6, 4)


def test_shrout_fleiss_f_tests() -> None:
    one_way = icc(SHROUT_FLEISS, "ICC1")
    two_way = icc(SHROUT_FLEISS, "ICC3")
    assert (one_way.f_value, one_way.df1, one_way.df2) == (pytest.approx(1.79, abs=0.005), 5, 18)
    assert one_way.p_value == pytest.approx(0.164769, abs=1e-6)
    assert (two_way.f_value, two_way.df1, two_way.df2) == (pytest.approx(11.03, abs=0.005), 5, 15)
    assert two_way.p_value == pytest.approx(0.000135, abs=1e-6)


MCGRAW_WONG_TABLE_6 = [
    [103, 119], [82, 65], [116, 106], [102, 102], [99, 105],
    [98, 100], [104, 107], [62, 85], [97, 101], [107, 110],
]  # fmt: skip


@pytest.mark.parametrize(
    ("form", "value", "low", "high"),
    [
        ("ICC1", 0.722, 0.241, 0.922),
        ("ICC2", 0.720, 0.228, 0.922),
        ("ICC3", 0.714, 0.197, 0.920),
        ("ICC1k", 0.838, 0.389, 0.959),
        ("ICC2k", 0.837, 0.371, 0.959),
        ("ICC3k", 0.833, 0.329, 0.959),
    ],
)
def test_mcgraw_wong_table_6(form: str, value: float, low: float, high: float) -> None:
    result = icc(MCGRAW_WONG_TABLE_6, form)
    assert (result.value, result.ci_low, result.ci_high) == (
        pytest.approx(value, abs=0.0005),
        pytest.approx(low, abs=0.0005),
        pytest.approx(high, abs=0.0005),
    )


@pytest.mark.parametrize(
    ("name", "form"),
    [("ICC(A,1)", "ICC2"), ("ICC(C,1)", "ICC3"), ("icc(a,k)", "ICC2k"), ("ICC(3,1)", "ICC3"),
     ("ICC(1)", "ICC1"), ("icc2k", "ICC2k")],
)  # fmt: skip
def test_mcgraw_wong_and_shrout_fleiss_names(name: str, form: str) -> None:
    assert resolve_form(name) == form
    assert icc(SHROUT_FLEISS, name).value == icc(SHROUT_FLEISS, form).value


def _cronbach_alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


varied = arrays(
    float,
    st.tuples(st.integers(3, 12), st.integers(2, 5)),
    elements=st.integers(0, 3).map(float),
).filter(lambda x: x.std(axis=1).sum() > 0 and x.mean(axis=1).std() > 0)


@settings(max_examples=60, deadline=None)
@given(varied)
def test_average_forms_follow_spearman_brown_and_icc3k_is_cronbach_alpha(x: np.ndarray) -> None:
    """ICC(1,k) is the Spearman-Brown step-up of ICC(1,1); ICC(3,k) equals Cronbach's alpha.

    Both relations are stated by Shrout and Fleiss (1979); alpha is computed here from
    its own definition (item and total variances), not from the ANOVA.
    """
    k = x.shape[1]
    single = icc(x, "ICC1").value
    assert icc(x, "ICC1k").value == pytest.approx(k * single / (1 + (k - 1) * single))
    assert icc(x, "ICC3k").value == pytest.approx(_cronbach_alpha(x))


@settings(max_examples=40, deadline=None)
@given(varied, st.floats(0.5, 3))
def test_rater_bias_lowers_absolute_agreement_not_consistency(x: np.ndarray, shift: float) -> None:
    x = x - x.mean(axis=0) + x.mean()  # raters share one mean: no bias yet
    if icc(x, "ICC2").value <= 0:
        return
    biased = x.copy()
    biased[:, 0] += shift
    assert icc(biased, "ICC3").value == pytest.approx(icc(x, "ICC3").value)
    assert icc(biased, "ICC2").value < icc(x, "ICC2").value + 1e-12


def test_perfect_agreement_is_one() -> None:
    x = [[0, 0], [1, 1], [3, 3]]
    for form in FORMS:
        r = icc(x, form)
        assert (r.value, r.ci_low, r.ci_high, r.p_value) == (pytest.approx(1.0), 1.0, 1.0, 0.0)


def test_pure_offset_has_a_value_and_no_interval() -> None:
    r = icc([[0, 1], [1, 2], [2, 3]], "ICC2")
    # MSR = 2, MSC = 1.5, MSE = 0: ICC2 = 2 / (2 + 2 * 1.5 / 3) = 2/3
    assert r.value == pytest.approx(2 / 3)
    assert r.ci_low is None and r.ci_high is None
    assert icc([[0, 1], [1, 2], [2, 3]], "ICC3").value == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ([[1], [2], [3]], "at least 2 raters"),
        ([[1, 2]], "at least 2 targets"),
        ([[1, 2], [2, np.nan], [3, 3]], "missing ratings in unit(s) 2"),
        ([[2, 2], [2, 2], [2, 2]], "undefined"),
        ([["a", 1], [2, 2]], "expected numbers"),
    ],
)
def test_bad_input_names_the_problem(ratings: object, message: str) -> None:
    with pytest.raises(ReliabilityError) as exc:
        icc(ratings, "ICC2")
    assert message in str(exc.value)


def test_constant_columns_are_named_when_icc3_is_undefined() -> None:
    with pytest.raises(ReliabilityError, match=r"A \(every rating 1\), B \(every rating 2\)"):
        icc([[1, 2], [1, 2], [1, 2]], "ICC3", rater_names=["A", "B"])


def test_unknown_form() -> None:
    with pytest.raises(ReliabilityError, match="form: unknown ICC form 'ICC4'"):
        icc(SHROUT_FLEISS, "ICC4")
