"""Recommendations with their reasons, and the weekly dose they add up to.

Each reason names its evidence: the ratings it answers, the threshold rule that made the
region the focus, the sequence stage, the age fit, the catalogue tags and the dose.
"""

from __future__ import annotations

from collections import Counter

from neuroseq.instrument import Instrument
from neuroseq.instrument.activities import Catalogue
from neuroseq.plan.inputs import PlanInputs
from neuroseq.plan.model import Dose, Reason, Recommendation, RegionReview, WeeklyDose
from neuroseq.plan.selection import Choice

DAYS_PER_WEEK = 7
PLAIN_WHERE = {
    "home": "at home",
    "school": "at school",
    "clinic": "in the clinic",
    "community": "in the community",
}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def reasons_for(
    choice: Choice,
    review: RegionReview,
    developmental_ages: dict[str, float],
    inputs: PlanInputs,
    inst: Instrument,
    catalogue: Catalogue,
    threshold: float | None = None,
) -> list[Reason]:
    a = choice.activity
    points = inst.plan.focus_threshold_points if threshold is None else threshold
    reasons = [
        Reason(
            kind="rating",
            text=(
                f"{t.function} rated {t.current} "
                f"({inst.status_level(t.current).label if t.current is not None else 'n/a'}); "
                f"typical at this age {t.typical_status:.2f}; target {t.target}."
            ),
        )
        for t in choice.covers
    ]
    reasons.append(
        Reason(
            kind="threshold",
            text=(
                f"{review.region} scores {_fmt(review.score)} vs {_fmt(review.typical)} for the "
                f"typical child of the same age (gap {_fmt(review.gap)} > threshold "
                f"{round(points, 1):g} points)."
            ),
        )
    )
    stage = catalogue.stage(a.stage)
    reasons.append(
        Reason(
            kind="sequence",
            text=(
                f"{stage.name} stage (regulate -> relate -> reason); targets "
                f"{', '.join(a.regions)}, matching the phase region {review.region}."
            ),
        )
    )
    dev, chrono = a.developmental_age_months, a.age_acceptable_months
    levels = sorted({inst.function(t.function).domain for t in choice.covers})
    at = ", ".join(f"{d} {developmental_ages[d]:.0f} months" for d in levels)
    reasons.append(
        Reason(
            kind="age",
            text=(
                f"Suits the developmental age of the targeted domains ({at}; catalogue "
                f"{dev.min:g}-{dev.max:g}) and is acceptable at chronological age "
                f"{inputs.chronological_age_months:.0f} months (catalogue "
                f"{chrono.min:g}-{chrono.max:g})."
            ),
        )
    )
    reasons.append(
        Reason(
            kind="catalogue",
            text=(
                f"Catalogue {a.id}: functions [{', '.join(a.functions)}]"
                + (f", domains [{', '.join(a.domains)}]" if a.domains else "")
                + f"; basis {a.basis}. Setting {choice.setting} and {choice.delivered_by} "
                "chosen to spread the plan across the therapeutic web."
            ),
        )
    )
    d = choice.dosage
    reasons.append(
        Reason(
            kind="dose",
            text=(
                f"{_count(d.episodes_per_week, 'episode')} a week of "
                f"{_count(d.minutes_per_episode, 'minute')} ({d.minutes_per_week} minutes) "
                f"{PLAIN_WHERE[choice.setting]}: short, frequent, patterned repetition is how "
                "use-dependent change is thought to happen (Perry 2006); the dose is expert "
                "judgement, not a tested figure."
            ),
        )
    )
    return reasons


def recommendation(
    choice: Choice,
    review: RegionReview,
    developmental_ages: dict[str, float],
    inputs: PlanInputs,
    inst: Instrument,
    catalogue: Catalogue,
    threshold: float | None = None,
) -> Recommendation:
    a = choice.activity
    d = choice.dosage
    return Recommendation(
        activity=a.id,
        name=a.name,
        plain_name=a.plain_name,
        plain_description=a.plain_description,
        stage=a.stage,
        setting=choice.setting,
        delivered_by=choice.delivered_by,
        other_settings=[
            s for s in a.settings if s != choice.setting and any(p[0] == s for p in choice.allowed)
        ],
        others_who_can_deliver=[
            p
            for p in a.delivered_by
            if p != choice.delivered_by and any(pair[1] == p for pair in choice.allowed)
        ],
        dosage=Dose(
            days_per_week=d.days_per_week,
            episodes_per_day=d.episodes_per_day,
            minutes_per_episode=d.minutes_per_episode,
            episodes_per_week=d.episodes_per_week,
            minutes_per_week=d.minutes_per_week,
            plain=d.plain,
        ),
        targets=[t.function for t in choice.covers],
        reasons=reasons_for(choice, review, developmental_ages, inputs, inst, catalogue, threshold),
        sources=list(a.sources),
    )


def weekly_dose(recs: list[Recommendation], catalogue: Catalogue) -> WeeklyDose:
    episodes = sum(r.dosage.episodes_per_week for r in recs)
    by_setting: Counter[str] = Counter()
    by_person: Counter[str] = Counter()
    for r in recs:
        by_setting[r.setting] += r.dosage.episodes_per_week
        by_person[r.delivered_by] += r.dosage.episodes_per_week
    goal = catalogue.dose_guidance.daily_episodes_goal
    average = episodes / DAYS_PER_WEEK
    return WeeklyDose(
        episodes_per_week=episodes,
        minutes_per_week=sum(r.dosage.minutes_per_week for r in recs),
        average_episodes_per_day=round(average, 1),
        daily_episodes_goal=goal,
        meets_daily_goal=average >= goal,
        episodes_by_setting=dict(sorted(by_setting.items())),
        episodes_by_delivered_by=dict(sorted(by_person.items())),
    )
