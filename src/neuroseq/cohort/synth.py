"""Synthetic cohorts with the structure the clinical literature reports.

Every record is labelled ``"synthetic": true`` and its pseudonym starts with ``SYN-``.
The generative model (documented in docs/synthetic.md):

- a latent risk in [0, 1] per child sets how many adversities occur, how severe and
  chronic they are and how early they fall (higher risk: more, worse, earlier);
- relational health history falls with risk and carries a child-level relational
  resource; current relational health shares that resource but moves on its own
  (placements change);
- each function's expected status is the typical status for the child's age minus a
  deficit that grows with the adversity impact on the function's region (so lower
  regions, hit by earlier adversity, suffer most), is buffered by relational health
  history, and is largest when current relational health is poor, which therefore is
  the strongest single predictor of functioning (Hambrick, Brawner and Perry 2019).

Records are generated in chunks of arrays from one seeded generator, so the output
is deterministic by seed and a million rows never sit in memory at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from neuroseq.assessment import DAYS_PER_MONTH, FORMAT
from neuroseq.instrument import Instrument, load_instrument
from neuroseq.scoring.batch import BatchInput, adversity_loads, relational_scores
from neuroseq.scoring.batch import typical_statuses as _typical

CHUNK_SIZE = 5_000
FIRST_ASSESSMENT_DATE = dt.date(2024, 1, 1)
MIN_AGE_DAYS = 731  # 2 years
MAX_AGE_DAYS = 6574  # just under 216 months
MISSING_RATING_RATE = 0.03
# The generative model's own dose-response for adversity on a region (0-1), kept apart
# from the instrument's score transforms so that changing how scores are reported never
# changes the children generated.
IMPACT_SCALE = 12.0
# Effect sizes of the generative model (status points; see docs/synthetic.md). They are
# chosen to reproduce the published structure, not estimated from any data.
ADVERSITY_EFFECT = 1.5  # full adversity impact on a region, before relational buffering
HISTORY_MAIN_EFFECT = 1.6  # relational poverty during development, per domain reach below
CURRENT_EFFECT = 2.4  # current relational health: the strongest single predictor
# Early relational poverty predicted poorer sensory integration and self-regulation most
# (Hambrick, Brawner and Perry 2019); its reach into the other domains is smaller.
HISTORY_EFFECT = {
    "sensory_integration": 1.0,
    "self_regulation": 1.0,
    "relational": 0.8,
    "cognitive": 0.5,
}


@dataclass
class SynthChunk:
    seed: int
    start: int
    assessment_day: np.ndarray  # days after FIRST_ASSESSMENT_DATE
    age_days: np.ndarray
    batch: BatchInput

    @property
    def n(self) -> int:
        return int(self.age_days.shape[0])

    def records(self, inst: Instrument) -> Iterator[dict[str, Any]]:
        """The chunk as assessment-format dicts (``None`` for not rated)."""
        b = self.batch
        bounds = np.searchsorted(b.adv_record, np.arange(self.n + 1))
        function_ids = inst.function_ids
        period_ids = inst.period_ids
        history_ids = [h.id for h in inst.history_items]
        current_ids = [c.id for c in inst.current_items]
        # Clinical flags are not modelled: every synthetic child was "checked, none present".
        flags = dict.fromkeys(inst.flag_ids, False)
        types = [t.id for t in inst.adversity_types]
        chronicity = [c.id for c in inst.chronicity]
        ratings = b.ratings.tolist()
        history = b.history.tolist()
        current = b.current.tolist()
        adv_type, adv_period = b.adv_type.tolist(), b.adv_period.tolist()
        adv_sev, adv_chron = b.adv_severity.tolist(), b.adv_chronicity.tolist()
        for i in range(self.n):
            assessed = FIRST_ASSESSMENT_DATE + dt.timedelta(days=int(self.assessment_day[i]))
            born = assessed - dt.timedelta(days=int(self.age_days[i]))
            lo, hi = int(bounds[i]), int(bounds[i + 1])
            yield {
                "format": FORMAT,
                "instrument_version": inst.version,
                "synthetic": True,
                "client": {
                    "pseudonym": f"SYN-{self.seed}-{self.start + i:07d}",
                    "birth_date": born.isoformat(),
                },
                "assessment_date": assessed.isoformat(),
                "rater": "synthetic generator",
                "adversities": [
                    {
                        "type": types[adv_type[k]],
                        "period": period_ids[adv_period[k]],
                        "severity": int(adv_sev[k]),
                        "chronicity": chronicity[adv_chron[k]],
                    }
                    for k in range(lo, hi)
                ],
                "relational_history": {
                    period_ids[p]: {history_ids[h]: _rating(v) for h, v in enumerate(row) if v == v}
                    for p, row in enumerate(history[i])
                    if any(v == v for v in row)
                },
                "current_relational_health": {
                    current_ids[c]: _rating(v) for c, v in enumerate(current[i])
                },
                "functional": {function_ids[f]: _rating(v) for f, v in enumerate(ratings[i])},
                **({"clinical_flags": dict(flags)} if flags else {}),
            }


def _rating(value: float) -> int | None:
    return None if value != value else int(value)


def _ratings_from_latent(rng: np.random.Generator, latent: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(latent + rng.normal(0.0, 0.5, latent.shape)), 0, 3)


def generate_chunk(
    rng: np.random.Generator, n: int, inst: Instrument, *, seed: int = 0, start: int = 0
) -> SynthChunk:
    periods = inst.periods
    n_periods = len(periods)
    risk = rng.beta(1.2, 2.5, n)
    resource = rng.normal(0.0, 1.0, n)
    age_days = rng.integers(MIN_AGE_DAYS, MAX_AGE_DAYS + 1, n)
    assessment_day = rng.integers(0, 700, n)
    age_months = age_days / DAYS_PER_MONTH

    starts = np.asarray([p.start_months for p in periods])
    lived = (starts[None, :] <= age_months[:, None]).sum(axis=1)  # periods reached so far

    counts = np.minimum(rng.poisson(0.5 + 7.0 * risk), 14)
    record = np.repeat(np.arange(n), counts)
    k = record.shape[0]
    # Period: truncated geometric over the lived periods; higher risk leans earlier.
    q = np.exp(-(0.15 + 0.6 * risk[record]))
    u = rng.random(k)
    span = lived[record]
    period = np.floor(np.log1p(-u * (1.0 - q**span)) / np.log(q)).astype(np.int64)
    period = np.clip(period, 0, span - 1)
    allowed = [
        [t for t, kind in enumerate(inst.adversity_types) if p.id in inst.allowed_periods(kind.id)]
        for p in periods
    ]
    width = max(len(a) for a in allowed)
    table = np.asarray([a + [a[-1]] * (width - len(a)) for a in allowed])
    n_allowed = np.asarray([len(a) for a in allowed])
    kind = table[period, np.floor(rng.random(k) * n_allowed[period]).astype(np.int64)]
    severity = 1.0 + rng.binomial(2, 0.25 + 0.5 * risk[record])
    v = rng.random(k)
    chronicity = np.where(
        v < 0.5 - 0.3 * risk[record], 0, np.where(v < 0.8 - 0.1 * risk[record], 1, 2)
    )

    level = 2.3 + 0.6 * resource - 1.8 * risk
    period_level = level[:, None] + rng.normal(0.0, 0.35, (n, n_periods))
    history = _ratings_from_latent(
        rng, np.repeat(period_level[:, :, None], len(inst.history_items), axis=2)
    )
    history[np.arange(n_periods)[None, :] >= lived[:, None]] = np.nan
    history[rng.random(history.shape) < 0.05] = np.nan
    now = 1.7 + 0.45 * resource - 0.7 * risk + rng.normal(0.0, 0.6, n)
    current = _ratings_from_latent(rng, np.repeat(now[:, None], len(inst.current_items), axis=1))

    batch = BatchInput(
        age_months=age_months,
        ratings=np.zeros((n, len(inst.functions))),
        history=history,
        current=current,
        adv_record=record,
        adv_type=kind,
        adv_period=period,
        adv_severity=severity,
        adv_chronicity=chronicity,
    )
    _, _, region_raw = adversity_loads(batch, inst)
    impact = 1.0 - np.exp(-region_raw / IMPACT_SCALE)
    history_score, _, current_score = relational_scores(batch, inst)
    history_share = np.nan_to_num(history_score, nan=50.0) / 100.0
    current_share = np.nan_to_num(current_score, nan=50.0) / 100.0
    region_of = np.asarray([inst.region_ids.index(f.region) for f in inst.functions])
    history_reach = np.asarray([HISTORY_EFFECT.get(f.domain, 0.5) for f in inst.functions])
    deficit = (
        ADVERSITY_EFFECT * impact[:, region_of] * (1.25 - 0.5 * history_share)[:, None]
        + HISTORY_MAIN_EFFECT * (0.6 - history_share)[:, None] * history_reach[None, :]
        + CURRENT_EFFECT * (0.55 - current_share)[:, None]
        + rng.normal(0.0, 0.25, (n, 1))
    )
    ratings = _ratings_from_latent(rng, _typical(age_months, inst) - deficit)
    ratings[rng.random(ratings.shape) < MISSING_RATING_RATE] = np.nan
    batch.ratings = ratings
    return SynthChunk(
        seed=seed, start=start, assessment_day=assessment_day, age_days=age_days, batch=batch
    )


def iter_chunks(
    n: int, seed: int, inst: Instrument | None = None, chunk_size: int = CHUNK_SIZE
) -> Iterator[SynthChunk]:
    inst = inst or load_instrument()
    rng = np.random.default_rng(seed)
    for start in range(0, n, chunk_size):
        yield generate_chunk(rng, min(chunk_size, n - start), inst, seed=seed, start=start)


def iter_synthetic_assessments(
    n: int, seed: int, inst: Instrument | None = None
) -> Iterator[dict[str, Any]]:
    """``n`` labelled-synthetic assessment dicts, deterministic by ``seed``."""
    inst = inst or load_instrument()
    for chunk in iter_chunks(n, seed, inst):
        yield from chunk.records(inst)
