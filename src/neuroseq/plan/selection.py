"""Choosing activities for one phase and spreading them across the therapeutic web.

Candidates must target the phase's region, be acceptable at the chronological age, and
reach at least one compromised function (directly, or through a domain tag within the
activity's regions) at the developmental age of that function's domain. Among candidates a greedy,
deterministic choice prefers, in this order of weight: covering compromised functions
not yet covered (largest shortfall first), a setting and a person not yet used, and
daily repetition. Ties go to catalogue order, so the same input gives the same plan.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from neuroseq.instrument import Instrument
from neuroseq.instrument.activities import (
    DELIVERERS,
    SETTINGS,
    Activity,
    Catalogue,
    Deliverer,
    Dosage,
    Setting,
)
from neuroseq.plan.model import FunctionTarget

# Who usually delivers in each setting; used only to pair a setting with a person.
NATURAL_DELIVERERS: dict[Setting, tuple[Deliverer, ...]] = {
    "home": ("caregiver", "other", "peer"),
    "school": ("teacher", "peer", "therapist", "coach"),
    "clinic": ("therapist", "caregiver"),
    "community": ("coach", "caregiver", "peer", "other"),
}
DAILY_LIFE_DAYS = 5
DAILY_PEOPLE: tuple[Deliverer, ...] = ("caregiver", "teacher", "peer", "other")
COVERAGE_WEIGHT = 10.0
NEW_SETTING_WEIGHT = 3.0
NEW_PERSON_WEIGHT = 2.0
DAILY_WEIGHT = 1.0


Pair = tuple[Setting, Deliverer]


@dataclass(frozen=True)
class Choice:
    activity: Activity
    setting: Setting
    delivered_by: Deliverer
    covers: tuple[FunctionTarget, ...]
    allowed: tuple[Pair, ...] = ()

    @property
    def dosage(self) -> Dosage:
        return self.activity.dose_for(self.setting)


@dataclass(frozen=True)
class Candidate:
    """An activity that fits, with the compromised functions it reaches at the child's level,
    and the setting-person pairs it may be given in (all of the data's, unless a safety
    rule narrowed them)."""

    activity: Activity
    reach: tuple[FunctionTarget, ...]
    pairs: tuple[Pair, ...] = ()

    @property
    def allowed(self) -> tuple[Pair, ...]:
        return self.pairs or tuple(natural_pairs(self.activity))


def covers(activity: Activity, inst: Instrument, function_id: str) -> bool:
    """Whether the activity's tags reach this function (by id, or by domain in its regions)."""
    if function_id in activity.functions:
        return True
    f = inst.function(function_id)
    return f.domain in activity.domains and f.region in activity.regions


def candidates(
    catalogue: Catalogue,
    inst: Instrument,
    region: str,
    compromised: list[FunctionTarget],
    developmental_ages: dict[str, float],
    chronological_age: float,
    narrowed: Mapping[str, tuple[Pair, ...]] | None = None,
) -> list[Candidate]:
    """Activities of the region, acceptable at this age, that reach a compromised function
    at the developmental age of that function's domain.

    ``narrowed`` maps an activity id to the only pairs a safety rule still allows for it;
    an activity narrowed to no pair at all is left out.
    """
    pool = []
    narrowed = narrowed or {}
    for a in catalogue.activities:
        if region not in a.regions or not a.age_acceptable_months.contains(chronological_age):
            continue
        if a.id in narrowed and not narrowed[a.id]:
            continue
        reach = tuple(
            t
            for t in compromised
            if covers(a, inst, t.function)
            and a.developmental_age_months.contains(
                developmental_ages[inst.function(t.function).domain]
            )
        )
        if reach:
            pool.append(Candidate(a, reach, narrowed.get(a.id, ())))
    return pool


def is_daily(dosage: Dosage) -> bool:
    """Activities repeated on most days belong where the child lives, not in a clinic."""
    return dosage.days_per_week >= DAILY_LIFE_DAYS


def is_daily_life(activity: Activity) -> bool:
    return is_daily(activity.dosage)


def natural_pairs(activity: Activity) -> list[Pair]:
    """Setting-person pairs that make sense for this activity, most natural first.

    A daily activity goes to the people who see the child daily, outside the clinic; a
    therapist or coach meets the child weekly and teaches the others. With per-setting
    ``delivery`` data the pairs are the data's own, and "daily" is each setting's dosage.
    """
    every = activity.pairs()
    if activity.delivery is not None:
        daily = [
            (s, d)
            for s, d in every
            if s != "clinic" and d in DAILY_PEOPLE and is_daily(activity.dose_for(s))
        ]
        return daily or every
    natural = [(s, d) for s, d in every if d in NATURAL_DELIVERERS[s]]
    daily = (
        [(s, d) for s, d in natural if s != "clinic" and d in DAILY_PEOPLE]
        if is_daily_life(activity)
        else []
    )
    return daily or natural or every


def assign_pair(pairs: tuple[Pair, ...], settings: Counter[str], people: Counter[str]) -> Pair:
    """A natural setting-person pair, preferring a setting, then a person, not yet used."""
    return min(
        pairs,
        key=lambda p: (
            settings[p[0]],
            people[p[1]],
            SETTINGS.index(p[0]),
            NATURAL_DELIVERERS[p[0]].index(p[1])
            if p[1] in NATURAL_DELIVERERS[p[0]]
            else len(DELIVERERS) + DELIVERERS.index(p[1]),
        ),
    )


def choose(pool: list[Candidate], compromised: list[FunctionTarget], limit: int) -> list[Choice]:
    """Greedy, deterministic selection of up to ``limit`` activities from ``pool``."""
    shortfall = {t.function: t.target - (t.current or 0) for t in compromised}
    covered: set[str] = set()
    settings: Counter[str] = Counter()
    people: Counter[str] = Counter()
    chosen: list[Choice] = []
    remaining = list(pool)
    while remaining and len(chosen) < limit:
        best: tuple[float, int] | None = None
        best_choice: Choice | None = None
        for index, c in enumerate(remaining):
            setting, person = assign_pair(c.allowed, settings, people)
            new = [t for t in c.reach if t.function not in covered]
            gain = (
                COVERAGE_WEIGHT * sum(shortfall[t.function] for t in new)
                + NEW_SETTING_WEIGHT * (settings[setting] == 0)
                + NEW_PERSON_WEIGHT * (people[person] == 0)
            )
            if gain == 0:
                continue
            gain += DAILY_WEIGHT * is_daily(c.activity.dose_for(setting))
            if best is None or gain > best[0]:
                best = (gain, index)
                best_choice = Choice(c.activity, setting, person, c.reach, c.allowed)
        if best is None or best_choice is None:
            break
        chosen.append(best_choice)
        remaining.pop(best[1])
        covered.update(t.function for t in best_choice.covers)
        settings[best_choice.setting] += 1
        people[best_choice.delivered_by] += 1
    return chosen
