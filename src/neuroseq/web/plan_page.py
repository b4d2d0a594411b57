"""The sequential plan as cards for a page: clinician, caregiver and teacher views.

A pure function of a built plan (``neuroseq.plan.Plan``): safety blocks and the relational
gate first, then phases in plain words (function and region names, never ids), each
activity with who / where / how often and the reasons behind it ("why this?").

The family versions follow the plan package's rules for its text renderer: each reader gets
the details of what *they* do and one line on what others do, a teacher is never handed a
home routine and is never addressed as the parent, and a block reason the rules keep for
clinicians (``plain_text`` None) is not shown to the family.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from neuroseq.brainmap.text import typical_words
from neuroseq.instrument import Instrument
from neuroseq.plan.render import unlocked_words

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
    "upcoming": "Later",
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
BLOCK_WORDS = {
    "medical": "Medical",
    "safeguarding": "Safeguarding",
    "coverage": "Coverage",
    "contraindication": "Contraindication",
}
PLAIN_BLOCK_WORDS = {
    "medical": "Health check first",
    "safeguarding": "Keeping safe",
    "coverage": "Still to do",
    "contraindication": "With the clinician",
}
GATE_WORDS = {
    "sufficient": "Sufficient",
    "marginal": "Marginal",
    "insufficient": "Insufficient",
    "not_rated": "Not rated",
}

Humanise = Callable[[str], str]


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
    held: bool = False


@dataclass
class Group:
    """Activities: in full for what this reader does, one line each for what others do."""

    mine: list[Activity]
    others: list[str]
    home_count: int = 0  # teacher: activities the family does at home, not listed


@dataclass
class PhaseCard:
    number: int
    region: str
    region_plain: str
    region_text: str
    status: str
    running: bool
    unlocked: str
    why_here: str
    functions: list[dict[str, Any]]
    activities: Group
    dose: str
    notes: list[str] = field(default_factory=list)
    has_activities: bool = True


@dataclass
class BlockCard:
    """Something that comes before any activity: safety, coverage, or the relational gate."""

    kind: str
    label: str
    title: str
    text: str
    items: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class PlanPage:
    audience: str
    child: str  # how the page names the child
    blocks: list[BlockCard]
    refused: bool
    core: Group | None
    phases: list[PhaseCard]
    strengths: list[str]
    later: str
    not_rated: list[str]
    next_when: str
    notes: list[str]
    considerations: list[str]
    focus_rule: str
    regions: list[dict[str, str]]
    dose_now: str
    synthetic: bool
    maintain: bool
    maintain_note: str = ""


def counted(n: int, word: str) -> str:
    """ "1 day", "3 days": a clinician's dose line reads as written."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def status_words(inst: Instrument, value: float | None) -> str:
    """A status with its meaning ("3 · mature"), or "not rated"."""
    return "not rated" if value is None else typical_words(inst, value)


def _humaniser(inst: Instrument, catalogue: Any) -> Humanise:
    """Replace internal ids (functions, regions, domains, items, activities) by names."""
    names: dict[str, str] = {}
    names.update({f.id: f.name for f in inst.functions})
    names.update({r.id: r.name for r in inst.regions})
    names.update({d.id: d.name for d in inst.domains})
    names.update({i.id: i.name for i in (*inst.current_items, *inst.history_items)})
    names.update({f.id: f.label for f in getattr(inst, "flags", ()) or ()})
    if catalogue is not None:
        names.update({a.id: a.name for a in catalogue.activities})
    # An id that is already an ordinary word (e.g. "relational", "attunement") reads fine
    # and may be part of a sentence: leave it. Regions are always named as the instrument
    # names them, so "Brainstem" and "Diencephalon and cerebellum" read alike.
    regions = {r.id for r in inst.regions}
    names = {k: v for k, v in names.items() if "_" in k or v.lower() != k or k in regions}
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    pattern = re.compile(r"(?<![Ff]rontal )\b(" + alternatives + r")\b")

    def humanise(text: str) -> str:
        text = pattern.sub(lambda m: names[m.group(1)], text)
        for name in set(names.values()):  # "id (Name)" became "Name (Name)"
            text = text.replace(f"{name} ({name})", name)
        return re.sub(r"\[([^\]]*)\]", r"(\1)", text)

    return humanise


def _words_for(audience: str, name: str) -> Callable[[str], str]:
    """Plain texts speak to a parent ("your child"); a teacher reads the pupil's name."""
    child = "your child" if audience == "caregiver" else name
    child_cap = "Your child" if audience == "caregiver" else name

    def words(text: str) -> str:
        text = text.replace("{child}", child).replace("{Child}", child_cap)
        if audience == "teacher":
            for parent in ("Your young person", "your young person", "Your child", "your child"):
                text = text.replace(parent, name)
        return text

    return words


