"""FHIR R4: structure (R4B models), codes (checked by hand), lossless round trip, errors."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from hypothesis import HealthCheck, given, settings
from interop_strategies import records

from neuroseq.assessment import parse_assessment
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.instrument import load_instrument
from neuroseq.instrument.loader import DATA_DIR
from neuroseq.interop.fhir_common import CANONICAL_BASE, UCUM
from neuroseq.interop.fhir_export import RecordFacts, assessment_bundle, questionnaire_response
from neuroseq.interop.fhir_import import FhirImportError, assessment_from_fhir
from neuroseq.interop.fhir_questionnaire import code_systems, instrument_bundle, questionnaire
from neuroseq.scoring import score_assessment

INST = load_instrument(WORKED_EXAMPLE["instrument_version"])
# Every instrument version in the data folder: the mapping is generated, so all must work.
VERSIONS = sorted(p.name[1:] for p in DATA_DIR.glob("v*"))
EXAMPLE = parse_assessment(copy.deepcopy(WORKED_EXAMPLE), INST)

# UCUM (https://ucum.org/ucum, "The Unified Code for Units of Measure"): "mo" is the mean
# Julian month (§31, table 4), "%" the percent (table 6), "1" the unity and "{score}" a
# unity with an annotation (§12: curly-brace annotations are valid and equal to 1).
UCUM_CODES = {"mo", "%", "1", "{score}"}
# http://terminology.hl7.org/CodeSystem/observation-category (R4): the codes that exist.
OBSERVATION_CATEGORIES = {
    "social-history", "vital-signs", "imaging", "laboratory", "procedure", "survey",
    "exam", "therapy", "activity",
}  # fmt: skip
DATA_ABSENT_REASONS = {
    "unknown", "asked-unknown", "temp-unknown", "not-asked", "asked-declined", "masked",
    "not-applicable", "unsupported", "as-text", "error", "not-a-number",
    "negative-infinity", "positive-infinity", "not-performed", "not-permitted",
}  # fmt: skip


def through_json(resource: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(resource))


def walk(node: Any):
    """Every dict inside a JSON document."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_bundle_and_instrument_validate_against_the_r4b_models():
    bundle = Bundle.model_validate(through_json(assessment_bundle(EXAMPLE, INST)))
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds == ["Questionnaire", "Patient", "QuestionnaireResponse"] + ["Observation"] * 5
    Bundle.model_validate(through_json(instrument_bundle(INST)))
    Questionnaire.model_validate(questionnaire(INST))
    QuestionnaireResponse.model_validate(through_json(questionnaire_response(EXAMPLE, INST)))


def test_every_code_we_emit_exists_in_its_code_system():
    concepts = {cs["url"]: {c["code"] for c in cs["concept"]} for cs in code_systems(INST)}
    document = {
        "bundle": assessment_bundle(EXAMPLE, INST, facts=RecordFacts(status="signed")),
        "instrument": instrument_bundle(INST),
    }
    ours = ucum = 0
    for node in walk(document):
        system = node.get("system")
        if isinstance(system, str) and system.startswith(CANONICAL_BASE + "/CodeSystem/"):
            assert node["code"] in concepts[system], (system, node["code"])
            ours += 1
        if system == UCUM:
            assert node["code"] in UCUM_CODES, node
            ucum += 1
        if system == "http://terminology.hl7.org/CodeSystem/observation-category":
            assert node["code"] in OBSERVATION_CATEGORIES
        if system == "http://terminology.hl7.org/CodeSystem/data-absent-reason":
            assert node["code"] in DATA_ABSENT_REASONS
    assert ours > 100 and ucum > 30


def test_questionnaire_groups_functions_by_region_then_domain():
    q = questionnaire(INST)
    functional = next(i for i in q["item"] if i["linkId"] == "functional")
    seen = []
    for region_group in functional["item"]:
        region = region_group["linkId"].removeprefix("region.")
        for domain_group in region_group["item"]:
            domain = domain_group["linkId"].rsplit(".", 1)[1]
            for question in domain_group["item"]:
                f = INST.function(question["linkId"].removeprefix("fn."))
                assert (f.region, f.domain) == (region, domain)
                codes = [o["valueCoding"]["code"] for o in question["answerOption"]]
                assert codes == ["0", "1", "2", "3"]
                seen.append(f.id)
    assert sorted(seen) == sorted(INST.function_ids)
    assert [g["linkId"] for g in functional["item"]] == [f"region.{r}" for r in INST.region_ids]
    assert (
        q["url"] == f"{CANONICAL_BASE}/Questionnaire/neuroseq-instrument"
        and q["version"] == INST.version
    )


def test_worked_example_round_trip_and_same_scores():
    back = parse_assessment(assessment_from_fhir(through_json(assessment_bundle(EXAMPLE, INST))))
    assert back.client.birth_date is None and back.client.pseudonym == "EXAMPLE-10Y"
    assert score_assessment(back).to_dict() == score_assessment(EXAMPLE).to_dict()
    with_birth = assessment_bundle(EXAMPLE, INST, include_birth_date=True)
    assert parse_assessment(assessment_from_fhir(through_json(with_birth))) == EXAMPLE


