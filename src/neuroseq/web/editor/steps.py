"""The entry steps of a draft and what each shows, built from the ``Instrument`` object.

Nothing here is specific to one instrument version: periods, adversity types with their
allowed periods, relational items, functions with anchors and norms, and clinical flags
all come from the instrument the draft names, so a new version needs no new pages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from neuroseq.brainmap.text import format_age, typical_words
from neuroseq.instrument import Instrument
from neuroseq.web.editor.completeness import Completeness
from neuroseq.web.editor.content import Content, normal_entry
from neuroseq.web.editor.describe import adversity_text
from neuroseq.web.editor.fields import flags_of

SEVERITIES = [(1, "mild"), (2, "moderate"), (3, "severe")]
GATE_LABELS = {
    "sufficient": "Sufficient",
    "marginal": "Marginal",
    "insufficient": "Insufficient",
    "not_rated": "Not rated yet",
}


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    hint: str


def steps_for(inst: Instrument) -> list[Step]:
    steps = [
        Step("details", "Assessment details", "date and who rated"),
        Step("history", "Developmental history", "adversities by developmental period"),
        Step("relational-history", "Relational health history", "relationships in each period"),
        Step("current-relational", "Current relational health", "relationships now: the gate"),
        Step("functional", "Functional review", "rate each function, keyboard-first"),
    ]
    if flags_of(inst):
        steps.append(Step("flags", "Safety flags", "medical and safeguarding concerns"))
    steps.append(Step("review", "Check and send for review", "completeness, scores, plan"))
    return steps


def step_slugs(inst: Instrument) -> list[str]:
    return [s.slug for s in steps_for(inst)]


def lived_periods(inst: Instrument, age_months: float) -> list[Any]:
    """Periods the child had reached by the assessment date (prenatal included)."""
    return [p for p in inst.periods if p.start_months <= age_months]


def step_states(
    inst: Instrument, content: Content, completeness: Completeness, age_months: float
) -> dict[str, tuple[str, bool]]:
    """Each step's status in words, and whether it counts as done (task-list pattern)."""
    inputs, marks = content.inputs, content.marks
    adversities = inputs.get("adversities") or []
    states: dict[str, tuple[str, bool]] = {"details": ("Completed", True)}
    if adversities:
        n = len(adversities)
        states["history"] = (f"{n} adversit{'y' if n == 1 else 'ies'} entered", True)
    elif marks.get("history") == "none":
        states["history"] = ("No adversities known", True)
    elif marks.get("history") == "not_known":
        states["history"] = ("Marked not known", True)
    else:
        states["history"] = ("Not yet started", False)
    periods = lived_periods(inst, age_months)
    history = inputs.get("relational_history") or {}
    rated_periods = sum(
        any(v is not None for v in (history.get(p.id) or {}).values()) for p in periods
    )
    if rated_periods:
        states["relational-history"] = (f"{rated_periods} of {len(periods)} periods rated", True)
    elif marks.get("relational_history") == "not_known":
        states["relational-history"] = ("Marked not known", True)
    else:
        states["relational-history"] = ("Not yet started", False)
    current = inputs.get("current_relational_health") or {}
    rated_now = sum(current.get(i.id) is not None for i in inst.current_items)
    if rated_now:
        states["current-relational"] = (f"{rated_now} of {len(inst.current_items)} rated", True)
    elif marks.get("current_relational_health") == "not_known":
        states["current-relational"] = ("Marked not known", True)
    else:
        states["current-relational"] = ("Not yet started", False)
    functional = inputs.get("functional") or {}
    rated = sum(functional.get(f) is not None for f in inst.function_ids)
    covered = all(r.ok for r in completeness.regions)
    states["functional"] = (
        f"{rated} of {len(inst.function_ids)} rated"
        + ("" if covered else ": more needed in some regions"),
        covered,
    )
    flags = flags_of(inst)
    if flags:
        answered = sum((inputs.get("clinical_flags") or {}).get(f.id) is not None for f in flags)
        states["flags"] = (f"{answered} of {len(flags)} answered", answered == len(flags))
    states["review"] = (
        ("Ready to send for review", True) if completeness.ok else ("Not complete yet", False)
    )
    return states


# --------------------------------------------------------------------------- history
@dataclass
class PeriodRow:
    id: str
    label: str
    plain_label: str
    load: float
    entries: list[dict[str, Any]] = field(default_factory=list)


def history_context(inst: Instrument, content: Content, scores: dict[str, Any]) -> dict[str, Any]:
    age = float(scores.get("chronological_age_months") or 0.0)
    periods = lived_periods(inst, age)
    loads = scores.get("period_load") or {}
    rows = {
        p.id: PeriodRow(p.id, p.label, p.plain_label, float(loads.get(p.id, 0.0))) for p in periods
    }
    for index, raw in enumerate(content.inputs.get("adversities") or []):
        entry = normal_entry(raw)
        row = rows.get(entry["period"])
        if row is not None:
            row.entries.append(
                {
                    "index": index,
                    "text": adversity_text(inst, entry),
                    "json": json.dumps(entry, sort_keys=True),
                    "type": inst.adversity_type(entry["type"]).name,
                    "severity": dict(SEVERITIES).get(entry["severity"], ""),
                    "chronicity": inst.chronicity_level(entry["chronicity"]).label,
                    "note": entry["note"] or "",
                }
            )
    biggest = max((r.load for r in rows.values()), default=0.0) or 1.0
    impact = scores.get("region_impact") or {}
    lived = {p.id for p in periods}
    types = [
        {
            "id": t.id,
            "name": t.name,
            "description": t.description,
            "periods": " ".join(p for p in inst.allowed_periods(t.id) if p in lived),
        }
        for t in inst.adversity_types
    ]
    return {
        "periods": list(rows.values()),
        "load_max": biggest,
        "impact": [
            {"id": r.id, "name": r.name, "value": impact.get(r.id)} for r in reversed(inst.regions)
        ],
        "challenges": scores.get("developmental_challenges_score"),
        "types": [t for t in types if t["periods"]],
        "period_choices": periods,
        "severities": SEVERITIES,
        "chronicity": inst.chronicity,
        "mark": content.marks.get("history"),
        "count": len(content.inputs.get("adversities") or []),
    }


