"""Accounts: activation links, password change and reset, two-factor enrolment and reset.

Nobody chooses another person's password. A new member gets a one-time, expiring link by
email; on it they set their own password and, for roles that need it, enrol their own
authenticator (``User.activated_at`` records that they did; an account never activated by
its owner cannot enrol a second factor). An organisation admin who needs to reset a
member's sign-in (lost phone) can only send a new activation: that removes the password and
the authenticator, cancels older links, and is audited. Links are random 256-bit tokens;
the database keeps only their SHA-256, so a database reader cannot use them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from neuroseq.web.models import AccountToken, Membership, TokenPurpose, User
from neuroseq.web.models.accounts import normalise_email
from neuroseq.web.services.audit import Actor, record

DEVICE_NAME = "authenticator app"

#: Turns a raw token into the absolute URL of the page that accepts it.
LinkBuilder = Callable[[TokenPurpose, str], str]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _lifetime(purpose: str) -> timedelta:
    if purpose == TokenPurpose.ACTIVATION:
        return timedelta(days=settings.NEUROSEQ_ACTIVATION_DAYS)
    return timedelta(hours=settings.NEUROSEQ_PASSWORD_RESET_HOURS)


def _issue(user: User, purpose: TokenPurpose, created_by: User | None) -> tuple[str, AccountToken]:
    """A new link for ``user``; earlier unused links of the same purpose stop working."""
    now = timezone.now()
    AccountToken.objects.filter(
        user=user, purpose=purpose, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raw = secrets.token_urlsafe(32)
    token = AccountToken.objects.create(
        user=user,
        purpose=purpose,
        digest=_digest(raw),
        created_at=now,
        expires_at=now + _lifetime(purpose),
        created_by=created_by,
    )
    return raw, token


def valid_token(raw: object, purpose: TokenPurpose) -> AccountToken | None:
    """The unused, unexpired, not-replaced link for ``raw``, else None."""
    if not isinstance(raw, str) or not raw or len(raw) > 100:
        return None
    return (
        AccountToken.objects.select_related("user")
        .filter(
            digest=_digest(raw),
            purpose=purpose,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


def _send(user: User, subject: str, lines: list[str]) -> None:
    """Send now, inside the caller's transaction: if sending fails, nothing is saved."""
    try:
        send_mail(subject, "\n".join(lines) + "\n", None, [user.email], fail_silently=False)
    except OSError as exc:  # SMTP errors are OSErrors
        raise ValidationError(
            {"email": f"the email to {user.email} could not be sent ({exc}); nothing was changed"}
        ) from None


def send_activation(actor: Actor, user: User, link: LinkBuilder, *, reset: bool = False) -> None:
    """Email ``user`` a new activation link. With ``reset``, their password and
    authenticator are removed first (the only way to reset someone's two-factor)."""
    with transaction.atomic():
        if reset:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            removed = TOTPDevice.objects.filter(user=user).delete()[0]
            record(
                actor,
                "auth.2fa_reset",
                organisation=_organisation_of(user),
                object_type="user",
                object_id=user.pk,
                details={"email": user.email, "authenticators_removed": removed},
            )
        raw, token = _issue(user, TokenPurpose.ACTIVATION, actor.user)
        record(
            actor,
            "account.activation_sent",
            organisation=_organisation_of(user),
            object_type="user",
            object_id=user.pk,
            details={"email": user.email, "expires_at": token.expires_at.isoformat()},
        )
        who = "Your organisation admin" if actor.user is not None else "The platform operator"
        what = "reset your sign-in" if reset else "created an account for you"
        _send(
            user,
            "Your neuroseq account: set your password",
            [
                f"{who} {what} on neuroseq.",
                "",
                "Open this link to choose your password (and, for clinical roles, set up",
                "two-factor sign-in with an authenticator app on your phone):",
                "",
                link(TokenPurpose.ACTIVATION, raw),
                "",
                f"The link works once and expires on {token.expires_at:%Y-%m-%d %H:%M} UTC.",
                "If you did not expect this email, ignore it and tell your organisation admin.",
            ],
        )


def _organisation_of(user: User) -> object:
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    return membership.organisation if membership is not None else None


def set_password_from_link(
    raw: object, purpose: TokenPurpose, password1: str, password2: str, ip: str | None
) -> User:
    """Use a link: check the new password, set it, spend the link. ValidationError if not."""
    with transaction.atomic():
        token = valid_token(raw, purpose)
        if token is None:
            raise ValidationError({"token": "this link has expired or was already used"})
        token = AccountToken.objects.select_for_update().get(pk=token.pk)
        if token.used_at is not None:
            raise ValidationError({"token": "this link has expired or was already used"})
        user = token.user
        errors: dict[str, list[str]] = {}
        if password1 != password2:
            errors["new_password2"] = ["The two passwords do not match."]
        try:
            validate_password(password1, user)
        except ValidationError as exc:
            errors["new_password1"] = list(exc.messages)
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        user.set_password(password1)
        if user.activated_at is None:
            user.activated_at = now
        user.save(update_fields=["password", "activated_at"])
        token.used_at = now
        token.save(update_fields=["used_at"])
        action = (
            "account.activated" if purpose == TokenPurpose.ACTIVATION else "auth.password_reset"
        )
        record(
            Actor(user=user, label=user.email, ip=ip), action, object_type="user", object_id=user.pk
        )
    return user


def request_password_reset(email: str, link: LinkBuilder, ip: str | None) -> None:
    """Email a reset link if ``email`` belongs to an active, activated account; say nothing
    either way (the page answers the same, so it reveals no account)."""
    email = normalise_email(email)
    user = User.objects.filter(email=email, is_active=True).first()
    actor = Actor(user=None, label="anonymous", ip=ip)
    if user is None or not user.has_usable_password():
        record(actor, "auth.password_reset_requested", details={"known": False})
        return
    with transaction.atomic():
        raw, token = _issue(user, TokenPurpose.PASSWORD_RESET, None)
        record(
            actor,
            "auth.password_reset_requested",
            organisation=_organisation_of(user),
            object_type="user",
            object_id=user.pk,
            details={"known": True},
        )
        _send(
            user,
            "Reset your neuroseq password",
            [
                "Someone (we hope you) asked to reset your neuroseq password.",
                "",
                "Open this link to choose a new one:",
                "",
                link(TokenPurpose.PASSWORD_RESET, raw),
                "",
                f"The link works once and expires on {token.expires_at:%Y-%m-%d %H:%M} UTC.",
                "Your two-factor sign-in stays as it is. If you did not ask for this, ignore",
                "this email; your password has not changed.",
            ],
        )


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (created on first visit, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def may_enrol(user: User) -> bool:
    """Only the account's owner enrols: the account must have been activated by them."""
    return user.activated_at is not None or (settings.DEMO and user.is_demo)


def confirm_device(actor: Actor, device: TOTPDevice, token: str) -> bool:
    """Confirm enrolment if ``token`` is the current code of ``device``."""
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit() or not device.verify_token(token):
        record(actor, "auth.2fa_enrol_failed")
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
        record(actor, "auth.2fa_enrolled", object_type="totp_device", object_id=device.pk)
    return True


def log_event(actor: Actor, action: str, **details: object) -> None:
    record(actor, action, details=details)
