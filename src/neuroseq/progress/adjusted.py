"""Age-adjusted progress: change measured against typical development, not only raw.

Typical children mature between two assessments, so an unchanged rating means falling
behind them. For the Functional Score and every region and domain score:

    adjusted change = (after - before) - (typical_after - typical_before)

where ``typical_*`` is the typical child's score at the child's age at that assessment on
the same rated items. Its reliable change index uses the score's own SD and reliability:
the typical score is a fixed function of age and adds no measurement error. This is the
same definition as the cohort outcome counts (:mod:`neuroseq.cohort.outcomes`), so a
child's report and a programme's counts agree. The typical change is what maturation
alone gives; the adjusted change is the part beyond it (not by itself proof that
treatment caused it). Age-typical percent (``100 x score / typical``) is shown beside it.

**Developmental velocity**: age-equivalent gain per month elapsed, per domain; a child
developing like typical children gains about one month per month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from neuroseq.instrument import Instrument
from neuroseq.instrument.schema import Function
from neuroseq.progress.rci import (
    RELIABLE_THRESHOLD,
    Classification,
    classify,
    standard_error_of_difference,
)
from neuroseq.scoring.functional import AgeEquivalent, age_equivalent, typical_group_score

AdjustedScope = Literal["total", "region", "domain"]


@dataclass(frozen=True)
class AdjustedChange:
    """One score's change against the typical child's change over the same ages."""

    scope: AdjustedScope
    key: str
    name: str
    before: float | None
    after: float | None
    typical_before: float | None
    typical_after: float | None
    sd: float
    reliability: float
    items_differ: bool = False

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def typical_change(self) -> float | None:
        if self.typical_before is None or self.typical_after is None:
            return None
        return self.typical_after - self.typical_before

    @property
    def adjusted_change(self) -> float | None:
        change, typical = self.change, self.typical_change
        return None if change is None or typical is None else change - typical

    @staticmethod
    def _percent(score: float | None, typical: float | None) -> float | None:
        if score is None or typical is None or typical <= 0:
            return None
        return 100.0 * score / typical

    @property
    def percent_before(self) -> float | None:
        """Age-typical percent at the first assessment."""
        return self._percent(self.before, self.typical_before)

    @property
    def percent_after(self) -> float | None:
        return self._percent(self.after, self.typical_after)

    @property
    def s_diff(self) -> float:
        return standard_error_of_difference(self.sd, self.reliability)

    @property
    def rci(self) -> float | None:
        adjusted = self.adjusted_change
        return None if adjusted is None else adjusted / self.s_diff

    @property
    def classification(self) -> Classification:
        return classify(self.rci)

    @property
    def reliable(self) -> bool:
        rci = self.rci
        return rci is not None and abs(rci) > RELIABLE_THRESHOLD

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "key": self.key,
            "name": self.name,
            "before": self.before,
            "after": self.after,
            "change": self.change,
            "typical_before": self.typical_before,
            "typical_after": self.typical_after,
            "typical_change": self.typical_change,
            "adjusted_change": self.adjusted_change,
            "age_typical_percent_before": self.percent_before,
            "age_typical_percent_after": self.percent_after,
            "rci": self.rci,
            "reliable": self.reliable,
            "classification": self.classification,
            "sd": self.sd,
            "reliability": self.reliability,
            "s_diff": self.s_diff,
            "rated_items_differ": self.items_differ,
        }


def typical_score(
    functions: tuple[Function, ...],
    ratings: Mapping[str, int | None],
    age_months: float,
    inst: Instrument,
) -> float | None:
    """The typical child's score at this age on the functions rated here (as in scoring)."""
    return typical_group_score(functions, ratings, inst.typical_statuses(age_months))


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
