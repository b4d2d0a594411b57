"""The plan in words, for three audiences.

``clinician``: technical, with the safety blocks and their reasons, scores, gaps, the
focus rule, reasons and sources.
``caregiver`` and ``teacher``: plain language for a reading age of about 11-12 (short
sentences, common words); a brain-region word is always followed by what it means. Safety
blocks come first, before any activity, with only the reasons the rules mark as
shareable. Each audience gets the details of what *they* do (what, how often, with whom)
and one line on what others do: a teacher is never handed a home routine, and is never
addressed as the parent. A test measures the reading grade.
"""

from __future__ import annotations

from typing import Literal

from neuroseq.instrument import Instrument
from neuroseq.instrument.activities import Catalogue
from neuroseq.plan.model import Block, Phase, Plan, Recommendation

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
BLOCK_LABEL = {
    "medical": "MEDICAL",
    "safeguarding": "SAFEGUARDING",
    "coverage": "COVERAGE",
    "contraindication": "CONTRAINDICATION",
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
    ]
    if p.unlocked_by is not None:
        lines.append(f"Unlocked: {p.unlocked_by.text}")
    lines += [
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


def _clinician_block(b: Block) -> list[str]:
    lines = ["", f"## {BLOCK_LABEL[b.kind]}: {b.title}", b.text, "Reasons:"]
    lines += [f"- {r.text}" for r in b.reasons]
    if b.holds:
        lines.append(f"Held: {', '.join(b.holds)}")
    shared = [r.plain_text for r in b.reasons if r.plain_text]
    if len(shared) < len(b.reasons):
        lines.append(
            "Not in the caregiver's or teacher's copy: "
            f"{len(b.reasons) - len(shared)} of {len(b.reasons)} reasons (clinician only)."
        )
    return lines


def _clinician(plan: Plan, catalogue: Catalogue) -> str:
    rs = plan.relational_supports
    lines = []
    if plan.synthetic:
        lines.append("SYNTHETIC - generated example data, not a real child.")
    rule = (
        plan.focus_rule.text
        if plan.focus_rule is not None
        else f"focus threshold {plan.threshold_points:g} points."
    )
    lines += [
        f"# Sequential plan{f' for {plan.pseudonym}' if plan.pseudonym else ''}",
        f"Instrument v{plan.instrument_version}, catalogue v{plan.catalogue_version}; "
        f"chronological age {_months(plan.chronological_age_months)}.",
        f"First step: {plan.first_step}.",
    ]
    for b in plan.blocks:
        lines += _clinician_block(b)
    lines += [
        "",
        f"Focus rule: {rule}",
        "Region review (bottom-up): score / typical / gap (threshold):",
    ]
    lines += [
        f"- {r.region}: {_score(r.score)} / {_score(r.typical)} / {_score(r.gap)}"
        + (f" ({r.threshold:.1f})" if r.threshold is not None else "")
        + (" BELOW THRESHOLD" if r.below_threshold else "")
        for r in plan.regions
    ]
    if plan.coverage is not None:
        lines.append(
            "Coverage (rated / minimum): "
            + ", ".join(f"{c.region} {c.rated}/{c.min_rated}" for c in plan.coverage.regions)
            + f"; current relational health {plan.coverage.relational_rated}/"
            f"{plan.coverage.relational_min_rated}."
        )
    lines += [
        "",
        f"Focus region: {plan.focus_region or 'none'}.",
        f"Relational gate: {plan.relational_gate}. {rs.statement}",
    ]
    lines += [f"- {a.name} [{a.item} = {a.item_rating}]: {a.description}" for a in rs.actions]
    if plan.relational_core:
        lines += ["", "## Relational core (from phase 1, alongside every phase)"]
        for r in plan.relational_core:
            lines += _clinician_recommendation(r, catalogue)
    for p in plan.phases:
        lines += _clinician_phase(p, catalogue)
    if plan.weekly_dose_now is not None:
        w = plan.weekly_dose_now
        lines += [
            "",
            f"Everything running now: {w.episodes_per_week} episodes, {w.minutes_per_week} "
            f"min a week; {w.average_episodes_per_day}/day (goal {w.daily_episodes_goal}: "
            f"{'met' if w.meets_daily_goal else 'NOT met'}).",
        ]
    if plan.considerations:
        lines += ["", "Consider (clinician only):"]
        lines += [f"- {k.text} Sources: {'; '.join(k.sources)}" for k in plan.considerations]
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
    """Plain texts speak to a parent ("your child"); a teacher reads about "the pupil"."""
    child, child_cap = _child(audience)
    text = text.replace("{child}", child).replace("{Child}", child_cap)
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


PLAIN_UNLOCKED = {
    "reliable_improvement": "The part below is getting steadier, so this part starts too.",
    "plateau_no_change": (
        "The part below has stayed about the same for a while. That happens, and it is "
        "nobody's fault. So we also start on this part, and keep going with the part below."
    ),
    "plateau_documented": (
        "The team has seen that the part below has stayed about the same for a while. "
        "That happens, and it is nobody's fault. So we also start on this part, and keep "
        "going with the part below."
    ),
}


def unlocked_words(kind: str) -> str:
    """Why a further part starts now, in a caregiver's words: "steadier" only when the part
    below really improved; a plateau is named as one, without blame."""
    return PLAIN_UNLOCKED[kind]


def _child(audience: Audience) -> tuple[str, str]:
    return ("the pupil", "The pupil") if audience == "teacher" else ("your child", "Your child")


def _is_theirs(r: Recommendation, audience: Audience) -> bool:
    """What this reader does themselves: school activities for a teacher; home, community
    and the caregiver's part of clinic work for a caregiver."""
    if audience == "teacher":
        return r.setting == "school"
    return r.setting in ("home", "community") or r.delivered_by == "caregiver"


def _plain_recommendation(r: Recommendation, audience: Audience) -> list[str]:
    return [
        f"- {r.plain_name}. {_for_audience(r.plain_description, audience)}",
        f"  Where and who: {PLAIN_SETTING[r.setting]}, with {PLAIN_PERSON[r.delivered_by]}.",
        f"  How often: {r.dosage.plain}.",
    ]


def _others_line(r: Recommendation) -> str:
    """What someone else does, for information: no instructions and no dose, so a teacher
    never reads a home routine as something to do."""
    return f"- {r.plain_name}: {PLAIN_SETTING[r.setting]}, with {PLAIN_PERSON[r.delivered_by]}."


def _plain_recommendations(
    recs: list[Recommendation], audience: Audience, heading: str | None
) -> list[str]:
    """Details of what this reader does, then one line each on what others do."""
    mine = [r for r in recs if _is_theirs(r, audience)]
    others = [r for r in recs if not _is_theirs(r, audience)]
    lines = ["", heading] if heading else []
    if not mine:
        lines.append(
            "There is nothing new for you to do in this part yet. Your calm, steady care "
            "already helps."
        )
    for r in mine:
        lines += _plain_recommendation(r, audience)
    home = [r for r in others if r.setting == "home"] if audience == "teacher" else []
    listed = [r for r in others if r not in home]
    if listed or home:
        lines += ["", "What others do, so you know:"]
        lines += [_others_line(r) for r in listed]
    if home:  # a teacher needs to know the family is busy too, not the family's routines
        lines.append(
            f"- At home, the family does {len(home)} more "
            f"{'activity' if len(home) == 1 else 'activities'} from this plan."
        )
    return lines


def _plain_block(b: Block, audience: Audience) -> list[str]:
    text = b.teacher_text if audience == "teacher" else b.caregiver_text
    if text is None:
        return []
    lines = ["", f"## {_for_audience(b.plain_title, audience)}", _for_audience(text, audience)]
    for r in b.reasons:
        if r.plain_text is None:
            continue
        line = f"- {_for_audience(r.plain_text, audience)}"
        if audience == "caregiver" and r.plain_action:
            line += f". {_for_audience(r.plain_action, audience)}"
        lines.append(line)
    return lines


def _relational_actions(plan: Plan, audience: Audience) -> list[str]:
    """Caregivers read each step in full (they are written for the family); a teacher
    reads their names, with the ones the school can help with marked."""
    actions = plan.relational_supports.actions
    if audience != "teacher":
        return [
            f"- {a.plain_name}. {_for_audience(a.plain_description, audience)}" for a in actions
        ]
    return [
        f"- {a.plain_name}"
        + (" (the school can help with this)" if "teacher" in a.delivered_by else "")
        for a in actions
    ]


def _plain(plan: Plan, inst: Instrument, audience: Audience) -> str:
    child, child_cap = _child(audience)
    lines = []
    if plan.synthetic:
        lines.append("This is a made-up example. It is not about a real child.")
    lines.append(f"# A plan for {plan.pseudonym or child}")
    for b in plan.blocks:
        lines += _plain_block(b, audience)
    if plan.refused:
        lines += ["", "The team will share the plan once these checks are done."]
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "The brain grows from the bottom up. The lower parts keep the body calm and steady. "
        "The middle parts help with feelings and people. The top parts help with thinking "
        "and talking. We start with the lowest part that needs help. Then we move up, step "
        "by step.",
    ]
    rs = plan.relational_supports
    if rs.comes_first:
        lines += [
            "",
            f"## First: more steady, caring people around {child}",
            f"Everything in this plan works through people. Right now {child} needs more "
            "steady, caring adults around them. So these steps come first. The activities "
            "below work best once this help is in place:",
        ]
        lines += _relational_actions(plan, audience)
    elif rs.gate == "marginal":
        lines += [
            "",
            f"A few more steady people around {child} would help this plan work. The plan "
            "can start now. These steps help:",
        ]
        lines += _relational_actions(plan, audience)
    if plan.relational_core:
        lines += [
            "",
            "## From the start: time together"
            if audience == "teacher"
            else "## Every day, from the start: time together",
            "Warm, steady time with caring adults helps every other part of this plan. "
            "These start now, whatever else the plan says.",
        ]
        lines += _plain_recommendations(plan.relational_core, audience, None)
    running = [p for p in plan.phases if p.number == 1 or p.unlocked_by is not None]
    if not running:
        # no focus means no gap beyond measurement error, not a typical child
        behind = any(r.behind for r in plan.regions)
        lines += [
            "",
            "No one part needs to come first right now. Keep doing the good things you "
            "already do; the team will look again at the next review."
            if behind
            else f"{child_cap} is doing as well as other children of the same age. "
            "Keep doing the good things you already do.",
        ]
    # a part with nothing for anyone to do yet only worries the reader
    for p in running:
        if p.number == 1 or p.recommendations:
            lines += _plain_phase(p, plan, inst, child, audience)
    if running:
        w = plan.weekly_dose_now or running[0].weekly_dose
        lines += [
            "",
            "Little and often works best. Short turns, many times a day, may help more than "
            f"one long session a week. Together these make about {w.episodes_per_week} short "
            "turns a week. Everyone around the child can help: at home, at school and in "
            "clubs.",
        ]
    if plan.strengths:
        lines += ["", "## What is going well"]
        lines += [f"- {s.plain_name}" for s in plan.strengths]
    lines += ["", "## What comes next"]
    waiting = plan.phases[len(running)] if len(plan.phases) > len(running) else None
    if waiting is not None and plan.focus_rule is not None and plan.focus_rule.kind == "sem":
        lines.append(
            "When the part we work on now gets steadier, we add the next part. It does not "
            "need to be perfect first. " + _region_words(waiting.region, inst)
        )
    elif waiting is not None:
        lines.append(
            "When the things above get better, we move up to the next part of the brain. "
            + _region_words(waiting.region, inst)
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
    heading = (
        f"## Where we start: {inst.region(p.region).plain_name.lower()}"
        if p.unlocked_by is None
        else f"## Also now: {inst.region(p.region).plain_name.lower()}"
    )
    lines = ["", heading, _region_words(p.region, inst)]
    if p.unlocked_by is not None:
        lines.append(unlocked_words(p.unlocked_by.kind))
    lines.append(f"These are the things we want to help grow for {child}:")
    lines += [
        f"- {t.plain_name}" + (" (after the doctor's check)" if t.function in p.held else "")
        for t in p.compromised
    ]
    heading = "## What to do at school" if audience == "teacher" else "## What to do"
    if plan.relational_supports.comes_first:
        lines += ["", "Start these as the support around the child grows."]
    lines += _plain_recommendations(recs, audience, heading)
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
