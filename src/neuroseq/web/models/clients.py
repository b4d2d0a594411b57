"""Clients: the children and young people, each in one organisation and one care team."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from neuroseq.web.models.accounts import CareTeam, Membership, Organisation


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    WAITING = "waiting", "Waiting list"
    DISCHARGED = "discharged", "Discharged"


class Client(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="clients")
    care_team = models.ForeignKey(CareTeam, on_delete=models.PROTECT, related_name="clients")
    display_id = models.CharField(
        max_length=32, help_text="pseudonymous id shown in lists and exports"
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ClientStatus.choices, default=ClientStatus.ACTIVE
    )
    placement = models.CharField(max_length=200, blank=True)
    caregivers = models.CharField(max_length=300, blank=True)
    synthetic = models.BooleanField(default=False, help_text="generated, not a real child")
    viewers = models.ManyToManyField(
        Membership,
        through="ViewerLink",
        related_name="linked_clients",
        blank=True,
        help_text="caregivers and teachers who see this child's plain-language pages",
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(
        default=1, help_text="moves on at every change; an edit of an older version is refused"
    )

    class Meta:
        ordering = ["display_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "display_id"], name="client_display_id_unique"
            )
        ]
        indexes = [models.Index(fields=["organisation", "care_team", "status"])]

    def __str__(self) -> str:
        return self.display_id

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class ViewerKind(models.TextChoices):
    """How the family page speaks to a viewer: a caregiver reads about "your child", a
    teacher about the pupil, by name, and never as the parent."""

    CAREGIVER = "caregiver", "Caregiver"
    TEACHER = "teacher", "Teacher"


class ViewerLink(models.Model):
    """A caregiver or teacher linked to one child; the kind belongs to the link because
    the same person can be one child's carer and another child's teacher."""

    id = models.AutoField(primary_key=True)  # the former auto-created table's integer key
    client = models.ForeignKey(Client, on_delete=models.CASCADE)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE)
    kind = models.CharField(max_length=20, choices=ViewerKind.choices, default=ViewerKind.CAREGIVER)

    class Meta:
        # The table Django made for the plain many-to-many field before the link had a kind.
        db_table = "clinic_client_viewers"
        unique_together = [("client", "membership")]

    def __str__(self) -> str:
        return f"{self.membership} -> {self.client} ({self.kind})"
