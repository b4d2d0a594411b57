"""Bad input at every domain entry point (issue 10, finding 6).

Hypothesis throws arbitrary JSON-like values, mutated assessments, arbitrary CSV rows and
arbitrary file bytes at the functions that take outside input: each answers with its own
error type (one line per problem) or a valid result, never another exception. The caps:
list and mapping sizes, string lengths, integer ranges, and all problems in one pass.
"""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuroseq.assessment import (
    MAX_ADVERSITIES,
    AssessmentError,
    parse_assessment,
    read_document,
)
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.instrument import load_instrument
from neuroseq.interop.assessment_csv import (
    RowError,
    columns,
    header_problems,
    row_to_record,
)
from neuroseq.json_limits import JsonLimitError, load_json_limited
from neuroseq.scoring import score_assessment

INST = load_instrument(WORKED_EXAMPLE["instrument_version"])

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["2026-01-01", "1800-01-01", "neglect", "m2_6", "y40", "chronic", ""]),
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=25,
)
PATHS = [
    ("assessment_date",),
    ("client", "birth_date"),
    ("chronological_age_months",),
    ("adversities",),
    ("adversities", 0),
    ("adversities", 0, "severity"),
    ("adversities", 0, "period"),
    ("relational_history",),
    ("relational_history", "m0_2"),
    ("current_relational_health",),
    ("functional",),
    ("functional", "attunement"),
    ("instrument_version",),
    ("format",),
    ("synthetic",),
]


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@given(JSONISH)
def test_parse_assessment_accepts_or_explains_any_value(value: Any) -> None:
    try:
        parse_assessment(value, INST)
    except AssessmentError as exc:
        assert exc.errors and all(isinstance(line, str) and line for line in exc.errors)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSONISH), min_size=1, max_size=3))
def test_a_mutated_assessment_is_scored_or_explained(mutations: list[Any]) -> None:
    data = copy.deepcopy(WORKED_EXAMPLE)
    for path, value in mutations:
        try:
            _set(data, path, value)
        except (KeyError, IndexError, TypeError):
            continue
    try:
        parsed = parse_assessment(data, INST)
    except AssessmentError as exc:
        assert all(len(line) < 400 for line in exc.errors), "messages echo input, shortened"
        return
    scores = score_assessment(parsed, INST)
    assert 0 <= scores.developmental_challenges_score <= 100


@given(
    st.dictionaries(st.text(max_size=15), st.one_of(st.none(), st.text(max_size=20)), max_size=6)
)
def test_row_to_record_accepts_or_explains_any_row(row: dict[str, Any]) -> None:
    try:
        record = row_to_record(row)
    except RowError as exc:
        assert str(exc)
        return
    with contextlib.suppress(AssessmentError):
        parse_assessment(record, INST)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300), suffix=st.sampled_from([".json", ".yaml", ".yml"]))
def test_read_document_accepts_or_explains_any_bytes(
    tmp_path: Path, content: bytes, suffix: str
) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(content)
    try:
        read_document(path)
    except AssessmentError as exc:
        assert exc.errors[0].startswith(str(path))


@given(st.text(max_size=200))
def test_json_limits_accept_or_explain_any_text(text: str) -> None:
    try:
        load_json_limited(text, max_bytes=150, max_depth=5)
    except JsonLimitError as exc:
        assert str(exc)


# -- the review's inputs ------------------------------------------------------------------


def test_a_5000_digit_integer_is_an_error_not_a_crash() -> None:
    text = json.dumps({**WORKED_EXAMPLE, "functional": {}})[:-1] + ', "x": ' + "9" * 5000 + "}"
    with pytest.raises(JsonLimitError, match="a number with 5000 digits"):
        load_json_limited(text, max_bytes=100_000, max_depth=32)


def test_json_nested_500_deep_is_an_error_not_a_crash() -> None:
    text = "[" * 500 + "]" * 500
    with pytest.raises(JsonLimitError, match="nested 500 levels deep; at most 32"):
        load_json_limited(text, max_bytes=100_000, max_depth=32)
    with pytest.raises(JsonLimitError, match="nested"):
        load_json_limited('{"a": ' * 40 + "1" + "}" * 40, max_bytes=100_000, max_depth=32)
    assert load_json_limited('["[[[[[[", {"a": "{{{{"}]', max_bytes=100, max_depth=2)


def test_json_size_cap_names_both_sizes() -> None:
    with pytest.raises(JsonLimitError, match="932 KB; at most 100 KB"):
        load_json_limited(" " * 932 * 1024, max_bytes=100 * 1024, max_depth=32)


