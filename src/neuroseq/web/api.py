"""A small read-only JSON API (django-ninja, OpenAPI at /api/docs).

Same session sign-in, two-factor, scoping and audit as the pages: views stay thin and read
through ``permissions``; reads of a client's record are audited.

Every operation declares its permission in its OpenAPI entry, which the generated test
(tests/web/test_route_permissions.py) reads: ``openapi_extra={"x-neuroseq-action":
"<action of permissions.MATRIX>"}`` (and calls ``require`` with that action), or
``openapi_extra={"x-neuroseq-public": True}``. The docs need a signed-in account.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import django_auth

from neuroseq.web.models import Client
from neuroseq.web.permissions import get_assessment, get_client, require, visible_clients
from neuroseq.web.services import assessments as assessment_service
from neuroseq.web.services import clients as client_service
from neuroseq.web.services.audit import Actor, record, record_denied

api = NinjaAPI(
    title="neuroseq clinic API",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    docs_url="/docs",
    docs_decorator=login_required,
)


def action(name: str) -> dict[str, Any]:
    """``openapi_extra`` declaring the permission an operation checks."""
    return {"x-neuroseq-action": name}


def audit_denials(target: NinjaAPI) -> None:
    """Record refused API requests (403, 404) like refused pages: who, which route, which id.
    Every NinjaAPI mounted in urls.py calls this."""

    @target.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        if request.user.is_authenticated:
            record_denied(request, 404)
        return target.create_response(request, {"detail": "Not Found"}, status=404)

    @target.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        if request.user.is_authenticated:
            record_denied(request, 403)
        return target.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


audit_denials(api)


class ClientOut(Schema):
    id: int
    display_id: str
    care_team: str
    status: str
    synthetic: bool

    @staticmethod
    def resolve_care_team(obj: Any) -> str:
        return str(obj.care_team.name)


class AssessmentSummary(Schema):
    id: int
    version: int
    status: str
    assessment_date: date
    instrument_version: str
    synthetic: bool
    supersedes_id: int | None


class ClientDetail(ClientOut):
    birth_date: date
    assessments: list[AssessmentSummary]

    @staticmethod
    def resolve_assessments(obj: Any) -> list[Any]:
        return list(obj.assessments.order_by("-assessment_date", "-version"))


class AssessmentOut(AssessmentSummary):
    client_id: int
    inputs: dict[str, Any]
    scores: dict[str, Any]


class Error(Schema):
    detail: str


class BoundedPagination(LimitOffsetPagination):
    """Limit and offset with upper bounds: a huge number is a 422, not a database error.

    The page actually returned is audited with the ids on it (``client.search``)."""

    class Input(Schema):
        limit: int = Field(25, ge=1, le=200)
        offset: int = Field(0, ge=0, le=10_000_000)

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        result = super().paginate_queryset(queryset, pagination, request=request, **params)
        items = result[self.items_attribute] = list(result[self.items_attribute])
        actor = Actor.from_request(request)
        ids = [item.pk for item in items]
        if all(isinstance(item, Client) for item in items):
            filters = {"api": request.path, "limit": pagination.limit, "offset": pagination.offset}
            client_service.record_search(actor, filters, ids)
        else:
            details = {"path": request.path, "ids": ids}
            record(actor, "api.list", details=details)
        return result


@api.get("/clients", response=list[ClientOut], openapi_extra=action("client.list"))
@paginate(BoundedPagination)
def list_clients(request: HttpRequest) -> Any:
    require(request.user, "client.list")  # type: ignore[arg-type]
    return visible_clients(request.user).select_related("care_team").order_by("display_id")  # type: ignore[arg-type]


@api.get(
    "/clients/{client_id}",
    response={200: ClientDetail, 404: Error},
    openapi_extra=action("client.view"),
)
def client_detail(request: HttpRequest, client_id: int) -> Any:
    require(request.user, "client.view")  # type: ignore[arg-type]
    client = get_client(request.user, client_id)  # type: ignore[arg-type]
    client_service.record_read(Actor.from_request(request), client, "api.client")
    return client


@api.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, 404: Error},
    openapi_extra=action("assessment.view"),
)
def assessment_detail(request: HttpRequest, assessment_id: int) -> Any:
    require(request.user, "assessment.view")  # type: ignore[arg-type]
    assessment = get_assessment(request.user, assessment_id)  # type: ignore[arg-type]
    assessment_service.record_read(Actor.from_request(request), assessment)
    return assessment
