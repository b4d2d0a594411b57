"""Below the line vs above it: is poorer relational health where function falls short?

The seed's observation: across children, functioning falls as developmental challenges
rise, and the children below the line had poorer relational health, those above it
more protective relationships. For each relational measure this compares the children
whose functioning is below the fitted line (negative residual) with those above it:

- difference of means (above - below) with the Welch 95% CI;
- Cohen's d with the pooled SD, its approximate CI (Hedges and Olkin 1985:
  se = sqrt((n1 + n2) / (n1 n2) + d^2 / (2 (n1 + n2))));
- the correlation of the residual with the relational measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from neuroseq.cohort.moments import Moments


@dataclass(frozen=True)
class GroupComparison:
    measure: str
    n_below: int
    n_above: int
    mean_below: float
    mean_above: float
    difference: float  # above - below
    ci_low: float
    ci_high: float
    p_value: float
    cohens_d: float
    d_ci_low: float
    d_ci_high: float
    residual_correlation: float

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _group_stats(m: Moments) -> tuple[int, float, float]:
    return m.n, float(m.mean[0]), float(m.comoment[0, 0] / (m.n - 1)) if m.n > 1 else 0.0


def compare_groups(
    measure: str, below: Moments, above: Moments, residual_correlation: float
) -> GroupComparison | None:
    """None when a group has fewer than two children (no variance to compare)."""
    n1, m1, v1 = _group_stats(below)
    n2, m2, v2 = _group_stats(above)
    if n1 < 2 or n2 < 2:
        return None
    difference = m2 - m1
    se = float(np.sqrt(v1 / n1 + v2 / n2))
    if se > 0:
        df = (v1 / n1 + v2 / n2) ** 2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
        t_crit = float(stats.t.ppf(0.975, df))
        p_value = float(2 * stats.t.sf(abs(difference / se), df))
    else:
        t_crit, p_value = 0.0, 0.0 if difference else 1.0
    pooled = float(np.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)))
    d = difference / pooled if pooled > 0 else 0.0
    se_d = float(np.sqrt((n1 + n2) / (n1 * n2) + d**2 / (2 * (n1 + n2))))
    return GroupComparison(
        measure=measure,
        n_below=n1,
        n_above=n2,
        mean_below=m1,
        mean_above=m2,
        difference=difference,
        ci_low=difference - t_crit * se,
        ci_high=difference + t_crit * se,
        p_value=p_value,
        cohens_d=d,
        d_ci_low=d - 1.96 * se_d,
        d_ci_high=d + 1.96 * se_d,
        residual_correlation=residual_correlation,
    )


def residual_correlation(m: Moments, x: str, y: str, h: str, slope: float) -> float:
    """corr(y - slope x, h) from the moments of (x, y, h): exact, no second pass."""
    ix, iy, ih = m.index(x), m.index(y), m.index(h)
    c = m.comoment
    cov = c[iy, ih] - slope * c[ix, ih]
    var_res = c[iy, iy] - 2 * slope * c[ix, iy] + slope**2 * c[ix, ix]
    if var_res <= 0 or c[ih, ih] <= 0:
        return float("nan")
    return float(cov / np.sqrt(var_res * c[ih, ih]))
