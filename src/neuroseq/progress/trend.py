"""Scores of one child over several assessments, ordered by date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from neuroseq.instrument import Instrument
from neuroseq.progress.adjusted import age_typical_percents
from neuroseq.progress.compare import Comparison, ProgressError, Snapshot, check_same_child, compare


@dataclass(frozen=True)
class Trend:
    points: tuple[Snapshot, ...]  # oldest first
    steps: tuple[Comparison, ...]  # each assessment against the one before it
    overall: Comparison  # first against last
    instrument: Instrument | None = None

    def series(self, scope: str, key: str) -> list[float | None]:
        """One score (e.g. ``domain``, ``relational``) at every assessment, oldest first."""
        if scope == "total":
            return [p.functional_score for p in self.points]
        table = "region_scores" if scope == "region" else "domain_scores"
        return [getattr(p, table).get(key) for p in self.points]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dates": [p.assessment_date.isoformat() for p in self.points],
            "ages_months": [p.age_months for p in self.points],
            "functional_score": [p.functional_score for p in self.points],
            "domain_scores": {
                d: [p.domain_scores.get(d) for p in self.points]
                for d in self.points[0].domain_scores
            },
            "region_scores": {
                r: [p.region_scores.get(r) for p in self.points]
                for r in self.points[0].region_scores
            },
            "age_typical_percent": [
                age_typical_percents(p.ratings, p.age_months, self.instrument)[
                    "age_typical_percent"
                ]
                if self.instrument
                else None
                for p in self.points
            ],
            "steps": [s.to_dict() for s in self.steps],
            "overall": self.overall.to_dict(),
        }


def trend(snapshots: Sequence[Snapshot], instrument: Instrument) -> Trend:
    """Order by date, compare each step and first with last; two assessments at least."""
    if len(snapshots) < 2:
        raise ProgressError([f"expected two or more assessments, got {len(snapshots)}"])
    check_same_child(list(snapshots), instrument)
    points = tuple(sorted(snapshots, key=lambda s: s.assessment_date))
    dates = [p.assessment_date for p in points]
    repeated = sorted({d.isoformat() for d in dates if dates.count(d) > 1})
    if repeated:
        raise ProgressError(
            [f"assessment_date: more than one assessment dated {', '.join(repeated)}"]
        )
    steps = tuple(compare(a, b, instrument) for a, b in zip(points, points[1:], strict=False))
    return Trend(points, steps, compare(points[0], points[-1], instrument), instrument)