def _is_theirs(r: Any, audience: str) -> bool:
    """What this reader does themselves (as the plan package's renderer decides)."""
    if audience == "teacher":
        return bool(r.setting == "school")
    return r.setting in ("home", "community") or r.delivered_by == "caregiver"


def _activity(
    r: Any, audience: str, inst: Instrument, humanise: Humanise, catalogue: Any, words: Any
) -> Activity:
    plain = audience != "clinician"
    targets = [inst.function(t) for t in r.targets if t in inst.function_ids]
    helps = [t.plain_name if plain else t.name for t in targets]
    if plain:
        reasons = (
            [
                {
                    "kind": "Why",
                    "text": "It helps with "
                    + ", ".join(h.lower() for h in helps)
                    + ". Short turns repeated often may help more than one long session.",
                }
            ]
            if helps
            else []
        )
    else:
        reasons = [
            {"kind": REASON_WORDS.get(x.kind, x.kind.title()), "text": humanise(x.text)}
            for x in r.reasons
        ]
    dose = r.dosage
    how_often = (
        dose.plain
        if plain
        else f"{dose.plain} ({counted(dose.days_per_week, 'day')} a week x "
        f"{dose.episodes_per_day} a day x {dose.minutes_per_episode} min; "
        f"{counted(dose.episodes_per_week, 'time')}, {dose.minutes_per_week} min a week)"
    )
    others = [PERSON_WORDS[p].lower() for p in r.others_who_can_deliver if p in PERSON_WORDS]
    sources = []
    if not plain and catalogue is not None:
        known = catalogue.sources
        sources = [" ".join(known[s].split()) for s in r.sources if s in known]
    return Activity(
        name=r.plain_name if plain else r.name,
        description=words(r.plain_description),
        who=PERSON_WORDS.get(r.delivered_by, r.delivered_by),
        where=SETTING_WORDS.get(r.setting, r.setting),
        how_often=how_often,
        stage=STAGE_WORDS.get(r.stage, r.stage.title()),
        helps_with=helps,
        reasons=reasons,
        also=("Others who can do it: " + ", ".join(others) + ".") if others else "",
        sources=sources,
    )


def _group(
    recs: list[Any],
    audience: str,
    inst: Instrument,
    humanise: Humanise,
    catalogue: Any,
    words: Any,
) -> Group:
    if audience == "clinician":
        return Group([_activity(r, audience, inst, humanise, catalogue, words) for r in recs], [])
    mine = [r for r in recs if _is_theirs(r, audience)]
    others = [r for r in recs if not _is_theirs(r, audience)]
    home = [r for r in others if r.setting == "home"] if audience == "teacher" else []
    return Group(
        mine=[_activity(r, audience, inst, humanise, catalogue, words) for r in mine],
        others=[
            f"{r.plain_name}: {SETTING_WORDS[r.setting].lower()}, "
            f"with {PERSON_WORDS[r.delivered_by].lower()}."
            for r in others
            if r not in home
        ],
        home_count=len(home),
    )


def _phase(
    p: Any, audience: str, inst: Instrument, humanise: Humanise, catalogue: Any, words: Any
) -> PhaseCard:
    plain = audience != "clinician"
    region = inst.region(p.region)
    recs = list(p.recommendations)
    if audience == "teacher":
        recs.sort(key=lambda r: r.setting != "school")
    held = set(getattr(p, "held", []) or [])
    functions = [
        {
            "name": (t.plain_name if plain else t.name)
            + (
                (" (after the doctor's check)" if plain else " (held until medical review)")
                if t.function in held
                else ""
            ),
            "current": status_words(inst, t.current),
            "typical": status_words(inst, t.typical_status),
            "target": status_words(inst, t.target),
        }
        for t in p.compromised
    ]
    dose = p.weekly_dose
    dose_text = (
        ""
        if plain
        else f"{dose.episodes_per_week} episodes, {dose.minutes_per_week} minutes a week; "
        f"{dose.average_episodes_per_day} a day (goal {dose.daily_episodes_goal}: "
        f"{'met' if dose.meets_daily_goal else 'not met'})."
    )
    unlock = getattr(p, "unlocked_by", None)
    return PhaseCard(
        number=p.number,
        region=region.name,
        region_plain=region.plain_name,
        region_text=region.plain_description if plain else region.description,
        status="Now" if unlock is not None else STATUS_WORDS.get(p.status, p.status),
        running=p.number == 1 or unlock is not None,
        unlocked=(unlocked_words(unlock.kind) if plain else humanise(unlock.text))
        if unlock is not None
        else "",
        why_here=humanise(p.entry_criteria.summary),
        functions=functions,
        activities=_group(recs, audience, inst, humanise, catalogue, words),
        dose=dose_text,
        notes=[humanise(n) for n in p.notes] if not plain else [],
        has_activities=bool(p.recommendations),
    )


