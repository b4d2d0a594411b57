"""Cohort fit benchmark: what `neuroseq cohort fit` adds to batch scoring, and its memory.

Streams N synthetic assessments (default 100,000; set NEUROSEQ_BENCH_COHORT_N=1000000
for the issue's million) chunk by chunk through the batch scorer, and times separately,
in the same run and on the same chunks, the scoring and what the fit adds (named
columns, moments, plot sample, residual spool, then the fit itself). Goal (issue 13):
fit / batch scoring alone <= 1.5. Peak traced memory is measured in a second pass at
N/10 (at least three chunks) and N: bounded memory means it does not grow with N.

Asserts nothing (timings on a shared machine are noise); prints ratios measured in this
run. When NEUROSEQ_BENCH_RESULTS names a file, appends one JSON line per figure.
"""

from __future__ import annotations

import json
import os
import time
import tracemalloc

from neuroseq.cohort.analysis import CohortAnalysis
from neuroseq.cohort.synth import iter_chunks
from neuroseq.instrument import Instrument, load_instrument
from neuroseq.scoring.batch import score_batch

CHUNK = 10_000


def run(n: int, inst: Instrument, *, timed: bool) -> tuple[float, float, float]:
    """(seconds scoring, seconds the fit adds, peak traced MiB or 0)."""
    scoring = fitting = 0.0
    if not timed:
        tracemalloc.start()
    with CohortAnalysis(inst) as analysis:
        for chunk in iter_chunks(n, seed=0, inst=inst, chunk_size=CHUNK):
            start = time.perf_counter()
            scores = score_batch(chunk.batch, inst)
            middle = time.perf_counter()
            analysis.add(scores.columns(inst))
            fitting += time.perf_counter() - middle
            scoring += middle - start
        start = time.perf_counter()
        analysis.result()
        fitting += time.perf_counter() - start
    peak = 0.0
    if not timed:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return scoring, fitting, peak


def record(figure: str, value: float, unit: str, goal: str, note: str) -> None:
    """One JSON line per tracked figure (the format of the `make bench` summary table)."""
    target = os.environ.get("NEUROSEQ_BENCH_RESULTS")
    if not target:
        return
    line = {"figure": figure, "value": round(value, 3), "unit": unit, "goal": goal, "note": note}
    with open(target, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")


def main() -> None:
    n = int(os.environ.get("NEUROSEQ_BENCH_COHORT_N", "100000"))
    label = f"{n // 1000}k" if n < 1_000_000 else f"{n / 1e6:g}M"
    inst = load_instrument()
    print(f"cohort fit on N = {n:,} synthetic assessments (seed 0), chunks of {CHUNK:,}")
    print("(set NEUROSEQ_BENCH_COHORT_N=1000000 for the million of issue 13)")
    scoring, fitting, _ = run(n, inst, timed=True)
    ratio = (scoring + fitting) / scoring
    print(f"  batch scoring alone:   {scoring:7.2f} s")
    print(f"  the fit adds:          {fitting:7.2f} s")
    print(f"  scoring + fit:         {scoring + fitting:7.2f} s")
    print(f"  fit / scoring alone:   {ratio:7.2f} x   (goal <= 1.5)")
    small = max(n // 10, 3 * CHUNK)  # past the first chunks, whose arrays overlap in memory
    _, _, peak_small = run(small, inst, timed=False)
    _, _, peak = run(n, inst, timed=False)
    print(f"  peak traced memory:    {peak_small:7.1f} MiB at {small:,}, {peak:.1f} MiB at N")
    print(f"  memory growth:         {peak / peak_small:7.2f} x   (goal <= 1.25: bounded)")
    note = f"N = {n:,}; NEUROSEQ_BENCH_COHORT_N=1000000 for 1M; fit {scoring + fitting:.1f} s"
    record(f"cohort fit / batch scoring ({label})", ratio, "x", "<= 1.5", note)
    record(f"cohort fit peak memory ({label})", peak, "MiB", "<= 64", note)
    growth = peak / peak_small
    record(f"cohort fit memory at N / at {small // 1000}k ({label})", growth, "x", "<= 1.25", note)


if __name__ == "__main__":
    main()
