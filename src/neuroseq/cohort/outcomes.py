"""Program outcomes: change from each client's first to latest assessment, age-adjusted.

A typically developing child's raw scores rise with age, so a raw rise is not by itself
an improvement. The age-adjusted change of a score is the observed change minus the
change the typical child of the same ages shows on the same rated items:

    change_adj = (after - before) - (typical_after - typical_before)

and it is classified with the Jacobson-Truax reliable change index of
:mod:`neuroseq.progress.rci` (the instrument's SD and reliability of that score; the
typical score is a fixed function of age, so it adds no measurement error):
improved (RCI > 1.96), deteriorated (RCI < -1.96), or no reliable change. A score not
rated at one of the two times is "not comparable". Counts are kept per group
(organisation, team or program), for the Functional Score and every region and domain,
each with the client ids behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neuroseq.instrument import Instrument
from neuroseq.progress.rci import (
    RELIABLE_THRESHOLD,
    Classification,
    classify,
    standard_error_of_difference,
)
from neuroseq.scoring.batch import BatchScores

CLASSES: tuple[Classification, ...] = (
    "improved",
    "no reliable change",
    "deteriorated",
    "not comparable",
)
ALL = "all"


@dataclass(frozen=True)
class Scope:
    kind: str  # total, region or domain
    key: str
    name: str
    sd: float
    reliability: float

    @property
    def label(self) -> str:
        return self.key if self.kind == "total" else f"{self.kind}.{self.key}"


def scopes(inst: Instrument) -> tuple[Scope, ...]:
    rel = inst.reliability
    out = [
        Scope(
            "total",
            "functional_score",
            "Functional Score",
            rel.functional_score.sd,
            rel.functional_score.reliability,
        )
    ]
    out += [
        Scope("region", r.id, r.name, rel.regions[r.id].sd, rel.regions[r.id].reliability)
        for r in inst.regions
    ]
    out += [
        Scope("domain", d.id, d.name, rel.domains[d.id].sd, rel.domains[d.id].reliability)
        for d in inst.domains
    ]
    return tuple(out)


@dataclass
class _Visit:
    day: int
    age_months: float
    scores: np.ndarray
    typical: np.ndarray


@dataclass
class _Client:
    group: str
    synthetic: bool
    first: _Visit
    latest: _Visit
    count: int = 1
    same_day: bool = False


@dataclass(frozen=True)
class ScopeOutcome:
    scope: Scope
    counts: dict[Classification, int]
    clients: dict[Classification, tuple[str, ...]]
    mean_adjusted_change: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope.kind,
            "key": self.scope.key,
            "name": self.scope.name,
            "counts": dict(self.counts),
            "clients": {k: list(v) for k, v in self.clients.items()},
            "mean_adjusted_change": self.mean_adjusted_change,
        }


@dataclass(frozen=True)
class GroupOutcome:
    group: str
    n_clients: int  # with two or more assessments
    n_single: int  # only one assessment: no change to measure
    scopes: tuple[ScopeOutcome, ...]

    def scope(self, label: str) -> ScopeOutcome:
        for s in self.scopes:
            if s.scope.label == label:
                return s
        raise KeyError(label)

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "n_clients": self.n_clients,
            "n_single_assessment": self.n_single,
            "scores": [s.to_dict() for s in self.scopes],
        }


@dataclass(frozen=True)
class Outcomes:
    groups: tuple[GroupOutcome, ...]
    n_synthetic_clients: int
    reliability_source: str
    notes: tuple[str, ...] = field(default=())

    @property
    def synthetic(self) -> bool:
        return self.n_synthetic_clients > 0

    def group(self, name: str) -> GroupOutcome:
        for g in self.groups:
            if g.group == name:
                return g
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "synthetic": self.synthetic,
            "n_synthetic_clients": self.n_synthetic_clients,
            "method": "age-adjusted change, Jacobson-Truax RCI",
            "reliable_change_threshold": RELIABLE_THRESHOLD,
            "reliability_source": self.reliability_source,
            "groups": [g.to_dict() for g in self.groups],
            "notes": list(self.notes),
        }


class OutcomeTracker:
    """Feed scored assessments in any order; keeps each client's first and latest only."""

    def __init__(self, inst: Instrument):
        self.inst = inst
        self.scopes = scopes(inst)
        self.clients: dict[str, _Client] = {}

    def add(
        self,
        clients: Sequence[str],
        days: Sequence[int],
        ages: np.ndarray,
        scores: np.ndarray,
        typical: np.ndarray,
        *,
        groups: Sequence[str] | None = None,
        synthetic: Sequence[bool] | None = None,
    ) -> None:
        """``scores``/``typical``: (N, scopes) in the order of :func:`scopes` (NaN = not rated)."""
        for i, client in enumerate(clients):
            visit = _Visit(int(days[i]), float(ages[i]), scores[i].copy(), typical[i].copy())
            group = groups[i] if groups is not None else ALL
            known = self.clients.get(client)
            if known is None:
                self.clients[client] = _Client(
                    group, bool(synthetic[i]) if synthetic is not None else False, visit, visit
                )
                continue
            known.count += 1
            known.synthetic = known.synthetic or bool(synthetic[i] if synthetic is not None else 0)
            if visit.day in (known.first.day, known.latest.day):
                known.same_day = True
            if visit.day < known.first.day:
                known.first = visit
            if visit.day >= known.latest.day:
                known.latest = visit
                known.group = group

    def result(self) -> Outcomes:
        names = sorted({c.group for c in self.clients.values()})
        groups = [ALL] if names == [ALL] else [ALL, *names]
        notes = []
        same_day = sorted(k for k, c in self.clients.items() if c.same_day)
        if same_day:
            notes.append(
                f"{len(same_day)} client(s) have two assessments on one date; the one read "
                f"last was used (e.g. {', '.join(same_day[:5])})"
            )
        return Outcomes(
            groups=tuple(self._group(g) for g in groups),
            n_synthetic_clients=sum(c.synthetic for c in self.clients.values()),
            reliability_source=self.inst.reliability.source.strip(),
            notes=tuple(notes),
        )

    def _group(self, name: str) -> GroupOutcome:
        members = sorted((k, c) for k, c in self.clients.items() if name == ALL or c.group == name)
        followed = [(k, c) for k, c in members if c.count > 1 and c.latest.day > c.first.day]
        results = []
        for j, scope in enumerate(self.scopes):
            s_diff = standard_error_of_difference(scope.sd, scope.reliability)
            ids: dict[Classification, list[str]] = {k: [] for k in CLASSES}
            changes = []
            for key, c in followed:
                before, after = c.first, c.latest
                values = (before.scores[j], after.scores[j], before.typical[j], after.typical[j])
                if any(np.isnan(v) for v in values):
                    ids["not comparable"].append(key)
                    continue
                adjusted = (values[1] - values[0]) - (values[3] - values[2])
                changes.append(adjusted)
                ids[classify(adjusted / s_diff)].append(key)
            results.append(
                ScopeOutcome(
                    scope=scope,
                    counts={k: len(v) for k, v in ids.items()},
                    clients={k: tuple(v) for k, v in ids.items()},
                    mean_adjusted_change=float(np.mean(changes)) if changes else None,
                )
            )
        return GroupOutcome(
            group=name,
            n_clients=len(followed),
            n_single=len(members) - len(followed),
            scopes=tuple(results),
        )


def score_matrix(b: BatchScores) -> tuple[np.ndarray, np.ndarray]:
    """(scores, typical) in the order of :func:`scopes`, from the batch scorer."""
    scores = np.column_stack([b.functional_score, b.region_scores, b.domain_scores])
    typical = np.column_stack(
        [b.typical_functional_score, b.typical_region_scores, b.typical_domain_scores]
    )
    return scores.astype(float), typical.astype(float)
