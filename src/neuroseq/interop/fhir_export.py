"""An assessment as FHIR R4: QuestionnaireResponse, Observations, Patient, in a Bundle.

The Patient is referenced by pseudonym only: no name, no address, no gender and, by
default, no birth date. The age at the assessment date (months) travels in the
QuestionnaireResponse instead, which is all scoring needs; ``include_birth_date=True``
adds the birth date (Patient.birthDate and the ``birth_date`` item) for exchanges that
need it. See docs/interop.md for the mapping and the reasons.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from neuroseq.assessment import Assessment
from neuroseq.instrument import Instrument
from neuroseq.interop.fhir_common import (
    CANONICAL_BASE,
    DATA_ABSENT_REASON,
    INTERPRETATION,
    OBSERVATION_CATEGORY,
    PSEUDONYM_SYSTEM,
    PSEUDONYMISED,
    UCUM,
    code_system_url,
    coding,
    meta,
    stable_urn,
)
from neuroseq.interop.fhir_questionnaire import (
    ADVERSITY,
    AGE,
    ASSESSMENT_DATE,
    BIRTH_DATE,
    GATES,
    RATER,
    RELATIONAL_RATING,
    SEVERITIES,
    canonical,
    flags_of,
    questionnaire,
    score_concepts,
)
from neuroseq.scoring import score_assessment

RecordStatus = Literal["draft", "in_review", "signed"]

#: UCUM units we use (https://ucum.org/ucum): a 0-100 score is dimensionless with an
#: annotation, a raw load is the unity "1", age equivalents are months ("mo").
SCORE_UNIT = ("{score}", "score")
PERCENT_UNIT = ("%", "%")
LOAD_UNIT = ("1", "1")
MONTH_UNIT = ("mo", "months")


@dataclass(frozen=True)
class RecordFacts:
    """What a stored record knows beyond the assessment file (defaults suit a file)."""

    status: RecordStatus | None = None
    is_amendment: bool = False
    identifier_system: str = PSEUDONYM_SYSTEM
    record_key: str = ""  # makes the urn:uuids of two versions of one assessment differ


def text_item(link: str, text: str) -> dict[str, Any]:
    """FHIR strings cannot be empty: empty text is the item with no answer."""
    return {"linkId": link, "answer": [{"valueString": text}]} if text else {"linkId": link}


def _answer_coding(system: str, code: str, display: str) -> list[dict[str, Any]]:
    return [{"valueCoding": coding(code_system_url(system), code, display)}]


def _rating_item(link: str, value: int | None, system: str, labels: dict[int, str]) -> Any:
    """A rated item has one answer; an item listed as not rated has none (never zero)."""
    item: dict[str, Any] = {"linkId": link}
    if value is not None:
        item["answer"] = _answer_coding(system, str(value), labels[value])
    return item


def _assessment_items(a: Assessment, include_birth_date: bool) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        {"linkId": ASSESSMENT_DATE, "answer": [{"valueDate": a.assessment_date.isoformat()}]}
    ]
    birth = a.client.birth_date if include_birth_date else None
    age = a.chronological_age_months
    if birth is None and a.client.birth_date is not None:
        # The birth date stays home; the age scoring uses (from the dates) travels instead.
        age = a.age_months
    if age is not None:
        items.append({"linkId": AGE, "answer": [{"valueDecimal": age}]})
    if birth is not None:
        items.append({"linkId": BIRTH_DATE, "answer": [{"valueDate": birth.isoformat()}]})
    if a.rater is not None:
        items.append(text_item(RATER, a.rater))
    return {"linkId": "assessment", "item": items}


def _adversity_items(a: Assessment, inst: Instrument) -> list[dict[str, Any]]:
    result = []
    for adv in a.adversities:
        parts = [
            {
                "linkId": f"{ADVERSITY}.type",
                "answer": _answer_coding(
                    "adversity-type", adv.type, inst.adversity_type(adv.type).name
                ),
            },
            {
                "linkId": f"{ADVERSITY}.period",
                "answer": _answer_coding("period", adv.period, inst.period(adv.period).label),
            },
            {
                "linkId": f"{ADVERSITY}.severity",
                "answer": _answer_coding("severity", str(adv.severity), SEVERITIES[adv.severity]),
            },
            {
                "linkId": f"{ADVERSITY}.chronicity",
                "answer": _answer_coding(
                    "chronicity", adv.chronicity, inst.chronicity_level(adv.chronicity).label
                ),
            },
        ]
        if adv.note is not None:
            parts.append(text_item(f"{ADVERSITY}.note", adv.note))
        result.append({"linkId": ADVERSITY, "item": parts})
    return result


def _relational_items(a: Assessment, inst: Instrument) -> list[dict[str, Any]]:
    result = []
    periods = [
        {
            "linkId": f"rh.{p}",
            "item": [
                _rating_item(
                    f"rh.{p}.{h.id}", ratings[h.id], "relational-rating", RELATIONAL_RATING
                )
                for h in inst.history_items
                if h.id in ratings
            ],
        }
        for p in inst.period_ids
        if (ratings := a.relational_history.get(p)) is not None
    ]
    if periods:
        result.append({"linkId": "relational_history", "item": periods})
    current = [
        _rating_item(
            f"crh.{c.id}",
            a.current_relational_health[c.id],
            "relational-rating",
            RELATIONAL_RATING,
        )
        for c in inst.current_items
        if c.id in a.current_relational_health
    ]
    if current:
        result.append({"linkId": "current_relational_health", "item": current})
    return result


def _functional_items(a: Assessment, inst: Instrument) -> list[dict[str, Any]]:
    labels = {s.value: s.label for s in inst.status_levels}
    regions = []
    for r in inst.regions:
        domains = []
        for d in inst.domains:
            rated = [
                _rating_item(f"fn.{f.id}", a.functional[f.id], "status", labels)
                for f in inst.functions_in_region(r.id)
                if f.domain == d.id and f.id in a.functional
            ]
            if rated:
                domains.append({"linkId": f"region.{r.id}.domain.{d.id}", "item": rated})
        if domains:
            regions.append({"linkId": f"region.{r.id}", "item": domains})
    return [{"linkId": "functional", "item": regions}] if regions else []


def _flag_items(a: Assessment, inst: Instrument) -> list[dict[str, Any]]:
    """Assessed clinical flags (true or false); flags not assessed are left out."""
    assessed: dict[str, bool] = dict(getattr(a, "clinical_flags", None) or {})
    items = [
        {"linkId": f"flag.{f.id}", "answer": [{"valueBoolean": assessed[f.id]}]}
        for f in flags_of(inst)
        if assessed.get(f.id) is not None
    ]
    return [{"linkId": "clinical_flags", "item": items}] if items else []


def _qr_status(facts: RecordFacts) -> str:
    if facts.status == "draft":
        return "in-progress"
    if facts.status == "signed" and facts.is_amendment:
        return "amended"
    return "completed"


def questionnaire_response(
    a: Assessment,
    inst: Instrument,
    *,
    patient: dict[str, Any] | None = None,
    include_birth_date: bool = False,
    facts: RecordFacts = RecordFacts(),
) -> dict[str, Any]:
    """The assessment's inputs as a QuestionnaireResponse answering ``questionnaire(inst)``.

    ``patient``: a reference to the Patient (``{"reference": ...}``); the pseudonym is
    always carried as the reference's identifier, so the response stands on its own.
    """
    subject: dict[str, Any] = dict(patient or {})
    if a.client.pseudonym is not None:
        subject["identifier"] = {"system": facts.identifier_system, "value": a.client.pseudonym}
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "meta": meta(a.synthetic),
        "questionnaire": canonical(inst),
        "status": _qr_status(facts),
        "authored": a.assessment_date.isoformat(),
        "item": [
            _assessment_items(a, include_birth_date),
            *_adversity_items(a, inst),
            *_relational_items(a, inst),
            *_functional_items(a, inst),
            *_flag_items(a, inst),
        ],
    }
    if subject:
        resource["subject"] = subject
    if not resource["meta"]:
        del resource["meta"]
    return resource


def _quantity(value: float, unit: tuple[str, str]) -> dict[str, Any]:
    return {"value": value, "unit": unit[1], "system": UCUM, "code": unit[0]}


def _absent() -> dict[str, Any]:
    """No rated item behind this score: data-absent-reason ``not-performed``."""
    return {"coding": [coding(DATA_ABSENT_REASON, "not-performed", "Not Performed")]}


def _component(
    code: str, display: str, value: float | None, unit: tuple[str, str]
) -> dict[str, Any]:
    component: dict[str, Any] = {
        "code": {"coding": [coding(code_system_url("score"), code, display)]}
    }
    if value is None:
        component["dataAbsentReason"] = _absent()
    else:
        component["valueQuantity"] = _quantity(value, unit)
    return component


def observations(
    scores: dict[str, Any],
    inst: Instrument,
    *,
    subject: dict[str, Any],
    derived_from: str,
    effective: str,
    synthetic: bool,
    facts: RecordFacts = RecordFacts(),
) -> list[dict[str, Any]]:
    """The scores (``AssessmentScores.to_dict()``) as Observations with components."""
    display = dict(score_concepts(inst))

    def comp(code: str, value: float | None, unit: tuple[str, str] = SCORE_UNIT) -> Any:
        return _component(code, display[code], value, unit)

    def group(prefix: str, ids: tuple[str, ...], unit: tuple[str, str] = SCORE_UNIT) -> Any:
        values = scores.get(prefix) or {}
        return [comp(f"{prefix}.{i}", values.get(i), unit) for i in ids]

    status = "final" if facts.status == "signed" else "preliminary"
    if facts.status == "signed" and facts.is_amendment:
        status = "amended"

    def observation(code: str, value: float | None, components: list[Any], unit=SCORE_UNIT):  # type: ignore[no-untyped-def]
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "meta": meta(synthetic),
            "status": status,
            "category": [{"coding": [coding(OBSERVATION_CATEGORY, "survey", "Survey")]}],
            "code": {
                "coding": [coding(code_system_url("score"), code, display[code])],
                "text": display[code],
            },
            "subject": subject,
            "effectiveDateTime": effective,
            "method": {
                "text": f"neuroseq open instrument v{inst.version} (our own open instrument; "
                "not the proprietary NMT metrics)"
            },
            "derivedFrom": [{"reference": derived_from}],
        }
        if not resource["meta"]:
            del resource["meta"]
        if code != "age_equivalents":
            if value is None:
                resource["dataAbsentReason"] = _absent()
            else:
                resource["valueQuantity"] = _quantity(value, unit)
        if components:
            resource["component"] = components
        return resource

    region_ids, domain_ids, period_ids = inst.region_ids, inst.domain_ids, inst.period_ids
    gate = str(scores.get("relational_gate", "not_rated"))
    gate_component = {
        "code": {
            "coding": [
                coding(code_system_url("score"), "relational_gate", display["relational_gate"])
            ]
        },
        "valueCodeableConcept": {"coding": [coding(code_system_url("gate"), gate, GATES[gate])]},
    }
    return [
        observation(
            "developmental_challenges_score",
            scores.get("developmental_challenges_score"),
            [
                comp(
                    "developmental_challenges_raw",
                    scores.get("developmental_challenges_raw"),
                    LOAD_UNIT,
                ),
                *group("period_load", period_ids, LOAD_UNIT),
                *group("region_impact", region_ids),
            ],
        ),
        observation(
            "relational_health_history_score",
            scores.get("relational_health_history_score"),
            group("relational_history_by_period", period_ids),
        ),
        observation(
            "current_relational_health",
            scores.get("current_relational_health"),
            [gate_component],
        ),
        observation(
            "functional_score",
            scores.get("functional_score"),
            [
                *group("region_scores", region_ids),
                *group("domain_scores", domain_ids),
                comp("typical_functional_score", scores.get("typical_functional_score")),
                *group("typical_region_scores", region_ids),
                *group("typical_domain_scores", domain_ids),
                comp("age_typical_percent", scores.get("age_typical_percent"), PERCENT_UNIT),
            ],
        ),
        observation("age_equivalents", None, _age_components(scores, inst, display)),
    ]


def _age_components(
    scores: dict[str, Any], inst: Instrument, display: dict[str, str]
) -> list[dict[str, Any]]:
    """Age equivalents in months; a flag becomes an interpretation (and ">=" at the ceiling)."""
    months = scores.get("age_equivalents_months") or {}
    flags = scores.get("age_equivalent_flags") or {}
    result = []
    for d in inst.domain_ids:
        code = f"age_equivalents_months.{d}"
        component = _component(code, display[code], months.get(d), MONTH_UNIT)
        flag = flags.get(d)
        if flag == "ceiling":
            component["valueQuantity"]["comparator"] = ">="
            component["interpretation"] = [
                {
                    "coding": [coding(INTERPRETATION, ">", "Off scale high")],
                    "text": "at the ceiling of the norms: at least this age",
                }
            ]
        elif flag == "below_norms":
            component["interpretation"] = [
                {
                    "coding": [coding(INTERPRETATION, "<", "Off scale low")],
                    "text": "below the earliest norms",
                }
            ]
        result.append(component)
    return result


def patient(a: Assessment, *, include_birth_date: bool, facts: RecordFacts) -> dict[str, Any]:
    """The child by pseudonym only, labelled pseudonymised (v3 PSEUDED)."""
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "meta": {**meta(a.synthetic), "security": [dict(PSEUDONYMISED)]},
    }
    if a.client.pseudonym is not None:
        resource["identifier"] = [{"system": facts.identifier_system, "value": a.client.pseudonym}]
    if include_birth_date and a.client.birth_date is not None:
        resource["birthDate"] = a.client.birth_date.isoformat()
    return resource


def assessment_bundle(
    a: Assessment,
    inst: Instrument,
    *,
    scores: dict[str, Any] | None = None,
    include_birth_date: bool = False,
    facts: RecordFacts = RecordFacts(),
) -> dict[str, Any]:
    """Questionnaire, Patient, QuestionnaireResponse and score Observations in one Bundle.

    ``scores`` defaults to a fresh computation; the app passes the stored (signed) snapshot.
    """
    if scores is None:
        scores = score_assessment(a, inst).to_dict()
    key = json.dumps(a.model_dump(mode="json"), sort_keys=True) + facts.record_key
    patient_urn = stable_urn("patient", facts.identifier_system, a.client.pseudonym, key)
    qr_urn = stable_urn("questionnaire-response", key)
    subject = {"reference": patient_urn}
    if a.client.pseudonym is not None:
        subject["identifier"] = {"system": facts.identifier_system, "value": a.client.pseudonym}
    q = questionnaire(inst)
    entries = [
        (f"{CANONICAL_BASE}/Questionnaire/{q['id']}", q),
        (patient_urn, patient(a, include_birth_date=include_birth_date, facts=facts)),
        (
            qr_urn,
            questionnaire_response(
                a,
                inst,
                patient={"reference": patient_urn},
                include_birth_date=include_birth_date,
                facts=facts,
            ),
        ),
    ]
    for i, obs in enumerate(
        observations(
            scores,
            inst,
            subject=subject,
            derived_from=qr_urn,
            effective=a.assessment_date.isoformat(),
            synthetic=a.synthetic,
            facts=facts,
        )
    ):
        entries.append((stable_urn("observation", i, key), obs))
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "meta": meta(a.synthetic),
        "type": "collection",
        "entry": [{"fullUrl": url, "resource": r} for url, r in entries],
    }
    if not bundle["meta"]:
        del bundle["meta"]
    return bundle
