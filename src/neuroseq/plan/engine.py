"""The sequential, bottom-up plan.

Rules, in order:

1. The focus region is the lowest region whose score is more than the instrument's
   threshold below the typical child of the same age (same rated items).
2. Phases follow bottom-up: the focus region, then each higher region that is also
   below threshold. A later phase starts when the functions of the phase before reach
   their targets (see :mod:`neuroseq.plan.targets`).
3. Activities are chosen for the compromised functions of each phase's region, fit the
   developmental age and the chronological age, and are spread over settings and people.
4. With insufficient current relational health, strengthening relational supports is the
   first step; marginal supports give a caution.
"""

from __future__ import annotations

from neuroseq.assessment import Assessment
from neuroseq.instrument import Instrument, load_instrument
from neuroseq.instrument.activities import Catalogue, load_activities
from neuroseq.plan.gate import relational_supports
from neuroseq.plan.inputs import PlanInputs, plan_inputs
from neuroseq.plan.model import (
    EntryCriteria,
    FunctionTarget,
    NextPhaseWhen,
    Phase,
    PhaseStatus,
    Plan,
    RegionReview,
    Strength,
)
from neuroseq.plan.reasons import recommendation, weekly_dose
from neuroseq.plan.selection import candidates, choose
from neuroseq.plan.targets import compromised_functions, review_regions
from neuroseq.scoring import score_assessment

CURRENT_PHASE_ACTIVITIES = 6
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


def _entry_criteria(
    before: Phase | None, inputs: PlanInputs, inst: Instrument, region: str
) -> EntryCriteria:
    gated = inputs.relational_gate == "insufficient"
    relational_min = inst.gate.marginal_min if gated else None
    if before is None:
        text = (
            f"Starts now: {region} is the lowest region more than "
            f"{inst.plan.focus_threshold_points:g} points below the typical child of the "
            "same age."
        )
        if gated:
            text += (
                f" Its activities take hold once current relational health reaches at least "
                f"{inst.gate.marginal_min:g}."
            )
        return EntryCriteria(
            summary=text, after_region=None, functions=[], relational_health_min=relational_min
        )
    wanted = ", ".join(f"{t.function} {t.current} -> {t.target}" for t in before.compromised)
    return EntryCriteria(
        summary=(
            f"Starts when {before.region} is within {inst.plan.focus_threshold_points:g} "
            f"points of the typical child: {wanted}."
        ),
        after_region=before.region,
        functions=before.compromised,
        relational_health_min=relational_min,
    )


def _phase(
    number: int,
    region: str,
    status: PhaseStatus,
    before: Phase | None,
    inputs: PlanInputs,
    inst: Instrument,
    catalogue: Catalogue,
    review: RegionReview,
) -> Phase:
    compromised = compromised_functions(inputs, inst, region)
    dev_ages, basis = developmental_ages(inputs, inst, compromised)
    chrono = inputs.chronological_age_months
    pool = candidates(catalogue, inst, region, compromised, dev_ages, chrono)
    limit = CURRENT_PHASE_ACTIVITIES if before is None else LATER_PHASE_ACTIVITIES
    chosen = choose(pool, compromised, limit)
    recs = [recommendation(c, review, dev_ages, inputs, inst, catalogue) for c in chosen]
    notes = []
    uncovered = [t.function for t in compromised if not any(t in c.covers for c in chosen)]
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
        entry_criteria=_entry_criteria(before, inputs, inst, region),
        compromised=compromised,
        recommendations=recs,
        weekly_dose=weekly_dose(recs, catalogue),
        notes=notes,
    )


def _strengths(inputs: PlanInputs, inst: Instrument) -> list[Strength]:
    """Well-organised functions (3), and functions at or above the typical child (2+)."""
    age = inputs.chronological_age_months
    rows = []
    for f in inst.functions:
        status = inputs.ratings.get(f.id)
        if status is None or status < 2:
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


def _next_phase_when(phases: list[Phase], inputs: PlanInputs, inst: Instrument) -> NextPhaseWhen:
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
            + "No region is below expectation: keep strengths going and review as planned.",
            next_region=None,
            functions=[],
            relational_health_min=relational_min,
        )
    current = phases[0]
    after = phases[1].region if len(phases) > 1 else None
    wanted = ", ".join(f"{t.function} {t.current} -> {t.target}" for t in current.compromised)
    then = f"the plan moves to {after}" if after else "no region remains below expectation"
    return NextPhaseWhen(
        summary=(
            f"{prefix}When {current.region} is within {inst.plan.focus_threshold_points:g} "
            f"points of the typical child ({wanted}), {then}. Targets are for the current "
            "age; re-score at each review."
        ),
        next_region=after,
        functions=current.compromised,
        relational_health_min=relational_min,
    )


def build_plan(
    inputs: PlanInputs, instrument: Instrument, catalogue: Catalogue | None = None
) -> Plan:
    """The plan for one child; pure and deterministic for the same inputs."""
    inst = instrument
    cat = catalogue or load_activities(inst)
    review = review_regions(inputs, inst)
    below = [row for row in review if row.below_threshold]
    gated = inputs.relational_gate == "insufficient"
    phases: list[Phase] = []
    for row in below:
        before = phases[-1] if phases else None
        status: PhaseStatus = (
            "upcoming" if before else ("after_relational_supports" if gated else "current")
        )
        phases.append(_phase(len(phases) + 1, row.region, status, before, inputs, inst, cat, row))
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
        threshold_points=inst.plan.focus_threshold_points,
        focus_region=phases[0].region if phases else None,
        relational_gate=inputs.relational_gate,
        first_step="relational_supports" if gated else ("focus_region" if phases else "maintain"),
        relational_supports=relational_supports(inputs, inst, cat),
        regions=review,
        phases=phases,
        weekly_dose=phases[0].weekly_dose if phases else None,
        next_phase_when=_next_phase_when(phases, inputs, inst),
        strengths=_strengths(inputs, inst),
        not_rated=unrated,
        notes=notes,
    )


def plan_for_assessment(
    assessment: Assessment,
    instrument: Instrument | None = None,
    catalogue: Catalogue | None = None,
) -> Plan:
    """Score the assessment (via :mod:`neuroseq.scoring`) and build its plan."""
    inst = instrument or load_instrument(assessment.instrument_version)
    scores = score_assessment(assessment, inst)
    return build_plan(plan_inputs(assessment, scores), inst, catalogue)


__all__ = ["build_plan", "developmental_ages", "plan_for_assessment"]
