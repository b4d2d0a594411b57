"""The relational core: relational work and caregiver coaching from the first phase.

Relationships are the core repetitive intervention (Perry 2009), so they do not wait
until the lower brain is regulated. The catalogue's ``relational_core`` lists, in order
of preference, the activities that run alongside every phase (coaching the caregivers,
co-regulation, daily one-to-one time); the plan takes those that suit the child's age
and relational developmental age, up to the catalogue's maximum, spread over settings.
"""

from __future__ import annotations

from collections import Counter

from neuroseq.instrument import Instrument
from neuroseq.instrument.activities import Activity, Catalogue
from neuroseq.plan.inputs import PlanInputs
from neuroseq.plan.model import Dose, Reason, Recommendation
from neuroseq.plan.reasons import PLAIN_WHERE
from neuroseq.plan.selection import Choice, assign_pair, natural_pairs

RELATIONAL_DOMAIN = "relational"


def relational_age(inputs: PlanInputs, inst: Instrument) -> float:
    """The relational domain's age equivalent, capped at the chronological age."""
    age = inputs.chronological_age_months
    months = (
        inputs.developmental_age_months.get(RELATIONAL_DOMAIN)
        if RELATIONAL_DOMAIN in inst.domain_ids
        else None
    )
    return age if months is None else min(months, age)


def _recommendation(choice: Choice, catalogue: Catalogue, dev: float, age: float) -> Recommendation:
    a = choice.activity
    d = choice.dosage
    core = catalogue.relational_core
    assert core is not None
    rng, ok = a.developmental_age_months, a.age_acceptable_months
    reasons = [
        Reason(
            kind="sequence",
            text=(
                "Relational core: runs from phase 1 alongside every phase, whatever the focus "
                f"region. {' '.join(core.rationale.split())}"
            ),
        ),
        Reason(
            kind="age",
            text=(
                f"Suits the relational developmental age ({dev:.0f} months; catalogue "
                f"{rng.min:g}-{rng.max:g}) and is acceptable at chronological age {age:.0f} "
                f"months (catalogue {ok.min:g}-{ok.max:g})."
            ),
        ),
        Reason(
            kind="dose",
            text=(
                f"{d.episodes_per_week} episodes a week of {d.minutes_per_episode} minutes "
                f"{PLAIN_WHERE[choice.setting]}; the dose is expert judgement."
            ),
        ),
    ]
    return Recommendation(
        activity=a.id,
        name=a.name,
        plain_name=a.plain_name,
        plain_description=a.plain_description,
        stage=a.stage,
        setting=choice.setting,
        delivered_by=choice.delivered_by,
        other_settings=[s for s in a.settings if s != choice.setting],
        others_who_can_deliver=[p for p in a.delivered_by if p != choice.delivered_by],
        dosage=Dose(
            days_per_week=d.days_per_week,
            episodes_per_day=d.episodes_per_day,
            minutes_per_episode=d.minutes_per_episode,
            episodes_per_week=d.episodes_per_week,
            minutes_per_week=d.minutes_per_week,
            plain=d.plain,
        ),
        targets=list(a.functions),
        reasons=reasons,
        sources=list(dict.fromkeys([*core.sources, *a.sources])),
    )


def core_activities(inputs: PlanInputs, inst: Instrument, catalogue: Catalogue) -> list[Activity]:
    """Every core activity that fits this child, in the catalogue's order of preference."""
    core = catalogue.relational_core
    if core is None:
        return []
    age = inputs.chronological_age_months
    dev = relational_age(inputs, inst)
    return [
        a
        for a in (catalogue.activity(i) for i in core.activities)
        if a.age_acceptable_months.contains(age) and a.developmental_age_months.contains(dev)
    ]


def _choices(inputs: PlanInputs, inst: Instrument, catalogue: Catalogue) -> list[Choice]:
    """Up to the catalogue's maximum, preferring a setting not yet used (home, school,
    clinic...), so the relational work reaches more of the people around the child."""
    core = catalogue.relational_core
    if core is None:
        return []
    remaining = core_activities(inputs, inst, catalogue)
    settings: Counter[str] = Counter()
    people: Counter[str] = Counter()
    chosen: list[Choice] = []
    while remaining and len(chosen) < core.max_activities:
        options = []
        for a in remaining:
            pairs = tuple(natural_pairs(a))
            setting, person = assign_pair(pairs, settings, people)
            options.append(Choice(a, setting, person, (), pairs))
        pick = next((c for c in options if settings[c.setting] == 0), options[0])
        chosen.append(pick)
        remaining.remove(pick.activity)
        settings[pick.setting] += 1
        people[pick.delivered_by] += 1
    return chosen


def core_ids(inputs: PlanInputs, inst: Instrument, catalogue: Catalogue) -> set[str]:
    """The activities the relational core takes, so phases do not repeat them."""
    return {c.activity.id for c in _choices(inputs, inst, catalogue)}


def relational_core(
    inputs: PlanInputs, inst: Instrument, catalogue: Catalogue
) -> list[Recommendation]:
    """The core recommendations for this child."""
    age = inputs.chronological_age_months
    dev = relational_age(inputs, inst)
    return [_recommendation(c, catalogue, dev, age) for c in _choices(inputs, inst, catalogue)]


__all__ = ["core_activities", "core_ids", "relational_age", "relational_core"]
