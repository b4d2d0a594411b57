"""Assessment pages: start or import a draft, the record, its plan, the lifecycle buttons."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from neuroseq.instrument import DEFAULT_VERSION, load_instrument
from neuroseq.web import plan_page
from neuroseq.web.editor.fields import FieldError, parse_date
from neuroseq.web.forms import AmendForm, AssessmentImportForm, AssessmentStartForm
from neuroseq.web.models import AssessmentStatus, ImmutableRecordError, ViewerKind
from neuroseq.web.permissions import can, get_assessment, get_client
from neuroseq.web.services import assessments as service
from neuroseq.web.services import clients as client_service
from neuroseq.web.services import rendering
from neuroseq.web.views.common import actor, attach_errors, clinic_view
from neuroseq.web.views.review import change_groups


@clinic_view("assessment.view")
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment(request.user, pk)  # type: ignore[arg-type]
    service.record_read(actor(request), assessment)
    user = request.user
    superseded = getattr(assessment, "superseded_by", None)
    status = assessment.status
    changes = []
    if status != "signed":
        inst = load_instrument(assessment.instrument_version)
        content = service.content_of(service.latest_revision(assessment))
        changes = change_groups(assessment, inst, content)
    rounds = list(assessment.review_rounds.select_related("reviewed_by", "submitted_by"))
    return render(
        request,
        "assessments/detail.html",
        {
            "view": rendering.fragments(assessment),
            "a": assessment,
            "client": assessment.client,
            "versions": assessment.client.assessments.filter(lineage=assessment.lineage)
            .select_related("signed_by")
            .defer("inputs", "scores")
            .order_by("version"),
            "rounds": rounds,
            "returned": rounds[0] if rounds and rounds[0].outcome == "returned" else None,
            "changes": changes,
            "release": service.active_release(assessment) if assessment.is_signed else None,
            "can": {
                "edit": status == "draft" and can(user, "assessment.edit_draft"),  # type: ignore[arg-type]
                "submit": status == "draft" and can(user, "assessment.submit"),  # type: ignore[arg-type]
                "review": status == "in_review" and can(user, "assessment.sign"),  # type: ignore[arg-type]
                "amend": assessment.is_signed
                and superseded is None
                and can(user, "assessment.amend"),  # type: ignore[arg-type]
                "release": assessment.is_signed
                and (superseded is None or not superseded.is_signed)
                and can(user, "assessment.release"),  # type: ignore[arg-type]
            },
            "amend_form": AmendForm(),
            "inputs_json": json.dumps(assessment.inputs, indent=2),
        },
    )


@clinic_view("assessment.create")
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a draft: the date and who rates; everything else is entered step by step."""
    client = get_client(request.user, pk)  # type: ignore[arg-type]
    if request.method != "POST":
        client_service.record_read(actor(request), client, "assessment_new")
    initial = {"assessment_date": timezone.localdate().isoformat()}
    form = AssessmentStartForm(request.POST or None, initial=initial)
    errors: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            day = parse_date("assessment_date", form.cleaned_data["assessment_date"])
            assessment = service.start_draft(
                actor(request),
                client,
                assessment_date=day,
                rater=form.cleaned_data["rater"],
            )
        except FieldError as error:
            form.add_error("assessment_date", error.message)
        except ValidationError as error:
            attach_errors(form, error)
            if "inputs" in getattr(error, "error_dict", {}):
                form.errors.pop("__all__", None)
                for line in error.error_dict["inputs"]:
                    for message in line.messages:
                        form.add_error("assessment_date", message)
        else:
            return redirect("editor_step", pk=assessment.pk, step="history")
    if form.errors:
        errors = [
            {"field": f"id_{name}" if name != "__all__" else "", "message": str(message)}
            for name, messages_ in form.errors.items()
            for message in messages_
        ]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "assessments/start.html",
        {
            "form": form,
            "client": client,
            "errors": errors,
            "instrument": load_instrument(DEFAULT_VERSION),
        },
        status=status,
    )


