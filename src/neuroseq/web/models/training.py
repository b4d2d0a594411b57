"""Training and certification: vignette assignments and attempts, and certificates.

What counts as certified is decided by the pure rule in ``neuroseq.training`` (data in
``training/data/certification.yaml``); these rows are its inputs and its outcomes.
Attempts are append-only: they are the evidence a certificate rests on.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from neuroseq.web.models.accounts import Organisation
from neuroseq.web.models.assessments import ImmutableRecordError


class CertificationLevel(models.TextChoices):
    RATER = "rater", "Rater"
    STAFFING_LEAD = "staffing_lead", "Staffing lead"
    TRAINER = "trainer", "Trainer"


class Certification(models.Model):
    """One certificate: valid from ``issued_on`` up to the day before ``expires_on``.

    Never edited except to revoke; re-certification is a new row.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certifications"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="certifications"
    )
    level = models.CharField(max_length=20, choices=CertificationLevel.choices)
    issued_on = models.DateField()
    expires_on = models.DateField(help_text="first day the certificate is no longer valid")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    bootstrap = models.BooleanField(
        default=False, help_text="issued by an organisation admin before it had a trainer"
    )
    rules_version = models.CharField(max_length=20)
    evidence = models.JSONField(default=list, blank=True, help_text="attempt ids the rule used")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.level} {self.issued_on}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class VignetteAssignment(models.Model):
    """A trainer asks a trainee to rate one version of one vignette."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="vignette_assignments"
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vignette_assignments"
    )
    vignette_id = models.CharField(max_length=48)
    vignette_version = models.PositiveIntegerField()
    due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due", "-created_at"]

    def __str__(self) -> str:
        return f"{self.vignette_id} v{self.vignette_version} -> {self.trainee_id}"


class VignetteAttempt(models.Model):
    """One rating of a vignette, with the agreement figures computed when it was submitted."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="vignette_attempts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vignette_attempts"
    )
    vignette_id = models.CharField(max_length=48)
    vignette_version = models.PositiveIntegerField()
    assignment = models.ForeignKey(
        VignetteAssignment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attempts",
    )
    ratings = models.JSONField()
    figures = models.JSONField()
    icc_a1 = models.FloatField(null=True, blank=True)
    within_one = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.vignette_id} {self.created_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecordError("vignette attempts are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError("vignette attempts are append-only")
