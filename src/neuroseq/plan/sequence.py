"""When a region counts as below the typical child, and when the next phase may start.

**Focus rule.** Version 1 used a fixed 15-point gap, which is inside the measurement
error of a region score. From version 2 a region counts as below the typical child of
the same age only when the gap exceeds ``z x SEM`` of its score, with
``SEM = SD x sqrt(1 - r)`` from the instrument's reliability figures for that region and
``z`` from ``rules.yaml`` (1.96: a gap this large arises from measurement error alone in
fewer than 5 in 100 ratings). The typical child's score is a norm, not a measurement, so
the error is the child's score's alone.

**Unlock rule.** The next phase does not wait until the region below is "near normal",
which some children never reach. It starts when, relative to the earliest earlier review
given, the region below shows reliable improvement (Jacobson-Truax RCI above ``z``, from
:mod:`neuroseq.progress.rci`), or when a plateau is documented: recorded by the clinician,
or no reliable change over the last ``plateau_reviews`` reviews spanning at least
``plateau_min_months`` months. Regulation of the region below continues: an unlocked
phase adds to it, never replaces it.

A plateau is "no change despite the work", so its reviews must come from the time the
region's own phase was running (``since``): a region whose phase starts today has not
been worked on yet, and its flat history says nothing about it. Without this, one
review could unlock every phase at once, each on the "plateau" of a region nobody had
yet targeted. The engine finds when each phase started by replaying the rule over the
history (:func:`neuroseq.plan.engine._phases`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from neuroseq.instrument import Instrument
from neuroseq.instrument.rules import Rules
from neuroseq.plan.model import Unlock
from neuroseq.progress.rci import reliable_change_index, standard_error_of_difference


class Review(Protocol):
    """What the unlock rule reads from one review (a :class:`neuroseq.progress.Snapshot`)."""

    @property
    def age_months(self) -> float: ...

    @property
    def ratings(self) -> Mapping[str, int | None]: ...

    @property
    def region_scores(self) -> Mapping[str, float | None]: ...


def region_thresholds(inst: Instrument, rules: Rules | None) -> dict[str, float]:
    """The gap that counts, per region: z x SEM (rules), or the fixed v1 points."""
    if rules is None:
        return dict.fromkeys(inst.region_ids, inst.plan.focus_threshold_points)
    return {r: round(rules.region_threshold(inst, r), 2) for r in inst.region_ids}


def _same_items(inst: Instrument, region: str, a: Review, b: Review) -> bool:
    return all(
        (a.ratings.get(f.id) is None) == (b.ratings.get(f.id) is None)
        for f in inst.functions_in_region(region)
    )


def unlock(
    region: str,
    now: Review,
    history: Sequence[Review],
    documented_plateaus: Mapping[str, str],
    inst: Instrument,
    rules: Rules,
    since: int = 0,
) -> Unlock | None:
    """Evidence that the phase after ``region`` may start now, or None.

    ``history`` holds the earlier reviews, oldest first; reviews whose rated items of the
    region differ from today's are not comparable and are skipped. Only ``history[since:]``
    (the reviews since the region's own phase started) count towards a plateau.
    """
    note = documented_plateaus.get(region)
    if note is not None:
        return Unlock(
            after_region=region,
            kind="plateau_documented",
            text=f"Plateau of {region} documented by the clinician: {note}",
        )
    score = now.region_scores.get(region)
    comparable = [
        h
        for h in history
        if h.region_scores.get(region) is not None and _same_items(inst, region, h, now)
    ]
    if score is None or not comparable:
        return None
    figure = inst.reliability.regions[region]
    baseline = comparable[0]
    before = baseline.region_scores[region]
    assert before is not None
    rci = reliable_change_index(before, score, figure.sd, figure.reliability)
    months = now.age_months - baseline.age_months
    z = rules.unlock.z
    if rci > z:
        needed = z * standard_error_of_difference(figure.sd, figure.reliability)
        return Unlock(
            after_region=region,
            kind="reliable_improvement",
            text=(
                f"{region} improved reliably: {before:.1f} -> {score:.1f} over {months:.0f} "
                f"months (RCI {rci:.2f} > {z:g}; a rise of more than {needed:.1f} points is "
                "outside measurement error). It need not reach the typical child first."
            ),
            rci=round(rci, 2),
            months=round(months, 1),
        )
    worked_on = [
        h
        for h in history[since:]
        if h.region_scores.get(region) is not None and _same_items(inst, region, h, now)
    ]
    if not worked_on:
        return None
    window = worked_on[-(rules.unlock.plateau_reviews - 1) :]
    span = now.age_months - window[0].age_months
    first = window[0].region_scores[region]
    assert first is not None
    window_rci = reliable_change_index(first, score, figure.sd, figure.reliability)
    if (
        len(window) + 1 >= rules.unlock.plateau_reviews
        and span >= rules.unlock.plateau_min_months
        and abs(window_rci) <= z
    ):
        return Unlock(
            after_region=region,
            kind="plateau_no_change",
            text=(
                f"{region}: no reliable change over {len(window) + 1} reviews and {span:.0f} "
                f"months of its phase ({first:.1f} -> {score:.1f}, RCI {window_rci:.2f}; a "
                "change this size is within measurement error), counted as a plateau. The "
                f"next phase starts; work on {region} continues."
                + (
                    " The score rose, though not reliably: check whether this is slow "
                    "progress before treating it as a plateau."
                    if score > first
                    else ""
                )
            ),
            rci=round(window_rci, 2),
            months=round(span, 1),
        )
    return None


def entry_text(region: str, inst: Instrument, rules: Rules) -> str:
    """What the phase after ``region`` waits for, in the clinician's words."""
    figure = inst.reliability.regions[region]
    needed = rules.unlock.z * standard_error_of_difference(figure.sd, figure.reliability)
    return (
        f"Starts when {region} shows reliable improvement (a rise of more than {needed:.1f} "
        f"points on its region score since the plan began, RCI > {rules.unlock.z:g}) or a "
        f"plateau is documented (recorded by the clinician, or no reliable change over "
        f"{rules.unlock.plateau_reviews} reviews spanning at least "
        f"{rules.unlock.plateau_min_months:g} months). It does not wait for {region} to "
        "reach the typical child; regulation of it continues."
    )


__all__ = ["Review", "entry_text", "region_thresholds", "unlock"]
