"""Shared FHIR R4 vocabulary: canonical URLs, code systems, tags, validation.

Our own codes live under one canonical base. A canonical URL identifies; it need not
resolve (FHIR R4 §2.29 "Canonical URLs"). ``CANONICAL_BASE`` uses the reserved
``.example`` domain until the project owns a stable one: change it here and nowhere else.
"""

from __future__ import annotations

import importlib
import re
import uuid
from typing import Any

from pydantic import ValidationError

CANONICAL_BASE = "https://neuroseq.example/fhir"
QUESTIONNAIRE_URL = f"{CANONICAL_BASE}/Questionnaire/neuroseq-instrument"
PSEUDONYM_SYSTEM = f"{CANONICAL_BASE}/identifier/pseudonym"


def code_system_url(name: str) -> str:
    """URL of one of our CodeSystems (``status``, ``function``, ``score``...)."""
    return f"{CANONICAL_BASE}/CodeSystem/{name}"


# Standard terminologies, each used only where its meaning is exactly ours.
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
OBSERVATION_VALUE = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"

#: ``meta.tag`` on every resource of a synthetic record: v3 ActReason HTEST, "test health data".
SYNTHETIC_TAG = {"system": ACT_REASON, "code": "HTEST", "display": "test health data"}
#: ``meta.security`` on the Patient: v3 ObservationValue PSEUDED, "pseudonymized".
PSEUDONYMISED = {"system": OBSERVATION_VALUE, "code": "PSEUDED", "display": "pseudonymized"}

# A fixed namespace: the same content always gets the same urn:uuid (reproducible exports).
_NAMESPACE = uuid.UUID("8f1d2a4e-3c6b-5d7e-9f10-2a3b4c5d6e7f")


def stable_urn(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '|'.join(str(p) for p in parts))}"


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"system": system, "code": code}
    if display:
        result["display"] = display
    return result


def meta(synthetic: bool, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = dict(extra)
    if synthetic:
        result["tag"] = [dict(SYNTHETIC_TAG)]
    return result


def is_synthetic(resource: dict[str, Any]) -> bool:
    tags = (resource.get("meta") or {}).get("tag") or []
    return any(
        isinstance(t, dict)
        and t.get("system") == SYNTHETIC_TAG["system"]
        and t.get("code") == SYNTHETIC_TAG["code"]
        for t in tags
    )


def validation_errors(resource: dict[str, Any]) -> list[str]:
    """Structural problems of one resource against the FHIR R4B models (empty when valid).

    Value-set bindings are not checked by the models; callers check codes themselves.
    """
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    if not isinstance(kind, str) or not re.fullmatch(r"[A-Z][A-Za-z]{1,60}", kind):
        return ["resourceType: expected the name of a FHIR resource, e.g. Bundle"]
    model = _model(kind)
    if model is None:
        return [f"resourceType: {kind!r} is not a FHIR R4 resource"]
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        return [
            f"{'.'.join(str(p) for p in err['loc']) or kind}: {err['msg']}" for err in exc.errors()
        ]
    except (TypeError, ValueError) as exc:  # fhir.resources raises these for bad element types
        return [f"{kind}: {exc}"]
    return []


def _model(kind: str) -> Any | None:
    try:
        module = importlib.import_module(f"fhir.resources.R4B.{kind.lower()}")
    except ImportError:
        return None
    return getattr(module, kind, None)
