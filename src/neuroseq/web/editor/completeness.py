"""Is a draft complete enough to sign? The rule the review step shows and signing enforces.

A draft is complete when

- every region has enough rated functional items (the **coverage rule**, see below), and
- the developmental history has entries or is marked "no adversities known" / "not known",
- the relational health history has a rating or is marked "not known",
- current relational health has a rating or is marked "not known".

The coverage rule belongs to the plan package (``neuroseq.plan.coverage.check_coverage``
with the minimums in the instrument's ``rules.yaml``, version 2 on): minimum rated items
per region and of current relational health. An instrument without rules (version 1)
uses the fallback here: at least half of each region's items (rounded up).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from neuroseq.instrument import Instrument

RH = "Relational health history"
CRH = "Current relational health"


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


def plan_coverage(inst: Instrument, inputs: Mapping[str, Any]) -> Any | None:
    """The plan package's coverage check with the instrument's rules, when it has rules
    (instrument v2 on); None for an instrument without them (v1 uses the fallback)."""
    try:
        coverage_module = importlib.import_module("neuroseq.plan.coverage")
        rules_module = importlib.import_module("neuroseq.instrument.rules")
    except ImportError:
        return None
    rules = rules_module.load_rules(inst)
    if rules is None:
        return None
    return coverage_module.check_coverage(
        inputs.get("functional") or {},
        inputs.get("current_relational_health") or {},
        inst,
        rules,
    )


def _from_plan(inst: Instrument, result: Any) -> list[RegionCoverage]:
    return [
        RegionCoverage(
            region=row.region,
            name=inst.region(row.region).name,
            rated=row.rated,
            total=row.total,
            required=row.min_rated,
            unrated=tuple(row.unrated),
        )
        for row in result.regions
    ]


def coverage(inst: Instrument, inputs: Mapping[str, Any]) -> tuple[list[RegionCoverage], str, Any]:
    """Rows per region, the rule in words, and the plan package's full result (or None)."""
    result = plan_coverage(inst, inputs)
    if result is not None:
        return (
            _from_plan(inst, result),
            "the instrument's coverage rule (minimum rated items per region)",
            result,
        )
    rows = _fallback_coverage(inst, inputs.get("functional") or {})
    return rows, "at least half of each region's items rated", None


def _rated(values: Any) -> bool:
    if isinstance(values, dict):
        return any(_rated(v) for v in values.values())
    return values is not None


def check(inst: Instrument, inputs: Mapping[str, Any], marks: Mapping[str, Any]) -> Completeness:
    regions, rule, result = coverage(inst, inputs)
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
    if _rated(inputs.get("relational_history") or {}):
        sections.append(SectionCheck("relational-history", RH, True, "entered"))
    elif marks.get("relational_history") == "not_known":
        sections.append(SectionCheck("relational-history", RH, True, "marked not known"))
    else:
        sections.append(
            SectionCheck(
                "relational-history", RH, False, "rate at least one period, or mark it 'not known'"
            )
        )
    current = inputs.get("current_relational_health") or {}
    if marks.get("current_relational_health") == "not_known" and not _rated(current):
        sections.append(SectionCheck("current-relational", CRH, True, "marked not known"))
    elif result is not None and not result.relational_ok:
        need = result.relational_min_rated
        missing = ", ".join(
            i.name for i in inst.current_items if i.id in result.relational_required_missing
        )
        sections.append(
            SectionCheck(
                "current-relational",
                CRH,
                False,
                f"{result.relational_rated} of {result.relational_total} rated; rate at least "
                f"{need}"
                + (f", including {missing}" if missing else "")
                + ", or mark it 'not known'",
            )
        )
    elif _rated(current):
        sections.append(SectionCheck("current-relational", CRH, True, "entered"))
    else:
        sections.append(
            SectionCheck(
                "current-relational", CRH, False, "rate at least one item, or mark it 'not known'"
            )
        )
    return Completeness(tuple(regions), tuple(sections), rule)
