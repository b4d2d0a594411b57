"""Relational health: history score per period and overall, current score and the gate."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

from neuroseq.instrument import Instrument
from neuroseq.scoring.explain import Explanation, Term

Gate = Literal["sufficient", "marginal", "insufficient", "not_rated"]
PERCENT_PER_STATUS = 100.0 / 3.0


def history_by_period(
    history: Mapping[str, Mapping[str, int | None]], inst: Instrument
) -> dict[str, float | None]:
    """Mean rated item x 100/3 per period; None where no item of the period is rated."""
    result: dict[str, float | None] = {}
    for period in inst.period_ids:
        rated = [v for v in history.get(period, {}).values() if v is not None]
        result[period] = sum(rated) / len(rated) * PERCENT_PER_STATUS if rated else None
    return result


def history_score(history: Mapping[str, Mapping[str, int | None]], inst: Instrument) -> Explanation:
    by_period = history_by_period(history, inst)
    terms = tuple(
        Term(
            period,
            value,
            inst.history_period_weights[period],
            value * inst.history_period_weights[period],
        )
        for period, value in by_period.items()
        if value is not None
    )
    total_weight = math.fsum(t.weight for t in terms)
    value = math.fsum(t.contribution for t in terms) / total_weight if terms else None
    unrated = tuple(p for p, v in by_period.items() if v is None)
    return Explanation(
        score="relational_health_history_score",
        value=value,
        formula="sum of period weight x period score / sum of weights over rated periods",
        terms=terms,
        notes=(f"periods not rated: {', '.join(unrated)}",) if unrated else (),
    )


def current_score(current: Mapping[str, int | None], inst: Instrument) -> Explanation:
    terms = tuple(
        Term(item.id, float(r), item.weight, item.weight * r)
        for item in inst.current_items
        if (r := current.get(item.id)) is not None
    )
    total_weight = math.fsum(t.weight for t in terms)
    value = (
        math.fsum(t.contribution for t in terms) / total_weight * PERCENT_PER_STATUS
        if terms
        else None
    )
    missing = tuple(i.id for i in inst.current_items if current.get(i.id) is None)
    return Explanation(
        score="current_relational_health",
        value=value,
        formula="100/3 x sum of weight x rating / sum of weights over rated items",
        terms=terms,
        notes=(f"items not rated: {', '.join(missing)}",) if missing else (),
    )


def gate(current_value: float | None, inst: Instrument) -> Gate:
    if current_value is None:
        return "not_rated"
    if current_value >= inst.gate.sufficient_min:
        return "sufficient"
    if current_value >= inst.gate.marginal_min:
        return "marginal"
    return "insufficient"
