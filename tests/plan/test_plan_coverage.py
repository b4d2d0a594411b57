"""``check_coverage``: the pure check the web review step calls while a clinician rates."""

from __future__ import annotations

from neuroseq.instrument import Instrument, load_instrument
from neuroseq.instrument.rules import load_rules
from neuroseq.plan import check_coverage

INST = load_instrument("2")
RULES = load_rules(INST)
assert RULES is not None
ALL_RELATIONAL = {i.id: 2 for i in INST.current_items}


def rated_all(inst: Instrument) -> dict[str, int | None]:
    return dict.fromkeys(inst.function_ids, 2)


def test_everything_rated_is_enough() -> None:
    coverage = check_coverage(rated_all(INST), ALL_RELATIONAL, INST, RULES)
    assert coverage.ok and coverage.rate_first == [] and coverage.first_underrated_region is None


def test_one_missing_item_per_region_is_tolerated_but_a_minority_is_not() -> None:
    ratings = rated_all(INST)
    for region in INST.region_ids:
        ratings[INST.functions_in_region(region)[0].id] = None
    assert check_coverage(ratings, ALL_RELATIONAL, INST, RULES).ok
    limbic = [f.id for f in INST.functions_in_region("limbic")]
    for f in limbic[:4]:  # 4 of 8 rated; the rules ask for 5
        ratings[f] = None
    coverage = check_coverage(ratings, ALL_RELATIONAL, INST, RULES)
    assert not coverage.ok and coverage.first_underrated_region == "limbic"
    row = next(r for r in coverage.regions if r.region == "limbic")
    assert (row.rated, row.total, row.min_rated) == (4, 8, RULES.coverage.min_rated["limbic"])
    assert coverage.rate_first == limbic[:4]


def test_rate_first_lists_lower_regions_first_then_relational_health() -> None:
    ratings = rated_all(INST)
    for f in [*INST.functions_in_region("frontal_cortex"), *INST.functions_in_region("brainstem")]:
        ratings[f.id] = None
    coverage = check_coverage(ratings, {"school_connectedness": 1}, INST, RULES)
    brainstem = [f.id for f in INST.functions_in_region("brainstem")]
    frontal = [f.id for f in INST.functions_in_region("frontal_cortex")]
    assert coverage.first_underrated_region == "brainstem"
    assert coverage.rate_first[: len(brainstem)] == brainstem
    assert coverage.rate_first[len(brainstem) : len(brainstem) + len(frontal)] == frontal
    assert "family_connectedness" in coverage.rate_first[len(brainstem) + len(frontal) :]
    assert not coverage.relational_ok
    assert coverage.relational_required_missing == ["family_connectedness"]


def test_closeness_at_home_is_required_even_when_enough_items_are_rated() -> None:
    relational = dict(ALL_RELATIONAL, family_connectedness=None)
    coverage = check_coverage(rated_all(INST), relational, INST, RULES)
    assert not coverage.ok and not coverage.relational_ok
    assert coverage.rate_first == ["family_connectedness"]
