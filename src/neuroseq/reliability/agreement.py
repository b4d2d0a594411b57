"""Percent agreement among raters: exact, and within one level.

For each unit, every pair of raters who both rated it is compared; agreement is the
share of those pairs that agree (exactly, or by at most one level), pooled over units.
With two raters and no gaps this is the plain share of units rated alike. It is not
corrected for chance (use kappa or alpha for that); it is reported because it is what
a staffing lead can check by eye.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from neuroseq.reliability.errors import ReliabilityError
from neuroseq.reliability.matrix import as_matrix, require_raters


@dataclass(frozen=True)
class AgreementResult:
    value: float  # exact agreement, 0-1
    within_one: float  # agreement within one level, 0-1
    n_pairs: int
    n_units: int
    ci_low: None = None
    ci_high: None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "statistic": "agreement",
            "value": self.value,
            "exact_percent": 100 * self.value,
            "within_one": self.within_one,
            "within_one_percent": 100 * self.within_one,
            "n_pairs": self.n_pairs,
            "n_units": self.n_units,
        }


def percent_agreement(ratings: Any, *, tolerance: float = 1.0) -> AgreementResult:
    """Agreement of ``ratings`` (units x raters, NaN = missing)."""
    x = as_matrix(ratings, "ratings", rows="units", cols="raters")
    require_raters(x.shape[1], "ratings")
    exact = near = pairs = 0
    units = 0
    k = x.shape[1]
    for i in range(k):
        for j in range(i + 1, k):
            both = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
            diff = np.abs(x[both, i] - x[both, j])
            exact += int((diff == 0).sum())
            near += int((diff <= tolerance).sum())
            pairs += int(both.sum())
    units = int(((~np.isnan(x)).sum(axis=1) >= 2).sum())
    if pairs == 0:
        raise ReliabilityError(
            ["ratings: no unit was rated by two or more raters; nothing to compare"]
        )
    return AgreementResult(
        value=exact / pairs, within_one=near / pairs, n_pairs=pairs, n_units=units
    )