# --------------------------------------------------------------------------- ratings
def _choices(anchors: Any) -> list[dict[str, Any]]:
    return [{"value": v, "anchor": anchors.for_status(v)} for v in (0, 1, 2, 3)]


def relational_history_context(
    inst: Instrument, content: Content, scores: dict[str, Any]
) -> dict[str, Any]:
    age = float(scores.get("chronological_age_months") or 0.0)
    by_period = scores.get("relational_history_by_period") or {}
    periods = []
    for p in lived_periods(inst, age):
        items = [
            {
                "path": f"relational_history.{p.id}.{i.id}",
                "name": i.name,
                "description": i.description,
                "value": content.get(f"relational_history.{p.id}.{i.id}"),
                "choices": _choices(i.anchors),
                "inline": True,
            }
            for i in inst.history_items
        ]
        periods.append({"id": p.id, "label": p.label, "score": by_period.get(p.id), "items": items})
    return {
        "periods": periods,
        "score": scores.get("relational_health_history_score"),
        "mark": content.marks.get("relational_history"),
    }


def current_relational_context(
    inst: Instrument, content: Content, scores: dict[str, Any]
) -> dict[str, Any]:
    items = [
        {
            "path": f"current_relational_health.{i.id}",
            "name": i.name,
            "description": i.description,
            "value": content.get(f"current_relational_health.{i.id}"),
            "choices": _choices(i.anchors),
            "inline": True,
        }
        for i in inst.current_items
    ]
    return {
        "items": items,
        "score": scores.get("current_relational_health"),
        "gate": scores.get("relational_gate", "not_rated"),
        "gate_label": GATE_LABELS.get(scores.get("relational_gate", "not_rated"), "Not rated"),
        "gate_min": inst.gate.marginal_min,
        "gate_sufficient": inst.gate.sufficient_min,
        "mark": content.marks.get("current_relational_health"),
    }


def _without_label(anchor: str, label: str) -> str:
    """A v2 anchor repeats its status word ("emerging: gags on lumps"); beside the label
    the words after the colon are enough."""
    head, colon, rest = anchor.partition(":")
    if colon and rest.strip() and label.lower().startswith(head.strip().lower()):
        return rest.strip()
    return anchor


def functional_context(inst: Instrument, content: Content, age_months: float) -> dict[str, Any]:
    """Regions bottom-up, each function with its anchors and the typical status for age."""
    flag_for = {f.function: f for f in flags_of(inst) if getattr(f, "function", None)}
    regions = []
    for region in inst.regions:
        items = []
        for f in inst.functions_in_region(region.id):
            typical = inst.typical_status(f.id, age_months)
            flag = flag_for.get(f.id)
            items.append(
                {
                    "id": f.id,
                    "path": f"functional.{f.id}",
                    "name": f.name,
                    "plain_name": f.plain_name,
                    "description": f.description,
                    "domain": inst.domain(f.domain).name,
                    "value": content.get(f"functional.{f.id}"),
                    "typical": typical,
                    "typical_text": typical_words(inst, typical),
                    "choices": [
                        {
                            "value": v,
                            "label": inst.status_level(v).label,
                            "anchor": f.anchors.for_status(v),
                            "detail": _without_label(
                                f.anchors.for_status(v), inst.status_level(v).label
                            ),
                        }
                        for v in (0, 1, 2, 3)
                    ],
                    "flag": flag,
                }
            )
        regions.append({"id": region.id, "name": region.name, "items": items})
    return {
        "regions": regions,
        "total": len(inst.function_ids),
        "status_meaning": getattr(inst.header, "status_meaning", None),
        "age_text": format_age(age_months),
    }


def flags_context(inst: Instrument, content: Content) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {"medical": [], "safeguarding": []}
    for f in flags_of(inst):
        function = getattr(f, "function", None)
        groups.setdefault(f.kind, []).append(
            {
                "id": f.id,
                "path": f"clinical_flags.{f.id}",
                "label": f.label,
                "description": f.description,
                "action": f.action,
                "function": inst.function(function).name if function else "",
                "value": content.get(f"clinical_flags.{f.id}"),
            }
        )
    return {
        "groups": [
            {"kind": kind, "title": title, "flags": groups.get(kind, [])}
            for kind, title in (
                ("medical", "Medical concerns"),
                ("safeguarding", "Safeguarding concerns"),
            )
            if groups.get(kind)
        ]
    }
