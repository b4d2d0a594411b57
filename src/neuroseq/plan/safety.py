"""Safety checks that come before any activity, read from ``rules.yaml`` (pure).

- **Medical**: any ticked medical flag gives a "medical review first" block with the
  flag, the item it belongs to and what it means. Decision: the activities for a
  flagged function are *held* (not chosen for it) until the review; the rest of the
  plan may start, because a doctor's check of the heart does not make walking or singing
  for sleep unsafe.
- **Safeguarding**: ticked safeguarding flags, current relational health below the
  rules' threshold, or a current item at or below its trigger (e.g. placement security
  "moving imminently") give a safeguarding block: the clinician text says what to do
  today; the family's text is plain and calm, and reasons the rules do not mark as
  shareable are left out of it (a concern about current care is not written into the
  caregiver's copy before the safeguarding lead has decided what to share).
- **Contraindications**: activity tags (touch, deep pressure...) that the history and
  the ratings make unsafe to hand to caregivers or teachers; the plan narrows those
  activities to the rule's ``only_by`` people (a trauma-informed clinician) or leaves
  them out, and says why.
"""

from __future__ import annotations

from collections.abc import Iterable

from neuroseq.instrument import Instrument
from neuroseq.instrument.activities import Catalogue
from neuroseq.instrument.rules import BlockTexts, Contraindication, Rules
from neuroseq.plan.coverage import check_coverage
from neuroseq.plan.inputs import PlanInputs
from neuroseq.plan.model import Block, BlockKind, BlockReason, Consideration, Coverage
from neuroseq.plan.selection import Pair


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _block(
    kind: BlockKind,
    texts: BlockTexts,
    reasons: list[BlockReason],
    holds: Iterable[str] = (),
    **fields: str,
) -> Block:
    """A block from the rules' texts; ``fields`` fill ``{name}`` slots of the clinician text."""
    return Block(
        kind=kind,
        title=texts.title,
        text=_one_line(texts.text.format(**fields)),
        plain_title=texts.plain_title,
        caregiver_text=_one_line(texts.caregiver_text),
        teacher_text=_one_line(texts.teacher_text) if texts.teacher_text else None,
        reasons=reasons,
        holds=list(dict.fromkeys(holds)),
    )


def _rating_words(inst: Instrument, function_id: str, inputs: PlanInputs) -> str:
    f = inst.function(function_id)
    rating = inputs.ratings.get(function_id)
    shown = "not rated" if rating is None else f"rated {rating} ({f.anchors.for_status(rating)})"
    return f"{f.name} ({f.id}), {shown}"


def medical_block(inputs: PlanInputs, inst: Instrument, rules: Rules) -> Block | None:
    ticked = [
        f for f in inst.flags if f.kind == "medical" and inputs.clinical_flags.get(f.id) is True
    ]
    if not ticked:
        return None
    reasons = []
    for f in ticked:
        on = f" on {_rating_words(inst, f.function, inputs)}" if f.function else ""
        reasons.append(
            BlockReason(
                kind="flag",
                text=f"Flag {f.id}{on}: {f.label}. {_one_line(f.action)}",
                plain_text=f.plain_label,
                plain_action=_one_line(f.plain_action),
                flag=f.id,
                item=f.function,
            )
        )
    held = [f.function for f in ticked if f.function]
    texts = rules.medical.block
    if held:
        note = _one_line(rules.medical.plain_held_note)
        texts = texts.model_copy(
            update={
                "text": f"{texts.text} {_one_line(rules.medical.held_note)}",
                "caregiver_text": f"{texts.caregiver_text} {note}",
                "teacher_text": f"{texts.teacher_text or ''} {note}".strip(),
            }
        )
    return _block("medical", texts, reasons, holds=held)


def safeguarding_block(inputs: PlanInputs, inst: Instrument, rules: Rules) -> Block | None:
    sg = rules.safeguarding
    reasons = []
    for f in inst.flags:
        if f.kind != "safeguarding" or inputs.clinical_flags.get(f.id) is not True:
            continue
        shared = f.id in sg.share_flags_with_family
        reasons.append(
            BlockReason(
                kind="flag",
                text=f"Flag {f.id}: {f.label}. {_one_line(f.action)}",
                plain_text=f.plain_label if shared else None,
                plain_action=_one_line(f.plain_action) if shared else None,
                flag=f.id,
            )
        )
    health = inputs.current_relational_health
    if health is not None and health < sg.current_relational_health_below:
        reasons.append(
            BlockReason(
                kind="relational",
                text=_one_line(
                    sg.low_health_reason.format(
                        score=f"{health:.0f}", below=f"{sg.current_relational_health_below:g}"
                    )
                ),
                plain_text=None,
            )
        )
    items = {i.id: i for i in inst.current_items}
    for trigger in sg.items:
        rating = inputs.current_relational_items.get(trigger.item)
        if rating is None or rating > trigger.at_most:
            continue
        item = items[trigger.item]
        reasons.append(
            BlockReason(
                kind="rating",
                text=_one_line(
                    trigger.reason.format(
                        item=item.name, rating=rating, anchor=item.anchors.for_status(rating)
                    )
                ),
                plain_text=trigger.plain_reason,
                item=trigger.item,
            )
        )
    if not reasons:
        return None
    return _block("safeguarding", sg.block, reasons)


