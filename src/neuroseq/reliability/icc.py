"""Intraclass correlation in the six Shrout-Fleiss forms, with 95% confidence intervals.

Shrout PE, Fleiss JL (1979) Intraclass correlations: uses in assessing rater
reliability. Psychological Bulletin 86:420-428. Confidence intervals as given there
(ICC2 by the Satterthwaite approximation of Fleiss and Shrout 1978, Psychometrika
43:259-262), the same formulas as R's ``psych::ICC``.

``ratings`` is targets (rows) x raters (columns). From the two-way ANOVA without
replication (n targets, k raters):

    MSR between targets, MSW within targets, MSC between raters, MSE residual

    ICC1  = (MSR - MSW) / (MSR + (k-1) MSW)                    one-way random, single
    ICC2  = (MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE)/n)  two-way random, absolute
    ICC3  = (MSR - MSE) / (MSR + (k-1) MSE)                    two-way mixed, consistency
    ICC1k = (MSR - MSW) / MSR
    ICC2k = (MSR - MSE) / (MSR + (MSC - MSE)/n)
    ICC3k = (MSR - MSE) / MSR

McGraw KO, Wong SP (1996) Forming inferences about some intraclass correlation
coefficients. Psychological Methods 1:30-46, name the same numbers differently;
``icc`` accepts their names too: ICC(1) = ICC1, ICC(A,1) = ICC2, ICC(C,1) = ICC3,
ICC(k) = ICC1k, ICC(A,k) = ICC2k, ICC(C,k) = ICC3k (their mixed-model absolute
agreement coefficient has the same estimate as ICC2), and the Shrout-Fleiss
"ICC(2,1)" spelling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats

from neuroseq.reliability.errors import ReliabilityError
from neuroseq.reliability.matrix import (
    as_matrix,
    constant_raters,
    label_raters,
    require_complete,
    require_raters,
)

IccForm = Literal["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
FORMS: tuple[IccForm, ...] = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")

ALIASES: dict[str, IccForm] = {
    **{f.upper(): f for f in FORMS},
    "ICC(1,1)": "ICC1",
    "ICC(2,1)": "ICC2",
    "ICC(3,1)": "ICC3",
    "ICC(1,K)": "ICC1k",
    "ICC(2,K)": "ICC2k",
    "ICC(3,K)": "ICC3k",
    "ICC(1)": "ICC1",
    "ICC(K)": "ICC1k",
    "ICC(A,1)": "ICC2",
    "ICC(C,1)": "ICC3",
    "ICC(A,K)": "ICC2k",
    "ICC(C,K)": "ICC3k",
}

DESCRIPTIONS: dict[IccForm, str] = {
    "ICC1": "one-way random effects, single rater",
    "ICC2": "two-way random effects, absolute agreement, single rater",
    "ICC3": "two-way mixed effects, consistency, single rater",
    "ICC1k": "one-way random effects, mean of k raters",
    "ICC2k": "two-way random effects, absolute agreement, mean of k raters",
    "ICC3k": "two-way mixed effects, consistency, mean of k raters",
}


@dataclass(frozen=True)
class IccResult:
    form: IccForm
    value: float
    ci_low: float | None
    ci_high: float | None
    f_value: float
    df1: float
    df2: float
    p_value: float
    n_targets: int
    n_raters: int
    confidence: float = 0.95

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.form]

    def to_dict(self) -> dict[str, Any]:
        return {
            "statistic": "icc",
            "form": self.form,
            "description": self.description,
            "value": self.value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "confidence": self.confidence,
            "f_value": self.f_value,
            "df1": self.df1,
            "df2": self.df2,
            "p_value": self.p_value,
            "n_targets": self.n_targets,
            "n_raters": self.n_raters,
        }


def resolve_form(form: str) -> IccForm:
    """The Shrout-Fleiss name of ``form`` (any accepted spelling), or a clear error."""
    key = form.strip().upper().replace(" ", "")
    if key in ALIASES:
        return ALIASES[key]
    accepted = ", ".join([*FORMS, "ICC(A,1)", "ICC(C,1)", "ICC(A,k)", "ICC(C,k)", "ICC(2,1)"])
    raise ReliabilityError([f"form: unknown ICC form {form!r}; expected one of {accepted}"])


@dataclass(frozen=True)
class _Anova:
    n: int
    k: int
    msr: float  # between targets
    msw: float  # within targets (one-way)
    msc: float  # between raters
    mse: float  # residual


def _anova(x: np.ndarray) -> _Anova:
    n, k = x.shape
    grand = x.mean()
    row_means = x.mean(axis=1)
    col_means = x.mean(axis=0)
    ss_rows = k * float(((row_means - grand) ** 2).sum())
    ss_cols = n * float(((col_means - grand) ** 2).sum())
    ss_total = float(((x - grand) ** 2).sum())
    ss_within = ss_total - ss_rows
    ss_error = ss_within - ss_cols
    return _Anova(
        n=n,
        k=k,
        msr=ss_rows / (n - 1),
        msw=ss_within / (n * (k - 1)),
        msc=ss_cols / (k - 1),
        mse=max(ss_error, 0.0) / ((n - 1) * (k - 1)),
    )


def _check(ratings: Any, names: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    x = as_matrix(ratings, "ratings", rows="targets", cols="raters")
    labels = label_raters(names, x.shape[1])
    require_raters(x.shape[1], "ratings")
    if x.shape[0] < 2:
        raise ReliabilityError(
            [
                f"ratings: expected at least 2 targets (rows), got {x.shape[0]}; an ICC compares "
                "the spread between targets with the spread between raters"
            ]
        )
    require_complete(
        x, "ratings", "the ICC", "drop those units, or use krippendorff_alpha, which takes gaps"
    )
    return x, labels


def _undefined(form: IccForm, x: np.ndarray, labels: list[str]) -> ReliabilityError:
    constant = constant_raters(x, labels)
    why = (
        f"; constant rater column(s): {', '.join(constant)}"
        if constant
        else "; the targets do not differ"
    )
    return ReliabilityError(
        [f"ratings: {form} is undefined for these ratings (no variance to compare){why}"]
    )


def _limits_single(f_low: float, f_high: float, k: int) -> tuple[float, float]:
    """Shrout-Fleiss limits of a single-rater form from the F limits (1 when F is infinite)."""

    def one(f: float) -> float:
        return 1.0 if np.isinf(f) else (f - 1) / (f + k - 1)

    return one(f_low), one(f_high)


def _limits_average(f_low: float, f_high: float) -> tuple[float, float]:
    def one(f: float) -> float:
        return 1.0 if np.isinf(f) else 1 - 1 / f

    return one(f_low), one(f_high)


def icc(
    ratings: Any,
    form: str = "ICC2",
    *,
    confidence: float = 0.95,
    rater_names: Sequence[str] | None = None,
) -> IccResult:
    """Intraclass correlation ``form`` of ``ratings`` (targets x raters, complete).

    Perfect agreement (no error variance) gives 1 with the interval [1, 1]. ICC2 with no
    residual but a constant offset between raters has a value and no interval
    (``ci_low``/``ci_high`` None). Where the form is undefined (0/0: no variance at all,
    or for ICC3 every rater constant) a :class:`ReliabilityError` names the constant
    rater columns.
    """
    shrout_fleiss = resolve_form(form)
    if not 0 < confidence < 1:
        raise ReliabilityError([f"confidence: expected between 0 and 1, got {confidence}"])
    x, labels = _check(ratings, rater_names)
    a = _anova(x)
    n, k = a.n, a.k
    if a.msr == 0 and a.msw == 0:
        raise _undefined(shrout_fleiss, x, labels)
    alpha = 1 - confidence

    def f_crit(d1: float, d2: float) -> float:
        return float(stats.f.ppf(1 - alpha / 2, d1, d2))

    low: float | None
    high: float | None
    if shrout_fleiss in ("ICC1", "ICC1k", "ICC3", "ICC3k"):
        one_way = shrout_fleiss in ("ICC1", "ICC1k")
        error = a.msw if one_way else a.mse
        df1 = n - 1.0
        df2 = n * (k - 1.0) if one_way else (n - 1.0) * (k - 1.0)
        if a.msr == 0 and error == 0:
            raise _undefined(shrout_fleiss, x, labels)
        f_value = np.inf if error == 0 else a.msr / error
        f_low, f_high = f_value / f_crit(df1, df2), f_value * f_crit(df2, df1)
        if shrout_fleiss.endswith("k"):
            value = (a.msr - error) / a.msr if a.msr else -np.inf
            low, high = _limits_average(f_low, f_high)
        else:
            value = (a.msr - error) / (a.msr + (k - 1) * error)
            low, high = _limits_single(f_low, f_high, k)
        if not np.isfinite(value):
            raise _undefined(shrout_fleiss, x, labels)
    else:
        value, low, high, f_value, df1, df2 = _icc2(a, shrout_fleiss, f_crit, x, labels)
    p_value = 0.0 if np.isinf(f_value) else float(stats.f.sf(f_value, df1, df2))
    return IccResult(
        form=shrout_fleiss,
        value=float(value),
        ci_low=None if low is None else float(low),
        ci_high=None if high is None else float(high),
        f_value=float(f_value),
        df1=float(df1),
        df2=float(df2),
        p_value=p_value,
        n_targets=n,
        n_raters=k,
        confidence=confidence,
    )


def _icc2(
    a: _Anova, form: IccForm, f_crit: Any, x: np.ndarray, labels: list[str]
) -> tuple[float, float | None, float | None, float, float, float]:
    """ICC2 / ICC2k with the Fleiss-Shrout (1978) approximate interval."""
    n, k = a.n, a.k
    denominator = a.msr + (k - 1) * a.mse + k * (a.msc - a.mse) / n
    if denominator <= 0:
        raise _undefined(form, x, labels)
    single = (a.msr - a.mse) / denominator
    average = (a.msr - a.mse) / (a.msr + (a.msc - a.mse) / n)
    value = single if form == "ICC2" else average
    df1, df2 = n - 1.0, (n - 1.0) * (k - 1.0)
    if a.mse == 0:
        # No residual: perfect agreement when raters share one mean, otherwise a pure
        # offset between raters, for which the approximation gives no interval.
        if a.msc == 0:
            return value, 1.0, 1.0, np.inf, df1, df2
        return value, None, None, np.inf, df1, df2
    f_value = a.msr / a.mse
    f_j = a.msc / a.mse
    v_num = (k - 1) * (n - 1) * (k * single * f_j + n * (1 + (k - 1) * single) - k * single) ** 2
    v_den = (n - 1) * k**2 * single**2 * f_j**2 + (n * (1 + (k - 1) * single) - k * single) ** 2
    v = v_num / v_den
    f_upper, f_lower = f_crit(n - 1, v), f_crit(v, n - 1)
    spread = k * a.msc + (k * n - k - n) * a.mse
    low = n * (a.msr - f_upper * a.mse) / (f_upper * spread + n * a.msr)
    high = n * (f_lower * a.msr - a.mse) / (spread + n * f_lower * a.msr)
    if form == "ICC2":
        return value, low, high, f_value, df1, df2
    return value, low * k / (1 + low * (k - 1)), high * k / (1 + high * (k - 1)), f_value, df1, df2
