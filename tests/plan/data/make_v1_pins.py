"""Write ``v1_plans_main.json``: v1 plans as main computed them, before issue 8.

Run once, at main's commit eb4a4b8 (before the issue-8 plan changes), with::

    .venv/bin/python tests/plan/data/make_v1_pins.py

The file holds each input assessment and the plan's decisions (focus, gate, phases,
activities, settings, people, doses, targets, strengths), not its wording. The test
``test_plan_v1_pinned.py`` re-plans the same inputs with today's code and compares.
Do not regenerate it with later code: that would pin the new behaviour against itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from neuroseq.assessment import parse_assessment
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.instrument import load_instrument
from neuroseq.instrument.activities import load_activities
from neuroseq.plan import plan_for_assessment

OUT = Path(__file__).with_name("v1_plans_main.json")
INST = load_instrument("1")
CAT = load_activities(INST)
SUFFICIENT = {
    "family_connectedness": 3,
    "caregiver_capacity": 3,
    "placement_security": 3,
    "school_connectedness": 2,
    "peer_connectedness": 2,
}


def project(plan: dict[str, Any]) -> dict[str, Any]:
    """The decisions of a plan, without its wording."""

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


def constructed() -> list[dict[str, Any]]:
    rng = np.random.default_rng(20260325)
    rows: list[dict[str, Any]] = [dict(WORKED_EXAMPLE)]
    for n in range(40):
        age = float(rng.integers(0, 217))
        functional: dict[str, int | None] = {}
        level = rng.uniform(-1.6, 0.4)
        start = int(rng.integers(0, len(INST.region_ids)))  # regions below it are typical
        for f in INST.functions:
            typical = INST.typical_status(f.id, age)
            below = INST.region_ids.index(f.region) < start
            value = typical + (0.3 if below else level) + rng.normal(0, 0.4 if below else 0.6)
            functional[f.id] = None if rng.random() < 0.1 else int(min(3, max(0, round(value))))
        relational = {
            i.id: (None if rng.random() < 0.1 else int(rng.integers(0, 4)))
            for i in INST.current_items
        }
        if n % 10 == 0:
            relational = {}
        if n % 7 == 0:
            relational = dict(SUFFICIENT)
        rows.append(
            {
                "instrument_version": "1",
                "synthetic": True,
                "client": {"pseudonym": f"PIN-{n:02d}"},
                "assessment_date": "2026-03-16",
                "chronological_age_months": age,
                "current_relational_health": relational,
                "functional": functional,
            }
        )
    return rows


def main() -> None:
    cases = []
    for data in constructed():
        plan = plan_for_assessment(parse_assessment(data, INST), INST, CAT)
        cases.append({"input": data, "plan": project(plan.to_dict())})
    body = ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases)
    OUT.write_text('{"commit":"eb4a4b8","cases":[\n' + body + "\n]}\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
