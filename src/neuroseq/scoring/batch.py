"""Vectorised scoring of many assessments at once, with the same formulas as ``report``.

The inputs are dense arrays (NaN = not rated). ``tests/scoring/test_batch_agreement.py``
proves with hypothesis that every number equals the one-at-a-time path's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

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
    age_months: np.ndarray

    def columns(self, inst: Instrument) -> dict[str, np.ndarray]:
        """Flat named columns: the scalar scores plus one per region, domain and period.

        ``*_age_typical_percent`` are the age-adjusted scores: the child's score as a
        percent of the typical child of the same age on the same rated items.
        """
        cols: dict[str, np.ndarray] = {
            "age_months": self.age_months,
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
            cols[f"region_age_typical_percent.{r}"] = age_typical(
                self.region_scores[:, j], self.typical_region_scores[:, j]
            )
        for j, d in enumerate(inst.domain_ids):
            cols[f"domain_score.{d}"] = self.domain_scores[:, j]
            cols[f"domain_age_typical_percent.{d}"] = age_typical(
                self.domain_scores[:, j], self.typical_domain_scores[:, j]
            )
            cols[f"age_equivalent_months.{d}"] = self.age_equivalents_months[:, j]
            cols[f"age_equivalent_flag.{d}"] = np.asarray(AGE_FLAGS, dtype=object)[
                self.age_equivalent_flags[:, j]
            ]
        for j, p in enumerate(inst.period_ids):
            cols[f"period_load.{p}"] = self.period_load[:, j]
        return cols


def age_typical(score: np.ndarray, typical: np.ndarray) -> np.ndarray:
    """Percent of the typical child's score (NaN where the typical score is zero or unknown)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.where(typical > TOLERANCE, 100.0 * score / typical, np.nan)


def _saturate(raw: np.ndarray, scale: float, kind: str) -> np.ndarray:
    """Vectorised ``history.saturate``."""
    if kind == "hyperbolic":
        return 100.0 * raw / (raw + scale)
    return 100.0 * (1.0 - np.exp(-raw / scale))


