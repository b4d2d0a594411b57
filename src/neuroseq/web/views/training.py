"""Training pages: rate vignettes and see agreement with the key; trainers assign and
certify; the fidelity dashboard for organisation admins. Writes go through
``services.certification``; the pages only gather what to show."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from neuroseq.training import get_vignette, load_rules, load_vignettes
from neuroseq.web import training_page as page
from neuroseq.web.models import (
    Certification,
    Membership,
    Role,
    VignetteAssignment,
    VignetteAttempt,
)
from neuroseq.web.permissions import can, membership_of
from neuroseq.web.services import certification as service
from neuroseq.web.views.common import actor, clinic_view


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{k}: {m}" for k, v in error.message_dict.items() for m in v]
    return list(error.messages)


@clinic_view("training.use")
def training_home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    user = request.user
    certs = page.certificate_rows(service.certificates_of(user), today)  # type: ignore[arg-type]
    attempts = list(VignetteAttempt.objects.filter(user=user)[:20])
    return render(
        request,
        "training/home.html",
        {
            "certs": certs,
            "renewal": [c for c in certs if c["renewal_due"]],
            "progress": page.progress(user, today),  # type: ignore[arg-type]
            "assignments": page.open_assignments(user),  # type: ignore[arg-type]
            "vignettes": page.vignette_rows(user),  # type: ignore[arg-type]
            "attempts": page.attempt_rows(attempts),
            "can_train": can(user, "training.train"),  # type: ignore[arg-type]
            "rules": load_rules(),
        },
    )


@clinic_view("training.use")
def vignette_rate(request: HttpRequest, vignette_id: str) -> HttpResponse:
    vignette = get_vignette(vignette_id)
    if vignette is None:
        raise Http404("no such vignette")
    assignment = None
    assignment_id = request.POST.get("assignment") or request.GET.get("assignment")
    if assignment_id:
        assignment = VignetteAssignment.objects.filter(
            pk=assignment_id if str(assignment_id).isdigit() else -1,
            trainee=request.user,
            vignette_id=vignette.id,
        ).first()
    errors: list[str] = []
    ratings: dict[str, object] = {}
    if request.method == "POST":
        ratings = {
            f: request.POST.get(f)
            for f in request.POST
            if f not in {"csrfmiddlewaretoken", "assignment"}
        }
        try:
            attempt = service.submit_attempt(
                actor(request),
                vignette_id=vignette.id,
                version=vignette.version,
                ratings=ratings,
                assignment=assignment,
            )
        except ValidationError as exc:
            errors = _messages(exc)
        else:
            return redirect("training_attempt", pk=attempt.pk)
    shown = {
        k: int(v) for k, v in ratings.items() if isinstance(v, str) and v in {"0", "1", "2", "3"}
    }
    return render(
        request,
        "training/rate.html",
        {
            "vignette": vignette,
            "name": page.short_name(vignette),
            "regions": page.rating_regions(vignette, shown),
            "assignment": assignment,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _attempt_for(request: HttpRequest, pk: int) -> VignetteAttempt:
    """The asker's own attempt, or, for a trainer, an attempt in their organisation."""
    membership = membership_of(request.user)  # type: ignore[arg-type]
    attempt = VignetteAttempt.objects.filter(pk=pk).select_related("user").first()
    if attempt is None or membership is None:
        raise Http404("no such attempt")
    if attempt.user_id == request.user.pk:
        return attempt
    trainer = service.valid_certificate(request.user, "trainer", timezone.localdate())  # type: ignore[arg-type]
    if attempt.organisation_id == membership.organisation_id and trainer is not None:
        return attempt
    raise Http404("no such attempt")