def _blocks(plan: Any, audience: str, humanise: Humanise, words: Any) -> list[BlockCard]:
    """The plan package's safety and coverage blocks, in its order, before anything else."""
    cards = []
    for b in getattr(plan, "blocks", None) or []:
        if audience == "clinician":
            shared = [r for r in b.reasons if r.plain_text]
            cards.append(
                BlockCard(
                    kind=b.kind,
                    label=BLOCK_WORDS.get(b.kind, b.kind.title()),
                    title=humanise(b.title),
                    text=humanise(b.text),
                    reasons=[humanise(r.text) for r in b.reasons],
                    items=[f"Held: {humanise(h)}" for h in b.holds],
                    note=(
                        f"Not in the family's copy: {len(b.reasons) - len(shared)} of "
                        f"{len(b.reasons)} reasons (clinician only)."
                    )
                    if len(shared) < len(b.reasons)
                    else "",
                )
            )
            continue
        text = b.teacher_text if audience == "teacher" else b.caregiver_text
        if text is None:
            continue  # not for this reader
        reasons = []
        for r in b.reasons:
            if r.plain_text is None:
                continue
            line = words(r.plain_text)
            if audience == "caregiver" and r.plain_action:
                line += f". {words(r.plain_action)}"
            reasons.append(line)
        cards.append(
            BlockCard(
                kind=b.kind,
                label=PLAIN_BLOCK_WORDS.get(b.kind, b.kind.title()),
                title=words(b.plain_title),
                text=words(text),
                items=reasons,
            )
        )
    return cards


def _gate_block(plan: Any, audience: str, child: str, humanise: Humanise, words: Any) -> Any:
    rs = plan.relational_supports
    if audience == "clinician":
        return BlockCard(
            kind="gate",
            label="Relational gate",
            title=f"{GATE_WORDS.get(rs.gate, rs.gate)} relational supports",
            text=humanise(rs.statement),
            items=[f"{a.name}: {a.description}" for a in rs.actions],
        )
    if rs.gate not in ("insufficient", "marginal"):
        return None
    if audience == "teacher":
        items = [
            a.plain_name
            + (" (the school can help with this)" if "teacher" in a.delivered_by else "")
            for a in rs.actions
        ]
    else:
        items = [f"{a.plain_name}. {words(a.plain_description)}" for a in rs.actions]
    if rs.comes_first:
        return BlockCard(
            kind="gate",
            label="People first",
            title=f"First: more steady, caring people around {child}",
            text=f"Everything in this plan works through people. Right now {child} needs more "
            "steady, caring adults around them. So these steps come first. The activities "
            "below work best once this help is in place:",
            items=items,
        )
    return BlockCard(
        kind="gate",
        label="People",
        title="More steady people would help",
        text=f"A few more steady people around {child} would help this plan work. The plan "
        "can start now. These steps help:",
        items=items,
    )


