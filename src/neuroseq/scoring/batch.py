"""Vectorised scoring of many assessments at once, with the same formulas as ``report``.

The inputs are dense arrays (NaN = not rated). ``tests/scoring/test_batch_agreement.py``
proves with hypothesis that every number equals the one-at-a-time path's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from neuroseq.assessment import Assessment
from neuroseq.instrument import MAX_AGE_MONTHS, Instrument
from neuroseq.scoring.functional import PERCENT_PER_STATUS, TOLERANCE, ceiling_of

GATES = ("not_rated", "insufficient", "marginal", "sufficient")
AGE_FLAGS = ("", "below_norms", "ceiling")


@dataclass
class BatchInput:
    """N assessments as arrays. Adversities are rows of parallel arrays keyed by record."""

    age_months: np.ndarray  # (N,)
    ratings: np.ndarray  # (N, functions), NaN = not rated
    history: np.ndarray  # (N, periods, history items), NaN = not rated
    current: np.ndarray  # (N, current items), NaN = not rated
    adv_record: np.ndarray  # (K,) int: which record the adversity belongs to
    adv_type: np.ndarray  # (K,) int index into instrument.adversity_types
    adv_period: np.ndarray  # (K,) int index into instrument.periods
    adv_severity: np.ndarray  # (K,) float 1-3
    adv_chronicity: np.ndarray  # (K,) int index into instrument.chronicity

    @property
    def n(self) -> int:
        return int(self.age_months.shape[0])

    @classmethod
    def from_assessments(cls, assessments: Sequence[Assessment], inst: Instrument) -> BatchInput:
        n = len(assessments)
        f_index = {f: i for i, f in enumerate(inst.function_ids)}
        p_index = {p: i for i, p in enumerate(inst.period_ids)}
        h_index = {h.id: i for i, h in enumerate(inst.history_items)}
        c_index = {c.id: i for i, c in enumerate(inst.current_items)}
        t_index = {t.id: i for i, t in enumerate(inst.adversity_types)}
        ch_index = {c.id: i for i, c in enumerate(inst.chronicity)}
        ratings = np.full((n, len(f_index)), np.nan)
        history = np.full((n, len(p_index), len(h_index)), np.nan)
        current = np.full((n, len(c_index)), np.nan)
        adversities: list[tuple[int, int, int, float, int]] = []
        for row, a in enumerate(assessments):
            for fid, value in a.functional.items():
                if value is not None:
                    ratings[row, f_index[fid]] = value
            for pid, items in a.relational_history.items():
                for hid, value in items.items():
                    if value is not None:
                        history[row, p_index[pid], h_index[hid]] = value
            for cid, value in a.current_relational_health.items():
                if value is not None:
                    current[row, c_index[cid]] = value
            adversities.extend(
                (row, t_index[x.type], p_index[x.period], float(x.severity), ch_index[x.chronicity])
                for x in a.adversities
            )
        adv = np.asarray(adversities, dtype=float).reshape(-1, 5)
        return cls(
            age_months=np.asarray([a.age_months for a in assessments], dtype=float),
            ratings=ratings,
            history=history,
            current=current,
            adv_record=adv[:, 0].astype(np.int64),
            adv_type=adv[:, 1].astype(np.int64),
            adv_period=adv[:, 2].astype(np.int64),
            adv_severity=adv[:, 3],
            adv_chronicity=adv[:, 4].astype(np.int64),
        )


@dataclass
class BatchScores:
    developmental_challenges_raw: np.ndarray
    developmental_challenges_score: np.ndarray
    period_load: np.ndarray  # (N, periods)
    region_impact: np.ndarray  # (N, regions)
    relational_health_history_score: np.ndarray
    relational_history_by_period: np.ndarray  # (N, periods)
    current_relational_health: np.ndarray
    relational_gate: np.ndarray  # int codes into GATES
    functional_score: np.ndarray
    region_scores: np.ndarray  # (N, regions)
    domain_scores: np.ndarray  # (N, domains)
    typical_functional_score: np.ndarray
    typical_region_scores: np.ndarray
    typical_domain_scores: np.ndarray
    age_typical_percent: np.ndarray
    domain_age_typical_percent: np.ndarray  # (N, domains)
    age_equivalents_months: np.ndarray  # (N, domains)
    age_equivalent_flags: np.ndarray  # int codes into AGE_FLAGS
    missing_count: np.ndarray

    def columns(self, inst: Instrument) -> dict[str, np.ndarray]:
        """Flat named columns: the scalar scores plus one per region and per domain."""
        cols: dict[str, np.ndarray] = {
            "developmental_challenges_score": self.developmental_challenges_score,
            "relational_health_history_score": self.relational_health_history_score,
            "current_relational_health": self.current_relational_health,
            "relational_gate": np.asarray(GATES, dtype=object)[self.relational_gate],
            "functional_score": self.functional_score,
            "typical_functional_score": self.typical_functional_score,
            "age_typical_percent": self.age_typical_percent,
            "missing_items": self.missing_count,
        }
        for j, r in enumerate(inst.region_ids):
            cols[f"region_impact.{r}"] = self.region_impact[:, j]
            cols[f"region_score.{r}"] = self.region_scores[:, j]
        for j, d in enumerate(inst.domain_ids):
            cols[f"domain_score.{d}"] = self.domain_scores[:, j]
            cols[f"age_equivalent_months.{d}"] = self.age_equivalents_months[:, j]
            cols[f"age_equivalent_flag.{d}"] = np.asarray(AGE_FLAGS, dtype=object)[
                self.age_equivalent_flags[:, j]
            ]
        return cols


def _saturate(raw: np.ndarray, scale: float, kind: str) -> np.ndarray:
    """Vectorised ``history.saturate``."""
    if kind == "hyperbolic":
        return 100.0 * raw / (raw + scale)
    return 100.0 * (1.0 - np.exp(-raw / scale))


def adversity_loads(b: BatchInput, inst: Instrument) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw challenges per record, per record x period, and raw region load per record x region."""
    type_w = np.asarray([t.weight for t in inst.adversity_types])
    timing = np.asarray([p.timing_weight for p in inst.periods])
    chron = np.asarray([c.factor for c in inst.chronicity])
    sens = np.asarray([[inst.sensitivity[r][p] for p in inst.period_ids] for r in inst.region_ids])
    n, n_periods = b.n, len(inst.periods)
    base = b.adv_severity * type_w[b.adv_type] * chron[b.adv_chronicity]
    contrib = base * timing[b.adv_period]
    period_load = np.bincount(
        b.adv_record * n_periods + b.adv_period, weights=contrib, minlength=n * n_periods
    ).reshape(n, n_periods)
    raw = np.bincount(b.adv_record, weights=contrib, minlength=n)
    region_raw = np.stack(
        [
            np.bincount(b.adv_record, weights=base * sens[j, b.adv_period], minlength=n)
            for j in range(len(inst.region_ids))
        ],
        axis=1,
    )
    return raw, period_load, region_raw