def test_ten_thousand_adversities_are_refused_with_a_field_error() -> None:
    data = copy.deepcopy(WORKED_EXAMPLE)
    data["adversities"] = [data["adversities"][0]] * 10_000
    with pytest.raises(AssessmentError) as info:
        parse_assessment(data, INST)
    assert info.value.errors == [
        f"adversities: expected at most {MAX_ADVERSITIES} entries, got 10000"
    ]


@pytest.mark.parametrize(
    "section", ["functional", "current_relational_health", "relational_history"]
)
def test_mappings_are_capped_too(section: str) -> None:
    data = copy.deepcopy(WORKED_EXAMPLE)
    data[section] = {f"item{n}": None for n in range(5000)}
    with pytest.raises(AssessmentError) as info:
        parse_assessment(data, INST)
    assert len(info.value.errors) == 1 and "at most" in info.value.errors[0]


def test_long_strings_and_huge_numbers_are_echoed_short() -> None:
    data = copy.deepcopy(WORKED_EXAMPLE)
    data["functional"]["attunement"] = 10**4000
    data["adversities"][0]["type"] = "x" * 100_000
    with pytest.raises(AssessmentError) as info:
        parse_assessment(data, INST)
    assert all(len(line) < 300 for line in info.value.errors)
    assert any(
        line.startswith("functional.attunement: expected 0-3 or null") for line in info.value.errors
    )


def test_every_problem_in_one_pass_even_across_kinds() -> None:
    """The review: a bad period showed only after the type errors were fixed."""
    data = copy.deepcopy(WORKED_EXAMPLE)
    data["functional"]["attunement"] = "lots"
    data["adversities"].append({"type": "neglect", "period": "y40", "severity": 2})
    data["adversities"].append(
        {"type": "dragons", "period": "m2_6", "severity": 2, "chronicity": "always"}
    )
    data["relational_history"]["y99"] = {"caregiver_attunement": 1}
    with pytest.raises(AssessmentError) as info:
        parse_assessment(data, INST)
    text = "\n".join(info.value.errors)
    assert "functional.attunement: expected 0-3 or null, got 'lots'" in text
    n = len(WORKED_EXAMPLE["adversities"])
    assert f"adversities[{n}].period: unknown period 'y40'" in text
    assert f"adversities[{n + 1}].type: unknown adversity type 'dragons'" in text
    assert f"adversities[{n + 1}].chronicity: expected one of" in text
    assert "relational_history.y99: unknown period 'y99'" in text
    assert len(info.value.errors) == len(set(info.value.errors))


def test_birth_after_assessment_is_reported_with_the_other_problems() -> None:
    data = copy.deepcopy(WORKED_EXAMPLE)
    data["functional"]["attunement"] = 7
    data["client"]["birth_date"] = "2026-06-01"
    with pytest.raises(AssessmentError) as info:
        parse_assessment(data, INST)
    assert "client.birth_date: expected a date before assessment_date" in info.value.errors


class TestCsvHeader:
    def test_the_instrument_s_columns_are_required(self) -> None:
        header = ["pseudonym", "birth_date", "assessment_date", "synthetic", "rater"]
        problems = header_problems(header, INST)
        assert len(problems) == 1
        assert problems[0].startswith("header: missing columns adversities, rh.")
        assert "an empty cell means not rated; a missing column is not allowed" in problems[0]

    def test_unknown_and_repeated_columns(self) -> None:
        header = [*columns(INST), "favourite_colour", "fn.attunement"]
        assert header_problems(header, INST) == [
            "header: unknown column favourite_colour",
            "header: column fn.attunement appears 2 times",
        ]

    def test_the_age_may_come_from_either_column(self) -> None:
        full = columns(INST)
        assert header_problems([c for c in full if c != "birth_date"], INST) == []
        without_age = [c for c in full if c not in {"birth_date", "chronological_age_months"}]
        assert header_problems(without_age, INST) == [
            "header: missing column birth_date or chronological_age_months"
        ]
        optional = {"pseudonym", "rater", "synthetic"}
        assert header_problems([c for c in full if c not in optional], INST) == []


@given(st.text(max_size=30))
def test_load_instrument_accepts_or_explains_any_version(version: str) -> None:
    from neuroseq.instrument import InstrumentError

    try:
        inst = load_instrument(version)
    except InstrumentError as exc:
        assert str(exc)
    else:
        assert inst.version == version


@pytest.mark.parametrize("version", ["\x00", "1\x00", "../v1", "1/../1", "/etc"])
def test_a_hostile_instrument_version_is_an_error(version: str) -> None:
    data = {**copy.deepcopy(WORKED_EXAMPLE), "instrument_version": version}
    with pytest.raises(AssessmentError):
        parse_assessment(data)
