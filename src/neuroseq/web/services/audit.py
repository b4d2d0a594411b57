"""Write and verify the hash-chained audit trail."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from neuroseq.web.addresses import client_ip
from neuroseq.web.models import AuditChainHead, AuditEvent, Client, Organisation, User
from neuroseq.web.permissions import membership_of

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who is acting, from where. ``user`` is None for system jobs such as seeding."""

    user: User | None
    label: str
    ip: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        user = request.user if request.user.is_authenticated else None
        label = user.email if user is not None else "anonymous"
        return cls(user=user, label=label, ip=client_ip(request))  # type: ignore[arg-type]

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(user=None, label=f"system:{name}")

    @property
    def organisation(self) -> Organisation | None:
        membership = membership_of(self.user)
        return membership.organisation if membership is not None else None


def _plain(value: Any) -> Any:
    """NUL characters (which PostgreSQL cannot store in JSON) become U+FFFD."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _canonical(details: Mapping[str, Any] | None) -> dict[str, Any]:
    """Details as plain JSON types, so what is hashed is exactly what the database returns."""
    result: dict[str, Any] = _plain(json.loads(json.dumps(dict(details or {}), default=str)))
    return result


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    payload = {
        "seq": event.seq,
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "client_id": event.client_id,
        "ip_address": event.ip_address,
        "details": event.details,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()


def record(
    actor: Actor,
    action: str,
    *,
    organisation: Organisation | None = None,
    object_type: str = "",
    object_id: object = "",
    client: Client | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Runs inside the caller's transaction when there is one."""
    if organisation is None:
        organisation = client.organisation if client is not None else actor.organisation
    # No savepoint: an error here must roll back the caller's change too, never leave a
    # change without its event.
    with transaction.atomic(savepoint=False):
        head = AuditChainHead.objects.select_for_update().filter(id=1).first()
        if head is None:  # first event ever (or the table was emptied by a test flush)
            head, _ = AuditChainHead.objects.get_or_create(id=1)
            head = AuditChainHead.objects.select_for_update().get(id=1)
        event = AuditEvent(
            seq=head.seq + 1,
            created_at=timezone.now(),
            actor=actor.user,
            actor_label=actor.label,
            organisation=organisation,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            client=client,
            ip_address=actor.ip,
            details=_canonical(details),
            prev_hash=head.hash,
        )
        event.hash = event_hash(head.hash, event)
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    problem: str | None = None


def verify_chain() -> ChainReport:
    """Recompute every hash in order; report the first event that does not fit."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    events = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    for event in events:
        if event.seq != expected_seq:
            return ChainReport(False, checked, f"event #{expected_seq} is missing")
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, checked, f"event #{event.seq} does not follow its predecessor"
            )
        if event_hash(event.prev_hash, event) != event.hash:
            return ChainReport(False, checked, f"event #{event.seq} was altered")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if (head_seq, head_hash) != (checked, expected_prev):
        return ChainReport(False, checked, f"events after #{checked} are missing")
    return ChainReport(True, checked)
