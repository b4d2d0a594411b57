"""Scoring benchmark: batch vs per-record vs the einsum floor, at 100k and 1M assessments.

Prints ratios measured in this run (machines here are shared and noisy); asserts nothing.
Goals: per-record / batch >= 30x (core issue); batch / floor <= 5x (issue 14, item 7).
The per-record path is timed on 20,000 records (its time per record is steady; 100,000
took two minutes of the ``make bench`` budget for the same figure).
"""

from __future__ import annotations

import gc
import resource
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from figures import record_figure
from neuroseq.assessment import parse_assessment
from neuroseq.cohort.synth import iter_chunks
from neuroseq.instrument import load_instrument
from neuroseq.scoring import score_assessment
from neuroseq.scoring.batch import BatchInput, floor_einsum, score_batch

SIZES = (100_000, 1_000_000)
PER_RECORD_N = 20_000
FLOOR_GOAL = 5


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def concat(parts: list[BatchInput]) -> BatchInput:
    offsets = np.cumsum([0] + [p.n for p in parts[:-1]])
    return BatchInput(
        age_months=np.concatenate([p.age_months for p in parts]),
        ratings=np.concatenate([p.ratings for p in parts]),
        history=np.concatenate([p.history for p in parts]),
        current=np.concatenate([p.current for p in parts]),
        adv_record=np.concatenate([p.adv_record + o for p, o in zip(parts, offsets, strict=True)]),
        adv_type=np.concatenate([p.adv_type for p in parts]),
        adv_period=np.concatenate([p.adv_period for p in parts]),
        adv_severity=np.concatenate([p.adv_severity for p in parts]),
        adv_chronicity=np.concatenate([p.adv_chronicity for p in parts]),
    )


def main() -> None:
    inst = load_instrument()
    print(f"instrument v{inst.version}; {len(inst.functions)} functions; synthetic data, seed 0")
    t0 = time.perf_counter()
    chunks = list(iter_chunks(max(SIZES), seed=0, inst=inst, chunk_size=100_000))
    elapsed = time.perf_counter() - t0
    print(f"generated {max(SIZES):,} synthetic assessments as arrays in {elapsed:.1f} s")

    print(f"\nper-record path: parsing and scoring {PER_RECORD_N:,} assessments one at a time ...")
    records = list(chunks[0].records(inst))[:PER_RECORD_N]
    assessments = [parse_assessment(r, inst) for r in records]
    start = time.perf_counter()
    for a in assessments:
        score_assessment(a, inst)
    per_record_total = time.perf_counter() - start
    per_record_each = per_record_total / len(assessments)
    del records

    rows = []
    for n in SIZES:
        batch = concat([c.batch for c in chunks[: n // 100_000]])
        ratings = np.nan_to_num(batch.ratings)
        t_batch = best_of(lambda b=batch: score_batch(b, inst), repeat=3 if n <= 100_000 else 2)
        t_floor = best_of(lambda r=ratings: floor_einsum(r, inst.weights), repeat=5)
        tracemalloc.start()
        score_batch(batch, inst)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append((n, t_batch, t_floor, peak))
        del batch, ratings

    print()
    header = ("N", "batch s", "floor s", "batch/floor", "peak MiB", "per-record/batch")
    widths = (10, 9, 9, 12, 9, 17)
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for n, t_batch, t_floor, peak in rows:
        ratio_pr = per_record_each * n / t_batch
        print(
            f"{n:>10,} {t_batch:>9.3f} {t_floor:>9.4f} {t_batch / t_floor:>11.1f}x "
            f"{peak / 2**20:>9.0f} {ratio_pr:>16.0f}x"
        )
    print(
        f"\nper-record scoring: {per_record_each * 1e6:.0f} us each "
        f"({per_record_total:.1f} s for {PER_RECORD_N:,}); per-record/batch at 100k: "
        f"{per_record_each * rows[0][0] / rows[0][1]:.0f}x (goal >= 30x)"
    )
    print(
        f"batch/floor goal <= {FLOOR_GOAL}x; the floor is one np.einsum of the ratings with "
        "the item weights, the batch computes every score (history, relational, functional, age "
        "equivalents)."
    )
    for n, t_batch, t_floor, _ in rows:
        record_figure(
            f"scoring: batch / einsum floor, {n:,} assessments",
            t_batch / t_floor,
            "x",
            f"<= {FLOOR_GOAL}",
            "the floor reads only the ratings; the batch reads every input and writes ~60 "
            "columns with numpy (one pass per operation); see docs/performance.md",
        )
    record_figure(
        "scoring: per-record / batch, per assessment at 100k",
        per_record_each * rows[0][0] / rows[0][1],
        "x",
        ">= 30",
    )
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
