"""Hypothesis strategies for valid assessment dicts, built from the instrument's own ids.

A helper module (not a test file): imported by the scoring tests of this directory.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from neuroseq.instrument import Instrument, load_instrument

INST = load_instrument()
RATING = st.one_of(st.none(), st.integers(0, 3))


def lived_periods(inst: Instrument, age_months: float) -> list[str]:
    return [p.id for p in inst.periods if p.start_months <= age_months]


def adversity_for(inst: Instrument, age_months: float) -> st.SearchStrategy[dict[str, Any]]:
    """One adversity that is possible for a child of this age."""
    pairs = [
        (t.id, p)
        for p in lived_periods(inst, age_months)
        for t in inst.adversity_types
        if p in inst.allowed_periods(t.id)
    ]
    return st.builds(
        lambda pair, severity, chronicity: {
            "type": pair[0],
            "period": pair[1],
            "severity": severity,
            "chronicity": chronicity,
        },
        st.sampled_from(pairs),
        st.integers(1, 3),
        st.sampled_from([c.id for c in inst.chronicity]),
    )


@st.composite
def assessment_dicts(draw: st.DrawFn, inst: Instrument = INST) -> dict[str, Any]:
    """A valid assessment: missing ratings, unrated domains, no adversities all included."""
    age = draw(
        st.one_of(
            st.integers(0, 216).map(float),
            st.floats(0, 216, allow_nan=False, allow_infinity=False),
        )
    )
    adversities = draw(st.lists(adversity_for(inst, age), max_size=6))
    history: dict[str, dict[str, int | None]] = {}
    for period in lived_periods(inst, age):
        if draw(st.booleans()):
            items = draw(st.lists(st.sampled_from([h.id for h in inst.history_items]), unique=True))
            history[period] = {i: draw(RATING) for i in items}
    current_ids = draw(st.lists(st.sampled_from([c.id for c in inst.current_items]), unique=True))
    functional: dict[str, int | None] = {}
    for domain in inst.domain_ids:
        mode = draw(st.sampled_from(["none", "some", "all"]))
        if mode == "none":
            continue
        for f in inst.functions_in_domain(domain):
            if mode == "all" or draw(st.booleans()):
                functional[f.id] = draw(RATING)
    return {
        "instrument_version": inst.version,
        "assessment_date": "2026-01-01",
        "chronological_age_months": age,
        "synthetic": True,
        "adversities": adversities,
        "relational_history": history,
        "current_relational_health": {c: draw(RATING) for c in current_ids},
        "functional": functional,
    }
