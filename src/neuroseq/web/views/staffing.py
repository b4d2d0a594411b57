"""Staffing pages: open and invite, rate blind with the editor's keyboard grid, results, consensus.

Whose ratings a page may show is decided by ``services.staffing.ratings_visible_to`` and
``summary`` (None while rating is open); the templates only show what they are given.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from neuroseq.brainmap.text import format_age
from neuroseq.instrument import load_instrument
from neuroseq.web.editor import steps as pages
from neuroseq.web.editor.content import Content
from neuroseq.web.editor.fields import FieldError
from neuroseq.web.models import AssessmentStatus, Staffing, StaffingStatus, User
from neuroseq.web.permissions import can
from neuroseq.web.services import assessments as assessment_service
from neuroseq.web.services import staffing as service
from neuroseq.web.views.common import actor, clinic_view

MAX_BODY = 64 * 1024


def _lines(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for ms in error.message_dict.values() for m in ms]
    return list(error.messages)


def _back(pk: int) -> HttpResponse:
    return redirect("staffing_page", pk=pk)


def _age(assessment: Any) -> float:
    return float(assessment.scores.get("chronological_age_months") or 0.0)


# --------------------------------------------------------------------------- the staffing page
def _results(staffing: Staffing, inst: Any) -> dict[str, Any] | None:
    result = service.summary(staffing)
    if result is None:
        return None
    consensus = staffing.consensus or {}
    rows = []
    for spread in result.items:
        chosen = consensus.get(spread.item, {})
        rows.append(
            {
                "id": spread.item,
                "name": inst.function(spread.item).name,
                "region": inst.function(spread.item).region,
                "ratings": spread.ratings,
                "low": spread.low,
                "high": spread.high,
                "spread": spread.spread,
                "median": spread.median,
                "proposed": spread.proposed,
                "disagree": spread in result.disagreements,
                "value": chosen.get("value", spread.proposed),
                "reason": chosen.get("reason", ""),
            }
        )
    return {"summary": result, "rows": rows}


def _page(
    request: HttpRequest,
    assessment: Any,
    staffing: Staffing | None,
    *,
    status: int = 200,
    errors: list[dict[str, str]] | None = None,
    posted: dict[str, Any] | None = None,
) -> HttpResponse:
    user = request.user
    inst = load_instrument(assessment.instrument_version)
    context: dict[str, Any] = {
        "a": assessment,
        "client": assessment.client,
        "staffing": staffing,
        "age_text": format_age(_age(assessment)),
        "errors": errors or [],
        "can_open": staffing is None
        and assessment.status == AssessmentStatus.DRAFT
        and can(user, "staffing.lead"),  # type: ignore[arg-type]
        "scale": [0, 1, 2, 3],
    }
    if staffing is not None:
        mine = service.rater_row(staffing, user)  # type: ignore[arg-type]
        is_lead = staffing.lead_id == user.pk
        raters = list(staffing.raters.select_related("user"))
        results = _results(staffing, inst)
        if results is not None and posted is not None:
            for row in results["rows"]:
                row["value"] = posted.get(f"functional.{row['id']}", row["value"])
                row["reason"] = posted.get(f"reason.{row['id']}", row["reason"])
        context.update(
            {
                "is_lead": is_lead,
                "mine": mine,
                "raters": raters,
                "submitted": sum(r.submitted for r in raters),
                "eligible": service.eligible_raters(staffing)
                if is_lead and staffing.status == StaffingStatus.OPEN
                else [],
                "results": results,
                "reconcile": is_lead and staffing.status == StaffingStatus.RECONCILING,
            }
        )
    return render(request, "staffing/page.html", context, status=status)


@clinic_view("staffing.rate")
def my_staffings(request: HttpRequest) -> HttpResponse:
    """The staffings I lead or rate in, open ones first (raters from other care teams find
    theirs here)."""
    rows = service.my_staffings(actor(request))
    return render(request, "staffing/mine.html", {"rows": rows})


@clinic_view("staffing.view")
def staffing_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, staffing = service.find(request.user, pk)  # type: ignore[arg-type]
    assessment_service.record_read(actor(request), assessment)
    return _page(request, assessment, staffing)


@require_POST
@clinic_view("staffing.lead")
def staffing_open(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, staffing = service.find(request.user, pk)  # type: ignore[arg-type]
    try:
        service.open_staffing(actor(request), assessment)
    except ValidationError as error:
        messages.error(request, " ".join(_lines(error)))
        return _back(pk)
    messages.success(request, "Staffing opened. Invite the raters next.")
    return _back(pk)


@require_POST
@clinic_view("staffing.lead")
def staffing_invite(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, staffing = service.find(request.user, pk)  # type: ignore[arg-type]
    if staffing is None:
        messages.error(request, "Open a staffing first.")
        return _back(pk)
    choice = request.POST.get("rater", "")
    user = User.objects.filter(pk=int(choice)).first() if choice.isdigit() else None
    if user is None:
        error = {"field": "id_rater", "message": "Rater: choose a member to invite"}
        return _page(request, assessment, staffing, status=400, errors=[error])
    try:
        service.invite(actor(request), staffing, user)
    except ValidationError as exc:
        errors = [{"field": "id_rater", "message": f"Rater: {m}"} for m in _lines(exc)]
        return _page(request, assessment, staffing, status=400, errors=errors)
    messages.success(request, f"Invited {user.email}.")
    return _back(pk)


@require_POST
@clinic_view("staffing.lead")
def staffing_close(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, staffing = service.find(request.user, pk)  # type: ignore[arg-type]
    if staffing is None:
        return _back(pk)
    try:
        service.close_rating(actor(request), staffing)
    except ValidationError as error:
        messages.error(request, " ".join(_lines(error)))
        return _back(pk)
    messages.success(request, "Rating is closed. The ratings and their agreement are below.")
    return _back(pk)


@require_POST
@clinic_view("staffing.lead")
def staffing_consensus(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, staffing = service.find(request.user, pk)  # type: ignore[arg-type]
    if staffing is None:
        return _back(pk)
    inst = load_instrument(assessment.instrument_version)
    post = request.POST
    values = {f: post[f"functional.{f}"] for f in inst.function_ids if f"functional.{f}" in post}
    reasons = {f: post.get(f"reason.{f}", "") for f in inst.function_ids}
    try:
        service.apply_consensus(actor(request), staffing, values, reasons)
    except ValidationError as error:
        errors = []
        for key, lines in getattr(error, "message_dict", {"": _lines(error)}).items():
            for line in lines:
                field = "f-" + key.replace(".", "-") if "." in key else ""
                errors.append({"field": field, "message": line})
        staffing.refresh_from_db()
        return _page(request, assessment, staffing, status=400, errors=errors, posted=post)
    messages.success(
        request,
        "Consensus applied: it is now the draft's functional review (a new revision). "
        "Only a certified staffing lead can sign this assessment.",
    )
    return _back(pk)


# --------------------------------------------------------------------------- rating
def _rating_context(
    request: HttpRequest, assessment: Any, staffing: Staffing, mine: Any
) -> dict[str, Any]:
    inst = load_instrument(assessment.instrument_version)
    content = Content({"functional": dict(mine.ratings)}, {})
    return {
        "a": assessment,
        "client": assessment.client,
        "staffing": staffing,
        "mine": mine,
        "f": pages.functional_context(inst, content, _age(assessment)),
        "age_text": format_age(_age(assessment)),
        "save_url": reverse("staffing_rate_save", args=[assessment.pk]),
        "store_key": f"staffing-{staffing.pk}-{request.user.pk}",
        "field_errors": {},
        "errors": [],
        "rated": sum(v is not None for v in mine.ratings.values()),
        "total": len(inst.function_ids),
    }


def _rater(request: HttpRequest, pk: int) -> tuple[Any, Staffing | None, Any]:
    assessment, staffing = service.find(request.user, pk)  # type: ignore[arg-type]
    mine = service.rater_row(staffing, request.user) if staffing else None  # type: ignore[arg-type]
    return assessment, staffing, mine


@clinic_view("staffing.rate")
def staffing_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: my own ratings in the keyboard grid. POST: save them, or save and submit."""
    assessment, staffing, mine = _rater(request, pk)
    if staffing is None or mine is None:
        messages.info(request, "You are not invited to rate in a staffing of this assessment.")
        return _back(pk)
    if mine.submitted or staffing.status != StaffingStatus.OPEN:
        messages.info(request, "Your ratings are submitted (or rating is closed); see below.")
        return _back(pk)
    if request.method != "POST":
        assessment_service.record_read(actor(request), assessment)
        return render(
            request, "staffing/rate.html", _rating_context(request, assessment, staffing, mine)
        )
    inst = load_instrument(assessment.instrument_version)
    post = request.POST
    raw = {f: post[f"functional.{f}"] for f in inst.function_ids if f"functional.{f}" in post}
    try:
        service.save_ratings(actor(request), staffing, raw)
        if request.POST.get("action") == "submit":
            service.submit_ratings(actor(request), staffing)
    except FieldError as error:
        context = _rating_context(request, assessment, staffing, mine)
        context["errors"] = [{"field": "f-" + error.path.replace(".", "-"), "message": str(error)}]
        context["field_errors"] = {error.path: error.message}
        return render(request, "staffing/rate.html", context, status=400)
    except ValidationError as error:
        mine.refresh_from_db()
        context = _rating_context(request, assessment, staffing, mine)
        context["errors"] = [{"field": "", "message": m} for m in _lines(error)]
        return render(request, "staffing/rate.html", context, status=400)
    if request.POST.get("action") == "submit":
        messages.success(request, "Your ratings are submitted. Thank you.")
        return _back(pk)
    messages.success(request, "Saved. You can come back and finish later.")
    return redirect("staffing_rate", pk=pk)


