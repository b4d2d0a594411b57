"""Sign-in events and two-factor enrolment, audited like everything else."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from neuroseq.web.models import User
from neuroseq.web.services.audit import Actor, record

DEVICE_NAME = "authenticator app"


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (created on first visit, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


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
