"""Create and change clients; record every read of a client's record."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from neuroseq.web.models import (
    CareTeam,
    Client,
    ClientStatus,
    Membership,
    Organisation,
    Role,
    ViewerKind,
)
from neuroseq.web.permissions import require
from neuroseq.web.services.audit import Actor, record

EDITABLE = (
    "care_team",
    "given_name",
    "family_name",
    "birth_date",
    "status",
    "placement",
    "caregivers",
)


def _check(organisation: Organisation, fields: dict[str, Any], client: Client | None) -> None:
    errors: dict[str, str] = {}
    team = fields.get("care_team")
    if team is not None and team.organisation_id != organisation.pk:
        errors["care_team"] = "choose one of your organisation's care teams"
    birth = fields.get("birth_date")
    if birth is not None and not isinstance(birth, date):
        errors["birth_date"] = "expected a date (YYYY-MM-DD)"
    elif birth is not None and birth > timezone.localdate():
        errors["birth_date"] = "expected a date in the past"
    status = fields.get("status")
    if status is not None and status not in ClientStatus.values:
        errors["status"] = f"expected one of {', '.join(ClientStatus.values)}"
    display_id = fields.get("display_id")
    if display_id is not None:
        taken = Client.objects.filter(organisation=organisation, display_id=display_id)
        if client is not None:
            taken = taken.exclude(pk=client.pk)
        if taken.exists():
            errors["display_id"] = f"{display_id!r} is already used in this organisation"
    for name in ("display_id", "given_name", "family_name"):
        if name in fields and not str(fields[name] or "").strip():
            errors[name] = "required"
    if errors:
        raise ValidationError(errors)


def create_client(
    actor: Actor,
    *,
    organisation: Organisation | None = None,
    care_team: CareTeam,
    display_id: str,
    given_name: str,
    family_name: str,
    birth_date: date,
    status: str = ClientStatus.ACTIVE,
    placement: str = "",
    caregivers: str = "",
    synthetic: bool = False,
) -> Client:
    if actor.user is not None:
        organisation = require(actor.user, "client.create").organisation
    if organisation is None:
        raise ValueError("organisation: required for a system actor")
    fields = {
        "care_team": care_team,
        "display_id": display_id.strip(),
        "given_name": given_name.strip(),
        "family_name": family_name.strip(),
        "birth_date": birth_date,
        "status": status,
        "placement": placement.strip(),
        "caregivers": caregivers.strip(),
    }
    _check(organisation, fields, None)
    with transaction.atomic():
        client = Client.objects.create(organisation=organisation, synthetic=synthetic, **fields)
        record(
            actor,
            "client.create",
            organisation=organisation,
            object_type="client",
            object_id=client.pk,
            client=client,
            details={"display_id": client.display_id, "synthetic": synthetic},
        )
    return client


def update_client(actor: Actor, client: Client, **changes: Any) -> Client:
    if actor.user is not None:
        require(actor.user, "client.edit")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "this field cannot be changed here"))
    _check(client.organisation, changes, client)
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        changed = {}
        for name, value in changes.items():
            old = getattr(locked, name)
            if isinstance(value, str):
                value = value.strip()
            if old != value:
                changed[name] = [str(old), str(value)]
                setattr(locked, name, value)
        if changed:
            locked.save()
            # Names and birth dates are identifying: the trail says what changed, not to what.
            record(
                actor,
                "client.update",
                object_type="client",
                object_id=locked.pk,
                client=locked,
                details={"fields": sorted(changed)},
            )
    return locked


def link_viewer(
    actor: Actor, client: Client, viewer: Membership, *, kind: str = ViewerKind.CAREGIVER
) -> None:
    """Link a caregiver or teacher (``kind``: how the family page speaks to them)."""
    if actor.user is not None:
        require(actor.user, "client.link_viewer")
    if viewer.organisation_id != client.organisation_id or viewer.role != Role.VIEWER:
        raise ValidationError({"viewer": "choose a caregiver/teacher viewer of your organisation"})
    if kind not in ViewerKind.values:
        raise ValidationError({"kind": "choose caregiver or teacher"})
    with transaction.atomic():
        client.viewers.add(viewer, through_defaults={"kind": kind})
        record(
            actor,
            "client.link_viewer",
            object_type="client",
            object_id=client.pk,
            client=client,
            details={"viewer": viewer.user.email, "kind": kind},
        )


def record_read(actor: Actor, client: Client, page: str, **details: Any) -> None:
    """Reads are audited like writes: who opened which child's record, which page."""
    record(
        actor,
        "client.read",
        object_type="client",
        object_id=client.pk,
        client=client,
        details={"page": page, **details},
    )


def record_search(actor: Actor, query: dict[str, str], shown: list[int]) -> None:
    """A list or search shows names too; log the filters and which clients were listed."""
    record(actor, "client.search", details={"filters": query, "client_ids": shown})
