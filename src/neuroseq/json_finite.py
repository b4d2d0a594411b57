"""JSON has no NaN or Infinity (and PostgreSQL's jsonb refuses them): undefined figures
(an infinite F statistic of a perfect attempt, a correlation of a constant column) are
written as null."""

from __future__ import annotations

import math
from typing import Any


def finite(value: Any) -> Any:
    """``value`` with every non-finite float, at any depth of dicts and lists, as None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value
