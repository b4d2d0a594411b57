"""Stored score snapshots as flat CSV cells, one row per assessment.

Nested scores become dotted columns (``domain_scores.relational``), lists are joined with
``;``, missing values are empty cells. Text cells that a spreadsheet would run as a
formula get a leading apostrophe (CSV injection); numbers are written as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def flatten_scores(scores: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in scores.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_scores(value, f"{name}."))
        elif isinstance(value, list | tuple):
            flat[name] = ";".join("" if v is None else str(v) for v in value)
        else:
            flat[name] = value
    return flat


def score_columns(samples: Iterable[Mapping[str, Any]]) -> list[str]:
    """The union of the flattened columns of ``samples``, in first-seen order."""
    seen: dict[str, None] = {}
    for scores in samples:
        for name in flatten_scores(scores):
            seen.setdefault(name, None)
    return list(seen)


def text_cell(value: object) -> str:
    """A text cell that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def score_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return text_cell(value)
