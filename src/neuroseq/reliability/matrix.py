"""Shared checks on a ratings matrix: shape, numbers, missing cells, constant raters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from neuroseq.reliability.errors import ReliabilityError


def as_matrix(data: Any, field: str, *, rows: str, cols: str) -> np.ndarray:
    """A 2-D float array (NaN = missing) or a clear error naming ``field``."""
    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        raise ReliabilityError(
            [f"{field}: expected numbers ({rows} x {cols}), got values that are not numbers"]
        ) from None
    if array.ndim != 2:
        raise ReliabilityError(
            [f"{field}: expected a table of {rows} x {cols}, got {array.ndim} dimension(s)"]
        )
    if np.isinf(array).any():
        raise ReliabilityError([f"{field}: expected finite numbers, got infinity"])
    return array


def label_raters(names: Sequence[str] | None, count: int) -> list[str]:
    if names is None:
        return [f"rater {i + 1}" for i in range(count)]
    if len(names) != count:
        raise ReliabilityError(
            [f"rater_names: expected {count} names (one per rater), got {len(names)}"]
        )
    return [str(n) for n in names]


def require_raters(count: int, field: str, minimum: int = 2) -> None:
    if count < minimum:
        raise ReliabilityError(
            [
                f"{field}: expected at least {minimum} raters, got {count}; agreement needs "
                "two or more raters rating the same units"
            ]
        )


def require_complete(ratings: np.ndarray, field: str, statistic: str, alternative: str) -> None:
    """Refuse missing cells for statistics that need every rater on every unit."""
    missing_rows = np.flatnonzero(np.isnan(ratings).any(axis=1))
    if missing_rows.size:
        shown = ", ".join(str(int(r) + 1) for r in missing_rows[:10])
        more = f" and {missing_rows.size - 10} more" if missing_rows.size > 10 else ""
        raise ReliabilityError(
            [
                f"{field}: missing ratings in unit(s) {shown}{more}; {statistic} needs every "
                f"rater to rate every unit ({alternative})"
            ]
        )


def constant_raters(ratings: np.ndarray, names: Sequence[str]) -> list[str]:
    """Names of raters (columns) who gave one and the same rating to every unit."""
    constant = []
    for j, name in enumerate(names):
        column = ratings[:, j]
        seen = column[~np.isnan(column)]
        if seen.size > 1 and np.all(seen == seen[0]):
            constant.append(f"{name} (every rating {seen[0]:g})")
    return constant
