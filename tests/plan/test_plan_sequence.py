"""A humane sequence: the next phase starts on reliable improvement or a plateau of the
region below, not on perfection; relational work runs from phase 1.

The reliable-change oracle is Jacobson and Truax (1991), recomputed here from the
instrument's reliability figures: a change is reliable when it exceeds
1.96 x sqrt(2) x SD x sqrt(1 - r).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

import neuroseq.cli.plan  # noqa: F401  (registers the command)
from neuroseq.cli.app import app
from neuroseq.instrument import Instrument
from neuroseq.plan import plan_for_assessment
from neuroseq.progress import snapshot_of

BRAINSTEM = ("suck_swallow_feeding", "startle_orienting", "heart_rate_regulation",
             "sleep_regulation", "arousal_regulation", "continence")  # fmt: skip
DIENCEPHALON_POOR = {"tactile_processing": 1, "stress_recovery": 1, "vestibular_balance": 1,
                     "auditory_processing": 1}  # fmt: skip
LIMBIC_POOR = {"affect_regulation": 1, "attunement": 1, "peer_play": 1, "affiliation": 1,
               "relational_trust": 1}  # fmt: skip


def brainstem_at(status: int) -> dict[str, int]:
    return dict.fromkeys(BRAINSTEM, status)


def reliable_rise(inst: Instrument, region: str) -> float:
    figure = inst.reliability.regions[region]
    return 1.96 * math.sqrt(2) * figure.sd * math.sqrt(1 - figure.reliability)


@pytest.fixture
def review(make_child2, inst2: Instrument):  # type: ignore[no-untyped-def]
    """A review of the same 6-year-old at ``months`` after the first one."""

    def make(brainstem: int, months: int, **extra):  # type: ignore[no-untyped-def]
        year, month = divmod(5 + months, 12)  # first review in June 2026
        date = f"{2026 + year}-{month + 1:02d}-15"
        ratings = {**brainstem_at(brainstem), **DIENCEPHALON_POOR, **extra}
        return make_child2(72 + months, ratings, assessment_date=date)

    return make


def test_reliable_improvement_unlocks_the_next_phase_before_the_region_is_typical(
    review, make_plan2, inst2: Instrument
) -> None:
    first, now = review(0, 0), review(2, 6)
    before = snapshot_of(first, inst2)
    after = snapshot_of(now, inst2)
    rise = after.region_scores["brainstem"] - before.region_scores["brainstem"]
    assert rise > reliable_rise(inst2, "brainstem")  # the oracle says: reliable
    plan = make_plan2(now)
    assert [p.region for p in plan.phases][:2] == ["brainstem", "diencephalon"]
    assert plan.phases[1].status == "upcoming"  # without history nothing unlocks
    plan = plan_for_assessment(now, inst2, history=[before])
    brainstem = next(r for r in plan.regions if r.region == "brainstem")
    assert brainstem.below_threshold  # still below the typical child...
    unlocked = plan.phases[1]
    assert unlocked.status == "current"  # ...but the next phase runs now
    assert unlocked.unlocked_by is not None
    assert unlocked.unlocked_by.kind == "reliable_improvement"
    figure = inst2.reliability.regions["brainstem"]
    expected_rci = rise / (math.sqrt(2) * figure.sd * math.sqrt(1 - figure.reliability))
    assert unlocked.unlocked_by.rci == pytest.approx(expected_rci, abs=0.01)
    assert plan.phases[0].status == "current"  # regulation of the brainstem continues
    assert plan.phases[0].recommendations and unlocked.recommendations
    assert [p.region for p in plan.current_phases] == ["brainstem", "diencephalon"]


def test_a_change_inside_measurement_error_does_not_move_the_plan(
    review, make_plan2, inst2: Instrument
) -> None:
    first = snapshot_of(review(1, 0), inst2)
    now = review(1, 3, sleep_regulation=2)  # one item up one step
    rise = snapshot_of(now, inst2).region_scores["brainstem"] - first.region_scores["brainstem"]
    assert 0 < rise < reliable_rise(inst2, "brainstem")
    plan = plan_for_assessment(now, inst2, history=[first])
    assert plan.phases[1].status == "upcoming" and plan.phases[1].unlocked_by is None


def test_no_reliable_change_over_three_reviews_and_six_months_is_a_plateau(
    review, inst2: Instrument
) -> None:
    history = [snapshot_of(review(1, 0), inst2), snapshot_of(review(1, 3), inst2)]
    plan = plan_for_assessment(review(1, 7), inst2, history=history)
    unlock = plan.phases[1].unlocked_by
    assert unlock is not None and unlock.kind == "plateau_no_change"
    assert unlock.months == pytest.approx(7, abs=0.1)
    # two reviews are not yet a plateau, nor are three within four months
    assert (
        plan_for_assessment(review(1, 7), inst2, history=history[1:]).phases[1].unlocked_by is None
    )
    short = [snapshot_of(review(1, 0), inst2), snapshot_of(review(1, 2), inst2)]
    assert plan_for_assessment(review(1, 4), inst2, history=short).phases[1].unlocked_by is None


def test_one_flat_year_unlocks_one_phase_not_every_phase(review, inst2: Instrument) -> None:
    """QA finding 3: three flat reviews over a year put every phase on "now", each on the
    "plateau" of a region whose phase had not started. A plateau counts only over the
    reviews since the region's own phase began."""
    history = [snapshot_of(review(1, m, **LIMBIC_POOR), inst2) for m in (0, 6)]
    plan = plan_for_assessment(review(1, 12, **LIMBIC_POOR), inst2, history=history)
    assert [p.region for p in plan.phases][:3] == ["brainstem", "diencephalon", "limbic"]
    assert plan.phases[1].unlocked_by is not None
    assert plan.phases[1].unlocked_by.kind == "plateau_no_change"
    # diencephalon's phase starts today: its flat year before that is not a plateau
    assert [p.status for p in plan.phases[2:]] == ["upcoming"] * len(plan.phases[2:])
    assert all(p.unlocked_by is None for p in plan.phases[2:])


