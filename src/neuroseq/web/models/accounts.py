"""Organisations (tenants), users (email login), memberships with a role, care teams."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    synthetic = models.BooleanField(default=False, help_text="generated demo data")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def normalise_email(raw: object) -> str:
    """Emails are stored and compared trimmed and in lower case."""
    return str(raw or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalise_email(username))

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("email: required")
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        """Refused: a superuser could bypass every permission (``createsuperuser`` says why)."""
        raise ValidationError(
            "platform staff are not superusers: run `manage.py create_staff EMAIL` for a "
            "read-only admin account"
        )


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address. Never deleted: deactivate instead."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="may use the Django admin")
    is_demo = models.BooleanField(
        default=False, help_text="demo account: may skip two-factor only in demo mode"
    )
    date_joined = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="set their own password through an emailed link (needed to enrol 2FA)",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            # Platform staff see the read-only admin; nobody holds every permission.
            models.CheckConstraint(condition=models.Q(is_superuser=False), name="no_superusers")
        ]

    def __str__(self) -> str:
        return self.full_name or self.email


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", "Organisation admin"
    SUPERVISOR = "supervisor", "Supervising clinician"
    CLINICIAN = "clinician", "Clinician"
    TRAINEE = "trainee", "Trainee"
    VIEWER = "viewer", "Caregiver / teacher viewer"


CLINICAL_ROLES = frozenset({Role.SUPERVISOR, Role.CLINICIAN, Role.TRAINEE})


class Membership(models.Model):
    """A user's role in one organisation. One organisation per account (see docs)."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="membership")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"

    @property
    def is_clinical(self) -> bool:
        return self.role in CLINICAL_ROLES

    @property
    def needs_two_factor(self) -> bool:
        """Everyone who can open a full clinical record: clinical roles and org admins."""
        return self.role != Role.VIEWER


class CareTeam(models.Model):
    """Which clinicians see which clients: a client belongs to one team."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    members = models.ManyToManyField(Membership, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class TokenPurpose(models.TextChoices):
    ACTIVATION = "activation", "Activation"
    PASSWORD_RESET = "password_reset", "Password reset"


class AccountToken(models.Model):
    """A one-time, expiring link sent by email. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="account_tokens")
    purpose = models.CharField(max_length=20, choices=TokenPurpose.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, help_text="replaced by a newer link")
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "purpose"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} for {self.user}"
