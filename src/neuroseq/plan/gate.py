"""The relational gate: whether the people around the child can carry the plan.

The gate itself (sufficient / marginal / insufficient / not rated) is computed by
scoring from the instrument's thresholds; this module turns it into the plan's first
step or caution, with concrete actions for the weakest current relational items.
"""

from __future__ import annotations

from neuroseq.instrument import Instrument
from neuroseq.instrument.activities import Catalogue
from neuroseq.plan.inputs import PlanInputs
from neuroseq.plan.model import RelationalAction, RelationalSupports

WEAK_ITEM_MAX = 1  # "fragile" or worse on the 0-3 anchors; also every unrated item


def _weak_items(inputs: PlanInputs, inst: Instrument) -> list[tuple[str, int | None]]:
    """Items rated 0-1 or not rated, weakest and heaviest first, then instrument order."""
    rows = []
    for order, item in enumerate(inst.current_items):
        rating = inputs.current_relational_items.get(item.id)
        if rating is None or rating <= WEAK_ITEM_MAX:
            rank = rating if rating is not None else WEAK_ITEM_MAX + 1
            rows.append((rank, -item.weight, order, item.id, rating))
    return [(item_id, rating) for *_, item_id, rating in sorted(rows)]


def _statement(inputs: PlanInputs, inst: Instrument) -> str:
    score = inputs.current_relational_health
    shown = f"{score:.0f}" if score is not None else "not rated"
    lo, hi = inst.gate.marginal_min, inst.gate.sufficient_min
    match inputs.relational_gate:
        case "insufficient":
            return (
                f"Current relational health is {shown}/100, below {lo:g}: the supports around "
                "the child cannot yet give the repetition a plan needs. Strengthening "
                "relational supports comes first; the other recommendations are unlikely to "
                "take hold until then."
            )
        case "marginal":
            return (
                f"Current relational health is {shown}/100 ({lo:g}-{hi:g}, marginal): the plan "
                "can start, with caution. Strengthen the weakest supports alongside it, and "
                "expect slower change if they do not improve."
            )
        case "not_rated":
            return (
                "Current relational health is not rated: rate it before relying on this plan. "
                "Relationships carry every recommendation; without them repetition fails."
            )
        case _:
            return (
                f"Current relational health is {shown}/100 (at least {hi:g}, sufficient): "
                "the people around the child can carry the plan."
            )


def relational_supports(
    inputs: PlanInputs, inst: Instrument, catalogue: Catalogue
) -> RelationalSupports:
    actions = [
        RelationalAction(
            action=a.id,
            item=a.item,
            item_rating=rating,
            name=a.name,
            plain_name=a.plain_name,
            description=a.description,
            plain_description=a.plain_description,
            delivered_by=list(a.delivered_by),
        )
        for item_id, rating in _weak_items(inputs, inst)
        for a in catalogue.actions_for(item_id)
    ]
    return RelationalSupports(
        gate=inputs.relational_gate,
        score=inputs.current_relational_health,
        sufficient_min=inst.gate.sufficient_min,
        marginal_min=inst.gate.marginal_min,
        comes_first=inputs.relational_gate == "insufficient",
        statement=_statement(inputs, inst),
        actions=actions if inputs.relational_gate != "sufficient" else [],
        sources=list(catalogue.relational_supports.sources),
    )