@clinic_view("training.use")
def attempt_result(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _attempt_for(request, pk)
    context = page.result_context(attempt)
    context["attempt"] = attempt
    context["own"] = attempt.user_id == request.user.pk
    if context["own"]:
        context["progress"] = page.progress(request.user, timezone.localdate())  # type: ignore[arg-type]
    return render(request, "training/result.html", context)


def _org(request: HttpRequest):  # type: ignore[no-untyped-def]
    membership = membership_of(request.user)  # type: ignore[arg-type]
    assert membership is not None  # clinic_view has checked the role
    return membership.organisation


@clinic_view("training.train")
def trainees(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    allowed, bootstrap, reason = service.may_certify(actor(request), today)
    rows = page.members_progress(_org(request), today)
    return render(
        request,
        "training/trainees.html",
        {
            "rows": rows,
            "allowed": allowed,
            "bootstrap": bootstrap,
            "reason": reason,
            "vignettes": [(v.id, page.short_name(v), v.age_label) for v in load_vignettes()],
            "today": today,
            "rules": load_rules(),
            "can_use": can(request.user, "training.use"),  # type: ignore[arg-type]
        },
    )


def _member(request: HttpRequest, pk: int) -> Membership:
    member = (
        Membership.objects.filter(pk=pk, organisation=_org(request), is_active=True)
        .select_related("user")
        .first()
    )
    if member is None:
        raise Http404("no such member")
    return member


@clinic_view("training.train")
def trainee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    today = timezone.localdate()
    allowed, bootstrap, reason = service.may_certify(actor(request), today)
    attempts = list(
        VignetteAttempt.objects.filter(user=member.user, organisation=member.organisation)
    )
    clinical = member.role in {Role.SUPERVISOR, Role.CLINICIAN, Role.TRAINEE}
    return render(
        request,
        "training/trainee.html",
        {
            "member": member,
            "clinical": clinical,
            "certs": page.certificate_rows(
                list(
                    Certification.objects.filter(user=member.user, organisation=member.organisation)
                ),
                today,
            ),
            "progress": page.progress(member.user, today) if clinical else [],
            "attempts": page.attempt_rows(attempts),
            "allowed": allowed,
            "bootstrap": bootstrap,
            "reason": reason,
            "is_self": member.user_id == request.user.pk,
        },
    )


@require_POST
@clinic_view("training.train")
def trainee_certify(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    level = request.POST.get("level", "")
    try:
        cert = service.certify(
            actor(request), user=member.user, level=level, today=timezone.localdate()
        )
    except ValidationError as exc:
        for m in _messages(exc):
            messages.error(request, f"Not certified. {m}")
    else:
        messages.success(
            request,
            f"Certified {member.user.email} as {load_rules().level(cert.level).label} "
            f"until {cert.expires_on:%d %B %Y}.",
        )
    return redirect("training_trainee", pk=member.pk)


@require_POST
@clinic_view("training.train")
def trainee_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    cert_id = request.POST.get("certification", "")
    cert = Certification.objects.filter(
        pk=cert_id if cert_id.isdigit() else -1, user=member.user, organisation=member.organisation
    ).first()
    if cert is None:
        messages.error(request, "certification: choose a certificate of this member")
        return redirect("training_trainee", pk=member.pk)
    try:
        service.revoke(
            actor(request), cert, reason=request.POST.get("reason", ""), today=timezone.localdate()
        )
    except ValidationError as exc:
        for m in _messages(exc):
            messages.error(request, f"Not revoked. {m}")
    else:
        messages.success(request, "Certificate revoked.")
    return redirect("training_trainee", pk=member.pk)


@require_POST
@clinic_view("training.train")
def training_assign(request: HttpRequest) -> HttpResponse:
    raw_member = request.POST.get("trainee", "")
    member = Membership.objects.filter(
        pk=raw_member if raw_member.isdigit() else -1, organisation=_org(request)
    ).first()
    due_raw = request.POST.get("due", "").strip()
    try:
        if member is None:
            raise ValidationError({"trainee": "choose a member of your organisation"})
        try:
            due = date.fromisoformat(due_raw) if due_raw else None
        except ValueError:
            raise ValidationError({"due": "expected a date such as 2026-12-31"}) from None
        service.assign(
            actor(request),
            trainee=member.user,
            vignette_id=request.POST.get("vignette", ""),
            due=due,
            today=timezone.localdate(),
        )
    except ValidationError as exc:
        for m in _messages(exc):
            messages.error(request, f"Not assigned. {m}")
    else:
        messages.success(request, f"Vignette assigned to {member.user.email}.")
    return redirect("training_trainees")


@clinic_view("fidelity.view")
def fidelity(request: HttpRequest) -> HttpResponse:
    context = page.fidelity_context(_org(request), timezone.localdate())
    return render(request, "training/fidelity.html", context)