def adversity_loads(b: BatchInput, inst: Instrument) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw challenges per record, per record x period, and raw region load per record x region.

    Timing and regional sensitivity depend only on the period, so the adversities are summed
    once per record and period (one pass over them) and weighted per period afterwards.
    """
    type_w = np.asarray([t.weight for t in inst.adversity_types])
    timing = np.asarray([p.timing_weight for p in inst.periods])
    chron = np.asarray([c.factor for c in inst.chronicity])
    sens = np.asarray([[inst.sensitivity[r][p] for p in inst.period_ids] for r in inst.region_ids])
    n, n_periods = b.n, len(inst.periods)
    base = b.adv_severity * type_w[b.adv_type] * chron[b.adv_chronicity]
    period_base = np.bincount(
        b.adv_record * n_periods + b.adv_period, weights=base, minlength=n * n_periods
    ).reshape(n, n_periods)
    period_load = period_base * timing
    return period_load.sum(axis=1), period_load, period_base @ sens.T


def relational_scores(b: BatchInput, inst: Instrument) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """History score, history per period, current score (NaN where nothing is rated).

    Per-period counts and sums are two matrix products with a period indicator (numpy's
    reductions over an axis of four items are many times slower than BLAS).
    """
    n, n_periods, n_items = b.history.shape
    flat = b.history.reshape(n, n_periods * n_items)
    rated = ~np.isnan(flat)
    per_period = np.repeat(np.eye(n_periods), n_items, axis=0)  # (periods x items, periods)
    counts = rated @ per_period
    sums = np.where(rated, flat, 0.0) @ per_period
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


class AgeCurves:
    """The typical curves of every domain, one per pattern of rated items, built on demand.

    A domain's typical curve depends only on which of its functions are rated (at most
    2**8 patterns, usually a handful), so each is built once per batch (an instance is
    carried from one chunk to the next) and kept in one flat table; every record is then
    inverted against its own curve by one vectorised binary search over all domains.
    """

    def __init__(self, inst: Instrument) -> None:
        self.inst = inst
        members = [np.flatnonzero(inst.domain_matrix[:, j]) for j in range(len(inst.domain_ids))]
        self.members = members
        width = max(m.shape[0] for m in members)
        self.patterns = 1 << width
        self.bits = np.zeros((len(inst.functions), len(members)))  # rated -> pattern code
        for j, idx in enumerate(members):
            self.bits[idx, j] = 1 << np.arange(idx.shape[0])
        self.size = inst.norm_ages.shape[0]
        # Each curve gets a power-of-two stride, padded with +inf, for the binary search.
        self.stride = 1 << int(self.size).bit_length()
        slots = len(members) * self.patterns
        self.curves = np.full(slots * self.stride, np.inf)
        self.ceiling_age = np.zeros(slots)
        self.ceiling_level = np.zeros(slots)
        self.built = np.zeros(slots, dtype=bool)
        settings = inst.age_equivalent_settings
        self.resolution = settings.resolution_months if settings else None

    def _build(self, slots: np.ndarray) -> None:
        wanted = np.zeros(self.built.shape[0], dtype=bool)
        wanted[slots] = True
        for slot in np.flatnonzero(wanted & ~self.built):
            domain, code = divmod(int(slot), self.patterns)
            idx = self.members[domain]
            rated = idx[(code >> np.arange(idx.shape[0])) & 1 == 1]
            curve = self.inst.weights[rated] @ self.inst.norm_grid[rated]
            self.curves[slot * self.stride : slot * self.stride + self.size] = curve
            self.ceiling_age[slot], self.ceiling_level[slot] = ceiling_of(
                curve, self.inst.norm_ages, float(self.inst.weights[rated].max()), self.resolution
            )
            self.built[slot] = True

    def invert(self, child: np.ndarray, rated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised ``functional.invert_curve`` of every record and domain.

        ``child`` is (records x domains): the weighted status sums; ``rated`` the (records x
        functions) mask of rated items, as floats. NaN months where a domain has nothing rated.
        """
        code = (rated @ self.bits).astype(np.int64)  # (records, domains)
        slot = (code + np.arange(code.shape[1]) * self.patterns).ravel()
        x = child.ravel()
        some = code.ravel() > 0
        if not some.all():
            slot, x = slot[some], x[some]
        self._build(slot)
        size, ages, flat = self.size, self.inst.norm_ages, self.curves
        start = slot * self.stride
        # First age with curve >= child - tolerance (np.searchsorted's "left" rule): a
        # branch-free binary search run on every record at once, each in its own curve.
        target = x - TOLERANCE
        at = start.copy()
        probe = np.empty_like(at)
        step = self.stride >> 1
        while step:
            np.add(at, step - 1, out=probe)
            at += step * (flat[probe] < target)
            step >>= 1
        k = np.minimum(at - start, size - 1)
        k_prev = np.maximum(k - 1, 0)
        low, high = flat[start + k_prev], flat[start + k]
        with np.errstate(invalid="ignore", divide="ignore"):
            fraction = np.clip(np.where(high > low, (x - low) / (high - low), 0.0), 0.0, 1.0)
        found = np.where(k == 0, ages[0], ages[k_prev] + fraction * (ages[k] - ages[k_prev]))
        flag = np.zeros(x.shape[0], dtype=np.int64)
        at_ceiling = x >= self.ceiling_level[slot] - TOLERANCE
        found = np.where(at_ceiling, self.ceiling_age[slot], found)
        flag[at_ceiling] = 2
        below = x < flat[start] - TOLERANCE
        found = np.where(below, 0.0, found)
        flag[below] = 1
        if some.all():
            return found.reshape(code.shape), flag.reshape(code.shape)
        months, flags = np.full(some.shape[0], np.nan), np.zeros(some.shape[0], dtype=np.int64)
        months[some], flags[some] = found, flag
        return months.reshape(code.shape), flags.reshape(code.shape)


