"""API v1 operations. Thin: scope through ``permissions``, act through ``services``.

Each operation names its permission action (``x-neuroseq-action``, from ``MATRIX``) for
the permission-matrix generator and docs/api.md.
"""

from __future__ import annotations

import io
import json
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Body, Header, Query, Router, Status
from ninja.pagination import paginate

from neuroseq.assessment import parse_assessment
from neuroseq.brainmap import render_map
from neuroseq.instrument import DEFAULT_VERSION, load_instrument
from neuroseq.instrument.activities import load_activities
from neuroseq.plan import plan_for_assessment, render_plan
from neuroseq.web.api import BoundedPagination
from neuroseq.web.api_v1.drafts import etag, update_if_match
from neuroseq.web.api_v1.problems import Problem
from neuroseq.web.api_v1.schemas import (
    AmendIn,
    AssessmentOut,
    AssessmentSummary,
    ClientDetail,
    ClientOut,
    DraftIn,
    PlanOut,
    ScoresOut,
)
from neuroseq.web.permissions import get_assessment, get_client, require, visible_clients
from neuroseq.web.services import assessments as assessment_service
from neuroseq.web.services import clients as client_service
from neuroseq.web.services import exports as export_service
from neuroseq.web.services import reports as report_service
from neuroseq.web.services.audit import Actor

router = Router()

AUTH_ERRORS = {401: Problem, 403: Problem}
RECORD_ERRORS = {**AUTH_ERRORS, 404: Problem, 422: Problem}


def action(name: str, content: dict[str, Any] | None = None) -> dict[str, Any]:
    """``openapi_extra``: the permission action, and a non-JSON 200 body if any."""
    extra: dict[str, Any] = {"x-neuroseq-action": name}
    if content is not None:
        extra["responses"] = {200: {"description": "OK", "content": content}}
    return extra


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def _user(request: HttpRequest) -> Any:
    return request.user


CSV = {"text/csv": {"schema": {"type": "string"}}}
SVG = {"image/svg+xml": {"schema": {"type": "string"}}}
PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
FHIR = {"application/fhir+json": {"schema": {"type": "object"}}}
JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}


