"""The sequential plan as cards for a page: clinician, caregiver and teacher views.

A pure function of the assessment's inputs (through ``neuroseq.plan``): phases in plain
words (function and region names, never ids), each activity with who / where / how often,
the reasons behind it ("why this?"), and the relational gate and any safety blocks first.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from neuroseq.brainmap.text import format_age
from neuroseq.instrument import Instrument

log = logging.getLogger(__name__)

AUDIENCES = ("clinician", "caregiver", "teacher")
SETTING_WORDS = {
    "home": "At home",
    "school": "At school",
    "clinic": "At the clinic",
    "community": "Out and about (clubs, activities)",
}
PERSON_WORDS = {
    "caregiver": "A parent or carer",
    "teacher": "A teacher or school helper",
    "peer": "Another child or a friend",
    "therapist": "A therapist",
    "coach": "A coach or club leader",
    "other": "Another trusted adult",
}
STAGE_WORDS = {"regulate": "Regulate", "relate": "Relate", "reason": "Reason"}
STATUS_WORDS = {
    "current": "Now",
    "upcoming": "Later, when the phase before has moved on",
    "after_relational_supports": "After the relational supports are in place",
}
REASON_WORDS = {
    "rating": "Rating",
    "threshold": "Gap from the typical child",
    "sequence": "Sequence",
    "age": "Age fit",
    "catalogue": "Catalogue",
    "dose": "Repetition",
    "gate": "Relational gate",
}
GATE_WORDS = {
    "sufficient": "Sufficient",
    "marginal": "Marginal",
    "insufficient": "Insufficient",
    "not_rated": "Not rated",
}


@dataclass
class Activity:
    name: str
    description: str
    who: str
    where: str
    how_often: str
    stage: str
    helps_with: list[str]
    reasons: list[dict[str, str]]
    also: str
    sources: list[str]


@dataclass
class PhaseCard:
    number: int
    region: str
    region_plain: str
    region_text: str
    status: str
    current: bool
    why_here: str
    functions: list[dict[str, Any]]
    activities: list[Activity]
    dose: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Block:
    """A notice that comes before any activity: safety, or the relational gate."""

    kind: str  # "medical" | "safeguarding" | "coverage" | "gate"
    title: str
    text: str
    items: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass
class PlanPage:
    audience: str
    child: str  # how the page names the child
    blocks: list[Block]
    phases: list[PhaseCard]
    strengths: list[str]
    later: str  # families: what comes after the current phase, in a sentence
    not_rated: list[str]
    next_when: str
    notes: list[str]
    synthetic: bool
    maintain: bool  # nothing is far enough below the typical child: keep going


def _humaniser(inst: Instrument, catalogue: Any) -> Any:
    """Replace internal ids (functions, regions, domains, activities) by their names."""
    names: dict[str, str] = {}
    names.update({f.id: f.name for f in inst.functions})
    names.update({r.id: r.name for r in inst.regions})
    names.update({d.id: d.name for d in inst.domains})
    names.update({i.id: i.name for i in (*inst.current_items, *inst.history_items)})
    if catalogue is not None:
        names.update({a.id: a.name for a in catalogue.activities})
    # An id that is already an ordinary word (e.g. "relational", "cortex") reads fine and
    # may be part of a sentence: leave it.
    names = {k: v for k, v in names.items() if v.lower() != k.replace("_", " ")}
    pattern = re.compile(
        r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b"
    )

    def humanise(text: str) -> str:
        text = pattern.sub(lambda m: names[m.group(1)], text)
        return re.sub(r"\[([^\]]*)\]", r"(\1)", text)

    return humanise


def _who(audience: str, child_name: str) -> tuple[str, str]:
    if audience == "teacher":
        return child_name, child_name
    if audience == "caregiver":
        return "your child", child_name
    return "the child", child_name


def _for_teacher(text: str, name: str) -> str:
    for parent in ("Your young person", "your young person", "Your child", "your child"):
        text = text.replace(parent, name)
    return text


def _activity(
    r: Any, audience: str, inst: Instrument, humanise: Any, catalogue: Any, name: str
) -> Activity:
    plain = audience != "clinician"
    targets = [inst.function(t) for t in r.targets if t in inst.function_ids]
    helps = [t.plain_name if plain else t.name for t in targets]
    description = r.plain_description
    if audience == "teacher":
        description = _for_teacher(description, name)
    if plain:
        reasons = [
            {
                "kind": "Why",
                "text": "It helps with "
                + ", ".join(h.lower() for h in helps)
                + ". Short, calm turns repeated often tend to help most.",
            }
        ]
        if len(helps) == 0:
            reasons = []
    else:
        reasons = [
            {"kind": REASON_WORDS.get(x.kind, x.kind.title()), "text": humanise(x.text)}
            for x in r.reasons
        ]
    dose = r.dosage
    how_often = (
        dose.plain
        if plain
        else f"{dose.plain} ({dose.days_per_week} days a week x {dose.episodes_per_day} a day x "
        f"{dose.minutes_per_episode} min; {dose.episodes_per_week} times, "
        f"{dose.minutes_per_week} min a week)"
    )
    others = [PERSON_WORDS[p].lower() for p in r.others_who_can_deliver if p in PERSON_WORDS]
    sources = []
    if not plain and catalogue is not None:
        sources = [
            " ".join(catalogue.sources[s].split()) for s in r.sources if s in catalogue.sources
        ]
    return Activity(
        name=r.plain_name if plain else r.name,
        description=description,
        who=PERSON_WORDS.get(r.delivered_by, r.delivered_by),
        where=SETTING_WORDS.get(r.setting, r.setting),
        how_often=how_often,
        stage=STAGE_WORDS.get(r.stage, r.stage.title()),
        helps_with=helps,
        reasons=reasons,
        also=("Others who can do it: " + ", ".join(others) + ".") if others else "",
        sources=sources,
    )


def _phase(
    p: Any, audience: str, inst: Instrument, humanise: Any, catalogue: Any, name: str
) -> PhaseCard:
    plain = audience != "clinician"
    region = inst.region(p.region)
    recs = list(p.recommendations)
    if audience == "teacher":
        recs.sort(key=lambda r: r.setting != "school")
    functions = [
        {
            "name": t.plain_name if plain else t.name,
            "current": t.current,
            "typical": f"{t.typical_status:.1f}",
            "target": t.target,
        }
        for t in p.compromised
    ]
    dose = p.weekly_dose
    if plain:
        dose_text = (
            f"Together these make about {dose.episodes_per_week} short turns a week. Little and "
            "often works best: many short turns every day help more than one long visit a week."
        )
    else:
        dose_text = (
            f"{dose.episodes_per_week} episodes, {dose.minutes_per_week} minutes a week; "
            f"{dose.average_episodes_per_day} a day (goal {dose.daily_episodes_goal}: "
            f"{'met' if dose.meets_daily_goal else 'not met'})."
        )
    return PhaseCard(
        number=p.number,
        region=region.name,
        region_plain=region.plain_name,
        region_text=region.plain_description if plain else region.description,
        status=STATUS_WORDS.get(p.status, p.status),
        current=p.status == "current",
        why_here=humanise(p.entry_criteria.summary),
        functions=functions,
        activities=[_activity(r, audience, inst, humanise, catalogue, name) for r in recs],
        dose=dose_text,
        notes=[humanise(n) for n in p.notes] if not plain else [],
    )


def _safety_blocks(plan: Any, audience: str, humanise: Any) -> list[Block]:
    """Safety blocks the plan package puts first (medical referral, safeguarding, coverage),
    when this installation's plan has them; any shape with kind/title/text/reasons works."""
    blocks = []
    for b in getattr(plan, "blocks", None) or getattr(plan, "safety", None) or []:
        plain = audience != "clinician"
        title = getattr(b, "plain_title", None) if plain else None
        text = getattr(b, "plain_text", None) if plain else None
        blocks.append(
            Block(
                kind=str(getattr(b, "kind", "safety")),
                title=humanise(title or getattr(b, "title", "Before anything else")),
                text=humanise(text or getattr(b, "text", "")),
                items=[humanise(str(i)) for i in getattr(b, "items", []) or []],
                reasons=[
                    humanise(getattr(r, "text", str(r))) for r in getattr(b, "reasons", []) or []
                ]
                if not plain
                else [],
            )
        )
    return blocks