def test_default_export_carries_no_birth_date():
    text = json.dumps(assessment_bundle(EXAMPLE, INST))
    assert "2016-03-14" not in text and "birthDate" not in text
    assert '"PSEUDED"' in text and '"HTEST"' in text


def _without_birth_date(record: dict[str, Any], inst=INST) -> dict[str, Any]:
    original = parse_assessment(record, inst)
    expected = original.model_dump(mode="json")
    expected["client"]["birth_date"] = None
    expected["chronological_age_months"] = original.age_months  # the age scoring used
    return expected


def round_trip(inst, record):
    original = parse_assessment(record, inst)
    full = assessment_bundle(original, inst, include_birth_date=True)
    assert parse_assessment(assessment_from_fhir(through_json(full))) == original
    # Default (no birth date): the same inputs with the age in months instead of the date.
    lean = assessment_bundle(original, inst)
    back = parse_assessment(assessment_from_fhir(through_json(lean)))
    assert back.model_dump(mode="json") == _without_birth_date(record, inst)
    assert score_assessment(back).to_dict() == score_assessment(original).to_dict()
    # The response alone is enough, and "not rated" stays distinct from "not listed".
    alone = questionnaire_response(original, inst, include_birth_date=True)
    imported = assessment_from_fhir(through_json(alone))
    assert imported["functional"] == record["functional"]
    assert parse_assessment(imported) == original


@pytest.mark.slow
@pytest.mark.parametrize("version", VERSIONS)
def test_round_trip_is_lossless(version):
    inst = load_instrument(version)
    Bundle.model_validate(through_json(instrument_bundle(inst)))

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(record=records(inst))
    def check(record):
        round_trip(inst, record)

    check()


def test_statuses_follow_the_record():
    draft = assessment_bundle(EXAMPLE, INST, facts=RecordFacts(status="draft"))
    signed = assessment_bundle(EXAMPLE, INST, facts=RecordFacts(status="signed"))
    amended = assessment_bundle(
        EXAMPLE, INST, facts=RecordFacts(status="signed", is_amendment=True)
    )

    def statuses(bundle):
        return {e["resource"]["resourceType"]: e["resource"].get("status") for e in bundle["entry"]}

    assert statuses(draft)["QuestionnaireResponse"] == "in-progress"
    assert statuses(draft)["Observation"] == "preliminary"
    assert statuses(signed)["Observation"] == "final"
    assert statuses(amended)["QuestionnaireResponse"] == "amended"


def test_age_equivalent_flags_become_interpretations():
    record = copy.deepcopy(WORKED_EXAMPLE)
    record["functional"] = dict.fromkeys(INST.function_ids, 3)
    a = parse_assessment(record, INST)
    bundle = assessment_bundle(a, INST)
    ages = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"].get("code", {}).get("coding", [{}])[0].get("code") == "age_equivalents"
    )
    for component in ages["component"]:
        assert component["valueQuantity"]["comparator"] == ">="
        assert component["interpretation"][0]["coding"][0]["code"] == ">"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([1, 2], "expected a FHIR resource"),
        ({"format": "neuroseq.assessment/1"}, "resourceType: missing"),
        ({"resourceType": "Patient"}, "expected Bundle or QuestionnaireResponse, got 'Patient'"),
        ({"resourceType": "Bundle", "type": "collection", "entry": []}, "exactly one"),
        ({"resourceType": "QuestionnaireResponse", "status": 7}, "QuestionnaireResponse.status"),
        (
            {"resourceType": "QuestionnaireResponse", "status": "completed",
             "questionnaire": "http://example.org/Questionnaire/phq9|1"},
            "questionnaire: expected https://",
        ),
        (
            {"resourceType": "QuestionnaireResponse", "status": "completed",
             "questionnaire": f"{CANONICAL_BASE}/Questionnaire/neuroseq-instrument|99"},
            "instrument version '99' not found",
        ),
    ],
)  # fmt: skip
def test_import_errors_name_the_problem(document, expected):
    with pytest.raises(FhirImportError) as raised:
        assessment_from_fhir(document)
    assert expected in str(raised.value)


def test_import_rejects_unknown_items_and_codes():
    response = through_json(questionnaire_response(EXAMPLE, INST))
    functional = next(i for i in response["item"] if i["linkId"] == "functional")
    question = functional["item"][0]["item"][0]["item"][0]
    question["answer"][0]["valueCoding"]["code"] = "4"
    functional["item"][0]["item"][0]["item"].append({"linkId": "fn.flying"})
    with pytest.raises(FhirImportError) as raised:
        assessment_from_fhir(response)
    lines = raised.value.errors
    assert any(question["linkId"] in line and "code 0 / 1 / 2 / 3" in line for line in lines)
    assert any("fn.flying" in line and "unknown link id" in line for line in lines)


def test_import_reports_assessment_format_problems():
    response = through_json(questionnaire_response(EXAMPLE, INST))
    assessment = response["item"][0]
    assessment["item"] = [
        i for i in assessment["item"] if i["linkId"] != "chronological_age_months"
    ]
    with pytest.raises(FhirImportError) as raised:
        assessment_from_fhir(response)
    assert "give client.birth_date or chronological_age_months" in str(raised.value)
