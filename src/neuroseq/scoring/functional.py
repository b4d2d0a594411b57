"""Functional scores, the typical-child comparison and age equivalents.

All of them compare like with like: the typical child's score is computed on the same
rated items as the child's, so a missing rating changes neither side. Comparisons
are made on weighted sums (not percentages) with a small tolerance, so the per-record
and the vectorised paths agree even where a typical curve is flat.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from neuroseq.instrument import Instrument
from neuroseq.instrument.schema import Function
from neuroseq.scoring.explain import Explanation, Term

PERCENT_PER_STATUS = 100.0 / 3.0
TOLERANCE = 1e-9  # on weighted status sums; far below any difference one rating makes

AgeFlag = Literal["below_norms", "ceiling"]


@dataclass(frozen=True)
class AgeEquivalent:
    """Age (months) at which the typical curve reaches the child's score.

    ``flag`` is ``below_norms`` when the child scores below a newborn on the same items
    (months is then 0) and ``ceiling`` when the child reaches the highest level the norms
    resolve (months is the first age typical children reach it: "at least"). Pages and
    reports show :attr:`text`, never the bare number, so a flag cannot be dropped.
    """

    months: float
    flag: AgeFlag | None

    @property
    def text(self) -> str:
        """Plain wording with the flag built in, e.g. "at least 8 years 2 months"."""
        if self.flag == "below_norms":
            return "younger than the earliest norms"
        if self.flag == "ceiling":
            return f"at least {describe_months(self.months)}"
        return f"about {describe_months(self.months)}"


def describe_months(months: float) -> str:
    """``11 months``, ``2 years``, ``8 years 5 months`` (rounded to the nearest month)."""
    whole = max(0, round(months))
    years, rest = divmod(whole, 12)
    month_text = f"{rest} month" + ("" if rest == 1 else "s")
    if years == 0:
        return month_text
    year_text = f"{years} year" + ("" if years == 1 else "s")
    return year_text if rest == 0 else f"{year_text} {month_text}"


RESOLUTION_GRID_MONTHS = 0.25


def ceiling_of(
    curve: np.ndarray, ages: np.ndarray, step: float, resolution_months: float | None
) -> tuple[float, float]:
    """(age, level) of the ceiling of a typical curve: a child at ``level`` or above reads
    "at least ``age``".

    Without a resolution (instrument v1) the ceiling is the top of the norms. With one,
    it is the first age (on a quarter-month grid) at which the curve takes longer than
    ``resolution_months`` to rise by ``step`` (one rating step), or the top if earlier.
    """
    top = float(curve[-1])
    top_age = float(ages[int(np.argmax(curve >= top - TOLERANCE))])
    if resolution_months is None:
        return top_age, top
    grid = np.arange(0.0, float(ages[-1]) + RESOLUTION_GRID_MONTHS / 2, RESOLUTION_GRID_MONTHS)
    level = np.interp(grid, ages, curve)
    reach = np.searchsorted(level, level + step - TOLERANCE, side="left")
    rise = np.where(
        reach < grid.shape[0], grid[np.minimum(reach, grid.shape[0] - 1)] - grid, np.inf
    )
    slow = np.flatnonzero(rise > resolution_months + TOLERANCE)
    if slow.shape[0] == 0 or grid[slow[0]] >= top_age:
        return top_age, top
    k = int(slow[0])
    return float(grid[k]), float(level[k])


def rated(
    functions: Sequence[Function], ratings: Mapping[str, int | None]
) -> list[tuple[Function, int]]:
    """The rated functions of a group with their statuses; unrated ones are left out."""
    return [(f, r) for f in functions if (r := ratings.get(f.id)) is not None]


def group_score(
    name: str, functions: Sequence[Function], ratings: Mapping[str, int | None]
) -> Explanation:
    """Weighted mean status x 100/3 over the rated functions of a group; None if none rated."""
    terms = tuple(
        Term(f.id, float(r), f.weight, f.weight * r) for f, r in rated(functions, ratings)
    )
    weight = math.fsum(t.weight for t in terms)
    value = (
        math.fsum(t.contribution for t in terms) / weight * PERCENT_PER_STATUS if terms else None
    )
    missing = tuple(f.id for f in functions if ratings.get(f.id) is None)
    return Explanation(
        score=name,
        value=value,
        formula="100/3 x sum of weight x status / sum of weights over rated functions",
        terms=terms,
        notes=(f"not rated (excluded): {', '.join(missing)}",) if missing else (),
    )


def typical_sum(items: Sequence[Function], typical: Mapping[str, float]) -> float:
    return math.fsum(f.weight * typical[f.id] for f in items)


def typical_group_score(
    functions: Sequence[Function],
    ratings: Mapping[str, int | None],
    typical: Mapping[str, float],
) -> float | None:
    """The typical child's group score on the functions the child was rated on."""
    items = [f for f, _ in rated(functions, ratings)]
    if not items:
        return None
    weight = math.fsum(f.weight for f in items)
    return typical_sum(items, typical) / weight * PERCENT_PER_STATUS


