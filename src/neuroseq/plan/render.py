"""The plan in words, for three audiences.

``clinician``: technical, with scores, gaps, thresholds, reasons and sources.
``caregiver`` and ``teacher``: plain language for a reading age of about 11-12 (short
sentences, common words); a brain-region word is always followed by what it means. The
teacher text puts school activities first. A test measures the reading grade.
"""

from __future__ import annotations

from typing import Literal

from neuroseq.instrument import Instrument
from neuroseq.instrument.activities import Catalogue
from neuroseq.plan.model import Phase, Plan, Recommendation

Audience = Literal["clinician", "caregiver", "teacher"]
AUDIENCES: tuple[Audience, ...] = ("clinician", "caregiver", "teacher")

PLAIN_SETTING = {
    "home": "at home",
    "school": "at school",
    "clinic": "at the clinic",
    "community": "out and about, for example at a club",
}
PLAIN_PERSON = {
    "caregiver": "a parent or carer",
    "teacher": "a teacher or school helper",
    "peer": "another child or a friend",
    "therapist": "a therapist",
    "coach": "a coach or club leader",
    "other": "another trusted adult",
}


def _months(value: float) -> str:
    return f"{value:.0f} months ({value / 12:.1f} years)"


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


# --------------------------------------------------------------------------- clinician
def _clinician_recommendation(r: Recommendation, catalogue: Catalogue) -> list[str]:
    d = r.dosage
    lines = [
        f"- {r.name} [{r.activity}; {r.stage}] - {r.setting}, {r.delivered_by}; "
        f"{d.days_per_week} d/wk x {d.episodes_per_day}/day x {d.minutes_per_episode} min "
        f"({d.episodes_per_week} episodes, {d.minutes_per_week} min/wk)",
        f"  targets: {', '.join(r.targets)}",
    ]
    lines += [f"  - {reason.kind}: {reason.text}" for reason in r.reasons]
    lines.append(
        f"  sources: {'; '.join(' '.join(catalogue.sources[s].split()) for s in r.sources)}"
    )
    return lines


def _clinician_phase(p: Phase, catalogue: Catalogue) -> list[str]:
    w = p.weekly_dose
    lines = [
        "",
        f"## Phase {p.number}: {p.region} ({p.status})",
        f"Entry: {p.entry_criteria.summary}",
        "Developmental age for activity fit: "
        + ", ".join(f"{d} {_months(m)}" for d, m in p.developmental_age_months.items())
        + f" - {p.developmental_age_basis}.",
        "Compromised functions: "
        + ", ".join(
            f"{t.function} {t.current} (typical {t.typical_status:.2f}, target {t.target})"
            for t in p.compromised
        ),
    ]
    for r in p.recommendations:
        lines += _clinician_recommendation(r, catalogue)
    lines.append(
        f"Weekly dose: {w.episodes_per_week} episodes, {w.minutes_per_week} min; "
        f"{w.average_episodes_per_day}/day (goal {w.daily_episodes_goal}: "
        f"{'met' if w.meets_daily_goal else 'NOT met'}); by setting "
        f"{w.episodes_by_setting}; by person {w.episodes_by_delivered_by}."
    )
    lines += [f"Note: {n}" for n in p.notes]
    return lines


def _clinician(plan: Plan, catalogue: Catalogue) -> str:
    rs = plan.relational_supports
    lines = []
    if plan.synthetic:
        lines.append("SYNTHETIC - generated example data, not a real child.")
    lines += [
        f"# Sequential plan{f' for {plan.pseudonym}' if plan.pseudonym else ''}",
        f"Instrument v{plan.instrument_version}, catalogue v{plan.catalogue_version}; "
        f"chronological age {_months(plan.chronological_age_months)}; focus threshold "
        f"{plan.threshold_points:g} points.",
        "",
        "Region review (bottom-up): score / typical / gap:",
    ]
    lines += [
        f"- {r.region}: {_score(r.score)} / {_score(r.typical)} / {_score(r.gap)}"
        + (" BELOW THRESHOLD" if r.below_threshold else "")
        for r in plan.regions
    ]
    lines += [
        "",
        f"Focus region: {plan.focus_region or 'none'}; first step: {plan.first_step}.",
        f"Relational gate: {plan.relational_gate}. {rs.statement}",
    ]
    lines += [f"- {a.name} [{a.item} = {a.item_rating}]: {a.description}" for a in rs.actions]
    for p in plan.phases:
        lines += _clinician_phase(p, catalogue)
    lines += ["", f"Next phase when: {plan.next_phase_when.summary}", "", "Strengths:"]
    lines += [f"- {s.function} ({s.region}): {s.why}" for s in plan.strengths] or ["- none"]
    if plan.not_rated:
        lines.append(f"Not rated (excluded): {', '.join(plan.not_rated)}")
    lines += ["", *plan.notes]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- plain