@clinic_view("assessment.create")
def assessment_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a file (from ``neuroseq example``, the CLI or another system) as a draft."""
    client = get_client(request.user, pk)  # type: ignore[arg-type]
    if request.method != "POST":
        client_service.record_read(actor(request), client, "assessment_import")
    form = AssessmentImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data, replaced = _for_this_client(form.cleaned_data["inputs"], client)
        try:
            if data.get("synthetic") is True and not client.synthetic:
                raise ValidationError(
                    {
                        "inputs": "synthetic: this file is marked synthetic (generated example "
                        "data) and this child is real; a real record cannot hold generated data. "
                        'Import it for a synthetic (demo) client, or set "synthetic": false if '
                        "the file describes this child."
                    }
                )
            assessment = service.create_draft(actor(request), client, data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            for note in replaced:
                messages.info(request, note)
            messages.success(
                request, "Imported as a draft. Check each step, then send it for review."
            )
            return redirect("editor_home", pk=assessment.pk)
    errors = [
        {"field": "id_inputs" if name != "__all__" else "", "message": str(message)}
        for name, messages_ in form.errors.items()
        for message in messages_
    ]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "assessments/import.html",
        {"form": form, "client": client, "errors": errors},
        status=status,
    )


def _for_this_client(data: dict[str, Any], client: Any) -> tuple[dict[str, Any], list[str]]:
    """The file describes this client: its pseudonym and birth date become the record's.

    That is what the import page promises, so the worked example from ``neuroseq example``
    imports for any client whose age fits its dates. A file marked synthetic is imported
    only for a synthetic (demo) client: real records never hold generated data.
    """
    data = dict(data)
    given = data.get("client") if isinstance(data.get("client"), dict) else {}
    notes = []
    pseudonym, birth = given.get("pseudonym"), given.get("birth_date")
    if pseudonym not in (None, client.display_id):
        notes.append(f"The file's pseudonym {pseudonym!r} was replaced by {client.display_id}.")
    if birth not in (None, client.birth_date.isoformat()):
        notes.append(
            f"The file's birth date {birth} was replaced by this client's "
            f"({client.birth_date.isoformat()}); ages are computed from it."
        )
        data.pop("chronological_age_months", None)
    data["client"] = {"pseudonym": client.display_id, "birth_date": client.birth_date.isoformat()}
    return data, notes


def _transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    assessment = get_assessment(request.user, pk)  # type: ignore[arg-type]
    try:
        if action == "submit":
            assessment = service.submit(actor(request), assessment)
            messages.success(request, "Sent for review by a supervising clinician.")
        else:
            form = AmendForm(request.POST)
            if not form.is_valid():
                messages.error(request, "reason: say what is being corrected and why.")
                return redirect("assessment_detail", pk=assessment.pk)
            assessment = service.amend(actor(request), assessment, form.cleaned_data["reason"])
            messages.success(
                request, "Amendment started as a new draft version: make the correction here."
            )
            return redirect("editor_home", pk=assessment.pk)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            for line in errors:
                messages.error(request, line if field == "completeness" else f"{field}: {line}")
        if action == "submit" and assessment.status == AssessmentStatus.DRAFT:
            return redirect("editor_step", pk=assessment.pk, step="review")
    except ImmutableRecordError as error:
        messages.error(request, str(error))
    return redirect("assessment_detail", pk=assessment.pk)


@require_POST
@clinic_view("assessment.submit")
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "submit")


@require_POST
@clinic_view("assessment.amend")
def assessment_amend(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "amend")


@require_POST
@clinic_view("assessment.release")
def assessment_release(request: HttpRequest, pk: int) -> HttpResponse:
    """Share with the family (``action=release``) or stop sharing (``action=withdraw``)."""
    assessment = get_assessment(request.user, pk)  # type: ignore[arg-type]
    try:
        if request.POST.get("action") == "withdraw":
            service.withdraw_release(actor(request), assessment)
            messages.success(request, "No longer shared: caregivers and teachers do not see it.")
        else:
            service.release(actor(request), assessment)
            messages.success(request, "Shared with the child's caregivers and teachers.")
    except ValidationError as error:
        for errors in error.message_dict.values():
            for line in errors:
                messages.error(request, line)
    return redirect("assessment_detail", pk=assessment.pk)


@clinic_view("assessment.view")
def assessment_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as cards, with clinician / caregiver / teacher tabs and a print layout."""
    assessment = get_assessment(request.user, pk)  # type: ignore[arg-type]
    service.record_read(actor(request), assessment)
    audience = request.GET.get("audience", "clinician")
    if audience not in plan_page.AUDIENCES:
        audience = "clinician"
    view = rendering.fragments(assessment)
    return render(
        request,
        "assessments/plan.html",
        {
            "a": assessment,
            "client": assessment.client,
            "plan_html": view.plan_html.get(audience),
            "audience": audience,
            "tabs": [
                ("clinician", "Clinician"),
                (ViewerKind.CAREGIVER.value, "Caregiver"),
                (ViewerKind.TEACHER.value, "Teacher"),
            ],
            "view": view,
        },
    )