def group_age_typical_percent(
    functions: Sequence[Function],
    ratings: Mapping[str, int | None],
    typical: Mapping[str, float],
) -> float | None:
    """The child's weighted status sum on a group's rated items as a percentage of the
    typical child's of the same age on the same items (None if nothing is rated or the
    typical child's sum is zero)."""
    pairs = rated(functions, ratings)
    typical_total = typical_sum([f for f, _ in pairs], typical)
    if not pairs or typical_total <= TOLERANCE:
        return None
    return 100.0 * math.fsum(f.weight * r for f, r in pairs) / typical_total


def age_typical_percent(
    ratings: Mapping[str, int | None],
    inst: Instrument,
    typical: Mapping[str, float],
    age_months: float,
) -> Explanation:
    """The child's weighted status sum as a percentage of a typical child's of the same age."""
    pairs = rated(inst.functions, ratings)
    child = math.fsum(f.weight * r for f, r in pairs)
    typical_total = typical_sum([f for f, _ in pairs], typical)
    value = 100.0 * child / typical_total if typical_total > TOLERANCE else None
    return Explanation(
        score="age_typical_percent",
        value=value,
        formula=(
            f"100 x child's weighted status sum ({child:g}) / typical child's at "
            f"{age_months:.1f} months on the same items ({typical_total:g})"
        ),
        terms=tuple(Term(f.id, float(r), f.weight, f.weight * typical[f.id]) for f, r in pairs),
        notes=("contribution = weight x typical status at this age",),
    )


def invert_curve(
    child_sum: float,
    curve: np.ndarray,
    ages: np.ndarray,
    ceiling: tuple[float, float] | None = None,
) -> AgeEquivalent:
    """First age at which a non-decreasing, piecewise-linear typical curve reaches child_sum.

    ``ceiling`` is ``(age, level)`` from :func:`ceiling_of`; by default the top of the curve.
    """
    if child_sum < curve[0] - TOLERANCE:
        return AgeEquivalent(0.0, "below_norms")
    ceiling_age, ceiling_level = ceiling or ceiling_of(curve, ages, 1.0, None)
    if child_sum >= ceiling_level - TOLERANCE:
        return AgeEquivalent(ceiling_age, "ceiling")
    k = int(np.argmax(curve >= child_sum - TOLERANCE))
    if k == 0:
        return AgeEquivalent(float(ages[0]), None)
    fraction = (child_sum - curve[k - 1]) / (curve[k] - curve[k - 1])
    fraction = min(max(fraction, 0.0), 1.0)
    return AgeEquivalent(float(ages[k - 1] + fraction * (ages[k] - ages[k - 1])), None)


def age_equivalent(
    domain_id: str, ratings: Mapping[str, int | None], inst: Instrument
) -> tuple[AgeEquivalent | None, Explanation]:
    pairs = rated(inst.functions_in_domain(domain_id), ratings)
    if not pairs:
        explanation = Explanation(
            score=f"age_equivalents_months.{domain_id}",
            value=None,
            formula="no rated function in this domain",
        )
        return None, explanation
    index = [inst.function_ids.index(f.id) for f, _ in pairs]
    weights = inst.weights[index]
    curve = weights @ inst.norm_grid[index]
    child_sum = math.fsum(f.weight * r for f, r in pairs)
    settings = inst.age_equivalent_settings
    ceiling = ceiling_of(
        curve,
        inst.norm_ages,
        float(weights.max()),
        settings.resolution_months if settings else None,
    )
    result = invert_curve(child_sum, curve, inst.norm_ages, ceiling)
    flag = {
        None: "",
        "below_norms": " (below the norms: younger than the earliest norms)",
        "ceiling": (
            f" (at the ceiling: the typical score of {ceiling[0]:g} months, {ceiling[1]:g}, "
            "or more reads 'at least')"
        ),
    }
    explanation = Explanation(
        score=f"age_equivalents_months.{domain_id}",
        value=result.months,
        formula=(
            "first age at which the typical child's weighted status sum on the same items "
            f"reaches the child's ({child_sum:g}); linear between norm ages{flag[result.flag]}"
        ),
        terms=tuple(
            Term(f"typical at {age:g} months", float(value), 1.0, float(value))
            for age, value in zip(inst.norm_ages, curve, strict=True)
        ),
    )
    return result, explanation