def coverage_block(coverage: Coverage, inst: Instrument, rules: Rules) -> Block | None:
    """Names what to rate first: under-rated regions bottom-up, then relational health."""
    if coverage.ok:
        return None
    reasons = []
    for row in coverage.regions:
        if row.ok:
            continue
        reasons.append(
            BlockReason(
                kind="coverage",
                text=(
                    f"{row.region}: {row.rated} of {row.total} items rated, at least "
                    f"{row.min_rated} needed. Rate first: {', '.join(row.unrated)}."
                ),
                plain_text=None,
                item=row.region,
            )
        )
    if not coverage.relational_ok:
        missing = coverage.relational_required_missing
        reasons.append(
            BlockReason(
                kind="coverage",
                text=(
                    "Rate current relational health first: "
                    f"{coverage.relational_rated} of {coverage.relational_total} items rated "
                    f"(at least {coverage.relational_min_rated} needed"
                    + (f"; {', '.join(missing)} is required" if missing else "")
                    + f"). Rate: {', '.join(coverage.relational_unrated)}."
                ),
                plain_text=None,
                item="current_relational_health",
            )
        )
    lowest = coverage.first_underrated_region
    where = (
        f"{lowest} is the lowest region not rated well enough: the plan does not start at "
        "it or above it, because a lower region nobody rated cannot be skipped."
        if lowest
        else "Every region is rated well enough; current relational health is not."
    )
    return _block(
        "coverage",
        rules.coverage.block,
        reasons,
        where=where,
        items=", ".join(coverage.rate_first),
    )


def _rule_matches(
    rule: Contraindication, inputs: PlanInputs, inst: Instrument
) -> tuple[list[str], list[str]] | None:
    """The history and rating reasons this rule applies for, or None."""
    events = [a for a in inputs.adversities if a.type in rule.adversity_types]
    lows = []
    for low in rule.low_functions:
        rating = inputs.ratings.get(low.function)
        if (rating is None and rule.unrated_counts) or (
            rating is not None and rating <= low.at_most
        ):
            lows.append(
                f"{_rating_words(inst, low.function, inputs)}; the rule applies at "
                f"{low.at_most} or below" + (" or when not rated" if rule.unrated_counts else "")
            )
    if not events or not lows:
        return None
    history = [
        f"History: {inst.adversity_type(a.type).name.lower()} in {inst.period(a.period).label} "
        f"(severity {a.severity})."
        for a in events
    ]
    return history, lows


def contraindications(
    inputs: PlanInputs, inst: Instrument, rules: Rules, catalogue: Catalogue
) -> tuple[list[Block], dict[str, tuple[Pair, ...]]]:
    """Blocks for the rules that apply, and the pairs each affected activity may still use."""
    blocks = []
    narrowed: dict[str, tuple[Pair, ...]] = {}
    for rule in rules.contraindications:
        matched = _rule_matches(rule, inputs, inst)
        if matched is None:
            continue
        history, lows = matched
        affected = [a for a in catalogue.activities if set(a.tags) & set(rule.activity_tags)]
        for a in affected:
            allowed = tuple(p for p in narrowed.get(a.id, tuple(a.pairs())) if p[1] in rule.only_by)
            narrowed[a.id] = allowed
        reasons = [BlockReason(kind="history", text=h, plain_text=None) for h in history]
        reasons += [BlockReason(kind="rating", text=low, plain_text=None) for low in lows]
        texts = BlockTexts(
            title=rule.title,
            text=rule.reason,
            plain_title=rule.plain_title,
            caregiver_text=rule.plain_reason,
            teacher_text=rule.teacher_reason,
        )
        # the block lists only what this child could otherwise be offered: a lap song held
        # from a 14-year-old reads as if it were ever meant for them
        age = inputs.chronological_age_months
        offered = [a.id for a in affected if a.age_acceptable_months.contains(age)]
        blocks.append(_block("contraindication", texts, reasons, holds=offered))
    return blocks, narrowed


def considerations(inputs: PlanInputs, rules: Rules) -> list[Consideration]:
    """Clinician prompts whose adversity types are in the history."""
    types = {a.type for a in inputs.adversities}
    return [
        Consideration(
            id=k.id,
            text=_one_line(k.text),
            sources=[_one_line(rules.sources[s]) for s in k.sources],
        )
        for k in rules.considerations
        if types & set(k.adversity_types)
    ]


def safety_blocks(
    inputs: PlanInputs, inst: Instrument, rules: Rules, catalogue: Catalogue
) -> tuple[list[Block], Coverage, dict[str, tuple[Pair, ...]]]:
    """Every block in priority order (medical, safeguarding, coverage, contraindications),
    the coverage check, and the narrowed activities."""
    coverage = check_coverage(inputs.ratings, inputs.current_relational_items, inst, rules)
    found: Iterable[Block | None] = (
        medical_block(inputs, inst, rules),
        safeguarding_block(inputs, inst, rules),
        coverage_block(coverage, inst, rules),
    )
    blocks = [b for b in found if b is not None]
    extra, narrowed = contraindications(inputs, inst, rules, catalogue)
    return blocks + extra, coverage, narrowed


__all__ = [
    "considerations",
    "contraindications",
    "coverage_block",
    "medical_block",
    "safeguarding_block",
    "safety_blocks",
]
