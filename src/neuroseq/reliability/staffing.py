"""What a staffing's independent ratings say: per-item spread, disagreements, agreement.

Pure: ratings in (rater -> item -> status or None), a summary out. The rules (which
disagreement counts, how the consensus is proposed, which kappa weights and ICC form) are
in ``data/staffing.yaml`` with their rationale. Items a rater left unrated are missing,
never zero: a pair's kappa uses the items both rated, the ICC the items every rater rated.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml

from neuroseq.reliability.errors import ReliabilityError
from neuroseq.reliability.icc import IccResult, icc
from neuroseq.reliability.kappa import KappaResult, cohen_kappa

RULES_FILE = Path(__file__).parent / "data" / "staffing.yaml"


@dataclass(frozen=True)
class StaffingRules:
    version: str
    scale: tuple[int, ...]
    disagreement_levels: int
    kappa_weights: str
    icc_form: str


@cache
def load_rules() -> StaffingRules:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return StaffingRules(
        version=str(data["version"]),
        scale=tuple(int(v) for v in data["scale"]),
        disagreement_levels=int(data["disagreement_levels"]),
        kappa_weights=str(data["kappa_weights"]),
        icc_form=str(data["icc_form"]),
    )


@dataclass(frozen=True)
class ItemSpread:
    item: str
    ratings: tuple[int | None, ...]  # in the order of ``StaffingSummary.raters``
    low: int | None
    high: int | None
    median: float | None
    proposed: int | None  # the consensus proposed: the median, the lower level when between two

    @property
    def spread(self) -> int | None:
        return None if self.low is None or self.high is None else self.high - self.low

    @property
    def n_rated(self) -> int:
        return sum(r is not None for r in self.ratings)


@dataclass(frozen=True)
class PairAgreement:
    rater_a: str
    rater_b: str
    n_items: int
    kappa: KappaResult | None
    problem: str  # why there is no kappa, in words


@dataclass(frozen=True)
class StaffingSummary:
    raters: tuple[str, ...]
    items: tuple[ItemSpread, ...]
    disagreements: tuple[ItemSpread, ...]  # raters at least ``disagreement_levels`` apart
    pairs: tuple[PairAgreement, ...]
    icc: IccResult | None
    icc_items: int
    icc_problem: str
    rules: StaffingRules


def _problem(error: ReliabilityError) -> str:
    """The error's lines without their field names (shown under a heading that says it)."""
    return "; ".join(line.split(": ", 1)[-1] for line in error.errors)


def summarise(
    ratings: Mapping[str, Mapping[str, int | None]],
    items: Sequence[str],
    *,
    rules: StaffingRules | None = None,
    categories: Sequence[int] | None = None,
) -> StaffingSummary:
    """Spread per item, disagreements, pairwise weighted kappa and the overall ICC.

    ``categories`` defaults to the rules' scale (0-3); pass ``None``-free values of another
    scale only to check the statistics against a published example.
    """
    rules = rules or load_rules()
    scale = tuple(categories) if categories is not None else rules.scale
    raters = tuple(ratings)
    spreads = []
    for item in items:
        row = tuple(ratings[r].get(item) for r in raters)
        given = sorted(v for v in row if v is not None)
        spreads.append(
            ItemSpread(
                item=item,
                ratings=row,
                low=given[0] if given else None,
                high=given[-1] if given else None,
                median=float(statistics.median(given)) if given else None,
                proposed=math.floor(statistics.median(given)) if given else None,
            )
        )
    disagreements = tuple(
        s for s in spreads if s.spread is not None and s.spread >= rules.disagreement_levels
    )
    pairs = []
    for a, b in combinations(raters, 2):
        both = [(ratings[a][i], ratings[b][i]) for i in items]
        rated = [(x, y) for x, y in both if x is not None and y is not None]
        kappa, problem = None, ""
        try:
            kappa = cohen_kappa(
                [x for x, _ in rated],
                [y for _, y in rated],
                rules.kappa_weights,  # type: ignore[arg-type]
                categories=scale,
                names=(a, b),
            )
        except ReliabilityError as error:
            problem = _problem(error)
        pairs.append(PairAgreement(a, b, len(rated), kappa, problem))
    complete = [s.ratings for s in spreads if s.ratings and s.n_rated == len(raters)]
    result, icc_problem = None, ""
    try:
        result = icc(complete, rules.icc_form, rater_names=list(raters))
    except ReliabilityError as error:
        icc_problem = _problem(error)
    return StaffingSummary(
        raters=raters,
        items=tuple(spreads),
        disagreements=disagreements,
        pairs=tuple(pairs),
        icc=result,
        icc_items=len(complete),
        icc_problem=icc_problem,
        rules=rules,
    )


def as_dict(summary: StaffingSummary) -> dict[str, Any]:
    """The summary as JSON (the API's staffing results)."""
    return {
        "raters": list(summary.raters),
        "items": [
            {
                "item": s.item,
                "ratings": list(s.ratings),
                "low": s.low,
                "high": s.high,
                "spread": s.spread,
                "median": s.median,
                "proposed": s.proposed,
            }
            for s in summary.items
        ],
        "disagreements": [s.item for s in summary.disagreements],
        "pairs": [
            {
                "rater_a": p.rater_a,
                "rater_b": p.rater_b,
                "n_items": p.n_items,
                "kappa": None if p.kappa is None else p.kappa.to_dict(),
                "problem": p.problem,
            }
            for p in summary.pairs
        ],
        "icc": None if summary.icc is None else summary.icc.to_dict(),
        "icc_items": summary.icc_items,
        "icc_problem": summary.icc_problem,
        "rules_version": summary.rules.version,
    }
