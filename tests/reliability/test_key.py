"""Agreement of one rater with an expert key (the training page's figures)."""

from __future__ import annotations

import pytest

from neuroseq.instrument import load_instrument
from neuroseq.reliability import ReliabilityError, agreement_with_key, icc, most_missed

INST = load_instrument()
IDS = INST.function_ids


def key_pattern() -> dict[str, int]:
    """A key that uses all four statuses, so every statistic is defined."""
    return {fid: i % 4 for i, fid in enumerate(IDS)}


def test_matching_the_key_is_perfect() -> None:
    key = key_pattern()
    r = agreement_with_key(dict(key), key, INST)
    assert r.overall.exact == 1.0 and r.overall.within_one == 1.0
    assert r.icc_a1 is not None and r.icc_a1.value == pytest.approx(1.0)
    assert r.weighted_kappa is not None and r.weighted_kappa.value == pytest.approx(1.0)
    assert r.missed_most() == ()
    assert set(r.domains) == set(INST.domain_ids)


def test_one_level_too_high_everywhere_is_consistent_but_not_in_absolute_agreement() -> None:
    key = {fid: v for fid, v in key_pattern().items() if v < 3}
    rater = {fid: v + 1 for fid, v in key.items()}
    r = agreement_with_key(rater, key, INST)
    assert r.overall.exact == 0.0 and r.overall.within_one == 1.0
    assert r.overall.mean_abs_difference == 1.0
    assert r.icc_a1 is not None and r.icc_a1.form == "ICC2"
    assert r.icc_a1.value < 0.9
    pairs = [[rater[f], key[f]] for f in key]
    assert icc(pairs, "ICC3").value == pytest.approx(1.0)  # consistency would hide the bias


def test_items_missed_most_come_first_and_unrated_counts_as_missed() -> None:
    key = key_pattern()
    rater = dict(key)
    far, near, skipped = IDS[3], IDS[1], IDS[2]  # key 3, 1, 2
    rater[far] = 0
    rater[near] = 2
    rater[skipped] = None
    r = agreement_with_key(rater, key, INST)
    assert [i.function_id for i in r.missed_most()] == [skipped, far, near]
    assert r.not_rated == (skipped,)
    assert r.overall.n_rated == len(IDS) - 1
    assert r.overall.exact == pytest.approx((len(IDS) - 3) / len(IDS))
    domain = next(f.domain for f in INST.functions if f.id == far)
    assert r.domains[domain].exact is not None and r.domains[domain].exact < 1


def test_constant_ratings_leave_icc_undefined_but_the_rest_standing() -> None:
    key = dict.fromkeys(IDS, 2)
    r = agreement_with_key(dict.fromkeys(IDS, 2), key, INST)
    assert r.overall.exact == 1.0
    assert r.icc_a1 is None and r.weighted_kappa is None
    assert any("ICC(A,1)" in note for note in r.overall.notes)


def test_bad_ids_and_values_are_named() -> None:
    with pytest.raises(ReliabilityError) as exc:
        agreement_with_key({"nope": 1, IDS[0]: 7}, {IDS[0]: 2, "also_nope": 1}, INST)
    text = str(exc.value)
    assert "ratings.nope: unknown function id" in text
    assert "key.also_nope: unknown function id" in text
    assert f"ratings.{IDS[0]}: expected a status 0-3 or null, got 7" in text


def test_most_missed_across_attempts() -> None:
    key = key_pattern()
    first = dict(key)
    first[IDS[0]] = 3
    second = dict(key)
    second[IDS[0]] = 2
    second[IDS[5]] = 0 if key[IDS[5]] else 1
    rows = most_missed([agreement_with_key(a, key, INST) for a in (first, second)])
    assert rows[0].function_id == IDS[0] and rows[0].missed == 2 and rows[0].attempts == 2
    assert rows[1].function_id == IDS[5] and rows[1].miss_rate == 0.5
