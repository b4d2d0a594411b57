"""Compare two assessments of the same child: per function, and per score with the RCI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from neuroseq.instrument import Instrument
from neuroseq.instrument.schema import ReliabilityFigure
from neuroseq.progress.adjusted import AdjustedChange, Velocity, typical_score, velocities
from neuroseq.progress.functions import DIRECTIONS, FunctionChange, function_changes
from neuroseq.progress.rci import (
    RELIABLE_THRESHOLD,
    Classification,
    classify,
    reliable_change_index,
    standard_error_of_difference,
)

Scope = Literal["total", "region", "domain"]


class ProgressError(ValueError):
    """Assessments that must not be compared; ``errors`` holds one ``path: message`` each."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Snapshot:
    """What progress needs from one scored assessment; ``label`` names it in errors."""

    pseudonym: str | None
    instrument_version: str
    assessment_date: date
    age_months: float
    ratings: Mapping[str, int | None]
    functional_score: float | None
    region_scores: Mapping[str, float | None]
    domain_scores: Mapping[str, float | None]
    synthetic: bool = False
    label: str = ""


@dataclass(frozen=True)
class ScoreChange:
    scope: Scope
    key: str
    name: str
    before: float | None
    after: float | None
    sd: float
    reliability: float
    items_differ: bool = False

    @property
    def difference(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def s_diff(self) -> float:
        return standard_error_of_difference(self.sd, self.reliability)

    @property
    def rci(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return reliable_change_index(self.before, self.after, self.sd, self.reliability)

    @property
    def classification(self) -> Classification:
        return classify(self.rci)

    @property
    def reliable(self) -> bool:
        rci = self.rci
        return rci is not None and abs(rci) > RELIABLE_THRESHOLD

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "key": self.key,
            "name": self.name,
            "before": self.before,
            "after": self.after,
            "difference": self.difference,
            "rci": self.rci,
            "reliable": self.reliable,
            "classification": self.classification,
            "sd": self.sd,
            "reliability": self.reliability,
            "s_diff": self.s_diff,
            "rated_items_differ": self.items_differ,
        }


@dataclass(frozen=True)
class Comparison:
    before: Snapshot
    after: Snapshot
    functions: tuple[FunctionChange, ...]
    scores: tuple[ScoreChange, ...]
    reliability_source: str
    notes: tuple[str, ...] = field(default=())
    adjusted: tuple[AdjustedChange, ...] = field(default=())  # against typical development
    velocity: tuple[Velocity, ...] = field(default=())

    def count(self, direction: str) -> int:
        return sum(c.direction == direction for c in self.functions)

    def score(self, scope: Scope, key: str) -> ScoreChange:
        for change in self.scores:
            if change.scope == scope and change.key == key:
                return change
        raise KeyError(f"no {scope} score {key!r}")

    def adjusted_change(self, scope: Scope, key: str) -> AdjustedChange:
        for change in self.adjusted:
            if change.scope == scope and change.key == key:
                return change
        raise KeyError(f"no age-adjusted {scope} score {key!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "pseudonym": self.after.pseudonym,
            "synthetic": self.before.synthetic or self.after.synthetic,
            "instrument_version": self.after.instrument_version,
            "before_date": self.before.assessment_date.isoformat(),
            "after_date": self.after.assessment_date.isoformat(),
            "months_between": self.after.age_months - self.before.age_months,
            "functions": [
                {
                    "function": c.function_id,
                    "before": c.before,
                    "after": c.after,
                    "direction": c.direction,
                }
                for c in self.functions
            ],
            "function_counts": {d: self.count(d) for d in DIRECTIONS},
            "scores": [s.to_dict() for s in self.scores],
            "reliable_change_threshold": RELIABLE_THRESHOLD,
            "reliability_source": self.reliability_source,
            "notes": list(self.notes),
            "age_adjusted": [a.to_dict() for a in self.adjusted],
            "developmental_velocity": [v.to_dict() for v in self.velocity],
        }


def check_same_child(snapshots: list[Snapshot], instrument: Instrument) -> None:
    """Refuse to compare different children or different instrument versions."""
    errors: list[str] = []
    for s in snapshots:
        where = s.label or s.assessment_date.isoformat()
        if not s.pseudonym:
            errors.append(
                f"{where}: client.pseudonym: required to compare assessments "
                "(without it they cannot be confirmed to be the same child)"
            )
        if s.instrument_version != instrument.version:
            errors.append(
                f"{where}: instrument_version: expected {instrument.version!r} like the "
                f"other assessments, got {s.instrument_version!r}; scores of different "
                "instrument versions are not comparable"
            )
    names = sorted({s.pseudonym for s in snapshots if s.pseudonym})
    if len(names) > 1:
        errors.append(
            "client.pseudonym: these assessments are of different children "
            f"({', '.join(repr(n) for n in names)}); progress compares one child over time"
        )
    if errors:
        raise ProgressError(errors)


def _items_differ(inst: Instrument, ids: tuple[str, ...], a: Snapshot, b: Snapshot) -> bool:
    return any((a.ratings.get(f) is None) != (b.ratings.get(f) is None) for f in ids)


def _change(
    scope: Scope,
    key: str,
    name: str,
    figure: ReliabilityFigure,
    before: float | None,
    after: float | None,
    differ: bool,
) -> ScoreChange:
    return ScoreChange(scope, key, name, before, after, figure.sd, figure.reliability, differ)


def compare(first: Snapshot, second: Snapshot, instrument: Instrument) -> Comparison:
    """Change from the earlier to the later assessment (ordered by date, whatever the order)."""
    check_same_child([first, second], instrument)
    before, after = (
        (second, first) if second.assessment_date < first.assessment_date else (first, second)
    )
    rel = instrument.reliability
    all_ids = instrument.function_ids
    scores = [
        _change(
            "total",
            "functional_score",
            "Functional Score",
            rel.functional_score,
            before.functional_score,
            after.functional_score,
            _items_differ(instrument, all_ids, before, after),
        )
    ]
    for region in instrument.regions:
        ids = tuple(f.id for f in instrument.functions_in_region(region.id))
        scores.append(
            _change(
                "region",
                region.id,
                region.name,
                rel.regions[region.id],
                before.region_scores.get(region.id),
                after.region_scores.get(region.id),
                _items_differ(instrument, ids, before, after),
            )
        )
    for domain in instrument.domains:
        ids = tuple(f.id for f in instrument.functions_in_domain(domain.id))
        scores.append(
            _change(
                "domain",
                domain.id,
                domain.name,
                rel.domains[domain.id],
                before.domain_scores.get(domain.id),
                after.domain_scores.get(domain.id),
                _items_differ(instrument, ids, before, after),
            )
        )
    adjusted = tuple(_adjusted(change, before, after, instrument) for change in scores)
    velocity = velocities(
        (before.ratings, before.age_months), (after.ratings, after.age_months), instrument
    )
    notes = []
    if before.assessment_date == after.assessment_date:
        notes.append("both assessments have the same date")
    if any(s.items_differ for s in scores):
        notes.append(
            "some scores are based on different rated functions at the two times "
            "(rated_items_differ); read their change with care"
        )
    return Comparison(
        before=before,
        after=after,
        functions=function_changes(all_ids, before.ratings, after.ratings),
        scores=tuple(scores),
        reliability_source=rel.source.strip(),
        notes=tuple(notes),
        adjusted=adjusted,
        velocity=velocity,
    )


def _adjusted(
    change: ScoreChange, before: Snapshot, after: Snapshot, inst: Instrument
) -> AdjustedChange:
    """The change of one score against the typical child's over the same ages."""
    if change.scope == "total":
        functions = inst.functions
    elif change.scope == "region":
        functions = inst.functions_in_region(change.key)
    else:
        functions = inst.functions_in_domain(change.key)
    return AdjustedChange(
        scope=change.scope,
        key=change.key,
        name=change.name,
        before=change.before,
        after=change.after,
        typical_before=typical_score(functions, before.ratings, before.age_months, inst),
        typical_after=typical_score(functions, after.ratings, after.age_months, inst),
        sd=change.sd,
        reliability=change.reliability,
        items_differ=change.items_differ,
    )
