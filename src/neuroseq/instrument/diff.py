"""What changed between two versions of the instrument (``neuroseq instrument diff 1 2``).

Items are matched by id; a newer version's ``changes`` section (instrument.yaml) says
which earlier items it replaced, merged, retired or added, and why. Everything else is
compared field by field: anchors, norms (as the typical status at landmark ages), weights,
regions and domains, status words, transforms, age-equivalent rule, reliability
figures, clinical flags, periods, adversity types and relational items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from neuroseq.instrument.loader import Instrument

LANDMARK_AGES = (12, 24, 36, 48, 60, 84, 120, 180)  # months at which norms are compared


@dataclass(frozen=True)
class ItemChange:
    kind: str  # renamed | merged | split | retired | added | removed | replaced
    previous: tuple[str, ...]
    current: str | None
    why: str | None


@dataclass(frozen=True)
class FieldChange:
    """One changed field: ``where`` names the item and field, e.g. ``attachment.anchors.2``."""

    where: str
    before: Any
    after: Any


@dataclass
class InstrumentDiff:
    old: str
    new: str
    items: list[ItemChange] = field(default_factory=list)
    fields: dict[str, list[FieldChange]] = field(default_factory=dict)

    def section(self, name: str) -> list[FieldChange]:
        return self.fields.get(name, [])

    @property
    def empty(self) -> bool:
        return not self.items and not any(self.fields.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_version": self.old,
            "new_version": self.new,
            "items": [
                {
                    "kind": c.kind,
                    "previous": list(c.previous),
                    "current": c.current,
                    "why": c.why,
                }
                for c in self.items
            ],
            **{
                name: [{"where": c.where, "before": c.before, "after": c.after} for c in changes]
                for name, changes in self.fields.items()
            },
        }


def _one_line(text: str | None) -> str | None:
    return " ".join(text.split()) if text else text


def _items(a: Instrument, b: Instrument) -> list[ItemChange]:
    documented: list[ItemChange] = []
    seen_old: set[str] = set()
    seen_new: set[str] = set()
    changes = b.changes if b.changes and b.changes.from_version == a.version else None
    for change in changes.items if changes else []:
        previous = tuple(change.previous)
        if change.current is None:
            kind = "retired"
        elif not previous:
            kind = "added"
        elif len(previous) > 1:
            kind = "merged"
        elif previous[0] == change.current:
            kind = "redefined"
        else:
            kind = "renamed"
        documented.append(ItemChange(kind, previous, change.current, _one_line(change.why)))
        seen_old.update(previous)
        if change.current:
            seen_new.add(change.current)
    old_ids, new_ids = set(a.function_ids), set(b.function_ids)
    removed = [f for f in a.function_ids if f not in new_ids and f not in seen_old]
    added = [f for f in b.function_ids if f not in old_ids and f not in seen_new]
    undocumented = [ItemChange("removed", (f,), None, None) for f in removed]
    undocumented += [ItemChange("added", (), f, None) for f in added]
    return documented + undocumented


def _compare(
    out: list[FieldChange], where: str, before: Any, after: Any
) -> None:  # small helper: record a change only when values differ
    if before != after:
        out.append(FieldChange(where, before, after))


def _functions(a: Instrument, b: Instrument) -> dict[str, list[FieldChange]]:
    anchors: list[FieldChange] = []
    norms: list[FieldChange] = []
    weights: list[FieldChange] = []
    placement: list[FieldChange] = []
    words: list[FieldChange] = []
    for f in b.functions:
        if f.id not in a.function_ids:
            continue
        old = a.function(f.id)
        for s in range(4):
            before_anchor, after_anchor = old.anchors.for_status(s), f.anchors.for_status(s)
            _compare(anchors, f"{f.id}.anchors.{s}", before_anchor, after_anchor)
        for age in LANDMARK_AGES:
            before = round(a.typical_status(f.id, age), 2)
            after = round(b.typical_status(f.id, age), 2)
            _compare(norms, f"{f.id}.typical status at {age} months", before, after)
        _compare(norms, f"{f.id}.norm_source", _one_line(old.norm_source), _one_line(f.norm_source))
        _compare(weights, f"{f.id}.weight", old.weight, f.weight)
        _compare(placement, f"{f.id}.region", old.region, f.region)
        _compare(placement, f"{f.id}.domain", old.domain, f.domain)
        for name in ("name", "plain_name", "description", "plain_description"):
            before_words, after_words = _one_line(getattr(old, name)), _one_line(getattr(f, name))
            _compare(words, f"{f.id}.{name}", before_words, after_words)
    return {
        "anchors": anchors,
        "norms": norms,
        "weights": weights,
        "regions_and_domains": placement,
        "item_wording": words,
    }


def _scales(a: Instrument, b: Instrument) -> dict[str, list[FieldChange]]:
    status: list[FieldChange] = []
    for old, new in zip(a.status_levels, b.status_levels, strict=True):
        _compare(status, f"status {new.value}.label", old.label, new.label)
        _compare(status, f"status {new.value}.plain_label", old.plain_label, new.plain_label)
    _compare(
        status,
        "header.status_meaning",
        _one_line(a.header.status_meaning),
        _one_line(b.header.status_meaning),
    )
    transforms: list[FieldChange] = []
    for name in ("kind", "challenges_scale", "region_impact_scale"):
        before_value, after_value = getattr(a.transforms, name), getattr(b.transforms, name)
        _compare(transforms, f"transforms.{name}", before_value, after_value)
    ta, tb = a.transforms, b.transforms
    _compare(
        transforms,
        "challenges formula",
        ta.formula(ta.challenges_scale),
        tb.formula(tb.challenges_scale),
    )
    ae: list[FieldChange] = []
    sa, sb = a.age_equivalent_settings, b.age_equivalent_settings
    _compare(
        ae,
        "age_equivalents.resolution_months",
        sa.resolution_months if sa else None,
        sb.resolution_months if sb else None,
    )
    reliability: list[FieldChange] = []
    ra, rb = a.reliability, b.reliability

    def figure(x: Any) -> str | None:
        return None if x is None else f"SD {x.sd:g}, r {x.reliability:g}"

    total_before, total_after = figure(ra.functional_score), figure(rb.functional_score)
    _compare(reliability, "functional_score", total_before, total_after)
    for r in b.region_ids:
        _compare(reliability, f"regions.{r}", figure(ra.regions.get(r)), figure(rb.regions.get(r)))
    for d in b.domain_ids:
        _compare(reliability, f"domains.{d}", figure(ra.domains.get(d)), figure(rb.domains.get(d)))
    _compare(
        reliability,
        "age_typical_percent",
        figure(ra.age_typical_percent),
        figure(rb.age_typical_percent),
    )
    _compare(reliability, "source", _one_line(ra.source), _one_line(rb.source))
    return {
        "status_words": status,
        "transforms": transforms,
        "age_equivalents": ae,
        "reliability": reliability,
    }


def _catalogues(a: Instrument, b: Instrument) -> dict[str, list[FieldChange]]:
    flags: list[FieldChange] = []
    old_flags = {f.id: f for f in a.flags}
    for f in b.flags:
        if f.id not in old_flags:
            where = f"{f.id} ({f.kind}{', ' + f.function if f.function else ''})"
            flags.append(FieldChange(where, None, _one_line(f.label)))
        else:
            _compare(flags, f"{f.id}.label", old_flags[f.id].label, f.label)
            before_action = _one_line(old_flags[f.id].action)
            _compare(flags, f"{f.id}.action", before_action, _one_line(f.action))
    for f in a.flags:
        if f.id not in b.flag_ids:
            flags.append(FieldChange(f.id, _one_line(f.label), None))
    history: list[FieldChange] = []
    _compare(
        history,
        "periods",
        [(p.id, p.start_months, p.end_months, p.timing_weight) for p in a.periods],
        [(p.id, p.start_months, p.end_months, p.timing_weight) for p in b.periods],
    )
    old_types = {t.id: t for t in a.adversity_types}
    for t in b.adversity_types:
        before = old_types.get(t.id)
        _compare(history, f"adversity {t.id}.weight", before.weight if before else None, t.weight)
    for t in a.adversity_types:
        if t.id not in {x.id for x in b.adversity_types}:
            history.append(FieldChange(f"adversity {t.id}", t.weight, None))
    _compare(history, "sensitivity", a.sensitivity, b.sensitivity)
    relational: list[FieldChange] = []
    _compare(
        relational,
        "history items",
        [(i.id, i.weight) for i in a.history_items],
        [(i.id, i.weight) for i in b.history_items],
    )
    _compare(
        relational,
        "current items",
        [(i.id, i.weight) for i in a.current_items],
        [(i.id, i.weight) for i in b.current_items],
    )
    _compare(
        relational,
        "gate",
        (a.gate.sufficient_min, a.gate.marginal_min),
        (b.gate.sufficient_min, b.gate.marginal_min),
    )
    return {"flags": flags, "history_catalogue": history, "relational": relational}


def diff_instruments(a: Instrument, b: Instrument) -> InstrumentDiff:
    """Every change from instrument ``a`` to instrument ``b``."""
    result = InstrumentDiff(a.version, b.version, _items(a, b))
    result.fields.update(_functions(a, b))
    result.fields.update(_scales(a, b))
    result.fields.update(_catalogues(a, b))
    return result
