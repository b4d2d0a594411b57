"""Exports and FHIR interchange for the app: fetch what the actor may see, write, audit.

The writers are the pure functions of ``neuroseq.interop``; each export here writes to a
file object, so a background job can call it unchanged. For now they run in the request.
"""

from __future__ import annotations

import json
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from neuroseq.assessment import AssessmentError, parse_assessment
from neuroseq.instrument import Instrument, InstrumentError, load_instrument
from neuroseq.interop import exports, research
from neuroseq.interop.fhir_export import RecordFacts, assessment_bundle
from neuroseq.interop.fhir_import import FhirImportError, assessment_from_fhir
from neuroseq.interop.redcap import write_redcap_dictionary
from neuroseq.web.models import Assessment, AssessmentStatus, Client
from neuroseq.web.permissions import require, visible_assessments
from neuroseq.web.services import assessments as assessment_service
from neuroseq.web.services.audit import Actor, record

COHORT_KINDS = ("scores", "ratings", "dictionary", "redcap")


def _instrument(version: str) -> Instrument:
    try:
        return load_instrument(version)
    except InstrumentError:
        raise ValidationError(
            {"instrument_version": f"unknown instrument version {version!r}"}
        ) from None


def export_row(a: Assessment) -> exports.ExportRow:
    return exports.ExportRow(
        assessment_id=a.pk,
        client_key=a.client.display_id,
        lineage=str(a.lineage),
        version=a.version,
        status=a.status,
        assessment_date=a.assessment_date.isoformat(),
        instrument_version=a.instrument_version,
        synthetic=a.synthetic,
        inputs=a.inputs,
        scores=a.scores,
        supersedes_id=a.supersedes_id,
        amendment_reason=a.amendment_reason,
        signed_by=a.signed_by.email if a.signed_by_id else "",
        signed_at=a.signed_at.isoformat() if a.signed_at else "",
    )


# -- one client's record ----------------------------------------------------------------
def export_record(actor: Actor, client: Client, fmt: str, file: IO[str]) -> None:
    """Every version of every assessment of the client, with the client's details."""
    if actor.user is not None:
        require(actor.user, "export.record")
    if fmt not in {"json", "csv"}:
        raise ValidationError({"format": "expected json or csv"})
    rows = [
        export_row(a)
        for a in client.assessments.select_related("client", "signed_by").order_by(
            "assessment_date", "lineage", "version"
        )
    ]
    record(
        actor,
        "export.record",
        object_type="client",
        object_id=client.pk,
        client=client,
        details={"format": fmt, "assessments": len(rows)},
    )
    if fmt == "json":
        details = {
            "display_id": client.display_id,
            "given_name": client.given_name,
            "family_name": client.family_name,
            "birth_date": client.birth_date.isoformat(),
            "status": client.status,
            "care_team": client.care_team.name,
            "placement": client.placement,
            "caregivers": client.caregivers,
            "synthetic": client.synthetic,
        }
        exports.write_record_json(details, rows, file)
    else:
        versions = {r.instrument_version for r in rows}
        exports.write_record_csv(rows, {v: _instrument(v) for v in versions}, file)


