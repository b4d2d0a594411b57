"""Outcome counts on constructed first/latest pairs.

With the instrument's Functional Score figures (SD 18, reliability 0.85) the Jacobson-
Truax S_diff is sqrt(2 x (18 sqrt(0.15))^2) = 9.859, so a reliable age-adjusted change
must exceed 1.96 x 9.859 = 19.32 points (worked by hand, not by the code).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from neuroseq.cohort.outcomes import ALL, OutcomeTracker, scopes
from neuroseq.instrument import load_instrument

INST = load_instrument("1")  # the hand-worked figures use v1's SD of 18
S = len(scopes(INST))


def visit(total: float, typical: float) -> tuple[np.ndarray, np.ndarray]:
    scores = np.full(S, np.nan)
    typical_row = np.full(S, np.nan)
    scores[0], typical_row[0] = total, typical
    return scores, typical_row


def add(tracker: OutcomeTracker, client: str, day: date, total: float, typical: float,
        group: str = "team A") -> None:  # fmt: skip
    scores, typ = visit(total, typical)
    tracker.add([client], [day.toordinal()], np.asarray([100.0]), scores[None], typ[None],
                groups=[group], synthetic=[False])  # fmt: skip


def test_counts_and_the_clients_behind_them() -> None:
    t = OutcomeTracker(INST)
    first, later = date(2025, 1, 10), date(2025, 9, 10)
    # typical child's score rises by 5 between the two ages in every case
    add(t, "improved", first, 40, 60)
    add(t, "improved", later, 70, 65)  # +30 observed, +25 adjusted > 19.32
    add(t, "maturing", first, 40, 60)
    add(t, "maturing", later, 60, 65)  # +20 observed, only +15 adjusted: no reliable change
    add(t, "worse", later, 30, 65)  # given out of order: later first
    add(t, "worse", first, 50, 60)  # -20 observed, -25 adjusted < -19.32
    add(t, "once", first, 50, 60, group="team B")
    out = t.result()
    everyone = out.group(ALL)
    total = everyone.scope("functional_score")
    assert total.counts == {
        "improved": 1,
        "no reliable change": 1,
        "deteriorated": 1,
        "not comparable": 0,
    }
    assert total.clients["improved"] == ("improved",)
    assert total.clients["no reliable change"] == ("maturing",)
    assert total.clients["deteriorated"] == ("worse",)
    assert (everyone.n_clients, everyone.n_single) == (3, 1)
    assert total.mean_adjusted_change == (25 + 15 - 25) / 3
    region = everyone.scope(f"region.{INST.region_ids[0]}")
    assert region.counts["not comparable"] == 3
    assert out.group("team B").n_clients == 0 and out.group("team B").n_single == 1
    assert out.group("team A").n_clients == 3


def test_threshold_is_the_jacobson_truax_one() -> None:
    t = OutcomeTracker(INST)
    add(t, "just-below", date(2025, 1, 1), 40, 50)
    add(t, "just-below", date(2025, 6, 1), 59.3, 50)  # +19.3 < 19.32
    add(t, "just-above", date(2025, 1, 1), 40, 50)
    add(t, "just-above", date(2025, 6, 1), 59.4, 50)  # +19.4 > 19.32
    total = t.result().group(ALL).scope("functional_score")
    assert total.clients["improved"] == ("just-above",)
    assert total.clients["no reliable change"] == ("just-below",)


def test_same_day_assessments_are_noted() -> None:
    t = OutcomeTracker(INST)
    add(t, "twice", date(2025, 1, 1), 40, 50)
    add(t, "twice", date(2025, 1, 1), 45, 50)
    out = t.result()
    assert out.group(ALL).n_clients == 0
    assert "two assessments on one date" in out.notes[0]
