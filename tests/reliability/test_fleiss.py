"""Fleiss' kappa against Fleiss (1971), Psychol Bull 76:378-382.

The worked example: 30 patients, each diagnosed by 6 psychiatrists into 5 categories
(depression, personality disorder, schizophrenia, neurosis, other). Fleiss reports
kappa = .430 and the category kappas .245, .245, .520, .471, .566. The z statistic
under kappa = 0 with the corrected variance (Fleiss, Nee and Landis 1979) is 17.7,
as printed by R's ``irr::kappam.fleiss`` on the same data (``irr::diagnoses``).
Wikipedia's "Fleiss' kappa" worked example (10 subjects, 14 raters) gives 0.210.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from neuroseq.reliability import ReliabilityError, counts_from_ratings, fleiss_kappa

DIAGNOSES = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]  # fmt: skip

WIKIPEDIA = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip


def test_fleiss_1971_psychiatric_diagnoses() -> None:
    table, categories = counts_from_ratings(DIAGNOSES)
    assert table.shape == (30, 5) and categories == (1, 2, 3, 4, 5)
    r = fleiss_kappa(
        table, ["depression", "personality disorder", "schizophrenia", "neurosis", "other"]
    )
    assert r.value == pytest.approx(0.430, abs=5e-4)
    assert r.category_kappas == pytest.approx((0.245, 0.245, 0.520, 0.471, 0.566), abs=5e-4)
    assert r.z == pytest.approx(17.7, abs=0.05)
    assert (r.n_subjects, r.n_raters) == (30, 6)
    assert r.ci_low is None and r.ci_high is None


def test_wikipedia_worked_example() -> None:
    assert fleiss_kappa(WIKIPEDIA).value == pytest.approx(0.210, abs=5e-4)


tables = arrays(int, st.tuples(st.integers(2, 15), st.integers(2, 5)), elements=st.integers(0, 4))


@settings(max_examples=60, deadline=None)
@given(tables)
def test_category_kappa_is_kappa_of_that_category_against_the_rest(t: np.ndarray) -> None:
    """Fleiss (1971): kappa_j is the overall kappa of the table collapsed to j vs not-j."""
    m = 4
    t = np.column_stack([t[:, :-1], m - t[:, :-1].sum(axis=1)])
    if (t < 0).any():
        return
    try:
        r = fleiss_kappa(t)
    except ReliabilityError:
        return
    for j, kappa_j in enumerate(r.category_kappas):
        if kappa_j is None:
            continue
        collapsed = np.column_stack([t[:, j], m - t[:, j]])
        assert kappa_j == pytest.approx(fleiss_kappa(collapsed).value)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([[2, 1], [1, 1]], "subject 2 has 2 ratings, subject 1 has 3"),
        ([[1, 0], [0, 1]], "at least 2 raters per subject"),
        ([[3, 0], [3, 0]], "one category"),
        ([[1.5, 1.5], [1, 2]], "whole, non-negative counts"),
    ],
)
def test_bad_tables(table: list, message: str) -> None:
    with pytest.raises(ReliabilityError) as exc:
        fleiss_kappa(table)
    assert message in str(exc.value)


def test_missing_raw_ratings_are_refused() -> None:
    with pytest.raises(ReliabilityError, match="subject\\(s\\) 2"):
        counts_from_ratings([[1, 2], [1, np.nan]])