@require_POST
@clinic_view("staffing.rate")
def staffing_rate_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Autosave for the rating grid (the editor's script): JSON in, only my own values out."""
    assessment, staffing, mine = _rater(request, pk)
    if staffing is None or mine is None:
        return JsonResponse({"error": "you are not invited to rate here"}, status=409)
    if len(request.body) > MAX_BODY:
        return JsonResponse({"error": f"request larger than {MAX_BODY} bytes"}, status=413)
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JsonResponse({"error": "expected a JSON object"}, status=400)
    ops = body.get("ops") if isinstance(body, dict) else None
    if not isinstance(ops, list) or not ops or not all(isinstance(o, dict) for o in ops):
        return JsonResponse({"errors": {"ops": "expected a list of changes"}}, status=400)
    raw = {}
    for op in ops:
        path = op.get("path")
        if op.get("kind") != "set" or not isinstance(path, str):
            return JsonResponse({"errors": {"ops": "expected 'set' changes"}}, status=400)
        raw[path] = op.get("value")
    try:
        row = service.save_ratings(actor(request), staffing, raw)
    except FieldError as error:
        return JsonResponse({"errors": {error.path: str(error)}}, status=400)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(_lines(error))}, status=409)
    return JsonResponse(
        {
            "revision": row.revision,
            "saved_at": timezone.localtime(row.saved_at or timezone.now()).strftime("%H:%M:%S"),
            "fragments": {},
            "others": [],
        }
    )
