"""No focus region is not a finding of typical development (QA finding 2): a child below
the typical child by more than one SEM, though not beyond measurement error, gets no
focus, and neither the clinician nor the family is told the child is typical.

Oracle: SEM = SD x sqrt(1 - r) recomputed from the instrument's reliability figures."""

from __future__ import annotations

import math

from neuroseq.instrument import Instrument
from neuroseq.instrument.activities import Catalogue
from neuroseq.plan.render import render_plan

LOWERED = ("heart_rate_regulation", "sleep_regulation", "arousal_regulation")


def sem(inst: Instrument, region: str) -> float:
    figure = inst.reliability.regions[region]
    return figure.sd * math.sqrt(1 - figure.reliability)


def test_a_gap_inside_measurement_error_gives_no_focus_but_is_not_called_typical(
    make_child2, make_plan2, inst2: Instrument, catalogue2: Catalogue
) -> None:
    plan = make_plan2(make_child2(66, dict.fromkeys(LOWERED, 2)))
    brainstem = next(r for r in plan.regions if r.region == "brainstem")
    assert brainstem.gap is not None
    assert sem(inst2, "brainstem") < brainstem.gap <= 1.96 * sem(inst2, "brainstem")
    assert plan.phases == [] and plan.first_step == "maintain"
    assert brainstem.behind and not brainstem.below_threshold
    caregiver = render_plan(plan, "caregiver", inst2, catalogue2)
    assert "as well as other children" not in caregiver
    assert "No one part needs to come first right now" in caregiver
    assert "below expectation" not in plan.next_phase_when.summary
    assert "beyond measurement error" in plan.next_phase_when.summary


def test_a_typical_child_is_behind_nowhere(make_child2, make_plan2, inst2: Instrument) -> None:
    for months in (24, 48, 72, 96, 120, 150):
        plan = make_plan2(make_child2(months))
        assert not any(r.behind for r in plan.regions), months
