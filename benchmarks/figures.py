"""The one benchmark table: every bench script appends its tracked figures here.

``make bench`` sets ``NEUROSEQ_BENCH_RESULTS`` to a fresh file; each ``bench_*.py`` calls
``record_figure`` once per tracked figure, which appends one JSON line::

    {"figure": "batch / floor at 1M", "value": 116.0, "unit": "x", "goal": "<= 5",
     "note": "..."}

``benchmarks/summary.py`` then prints one table of every figure with its goal, met or
missed, and the distance. Figures are ratios measured in the same run wherever possible,
because this machine is shared and absolute times are noisy. Run a script on its own
(without the variable) and it only prints.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

RESULTS_ENV = "NEUROSEQ_BENCH_RESULTS"
GOAL = re.compile(r"^\s*(<=|>=|<|>)\s*([0-9]+(?:\.[0-9]+)?)\s*$")


@dataclass(frozen=True)
class Goal:
    op: str
    target: float

    @classmethod
    def parse(cls, text: str) -> Goal:
        match = GOAL.match(text)
        if match is None:
            raise ValueError(f"goal: expected '<= N', '>= N', '< N' or '> N', got {text!r}")
        return cls(match.group(1), float(match.group(2)))

    def met(self, value: float) -> bool:
        return {
            "<=": value <= self.target,
            "<": value < self.target,
            ">=": value >= self.target,
            ">": value > self.target,
        }[self.op]

    def distance(self, value: float) -> str:
        """How far a missed figure is from its goal, as a factor (empty when met)."""
        if self.met(value):
            return ""
        if self.op in {"<=", "<"}:
            return f"{value / self.target:.3g}x the goal" if self.target else "above 0"
        if value <= 0:
            return "none measured"
        return f"needs {self.target / value:.3g}x more"


def record_figure(figure: str, value: float, unit: str, goal: str, note: str | None = None) -> None:
    """Append one tracked figure to the run's results file (if ``make bench`` set one)."""
    Goal.parse(goal)  # a malformed goal fails the script that wrote it, not the summary
    path = os.environ.get(RESULTS_ENV)
    if not path:
        return
    line = {"figure": figure, "value": float(value), "unit": unit, "goal": goal}
    if note:
        line["note"] = note
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")
