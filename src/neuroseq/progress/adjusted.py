"""Age-adjusted progress: change measured against typical development, not only raw.

Typical children mature between two assessments, so an unchanged rating means falling
behind them. Three figures separate maturation from change beyond it:

- **age-typical percent** at each time (the child's weighted status sum as a percentage
  of the typical child's of the same age on the same rated items), with the reliable
  change index computed on it using the reference sample's SD for it;
- **maturation**: on the items rated at both times, the child's change against the
  typical child's change over the same months (``beyond_typical`` = the difference);
- **developmental velocity**: age-equivalent gain per month elapsed, per domain; a child
  developing like typical children gains about one month per month.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from neuroseq.instrument import Instrument
from neuroseq.instrument.schema import Function
from neuroseq.scoring.functional import (
    PERCENT_PER_STATUS,
    AgeEquivalent,
    age_equivalent,
    group_age_typical_percent,
)


def age_typical_percents(
    ratings: Mapping[str, int | None], age_months: float, inst: Instrument
) -> dict[str, float | None]:
    """``age_typical_percent`` (whole review) and one per domain, as in scoring."""
    typical = inst.typical_statuses(age_months)
    result = {"age_typical_percent": group_age_typical_percent(inst.functions, ratings, typical)}
    for d in inst.domain_ids:
        result[d] = group_age_typical_percent(inst.functions_in_domain(d), ratings, typical)
    return result


@dataclass(frozen=True)
class Maturation:
    """Change on the items rated at both times, against a typical child's over the interval.

    All three figures are in score points (0-100 scale, 100/3 per status step).
    """

    scope: str  # "total" or "domain"
    key: str
    items: int
    child_change: float | None
    typical_change: float | None

    @property
    def beyond_typical(self) -> float | None:
        if self.child_change is None or self.typical_change is None:
            return None
        return self.child_change - self.typical_change

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "key": self.key,
            "items_rated_both_times": self.items,
            "child_change": self.child_change,
            "typical_change": self.typical_change,
            "beyond_typical": self.beyond_typical,
        }


def maturation(
    scope: str,
    key: str,
    functions: tuple[Function, ...],
    before: tuple[Mapping[str, int | None], float],
    after: tuple[Mapping[str, int | None], float],
    inst: Instrument,
) -> Maturation:
    (r1, age1), (r2, age2) = before, after
    both = [f for f in functions if r1.get(f.id) is not None and r2.get(f.id) is not None]
    if not both:
        return Maturation(scope, key, 0, None, None)
    weight = math.fsum(f.weight for f in both)

    def mean(values: Mapping[str, float]) -> float:
        return math.fsum(f.weight * values[f.id] for f in both) / weight

    def rated(ratings: Mapping[str, int | None]) -> dict[str, float]:
        return {f.id: float(ratings[f.id] or 0) for f in both}

    t1, t2 = inst.typical_statuses(age1), inst.typical_statuses(age2)
    return Maturation(
        scope,
        key,
        len(both),
        (mean(rated(r2)) - mean(rated(r1))) * PERCENT_PER_STATUS,
        (mean(t2) - mean(t1)) * PERCENT_PER_STATUS,
    )


@dataclass(frozen=True)
class Velocity:
    """Age-equivalent gain per month elapsed in one domain (typical development: about 1)."""

    domain: str
    before: AgeEquivalent | None
    after: AgeEquivalent | None
    months_elapsed: float

    @property
    def per_month(self) -> float | None:
        """None when an age equivalent is missing or flagged (then it is not a number)."""
        if self.before is None or self.after is None or self.months_elapsed <= 0:
            return None
        if self.before.flag is not None or self.after.flag is not None:
            return None
        return (self.after.months - self.before.months) / self.months_elapsed

    @property
    def at_least(self) -> float | None:
        """A lower bound when only the bounds are known: the later age equivalent is "at
        least" its age (a ceiling) or the earlier one is "younger than the earliest norms"
        (below 0 months), and neither the other way round."""
        if self.per_month is not None or self.before is None or self.after is None:
            return None
        if self.months_elapsed <= 0 or self.before.flag == "ceiling":
            return None
        if self.after.flag == "below_norms":
            return None
        if self.before.flag is None and self.after.flag is None:
            return None
        return (self.after.months - self.before.months) / self.months_elapsed

    @property
    def note(self) -> str | None:
        if self.before is None or self.after is None:
            return "not rated at one of the two times"
        if self.months_elapsed <= 0:
            return "no time elapsed between the assessments"
        flagged = [ae.text for ae in (self.before, self.after) if ae.flag is not None]
        if flagged:
            return f"not computed: the age equivalent is {' and '.join(flagged)}"
        return None

    @property
    def text(self) -> str:
        """Plain wording, e.g. "0.4 months per month (typical children: about 1)"."""
        value = self.per_month
        if value is not None:
            return f"{value:.1f} months per month (typical children: about 1)"
        bound = self.at_least
        if bound is not None:
            return f"at least {bound:.1f} months per month (typical children: about 1)"
        return self.note or "not computed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "age_equivalent_before": self.before.months if self.before else None,
            "age_equivalent_after": self.after.months if self.after else None,
            "age_equivalent_before_text": self.before.text if self.before else None,
            "age_equivalent_after_text": self.after.text if self.after else None,
            "months_elapsed": self.months_elapsed,
            "months_per_month": self.per_month,
            "months_per_month_at_least": self.at_least,
            "text": self.text,
        }


def velocities(
    before: tuple[Mapping[str, int | None], float],
    after: tuple[Mapping[str, int | None], float],
    inst: Instrument,
) -> tuple[Velocity, ...]:
    (r1, age1), (r2, age2) = before, after
    return tuple(
        Velocity(d, age_equivalent(d, r1, inst)[0], age_equivalent(d, r2, inst)[0], age2 - age1)
        for d in inst.domain_ids
    )
