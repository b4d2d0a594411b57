"""Fields and values in words: what a conflict, a change list or a review page shows.

No ids reach a page from here: every function, item, period and adversity type is named
as the instrument names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neuroseq.instrument import Instrument
from neuroseq.web.editor.content import Content, changed_paths, normal_entry
from neuroseq.web.editor.fields import flags_of

MARK_WORDS = {"none": "no adversities known", "not_known": "not known"}
SECTION_OF = {
    "assessment_date": "details",
    "rater": "details",
    "adversities": "history",
    "relational_history": "relational-history",
    "current_relational_health": "current-relational",
    "functional": "functional",
    "clinical_flags": "flags",
}
MARK_STEP = {
    "history": "history",
    "relational_history": "relational-history",
    "current_relational_health": "current-relational",
}


def step_of(path: str) -> str:
    head, _, rest = path.partition(".")
    if head == "marks":
        return MARK_STEP.get(rest, "details")
    return SECTION_OF.get(head, "details")


def _flag(inst: Instrument, flag_id: str) -> Any:
    return next((f for f in flags_of(inst) if f.id == flag_id), None)


def label(inst: Instrument, path: str) -> str:
    head, _, rest = path.partition(".")
    if head == "assessment_date":
        return "Assessment date"
    if head == "rater":
        return "Rater"
    if head == "adversities":
        return "Developmental history"
    if head == "functional":
        return f"Functional review: {inst.function(rest).name}"
    if head == "current_relational_health":
        item = next(i for i in inst.current_items if i.id == rest)
        return f"Current relational health: {item.name}"
    if head == "relational_history":
        period, item_id = rest.split(".")
        item = next(i for i in inst.history_items if i.id == item_id)
        return f"Relational history, {inst.period(period).label}: {item.name}"
    if head == "clinical_flags":
        flag = _flag(inst, rest)
        return f"Safety flag: {flag.label if flag else rest}"
    if head == "marks":
        return {
            "history": "Developmental history",
            "relational_history": "Relational health history",
            "current_relational_health": "Current relational health",
        }.get(rest, rest)
    return path


def adversity_text(inst: Instrument, entry: dict[str, Any]) -> str:
    e = normal_entry(entry)
    severity = {1: "mild", 2: "moderate", 3: "severe"}.get(e["severity"], str(e["severity"]))
    text = (
        f"{inst.adversity_type(e['type']).name}, {inst.period(e['period']).label}, "
        f"{severity}, {inst.chronicity_level(e['chronicity']).label}"
    )
    return f"{text} (note: {e['note']})" if e["note"] else text


def status_text(inst: Instrument, value: int | None) -> str:
    if value is None:
        return "not rated"
    return f"{value} ({inst.status_level(value).label})"


def value_text(inst: Instrument, path: str, value: Any) -> str:
    head, _, rest = path.partition(".")
    if head == "marks":
        return MARK_WORDS.get(value, "not marked") if value else "not marked"
    if value is None or value == "":
        return {"clinical_flags": "not assessed", "rater": "not recorded"}.get(head, "not rated")
    if head == "functional":
        return status_text(inst, value)
    if head in ("current_relational_health", "relational_history"):
        item_id = rest.split(".")[-1]
        items = inst.current_items if head == "current_relational_health" else inst.history_items
        item = next(i for i in items if i.id == item_id)
        return f"{value} ({item.anchors.for_status(value)})"
    if head == "clinical_flags":
        return "yes" if value else "no"
    if head == "adversities":
        return "; ".join(adversity_text(inst, e) for e in value) or "none entered"
    return str(value)


@dataclass(frozen=True)
class ChangeRow:
    step: str
    label: str
    before: str
    after: str


def describe_changes(inst: Instrument, before: Content, after: Content) -> list[ChangeRow]:
    """What differs between two versions of a draft, in words, in entry order."""
    rows: list[ChangeRow] = []
    for path in changed_paths(before, after):
        if path == "adversities":
            old = [normal_entry(e) for e in before.inputs.get("adversities") or []]
            new = [normal_entry(e) for e in after.inputs.get("adversities") or []]
            rows += [
                ChangeRow("history", "Adversity removed", adversity_text(inst, e), "")
                for e in old
                if old.count(e) > new.count(e)
            ]
            rows += [
                ChangeRow("history", "Adversity added", "", adversity_text(inst, e))
                for e in new
                if new.count(e) > old.count(e)
            ]
            continue
        rows.append(
            ChangeRow(
                step_of(path),
                label(inst, path),
                value_text(inst, path, before.get(path)),
                value_text(inst, path, after.get(path)),
            )
        )
    order = list(SECTION_OF.values())
    return sorted(rows, key=lambda r: order.index(r.step) if r.step in order else 0)
