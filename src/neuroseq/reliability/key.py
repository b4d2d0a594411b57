"""Agreement of one rater with an expert key: what a trainee sees after rating a vignette.

The items are the instrument's functions, rated on its 0-3 status scale. The overall
figures are ICC(A,1) (= Shrout-Fleiss ICC2: absolute agreement, so a trainee who rates
everything one level too high is not "reliable") over items x {rater, key}, and Cohen's
kappa with quadratic weights (by default) on the 0-3 scale. Each domain gets the same
breakdown; the items are listed with the key's and the rater's rating so the page can
show the items missed by the most levels first, beside the key's reasoning.

A function the key leaves unrated is not part of the comparison; one the rater leaves
unrated is reported as not rated (and counted as missed), never as zero. A statistic
that is undefined for these ratings (e.g. both gave every item the same status) is
``None`` with the reason in ``notes``; the rest of the comparison still stands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neuroseq.instrument import Instrument
from neuroseq.reliability.errors import ReliabilityError
from neuroseq.reliability.icc import IccResult, icc
from neuroseq.reliability.kappa import KappaResult, Weights, cohen_kappa

STATUSES = (0.0, 1.0, 2.0, 3.0)


@dataclass(frozen=True)
class ItemComparison:
    function_id: str
    name: str
    domain: str
    region: str
    key: int
    rating: int | None

    @property
    def difference(self) -> int | None:
        """Rater minus key (positive: the rater saw more maturity than the key)."""
        return None if self.rating is None else self.rating - self.key

    @property
    def missed(self) -> bool:
        return self.rating != self.key

    def to_dict(self) -> dict[str, Any]:
        return {
            "function": self.function_id,
            "name": self.name,
            "domain": self.domain,
            "region": self.region,
            "key": self.key,
            "rating": self.rating,
            "difference": self.difference,
            "missed": self.missed,
        }


@dataclass(frozen=True)
class GroupAgreement:
    """Agreement on one group of items (the whole review, or one domain)."""

    n_items: int
    n_rated: int
    exact: float | None  # share of keyed items rated exactly as the key (unrated = miss)
    within_one: float | None
    mean_abs_difference: float | None  # over items both rated
    icc_a1: IccResult | None
    weighted_kappa: KappaResult | None
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_items": self.n_items,
            "n_rated": self.n_rated,
            "exact": self.exact,
            "within_one": self.within_one,
            "mean_abs_difference": self.mean_abs_difference,
            "icc_a1": None if self.icc_a1 is None else self.icc_a1.to_dict(),
            "weighted_kappa": None
            if self.weighted_kappa is None
            else self.weighted_kappa.to_dict(),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class KeyAgreement:
    overall: GroupAgreement
    domains: dict[str, GroupAgreement]
    items: tuple[ItemComparison, ...]
    weights: Weights

    @property
    def icc_a1(self) -> IccResult | None:
        return self.overall.icc_a1

    @property
    def weighted_kappa(self) -> KappaResult | None:
        return self.overall.weighted_kappa

    @property
    def not_rated(self) -> tuple[str, ...]:
        return tuple(i.function_id for i in self.items if i.rating is None)

    def missed_most(self, limit: int = 5) -> tuple[ItemComparison, ...]:
        """Missed items, furthest from the key first (not rated before a one-level miss)."""
        missed = [i for i in self.items if i.missed]
        missed.sort(key=lambda i: -(4 if i.difference is None else abs(i.difference)))
        return tuple(missed[:limit])

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": self.weights,
            "overall": self.overall.to_dict(),
            "domains": {d: g.to_dict() for d, g in self.domains.items()},
            "items": [i.to_dict() for i in self.items],
            "missed_most": [i.function_id for i in self.missed_most()],
            "not_rated": list(self.not_rated),
        }


def _status(value: Any, where: str, errors: list[str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value not in STATUSES:
        errors.append(f"{where}: expected a status 0-3 or null, got {value!r}")
        return None
    return int(value)


def _group(items: Sequence[ItemComparison], weights: Weights) -> GroupAgreement:
    keyed = len(items)
    both = [i for i in items if i.rating is not None]
    notes: list[str] = []
    if not keyed:
        return GroupAgreement(0, 0, None, None, None, None, None, ("no keyed items",))
    exact = sum(1 for i in items if i.difference == 0) / keyed
    within = sum(1 for i in items if i.difference is not None and abs(i.difference) <= 1) / keyed
    mad = float(np.mean([abs(i.difference or 0) for i in both])) if both else None
    icc_result: IccResult | None = None
    kappa_result: KappaResult | None = None
    if len(both) >= 2:
        pairs = np.asarray([[i.rating, i.key] for i in both], dtype=float)
        try:
            icc_result = icc(pairs, "ICC2", rater_names=["rater", "key"])
        except ReliabilityError as exc:
            notes.extend(f"ICC(A,1): {e}" for e in exc.errors)
        try:
            kappa_result = cohen_kappa(
                pairs[:, 0], pairs[:, 1], weights, categories=STATUSES, names=("rater", "key")
            )
        except ReliabilityError as exc:
            notes.extend(f"weighted kappa: {e}" for e in exc.errors)
    else:
        notes.append("fewer than two items rated by both: no ICC or kappa")
    return GroupAgreement(
        n_items=keyed,
        n_rated=len(both),
        exact=exact,
        within_one=within,
        mean_abs_difference=mad,
        icc_a1=icc_result,
        weighted_kappa=kappa_result,
        notes=tuple(notes),
    )


def agreement_with_key(
    ratings: Mapping[str, Any],
    key: Mapping[str, Any],
    instrument: Instrument,
    *,
    weights: Weights = "quadratic",
) -> KeyAgreement:
    """Compare one rater's functional ratings with the expert key, item by item."""
    known = set(instrument.function_ids)
    errors = [
        f"{label}.{fid}: unknown function id for instrument v{instrument.version}"
        for label, mapping in (("ratings", ratings), ("key", key))
        for fid in mapping
        if fid not in known
    ]
    items: list[ItemComparison] = []
    for function in instrument.functions:
        key_value = _status(key.get(function.id), f"key.{function.id}", errors)
        rating = _status(ratings.get(function.id), f"ratings.{function.id}", errors)
        if key_value is None:
            continue
        items.append(
            ItemComparison(
                function.id, function.name, function.domain, function.region, key_value, rating
            )
        )
    if not items and not errors:
        errors.append("key: the key rates no function; nothing to compare")
    if errors:
        raise ReliabilityError(errors)
    return KeyAgreement(
        overall=_group(items, weights),
        domains={
            d: _group([i for i in items if i.domain == d], weights) for d in instrument.domain_ids
        },
        items=tuple(items),
        weights=weights,
    )


@dataclass(frozen=True)
class MissedItem:
    function_id: str
    attempts: int  # comparisons in which the key rated this item
    missed: int  # of those, how many the rater did not match
    mean_abs_difference: float | None  # over attempts where the item was rated

    @property
    def miss_rate(self) -> float:
        return self.missed / self.attempts if self.attempts else 0.0


def most_missed(results: Sequence[KeyAgreement], limit: int = 5) -> tuple[MissedItem, ...]:
    """Across many attempts (e.g. one trainee's vignettes), the items missed most often."""
    tally: dict[str, list[ItemComparison]] = {}
    for result in results:
        for item in result.items:
            tally.setdefault(item.function_id, []).append(item)
    rows = []
    for fid, seen in tally.items():
        rated = [abs(i.difference) for i in seen if i.difference is not None]
        rows.append(
            MissedItem(
                function_id=fid,
                attempts=len(seen),
                missed=sum(i.missed for i in seen),
                mean_abs_difference=float(np.mean(rated)) if rated else None,
            )
        )
    rows = [r for r in rows if r.missed]
    rows.sort(key=lambda r: (-r.miss_rate, -(r.mean_abs_difference or 0.0), r.function_id))
    return tuple(rows[:limit])
