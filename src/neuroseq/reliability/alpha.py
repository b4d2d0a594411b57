"""Krippendorff's alpha: agreement of any number of raters, with gaps, at any level.

Krippendorff K (2011) Computing Krippendorff's Alpha-Reliability. Annenberg School for
Communication, University of Pennsylvania. alpha = 1 - D_o / D_e, the observed over the
expected disagreement among all pairable values; a unit counts only where at least two
raters rated it. Computed by the ``krippendorff`` package (Castro, fast-krippendorff),
whose results reproduce the paper's worked example (tested).

``data`` is raters (rows) x units (columns), NaN for a missing rating. No analytic
confidence interval exists (Krippendorff recommends bootstrapping), so none is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import krippendorff
import numpy as np

from neuroseq.reliability.errors import ReliabilityError
from neuroseq.reliability.matrix import as_matrix, label_raters, require_raters

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")


@dataclass(frozen=True)
class AlphaResult:
    value: float
    level: Level
    n_raters: int
    n_units: int  # units with at least two ratings (pairable)
    n_values: int  # pairable ratings
    ci_low: None = None
    ci_high: None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "statistic": "alpha",
            "level": self.level,
            "value": self.value,
            "n_raters": self.n_raters,
            "n_units": self.n_units,
            "n_values": self.n_values,
            "ci_low": None,
            "ci_high": None,
        }


def krippendorff_alpha(
    data: Any, level: Level = "nominal", *, rater_names: Sequence[str] | None = None
) -> AlphaResult:
    """Alpha of ``data`` (raters x units, NaN = missing) at ``level`` of measurement."""
    if level not in LEVELS:
        raise ReliabilityError([f"level: expected one of {', '.join(LEVELS)}, got {level!r}"])
    x = as_matrix(data, "data", rows="raters", cols="units")
    label_raters(rater_names, x.shape[0])
    require_raters(x.shape[0], "data")
    counts = (~np.isnan(x)).sum(axis=0)
    pairable = counts >= 2
    if not pairable.any():
        raise ReliabilityError(
            ["data: no unit was rated by two or more raters; alpha needs pairable values"]
        )
    values = x[:, pairable]
    distinct = np.unique(values[~np.isnan(values)])
    if distinct.size < 2:
        raise ReliabilityError(
            [
                f"data: every rating is {distinct[0]:g}; alpha is undefined when no "
                "disagreement is possible"
            ]
        )
    if level == "ratio" and (distinct < 0).any():
        raise ReliabilityError(["data: ratio level expects values >= 0"])
    value = float(krippendorff.alpha(reliability_data=x, level_of_measurement=level))
    return AlphaResult(
        value=value,
        level=level,
        n_raters=x.shape[0],
        n_units=int(pairable.sum()),
        n_values=int(counts[pairable].sum()),
    )
