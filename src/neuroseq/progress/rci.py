"""Jacobson-Truax reliable change index.

Jacobson NS, Truax P (1991) Clinical significance: a statistical approach to defining
meaningful change in psychotherapy research. J Consult Clin Psychol 59:12-19.

    S_E    = SD x sqrt(1 - r)          standard error of measurement
    S_diff = sqrt(2 x S_E^2)           standard error of the difference
    RCI    = (x2 - x1) / S_diff

|RCI| > 1.96 is a change unlikely (p < .05) to be measurement error alone.
"""

from __future__ import annotations

import math
from typing import Literal

RELIABLE_THRESHOLD = 1.96

Classification = Literal["improved", "no reliable change", "deteriorated", "not comparable"]


def standard_error(sd: float, reliability: float) -> float:
    if sd <= 0:
        raise ValueError(f"sd: expected > 0, got {sd}")
    if not 0 < reliability < 1:
        raise ValueError(f"reliability: expected between 0 and 1 (exclusive), got {reliability}")
    return sd * math.sqrt(1 - reliability)


def standard_error_of_difference(sd: float, reliability: float) -> float:
    return math.sqrt(2 * standard_error(sd, reliability) ** 2)


def reliable_change_index(before: float, after: float, sd: float, reliability: float) -> float:
    return (after - before) / standard_error_of_difference(sd, reliability)


def classify(rci: float | None, threshold: float = RELIABLE_THRESHOLD) -> Classification:
    """Higher scores are better functioning, so a reliable rise is an improvement."""
    if rci is None:
        return "not comparable"
    if rci > threshold:
        return "improved"
    if rci < -threshold:
        return "deteriorated"
    return "no reliable change"
