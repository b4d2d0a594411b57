"""Clinical flags: the contract the plan builds on (instrument data, API, assessment field).

A status describes maturity only; what v1 anchors wrote as pathology ("persistent
tachycardia", "needs external regulation", "frequent choking") is a separate flag in v2.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from neuroseq.assessment import AssessmentError, json_schema, parse_assessment
from neuroseq.instrument import load_instrument

V1 = load_instrument("1")
V2 = load_instrument("2")
BASE: dict[str, Any] = {"assessment_date": "2026-01-01", "chronological_age_months": 48}


def errors_of(data: dict[str, Any], inst: Any = V2) -> list[str]:
    with pytest.raises(AssessmentError) as info:
        parse_assessment(data, inst)
    return info.value.errors


def test_v1_has_no_flags() -> None:
    assert V1.flags == ()
    assert V1.flag_ids == ()
    with pytest.raises(KeyError, match="unknown flag 'cardiac_concern' in instrument v1"):
        V1.flag("cardiac_concern")


def test_v2_flags_in_file_order_with_lookup() -> None:
    assert V2.flag_ids[0] == "cardiac_concern"
    assert len(set(V2.flag_ids)) == len(V2.flags)
    for flag in V2.flags:
        assert V2.flag(flag.id) is flag
        assert flag.kind in {"medical", "safeguarding"}
        if flag.function is not None:
            assert flag.function in V2.function_ids
            assert flag in V2.flags_for_function(flag.function)


def test_v1_pathology_anchors_became_medical_flags() -> None:
    # The three v1 anchors the clinical review named as pathology, each now a medical flag.
    v1_anchor = {
        "heart_rate_regulation": V1.function("heart_rate_regulation").anchors.s0,
        "temperature_regulation": V1.function("temperature_regulation").anchors.s0,
        "suck_swallow_feeding": V1.function("suck_swallow_feeding").anchors.s1,
    }
    assert "tachycardia" in v1_anchor["heart_rate_regulation"]
    assert "external regulation" in v1_anchor["temperature_regulation"]
    assert "choking" in v1_anchor["suck_swallow_feeding"]
    assert V2.flag("cardiac_concern").function == "heart_rate_regulation"
    assert V2.flag("choking_aspiration").function == "suck_swallow_feeding"
    assert V2.flag("temperature_instability").kind == "medical"
    for flag_id in ("cardiac_concern", "temperature_instability", "choking_aspiration"):
        assert (
            "medical review" in V2.flag(flag_id).action or "assessment" in V2.flag(flag_id).action
        )
    # ... and no v2 anchor names that pathology any more
    for f in V2.functions:
        text = " ".join(f.anchors.for_status(s) for s in range(4)).lower()
        for word in ("tachycardia", "choking", "aspiration", "external regulation"):
            assert word not in text, (f.id, word)


def test_the_safeguarding_flags_the_issue_asks_for() -> None:
    safeguarding = {f.id for f in V2.flags if f.kind == "safeguarding"}
    assert {"placement_move_imminent", "current_care_unsafe"} <= safeguarding
    for flag_id in safeguarding:
        assert V2.flag(flag_id).function is None  # about the situation, not one item


def test_assessment_records_flags_true_false_or_not_assessed() -> None:
    a = parse_assessment(
        {
            **BASE,
            "clinical_flags": {
                "cardiac_concern": True,
                "choking_aspiration": False,
                "sleep_breathing": None,
            },
        },
        V2,
    )
    # null and missing both mean "not assessed"; only assessed flags are kept
    assert a.clinical_flags == {"cardiac_concern": True, "choking_aspiration": False}
    assert parse_assessment(BASE, V2).clinical_flags == {}


def test_unknown_flag_is_an_error_like_other_ids() -> None:
    errors = errors_of({**BASE, "clinical_flags": {"cardiac_concern": True, "grumpy": True}})
    assert errors == ["clinical_flags.grumpy: unknown clinical flag"]


def test_flag_values_are_booleans_only() -> None:
    errors = errors_of({**BASE, "clinical_flags": {"cardiac_concern": "yes"}})
    assert errors == ["clinical_flags.cardiac_concern: expected a valid boolean, got 'yes'"]
    errors = errors_of({**BASE, "clinical_flags": {"cardiac_concern": 1}})
    assert errors == ["clinical_flags.cardiac_concern: expected a valid boolean, got 1"]


def test_unknown_flag_reported_together_with_structure_errors() -> None:
    errors = errors_of(
        {**BASE, "functional": {"attachment": 7}, "clinical_flags": {"grumpy": True}}
    )
    assert errors == [
        "functional.attachment: expected 0-3 or null, got 7",
        "clinical_flags.grumpy: unknown clinical flag",
    ]


def test_v1_assessment_must_not_carry_flags() -> None:
    data = {**BASE, "instrument_version": "1", "clinical_flags": {"cardiac_concern": True}}
    (error,) = errors_of(data, V1)
    assert error.startswith("clinical_flags: instrument v1 has no clinical flags")
    # without flags the same v1 record is valid, and an empty field changes nothing
    del data["clinical_flags"]
    assert parse_assessment(data, V1).instrument_version == "1"
    assert parse_assessment({**data, "clinical_flags": {}}, V1).clinical_flags == {}


def test_old_v1_files_still_validate_under_the_same_format() -> None:
    from neuroseq.cohort.example import WORKED_EXAMPLE_V1

    a = parse_assessment(copy.deepcopy(WORKED_EXAMPLE_V1))
    assert a.format == "neuroseq.assessment/1"
    assert a.instrument_version == "1"
    assert "temperature_regulation" in a.functional


def test_json_schema_lists_the_flags_and_rejects_others() -> None:
    schema = json_schema(V2)["properties"]["clinical_flags"]
    assert set(schema["properties"]) == set(V2.flag_ids)
    assert schema["additionalProperties"] is False
    assert schema["properties"]["cardiac_concern"]["anyOf"] == [
        {"type": "boolean"},
        {"type": "null"},
    ]
    assert json_schema(V1)["properties"]["clinical_flags"]["properties"] == {}
