"""Least squares from sufficient statistics: coefficients, CIs, standardised coefficients.

With the means and centred cross-products of predictors X and outcome y (see
:mod:`neuroseq.cohort.moments`), ordinary least squares with an intercept is

    b = Sxx^-1 Sxy,  a = mean(y) - mean(x)' b,  SSE = Syy - Sxy' b,  s^2 = SSE / (n - p - 1)
    Var(b) = s^2 Sxx^-1,  Var(a) = s^2 (1/n + mean(x)' Sxx^-1 mean(x))

the same numbers statsmodels' ``OLS`` gives on the raw rows (tested), without keeping
the rows. Standardised coefficients are b x sd(x) / sd(y), their CIs the CIs of b on
the same scale. Degenerate data (n too small, a predictor that never varies, predictors
that are (nearly) linear combinations of each other) raise :class:`CohortError` with a
plain message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from neuroseq.cohort.errors import CohortError
from neuroseq.cohort.moments import Moments

CONDITION_LIMIT = 1e10  # of the predictors' correlation matrix: beyond it they are collinear
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Coefficient:
    name: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    standardised: float | None  # None for the intercept
    standardised_ci_low: float | None
    standardised_ci_high: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "estimate": self.estimate,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "standardised": self.standardised,
            "standardised_ci_low": self.standardised_ci_low,
            "standardised_ci_high": self.standardised_ci_high,
        }


@dataclass(frozen=True)
class OlsFit:
    outcome: str
    n: int
    r_squared: float
    adjusted_r_squared: float
    residual_sd: float
    intercept: Coefficient
    coefficients: tuple[Coefficient, ...]
    notes: tuple[str, ...] = ()
    labels: Mapping[str, str] | None = None

    def coefficient(self, name: str) -> Coefficient:
        for c in self.coefficients:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "n": self.n,
            "r_squared": self.r_squared,
            "adjusted_r_squared": self.adjusted_r_squared,
            "residual_sd": self.residual_sd,
            "intercept": self.intercept.to_dict(),
            "coefficients": [c.to_dict() for c in self.coefficients],
            "notes": list(self.notes),
        }


def _label(name: str, labels: Mapping[str, str] | None) -> str:
    return (labels or {}).get(name, name)


def check_predictors(
    m: Moments, predictors: Sequence[str], outcome: str, labels: Mapping[str, str] | None = None
) -> None:
    """Raise :class:`CohortError` for data no least-squares fit can be trusted on."""
    p = len(predictors)
    if m.n < p + 2 or m.n < 3:
        raise CohortError(
            [
                f"too few children: the model of {_label(outcome, labels)} on {p} predictor(s) "
                f"needs at least {max(p + 2, 3)} children with every value present, got {m.n}"
            ]
        )
    sd = m.sd()
    problems = []
    for name in [*predictors, outcome]:
        if sd[m.index(name)] <= 1e-12 * max(1.0, abs(m.mean[m.index(name)])):
            problems.append(
                f"{_label(name, labels)} is constant (every child {m.mean[m.index(name)]:.4g}): "
                "it cannot predict or be predicted"
            )
    if problems:
        raise CohortError(problems)
    if p > 1:
        idx = [m.index(x) for x in predictors]
        cov = m.covariance()[np.ix_(idx, idx)]
        corr = cov / np.outer(sd[idx], sd[idx])
        if np.linalg.cond(corr) > CONDITION_LIMIT:
            flat = np.unravel_index(np.argmax(np.abs(corr - np.eye(p))), corr.shape)
            i, j = int(flat[0]), int(flat[1])
            raise CohortError(
                [
                    f"the predictors are collinear (one is a linear combination of others), e.g. "
                    f"{_label(predictors[i], labels)} and {_label(predictors[j], labels)} "
                    f"correlate {corr[i, j]:.3f}; drop one of them"
                ]
            )


def fit_ols(
    m: Moments,
    predictors: Sequence[str],
    outcome: str,
    *,
    labels: Mapping[str, str] | None = None,
    confidence: float = CONFIDENCE,
    notes: Sequence[str] = (),
) -> OlsFit:
    """OLS of ``outcome`` on ``predictors`` (with an intercept) from accumulated moments."""
    check_predictors(m, predictors, outcome, labels)
    idx = [m.index(x) for x in predictors]
    iy = m.index(outcome)
    sxx = m.comoment[np.ix_(idx, idx)]
    sxy = m.comoment[idx, iy]
    syy = m.comoment[iy, iy]
    inverse = np.linalg.inv(sxx)
    b = inverse @ sxy
    n, p = m.n, len(predictors)
    sse = max(float(syy - sxy @ b), 0.0)
    df = n - p - 1
    s2 = sse / df
    se = np.sqrt(np.maximum(np.diag(inverse) * s2, 0.0))
    mean_x = m.mean[idx]
    intercept = float(m.mean[iy] - mean_x @ b)
    se_intercept = float(np.sqrt(s2 * (1.0 / n + mean_x @ inverse @ mean_x)))
    t_crit = float(stats.t.ppf(1 - (1 - confidence) / 2, df))
    sd = m.sd()
    sd_y = sd[iy]

    def p_of(estimate: float, error: float) -> float:
        if error == 0:
            return 0.0
        return float(2 * stats.t.sf(abs(estimate / error), df))

    coefficients = []
    for j, name in enumerate(predictors):
        scale = sd[idx[j]] / sd_y
        low, high = b[j] - t_crit * se[j], b[j] + t_crit * se[j]
        coefficients.append(
            Coefficient(
                name=name,
                estimate=float(b[j]),
                se=float(se[j]),
                ci_low=float(low),
                ci_high=float(high),
                p_value=p_of(float(b[j]), float(se[j])),
                standardised=float(b[j] * scale),
                standardised_ci_low=float(low * scale),
                standardised_ci_high=float(high * scale),
            )
        )
    r2 = 1 - sse / syy
    return OlsFit(
        outcome=outcome,
        n=n,
        r_squared=float(r2),
        adjusted_r_squared=float(1 - (1 - r2) * (n - 1) / df),
        residual_sd=float(np.sqrt(s2)),
        intercept=Coefficient(
            "intercept",
            intercept,
            se_intercept,
            intercept - t_crit * se_intercept,
            intercept + t_crit * se_intercept,
            p_of(intercept, se_intercept),
            None,
            None,
            None,
        ),
        coefficients=tuple(coefficients),
        notes=tuple(notes),
        labels=labels,
    )


@dataclass(frozen=True)
class LineFit:
    """The least-squares line of y on x with its 95% confidence band for the mean."""

    x: str
    y: str
    n: int
    slope: float
    slope_ci_low: float
    slope_ci_high: float
    slope_p_value: float
    intercept: float
    r: float
    residual_sd: float
    mean_x: float
    sxx: float  # centred sum of squares of x
    t_crit: float
    x_min: float | None = None
    x_max: float | None = None

    def predict(self, x: np.ndarray | float) -> np.ndarray:
        return self.intercept + self.slope * np.asarray(x, dtype=float)

    def band(self, x: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper 95% limits of the fitted mean at ``x``."""
        x = np.asarray(x, dtype=float)
        half = (
            self.t_crit * self.residual_sd * np.sqrt(1 / self.n + (x - self.mean_x) ** 2 / self.sxx)
        )
        fitted = self.predict(x)
        return fitted - half, fitted + half

    def to_dict(self) -> dict[str, Any]:
        return {
            "x": self.x,
            "y": self.y,
            "n": self.n,
            "slope": self.slope,
            "slope_ci_low": self.slope_ci_low,
            "slope_ci_high": self.slope_ci_high,
            "slope_p_value": self.slope_p_value,
            "intercept": self.intercept,
            "r": self.r,
            "r_squared": self.r**2,
            "residual_sd": self.residual_sd,
        }


def fit_line(m: Moments, x: str, y: str, *, labels: Mapping[str, str] | None = None) -> LineFit:
    fit = fit_ols(m, [x], y, labels=labels)
    slope = fit.coefficients[0]
    ix, iy = m.index(x), m.index(y)
    r = m.comoment[ix, iy] / np.sqrt(m.comoment[ix, ix] * m.comoment[iy, iy])
    return LineFit(
        x=x,
        y=y,
        n=fit.n,
        slope=slope.estimate,
        slope_ci_low=slope.ci_low,
        slope_ci_high=slope.ci_high,
        slope_p_value=slope.p_value,
        intercept=fit.intercept.estimate,
        r=float(r),
        residual_sd=fit.residual_sd,
        mean_x=float(m.mean[ix]),
        sxx=float(m.comoment[ix, ix]),
        t_crit=float(stats.t.ppf(1 - (1 - CONFIDENCE) / 2, fit.n - 2)),
    )