def relational_scores(b: BatchInput, inst: Instrument) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """History score, history per period, current score (NaN where nothing is rated)."""
    rated = ~np.isnan(b.history)
    counts = rated.sum(axis=2)
    sums = np.where(rated, b.history, 0.0).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        by_period = np.where(counts > 0, sums / counts * PERCENT_PER_STATUS, np.nan)
    pw = np.asarray([inst.history_period_weights[p] for p in inst.period_ids])
    period_rated = counts > 0
    weight = period_rated @ pw
    with np.errstate(invalid="ignore", divide="ignore"):
        history = np.where(weight > 0, np.where(period_rated, by_period, 0.0) @ pw / weight, np.nan)
    cw = np.asarray([c.weight for c in inst.current_items])
    c_rated = ~np.isnan(b.current)
    c_weight = c_rated @ cw
    with np.errstate(invalid="ignore", divide="ignore"):
        current = np.where(
            c_weight > 0,
            np.where(c_rated, b.current, 0.0) @ cw / c_weight * PERCENT_PER_STATUS,
            np.nan,
        )
    return history, by_period, current


def typical_statuses(age_months: np.ndarray, inst: Instrument) -> np.ndarray:
    """Typical status of each function at each record's age: (N, functions).

    Every norm curve is linear between the union of break points (``norm_ages``), so one
    interval lookup and a blend of two grid columns give all functions at once.
    """
    ages = inst.norm_ages
    age = np.clip(age_months, 0.0, MAX_AGE_MONTHS)
    k = np.clip(np.searchsorted(ages, age, side="right"), 1, ages.shape[0] - 1)
    t = ((age - ages[k - 1]) / (ages[k] - ages[k - 1]))[:, None]
    grid = inst.norm_grid.T
    return grid[k - 1] * (1.0 - t) + grid[k] * t


def _ratio(num: np.ndarray, den: np.ndarray, scale: float) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den * scale, np.nan)


