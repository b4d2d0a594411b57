"""Comparing assessments of one child: functions, refusals, ordering, trend."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date

import pytest

from neuroseq.assessment import parse_assessment
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.instrument import load_instrument
from neuroseq.progress import (
    ProgressError,
    Snapshot,
    compare,
    function_changes,
    snapshot_of,
    trend,
)
from neuroseq.scoring import score_assessment

INST = load_instrument()


def snap(day: date, ratings: dict[str, int | None] | None = None, **kw: object) -> Snapshot:
    base = Snapshot(
        pseudonym="RIVER-07",
        instrument_version=INST.version,
        assessment_date=day,
        age_months=120.0,
        ratings=ratings or {},
        functional_score=50.0,
        region_scores=dict.fromkeys(INST.region_ids, 50.0),
        domain_scores=dict.fromkeys(INST.domain_ids, 50.0),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_function_directions_on_constructed_pairs() -> None:
    ids = ("a", "b", "c", "d", "e", "f")
    before = {"a": 1, "b": 2, "c": 3, "d": None, "e": 0}
    after = {"a": 2, "b": 2, "c": 0, "d": 1, "e": None}
    got = {c.function_id: (c.direction, c.difference) for c in function_changes(ids, before, after)}
    assert got == {
        "a": ("improved", 1),
        "b": ("unchanged", 0),
        "c": ("worse", -3),
        "d": ("not comparable", None),
        "e": ("not comparable", None),
        "f": ("not comparable", None),
    }


def test_comparison_counts_and_orders_by_date_whatever_the_argument_order() -> None:
    old = snap(date(2026, 5, 1), {"sleep_regulation": 1, "attachment": 3})
    new = snap(date(2026, 11, 1), {"sleep_regulation": 2, "attachment": 2})
    c = compare(new, old, INST)
    assert c.before is old and c.after is new
    assert c.count("improved") == 1 and c.count("worse") == 1
    assert c.count("not comparable") == len(INST.functions) - 2
    data = c.to_dict()
    assert data["before_date"] == "2026-05-01" and data["function_counts"]["improved"] == 1
    assert len(data["scores"]) == 1 + len(INST.regions) + len(INST.domains)


def test_refuses_different_children() -> None:
    with pytest.raises(ProgressError) as info:
        compare(snap(date(2026, 5, 1)), snap(date(2026, 11, 1), pseudonym="LAKE-02"), INST)
    assert "different children" in str(info.value) and "'LAKE-02'" in str(info.value)


def test_refuses_a_missing_pseudonym() -> None:
    with pytest.raises(ProgressError, match="client.pseudonym: required"):
        compare(snap(date(2026, 5, 1), pseudonym=None), snap(date(2026, 11, 1)), INST)


def test_refuses_different_instrument_versions() -> None:
    with pytest.raises(ProgressError, match="instrument_version: expected '2'.*got '1'"):
        compare(snap(date(2026, 5, 1)), snap(date(2026, 11, 1), instrument_version="1"), INST)


def test_notes_when_scores_rest_on_different_items() -> None:
    c = compare(
        snap(date(2026, 5, 1), {"sleep_regulation": 1}),
        snap(date(2026, 11, 1), {"sleep_regulation": 2, "attachment": 2}),
        INST,
    )
    assert c.score("region", "limbic").items_differ
    assert not c.score("region", "brainstem").items_differ
    assert any("different rated functions" in n for n in c.notes)


def test_trend_orders_by_date_and_compares_each_step() -> None:
    points = [snap(date(2026, 11, 1)), snap(date(2025, 11, 1)), snap(date(2026, 5, 1))]
    t = trend(points, INST)
    assert [p.assessment_date for p in t.points] == [
        date(2025, 11, 1),
        date(2026, 5, 1),
        date(2026, 11, 1),
    ]
    assert len(t.steps) == 2
    assert t.overall.before.assessment_date == date(2025, 11, 1)
    assert t.series("domain", "relational") == [50.0, 50.0, 50.0]
    assert t.to_dict()["dates"][0] == "2025-11-01"


def test_trend_refuses_duplicates_too_few_and_strangers() -> None:
    with pytest.raises(ProgressError, match="two or more"):
        trend([snap(date(2026, 5, 1))], INST)
    with pytest.raises(ProgressError, match="more than one assessment dated 2026-05-01"):
        trend([snap(date(2026, 5, 1)), snap(date(2026, 5, 1)), snap(date(2026, 11, 1))], INST)
    with pytest.raises(ProgressError, match="different children"):
        trend(
            [
                snap(date(2026, 5, 1)),
                snap(date(2026, 6, 1)),
                snap(date(2026, 11, 1), pseudonym="X"),
            ],
            INST,
        )


def test_snapshot_of_a_real_assessment_uses_the_scorer() -> None:
    a = parse_assessment(WORKED_EXAMPLE, INST)
    later_doc = copy.deepcopy(WORKED_EXAMPLE)
    later_doc["assessment_date"] = "2026-09-16"
    later_doc["functional"] = dict.fromkeys(WORKED_EXAMPLE["functional"], 3)
    later = parse_assessment(later_doc, INST)
    s1, s2 = snapshot_of(a, INST, "a.json"), snapshot_of(later, INST, "b.json")
    assert s1.functional_score == score_assessment(a, INST).functional_score
    assert s1.synthetic and s1.label == "a.json"
    c = compare(s1, s2, INST)
    assert c.score("total", "functional_score").after == pytest.approx(100.0)
    assert c.count("worse") == 0