def _download(text: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- clients ---------------------------------------------------------------------------
@router.get(
    "/clients",
    response={200: list[ClientOut], **AUTH_ERRORS, 422: Problem},
    openapi_extra=action("client.list"),
    tags=["clients"],
)
@paginate(BoundedPagination)
def list_clients(request: HttpRequest, **kwargs: Any) -> Any:
    """Clients you may see (your care teams; the whole organisation for admins)."""
    require(_user(request), "client.list")
    clients = visible_clients(_user(request)).select_related("care_team").order_by("display_id")
    client_service.record_search(_actor(request), {"api": "v1.clients"}, [])
    return clients


@router.get(
    "/clients/{client_id}",
    response={200: ClientDetail, **RECORD_ERRORS},
    openapi_extra=action("client.view"),
    tags=["clients"],
)
def client_detail(request: HttpRequest, client_id: int) -> Any:
    """One client with its assessment versions (404 outside your scope)."""
    require(_user(request), "client.view")
    client = get_client(_user(request), client_id)
    client_service.record_read(_actor(request), client, "api.v1.client")
    return client


@router.get(
    "/clients/{client_id}/assessments",
    response={200: list[AssessmentSummary], **RECORD_ERRORS},
    openapi_extra=action("assessment.view"),
    tags=["assessments"],
)
def client_assessments(request: HttpRequest, client_id: int) -> Any:
    """Every assessment version of one client, newest first."""
    require(_user(request), "assessment.view")
    client = get_client(_user(request), client_id)
    client_service.record_read(_actor(request), client, "api.v1.assessments")
    return list(client.assessments.order_by("-assessment_date", "-version"))


@router.post(
    "/clients/{client_id}/assessments",
    response={201: AssessmentOut, **RECORD_ERRORS},
    openapi_extra=action("assessment.create"),
    tags=["assessments"],
)
def create_draft(request: HttpRequest, client_id: int, payload: DraftIn) -> Any:
    """Start a draft from an assessment document."""
    require(_user(request), "assessment.create")
    client = get_client(_user(request), client_id)
    return Status(201, assessment_service.create_draft(_actor(request), client, payload.inputs))


@router.post(
    "/clients/{client_id}/assessments/fhir",
    response={201: AssessmentOut, **RECORD_ERRORS},
    openapi_extra=action("assessment.create"),
    tags=["assessments", "fhir"],
)
def import_fhir(
    request: HttpRequest,
    client_id: int,
    payload: dict[str, Any] = Body(..., description="a FHIR Bundle or QuestionnaireResponse"),  # noqa: B008
) -> Any:
    """Start a draft from a FHIR Bundle or QuestionnaireResponse (see docs/interop.md)."""
    require(_user(request), "assessment.create")
    client = get_client(_user(request), client_id)
    return Status(201, export_service.import_fhir(_actor(request), client, payload))


@router.get(
    "/clients/{client_id}/record.json",
    response={200: Any, **RECORD_ERRORS},
    openapi_extra=action("export.record", JSON_OBJECT),
    tags=["exports"],
)
def record_json(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's full record: details and every assessment version (audited)."""
    require(_user(request), "export.record")
    client = get_client(_user(request), client_id)
    buffer = io.StringIO()
    export_service.export_record(_actor(request), client, "json", buffer)
    return _download(buffer.getvalue(), "application/json", f"{client.display_id}.json")


@router.get(
    "/clients/{client_id}/record.csv",
    response={200: Any, **RECORD_ERRORS},
    openapi_extra=action("export.record", CSV),
    tags=["exports"],
)
def record_csv(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's assessment versions as CSV rows: inputs and scores (audited)."""
    require(_user(request), "export.record")
    client = get_client(_user(request), client_id)
    buffer = io.StringIO()
    export_service.export_record(_actor(request), client, "csv", buffer)
    return _download(buffer.getvalue(), "text/csv; charset=utf-8", f"{client.display_id}.csv")


# -- assessments -------------------------------------------------------------------------
def _read(request: HttpRequest, assessment_id: int) -> Any:
    require(_user(request), "assessment.view")
    assessment = get_assessment(_user(request), assessment_id)
    assessment_service.record_read(_actor(request), assessment)
    return assessment


@router.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, **RECORD_ERRORS},
    openapi_extra=action("assessment.view"),
    tags=["assessments"],
)
def assessment_detail(request: HttpRequest, response: HttpResponse, assessment_id: int) -> Any:
    """Inputs, stored scores and status; the ETag header is for If-Match on updates."""
    assessment = _read(request, assessment_id)
    response["ETag"] = etag(assessment)
    return assessment


@router.put(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, **RECORD_ERRORS, 409: Problem},
    openapi_extra=action("assessment.edit_draft"),
    tags=["assessments"],
)
def update_draft(
    request: HttpRequest,
    response: HttpResponse,
    assessment_id: int,
    payload: DraftIn,
    if_match: str | None = Header(None, alias="If-Match"),  # noqa: B008
) -> Any:
    """Replace a draft's inputs. Send If-Match with the ETag you read: a draft changed
    since then answers 409 with both ETags instead of overwriting the other change."""
    require(_user(request), "assessment.edit_draft")
    assessment = get_assessment(_user(request), assessment_id)
    updated = update_if_match(_actor(request), assessment, payload.inputs, if_match)
    response["ETag"] = etag(updated)
    return updated


@router.post(
    "/assessments/{assessment_id}/submit",
    response={200: AssessmentOut, **RECORD_ERRORS, 409: Problem},
    openapi_extra=action("assessment.submit"),
    tags=["assessments"],
)
def submit(request: HttpRequest, assessment_id: int) -> Any:
    """Send a draft for review by a supervising clinician."""
    require(_user(request), "assessment.submit")
    assessment = get_assessment(_user(request), assessment_id)
    return assessment_service.submit(_actor(request), assessment)


@router.post(
    "/assessments/{assessment_id}/sign",
    response={200: AssessmentOut, **RECORD_ERRORS, 409: Problem},
    openapi_extra=action("assessment.sign"),
    tags=["assessments"],
)
def sign(request: HttpRequest, assessment_id: int) -> Any:
    """Sign an assessment in review; it never changes again."""
    require(_user(request), "assessment.sign")
    assessment = get_assessment(_user(request), assessment_id)
    return assessment_service.sign(_actor(request), assessment)


@router.post(
    "/assessments/{assessment_id}/amend",
    response={201: AssessmentOut, **RECORD_ERRORS, 409: Problem},
    openapi_extra=action("assessment.amend"),
    tags=["assessments"],
)
def amend(request: HttpRequest, assessment_id: int, payload: AmendIn) -> Any:
    """Start a correction of a signed assessment: a new draft version linked to it."""
    require(_user(request), "assessment.amend")
    assessment = get_assessment(_user(request), assessment_id)
    return Status(201, assessment_service.amend(_actor(request), assessment, payload.reason))


