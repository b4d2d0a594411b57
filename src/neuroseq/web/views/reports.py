"""PDF report downloads: any audience of an assessment for the clinic, the family's own
version of what was released for a caregiver or a teacher."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from neuroseq.web.family import released_assessment
from neuroseq.web.models import Role, ViewerKind, ViewerLink
from neuroseq.web.permissions import get_assessment, get_client, membership_of
from neuroseq.web.services import clients as client_service
from neuroseq.web.services import reports as service
from neuroseq.web.views.common import actor, clinic_view


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@clinic_view("assessment.view")
def assessment_report(request: HttpRequest, pk: int) -> HttpResponse:
    """``?audience=clinician|caregiver|teacher`` (default clinician)."""
    assessment = get_assessment(request.user, pk)  # type: ignore[arg-type]
    audience = request.GET.get("audience", "clinician")
    try:
        data = service.report_pdf(actor(request), assessment, audience)
    except ValidationError as error:
        return HttpResponse(
            "; ".join(f"{f}: {m}" for f, ms in error.message_dict.items() for m in ms),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return _pdf(data, service.filename(assessment, audience))


@clinic_view("client.view_plain")
def family_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The released assessment, in the reader's version: a teacher gets the school report,
    a caregiver the family report; the clinic previews either with ``?as=``."""
    client = get_client(request.user, pk)  # type: ignore[arg-type]
    membership = membership_of(request.user)  # type: ignore[arg-type]
    assert membership is not None  # clinic_view guarantees it
    if membership.role == Role.VIEWER:
        link = ViewerLink.objects.filter(client=client, membership=membership).first()
        kind = link.kind if link is not None else ViewerKind.CAREGIVER
    else:
        kind = ViewerKind.TEACHER if request.GET.get("as") == "teacher" else ViewerKind.CAREGIVER
    shared = released_assessment(client)
    if shared is None:
        client_service.record_read(actor(request), client, "family_report")
        return render(request, "reports/not_shared.html", {"client": client}, status=409)
    audience = "teacher" if kind == ViewerKind.TEACHER else "caregiver"
    try:
        data = service.report_pdf(actor(request), shared, audience)
    except ValidationError:  # a stored record this installation can no longer read
        return render(request, "reports/not_shared.html", {"client": client}, status=409)
    return _pdf(data, service.filename(shared, audience))
