"""Progress over time: change between assessments of the same child, reliable change, trend.

Pure: snapshots in, comparisons out. Reliable change follows Jacobson and Truax (1991)
with the instrument's reliability figures (see :mod:`neuroseq.progress.rci`).
"""

from neuroseq.progress.compare import (
    Comparison,
    ProgressError,
    ScoreChange,
    Snapshot,
    check_same_child,
    compare,
)
from neuroseq.progress.functions import DIRECTIONS, Direction, FunctionChange, function_changes
from neuroseq.progress.rci import (
    RELIABLE_THRESHOLD,
    Classification,
    classify,
    reliable_change_index,
    standard_error,
    standard_error_of_difference,
)
from neuroseq.progress.snapshot import snapshot_of
from neuroseq.progress.trend import Trend, trend

__all__ = [
    "DIRECTIONS",
    "RELIABLE_THRESHOLD",
    "Classification",
    "Comparison",
    "Direction",
    "FunctionChange",
    "ProgressError",
    "ScoreChange",
    "Snapshot",
    "Trend",
    "check_same_child",
    "classify",
    "compare",
    "function_changes",
    "reliable_change_index",
    "snapshot_of",
    "standard_error",
    "standard_error_of_difference",
    "trend",
]