def _maintain_note(plan: Any, inst: Instrument, plain: bool, child: str) -> str:
    """What "no focus region" means when the child is still below the typical child.

    No focus says that no region's gap is larger than measurement error, not that the child
    is typical: the age equivalents may show a domain years behind (they group functions
    across regions). So the clinician reads the gaps of more than ``behind_z`` x SEM
    (``rules.yaml``) and what to weigh, and a family is told only that no one part comes
    first."""
    behind = [r for r in plan.regions if getattr(r, "behind", False)]
    if plain:
        if not behind:
            return (
                f"{child[:1].upper()}{child[1:]} is doing about as well as other children of "
                "the same age. Keep doing the good things you already do."
            )
        return (
            "No one part needs to come first right now. Keep doing the good things you "
            "already do; the team will look again at the next review."
        )
    text = (
        "No region is far enough below the typical child of the same age to need a focus: "
        "keep the relationships and routines that work."
    )
    if not behind:
        return text
    gaps = "; ".join(
        f"{inst.region(r.region).name} {r.gap:.0f} points below"
        + (f" (a focus needs more than {r.threshold:.1f})" if r.threshold is not None else "")
        for r in behind
    )
    return (
        "No focus region: no region's gap is larger than measurement error. This is not a "
        f"finding of typical development. Still below the typical child: {gaps}. The age "
        "equivalents group functions across regions and may show a domain well behind the "
        "child's age; weigh them with clinical judgement: check uncertain ratings, review "
        "sooner, or document a focus."
    )


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
    plain = audience != "clinician"
    humanise = _humaniser(inst, catalogue)
    words = _words_for(audience, child_name)
    child = {"caregiver": "your child", "teacher": child_name}.get(audience, "the child")
    refused = bool(getattr(plan, "refused", False))
    blocks = _blocks(plan, audience, humanise, words)
    gate = None if refused else _gate_block(plan, audience, child, humanise, words)
    if gate is not None:
        blocks.append(gate)
    core_recs = list(getattr(plan, "relational_core", []) or [])
    core = _group(core_recs, audience, inst, humanise, catalogue, words) if core_recs else None
    phases = [_phase(p, audience, inst, humanise, catalogue, words) for p in plan.phases]
    later = ""
    if plain:
        running = [p for p in phases if p.running]
        waiting = phases[len(running)] if len(phases) > len(running) else None
        if waiting is not None:
            later = (
                "When the part we work on now gets steadier, we add the next part: "
                f"{waiting.region_plain.lower()}. {waiting.region_text}"
            )
        # a part with nothing for anyone to do yet only worries the reader
        phases = [p for p in running if p.number == 1 or p.has_activities]
    rule = getattr(plan, "focus_rule", None)
    dose_now = getattr(plan, "weekly_dose_now", None) or plan.weekly_dose
    strengths = [s.plain_name if plain else f"{s.name}: {humanise(s.why)}" for s in plan.strengths]
    return PlanPage(
        audience=audience,
        child=child,
        blocks=blocks,
        refused=refused,
        core=core,
        phases=phases,
        strengths=strengths,
        later=later,
        not_rated=[
            inst.function(f).plain_name if plain else inst.function(f).name
            for f in plan.not_rated
            if f in inst.function_ids
        ],
        next_when=humanise(plan.next_phase_when.summary) if not plain else "",
        notes=[humanise(n) for n in plan.notes] if not plain else [],
        considerations=[
            f"{k.text} Sources: {'; '.join(k.sources)}"
            for k in getattr(plan, "considerations", []) or []
        ]
        if not plain
        else [],
        focus_rule=(
            humanise(rule.text) if rule is not None else f"{plan.threshold_points:g} points"
        )
        if not plain
        else "",
        regions=[
            {
                "name": inst.region(r.region).name,
                "score": "not rated" if r.score is None else f"{r.score:.0f}",
                "typical": "-" if r.typical is None else f"{r.typical:.0f}",
                "gap": "-" if r.gap is None else f"{r.gap:.0f}",
                "below": "yes" if r.below_threshold else "no",
            }
            for r in plan.regions
        ]
        if not plain
        else [],
        dose_now=(
            f"Little and often works best. Short turns, many times a day, may help more than "
            f"one long session a week. Together these make about {dose_now.episodes_per_week} "
            "short turns a week. Everyone around the child can help: at home, at school and "
            "in clubs."
            if plain
            else f"Everything running now: {dose_now.episodes_per_week} episodes, "
            f"{dose_now.minutes_per_week} minutes a week; {dose_now.average_episodes_per_day} "
            f"a day (goal {dose_now.daily_episodes_goal}: "
            f"{'met' if dose_now.meets_daily_goal else 'not met'})."
        )
        if dose_now is not None and phases
        else "",
        synthetic=plan.synthetic,
        maintain=not plan.phases and not refused,
        maintain_note=_maintain_note(plan, inst, plain, child)
        if not plan.phases and not refused
        else "",
    )


def build(parsed: Any, inst: Instrument, history: Any = ()) -> tuple[Any, Any] | None:
    """(plan, catalogue) for a parsed assessment, or None if this installation cannot plan.

    ``history``: progress snapshots of the child's earlier signed reviews, oldest first;
    from instrument v2 the plan unlocks a phase on reliable change between them.
    """
    try:
        from neuroseq.instrument.activities import load_activities
        from neuroseq.plan import plan_for_assessment

        catalogue = load_activities(inst)
        return plan_for_assessment(parsed, inst, catalogue, history=tuple(history)), catalogue
    except Exception:  # a plan bug must not hide the record; the page says "not available"
        log.exception("plan failed")
        return None
