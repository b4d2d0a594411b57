"""Members and care teams, for organisation admins."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from neuroseq.web.forms import MemberForm, RoleForm, TeamForm, TeamMemberForm
from neuroseq.web.models import CareTeam, Membership, TokenPurpose
from neuroseq.web.permissions import membership_of
from neuroseq.web.services import memberships as service
from neuroseq.web.views.accounts import link_builder
from neuroseq.web.views.common import actor, attach_errors, clinic_view


def _organisation_id(request: HttpRequest) -> int:
    membership = membership_of(request.user)  # type: ignore[arg-type]
    assert membership is not None  # clinic_view guarantees it
    return membership.organisation_id


def _people(request: HttpRequest) -> Any:
    return Membership.objects.filter(organisation_id=_organisation_id(request))


def _teams(request: HttpRequest) -> Any:
    return CareTeam.objects.filter(organisation_id=_organisation_id(request))


def _member(request: HttpRequest, pk: int) -> Membership:
    try:
        return _people(request).select_related("user").get(pk=pk)
    except Membership.DoesNotExist:
        raise Http404("no such member") from None


def _sign_in_status(member: Membership) -> str:
    """What the Members page says about someone's sign-in (never a secret)."""
    if member.user.is_demo:
        return "demo account (published demo password)"
    now = timezone.now()
    pending = [
        t
        for t in member.user.account_tokens.all()
        if t.purpose == TokenPurpose.ACTIVATION
        and t.used_at is None
        and t.revoked_at is None
        and t.expires_at > now
    ]
    if pending:
        return f"activation link sent, valid until {pending[0].expires_at:%Y-%m-%d}"
    if not member.user.has_usable_password():
        return "activation link expired: send a new one"
    return "activated" if member.user.activated_at else "not activated by its owner"


def _page(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    people = list(
        _people(request)
        .select_related("user")
        .prefetch_related("teams", "user__account_tokens")
        .order_by("role", "user__email")
    )
    for person in people:
        person.sign_in = _sign_in_status(person)
    context = {
        "form": forms.get("form") or MemberForm(),
        "team_form": forms.get("team_form") or TeamForm(),
        "team_member_form": forms.get("team_member_form")
        or TeamMemberForm(teams=_teams(request), people=_people(request)),
        "people": people,
        "teams": _teams(request).prefetch_related("members__user").order_by("name"),
        "role_form": RoleForm,
    }
    return render(request, "organisation/members.html", context, status=status)


@clinic_view("members.manage")
def members(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            service.add_member(actor(request), link=link_builder(request), **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"Added {form.cleaned_data['email']}. They have been emailed a link to choose "
                "their password.",
            )
            return redirect("members")
    return _page(request, status=400, form=form)


def _report(request: HttpRequest, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        messages.error(request, f"{field}: {' '.join(errors)}")


@require_POST
@clinic_view("members.manage")
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "role: choose one of the listed roles.")
        return redirect("members")
    try:
        service.change_role(actor(request), member, form.cleaned_data["role"])
        messages.success(request, f"{member.user.email} is now {member.get_role_display()}.")
    except ValidationError as error:
        _report(request, error)
    return redirect("members")


@require_POST
@clinic_view("members.manage")
def member_active(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    try:
        service.set_active(actor(request), member, not member.is_active)
        state = "active" if member.is_active else "deactivated"
        messages.success(request, f"{member.user.email} is {state}.")
    except ValidationError as error:
        _report(request, error)
    return redirect("members")


@require_POST
@clinic_view("members.manage")
def member_activation(request: HttpRequest, pk: int) -> HttpResponse:
    """Reset a member's sign-in (e.g. a lost phone): a new activation link by email."""
    member = _member(request, pk)
    try:
        service.send_new_activation(actor(request), member, link_builder(request))
        messages.success(
            request,
            f"Sent a new activation link to {member.user.email}. Their password and "
            "authenticator no longer work until they use it.",
        )
    except ValidationError as error:
        _report(request, error)
    return redirect("members")


@require_POST
@clinic_view("members.manage")
def team_remove_member(request: HttpRequest, team_pk: int, pk: int) -> HttpResponse:
    try:
        team = _teams(request).get(pk=team_pk)
    except CareTeam.DoesNotExist:
        raise Http404("no such team") from None
    member = _member(request, pk)
    try:
        service.remove_from_team(actor(request), team, member)
        messages.success(request, f"Removed {member.user.email} from {team.name}.")
    except ValidationError as error:
        _report(request, error)
    return redirect("members")


@require_POST
@clinic_view("members.manage")
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            service.create_team(actor(request), form.cleaned_data["name"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return redirect("members")
    return _page(request, status=400, team_form=form)


@require_POST
@clinic_view("members.manage")
def team_add_member(request: HttpRequest) -> HttpResponse:
    form = TeamMemberForm(request.POST, teams=_teams(request), people=_people(request))
    if form.is_valid():
        try:
            service.add_to_team(
                actor(request), form.cleaned_data["team"], form.cleaned_data["member"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return redirect("members")
    return _page(request, status=400, team_member_form=form)