def _invert(
    child: np.ndarray, curve: np.ndarray, ages: np.ndarray, ceiling: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised ``functional.invert_curve``: many children's sums against one curve.

    The curve is non-decreasing, so "first age with curve >= x" is a binary search.
    """
    last = curve.shape[0] - 1
    ceiling_age, ceiling_level = ceiling
    k = np.minimum(np.searchsorted(curve, child - TOLERANCE, side="left"), last)
    k_prev = np.maximum(k - 1, 0)
    low, high = curve[k_prev], curve[k]
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.clip(np.where(high > low, (child - low) / (high - low), 0.0), 0.0, 1.0)
    months = np.where(k == 0, ages[0], ages[k_prev] + fraction * (ages[k] - ages[k_prev]))
    flags = np.zeros(child.shape[0], dtype=np.int64)
    at_ceiling = child >= ceiling_level - TOLERANCE
    months = np.where(at_ceiling, ceiling_age, months)
    flags[at_ceiling] = 2
    below = child < curve[0] - TOLERANCE
    months = np.where(below, 0.0, months)
    flags[below] = 1
    return months, flags


def age_equivalents(
    values: np.ndarray, w_rated: np.ndarray, inst: Instrument
) -> tuple[np.ndarray, np.ndarray]:
    """Age equivalents per domain; ``values`` has 0 where not rated, ``w_rated`` the weights.

    A domain's typical curve depends only on which of its functions are rated, so
    records are grouped by that pattern (at most 2**8 per domain, usually a handful) and
    each group is inverted against its one curve.
    """
    n = values.shape[0]
    settings = inst.age_equivalent_settings
    resolution = settings.resolution_months if settings else None
    months = np.full((n, len(inst.domain_ids)), np.nan)
    flags = np.zeros((n, len(inst.domain_ids)), dtype=np.int64)
    for j in range(len(inst.domain_ids)):
        idx = np.flatnonzero(inst.domain_matrix[:, j])
        w = w_rated[:, idx]
        child = (values[:, idx] * w).sum(axis=1)
        pattern = (w > 0) @ (1 << np.arange(idx.shape[0]))
        order = np.argsort(pattern, kind="stable")
        codes, starts = np.unique(pattern[order], return_index=True)
        ends = np.append(starts[1:], n).astype(np.int64)
        for code, lo, hi in zip(codes, starts, ends[: codes.shape[0]], strict=True):
            if code == 0:
                continue  # nothing rated in this domain: no age equivalent
            members = idx[(int(code) >> np.arange(idx.shape[0])) & 1 == 1]
            curve = inst.weights[members] @ inst.norm_grid[members]
            ceiling = ceiling_of(
                curve, inst.norm_ages, float(inst.weights[members].max()), resolution
            )
            rows = order[lo:hi]
            months[rows, j], flags[rows, j] = _invert(child[rows], curve, inst.norm_ages, ceiling)
    return months, flags


def score_batch(b: BatchInput, inst: Instrument) -> BatchScores:
    raw, period_load, region_raw = adversity_loads(b, inst)
    history, by_period, current = relational_scores(b, inst)
    gate = np.where(
        np.isnan(current),
        0,
        np.where(
            current >= inst.gate.sufficient_min,
            3,
            np.where(current >= inst.gate.marginal_min, 2, 1),
        ),
    )

    rated = ~np.isnan(b.ratings)
    values = np.where(rated, b.ratings, 0.0)
    w_rated = rated * inst.weights
    typical = typical_statuses(b.age_months, inst)
    groups = np.hstack([np.ones((len(inst.functions), 1)), inst.region_matrix, inst.domain_matrix])
    num = (values * inst.weights) @ groups
    den = w_rated @ groups
    typ = (typical * w_rated) @ groups
    scores = _ratio(num, den, PERCENT_PER_STATUS)
    typical_scores = _ratio(typ, den, PERCENT_PER_STATUS)
    n_regions = len(inst.region_ids)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        percent = np.where(typ > TOLERANCE, 100.0 * num / typ, np.nan)
    ae_months, ae_flags = age_equivalents(values, w_rated, inst)
    return BatchScores(
        developmental_challenges_raw=raw,
        developmental_challenges_score=_saturate(
            raw, inst.transforms.challenges_scale, inst.transforms.kind
        ),
        period_load=period_load,
        region_impact=_saturate(
            region_raw, inst.transforms.region_impact_scale, inst.transforms.kind
        ),
        relational_health_history_score=history,
        relational_history_by_period=by_period,
        current_relational_health=current,
        relational_gate=gate,
        functional_score=scores[:, 0],
        region_scores=scores[:, 1 : 1 + n_regions],
        domain_scores=scores[:, 1 + n_regions :],
        typical_functional_score=typical_scores[:, 0],
        typical_region_scores=typical_scores[:, 1 : 1 + n_regions],
        typical_domain_scores=typical_scores[:, 1 + n_regions :],
        age_typical_percent=percent[:, 0],
        domain_age_typical_percent=percent[:, 1 + n_regions :],
        age_equivalents_months=ae_months,
        age_equivalent_flags=ae_flags,
        missing_count=(~rated).sum(axis=1),
    )


def floor_einsum(ratings: np.ndarray, weights: np.ndarray) -> Any:
    """The benchmark floor: one weighted sum of the ratings array."""
    return np.einsum("nf,f->n", ratings, weights)
