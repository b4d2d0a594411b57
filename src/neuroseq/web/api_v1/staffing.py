"""API v1: staffings, with the pages' blind rules (``services.staffing.ratings_visible_to``).

Before rating is over an answer carries only the asker's own ratings; afterwards the
submitted ratings and the statistics. Errors are problem details like the rest of v1.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from neuroseq.reliability.staffing import as_dict
from neuroseq.web.api_v1.problems import Problem
from neuroseq.web.editor.fields import FieldError
from neuroseq.web.models import Staffing
from neuroseq.web.permissions import require
from neuroseq.web.services import assessments as assessment_service
from neuroseq.web.services import staffing as service
from neuroseq.web.services.audit import Actor

router = Router(tags=["staffing"])
ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem}


def _action(name: str) -> dict[str, Any]:
    return {"x-neuroseq-action": name}


class RaterOut(Schema):
    email: str
    submitted: bool
    submitted_at: datetime | None


class StaffingOut(Schema):
    id: int
    assessment_id: int
    status: str
    lead: str
    opened_at: datetime
    rating_closed_at: datetime | None
    closed_at: datetime | None
    synthetic: bool
    raters: list[RaterOut]
    my_ratings: dict[str, int | None] | None
    ratings: dict[str, dict[str, int | None]] | None
    results: dict[str, Any] | None
    consensus: dict[str, Any] | None


class RatingsIn(Schema):
    ratings: dict[str, int | str | None]


class MyRatingsOut(Schema):
    staffing_id: int
    revision: int
    ratings: dict[str, int | None]
    submitted_at: datetime | None


def _out(staffing: Staffing, user: Any) -> dict[str, Any]:
    rows = list(staffing.raters.select_related("user"))
    visible = service.ratings_visible_to(staffing, user)
    mine = next((r for r in rows if r.user_id == user.pk), None)
    result = service.summary(staffing)
    return {
        "id": staffing.pk,
        "assessment_id": staffing.assessment_id,
        "status": staffing.status,
        "lead": staffing.lead.email,
        "opened_at": staffing.opened_at,
        "rating_closed_at": staffing.rating_closed_at,
        "closed_at": staffing.closed_at,
        "synthetic": staffing.synthetic,
        "raters": [
            {"email": r.user.email, "submitted": r.submitted, "submitted_at": r.submitted_at}
            for r in rows
        ],
        "my_ratings": None if mine is None else visible[mine.pk],
        "ratings": None
        if not staffing.results_visible
        else {r.user.email: visible[r.pk] for r in rows if r.pk in visible and r.submitted},
        "results": None if result is None else as_dict(result),
        "consensus": staffing.consensus if staffing.results_visible else None,
    }


def _mine(row: Any) -> dict[str, Any]:
    return {
        "staffing_id": row.staffing_id,
        "revision": row.revision,
        "ratings": row.ratings,
        "submitted_at": row.submitted_at,
    }


@router.get(
    "/assessments/{assessment_id}/staffings",
    response={200: list[StaffingOut], **ERRORS},
    openapi_extra=_action("staffing.view"),
)
def assessment_staffings(request: HttpRequest, assessment_id: int) -> Any:
    """The staffing of an assessment (a list: empty until one is opened)."""
    user = request.user
    require(user, "staffing.view")  # type: ignore[arg-type]
    assessment, staffing = service.find(user, assessment_id)  # type: ignore[arg-type]
    assessment_service.record_read(Actor.from_request(request), assessment)
    return [] if staffing is None else [_out(staffing, user)]


@router.get(
    "/staffings/{staffing_id}",
    response={200: StaffingOut, **ERRORS},
    openapi_extra=_action("staffing.view"),
)
def staffing_detail(request: HttpRequest, staffing_id: int) -> Any:
    """One staffing: your own ratings while rating is open; everyone's and the statistics
    once it is over."""
    user = request.user
    require(user, "staffing.view")  # type: ignore[arg-type]
    staffing = service.get_staffing(user, staffing_id)  # type: ignore[arg-type]
    assessment_service.record_read(Actor.from_request(request), staffing.assessment)
    return _out(staffing, user)


@router.put(
    "/staffings/{staffing_id}/ratings",
    response={200: MyRatingsOut, **ERRORS},
    openapi_extra=_action("staffing.rate"),
)
def put_my_ratings(request: HttpRequest, staffing_id: int, payload: RatingsIn) -> Any:
    """Save your own ratings (function id -> 0-3, or null for not rated); a partial map
    changes only the functions it names."""
    require(request.user, "staffing.rate")  # type: ignore[arg-type]
    staffing = service.get_staffing(request.user, staffing_id)  # type: ignore[arg-type]
    try:
        row = service.save_ratings(Actor.from_request(request), staffing, payload.ratings)
    except FieldError as error:
        item = error.path.removeprefix("functional.")
        raise ValidationError({f"ratings.{item}": error.message}) from None
    return _mine(row)


@router.post(
    "/staffings/{staffing_id}/submit",
    response={200: MyRatingsOut, **ERRORS},
    openapi_extra=_action("staffing.rate"),
)
def submit_my_ratings(request: HttpRequest, staffing_id: int) -> Any:
    """Hand in your ratings; they no longer change."""
    require(request.user, "staffing.rate")  # type: ignore[arg-type]
    staffing = service.get_staffing(request.user, staffing_id)  # type: ignore[arg-type]
    return _mine(service.submit_ratings(Actor.from_request(request), staffing))
