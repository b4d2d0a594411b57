"""Errors as RFC 9457 problem details: ``application/problem+json`` with type, title,
status, detail, and ``errors`` naming each field that was wrong."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from neuroseq.web.models import ImmutableRecordError
from neuroseq.web.services.audit import record_denied

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://neuroseq.example/problems/"  # documented in docs/api.md

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Invalid input",
}


class FieldError(Schema):
    field: str
    detail: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []
    expected_etag: str | None = None
    current_etag: str | None = None


class Conflict(Exception):
    """The draft changed since the client read it (If-Match did not match)."""

    def __init__(self, expected: str, current: str):
        super().__init__("the draft changed since you read it")
        self.expected, self.current = expected, current


def problem(
    status: int, detail: str, *, slug: str | None = None, errors: Any = (), **extra: Any
) -> HttpResponse:
    body = {
        "type": TYPE_BASE + (slug or TITLES.get(status, "error").lower().replace(" ", "-")),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": [{"field": f, "detail": d} for f, d in errors],
        **extra,
    }
    response = HttpResponse(json.dumps(body), status=status, content_type=MEDIA_TYPE)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="neuroseq"'
    return response


def _field(loc: list[Any]) -> str:
    """Ninja's location (``["body", "payload", "inputs"]``) as a field path: ``inputs``."""
    parts = [str(p) for p in loc if p not in {"body", "payload", "query", "path", "header"}]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def django_errors(error: DjangoValidationError) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        return [(name, m) for name, items in error.message_dict.items() for m in items]
    return [("", m) for m in error.messages]


def install(api: NinjaAPI) -> None:
    """Every error of ``api`` answers as a problem document."""

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [(_field(list(e.get("loc", []))), str(e.get("msg", ""))) for e in exc.errors]
        names = ", ".join(f for f, _ in errors)
        return problem(422, f"invalid input: {names}", errors=errors)

    @api.exception_handler(DjangoValidationError)
    def rejected(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = django_errors(exc)
        text = "; ".join(f"{f}: {d}" if f else d for f, d in errors)
        return problem(422, text, errors=errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(401, "send a valid API token (Authorization: Bearer nsq_...) or sign in")

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        if request.user.is_authenticated:
            record_denied(request, 403)
        return problem(403, str(exc) or "your role does not allow this")

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        if request.user.is_authenticated:
            record_denied(request, 404)
        return problem(404, str(exc) or "no such resource")

    @api.exception_handler(ImmutableRecordError)
    def immutable(request: HttpRequest, exc: ImmutableRecordError) -> HttpResponse:
        return problem(409, str(exc), slug="signed-record")

    @api.exception_handler(Conflict)
    def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        return problem(
            409,
            f"{exc}: expected ETag {exc.expected}, the draft is now {exc.current}; "
            "read it again and re-apply your change",
            slug="edit-conflict",
            errors=[("If-Match", "does not match the draft's current ETag")],
            expected_etag=exc.expected,
            current_etag=exc.current,
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(exc.status_code, str(exc))
