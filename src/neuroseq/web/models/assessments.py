"""Versioned assessments: draft -> in_review -> signed; a correction is a new version.

Signed rows never change. The services refuse it, ``save``/``delete`` here refuse it, the
queryset's bulk ``update``/``delete`` refuse it, and a database trigger (migration 0002)
refuses an UPDATE of a signed row even from raw SQL.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from neuroseq.web.models.clients import Client


class ImmutableRecordError(Exception):
    """Someone tried to change or delete a record that must never change."""


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    SIGNED = "signed", "Signed"


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def update(self, **kwargs: Any) -> int:
        if self.filter(status=AssessmentStatus.SIGNED).exists():
            raise ImmutableRecordError("signed assessments cannot be updated")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(status=AssessmentStatus.SIGNED).exists():
            raise ImmutableRecordError("signed assessments cannot be deleted")
        return super().delete()


class Assessment(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="assessments")
    lineage = models.UUIDField(default=uuid.uuid4, help_text="shared by all versions")
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="the signed version this amendment corrects",
    )
    amendment_reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    assessment_date = models.DateField()
    instrument_version = models.CharField(max_length=20)
    inputs = models.JSONField(help_text="the assessment in the neuroseq.assessment/1 format")
    scores = models.JSONField(help_text="snapshot of the derived scores when last saved")
    synthetic = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessment_date", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="assessment_version"),
            models.CheckConstraint(
                condition=~models.Q(status="signed")
                | (models.Q(signed_at__isnull=False) & models.Q(signed_by__isnull=False)),
                name="signed_has_signer",
            ),
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"{self.client} {self.assessment_date} v{self.version} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == AssessmentStatus.SIGNED:
                raise ImmutableRecordError(f"assessment {self.pk} is signed and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.pk is not None and (
            self.is_signed
            or type(self).objects.filter(pk=self.pk, status=AssessmentStatus.SIGNED).exists()
        ):
            raise ImmutableRecordError(f"assessment {self.pk} is signed and cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_amendment(self) -> bool:
        return self.supersedes_id is not None

    @property
    def is_signed(self) -> bool:
        return self.status == AssessmentStatus.SIGNED
