"""The audit trail: append-only events, each signed over the previous event's hash.

``seq`` numbers events 1, 2, 3... with no gaps; ``hash`` is HMAC-SHA256, with the key named
by ``key_id`` (kept outside the database, see docs/security.md), over ``prev_hash`` and the
event's canonical JSON. Editing, deleting or inserting an event breaks the chain, and
without the key nobody can re-sign it; ``neuroseq.web.services.audit_chain`` verifies it.
``AuditChainHead`` holds the last ``seq``/``hash`` with its own signature, so removing
events at the end is detected too, and it is the row writers lock so that concurrent events
queue into one chain. ``AuditCheckpoint`` rows are signed copies of the head: exported for
the operator to keep elsewhere, and where incremental verification starts.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from neuroseq.web.models.accounts import Organisation
from neuroseq.web.models.assessments import ImmutableRecordError
from neuroseq.web.models.clients import Client


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecordError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError("audit events are append-only")


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, help_text="email, or system:<name>")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, null=True, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField(
        max_length=20, blank=True, default="", help_text="HMAC key id; empty: legacy SHA-256"
    )

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["organisation", "-seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecordError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError("audit events are append-only")


class AuditChainHead(models.Model):
    """One row: the last event's ``seq`` and ``hash``, signed. Locked by every writer."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    key_id = models.CharField(max_length=20, blank=True, default="")
    mac = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class CheckpointKind(models.TextChoices):
    EXPORT = "export", "Exported"
    VERIFIED = "verified", "Verified"
    REKEY = "rekey", "After re-keying"


class AuditCheckpoint(models.Model):
    """A signed statement "event #seq had this hash". Append-only (database triggers)."""

    seq = models.PositiveBigIntegerField(db_index=True)
    hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=10, choices=CheckpointKind.choices)
    key_id = models.CharField(max_length=20)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq", "-id"]

    def __str__(self) -> str:
        return f"checkpoint #{self.seq} ({self.kind}, {self.created_at:%Y-%m-%d %H:%M})"
