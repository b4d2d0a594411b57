"""The Django admin (issue 10, finding 3): read-only for everyone, no TOTP secret on any
page, platform staff are not superusers, every admin page view is audited.

The review found a superuser could read every user's TOTP secret and QR link at
``/admin/otp_totp/totpdevice/<id>/change/`` and add or delete devices, lockout records and
groups, unaudited.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from neuroseq.web.models import AuditEvent, Role, User

from .factories import UserFactory
from .helpers import sign_in, verified_device

STANDARD_VIEWS = {"changelist", "add", "history", "delete", "change"}


@pytest.fixture
def staff(db):
    return UserFactory(email="operator@platform.example", is_staff=True)


def _requests(staff):
    """The permission methods must refuse writes even to a superuser (there should be none)."""
    superuser = User(email="root@platform.example", is_staff=True, is_superuser=True)
    for user in (staff, superuser):
        request = RequestFactory().get("/admin/")
        request.user = user
        yield request


def test_every_registered_model_is_read_only_for_everyone(staff, world):
    assert admin.site._registry, "nothing registered?"
    for model, model_admin in admin.site._registry.items():
        obj = model.objects.first()
        for request in _requests(staff):
            label = f"{model._meta.label} ({request.user.email})"
            assert not model_admin.has_add_permission(request), label
            for target in (None, obj):
                assert not model_admin.has_change_permission(request, target), label
                assert not model_admin.has_delete_permission(request, target), label
            assert not model_admin.get_actions(request), label
        names = {p.name.rsplit("_", 1)[-1] for p in model_admin.get_urls() if p.name}
        assert names <= STANDARD_VIEWS, f"{model._meta.label} adds admin views: {names}"


def test_groups_are_not_in_the_admin_and_axes_and_totp_are_read_only(staff):
    assert Group not in admin.site._registry
    assert AccessAttempt in admin.site._registry and TOTPDevice in admin.site._registry


def test_no_admin_page_shows_a_totp_secret(staff, world, http):
    device = verified_device(world.user(Role.SUPERVISOR))
    sign_in(http, staff)
    base = f"/admin/otp_totp/totpdevice/{device.pk}"
    for url in ["/admin/otp_totp/totpdevice/", f"{base}/change/"]:
        response = http.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert device.key not in text and "otpauth://" not in text and "qrcode" not in text
    assert http.get(f"{base}/config/").status_code in {302, 404}
    assert http.get(f"{base}/qrcode/").status_code in {302, 404}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/otp_totp/totpdevice/add/",
        "/admin/axes/accessattempt/add/",
        "/admin/clinic/user/add/",
        "/admin/auth/group/add/",
    ],
)
def test_add_pages_are_refused(staff, http, url):
    sign_in(http, staff)
    assert http.post(url, {"name": "x"}).status_code in {403, 404}


def test_deleting_a_device_or_an_attempt_is_refused(staff, world, http):
    device = verified_device(world.user(Role.SUPERVISOR))
    sign_in(http, staff)
    response = http.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    bulk = http.post(
        "/admin/otp_totp/totpdevice/",
        {"action": "delete_selected", "_selected_action": [device.pk], "post": "yes"},
    )
    assert bulk.status_code in {200, 302, 403}
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_admin_page_views_are_audited(staff, http):
    sign_in(http, staff)
    http.get("/admin/")
    http.get("/admin/clinic/auditevent/")
    events = AuditEvent.objects.filter(action="admin.view", actor=staff)
    assert {e.details["path"] for e in events} >= {"/admin/", "/admin/clinic/auditevent/"}
    assert all(e.details["status"] == 200 for e in events)


def test_platform_staff_are_not_superusers(db):
    with pytest.raises(ValidationError, match="create_staff"):
        User.objects.create_superuser("root@platform.example", "a long passphrase here")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="sneaky@platform.example", is_staff=True, is_superuser=True)
    assert not User.objects.filter(is_superuser=True).exists()


def test_createsuperuser_explains_the_alternative(db, monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long passphrase here")
    with pytest.raises(CommandError, match="create_staff"):
        call_command("createsuperuser", email="root@platform.example", interactive=False)
    assert not User.objects.exists()