def _gate_block(plan: Any, audience: str, child: str, humanise: Any) -> Block | None:
    rs = plan.relational_supports
    plain = audience != "clinician"
    if plain and rs.gate == "sufficient":
        return None
    if plain:
        title = {
            "insufficient": "First: more steady, caring people",
            "marginal": "Caring people make the plan work",
            "not_rated": "Relationships come first",
        }.get(rs.gate, "Relationships")
        text = {
            "insufficient": f"Right now {child} needs more steady support from caring people. "
            "These steps come first; the other ideas work better once they are in place.",
            "marginal": f"The plan can start now. It works better as the support around {child} "
            "grows. These steps help:",
            "not_rated": "The team has not yet looked at the support around the child now.",
        }.get(rs.gate, "")
        items = [
            f"{a.plain_name}. "
            + (
                _for_teacher(a.plain_description, child)
                if audience == "teacher"
                else a.plain_description
            )
            for a in rs.actions
        ]
    else:
        title = f"Relational gate: {GATE_WORDS.get(rs.gate, rs.gate)}"
        text = humanise(rs.statement)
        items = [f"{a.name}: {a.description}" for a in rs.actions]
    return Block(kind="gate", title=title, text=text, items=items)


def plan_page(
    plan: Any,
    inst: Instrument,
    catalogue: Any,
    audience: str,
    *,
    child_name: str,
) -> PlanPage:
    """Cards for ``audience`` from a built plan (``neuroseq.plan.Plan``)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience: expected one of {', '.join(AUDIENCES)}, got {audience!r}")
    humanise = _humaniser(inst, catalogue)
    child, name = _who(audience, child_name)
    blocks = _safety_blocks(plan, audience, humanise)
    gate = _gate_block(plan, audience, child, humanise)
    if gate is not None:
        blocks.append(gate)
    plain = audience != "clinician"
    strengths = [s.plain_name if plain else f"{s.name}: {humanise(s.why)}" for s in plan.strengths]
    not_rated = [
        inst.function(f).plain_name if plain else inst.function(f).name
        for f in plan.not_rated
        if f in inst.function_ids
    ]
    phases = [_phase(p, audience, inst, humanise, catalogue, name) for p in plan.phases]
    later = ""
    if plain and len(phases) > 1:
        # Families get the phase to work on now; the next one in a sentence.
        following = phases[1]
        later = (
            f"When these things get better, the team moves up to the next part of the brain: "
            f"{following.region_plain.lower()}. {following.region_text}"
        )
        phases = phases[:1]
    return PlanPage(
        audience=audience,
        child=child,
        blocks=blocks,
        phases=phases,
        later=later,
        strengths=strengths,
        not_rated=not_rated,
        next_when=humanise(plan.next_phase_when.summary) if not plain else "",
        notes=[humanise(n) for n in plan.notes] if not plain else [],
        synthetic=plan.synthetic,
        maintain=not plan.phases,
    )


def build(parsed: Any, inst: Instrument) -> tuple[Any, Any] | None:
    """(plan, catalogue) for a parsed assessment, or None if this installation cannot plan."""
    try:
        from neuroseq.instrument.activities import load_activities
        from neuroseq.plan import plan_for_assessment

        catalogue = load_activities(inst)
        return plan_for_assessment(parsed, inst, catalogue), catalogue
    except Exception:  # a plan bug must not hide the record; the page says "not available"
        log.exception("plan failed")
        return None


def age_words(months: float) -> str:
    return format_age(months)
