"""Fleiss' kappa: agreement of many raters on nominal categories.

Fleiss JL (1971) Measuring nominal scale agreement among many raters. Psychological
Bulletin 76:378-382. ``table`` is subjects x categories: the number of raters who put
each subject in each category (every subject rated by the same number of raters, who
need not be the same people). The value is computed by statsmodels'
``inter_rater.fleiss_kappa``. Its standard error under kappa = 0 (for the z test) is
that of Fleiss, Nee and Landis (1979, Psychological Bulletin 86:974-977), as given in
Fleiss, Levin and Paik (2003) Statistical Methods for Rates and Proportions, 3rd ed.:

    se0 = sqrt(2) / (sum p_j q_j sqrt(n m (m-1))) * sqrt((sum p_j q_j)^2 - sum p_j q_j (q_j - p_j))

and the kappa of each category j (Fleiss 1971):

    kappa_j = 1 - sum_i x_ij (m - x_ij) / (n m (m-1) p_j q_j)

No confidence interval is given: the published variance holds only under kappa = 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from statsmodels.stats.inter_rater import fleiss_kappa as _sm_fleiss_kappa

from neuroseq.reliability.errors import ReliabilityError
from neuroseq.reliability.matrix import as_matrix


@dataclass(frozen=True)
class FleissKappaResult:
    value: float
    se0: float
    z: float
    p_value: float
    n_subjects: int
    n_raters: int
    categories: tuple[str, ...]
    category_kappas: tuple[float | None, ...]
    ci_low: None = None
    ci_high: None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "statistic": "fleiss",
            "value": self.value,
            "se0": self.se0,
            "z": self.z,
            "p_value": self.p_value,
            "n_subjects": self.n_subjects,
            "n_raters": self.n_raters,
            "category_kappas": dict(zip(self.categories, self.category_kappas, strict=True)),
            "ci_low": None,
            "ci_high": None,
        }


def counts_from_ratings(
    ratings: Any, categories: Sequence[float] | None = None
) -> tuple[np.ndarray, tuple[float, ...]]:
    """Subjects x raters ratings (complete) -> subjects x categories count table."""
    x = as_matrix(ratings, "ratings", rows="subjects", cols="raters")
    if np.isnan(x).any():
        rows = np.flatnonzero(np.isnan(x).any(axis=1))
        raise ReliabilityError(
            [
                f"ratings: missing ratings in subject(s) {_numbers(rows)}; "
                "Fleiss' kappa needs the same number of ratings for every subject "
                "(use krippendorff_alpha for gaps)"
            ]
        )
    cats = tuple(sorted(set(x.ravel().tolist()) | set(categories or ())))
    table = np.stack([(x == c).sum(axis=1) for c in cats], axis=1).astype(float)
    return table, cats


def _numbers(rows: np.ndarray) -> str:
    return ", ".join(str(int(r) + 1) for r in rows[:10])


def fleiss_kappa(table: Any, categories: Sequence[str] | None = None) -> FleissKappaResult:
    """Fleiss' kappa of a subjects x categories count table."""
    t = as_matrix(table, "table", rows="subjects", cols="categories")
    names = (
        tuple(categories)
        if categories is not None
        else tuple(f"category {j + 1}" for j in range(t.shape[1]))
    )
    if len(names) != t.shape[1]:
        raise ReliabilityError(
            [f"categories: expected {t.shape[1]} names (one per column), got {len(names)}"]
        )
    if np.isnan(t).any() or (t < 0).any() or not np.all(t == np.round(t)):
        raise ReliabilityError(["table: expected whole, non-negative counts in every cell"])
    if t.shape[0] < 2:
        raise ReliabilityError([f"table: expected at least 2 subjects, got {t.shape[0]}"])
    per_subject = t.sum(axis=1)
    m = int(per_subject[0])
    uneven = np.flatnonzero(per_subject != m)
    if uneven.size:
        raise ReliabilityError(
            [
                f"table: subject {int(uneven[0]) + 1} has {int(per_subject[uneven[0]])} ratings, "
                f"subject 1 has {m}; Fleiss' kappa needs the same number of raters per subject"
            ]
        )
    if m < 2:
        raise ReliabilityError(
            [
                f"table: expected at least 2 raters per subject, got {m}; agreement needs "
                "two or more raters"
            ]
        )
    n = t.shape[0]
    p = t.sum(axis=0) / (n * m)
    q = 1 - p
    pq = p * q
    if pq.sum() <= 0:
        raise ReliabilityError(
            [
                "table: every rating falls in one category; Fleiss' kappa is undefined when "
                "chance agreement is certain"
            ]
        )
    value = float(_sm_fleiss_kappa(t, method="fleiss"))
    se0 = float(
        np.sqrt(2)
        / (pq.sum() * np.sqrt(n * m * (m - 1)))
        * np.sqrt(pq.sum() ** 2 - (pq * (q - p)).sum())
    )
    z = value / se0
    with np.errstate(invalid="ignore", divide="ignore"):
        per_category = 1 - (t * (m - t)).sum(axis=0) / (n * m * (m - 1) * pq)
    return FleissKappaResult(
        value=value,
        se0=se0,
        z=z,
        p_value=float(2 * stats.norm.sf(abs(z))),
        n_subjects=n,
        n_raters=m,
        categories=names,
        category_kappas=tuple(
            None if pq[j] == 0 else float(per_category[j]) for j in range(t.shape[1])
        ),
    )
