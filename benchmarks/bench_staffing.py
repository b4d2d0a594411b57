"""Speed of a staffing's results: spread, disagreements, pairwise weighted kappa and ICC(A,1).

Run: ``python benchmarks/bench_staffing.py``. Prints numbers only; nothing here asserts a
time. The staffing page computes the results on every view once rating is over (k raters
give k(k-1)/2 kappas), so the tracked figure is results per second for a typical staffing of
four raters over the 32 functions; its goal (>= 5, i.e. at most 200 ms of a page view) is
ours. The ICC of each staffing is stored when rating ends, so the fidelity dashboard does not
recompute it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from figures import record_figure
from neuroseq.instrument import load_instrument
from neuroseq.reliability.staffing import summarise


def per_second(work: Callable[[], object], seconds: float = 1.0) -> float:
    """Calls per second over at least ``seconds`` of wall time (after one warm-up call)."""
    work()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        work()
        count += 1
    return count / elapsed


def ratings(raters: int, items: list[str], rng: random.Random) -> dict[str, dict[str, int]]:
    truth = {f: rng.randint(0, 3) for f in items}
    return {
        f"rater{r}": {f: min(3, max(0, v + rng.choice((-1, 0, 0, 0, 1)))) for f, v in truth.items()}
        for r in range(raters)
    }


def main() -> None:
    rng = random.Random(11)
    items = list(load_instrument().function_ids)
    rates = {k: per_second(lambda k=k: summarise(ratings(k, items, rng), items)) for k in (2, 4, 8)}
    for k, rate in rates.items():
        print(f"staffing results per second, {k} raters x {len(items)} functions: {rate:8.1f}")
    record_figure(
        "staffing: results (4 raters, 32 functions) per second",
        rates[4],
        "1/s",
        ">= 5",
        "spread, disagreements, 6 weighted kappas with CI, ICC(A,1) with CI",
    )


if __name__ == "__main__":
    main()
