"""The assessment format: exact, one-line-per-problem validation messages; YAML accepted;
the JSON Schema lists the instrument's ids and rejects extra keys."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from neuroseq.assessment import (
    DAYS_PER_MONTH,
    AssessmentError,
    json_schema,
    load_assessment_file,
    parse_assessment,
)
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.instrument import load_instrument

INST = load_instrument()
BASE: dict[str, Any] = {"assessment_date": "2026-01-01", "chronological_age_months": 120}


def errors_of(data: Any) -> list[str]:
    with pytest.raises(AssessmentError) as info:
        parse_assessment(data, INST)
    assert str(info.value) == "\n".join(info.value.errors)
    return info.value.errors


def with_(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(BASE), **changes}


def adversity(type_: str, period: str, severity: Any = 2, **extra: Any) -> dict[str, Any]:
    return {"type": type_, "period": period, "severity": severity, **extra}


# -- valid input ------------------------------------------------------------------------


def test_worked_example_parses() -> None:
    a = parse_assessment(copy.deepcopy(WORKED_EXAMPLE), INST)
    assert a.synthetic is True
    assert a.functional["self_reflection"] is None
    # age from the dates: (2026-03-16 - 2016-03-14) in days / (365.25 / 12)
    days = (date(2026, 3, 16) - date(2016, 3, 14)).days
    assert a.age_months == pytest.approx(days / (365.25 / 12))


def test_minimal_assessment_defaults() -> None:
    a = parse_assessment(with_(), INST)
    assert a.age_months == 120
    assert a.adversities == [] and a.functional == {} and a.current_relational_health == {}
    assert a.client.birth_date is None and a.synthetic is False


def test_null_rating_is_kept_as_not_rated() -> None:
    a = parse_assessment(with_(functional={"heart_rate_regulation": None, "attachment": 0}), INST)
    assert a.functional == {"heart_rate_regulation": None, "attachment": 0}


def test_adversity_chronicity_defaults_to_single() -> None:
    a = parse_assessment(with_(adversities=[adversity("neglect", "m0_2")]), INST)
    assert a.adversities[0].chronicity == "single"


# -- exact messages ---------------------------------------------------------------------


def test_out_of_range_rating_message() -> None:
    assert errors_of(with_(functional={"heart_rate_regulation": 7})) == [
        "functional.heart_rate_regulation: expected 0-3 or null, got 7"
    ]


def test_negative_rating_message() -> None:
    assert errors_of(with_(functional={"attachment": -1})) == [
        "functional.attachment: expected 0-3 or null, got -1"
    ]


@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_not_ratings(value: bool) -> None:
    assert errors_of(with_(functional={"heart_rate_regulation": value})) == [
        f"functional.heart_rate_regulation: expected 0-3 or null, got {value!r}"
    ]
    assert errors_of(with_(current_relational_health={"family_connectedness": value})) == [
        f"current_relational_health.family_connectedness: expected 0-3 or null, got {value!r}"
    ]


def test_string_rating_is_rejected() -> None:
    assert errors_of(with_(functional={"heart_rate_regulation": "2"})) == [
        "functional.heart_rate_regulation: expected 0-3 or null, got '2'"
    ]


def test_unknown_function_id() -> None:
    assert errors_of(with_(functional={"foo": 1})) == ["functional.foo: unknown function id"]


def test_every_problem_is_reported_not_just_the_first() -> None:
    errors = errors_of(with_(functional={"foo": 1, "bar": None, "attachment": 2}))
    assert sorted(errors) == [
        "functional.bar: unknown function id",
        "functional.foo: unknown function id",
    ]


def test_severity_out_of_range() -> None:
    assert errors_of(with_(adversities=[adversity("neglect", "m0_2", severity=5)])) == [
        "adversities[0].severity: expected 1, 2 or 3, got 5"
    ]


def test_severity_boolean_rejected() -> None:
    assert errors_of(with_(adversities=[adversity("neglect", "m0_2", severity=True)])) == [
        "adversities[0].severity: expected 1, 2 or 3, got True"
    ]


def test_unknown_period() -> None:
    expected_periods = ", ".join(INST.period_ids)
    assert errors_of(with_(adversities=[adversity("neglect", "m0_3")])) == [
        f"adversities[0].period: unknown period 'm0_3'; expected one of {expected_periods}"
    ]


def test_unknown_adversity_type_and_chronicity() -> None:
    errors = errors_of(with_(adversities=[adversity("bad_luck", "m0_2", chronicity="forever")]))
    assert "adversities[0].type: unknown adversity type 'bad_luck'" in errors
    assert (
        "adversities[0].chronicity: expected one of single, repeated, chronic, got 'forever'"
        in errors
    )


def test_adversity_in_a_period_after_the_childs_age() -> None:
    data = with_(chronological_age_months=10, adversities=[adversity("neglect", "y1_2")])
    assert errors_of(data) == [
        "adversities[0].period: period 'y1_2' starts at 12 months, "
        "after the child's age (10.0 months)"
    ]


def test_adversity_in_the_period_the_child_is_in_is_allowed() -> None:
    # a 10-month-old is inside 6-12 months: an adversity there is possible
    parse_assessment(
        with_(chronological_age_months=10, adversities=[adversity("neglect", "m6_12")]), INST
    )


def test_prenatal_only_type_in_a_postnatal_period() -> None:
    assert errors_of(with_(adversities=[adversity("intrauterine_alcohol", "m0_2")])) == [
        "adversities[0].period: 'intrauterine_alcohol' can only occur in prenatal, got 'm0_2'"
    ]


def test_postnatal_type_in_the_prenatal_period() -> None:
    errors = errors_of(with_(adversities=[adversity("physical_abuse", "prenatal")]))
    assert len(errors) == 1
    assert errors[0].startswith("adversities[0].period: 'physical_abuse' can only occur in m0_2")
    assert errors[0].endswith("got 'prenatal'")


def test_relational_history_for_a_period_not_yet_lived() -> None:
    assert errors_of(with_(relational_history={"y12_18": {"caregiver_safety": 1}})) == [
        "relational_history.y12_18: period 'y12_18' starts at 144 months, "
        "after the child's age (120.0 months)"
    ]


def test_unknown_relational_items() -> None:
    errors = errors_of(
        with_(
            relational_history={"m0_2": {"grandma": 2}},
            current_relational_health={"pets": 3},
        )
    )
    assert sorted(errors) == [
        "current_relational_health.pets: unknown current relational item",
        "relational_history.m0_2.grandma: unknown relational history item",
    ]


def test_missing_assessment_date() -> None:
    assert errors_of({"chronological_age_months": 120}) == [
        "assessment_date: required field missing"
    ]


def test_neither_birth_date_nor_age() -> None:
    errors = errors_of({"assessment_date": "2026-01-01"})
    assert len(errors) == 1
    assert "client.birth_date" in errors[0] and "chronological_age_months" in errors[0]


def test_birth_date_after_assessment_date() -> None:
    errors = errors_of({"assessment_date": "2026-01-01", "client": {"birth_date": "2026-02-01"}})
    assert errors == ["client.birth_date: expected a date before assessment_date"]


def test_age_and_birth_date_disagree_message_has_the_numbers() -> None:
    data = {
        "assessment_date": "2026-01-01",
        "client": {"birth_date": "2016-01-01"},
        "chronological_age_months": 100,
    }
    from_dates = (date(2026, 1, 1) - date(2016, 1, 1)).days / (365.25 / 12)  # 3653 d = 120.0 m
    errors = errors_of(data)
    assert len(errors) == 1
    assert errors[0].startswith("chronological_age_months: expected about ")
    assert f"expected about {from_dates:.1f} from birth and assessment dates" in errors[0]
    assert "got 100" in errors[0]
    assert "{" not in errors[0]  # no unformatted template left in a user-facing message


def test_age_and_birth_date_agreeing_within_a_month_is_fine() -> None:
    data = {
        "assessment_date": "2026-01-01",
        "client": {"birth_date": "2016-01-01"},
        "chronological_age_months": 120.5,
    }
    a = parse_assessment(data, INST)
    assert a.age_months == pytest.approx(3653 / DAYS_PER_MONTH)


def test_age_over_18_years() -> None:
    errors = errors_of({"assessment_date": "2026-01-01", "chronological_age_months": 300})
    assert errors == ["chronological_age_months: expected less than or equal to 216, got 300"]


def test_extra_top_level_key() -> None:
    assert errors_of(with_(ratings={"attachment": 2})) == ["ratings: unknown field"]


def test_extra_key_in_an_adversity() -> None:
    errors = errors_of(with_(adversities=[adversity("neglect", "m0_2", when="2019")]))
    assert errors == ["adversities[0].when: unknown field"]


def test_non_object_top_level() -> None:
    assert errors_of([1, 2]) == ["expected an object (mapping) at the top, got list"]
    assert errors_of("text") == ["expected an object (mapping) at the top, got str"]


def test_instrument_version_mismatch() -> None:
    assert errors_of(with_(instrument_version="1")) == ["instrument_version: expected '2', got '1'"]


# -- files --------------------------------------------------------------------------------


def test_yaml_file_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump(WORKED_EXAMPLE), encoding="utf-8")
    from_yaml = load_assessment_file(path)
    assert from_yaml == parse_assessment(copy.deepcopy(WORKED_EXAMPLE), INST)


def test_yml_with_native_yaml_dates(tmp_path: Path) -> None:
    path = tmp_path / "a.yml"
    path.write_text(
        "assessment_date: 2026-01-01\nclient:\n  birth_date: 2016-01-01\n"
        "functional:\n  attachment: 2\n  empathy: null\n",
        encoding="utf-8",
    )
    a = load_assessment_file(path)
    assert a.client.birth_date == date(2016, 1, 1)
    assert a.functional == {"attachment": 2, "empathy": None}


def test_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "assessment_date": "2026-01-01",\n  "functional": {,}\n}\n')
    with pytest.raises(AssessmentError) as info:
        load_assessment_file(path)
    # the stray comma is on line 3, column 18 (1-based)
    (message,) = info.value.errors
    assert str(path) in message
    assert "line 3 column 18" in message


def test_yaml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("functional: [\n")
    with pytest.raises(AssessmentError) as info:
        load_assessment_file(path)
    assert "bad.yaml: not valid YAML" in info.value.errors[0]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AssessmentError) as info:
        load_assessment_file(tmp_path / "nope.json")
    assert info.value.errors == [f"{tmp_path / 'nope.json'}: file not found"]


def test_file_problems_are_reported_from_files_too(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps(with_(functional={"heart_rate_regulation": 7})))
    with pytest.raises(AssessmentError) as info:
        load_assessment_file(path)
    assert info.value.errors == ["functional.heart_rate_regulation: expected 0-3 or null, got 7"]


# -- JSON Schema --------------------------------------------------------------------------


def _validator(schema: dict[str, Any]) -> Any:
    """A callable instance -> bool from whichever JSON Schema library is installed, else None."""
    try:
        import jsonschema

        v = jsonschema.Draft202012Validator(schema)
        return v.is_valid
    except ImportError:
        pass
    try:
        import jsonschema_rs

        return jsonschema_rs.validator_for(schema).is_valid
    except ImportError:
        return None


def test_schema_lists_every_function_id_and_is_closed() -> None:
    schema = json_schema(INST)
    functional = schema["properties"]["functional"]
    assert sorted(functional["properties"]) == sorted(INST.function_ids)
    assert functional["additionalProperties"] is False
    assert schema["additionalProperties"] is False
    assert "assessment_date" in schema["required"]
    assert sorted(schema["properties"]["relational_history"]["properties"]) == sorted(
        INST.period_ids
    )
    adv = schema["$defs"]["Adversity"]
    assert adv["properties"]["type"]["enum"] == [t.id for t in INST.adversity_types]
    assert adv["additionalProperties"] is False
    json.dumps(schema)  # serialisable


def test_schema_validates_the_worked_example_and_rejects_bad_ones() -> None:
    is_valid = _validator(json_schema(INST))
    if is_valid is None:
        pytest.skip("no JSON Schema library installed; structure checked above")
    example = copy.deepcopy(WORKED_EXAMPLE)
    assert is_valid(example)
    assert not is_valid({**example, "extra": 1})
    assert not is_valid({**example, "functional": {"foo": 1}})
    assert not is_valid({**example, "functional": {"heart_rate_regulation": 7}})
    assert not is_valid({**example, "functional": {"heart_rate_regulation": True}})
    bad_adv = [{"type": "neglect", "period": "m0_2", "severity": 5}]
    assert not is_valid({**example, "adversities": bad_adv})
    assert not is_valid({k: v for k, v in example.items() if k != "assessment_date"})


@pytest.mark.parametrize("value", [0, 1, 2, 3, None, 7, -1, True, "2", 2.5, 2.0])
def test_schema_and_parser_agree_on_ratings(value: Any) -> None:
    is_valid = _validator(json_schema(INST))
    if is_valid is None:
        pytest.skip("no JSON Schema library installed")
    data = with_(functional={"attachment": value})
    try:
        parse_assessment(data, INST)
        parser_ok = True
    except AssessmentError:
        parser_ok = False
    assert is_valid(data) == parser_ok
