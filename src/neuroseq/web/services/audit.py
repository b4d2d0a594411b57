"""Write the keyed, hash-chained audit trail (verification: ``audit_chain``)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
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


def _payload(event: AuditEvent, *, keyed: bool) -> str:
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
    if keyed:
        payload["key_id"] = event.key_id
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def audit_key(key_id: str) -> bytes:
    """The HMAC key with this id (KeyError if this server does not have it)."""
    return settings.NEUROSEQ_AUDIT_KEYS[key_id]  # type: ignore[no-any-return]


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    """HMAC-SHA256 of the previous hash and the event, with the key named by the event.

    Events written before keys existed (``key_id`` empty) were plain SHA-256; that form is
    only ever checked, never written (``manage.py audit_rekey`` re-signs them).
    """
    if not event.key_id:
        text = _payload(event, keyed=False)
        return hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()
    message = (prev_hash + _payload(event, keyed=True)).encode("utf-8")
    return hmac.new(audit_key(event.key_id), message, hashlib.sha256).hexdigest()


def head_mac(seq: int, hash_: str, key_id: str) -> str:
    """The head's signature: without the key nobody can move the head (truncation)."""
    message = f"neuroseq.audit-head|{seq}|{hash_}".encode()
    return hmac.new(audit_key(key_id), message, hashlib.sha256).hexdigest()


def sign_head(head: AuditChainHead, seq: int, hash_: str) -> None:
    head.seq, head.hash = seq, hash_
    head.key_id = settings.NEUROSEQ_AUDIT_KEY_ID
    head.mac = head_mac(seq, hash_, head.key_id)
    head.save(update_fields=["seq", "hash", "key_id", "mac"])


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
            key_id=settings.NEUROSEQ_AUDIT_KEY_ID,
        )
        event.hash = event_hash(head.hash, event)
        event.save(force_insert=True)
        sign_head(head, event.seq, event.hash)
    return event


def record_denied(request: HttpRequest, status: int, action: str = "") -> None:
    """A refused request (403: the role may not; 404: not theirs or no such record): who,
    which route, which ids. The event belongs to the asker's organisation and links no
    record, so another organisation's data is neither linked nor revealed."""
    match = getattr(request, "resolver_match", None)
    kwargs = {str(k): str(v)[:64] for k, v in (match.kwargs.items() if match else [])}
    ids = [v for k, v in kwargs.items() if k == "pk" or k.endswith("_id")]
    record(
        Actor.from_request(request),
        "access.denied",
        object_id=ids[0] if ids else "",
        details={
            "status": status,
            "route": (match.view_name if match else "")[:100],
            "action": action,
            "method": request.method,
            "path": request.path[:300],
            "ids": kwargs,
        },
    )


def verify_chain() -> Any:
    """The whole chain from its first event (``audit_chain.verify_full``)."""
    from neuroseq.web.services.audit_chain import verify_full

    return verify_full()
