"""Pages and downloads for interchange: API tokens, FHIR, record and cohort exports.

Exports run in the request for now; each service writes to a file object, so a
background job can take them over without change.
"""

from __future__ import annotations

import io
import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from neuroseq.instrument import DEFAULT_VERSION
from neuroseq.web.models import ApiToken
from neuroseq.web.permissions import can, get_assessment, get_client
from neuroseq.web.services import api_tokens
from neuroseq.web.services import clients as client_service
from neuroseq.web.services import exports as export_service
from neuroseq.web.views.common import actor, attach_errors, clinic_view

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=80, help_text="What uses it, e.g. 'REDCap sync'."
    )
    expires_in_days = forms.IntegerField(
        label="Expires after (days)", min_value=1, initial=90, help_text="At most a year."
    )


class FhirUploadForm(forms.Form):
    file = forms.FileField(label="FHIR Bundle or QuestionnaireResponse (JSON)")


INLINE_EXPORTS = ("dictionary", "redcap")  # the instrument only: small, no records
BACKGROUND_EXPORTS = ("scores", "ratings", "research")  # every record: jobs


class ExportForm(forms.Form):
    instrument_version = forms.CharField(
        label="Instrument version", max_length=20, initial=DEFAULT_VERSION
    )


def _download(text: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- API tokens ------------------------------------------------------------------------
@clinic_view("api.tokens")
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, created = api_tokens.create_token(
                actor(request), form.cleaned_data["name"], form.cleaned_data["expires_in_days"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            form = TokenForm()
    status = 400 if request.method == "POST" and created is None else 200
    return render(
        request,
        "account/tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
            "max_days": settings.NEUROSEQ_API_TOKEN_MAX_DAYS,
        },
        status=status,
    )


@require_POST
@clinic_view("api.tokens")
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404("no such token")
    api_tokens.revoke_token(actor(request), token)
    messages.success(request, f"Revoked {token.name}. It no longer works.")
    return redirect("api_tokens")


# -- FHIR -------------------------------------------------------------------------------
@clinic_view("assessment.view")
def assessment_fhir(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment(request.user, pk)  # type: ignore[arg-type]
    bundle = export_service.fhir_bundle(actor(request), assessment)
    name = f"{assessment.client.display_id}-{assessment.assessment_date}-v{assessment.version}"
    return _download(json.dumps(bundle, indent=2), "application/fhir+json", f"{name}.fhir.json")


@clinic_view("assessment.create")
def client_fhir_import(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client(request.user, pk)  # type: ignore[arg-type]
    if request.method != "POST":
        client_service.record_read(actor(request), client, "fhir_import")
    form = FhirUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError({"file": "expected at most 5 MB"})
            document = export_service.read_fhir_upload(upload.read())
            draft = export_service.import_fhir(actor(request), client, document)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error("file", f"{field}: {message}" if field != "file" else message)
        else:
            messages.success(request, "Imported as a new draft. Check it, then send it for review.")
            return redirect("assessment_detail", pk=draft.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "interop/fhir_import.html", {"form": form, "client": client}, status=status
    )


# -- exports ------------------------------------------------------------------------------
@clinic_view("export.record")
def client_record_export(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client(request.user, pk)  # type: ignore[arg-type]
    fmt = request.GET.get("format", "json")
    buffer = io.StringIO()
    try:
        export_service.export_record(actor(request), client, fmt, buffer)
    except ValidationError as error:
        return HttpResponse(
            "; ".join(f"{f}: {' '.join(m)}" for f, m in error.message_dict.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    content_type = "application/json" if fmt == "json" else "text/csv; charset=utf-8"
    return _download(buffer.getvalue(), content_type, f"{client.display_id}-record.{fmt}")


@clinic_view("export.cohort")
def exports_page(request: HttpRequest) -> HttpResponse:
    """Dictionaries download at once; the exports of records run as jobs (issue 14.1)."""
    form = ExportForm(request.GET or None)
    kind = request.GET.get("kind")
    moved = kind in BACKGROUND_EXPORTS
    if kind in INLINE_EXPORTS and form.is_valid():
        buffer = io.StringIO()
        try:
            export_service.export_cohort(
                actor(request), kind, form.cleaned_data["instrument_version"], buffer
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return _download(buffer.getvalue(), "text/csv; charset=utf-8", f"{kind}.csv")
    return render(
        request,
        "interop/exports.html",
        {
            "form": form if form.is_bound and not moved else ExportForm(),
            "moved": moved,
            "default_instrument": DEFAULT_VERSION,
            "can_research": can(request.user, "export.research"),  # type: ignore[arg-type]
            "threshold": settings.NEUROSEQ_RESEARCH_MIN_CELL,
        },
        status=400 if kind in INLINE_EXPORTS and form.errors else 200,
    )
