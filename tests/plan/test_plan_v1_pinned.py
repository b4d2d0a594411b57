"""Instrument v1 assessments plan as they did on main before issue 8.

``data/v1_plans_main.json`` was written by ``data/make_v1_pins.py`` running main's code
(commit eb4a4b8), not this branch's: 41 v1 children (the worked example and 40 seeded
random children of every age, focus region and relational gate). Each is re-planned
here and its decisions (focus, gate, phases, activities, settings, people, doses,
targets, strengths) must be unchanged. Wording may improve; decisions may not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from neuroseq.assessment import parse_assessment
from neuroseq.instrument import load_instrument
from neuroseq.instrument.activities import load_activities
from neuroseq.plan import plan_for_assessment

PINS = json.loads((Path(__file__).parent / "data" / "v1_plans_main.json").read_text())
INST = load_instrument("1")
CAT = load_activities(INST)


def project(plan: dict[str, Any]) -> dict[str, Any]:
    """The same projection as ``make_v1_pins.project`` (repeated so the pin is independent)."""

    def target(t: dict[str, Any]) -> list[Any]:
        return [t["function"], t["current"], t["target"]]

    return {
        "focus_region": plan["focus_region"],
        "relational_gate": plan["relational_gate"],
        "first_step": plan["first_step"],
        "threshold_points": plan["threshold_points"],
        "regions": [
            [r["region"], r["score"], r["typical"], r["below_threshold"]] for r in plan["regions"]
        ],
        "relational_actions": [a["action"] for a in plan["relational_supports"]["actions"]],
        "comes_first": plan["relational_supports"]["comes_first"],
        "phases": [
            {
                "region": p["region"],
                "status": p["status"],
                "developmental_age_months": p["developmental_age_months"],
                "compromised": [target(t) for t in p["compromised"]],
                "recommendations": [
                    [r["activity"], r["setting"], r["delivered_by"], r["dosage"], r["targets"]]
                    for r in p["recommendations"]
                ],
                "weekly_dose": p["weekly_dose"],
            }
            for p in plan["phases"]
        ],
        "next_region": plan["next_phase_when"]["next_region"],
        "next_functions": [target(t) for t in plan["next_phase_when"]["functions"]],
        "strengths": [s["function"] for s in plan["strengths"]],
        "not_rated": plan["not_rated"],
    }


def test_the_pins_cover_every_kind_of_plan() -> None:
    plans = [case["plan"] for case in PINS["cases"]]
    assert {p["first_step"] for p in plans} == {"focus_region", "relational_supports", "maintain"}
    assert {p["focus_region"] for p in plans} >= {None, *INST.region_ids}


@pytest.mark.parametrize("case", PINS["cases"], ids=lambda c: c["input"]["client"]["pseudonym"])
def test_v1_plan_decisions_are_unchanged(case: dict[str, Any]) -> None:
    assert case["input"]["instrument_version"] == "1"
    plan = plan_for_assessment(parse_assessment(case["input"], INST), INST, CAT)
    assert project(plan.to_dict()) == case["plan"]