@router.get(
    "/assessments/{assessment_id}/scores",
    response={200: ScoresOut, **RECORD_ERRORS},
    openapi_extra=action("assessment.view"),
    tags=["assessments"],
)
def scores(request: HttpRequest, assessment_id: int) -> Any:
    """The stored score snapshot (what was signed), keys as `neuroseq score --json`."""
    assessment = _read(request, assessment_id)
    return {
        "assessment_id": assessment.pk,
        "status": assessment.status,
        "instrument_version": assessment.instrument_version,
        "scores": assessment.scores,
    }


@router.get(
    "/assessments/{assessment_id}/map.svg",
    response={200: Any, **RECORD_ERRORS},
    openapi_extra=action("assessment.view", SVG),
    tags=["assessments"],
)
def map_svg(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The Functional Brain Map as standalone SVG."""
    assessment = _read(request, assessment_id)
    inst = load_instrument(assessment.instrument_version)
    svg = render_map(
        inst,
        dict(assessment.inputs.get("functional") or {}),
        pseudonym=assessment.client.display_id,
        age_months=float(assessment.scores.get("chronological_age_months") or 0.0),
        assessment_date=assessment.assessment_date,
        synthetic=assessment.synthetic,
    )
    return HttpResponse(svg, content_type="image/svg+xml")


@router.get(
    "/assessments/{assessment_id}/report",
    response={200: Any, **RECORD_ERRORS},
    openapi_extra=action("assessment.view", PDF),
    tags=["assessments"],
)
def report(
    request: HttpRequest,
    assessment_id: int,
    audience: Literal["clinician", "caregiver", "teacher"] = "clinician",
) -> HttpResponse:
    """The printed report as an A4 PDF (docs/reports.md), for one audience."""
    require(_user(request), "assessment.view")
    assessment = get_assessment(_user(request), assessment_id)
    data = report_service.report_pdf(_actor(request), assessment, audience)
    response = HttpResponse(data, content_type="application/pdf")
    name = report_service.filename(assessment, audience)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/assessments/{assessment_id}/plan",
    response={200: PlanOut, **RECORD_ERRORS},
    openapi_extra=action("assessment.view"),
    tags=["assessments"],
)
def plan(
    request: HttpRequest,
    assessment_id: int,
    audience: Literal["clinician", "caregiver", "teacher"] = "clinician",
) -> Any:
    """The sequential plan (JSON contract of `neuroseq plan --json`) and its text."""
    assessment = _read(request, assessment_id)
    inst = load_instrument(assessment.instrument_version)
    catalogue = load_activities(inst)
    built = plan_for_assessment(parse_assessment(assessment.inputs, inst), inst, catalogue)
    return {
        "assessment_id": assessment.pk,
        "audience": audience,
        "plan": built.to_dict(),
        "text": render_plan(built, audience, inst, catalogue),
    }


@router.get(
    "/assessments/{assessment_id}/fhir",
    response={200: Any, **RECORD_ERRORS},
    openapi_extra=action("assessment.view", FHIR),
    tags=["fhir"],
)
def fhir_bundle(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The assessment as a FHIR R4 Bundle (pseudonym only; see docs/interop.md)."""
    require(_user(request), "assessment.view")
    assessment = get_assessment(_user(request), assessment_id)
    bundle = export_service.fhir_bundle(_actor(request), assessment)
    return HttpResponse(json.dumps(bundle), content_type="application/fhir+json")


# -- cohort and research exports -------------------------------------------------------
@router.get(
    "/exports/{kind}.csv",
    response={200: Any, **AUTH_ERRORS, 422: Problem},
    openapi_extra=action("export.cohort", CSV),
    tags=["exports"],
)
def cohort_export(
    request: HttpRequest,
    kind: Literal["scores", "ratings", "dictionary", "redcap"],
    instrument_version: str = Query(DEFAULT_VERSION, max_length=20),  # noqa: B008
) -> HttpResponse:
    """Signed assessments you may see: scores (wide), ratings (long), their data
    dictionary, or the instrument as a REDCap data dictionary."""
    require(_user(request), "export.cohort")
    buffer = io.StringIO()
    export_service.export_cohort(_actor(request), kind, instrument_version, buffer)
    return _download(buffer.getvalue(), "text/csv; charset=utf-8", f"{kind}.csv")


@router.get(
    "/research/export.csv",
    response={200: Any, **AUTH_ERRORS, 422: Problem},
    openapi_extra=action("export.research", CSV),
    tags=["exports"],
)
def research_export(
    request: HttpRequest,
    instrument_version: str = Query(DEFAULT_VERSION, max_length=20),  # noqa: B008
) -> HttpResponse:
    """The organisation's de-identified research export (audited; small cells suppressed)."""
    require(_user(request), "export.research")
    buffer = io.StringIO()
    export_service.export_research(_actor(request), instrument_version, buffer)
    return _download(buffer.getvalue(), "text/csv; charset=utf-8", "research.csv")
