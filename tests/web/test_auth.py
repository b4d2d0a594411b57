"""Sign-in: email + password (Argon2), lockout, TOTP two-factor, demo mode, idle expiry."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from neuroseq.web.models import AuditEvent, Role, User

from .factories import PASSWORD
from .helpers import verified_device


def login(http, email, password=PASSWORD):
    return http.post("/accounts/login/", {"username": email, "password": password})


def current_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_argon2_is_the_first_password_hasher(settings):
    production = importlib.import_module("neuroseq.web.settings")
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = User(email="hash@example.org")
    user.set_password("a long enough passphrase")
    assert user.password.startswith("argon2$")


def test_email_login_for_a_viewer_needs_no_second_factor(world, http):
    response = login(http, "viewer@alpha.example")
    assert response.status_code == 302
    assert http.get("/children/").status_code == 200


def test_wrong_password_gives_a_clear_message(world, http):
    response = login(http, "viewer@alpha.example", "not-the-password")
    assert response.status_code == 200
    assert "Email or password is not right" in response.content.decode()


def test_clinical_roles_must_enrol_in_two_factor(world, http):
    login(http, "clinician@alpha.example")
    response = http.get("/clients/")
    assert response.status_code == 302 and response.url.startswith("/accounts/2fa/setup/")
    page = http.get(response.url).content.decode()
    assert "otpauth://totp/" in page and "<svg" in page
    device = TOTPDevice.objects.get(user=world.user(Role.CLINICIAN), confirmed=False)
    done = http.post("/accounts/2fa/setup/", {"token": current_code(device), "next": "/clients/"})
    assert done.status_code == 302 and done.url == "/clients/"
    assert http.get("/clients/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.2fa_enrolled").exists()


def test_a_wrong_enrolment_code_is_refused(world, http):
    login(http, "clinician@alpha.example")
    http.get("/accounts/2fa/setup/")
    wrong = http.post("/accounts/2fa/setup/", {"token": "000000", "next": "/clients/"})
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert http.get("/clients/").status_code == 302


def test_enrolled_users_verify_a_code_at_each_sign_in(world, http):
    device = verified_device(world.user(Role.SUPERVISOR))
    login(http, "supervisor@alpha.example")
    response = http.get("/clients/")
    assert response.url.startswith("/accounts/2fa/verify/")
    assert http.get("/audit/").status_code == 302  # still not through
    bad = http.post("/accounts/2fa/verify/", {"token": "12345x"})
    assert bad.status_code == 200 and "token" in bad.context["form"].errors
    ok = http.post("/accounts/2fa/verify/", {"token": current_code(device), "next": "/clients/"})
    assert ok.status_code == 302 and ok.url == "/clients/"
    assert http.get("/clients/").status_code == 200


def test_next_parameter_cannot_send_users_elsewhere(world, http):
    device = verified_device(world.user(Role.SUPERVISOR))
    login(http, "supervisor@alpha.example")
    response = http.post(
        "/accounts/2fa/verify/", {"token": current_code(device), "next": "https://evil.example/"}
    )
    assert response.url == "/"


@pytest.mark.parametrize(("demo_mode", "skips"), [(True, True), (False, False)])
def test_demo_users_skip_two_factor_only_in_demo_mode(world, http, settings, demo_mode, skips):
    settings.DEMO = demo_mode
    User.objects.filter(email="clinician@alpha.example").update(is_demo=True)
    login(http, "clinician@alpha.example")
    response = http.get("/clients/")
    assert (response.status_code == 200) == skips
    assert ("Demo mode." in response.content.decode()) == demo_mode


def test_demo_banner_on_every_page_in_demo_mode(world, http, settings):
    settings.DEMO = True
    for page in ["/accounts/login/", "/no-such-page/"]:
        assert "All children and records here are synthetic" in http.get(page).content.decode()


def test_lockout_after_five_failures(world, http):
    for _ in range(5):
        login(http, "viewer@alpha.example", "wrong-password")
    response = login(http, "viewer@alpha.example")  # even the right password
    assert response.status_code == 429
    assert "Sign-in paused for this email" in response.content.decode()
    assert not HttpClient().get("/children/").wsgi_request.user.is_authenticated


def test_idle_sessions_expire(world, http, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    login(http, "viewer@alpha.example")
    assert http.get("/children/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = http.get("/children/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_each_request_slides_the_idle_window(world, http):
    login(http, "viewer@alpha.example")
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    http.get("/children/")
    assert Session.objects.get().expire_date > timezone.now() + dt.timedelta(minutes=29)


def test_logout_is_post_only_and_audited(world, http):
    login(http, "viewer@alpha.example")
    assert http.get("/accounts/logout/").status_code == 405
    assert http.post("/accounts/logout/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout").exists()


def test_csrf_is_enforced(world):
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post(
        "/accounts/login/", {"username": "viewer@alpha.example", "password": PASSWORD}
    )
    assert response.status_code == 403


def test_security_headers(world, http):
    response = http.get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert "no-store" in http.get("/no-such-page/")["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]


def test_admin_is_for_staff_only(world, http):
    from .helpers import sign_in

    sign_in(http, world.user(Role.ORG_ADMIN))
    response = http.get("/admin/", follow=True)
    assert response.status_code == 403
    staff = world.user(Role.ORG_ADMIN)
    staff.is_staff = True
    staff.save()
    page = http.get("/admin/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Audit events" in text and "/admin/clinic/client/" not in text
    assert "/add/" not in text and "/admin/clinic/assessment/" not in text


def test_error_pages_explain_without_internals(world, http):
    response = http.get("/clients/999999/")
    assert response.status_code == 302  # not signed in: to the sign-in page first
    from .helpers import sign_in

    sign_in(http, world.user(Role.CLINICIAN))
    response = http.get("/clients/999999/")
    text = response.content.decode()
    assert response.status_code == 404
    assert "There is no such page or record" in text and "Traceback" not in text
