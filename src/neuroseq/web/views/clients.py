"""Client list, client page, plain-language page for caregivers and teachers."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from neuroseq.brainmap.text import format_age
from neuroseq.web import search
from neuroseq.web.family import family_page, released_assessment
from neuroseq.web.forms import ClientFilterForm, ClientForm, ViewerLinkForm
from neuroseq.web.models import (
    Assessment,
    AssessmentStatus,
    CareTeam,
    Client,
    FamilyRelease,
    Membership,
    Role,
    ViewerKind,
    ViewerLink,
)
from neuroseq.web.pagination import CappedPaginator
from neuroseq.web.permissions import can, get_client, membership_of, visible_clients
from neuroseq.web.presenters import age_on
from neuroseq.web.services import clients as client_service
from neuroseq.web.services import rendering
from neuroseq.web.views.common import actor, attach_errors, clinic_view


def _teams(request: HttpRequest) -> QuerySet[CareTeam]:
    membership = membership_of(request.user)  # type: ignore[arg-type]
    assert membership is not None  # clinic_view guarantees it
    teams = CareTeam.objects.filter(organisation_id=membership.organisation_id)
    if membership.role != Role.ORG_ADMIN:
        teams = teams.filter(members=membership)
    return teams.order_by("name")


def _latest(field: str) -> Subquery:
    newest = Assessment.objects.filter(client=OuterRef("pk")).order_by(
        "-assessment_date", "-version"
    )
    return Subquery(newest.values(field)[:1])


@clinic_view("client.list")
def client_list(request: HttpRequest) -> HttpResponse:
    teams = _teams(request)
    form = ClientFilterForm(request.GET or None, teams=teams)
    clients = visible_clients(request.user)  # type: ignore[arg-type]
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            clients = search.matching(clients, q)
        if form.cleaned_data["team"] is not None:
            clients = clients.filter(care_team=form.cleaned_data["team"])
        if form.cleaned_data["status"]:
            clients = clients.filter(status=form.cleaned_data["status"])
    clients = (
        clients.select_related("care_team")
        .annotate(latest_date=_latest("assessment_date"), latest_status=_latest("status"))
        .order_by("display_id")
    )
    page = CappedPaginator(clients, settings.NEUROSEQ_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    labels = dict(AssessmentStatus.choices)
    for row in rows:
        row.latest_status_label = labels.get(row.latest_status, "")
    filters = {k: v for k, v in request.GET.items() if k != "page" and v}
    client_service.record_search(actor(request), filters, [c.pk for c in rows])
    query = urlencode(filters)
    return render(
        request,
        "clients/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query,
            "can_create": can(request.user, "client.create"),  # type: ignore[arg-type]
        },
    )


@clinic_view("client.create")
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None, teams=_teams(request))
    if request.method == "POST" and form.is_valid():
        try:
            client = client_service.create_client(actor(request), **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return redirect("client_detail", pk=client.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "clients/form.html", {"form": form, "title": "New client"}, status=status
    )


@clinic_view("client.edit")
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client(request.user, pk)  # type: ignore[arg-type]
    if request.method != "POST":
        client_service.record_read(actor(request), client, "edit")
    initial = {name: getattr(client, name) for name in client_service.EDITABLE}
    initial.update(display_id=client.display_id, version=client.version)
    form = ClientForm(request.POST or None, initial=initial, teams=_teams(request), editing=True)
    form.fields["display_id"].disabled = True
    conflict = None
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in client_service.EDITABLE}
        try:
            client_service.update_client(
                actor(request), client, expected_version=form.cleaned_data["version"], **changes
            )
        except ValidationError as error:
            attach_errors(form, error)
        except client_service.EditConflict as clash:
            # Nothing saved. Show both values; saving again now overwrites, on purpose.
            conflict = [
                (form.fields[name].label, saved, yours)
                for name, (saved, yours) in clash.differences.items()
            ]
            data = request.POST.copy()
            data["version"] = str(clash.current.version)
            form = ClientForm(data, initial=initial, teams=_teams(request), editing=True)
            form.fields["display_id"].disabled = True
            status = 409
        else:
            return redirect("client_detail", pk=client.pk)
    title = f"Edit {client.display_id}"
    return render(
        request,
        "clients/form.html",
        {"form": form, "title": title, "conflict": conflict},
        status=status,
    )


@clinic_view("client.view")
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client(request.user, pk)  # type: ignore[arg-type]
    client_service.record_read(actor(request), client, "client")
    assessments = list(
        client.assessments.select_related("signed_by", "supersedes").order_by(
            "-assessment_date", "-version"
        )
    )
    superseded = {a.supersedes_id for a in assessments if a.is_signed and a.supersedes_id}
    current = [a for a in assessments if a.pk not in superseded]
    latest_signed = next((a for a in current if a.is_signed), None)
    latest = latest_signed or (current[0] if current else None)
    signed = [a for a in current if a.is_signed]
    latest_view = rendering.fragments(latest) if latest else None
    progress = (
        rendering.change_map_of(signed[1], signed[0], latest_view) if len(signed) > 1 else None
    )
    for a in assessments:
        a.age_text = format_age(float(a.scores.get("chronological_age_months") or 0.0))
    released = set(
        FamilyRelease.objects.filter(
            assessment__client=client, withdrawn_at__isnull=True
        ).values_list("assessment_id", flat=True)
    )
    return render(
        request,
        "clients/detail.html",
        {
            "client": client,
            "age": age_on(client.birth_date, timezone.localdate()),
            "assessments": assessments,
            "superseded": superseded,
            "released": released,
            "latest": latest,
            "latest_view": latest_view,
            "progress": progress,
            "previous": signed[1] if len(signed) > 1 else None,
            "can_create_assessment": can(request.user, "assessment.create"),  # type: ignore[arg-type]
            "can_edit": can(request.user, "client.edit"),  # type: ignore[arg-type]
            "can_export": can(request.user, "export.record"),  # type: ignore[arg-type]
            "viewers": ViewerLink.objects.filter(client=client).select_related("membership__user"),
            "viewer_form": ViewerLinkForm(viewers=_unlinked_viewers(client))
            if can(request.user, "client.link_viewer")  # type: ignore[arg-type]
            else None,
        },
    )


def _unlinked_viewers(client: Client) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            organisation_id=client.organisation_id, role=Role.VIEWER, is_active=True
        )
        .exclude(linked_clients=client)
        .select_related("user")
        .order_by("user__email")
    )


@require_POST
@clinic_view("client.link_viewer")
def client_link_viewer(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client(request.user, pk)  # type: ignore[arg-type]
    form = ViewerLinkForm(request.POST, viewers=_unlinked_viewers(client))
    if not form.is_valid():
        messages.error(request, "viewer: choose a caregiver or teacher from the list.")
    else:
        try:
            client_service.link_viewer(
                actor(request), client, form.cleaned_data["viewer"], kind=form.cleaned_data["kind"]
            )
            messages.success(request, "Linked. They now see this child's plain-language page.")
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                messages.error(request, f"{field}: {' '.join(errors)}")
    return redirect("client_detail", pk=client.pk)


@require_POST
@clinic_view("client.link_viewer")
def client_unlink_viewer(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    client = get_client(request.user, pk)  # type: ignore[arg-type]
    viewer = Membership.objects.filter(
        pk=membership_pk, organisation_id=client.organisation_id, role=Role.VIEWER
    ).first()
    try:
        if viewer is None:
            raise ValidationError({"viewer": "not linked to this child"})
        client_service.unlink_viewer(actor(request), client, viewer)
        messages.success(request, "Unlinked. They no longer see this child's pages.")
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
    return redirect("client_detail", pk=client.pk)


@clinic_view("client.view_plain")
def client_plain(request: HttpRequest, pk: int) -> HttpResponse:
    """What a caregiver or teacher sees: the newest released assessment, in plain words.

    Clinicians see the same page as a preview (``?as=caregiver`` or ``?as=teacher``).
    """
    client = get_client(request.user, pk)  # type: ignore[arg-type]
    client_service.record_read(actor(request), client, "plain")
    membership = membership_of(request.user)  # type: ignore[arg-type]
    assert membership is not None  # clinic_view guarantees it
    if membership.role == Role.VIEWER:
        link = ViewerLink.objects.filter(client=client, membership=membership).first()
        kind = link.kind if link is not None else ViewerKind.CAREGIVER
        preview = False
    else:
        kind = ViewerKind.TEACHER if request.GET.get("as") == "teacher" else ViewerKind.CAREGIVER
        preview = True
    shared = released_assessment(client)
    unreleased = None
    if preview:
        newest = (
            client.assessments.filter(status=AssessmentStatus.SIGNED)
            .exclude(superseded_by__status=AssessmentStatus.SIGNED)
            .order_by("-assessment_date", "-version")
            .first()
        )
        if newest is not None and newest != shared:
            unreleased = newest
    return render(
        request,
        "clients/plain.html",
        {
            "client": client,
            "page": family_page(shared, kind) if shared else None,
            "kind": kind,
            "preview": preview,
            "unreleased": unreleased,
        },
    )


@clinic_view("client.view_plain")
def my_children(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request.user)  # type: ignore[arg-type]
    children = list(visible_clients(request.user).order_by("given_name"))  # type: ignore[arg-type]
    kinds = dict(
        ViewerLink.objects.filter(membership=membership, client__in=children).values_list(
            "client_id", "kind"
        )
    )
    for child in children:
        child.viewer_kind = kinds.get(child.pk, ViewerKind.CAREGIVER)
    client_service.record_search(actor(request), {"page": "my_children"}, [c.pk for c in children])
    return render(request, "clients/children.html", {"children": children})
