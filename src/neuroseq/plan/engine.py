"""The sequential, bottom-up plan.

Rules, in order:

1. Safety first (from instrument version 2, rules in ``rules.yaml``; see
   :mod:`neuroseq.plan.safety`): ticked medical flags, safeguarding concerns, too few
   rated items, and contraindications become blocks that come before any activity.
2. The focus region is the lowest region whose score is below the typical child of the
   same age by more than its threshold (same rated items): 15 points in version 1,
   ``z x SEM`` from version 2 (:mod:`neuroseq.plan.sequence`). From version 2 the plan
   never looks past an under-rated region, and does not proceed without current
   relational health.
3. Phases follow bottom-up: the focus region, then each higher region that is also
   below threshold. In version 1 a later phase starts when the functions of the phase
   before reach their targets (:mod:`neuroseq.plan.targets`); from version 2 it starts on
   reliable improvement or a documented plateau of the region below.
4. Activities are chosen for the compromised functions of each phase's region, fit the
   developmental age and the chronological age, and are spread over settings and people.
   From version 2 the relational core (caregiver coaching, co-regulation) runs from the
   first phase, and functions held for medical review get no activity.
5. With insufficient current relational health, strengthening relational supports is the
   first step after any safety block; marginal supports give a caution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from neuroseq.assessment import Assessment
from neuroseq.instrument import Instrument, load_instrument
from neuroseq.instrument.activities import Catalogue, load_activities
from neuroseq.instrument.rules import Rules, load_rules
from neuroseq.plan.core import core_ids, relational_core
from neuroseq.plan.gate import relational_supports
from neuroseq.plan.inputs import PlanInputs, plan_inputs
from neuroseq.plan.model import (
    Block,
    Coverage,
    EntryCriteria,
    FirstStep,
    FocusRule,
    FunctionTarget,
    NextPhaseWhen,
    Phase,
    PhaseStatus,
    Plan,
    Reason,
    Recommendation,
    RegionReview,
    Strength,
    Unlock,
)
from neuroseq.plan.reasons import recommendation, weekly_dose
from neuroseq.plan.safety import considerations, safety_blocks
from neuroseq.plan.selection import Pair, candidates, choose
from neuroseq.plan.sequence import Review, entry_text, region_thresholds, unlock
from neuroseq.plan.targets import compromised_functions, review_regions
from neuroseq.progress import Snapshot
from neuroseq.scoring import score_assessment

CURRENT_PHASE_ACTIVITIES = 6
UNLOCKED_PHASE_ACTIVITIES = 4  # added to phase 1, which keeps running
LATER_PHASE_ACTIVITIES = 3  # a preview: later phases are re-planned at the next review


def developmental_ages(
    inputs: PlanInputs, inst: Instrument, compromised: list[FunctionTarget]
) -> tuple[dict[str, float], str]:
    """Developmental age per domain of the compromised functions (months).

    An activity must suit the level the child actually functions at in what it is meant
    to change: the age equivalent of that function's domain. An age equivalent above the
    chronological age is capped at it; a domain without one uses the chronological age.
    """
    age = inputs.chronological_age_months
    ages: dict[str, float] = {}
    notes = []
    for d in sorted({inst.function(t.function).domain for t in compromised}):
        months = inputs.developmental_age_months.get(d)
        if months is None:
            ages[d] = age
            notes.append(f"{d}: no age equivalent, chronological age used")
        elif months > age:
            ages[d] = age
            notes.append(f"{d}: age equivalent above chronological age, capped")
        else:
            ages[d] = round(months, 1)
    basis = "age equivalent of each targeted domain"
    return ages, basis + (f" ({'; '.join(notes)})" if notes else "")


@dataclass(frozen=True)
class _Context:
    """What every phase of one plan shares: data, thresholds and the safety results."""

    inst: Instrument
    catalogue: Catalogue
    rules: Rules | None
    thresholds: Mapping[str, float]
    narrowed: Mapping[str, tuple[Pair, ...]] = field(default_factory=dict)
    held: frozenset[str] = frozenset()
    core_ids: frozenset[str] = frozenset()
    safety_notes: Mapping[str, str] = field(default_factory=dict)


def _threshold_words(region: str, ctx: _Context) -> str:
    points = ctx.thresholds[region]
    if ctx.rules is None:
        return f"more than {points:g} points"
    return (
        f"more than {points:.1f} points ({ctx.rules.focus.z:g} x SEM of its score, outside "
        "measurement error)"
    )


def _entry_criteria(
    before: Phase | None, inputs: PlanInputs, ctx: _Context, region: str
) -> EntryCriteria:
    inst = ctx.inst
    gated = inputs.relational_gate == "insufficient"
    relational_min = inst.gate.marginal_min if gated else None
    if before is None:
        text = (
            f"Starts now: {region} is the lowest region {_threshold_words(region, ctx)} below "
            "the typical child of the same age."
        )
        if gated:
            text += (
                f" Its activities take hold once current relational health reaches at least "
                f"{inst.gate.marginal_min:g}."
            )
        return EntryCriteria(
            summary=text, after_region=None, functions=[], relational_health_min=relational_min
        )
    if ctx.rules is not None:
        summary = entry_text(before.region, inst, ctx.rules)
    else:
        wanted = ", ".join(f"{t.function} {t.current} -> {t.target}" for t in before.compromised)
        summary = (
            f"Starts when {before.region} is within {inst.plan.focus_threshold_points:g} "
            f"points of the typical child: {wanted}."
        )
    return EntryCriteria(
        summary=summary,
        after_region=before.region,
        functions=before.compromised,
        relational_health_min=relational_min,
    )


def _with_safety_note(rec: Recommendation, ctx: _Context) -> Recommendation:
    """A narrowed activity says why only a clinician gives it."""
    note = ctx.safety_notes.get(rec.activity)
    if note is None:
        return rec
    return rec.model_copy(update={"reasons": [*rec.reasons, Reason(kind="safety", text=note)]})


def _phase(
    number: int,
    region: str,
    status: PhaseStatus,
    before: Phase | None,
    unlocked: Unlock | None,
    inputs: PlanInputs,
    ctx: _Context,
    review: RegionReview,
) -> Phase:
    inst, catalogue = ctx.inst, ctx.catalogue
    threshold = ctx.thresholds[region] if ctx.rules is not None else None
    compromised = compromised_functions(inputs, inst, region, threshold)
    held = [t.function for t in compromised if t.function in ctx.held]
    workable = [t for t in compromised if t.function not in ctx.held]
    dev_ages, basis = developmental_ages(inputs, inst, compromised)
    chrono = inputs.chronological_age_months
    pool = candidates(catalogue, inst, region, workable, dev_ages, chrono, ctx.narrowed)
    pool = [c for c in pool if c.activity.id not in ctx.core_ids]
    if before is None:
        limit = CURRENT_PHASE_ACTIVITIES
    elif unlocked is not None:
        limit = UNLOCKED_PHASE_ACTIVITIES
    else:
        limit = LATER_PHASE_ACTIVITIES
    chosen = choose(pool, workable, limit)
    recs = [
        _with_safety_note(
            recommendation(c, review, dev_ages, inputs, inst, catalogue, ctx.thresholds[region]),
            ctx,
        )
        for c in chosen
    ]
    notes = []
    if held:
        notes.append(
            f"Held until medical review: {', '.join(held)}. No activity is chosen for "
            "these functions until a doctor has seen the child (see the medical block)."
        )
    uncovered = [t.function for t in workable if not any(t in c.covers for c in chosen)]
    if uncovered:
        notes.append(
            f"No chosen activity targets {', '.join(uncovered)} at the child's developmental "
            "level and chronological age; lower regions usually come first. The clinician "
            "chooses or adapts one."
        )
    return Phase(
        number=number,
        region=region,
        status=status,
        developmental_age_months=dev_ages,
        developmental_age_basis=basis,
        entry_criteria=_entry_criteria(before, inputs, ctx, region),
        compromised=compromised,
        recommendations=recs,
        weekly_dose=weekly_dose(recs, catalogue),
        notes=notes,
        held=held,
        unlocked_by=unlocked,
    )


def _strengths(
    inputs: PlanInputs, inst: Instrument, held: frozenset[str] = frozenset()
) -> list[Strength]:
    """Well-organised functions (3), and functions at or above the typical child (2+).

    A function with a ticked medical flag is not called a strength until the review."""
    age = inputs.chronological_age_months
    rows = []
    for f in inst.functions:
        status = inputs.ratings.get(f.id)
        if status is None or status < 2 or f.id in held:
            continue
        typical = inst.typical_status(f.id, age)
        if status == 3:
            why = "well organised (status 3)"
        elif status >= typical:
            why = f"at or above the typical child of this age ({typical:.1f})"
        else:
            continue
        rows.append(
            Strength(
                function=f.id,
                region=f.region,
                name=f.name,
                plain_name=f.plain_name,
                status=status,
                typical_status=round(typical, 2),
                why=why,
            )
        )
    return rows


def _next_phase_when(phases: list[Phase], inputs: PlanInputs, ctx: _Context) -> NextPhaseWhen:
    inst = ctx.inst
    gated = inputs.relational_gate == "insufficient"
    relational_min = inst.gate.marginal_min if gated else None
    prefix = (
        f"First, current relational health reaches at least {inst.gate.marginal_min:g}. "
        if gated
        else ""
    )
    if not phases:
        return NextPhaseWhen(
            summary=prefix
            + "No region is below the typical child beyond measurement error: keep strengths "
            "going and review as planned.",
            next_region=None,
            functions=[],
            relational_health_min=relational_min,
        )
    running = [p for p in phases if p.number == 1 or p.unlocked_by is not None]
    current = running[-1]
    waiting = phases[len(running)] if len(phases) > len(running) else None
    after = waiting.region if waiting else None
    if ctx.rules is not None:
        then = f"the plan adds {after}" if after else "no region waits below expectation"
        summary = (
            f"{prefix}{entry_text(current.region, inst, ctx.rules)} Then {then}; the "
            "activities running now continue. Re-score at each review."
        )
    else:
        wanted = ", ".join(f"{t.function} {t.current} -> {t.target}" for t in current.compromised)
        then = f"the plan moves to {after}" if after else "no region remains below expectation"
        summary = (
            f"{prefix}When {current.region} is within {inst.plan.focus_threshold_points:g} "
            f"points of the typical child ({wanted}), {then}. Targets are for the current "
            "age; re-score at each review."
        )
    return NextPhaseWhen(
        summary=summary,
        next_region=after,
        functions=current.compromised,
        relational_health_min=relational_min,
    )


def _focus_rule(ctx: _Context) -> FocusRule:
    if ctx.rules is None:
        points = ctx.inst.plan.focus_threshold_points
        return FocusRule(
            kind="points",
            z=None,
            text=f"A region is below the typical child when the gap is more than {points:g} "
            "points (instrument version 1 rule).",
        )
    z = ctx.rules.focus.z
    shown = ", ".join(f"{r} {t:.1f}" for r, t in ctx.thresholds.items())
    return FocusRule(
        kind="sem",
        z=z,
        text=(
            f"A region is below the typical child only when the gap exceeds {z:g} x SEM of "
            f"its score (SEM = SD x sqrt(1 - r), the instrument's reliability figures): "
            f"{shown} points. Smaller gaps are inside measurement error."
        ),
    )


def _eligible(review: list[RegionReview], coverage: Coverage | None) -> list[RegionReview]:
    """Regions the plan may start in: all of them, or those below the first under-rated one.
    Without enough current relational health rated, none."""
    if coverage is None:
        return review
    if not coverage.relational_ok:
        return []
    stop = coverage.first_underrated_region
    if stop is None:
        return review
    return review[: [r.region for r in review].index(stop)]


def _started(
    region: str, since: int, inputs: PlanInputs, rules: Rules, inst: Instrument
) -> tuple[int, Unlock] | None:
    """The first review (index into history + today) at which the phase after ``region``
    unlocked, replaying the unlock rule over the reviews since ``region``'s own phase
    started (``since``), with that review's evidence; None if it has not unlocked yet.

    A clinician's documented plateau is today's note, so it counts for today only."""
    reviews: list[Review] = [*inputs.history, inputs]
    for i in range(since, len(reviews)):
        today = i == len(reviews) - 1
        found = unlock(
            region,
            reviews[i],
            reviews[:i],
            inputs.documented_plateaus if today else {},
            inst,
            rules,
            since,
        )
        if found is not None:
            return i, found
    return None


def _phases(below: list[RegionReview], inputs: PlanInputs, ctx: _Context) -> list[Phase]:
    gated = inputs.relational_gate == "insufficient"
    first_status: PhaseStatus = "after_relational_supports" if gated else "current"
    phases: list[Phase] = []
    since = 0  # the review at which the latest running phase started
    for row in below:
        before = phases[-1] if phases else None
        unlocked = None
        if (
            before is not None
            and ctx.rules is not None
            and (before.number == 1 or before.unlocked_by is not None)
        ):
            started = _started(before.region, since, inputs, ctx.rules, ctx.inst)
            if started is not None:
                since, unlocked = started
        status: PhaseStatus = first_status if before is None or unlocked else "upcoming"
        phases.append(
            _phase(len(phases) + 1, row.region, status, before, unlocked, inputs, ctx, row)
        )
    return phases


def _first_step(blocks: list[Block], refused: bool, gated: bool, phases: list[Phase]) -> FirstStep:
    kinds = {b.kind for b in blocks}
    if "medical" in kinds:
        return "medical_review"
    if "safeguarding" in kinds:
        return "safeguarding"
    if refused:
        return "rate_first"
    if gated:
        return "relational_supports"
    return "focus_region" if phases else "maintain"


def build_plan(
    inputs: PlanInputs,
    instrument: Instrument,
    catalogue: Catalogue | None = None,
    rules: Rules | None = None,
) -> Plan:
    """The plan for one child; pure and deterministic for the same inputs.

    ``rules`` default to the instrument's own (``rules.yaml``; none in version 1).
    """
    inst = instrument
    cat = catalogue or load_activities(inst)
    rules = rules if rules is not None else load_rules(inst)
    thresholds = region_thresholds(inst, rules)
    blocks: list[Block] = []
    coverage: Coverage | None = None
    ctx = _Context(inst, cat, rules, thresholds)
    if rules is not None:
        blocks, coverage, narrowed = safety_blocks(inputs, inst, rules, cat)
        held = {h for b in blocks if b.kind == "medical" for h in b.holds}
        core = frozenset(core_ids(inputs, inst, cat))
        safety_notes = {
            activity: f"{b.title}: {b.text}"
            for b in blocks
            if b.kind == "contraindication"
            for activity in b.holds
        }
        ctx = _Context(inst, cat, rules, thresholds, narrowed, frozenset(held), core, safety_notes)
    review = review_regions(inputs, inst, thresholds)
    if rules is not None:
        behind = {r: thresholds[r] / rules.focus.z * rules.focus.behind_z for r in thresholds}
        review = [
            r.model_copy(update={"behind": r.gap is not None and r.gap > behind[r.region]})
            for r in review
        ]
    eligible = _eligible(review, coverage)
    below = [row for row in eligible if row.below_threshold]
    refused = coverage is not None and not coverage.ok and not below
    # the plan never proceeds past an under-rated region (see _eligible)
    gated = inputs.relational_gate == "insufficient"
    phases = _phases(below, inputs, ctx)
    core_recs: list[Recommendation] = (
        relational_core(inputs, inst, cat) if rules is not None and phases else []
    )
    running = [r for p in phases if p.status != "upcoming" for r in p.recommendations]
    unrated = [f for f in inst.function_ids if inputs.ratings.get(f) is None]
    notes = [inst.header.disclaimer, cat.header.disclaimer]
    if inputs.synthetic:
        notes.insert(0, "SYNTHETIC: generated example data, not a real child.")
    return Plan(
        instrument_version=inst.version,
        catalogue_version=cat.version,
        synthetic=inputs.synthetic,
        pseudonym=inputs.pseudonym,
        chronological_age_months=round(inputs.chronological_age_months, 1),
        threshold_points=None if rules is not None else inst.plan.focus_threshold_points,
        focus_region=phases[0].region if phases else None,
        relational_gate=inputs.relational_gate,
        first_step=_first_step(blocks, refused, gated, phases),
        relational_supports=relational_supports(inputs, inst, cat),
        regions=review,
        phases=phases,
        weekly_dose=phases[0].weekly_dose if phases else None,
        next_phase_when=_next_phase_when(phases, inputs, ctx),
        strengths=_strengths(inputs, inst, ctx.held),
        not_rated=unrated,
        notes=notes,
        blocks=blocks,
        coverage=coverage,
        focus_rule=_focus_rule(ctx),
        relational_core=core_recs,
        weekly_dose_now=weekly_dose([*core_recs, *running], cat)
        if rules is not None and phases
        else None,
        considerations=considerations(inputs, rules) if rules is not None else [],
    )


def plan_for_assessment(
    assessment: Assessment,
    instrument: Instrument | None = None,
    catalogue: Catalogue | None = None,
    history: Sequence[Snapshot] = (),
    documented_plateaus: Mapping[str, str] | None = None,
) -> Plan:
    """Score the assessment (via :mod:`neuroseq.scoring`) and build its plan.

    ``history``: earlier reviews of the same child under this plan, oldest first (see
    :func:`neuroseq.progress.snapshot_of`); ``documented_plateaus``: region -> the
    clinician's note that it has plateaued. Both only matter from instrument version 2.
    """
    inst = instrument or load_instrument(assessment.instrument_version)
    scores = score_assessment(assessment, inst)
    inputs = plan_inputs(assessment, scores, history, documented_plateaus)
    return build_plan(inputs, inst, catalogue)


__all__ = ["build_plan", "developmental_ages", "plan_for_assessment"]
