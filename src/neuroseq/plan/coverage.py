"""Coverage: are enough items rated for the plan to say where to start?

A plan built on a lower region nobody rated would start higher and claim "we start with
the lowest part that needs help"; one built without current relational health would
ignore the people who must carry it. :func:`check_coverage` is pure and cheap, so the
review step of the web app can call it while a clinician is still rating.

The plan uses it like this (see :mod:`neuroseq.plan.engine`): regions are read bottom-up
and the plan may start in a region only if every region below it is adequately rated;
the first under-rated region stops the review there. With current relational health
under-rated the plan does not proceed at all and asks for it first.
"""

from __future__ import annotations

from collections.abc import Mapping

from neuroseq.instrument import Instrument
from neuroseq.instrument.rules import Rules
from neuroseq.plan.model import Coverage, RegionCoverage


def check_coverage(
    ratings: Mapping[str, int | None],
    current_relational_items: Mapping[str, int | None],
    instrument: Instrument,
    rules: Rules,
) -> Coverage:
    """Rated items per region and of current relational health against the rules' minimums.

    ``rate_first`` lists what to rate, in the order to rate it: the unrated items of each
    under-rated region bottom-up, then the missing current relational items.
    """
    regions = []
    for r in instrument.region_ids:
        items = [f.id for f in instrument.functions_in_region(r)]
        unrated = [f for f in items if ratings.get(f) is None]
        rated = len(items) - len(unrated)
        minimum = rules.coverage.min_rated[r]
        regions.append(
            RegionCoverage(
                region=r,
                rated=rated,
                total=len(items),
                min_rated=minimum,
                ok=rated >= minimum,
                unrated=unrated,
            )
        )
    current = [i.id for i in instrument.current_items]
    rel_unrated = [i for i in current if current_relational_items.get(i) is None]
    rel_rated = len(current) - len(rel_unrated)
    required_missing = [
        i for i in rules.coverage.relational_required if current_relational_items.get(i) is None
    ]
    rel_ok = rel_rated >= rules.coverage.relational_min_rated and not required_missing
    first_gap = next((row.region for row in regions if not row.ok), None)
    rate_first = [f for row in regions if not row.ok for f in row.unrated]
    if not rel_ok:
        rate_first += rel_unrated
    return Coverage(
        ok=first_gap is None and rel_ok,
        regions=regions,
        first_underrated_region=first_gap,
        relational_rated=rel_rated,
        relational_total=len(current),
        relational_min_rated=rules.coverage.relational_min_rated,
        relational_required_missing=required_missing,
        relational_ok=rel_ok,
        relational_unrated=rel_unrated,
        rate_first=rate_first,
    )


__all__ = ["check_coverage"]
