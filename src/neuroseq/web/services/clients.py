"""Create and change clients; record every read of a client's record."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from neuroseq.assessment import EARLIEST_DATE
from neuroseq.web.models import (
    AssessmentStatus,
    CareTeam,
    Client,
    ClientStatus,
    Membership,
    Organisation,
    Role,
    ViewerKind,
)
from neuroseq.web.permissions import require
from neuroseq.web.services.audit import Actor, audit_key, record

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
    elif birth is not None and birth < EARLIEST_DATE:
        errors["birth_date"] = f"expected a date on or after {EARLIEST_DATE.isoformat()}"
    elif birth is not None and client is not None and birth != client.birth_date:
        # Signed assessments keep the age they were scored with; none may precede the birth.
        earliest = (
            client.assessments.filter(status=AssessmentStatus.SIGNED)
            .order_by("assessment_date")
            .values_list("assessment_date", flat=True)
            .first()
        )
        if earliest is not None and earliest < birth:
            errors["birth_date"] = (
                f"the signed assessment of {earliest.isoformat()} is before this date; "
                "a birth date cannot come after a signed assessment"
            )
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


class EditConflict(Exception):
    """Someone saved this client after the editor opened it (optimistic versioning).

    ``differences`` maps each field whose saved value differs from the submitted one to
    (saved now, submitted); ``current`` is the client as saved now."""

    def __init__(self, current: Client, differences: dict[str, tuple[str, str]]):
        super().__init__(f"client {current.pk} changed since version was read")
        self.current = current
        self.differences = differences


def _shown(value: Any) -> str:
    return "" if value is None else str(getattr(value, "name", value))


def update_client(
    actor: Actor, client: Client, *, expected_version: int | None = None, **changes: Any
) -> Client:
    """Change a client. ``expected_version`` is the version the editor started from: if
    someone saved in between, nothing is saved and ``EditConflict`` shows both values."""
    if actor.user is not None:
        require(actor.user, "client.edit")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "this field cannot be changed here"))
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        if expected_version is not None and expected_version != locked.version:
            submitted = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
            differences = {
                name: (_shown(getattr(locked, name)), _shown(value))
                for name, value in submitted.items()
                if getattr(locked, name) != value
            }
            raise EditConflict(locked, differences)
        _check(locked.organisation, changes, locked)
        changed = {}
        for name, value in changes.items():
            old = getattr(locked, name)
            if isinstance(value, str):
                value = value.strip()
            if old != value:
                changed[name] = [str(old), str(value)]
                setattr(locked, name, value)
        if changed:
            locked.version += 1
            locked.save()
            # Names and birth dates are identifying: the trail says what changed, not to what.
            record(
                actor,
                "client.update",
                object_type="client",
                object_id=locked.pk,
                client=locked,
                details={"fields": sorted(changed), "version": locked.version},
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


#: Query parameters a search may log; anything else a client sends is dropped, not stored.
SEARCH_FILTERS = frozenset({"q", "team", "status", "page", "limit", "offset", "api"})


def search_digest(text: str) -> str:
    """A keyed hash of search text (trimmed, case-folded): the trail shows *that* a name was
    searched for, and someone holding the audit key can test a given name, but the name
    itself is never stored in the append-only log."""
    normalised = " ".join(str(text).split()).casefold()
    key = audit_key(settings.NEUROSEQ_AUDIT_KEY_ID)
    return hmac.new(key, f"neuroseq.search|{normalised}".encode(), hashlib.sha256).hexdigest()


def record_search(actor: Actor, query: dict[str, str], shown: list[int]) -> None:
    """A list or search shows names too: log the filters (search text as a keyed hash) and
    which clients were listed."""
    filters: dict[str, Any] = {k: str(v)[:100] for k, v in query.items() if k in SEARCH_FILTERS}
    if filters.get("q"):
        filters["q"] = {"hmac": search_digest(query["q"]), "key_id": settings.NEUROSEQ_AUDIT_KEY_ID}
    record(actor, "client.search", details={"filters": filters, "client_ids": shown})


def unlink_viewer(actor: Actor, client: Client, viewer: Membership) -> None:
    """A caregiver or teacher no longer sees this child's plain-language page."""
    if actor.user is not None:
        require(actor.user, "client.link_viewer")
    with transaction.atomic():
        if not client.viewers.filter(pk=viewer.pk).exists():
            raise ValidationError({"viewer": "not linked to this child"})
        client.viewers.remove(viewer)
        record(
            actor,
            "client.unlink_viewer",
            object_type="client",
            object_id=client.pk,
            client=client,
            details={"viewer": viewer.user.email},
        )