def _region_words(region_id: str, inst: Instrument) -> str:
    region = inst.region(region_id)
    return f'We call it "{region.plain_name.lower()}". {region.plain_description}'


def _for_audience(text: str, audience: Audience) -> str:
    """Catalogue plain texts speak to a parent; a teacher reads about "the pupil"."""
    if audience != "teacher":
        return text
    for parent, school in (
        ("Your young person", "The pupil"),
        ("your young person", "the pupil"),
        ("Your child", "The pupil"),
        ("your child", "the pupil"),
    ):
        text = text.replace(parent, school)
    return text


def _plain_recommendation(r: Recommendation, audience: Audience) -> list[str]:
    return [
        f"- {r.plain_name}. {_for_audience(r.plain_description, audience)}",
        f"  Where and who: {PLAIN_SETTING[r.setting]}, with {PLAIN_PERSON[r.delivered_by]}.",
        f"  How often: {r.dosage.plain}.",
    ]


def _plain(plan: Plan, inst: Instrument, audience: Audience) -> str:
    child = "the pupil" if audience == "teacher" else "your child"
    child_cap = child[0].upper() + child[1:]
    lines = []
    if plan.synthetic:
        lines.append("This is a made-up example. It is not about a real child.")
    lines += [
        f"# A plan for {plan.pseudonym or child}",
        "",
        "The brain grows from the bottom up. The lower parts keep the body calm and steady. "
        "The middle parts help with feelings and people. The top parts help with thinking "
        "and talking. We start with the lowest part that needs help. Then we move up.",
    ]
    rs = plan.relational_supports
    if rs.comes_first:
        lines += [
            "",
            "## First: more steady, caring people",
            f"Right now {child} does not have enough steady support from caring people. "
            "The other ideas in this plan will not work well until this gets better. "
            "These steps come first:",
        ]
        lines += [
            f"- {a.plain_name}. {_for_audience(a.plain_description, audience)}" for a in rs.actions
        ]
    elif rs.gate == "marginal":
        lines += [
            "",
            f"A word of care: {child} has some support, but not much. The plan can start. "
            "It will work better as the support around them grows. These steps help:",
        ]
        lines += [
            f"- {a.plain_name}. {_for_audience(a.plain_description, audience)}" for a in rs.actions
        ]
    current = plan.current_phase
    if current is None:
        lines += [
            "",
            f"{child_cap} is doing as well as other children of the same age. "
            "Keep doing the good things you already do.",
        ]
    else:
        lines += _plain_phase(current, plan, inst, child, audience)
    if plan.strengths:
        lines += ["", "## What is going well"]
        lines += [f"- {s.plain_name}" for s in plan.strengths]
    lines += ["", "## What comes next"]
    if len(plan.phases) > 1:
        after = plan.phases[1]
        lines.append(
            "When the things above get better, we move up to the next part of the brain. "
            + _region_words(after.region, inst)
        )
    else:
        lines.append("When these get better, we will look again at what helps most.")
    lines.append("The team will check how things are going at the next review.")
    return "\n".join(lines) + "\n"


def _plain_phase(
    p: Phase, plan: Plan, inst: Instrument, child: str, audience: Audience
) -> list[str]:
    recs = p.recommendations
    if audience == "teacher":
        recs = sorted(recs, key=lambda r: r.setting != "school")
    lines = [
        "",
        f"## Where we start: {inst.region(p.region).plain_name.lower()}",
        _region_words(p.region, inst),
        f"These things are hard for {child} right now:",
    ]
    lines += [f"- {t.plain_name}" for t in p.compromised]
    lines += ["", "## What to do"]
    if plan.relational_supports.comes_first:
        lines.append("Start these as the support around the child grows.")
    for r in recs:
        lines += _plain_recommendation(r, audience)
    w = p.weekly_dose
    lines += [
        "",
        "Little and often works best. Many short turns every day help more than one long "
        f"visit a week. Together these make about {w.episodes_per_week} short turns a week. "
        "Everyone around the child can help: at home, at school and in clubs.",
    ]
    return lines


def render_plan(
    plan: Plan, audience: Audience, instrument: Instrument, catalogue: Catalogue
) -> str:
    """The plan as text for ``audience``: ``clinician``, ``caregiver`` or ``teacher``."""
    if audience == "clinician":
        return _clinician(plan, catalogue)
    if audience in ("caregiver", "teacher"):
        return _plain(plan, instrument, audience)
    raise ValueError(f"audience: expected one of {', '.join(AUDIENCES)}, got {audience!r}")