def test_the_next_plateau_counts_from_when_its_phase_started(review, inst2: Instrument) -> None:
    """Diencephalon's phase started at month 6 (brainstem flat over months 0-6); three
    flat reviews of diencephalon since then, spanning six months, unlock the limbic phase."""
    months = [0, 3, 6, 9]
    history = [snapshot_of(review(1, m, **LIMBIC_POOR), inst2) for m in months]
    plan = plan_for_assessment(review(1, 12, **LIMBIC_POOR), inst2, history=history)
    limbic = plan.phases[2]
    assert limbic.region == "limbic" and limbic.unlocked_by is not None
    assert limbic.unlocked_by.kind == "plateau_no_change"
    assert limbic.unlocked_by.months == pytest.approx(6, abs=0.1)  # months 6 -> 12
    # one review fewer: diencephalon flat only over months 6-9 (3 months), not yet
    plan = plan_for_assessment(review(1, 9, **LIMBIC_POOR), inst2, history=history[:3])
    assert plan.phases[1].unlocked_by is not None and plan.phases[2].unlocked_by is None


def test_a_plateau_the_clinician_documents_unlocks_at_once(review, inst2: Instrument) -> None:
    note = "no change over a year of daily routines at home and school"
    plan = plan_for_assessment(review(1, 0), inst2, documented_plateaus={"brainstem": note})
    unlock = plan.phases[1].unlocked_by
    assert unlock is not None and unlock.kind == "plateau_documented" and note in unlock.text


def test_reviews_rating_different_items_are_not_compared(review, inst2: Instrument) -> None:
    first = snapshot_of(review(0, 0, continence=None), inst2)
    plan = plan_for_assessment(review(2, 6), inst2, history=[first])
    assert plan.phases[1].unlocked_by is None


def test_a_deterioration_is_neither_improvement_nor_plateau(review, inst2: Instrument) -> None:
    history = [snapshot_of(review(3, 0), inst2), snapshot_of(review(2, 4), inst2)]
    plan = plan_for_assessment(review(0, 8), inst2, history=history)
    assert plan.phases[1].unlocked_by is None


def test_the_sem_rule_replaces_the_fifteen_points_for_v2_only(
    make_child2, make_plan2, make_child, make_plan, inst2: Instrument
) -> None:
    v2 = make_plan2(make_child2(96))
    assert v2.threshold_points is None and v2.focus_rule is not None
    assert v2.focus_rule.kind == "sem" and "1.96 x SEM" in v2.focus_rule.text
    v1 = make_plan(make_child(96))
    assert (
        v1.threshold_points == 15 and v1.focus_rule is not None and v1.focus_rule.kind == "points"
    )
    assert v1.blocks == [] and v1.coverage is None and v1.relational_core == []


# --------------------------------------------------------------------------- CLI
runner = CliRunner()


