"""Is a draft complete enough to sign? The rule the review step shows and signing enforces.

A draft is complete when

- every region has enough rated functional items (the **coverage rule**, see below), and
- the developmental history has entries or is marked "no adversities known" / "not known",
- the relational health history has a rating or is marked "not known",
- current relational health has a rating or is marked "not known".

The coverage rule belongs to the plan package (``neuroseq.plan.check_coverage``, minimum
rated items per region in the instrument's data). Until an installation has it, the
fallback here asks for at least half of each region's items (rounded up): the same
interface, so the review step and signing switch over without change.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from neuroseq.instrument import Instrument


@dataclass(frozen=True)
class RegionCoverage:
    region: str
    name: str
    rated: int
    total: int
    required: int
    unrated: tuple[str, ...]  # function ids, instrument order

    @property
    def ok(self) -> bool:
        return self.rated >= self.required


@dataclass(frozen=True)
class SectionCheck:
    section: str  # step slug
    label: str
    ok: bool
    state: str  # plain words: "entered", "marked not known", "not started"...


@dataclass(frozen=True)
class Completeness:
    regions: tuple[RegionCoverage, ...]
    sections: tuple[SectionCheck, ...]
    rule: str  # where the coverage rule came from, shown on the review page

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.regions) and all(s.ok for s in self.sections)

    def problems(self, inst: Instrument) -> list[str]:
        """One sentence per failing part, naming what to do."""
        lines = []
        for r in self.regions:
            if not r.ok:
                names = ", ".join(inst.function(f).name for f in r.unrated[:4])
                more = " ..." if len(r.unrated) > 4 else ""
                lines.append(
                    f"{r.name}: {r.rated} of {r.total} items rated, at least {r.required} "
                    f"needed (still unrated: {names}{more})"
                )
        lines += [f"{s.label}: {s.state}" for s in self.sections if not s.ok]
        return lines


def _fallback_coverage(inst: Instrument, ratings: Mapping[str, Any]) -> list[RegionCoverage]:
    rows = []
    for region in inst.regions:
        items = inst.functions_in_region(region.id)
        unrated = tuple(f.id for f in items if ratings.get(f.id) is None)
        rows.append(
            RegionCoverage(
                region=region.id,
                name=region.name,
                rated=len(items) - len(unrated),
                total=len(items),
                required=max(1, math.ceil(len(items) / 2)),
                unrated=unrated,
            )
        )
    return rows


def _plan_coverage(inst: Instrument, ratings: Mapping[str, Any]) -> list[RegionCoverage] | None:
    """The plan package's rule, when this installation has it (see the module docstring)."""
    try:
        plan = importlib.import_module("neuroseq.plan")
    except ImportError:
        return None
    check = getattr(plan, "check_coverage", None)
    if check is None:
        return None
    result = check(inst, dict(ratings))
    rows = []
    for row in getattr(result, "regions", result):
        items = inst.functions_in_region(row.region)
        unrated = tuple(f.id for f in items if ratings.get(f.id) is None)
        rows.append(
            RegionCoverage(
                region=row.region,
                name=inst.region(row.region).name,
                rated=len(items) - len(unrated),
                total=len(items),
                required=int(row.required),
                unrated=unrated,
            )
        )
    return rows


def coverage(inst: Instrument, ratings: Mapping[str, Any]) -> tuple[list[RegionCoverage], str]:
    rows = _plan_coverage(inst, ratings)
    if rows is not None:
        return rows, "the instrument's coverage rule (minimum rated items per region)"
    return _fallback_coverage(inst, ratings), "at least half of each region's items rated"


def _rated(values: Any) -> bool:
    if isinstance(values, dict):
        return any(_rated(v) for v in values.values())
    return values is not None


def check(inst: Instrument, inputs: Mapping[str, Any], marks: Mapping[str, Any]) -> Completeness:
    regions, rule = coverage(inst, inputs.get("functional") or {})
    history_mark = marks.get("history")
    if inputs.get("adversities"):
        history = SectionCheck("history", "Developmental history", True, "entered")
    elif history_mark == "none":
        history = SectionCheck("history", "Developmental history", True, "no adversities known")
    elif history_mark == "not_known":
        history = SectionCheck("history", "Developmental history", True, "marked not known")
    else:
        history = SectionCheck(
            "history",
            "Developmental history",
            False,
            "add the adversities, or mark it 'no adversities known' or 'not known'",
        )
    sections = [history]
    for section, slug, label in (
        ("relational_history", "relational-history", "Relational health history"),
        ("current_relational_health", "current-relational", "Current relational health"),
    ):
        if _rated(inputs.get(section) or {}):
            sections.append(SectionCheck(slug, label, True, "entered"))
        elif marks.get(section) == "not_known":
            sections.append(SectionCheck(slug, label, True, "marked not known"))
        else:
            sections.append(
                SectionCheck(slug, label, False, "rate at least one item, or mark it 'not known'")
            )
    return Completeness(tuple(regions), tuple(sections), rule)
