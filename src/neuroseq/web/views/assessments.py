"""Assessment page (read-only scores, map, plan) and the lifecycle buttons."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from neuroseq.web.forms import AmendForm, AssessmentInputForm
from neuroseq.web.models import ImmutableRecordError
from neuroseq.web.permissions import can, get_assessment, get_client
from neuroseq.web.presenters import present
from neuroseq.web.services import assessments as service
from neuroseq.web.services import clients as client_service
from neuroseq.web.views.common import actor, attach_errors, clinic_view


@clinic_view("assessment.view")
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment(request.user, pk)  # type: ignore[arg-type]
    service.record_read(actor(request), assessment)
    user = request.user
    return render(
        request,
        "assessments/detail.html",
        {
            "view": present(assessment),
            "a": assessment,
            "client": assessment.client,
            "versions": assessment.client.assessments.filter(lineage=assessment.lineage)
            .select_related("signed_by")
            .order_by("version"),
            "can": {
                "submit": assessment.status == "draft" and can(user, "assessment.submit"),  # type: ignore[arg-type]
                "sign": assessment.status == "in_review" and can(user, "assessment.sign"),  # type: ignore[arg-type]
                "amend": assessment.is_signed
                and not hasattr(assessment, "superseded_by")
                and can(user, "assessment.amend"),  # type: ignore[arg-type]
            },
            "amend_form": AmendForm(),
            "inputs_json": json.dumps(assessment.inputs, indent=2),
        },
    )


@clinic_view("assessment.create")
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client(request.user, pk)  # type: ignore[arg-type]
    if request.method != "POST":
        client_service.record_read(actor(request), client, "assessment_new")
    form = AssessmentInputForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = service.create_draft(actor(request), client, form.cleaned_data["inputs"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Draft saved.")
            return redirect("assessment_detail", pk=assessment.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "assessments/form.html", {"form": form, "client": client}, status=status)


def _transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    assessment = get_assessment(request.user, pk)  # type: ignore[arg-type]
    try:
        if action == "submit":
            assessment = service.submit(actor(request), assessment)
            messages.success(request, "Sent for review by a supervising clinician.")
        elif action == "sign":
            assessment = service.sign(actor(request), assessment)
            messages.success(request, "Signed. This version can no longer change.")
        else:
            form = AmendForm(request.POST)
            if not form.is_valid():
                messages.error(request, "reason: say what is being corrected and why.")
                return redirect("assessment_detail", pk=assessment.pk)
            assessment = service.amend(actor(request), assessment, form.cleaned_data["reason"])
            messages.success(request, "Amendment started as a new draft version.")
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
    except ImmutableRecordError as error:
        messages.error(request, str(error))
    return redirect("assessment_detail", pk=assessment.pk)


@require_POST
@clinic_view("assessment.submit")
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "submit")


@require_POST
@clinic_view("assessment.sign")
def assessment_sign(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "sign")


@require_POST
@clinic_view("assessment.amend")
def assessment_amend(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "amend")