def age_equivalents(
    values: np.ndarray, w_rated: np.ndarray, inst: Instrument
) -> tuple[np.ndarray, np.ndarray]:
    """Age equivalents per domain; ``values`` has 0 where not rated, ``w_rated`` the weights."""
    child = (values * w_rated) @ inst.domain_matrix
    return AgeCurves(inst).invert(child, (w_rated > 0).astype(float))


CHUNK = 16384  # rows scored together: every temporary stays in the CPU cache


def score_batch(b: BatchInput, inst: Instrument) -> BatchScores:
    """Every score of every record. Rows are scored in chunks of :data:`CHUNK`, so the
    many intermediate arrays are small and reused instead of one full-size array each.

    The matrix products of a chunk are skinny (a few thousand rows by 32 by 9): BLAS
    threads only cost there, and on a busy machine (a web server, a shared CI box) their
    spinning made the batch 2-4x slower, so the batch runs BLAS on one thread.
    """
    if b.n <= CHUNK:
        return _score_batch(b, inst)
    with threadpool_limits(limits=1, user_api="blas"):
        return _score_batch(b, inst)


def _score_batch(b: BatchInput, inst: Instrument) -> BatchScores:
    n = b.n
    raw, period_load, region_raw = adversity_loads(b, inst)
    n_regions, n_domains = len(inst.region_ids), len(inst.domain_ids)
    groups = np.hstack([np.ones((len(inst.functions), 1)), inst.region_matrix, inst.domain_matrix])
    width = groups.shape[1]
    history = np.empty(n)
    by_period = np.empty((n, len(inst.period_ids)))
    current = np.empty(n)
    scores = np.empty((n, width))
    typical_scores = np.empty((n, width))
    percent = np.empty((n, width))
    ae_months = np.empty((n, n_domains))
    ae_flags = np.empty((n, n_domains), dtype=np.int64)
    missing = np.empty(n, dtype=np.int64)
    curves = AgeCurves(inst)
    # Weights folded into the group matrix: the weighted sums are then plain products of
    # the ratings (or of the rated mask) with one matrix; the products are the same.
    weighted_groups = inst.weights[:, None] * groups
    counted = (inst.weights > 0).astype(float)  # rated items that enter an age equivalent
    every_item = np.ones(len(inst.functions))
    for lo in range(0, n, CHUNK):
        part = slice(lo, min(lo + CHUNK, n))
        rel = relational_scores(
            BatchInput(
                age_months=b.age_months[part],
                ratings=b.ratings[part],
                history=b.history[part],
                current=b.current[part],
                adv_record=b.adv_record[:0],
                adv_type=b.adv_type[:0],
                adv_period=b.adv_period[:0],
                adv_severity=b.adv_severity[:0],
                adv_chronicity=b.adv_chronicity[:0],
            ),
            inst,
        )
        history[part], by_period[part], current[part] = rel
        ratings = b.ratings[part]
        rated = ~np.isnan(ratings)
        rated_f = rated.astype(float)
        values = np.where(rated, ratings, 0.0)
        typical = typical_statuses(b.age_months[part], inst)
        num = values @ weighted_groups
        den = rated_f @ weighted_groups
        typ = (typical * rated_f) @ weighted_groups
        scores[part] = _ratio(num, den, PERCENT_PER_STATUS)
        typical_scores[part] = _ratio(typ, den, PERCENT_PER_STATUS)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            percent[part] = np.where(typ > TOLERANCE, 100.0 * num / typ, np.nan)
        ae_months[part], ae_flags[part] = curves.invert(num[:, 1 + n_regions :], rated_f * counted)
        missing[part] = ratings.shape[1] - (rated_f @ every_item).astype(np.int64)
    gate = np.where(
        np.isnan(current),
        0,
        np.where(
            current >= inst.gate.sufficient_min,
            3,
            np.where(current >= inst.gate.marginal_min, 2, 1),
        ),
    )
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
        missing_count=missing,
        age_months=b.age_months,
    )


def floor_einsum(ratings: np.ndarray, weights: np.ndarray) -> Any:
    """The benchmark floor: one weighted sum of the ratings array."""
    return np.einsum("nf,f->n", ratings, weights)
