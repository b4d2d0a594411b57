"""The draft workflow around an assessment: saved revisions, review rounds, family release.

These live beside the assessment rather than on it, because a signed assessment row never
changes (model guards and a database trigger): releasing a signed assessment to the family,
or the outcome of a review, are events about it, not edits of it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from neuroseq.web.models.assessments import Assessment, ImmutableRecordError


class DraftRevision(models.Model):
    """Every save of a draft, numbered 1, 2, 3... per assessment; append-only.

    ``number`` is the optimistic version: an editor sends the revision their page was
    built from, and the service merges against exactly that revision's content. ``marks``
    records sections explicitly marked "none" or "not known" (they are not part of the
    assessment format, so they live here, versioned with the inputs).
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    inputs = models.JSONField()
    marks = models.JSONField(default=dict, blank=True)
    step = models.CharField(max_length=40, blank=True, help_text="the page that saved it")
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessment", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="draft_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} r{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecordError("draft revisions are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError("draft revisions are append-only")


class ReviewOutcome(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    RETURNED = "returned", "Returned with comments"
    SIGNED = "signed", "Signed"


class ReviewRound(models.Model):
    """One hand-over to a supervising clinician: which revision, and what came of it."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="review_rounds"
    )
    revision = models.PositiveIntegerField(help_text="the draft revision that was submitted")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(
        max_length=20, choices=ReviewOutcome.choices, default=ReviewOutcome.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment", "-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.assessment_id} r{self.revision} {self.outcome}"


class FamilyRelease(models.Model):
    """A clinician shares a signed assessment with the child's caregivers and teachers.

    A release can be withdrawn (``withdrawn_at``); a new release is a new row, so the
    history of who shared what, when, stays readable.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="releases")
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "-released_at", "-pk"]

    def __str__(self) -> str:
        state = "withdrawn" if self.withdrawn_at else "released"
        return f"{self.assessment_id} {state}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
