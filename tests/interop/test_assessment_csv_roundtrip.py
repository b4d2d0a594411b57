"""Assessments as CSV rows: record -> row -> record parses to an equal Assessment."""

from __future__ import annotations

import copy
import csv
import io
from typing import Any

import pytest

from neuroseq.assessment import parse_assessment
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.cohort.synth import iter_synthetic_assessments
from neuroseq.instrument import load_instrument
from neuroseq.interop.assessment_csv import RowError, columns, record_to_row, row_to_record
from neuroseq.scoring import score_assessment

INST = load_instrument()


def through_csv(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write records with csv.writer and read them back with csv.DictReader, as files do."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns(INST))
    for r in records:
        writer.writerow(record_to_row(r, INST))
    buffer.seek(0)
    return [row_to_record(row) for row in csv.DictReader(buffer)]


def test_columns_cover_every_item() -> None:
    cols = columns(INST)
    assert len(cols) == len(set(cols))
    assert all(f"fn.{f}" in cols for f in INST.function_ids)
    assert all(f"crh.{c.id}" in cols for c in INST.current_items)
    n_history = len(INST.period_ids) * len(INST.history_items)
    assert len([c for c in cols if c.startswith("rh.")]) == n_history


def test_worked_example_round_trip() -> None:
    original = parse_assessment(copy.deepcopy(WORKED_EXAMPLE), INST)
    (back,) = through_csv([copy.deepcopy(WORKED_EXAMPLE)])
    assert parse_assessment(back, INST) == original


def test_synthetic_records_round_trip() -> None:
    records = list(iter_synthetic_assessments(200, seed=21))
    for record, back in zip(records, through_csv(records), strict=True):
        assert parse_assessment(back, INST) == parse_assessment(record, INST)


def test_age_only_record_round_trip() -> None:
    record = {
        "assessment_date": "2026-01-01",
        "chronological_age_months": 30.5,
        "synthetic": False,
        "rater": 'Dr "Quote", team; A@B:1',
        "client": {"pseudonym": "P-1"},
        "adversities": [
            {"type": "neglect", "period": "m0_2", "severity": 3, "chronicity": "chronic"},
            {"type": "intrauterine_alcohol", "period": "prenatal", "severity": 1},
        ],
        "relational_history": {"m0_2": {"caregiver_safety": 0, "placement_stability": 3}},
        "current_relational_health": {c.id: 1 for c in INST.current_items},
        "functional": dict.fromkeys(INST.function_ids, 2) | {"empathy": None, "attachment": 0},
    }
    (back,) = through_csv([record])
    assert parse_assessment(back, INST) == parse_assessment(record, INST)


def test_adversity_note_survives_the_round_trip() -> None:
    # a clinician's note on an adversity is clinical information: it must not vanish silently
    record = copy.deepcopy(WORKED_EXAMPLE)
    record["adversities"][0]["note"] = "confirmed by birth records; FASD assessment pending"
    (back,) = through_csv([record])
    assert parse_assessment(back, INST) == parse_assessment(record, INST)


def test_sparse_record_scores_the_same_after_the_round_trip() -> None:
    # omitted items come back as empty cells ("not rated"); the scores must not change
    record = {
        "assessment_date": "2026-01-01",
        "chronological_age_months": 100,
        "functional": {"attachment": 2, "heart_rate_regulation": 0},
        "current_relational_health": {"family_connectedness": 3},
    }
    (back,) = through_csv([record])
    before = score_assessment(parse_assessment(record, INST), INST).to_dict()
    after = score_assessment(parse_assessment(back, INST), INST).to_dict()
    assert after == before


def test_bad_cells_name_the_column() -> None:
    header = columns(INST)
    row = dict.fromkeys(header, "")
    row["assessment_date"] = "2026-01-01"
    row["fn.attachment"] = "lots"
    with pytest.raises(RowError, match=r"fn\.attachment: expected a number"):
        row_to_record(row)
    row["fn.attachment"] = ""
    row["adversities"] = "neglect-m0_2"
    with pytest.raises(RowError, match=r"adversities\[0\]: expected type@period"):
        row_to_record(row)
    row["adversities"] = ""
    row["synthetic"] = "maybe"
    with pytest.raises(RowError, match="synthetic: expected true or false"):
        row_to_record(row)
    with pytest.raises(RowError, match="colour: unknown column"):
        row_to_record({"colour": "blue"})
