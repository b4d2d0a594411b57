"""People and teams of an organisation: add members, change roles, care teams."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from neuroseq.web.models import CareTeam, Membership, Organisation, Role, User
from neuroseq.web.models.accounts import normalise_email
from neuroseq.web.permissions import require
from neuroseq.web.services import accounts
from neuroseq.web.services.accounts import LinkBuilder
from neuroseq.web.services.audit import Actor, record


def _organisation(actor: Actor, organisation: Organisation | None) -> Organisation:
    if actor.user is not None:
        return require(actor.user, "members.manage").organisation
    if organisation is None:
        raise ValueError("organisation: required for a system actor")
    return organisation


def create_organisation(
    actor: Actor, *, name: str, slug: str, synthetic: bool = False
) -> Organisation:
    """Platform operators and the demo seed create tenants; there is no page for it."""
    if actor.user is not None and not actor.user.is_staff:
        raise ValidationError({"organisation": "only platform staff create organisations"})
    with transaction.atomic():
        organisation = Organisation.objects.create(name=name, slug=slug, synthetic=synthetic)
        record(
            actor,
            "organisation.create",
            organisation=organisation,
            object_type="organisation",
            object_id=organisation.pk,
            details={"slug": slug},
        )
    return organisation


def add_member(
    actor: Actor,
    *,
    email: str,
    full_name: str,
    role: str,
    organisation: Organisation | None = None,
    link: LinkBuilder | None = None,
    is_demo: bool = False,
    password: str | None = None,
    password_hash: str | None = None,
) -> Membership:
    """Add a person, who sets their own password through the activation link emailed to
    them (``link`` builds its URL). Only system jobs (the demo seed) may set a password:
    ``password_hash`` skips hashing the same demo password once per account, which Argon2
    makes deliberately slow."""
    org = _organisation(actor, organisation)
    if actor.user is not None and (password is not None or password_hash is not None):
        raise ValueError("password: members choose their own, through the activation link")
    if password is None and password_hash is None and link is None:
        raise ValueError("link: required to send the activation email")
    email = normalise_email(email)
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["expected an email address such as name@example.org"]
    if email and User.objects.filter(email=email).exists():
        errors["email"] = ["an account with this email already exists"]
    if role not in Role.values:
        errors["role"] = [f"expected one of {', '.join(Role.values)}"]
    if password is not None and password_hash is None:
        try:
            validate_password(password, User(email=email, full_name=full_name))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user = User.objects.create_user(
            email, None if password_hash else password, full_name=full_name.strip(), is_demo=is_demo
        )
        if password_hash is not None:
            user.password = password_hash
            user.save(update_fields=["password"])
        membership = Membership.objects.create(user=user, organisation=org, role=role)
        record(
            actor,
            "membership.create",
            organisation=org,
            object_type="membership",
            object_id=membership.pk,
            details={"email": email, "role": role},
        )
        if link is not None:
            accounts.send_activation(actor, user, link)
    return membership


def send_new_activation(actor: Actor, membership: Membership, link: LinkBuilder) -> None:
    """Reset a member's sign-in: new activation link, password and authenticator removed."""
    org = _organisation(actor, membership.organisation)
    _same_org(org, membership)
    if actor.user is not None and membership.user_id == actor.user.pk:
        raise ValidationError(
            {"membership": "you cannot reset your own sign-in; ask another admin"}
        )
    accounts.send_activation(actor, membership.user, link, reset=True)


def change_role(actor: Actor, membership: Membership, role: str) -> Membership:
    org = _organisation(actor, None)
    _same_org(org, membership)
    if role not in Role.values:
        raise ValidationError({"role": f"expected one of {', '.join(Role.values)}"})
    if actor.user is not None and membership.user_id == actor.user.pk:
        raise ValidationError({"role": "you cannot change your own role; ask another admin"})
    with transaction.atomic():
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        record(
            actor,
            "membership.role",
            organisation=org,
            object_type="membership",
            object_id=membership.pk,
            details={"email": membership.user.email, "from": old, "to": role},
        )
    return membership


def set_active(actor: Actor, membership: Membership, active: bool) -> Membership:
    org = _organisation(actor, None)
    _same_org(org, membership)
    if actor.user is not None and membership.user_id == actor.user.pk:
        raise ValidationError({"is_active": "you cannot deactivate yourself"})
    with transaction.atomic():
        membership.is_active = active
        membership.save(update_fields=["is_active"])
        record(
            actor,
            "membership.activate" if active else "membership.deactivate",
            organisation=org,
            object_type="membership",
            object_id=membership.pk,
            details={"email": membership.user.email},
        )
    return membership


def create_team(actor: Actor, name: str, organisation: Organisation | None = None) -> CareTeam:
    org = _organisation(actor, organisation)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "required"})
    if CareTeam.objects.filter(organisation=org, name=name).exists():
        raise ValidationError({"name": f"a team called {name!r} already exists"})
    with transaction.atomic():
        team = CareTeam.objects.create(organisation=org, name=name)
        record(
            actor,
            "team.create",
            organisation=org,
            object_type="team",
            object_id=team.pk,
            details={"name": name},
        )
    return team


def add_to_team(actor: Actor, team: CareTeam, membership: Membership) -> None:
    org = _organisation(actor, team.organisation)
    _same_org(org, membership)
    if team.organisation_id != org.pk:
        raise ValidationError({"team": "choose one of your organisation's teams"})
    if membership.role == Role.VIEWER:
        raise ValidationError({"membership": "viewers are linked to children, not to teams"})
    with transaction.atomic():
        team.members.add(membership)
        record(
            actor,
            "team.add_member",
            organisation=org,
            object_type="team",
            object_id=team.pk,
            details={"email": membership.user.email},
        )


def remove_from_team(actor: Actor, team: CareTeam, membership: Membership) -> None:
    """Take someone off a care team: they no longer see its clients."""
    org = _organisation(actor, team.organisation)
    if team.organisation_id != org.pk:
        raise ValidationError({"team": "choose one of your organisation's teams"})
    with transaction.atomic():
        if not team.members.filter(pk=membership.pk).exists():
            raise ValidationError({"membership": f"not a member of {team.name}"})
        team.members.remove(membership)
        record(
            actor,
            "team.remove_member",
            organisation=org,
            object_type="team",
            object_id=team.pk,
            details={"email": membership.user.email, "team": team.name},
        )


def _same_org(org: Organisation, membership: Membership) -> None:
    if membership.organisation_id != org.pk:
        raise ValidationError({"membership": "not a member of your organisation"})