def _write(path: Path, assessment) -> Path:  # type: ignore[no-untyped-def]
    path.write_text(assessment.model_dump_json(), encoding="utf-8")
    return path


def test_cli_reads_earlier_reviews_and_documented_plateaus(review, tmp_path: Path) -> None:
    first = _write(tmp_path / "first.json", review(0, 0))
    now = _write(tmp_path / "now.json", review(2, 6))
    result = runner.invoke(app, ["plan", str(now), "--previous", str(first), "--json"])
    assert result.exit_code == 0, result.output
    phases = json.loads(result.stdout)["phases"]
    assert phases[1]["unlocked_by"]["kind"] == "reliable_improvement"
    result = runner.invoke(app, ["plan", str(now), "--plateau", "diencephalon=no change", "--json"])
    assert result.exit_code == 0, result.output


def test_cli_refuses_bad_history_naming_the_problem(review, make_child, tmp_path: Path) -> None:
    now = _write(tmp_path / "now.json", review(2, 6))
    later = _write(tmp_path / "later.json", review(2, 9))
    result = runner.invoke(app, ["plan", str(now), "--previous", str(later)])
    assert result.exit_code == 2 and "expected a date before" in result.output
    result = runner.invoke(app, ["plan", str(now), "--plateau", "brainstem"])
    assert result.exit_code == 2 and "needs the clinician's note" in result.output
    result = runner.invoke(app, ["plan", str(now), "--plateau", "amygdala=x"])
    assert result.exit_code == 2 and "REGION one of brainstem" in result.output
    v1 = _write(tmp_path / "v1.json", make_child(72))
    result = runner.invoke(app, ["plan", str(v1), "--plateau", "brainstem=x"])
    assert result.exit_code == 2 and "from instrument v2" in result.output
    assert "Traceback" not in result.output


def test_a_plateau_is_named_honestly_for_clinician_and_caregiver(
    review, inst2: Instrument, catalogue2
) -> None:
    """QA finding 3: a caregiver read "the part below is getting steadier" for a region
    that had not changed; the clinician read "plateaued" for a rise left unexplained."""
    from neuroseq.plan.render import render_plan

    flat = [snapshot_of(review(1, 0), inst2), snapshot_of(review(1, 6), inst2)]
    plateau = plan_for_assessment(review(1, 12), inst2, history=flat)
    unlock = plateau.phases[1].unlocked_by
    assert unlock is not None and unlock.kind == "plateau_no_change"
    assert "counted as a plateau" in unlock.text and "within measurement error" in unlock.text
    assert "rose" not in unlock.text  # flat: nothing to explain
    caregiver = render_plan(plateau, "caregiver", inst2, catalogue2)
    assert "stayed about the same" in caregiver and "getting steadier" not in caregiver
    # a rise inside measurement error is flagged as possible slow progress
    rising = [snapshot_of(review(1, 0), inst2), snapshot_of(review(1, 6), inst2)]
    now = review(1, 12, sleep_regulation=2)
    text = plan_for_assessment(now, inst2, history=rising).phases[1].unlocked_by
    assert text is not None and "rose, though not reliably" in text.text
    # reliable improvement is the one case of "steadier"
    start = [snapshot_of(review(0, 0), inst2)]
    improved = plan_for_assessment(review(2, 6), inst2, history=start)
    assert improved.phases[1].unlocked_by is not None
    assert "getting steadier" in render_plan(improved, "caregiver", inst2, catalogue2)


def test_a_caregiver_is_not_shown_a_part_with_nothing_to_do(
    review, inst2: Instrument, catalogue2
) -> None:
    """An unlocked part without any activity only told the family "nothing new for you
    to do in this part yet"; the clinician still sees it, to choose or adapt one."""
    from neuroseq.plan.render import render_plan

    flat = [snapshot_of(review(1, 0), inst2), snapshot_of(review(1, 6), inst2)]
    plan = plan_for_assessment(review(1, 12), inst2, history=flat)
    second = plan.phases[1]
    assert second.recommendations  # the fixture child has activities in phase 2
    senses = inst2.region(second.region).plain_name.lower()
    assert f"Also now: {senses}" in render_plan(plan, "caregiver", inst2, catalogue2)
    empty = plan.model_copy(
        update={"phases": [plan.phases[0], second.model_copy(update={"recommendations": []})]}
    )
    caregiver = render_plan(empty, "caregiver", inst2, catalogue2)
    assert f"Also now: {senses}" not in caregiver
    assert "Where we start" in caregiver
