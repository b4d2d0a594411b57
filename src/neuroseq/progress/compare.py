"""Compare two assessments of the same child: per function, and per score with the RCI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from neuroseq.instrument import Instrument
from neuroseq.instrument.schema import ReliabilityFigure
from neuroseq.progress.adjusted import (
    Maturation,
    Velocity,
    age_typical_percents,
    maturation,
    velocities,
)
from neuroseq.progress.functions import DIRECTIONS, FunctionChange, function_changes
from neuroseq.progress.rci import (
    RELIABLE_THRESHOLD,
    Classification,
    classify,
    reliable_change_index,
    standard_error_of_difference,
)

Scope = Literal["total", "region", "domain", "age_adjusted"]


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
    sd: float | None  # None: the instrument has no reliability figure for this score
    reliability: float | None
    items_differ: bool = False

    @property
    def difference(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def s_diff(self) -> float | None:
        if self.sd is None or self.reliability is None:
            return None
        return standard_error_of_difference(self.sd, self.reliability)

    @property
    def rci(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        if self.sd is None or self.reliability is None:
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
    adjusted: tuple[ScoreChange, ...] = field(default=())  # age-typical percent, RCI
    maturation: tuple[Maturation, ...] = field(default=())
    velocity: tuple[Velocity, ...] = field(default=())

    def count(self, direction: str) -> int:
        return sum(c.direction == direction for c in self.functions)

    def score(self, scope: Scope, key: str) -> ScoreChange:
        for change in (*self.scores, *self.adjusted):
            if change.scope == scope and change.key == key:
                return change
        raise KeyError(f"no {scope} score {key!r}")

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
            "age_adjusted": [s.to_dict() for s in self.adjusted],
            "maturation": [m.to_dict() for m in self.maturation],
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
    figure: ReliabilityFigure | None,
    before: float | None,
    after: float | None,
    differ: bool,
) -> ScoreChange:
    sd = figure.sd if figure else None
    reliability = figure.reliability if figure else None
    return ScoreChange(scope, key, name, before, after, sd, reliability, differ)


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
    adjusted, maturations, velocity = _age_adjusted(before, after, instrument)
    notes = []
    if before.assessment_date == after.assessment_date:
        notes.append("both assessments have the same date")
    if rel.age_typical_percent is None:
        notes.append(
            f"instrument v{instrument.version} has no reliability figures for the age-adjusted "
            "scores: their reliable change is not computed"
        )
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
        maturation=maturations,
        velocity=velocity,
    )


def _age_adjusted(
    before: Snapshot, after: Snapshot, inst: Instrument
) -> tuple[tuple[ScoreChange, ...], tuple[Maturation, ...], tuple[Velocity, ...]]:
    """Age-typical percent with its RCI, maturation and velocity (see ``adjusted``)."""
    rel = inst.reliability
    p1 = age_typical_percents(before.ratings, before.age_months, inst)
    p2 = age_typical_percents(after.ratings, after.age_months, inst)
    per_domain = rel.domain_age_typical_percent or {}
    adjusted = [
        _change(
            "age_adjusted",
            "age_typical_percent",
            "Age-typical percent",
            rel.age_typical_percent,
            p1["age_typical_percent"],
            p2["age_typical_percent"],
            _items_differ(inst, inst.function_ids, before, after),
        )
    ]
    for d in inst.domains:
        ids = tuple(f.id for f in inst.functions_in_domain(d.id))
        adjusted.append(
            _change(
                "age_adjusted",
                d.id,
                f"{d.name}, age-typical percent",
                per_domain.get(d.id),
                p1[d.id],
                p2[d.id],
                _items_differ(inst, ids, before, after),
            )
        )
    times = ((before.ratings, before.age_months), (after.ratings, after.age_months))
    maturations = [maturation("total", "functional_score", inst.functions, *times, inst)]
    maturations += [
        maturation("domain", d, inst.functions_in_domain(d), *times, inst) for d in inst.domain_ids
    ]
    return tuple(adjusted), tuple(maturations), velocities(*times, inst)
