"""Blind multi-rater staffing of a draft assessment's functional review.

A supervising clinician (the lead) opens one staffing per draft assessment and invites
raters of the organisation; each rates independently and submits. Nobody sees another
rater's values until rating is over (everyone submitted, or the lead closed rating). The
lead then sets a consensus per item, which becomes the assessment's functional ratings.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from neuroseq.web.models.assessments import Assessment


class StaffingStatus(models.TextChoices):
    OPEN = "open", "Rating"
    RECONCILING = "reconciling", "Reconciling"
    CLOSED = "closed", "Closed (consensus applied)"


class Staffing(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="staffings")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=StaffingStatus.choices, default=StaffingStatus.OPEN
    )
    opened_at = models.DateTimeField(default=timezone.now)
    rating_closed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    consensus = models.JSONField(
        default=dict,
        blank=True,
        help_text="item -> {value, proposed, reason}: the lead's consensus",
    )
    applied_revision = models.PositiveIntegerField(
        null=True, blank=True, help_text="the draft revision the consensus was written as"
    )
    icc_a1 = models.FloatField(
        null=True,
        blank=True,
        help_text="overall ICC(A,1) of the submitted ratings, stored when rating ends "
        "(they never change afterwards); None where undefined",
    )
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment"], name="one_staffing_per_assessment")
        ]

    def __str__(self) -> str:
        return f"staffing of {self.assessment_id} ({self.status})"

    @property
    def results_visible(self) -> bool:
        """Whether anyone may see other raters' values: only once rating is over."""
        return self.status != StaffingStatus.OPEN


class StaffingRater(models.Model):
    """One invited rater: their own ratings (item -> 0-3 or None), saved and resumed."""

    staffing = models.ForeignKey(Staffing, on_delete=models.PROTECT, related_name="raters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    ratings = models.JSONField(default=dict, blank=True)
    revision = models.PositiveIntegerField(default=0, help_text="number of saves")
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["staffing", "invited_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["staffing", "user"], name="one_rater_row_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in staffing {self.staffing_id}"

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None
