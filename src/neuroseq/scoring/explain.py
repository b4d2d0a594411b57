"""Explanations: every score can list the inputs, weights and terms that produced it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    """One addend of a score: ``contribution`` is what this input added to the numerator."""

    label: str
    value: float | None
    weight: float
    contribution: float


@dataclass(frozen=True)
class Explanation:
    score: str
    value: float | None
    formula: str
    terms: tuple[Term, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "value": self.value,
            "formula": self.formula,
            "terms": [
                {
                    "label": t.label,
                    "value": t.value,
                    "weight": t.weight,
                    "contribution": t.contribution,
                }
                for t in self.terms
            ],
            "notes": list(self.notes),
        }
