"""Cohen's kappa for two raters, unweighted or weighted, with its standard error and CI.

Cohen J (1960) A coefficient of agreement for nominal scales. Educational and
Psychological Measurement 20:37-46. Cohen J (1968) Weighted kappa. Psychological
Bulletin 70:213-220. Standard errors (the asymptotic variance, and the one under
kappa = 0 used for the z test) from Fleiss JL, Cohen J, Everitt BS (1969) Large sample
standard errors of kappa and weighted kappa. Psychological Bulletin 72:323-327, as
computed by statsmodels' ``inter_rater.cohens_kappa`` (the formulas of SAS PROC FREQ).

Weights are disagreement weights from the category *values*: linear |x - y| / range
(Cicchetti-Allison) or quadratic (x - y)^2 / range^2 (Fleiss-Cohen), so a scale with an
unused middle category is still weighted by distance. The CI is kappa +- z * SE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats
from statsmodels.stats.inter_rater import cohens_kappa as _sm_cohens_kappa

from neuroseq.reliability.errors import ReliabilityError

Weights = Literal["linear", "quadratic"]
WEIGHTS: tuple[Weights, ...] = ("linear", "quadratic")


@dataclass(frozen=True)
class KappaResult:
    value: float
    se: float
    ci_low: float
    ci_high: float
    se0: float  # standard error under kappa = 0
    z: float
    p_value: float  # two-sided, kappa = 0
    weights: Weights | None
    categories: tuple[float, ...]
    n: int
    observed_agreement: float  # exact, unweighted
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        return {
            "statistic": "kappa",
            "weights": self.weights or "none",
            "value": self.value,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "confidence": self.confidence,
            "se0": self.se0,
            "z": self.z,
            "p_value": self.p_value,
            "n": self.n,
            "categories": list(self.categories),
            "observed_agreement": self.observed_agreement,
        }


def _vector(values: Any, field: str) -> np.ndarray:
    try:
        array = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    except (TypeError, ValueError):
        raise ReliabilityError([f"{field}: expected numeric ratings"]) from None
    if array.ndim != 1:
        raise ReliabilityError([f"{field}: expected one rating per unit (a flat list)"])
    return array


def contingency(a: np.ndarray, b: np.ndarray, categories: Sequence[float]) -> np.ndarray:
    """Counts of (a == categories[i], b == categories[j]) pairs."""
    index = {float(c): i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    for x, y in zip(a, b, strict=True):
        table[index[float(x)], index[float(y)]] += 1
    return table


def _statsmodels(table: np.ndarray, **kwargs: Any) -> Any:
    # statsmodels divides by a zero null SE when agreement is perfect; we handle that.
    with np.errstate(divide="ignore", invalid="ignore"):
        return _sm_cohens_kappa(table, **kwargs)


def cohen_kappa(
    a: Sequence[Any],
    b: Sequence[Any],
    weights: Weights | None = None,
    *,
    categories: Sequence[float] | None = None,
    confidence: float = 0.95,
    names: tuple[str, str] = ("a", "b"),
) -> KappaResult:
    """Kappa of two raters' ratings of the same units (no missing ratings)."""
    if weights is not None and weights not in WEIGHTS:
        raise ReliabilityError(
            [f"weights: expected none, 'linear' or 'quadratic', got {weights!r}"]
        )
    if not 0 < confidence < 1:
        raise ReliabilityError([f"confidence: expected between 0 and 1, got {confidence}"])
    x, y = _vector(a, names[0]), _vector(b, names[1])
    if x.shape != y.shape:
        raise ReliabilityError(
            [f"{names[1]}: expected {x.shape[0]} ratings like {names[0]}, got {y.shape[0]}"]
        )
    if x.shape[0] < 2:
        raise ReliabilityError([f"{names[0]}: expected at least 2 rated units, got {x.shape[0]}"])
    gaps = np.flatnonzero(np.isnan(x) | np.isnan(y))
    if gaps.size:
        shown = ", ".join(str(int(i) + 1) for i in gaps[:10])
        raise ReliabilityError(
            [
                f"{names[0]}/{names[1]}: missing rating in unit(s) {shown}; Cohen's kappa needs "
                "both raters on every unit (drop those units, or use krippendorff_alpha)"
            ]
        )
    seen = sorted(set(x.tolist()) | set(y.tolist()))
    if categories is None:
        cats = seen
    else:
        cats = sorted(float(c) for c in categories)
        unknown = sorted(set(seen) - set(cats))
        if unknown:
            raise ReliabilityError(
                [
                    f"categories: ratings {', '.join(f'{u:g}' for u in unknown)} are not among "
                    f"the categories {', '.join(f'{c:g}' for c in cats)}"
                ]
            )
    if len(cats) < 2:
        raise ReliabilityError(
            [
                f"{names[0]}/{names[1]}: both raters gave every unit the same rating "
                f"({cats[0]:g}); kappa is undefined when chance agreement is certain"
            ]
        )
    table = contingency(x, y, cats)
    n = int(table.sum())
    p_row, p_col = table.sum(axis=1) / n, table.sum(axis=0) / n
    if weights is None:
        chance = float(p_row @ p_col)
        undefined = chance >= 1 - 1e-12
        result = None if undefined else _statsmodels(table)
    else:
        scores = np.asarray(cats)
        distance = np.abs(scores[:, None] - scores[None, :])
        if weights == "quadratic":
            distance = distance**2
        undefined = float((np.outer(p_row, p_col) * distance).sum()) <= 1e-12
        result = None if undefined else _statsmodels(table, weights=scores, wt=weights)
    if result is None:
        raise ReliabilityError(
            [
                f"{names[0]}/{names[1]}: kappa is undefined: each rater used a single category, "
                "so agreement by chance alone is complete"
            ]
        )
    se = float(np.sqrt(max(float(result.var_kappa), 0.0)))
    z_crit = float(stats.norm.ppf(1 - (1 - confidence) / 2))
    value = float(result.kappa)
    se0 = float(np.sqrt(max(float(result.var_kappa0), 0.0)))
    z = value / se0 if se0 > 0 else float("nan")
    return KappaResult(
        value=value,
        se=se,
        ci_low=value - z_crit * se,
        ci_high=value + z_crit * se,
        se0=se0,
        z=z,
        p_value=float(2 * stats.norm.sf(abs(z))) if se0 > 0 else float("nan"),
        weights=weights,
        categories=tuple(float(c) for c in cats),
        n=n,
        observed_agreement=float(np.trace(table) / n),
        confidence=confidence,
    )