# -- cohort ---------------------------------------------------------------------------
def current_signed(queryset: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """Signed versions not replaced by a signed amendment: what a cohort analysis counts."""
    return queryset.filter(status=AssessmentStatus.SIGNED).exclude(
        superseded_by__status=AssessmentStatus.SIGNED
    )


def export_cohort(actor: Actor, kind: str, version: str, file: IO[str]) -> int:
    """Scores (wide), ratings (long), their data dictionary, or the REDCap dictionary."""
    if actor.user is None:
        raise ValueError("user: cohort exports are for a signed-in person")
    require(actor.user, "export.cohort")
    if kind not in COHORT_KINDS:
        raise ValidationError({"kind": f"expected one of {', '.join(COHORT_KINDS)}"})
    inst = _instrument(version)
    if kind in {"dictionary", "redcap"}:
        if kind == "dictionary":
            exports.write_data_dictionary(inst, file)
        else:
            write_redcap_dictionary(inst, file)
        return 0
    queryset = (
        current_signed(visible_assessments(actor.user))
        .filter(instrument_version=inst.version)
        .select_related("client", "signed_by")
        .order_by("client__display_id", "assessment_date", "version")
    )
    rows = [export_row(a) for a in queryset]
    record(
        actor,
        "export.cohort",
        details={
            "kind": kind,
            "instrument_version": inst.version,
            "assessments": len(rows),
            "client_ids": sorted({a.client_id for a in queryset}),
        },
    )
    if kind == "scores":
        return exports.write_scores_wide(rows, inst, file)
    return exports.write_ratings_long(rows, inst, file)


def export_research(actor: Actor, version: str, file: IO[str]) -> research.SuppressionReport:
    """The organisation's de-identified research export (organisation admins)."""
    if actor.user is None:
        raise ValueError("user: research exports are for a signed-in admin")
    require(actor.user, "export.research")
    inst = _instrument(version)
    queryset = (
        current_signed(visible_assessments(actor.user))
        .filter(instrument_version=inst.version)
        .select_related("client")
    )
    rows = [
        research.ResearchRow(
            client_ref=f"{a.client.organisation_id}:{a.client_id}",
            assessment_date=a.assessment_date,
            age_months=float(a.scores.get("chronological_age_months") or 0.0),
            instrument_version=a.instrument_version,
            synthetic=a.synthetic,
            inputs=a.inputs,
            scores=a.scores,
        )
        for a in queryset
    ]
    key = str(settings.NEUROSEQ_RESEARCH_KEY).encode("utf-8")
    try:
        report = research.write_research_export(
            rows, inst, key, file, threshold=settings.NEUROSEQ_RESEARCH_MIN_CELL
        )
    except research.TooFewChildren as exc:
        raise ValidationError({"assessments": str(exc)}) from None
    record(
        actor,
        "export.research",
        details={"instrument_version": inst.version, **report.as_dict()},
    )
    return report


# -- FHIR --------------------------------------------------------------------------------
def fhir_bundle(actor: Actor, assessment: Assessment) -> dict[str, Any]:
    """The assessment as a FHIR Bundle (pseudonym only, no birth date), audited."""
    if actor.user is not None:
        require(actor.user, "assessment.view")
    inst = _instrument(assessment.instrument_version)
    try:
        parsed = parse_assessment(assessment.inputs, inst)
    except AssessmentError as exc:  # stored inputs that no longer parse: say so, no 500
        raise ValidationError({"inputs": exc.errors}) from None
    org = assessment.client.organisation
    facts = RecordFacts(
        status=assessment.status,  # type: ignore[arg-type]
        is_amendment=assessment.supersedes_id is not None,
        identifier_system=f"{RecordFacts().identifier_system}/{org.slug}",
        record_key=f"{assessment.pk}:{assessment.version}",
    )
    bundle = assessment_bundle(parsed, inst, scores=assessment.scores, facts=facts)
    record(
        actor,
        "assessment.export_fhir",
        object_type="assessment",
        object_id=assessment.pk,
        client=assessment.client,
        details={"version": assessment.version, "status": assessment.status},
    )
    return bundle


def read_fhir_upload(raw: bytes) -> Any:
    """Decode an uploaded file as JSON, with a clear error."""
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValidationError({"file": "expected a UTF-8 JSON file"}) from None
    except json.JSONDecodeError as exc:
        raise ValidationError(
            {"file": f"not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"}
        ) from None


def import_fhir(actor: Actor, client: Client, document: Any) -> Assessment:
    """A FHIR Bundle or QuestionnaireResponse as a new draft for ``client``.

    The client on record wins: its pseudonym and birth date replace the file's (the draft
    service checks a stated age against the birth date).
    """
    if actor.user is not None:
        require(actor.user, "assessment.create")
    try:
        inputs = assessment_from_fhir(document)
    except FhirImportError as exc:
        raise ValidationError({"fhir": exc.errors}) from None
    inputs.get("client", {}).pop("pseudonym", None)
    with transaction.atomic():
        draft = assessment_service.create_draft(actor, client, inputs)
        record(
            actor,
            "assessment.import_fhir",
            object_type="assessment",
            object_id=draft.pk,
            client=client,
            details={"resource": str(document.get("resourceType"))},
        )
    return draft
