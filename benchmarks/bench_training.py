"""Speed of the training results: agreement of an attempt with a vignette's key, and the
certification rule over a long attempt history.

Run: ``python benchmarks/bench_training.py``. Prints numbers only; nothing here asserts a
time. Tracked figure: attempts compared with their key per second; its goal (>= 5) is
ours: submitting an attempt computes the comparison once, in the request, and the figures
are stored, so it should take at most 200 ms. Measured when written (Nov 2026, shared 2 cores):
about 9 per second, most of it in statsmodels' ``cohens_kappa`` (it builds frozen scipy
distributions for every call; five calls: overall and four domains). The rule is
evaluated for three levels on every training page view.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, timedelta

from figures import record_figure
from neuroseq.training import AttemptRecord, agreement, evaluate, load_rules, load_vignettes


def per_second(work: Callable[[], object], seconds: float = 1.0) -> float:
    """Calls per second over at least ``seconds`` of wall time (after one warm-up call)."""
    work()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        work()
        count += 1
    return count / elapsed


def main() -> None:
    rng = random.Random(11)
    vignettes = load_vignettes()
    vignette = vignettes[0]
    attempt = {
        fid: min(3, max(0, s + rng.choice((-1, 0, 0, 0, 1))))
        for fid, s in vignette.key_statuses.items()
    }
    compared = per_second(lambda: agreement(attempt, vignette))
    rules = load_rules()
    today = date(2026, 6, 1)
    history = [
        AttemptRecord(
            vignettes[i % len(vignettes)].id,
            1,
            today - timedelta(days=400 - i * 2),
            rng.uniform(0.6, 1.0),
            rng.uniform(0.8, 1.0),
        )
        for i in range(200)
    ]
    rule = per_second(
        lambda: [evaluate(lv, history, [], today, rules) for lv in ("rater", "staffing_lead")]
    )
    print(f"attempts compared with the key per second:        {compared:10.1f}")
    print(f"rule evaluations (2 levels, 200 attempts) per s: {rule:10.1f}")
    record_figure(
        "training: attempts compared with the key per second",
        compared,
        "1/s",
        ">= 5",
        "ICC(A,1) with CI, weighted kappa, exact/within-one, 4 domains, 32 items",
    )


if __name__ == "__main__":
    main()
