"""Change of each rated function between two assessments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Direction = Literal["improved", "unchanged", "worse", "not comparable"]
DIRECTIONS: tuple[Direction, ...] = ("improved", "unchanged", "worse", "not comparable")


@dataclass(frozen=True)
class FunctionChange:
    function_id: str
    before: int | None
    after: int | None

    @property
    def direction(self) -> Direction:
        return direction(self.before, self.after)

    @property
    def difference(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def direction(before: int | None, after: int | None) -> Direction:
    """Missing is missing: a function unrated at either time is not comparable, not a change."""
    if before is None or after is None:
        return "not comparable"
    if after > before:
        return "improved"
    if after < before:
        return "worse"
    return "unchanged"


def function_changes(
    function_ids: tuple[str, ...],
    before: Mapping[str, int | None],
    after: Mapping[str, int | None],
) -> tuple[FunctionChange, ...]:
    """One change per function, in the instrument's order."""
    return tuple(FunctionChange(f, before.get(f), after.get(f)) for f in function_ids)
