"""A QuestionnaireResponse (alone or inside a Bundle) back into an assessment.

The inverse of ``fhir_export``: the response names the instrument version through its
``questionnaire`` canonical, link ids name the items, an item without an answer is "not
rated". Observations are ignored: scores are always recomputed from the inputs. Every
problem becomes one line naming the resource, the link id and what was expected.
"""

from __future__ import annotations

from typing import Any

from neuroseq.assessment import FORMAT, AssessmentError, parse_assessment
from neuroseq.instrument import Instrument, InstrumentError, load_instrument
from neuroseq.interop.fhir_common import (
    QUESTIONNAIRE_URL,
    code_system_url,
    is_synthetic,
    validation_errors,
)
from neuroseq.interop.fhir_questionnaire import (
    ADVERSITY,
    ADVERSITY_FIELDS,
    AGE,
    ASSESSMENT_DATE,
    BIRTH_DATE,
    RATER,
    flags_of,
)

GROUPS = {
    "assessment",
    "relational_history",
    "current_relational_health",
    "functional",
    "clinical_flags",
}


class FhirImportError(ValueError):
    """The document is not a usable neuroseq QuestionnaireResponse; one line per problem."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _find_response(data: Any) -> tuple[dict[str, Any], dict[str, Any] | None, bool]:
    """(QuestionnaireResponse, its Patient if the Bundle has it, Bundle tagged synthetic)."""
    if not isinstance(data, dict):
        got = type(data).__name__
        raise FhirImportError(
            [f"expected a FHIR resource (a JSON object with resourceType), got {got}"]
        )
    kind = data.get("resourceType")
    if kind is None:
        raise FhirImportError(["resourceType: missing; this is not a FHIR resource"])
    if kind not in {"Bundle", "QuestionnaireResponse"}:
        raise FhirImportError(
            [f"resourceType: expected Bundle or QuestionnaireResponse, got {kind!r}"]
        )
    problems = validation_errors(data)
    if problems:
        raise FhirImportError([f"{kind}.{line}" for line in problems])
    if kind == "QuestionnaireResponse":
        return data, None, False
    resources = {
        e.get("fullUrl"): e.get("resource") for e in data.get("entry") or [] if e.get("resource")
    }
    responses = [r for r in resources.values() if r.get("resourceType") == "QuestionnaireResponse"]
    if len(responses) != 1:
        raise FhirImportError(
            [f"Bundle.entry: expected exactly one QuestionnaireResponse, found {len(responses)}"]
        )
    response = responses[0]
    reference = (response.get("subject") or {}).get("reference")
    found = resources.get(reference) if reference else None
    patient = found if found is not None and found.get("resourceType") == "Patient" else None
    return response, patient, is_synthetic(data)


def _instrument(response: dict[str, Any]) -> Instrument:
    named = response.get("questionnaire")
    prefix = f"{QUESTIONNAIRE_URL}|"
    if not isinstance(named, str) or not named.startswith(prefix):
        raise FhirImportError(
            [
                f"QuestionnaireResponse.questionnaire: expected {prefix}<instrument version>, "
                f"got {named!r}"
            ]
        )
    try:
        return load_instrument(named.removeprefix(prefix))
    except InstrumentError as exc:
        raise FhirImportError([f"QuestionnaireResponse.questionnaire: {exc}"]) from None


class _Reader:
    """Collects values and problems while walking the response's items."""

    def __init__(self, inst: Instrument):
        self.inst = inst
        self.errors: list[str] = []
        self.seen: set[str] = set()
        self.record: dict[str, Any] = {
            "adversities": [],
            "relational_history": {},
            "current_relational_health": {},
            "functional": {},
        }
        self.history = {h.id for h in inst.history_items}
        self.current = {c.id for c in inst.current_items}
        self.functions = set(inst.function_ids)
        self.periods = set(inst.period_ids)
        self.regions = set(inst.region_ids)
        self.domains = set(inst.domain_ids)
        self.flags = {f.id for f in flags_of(inst)}

    def problem(self, link: str, message: str) -> None:
        self.errors.append(f"QuestionnaireResponse.item[{link}]: {message}")

    def once(self, link: str) -> bool:
        if link in self.seen:
            self.problem(link, "appears more than once")
            return False
        self.seen.add(link)
        return True

    def single(self, item: dict[str, Any]) -> dict[str, Any] | None:
        answers = item.get("answer") or []
        if len(answers) > 1:
            self.problem(item["linkId"], f"expected at most one answer, got {len(answers)}")
            return None
        return answers[0] if answers else None

    def value(self, item: dict[str, Any], key: str, what: str) -> Any:
        answer = self.single(item)
        if answer is None:
            return None
        if key not in answer:
            self.problem(item["linkId"], f"expected a {key} answer ({what})")
            return None
        return answer[key]

    def text(self, item: dict[str, Any]) -> str:
        """Free text; the item with no answer is empty text (FHIR strings cannot be empty)."""
        value = self.value(item, "valueString", "text")
        return "" if value is None else str(value)

    def code(self, item: dict[str, Any], system: str, allowed: set[str]) -> str | None:
        answer = self.single(item)
        if answer is None:
            return None
        got = answer.get("valueCoding") or {}
        url = code_system_url(system)
        if got.get("system") != url or got.get("code") not in allowed:
            self.problem(
                item["linkId"],
                f"expected a valueCoding from {url} with code {' / '.join(sorted(allowed))}, "
                f"got {got.get('system')!r} {got.get('code')!r}",
            )
            return None
        return str(got["code"])

    def rating(self, item: dict[str, Any], system: str) -> int | None:
        code = self.code(item, system, {"0", "1", "2", "3"})
        return None if code is None else int(code)

    # -- sections ----------------------------------------------------------------
    def walk(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            link = item["linkId"]
            if link == ADVERSITY:
                self.adversity(item)
            elif link in GROUPS or link.startswith("region."):
                self.group(item)
            elif link.startswith("rh.") and link.count(".") == 1:
                self.period(item)
            else:
                self.leaf(item)

    def group(self, item: dict[str, Any]) -> None:
        link = item["linkId"]
        if link.startswith("region."):
            parts = link.split(".")
            known = (len(parts) == 2 and parts[1] in self.regions) or (
                len(parts) == 4
                and parts[1] in self.regions
                and parts[2] == "domain"
                and parts[3] in self.domains
            )
            if not known:
                self.problem(link, "unknown region or domain group")
                return
        if self.once(link):
            self.walk(item.get("item") or [])

    def period(self, item: dict[str, Any]) -> None:
        link = item["linkId"]
        period = link[3:]
        if period not in self.periods:
            self.problem(link, f"unknown developmental period {period!r}")
            return
        if self.once(link):
            self.record["relational_history"].setdefault(period, {})
            self.walk(item.get("item") or [])

    def leaf(self, item: dict[str, Any]) -> None:
        link = item["linkId"]
        if not self.once(link):
            return
        prefix, _, rest = link.partition(".")
        if link == ASSESSMENT_DATE:
            self.record["assessment_date"] = self.value(item, "valueDate", "a date")
        elif link == BIRTH_DATE:
            self.record.setdefault("client", {})["birth_date"] = self.value(
                item, "valueDate", "a date"
            )
        elif link == AGE:
            age = self.value(item, "valueDecimal", "months")
            if age is None:
                age = (self.single(item) or {}).get("valueInteger")
            self.record["chronological_age_months"] = age
        elif link == RATER:
            self.record["rater"] = self.text(item)
        elif prefix == "fn" and rest in self.functions:
            self.record["functional"][rest] = self.rating(item, "status")
        elif prefix == "crh" and rest in self.current:
            self.record["current_relational_health"][rest] = self.rating(item, "relational-rating")
        elif prefix == "flag" and rest in self.flags:
            value = self.value(item, "valueBoolean", "true or false")
            if value is not None:
                if not isinstance(value, bool):
                    self.problem(link, f"expected true or false, got {value!r}")
                else:
                    self.record.setdefault("clinical_flags", {})[rest] = value
        elif prefix == "rh" and rest.count(".") == 1:
            period, history_item = rest.split(".")
            if period not in self.periods or history_item not in self.history:
                self.problem(link, "unknown relational history item or period")
                return
            self.record["relational_history"].setdefault(period, {})[history_item] = self.rating(
                item, "relational-rating"
            )
        else:
            self.problem(link, "unknown link id for this instrument version")

    def adversity(self, item: dict[str, Any]) -> None:
        inst = self.inst
        allowed = {
            "type": ("adversity-type", {t.id for t in inst.adversity_types}),
            "period": ("period", self.periods),
            "severity": ("severity", {"1", "2", "3"}),
            "chronicity": ("chronicity", {c.id for c in inst.chronicity}),
        }
        entry: dict[str, Any] = {}
        for part in item.get("item") or []:
            link = part["linkId"]
            name = link.removeprefix(f"{ADVERSITY}.")
            if name not in ADVERSITY_FIELDS or not link.startswith(f"{ADVERSITY}."):
                self.problem(link, "unknown adversity field")
            elif name in entry:
                self.problem(link, "appears more than once in one adversity")
            elif name == "note":
                entry["note"] = self.text(part)
            else:
                system, codes = allowed[name]
                entry[name] = self.code(part, system, codes)
        if entry.get("severity") is not None:
            entry["severity"] = int(entry["severity"])
        self.record["adversities"].append(entry)


def assessment_from_fhir(data: Any) -> dict[str, Any]:
    """A Bundle or QuestionnaireResponse -> an assessment dict in the neuroseq.assessment/1
    format, validated against its instrument (raises ``FhirImportError``)."""
    response, patient, bundle_synthetic = _find_response(data)
    inst = _instrument(response)
    reader = _Reader(inst)
    reader.walk(response.get("item") or [])
    if reader.errors:
        raise FhirImportError(reader.errors)
    record = {"format": FORMAT, "instrument_version": inst.version, **reader.record}
    record["synthetic"] = is_synthetic(response) or bundle_synthetic
    client = record.setdefault("client", {})
    identifier = (response.get("subject") or {}).get("identifier") or {}
    patient_ids = (patient or {}).get("identifier") or [{}]
    pseudonym = identifier.get("value") or patient_ids[0].get("value")
    if pseudonym is not None:
        client["pseudonym"] = pseudonym
    if "birth_date" not in client and (patient or {}).get("birthDate"):
        client["birth_date"] = patient["birthDate"]  # type: ignore[index]
    try:
        parsed = parse_assessment(record, inst)
    except AssessmentError as exc:
        raise FhirImportError(exc.errors) from None
    result: dict[str, Any] = parsed.model_dump(mode="json", exclude_none=True)
    return _keep_unrated(result, record)


def _keep_unrated(dumped: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """``exclude_none`` drops "not rated" entries; put them back (missing is not absent)."""
    for section in ("functional", "current_relational_health"):
        dumped[section] = dict(record[section])
    dumped["relational_history"] = {p: dict(v) for p, v in record["relational_history"].items()}
    return dumped
