"""Brain map rendering speed, and its cost relative to scoring the same assessment.

Run: ``python benchmarks/bench_maps.py``. Prints numbers only; nothing here asserts a time.
The tracked figure is brain maps per second; its goal (>= 50) is ours: a page shows up to
three maps, which then take at most 60 ms to draw.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from figures import record_figure
from neuroseq.assessment import parse_assessment
from neuroseq.brainmap import render_change_map, render_map, render_typical_comparison
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.instrument import load_instrument
from neuroseq.scoring import score_assessment


def per_second(work: Callable[[], object], seconds: float = 1.0) -> float:
    """Calls per second over at least ``seconds`` of wall time (after one warm-up call)."""
    work()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        work()
        count += 1
    return count / elapsed


def main() -> None:
    inst = load_instrument()
    a = parse_assessment(WORKED_EXAMPLE, inst)
    name, age, day = a.client.pseudonym, a.age_months, a.assessment_date
    maps = per_second(
        lambda: render_map(inst, a.functional, pseudonym=name, age_months=age, assessment_date=day)
    )
    typical = per_second(
        lambda: render_typical_comparison(
            inst, a.functional, pseudonym=name, age_months=age, assessment_date=day
        )
    )
    change = per_second(
        lambda: render_change_map(
            inst,
            a.functional,
            a.functional,
            pseudonym=a.client.pseudonym,
            age_months=a.age_months,
            before_date=a.assessment_date,
            assessment_date=a.assessment_date,
        )
    )
    scoring = per_second(lambda: score_assessment(a, inst))
    print(f"brain maps rendered per second:        {maps:10.1f}")
    print(f"typical comparisons per second:        {typical:10.1f}")
    print(f"change maps per second:                {change:10.1f}")
    print(f"assessments scored per second:         {scoring:10.1f}")
    print(f"map time / scoring time (same record): {scoring / maps:10.2f}")
    record_figure(
        "maps: brain maps rendered per second", maps, "/s", ">= 50", "three maps <= 60 ms a page"
    )


if __name__ == "__main__":
    main()
