"""Accounts (issue 10, finding 2): members join through a one-time, expiring activation link
on which they set their own password and enrol TOTP; self-service password change and
reset; an admin resets someone's two-factor only by sending a new activation (audited); no
page shows a TOTP secret after enrolment.

The review found an organisation admin could choose a supervisor's password, sign in first,
enrol their own authenticator and sign as the supervisor.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from neuroseq.web.models import AccountToken, AuditEvent, Membership, Role, User

from .factories import PASSWORD, MembershipFactory
from .helpers import sign_in, verified_device

NEW_PASSWORD = "a brand new passphrase 2026"


def code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def link_in(message) -> str:
    match = re.search(r"http://testserver(/accounts/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def admin_http(world, as_role):
    return as_role(Role.ORG_ADMIN)


def add_member(admin_http, email="new.supervisor@alpha.example", role=Role.SUPERVISOR):
    response = admin_http.post(
        "/members/", {"email": email, "full_name": "New Supervisor", "role": role}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(email=email)


class TestActivation:
    def test_the_admin_never_chooses_or_learns_the_password(self, world, admin_http):
        form = admin_http.get("/members/").content.decode()
        assert 'name="password"' not in form
        user = add_member(admin_http)
        assert not user.has_usable_password()
        (message,) = mail.outbox
        assert message.to == ["new.supervisor@alpha.example"]
        assert "works once" in message.body and "expires" in message.body
        token = link_in(message).rstrip("/").rsplit("/", 1)[-1]
        assert (
            token
            not in AuditEvent.objects.filter(action="account.activation_sent")
            .get()
            .details.values()
        )
        stored = AccountToken.objects.get(user=user)
        assert token not in stored.digest  # only a hash of the token is kept

    def test_the_member_sets_a_password_and_enrols_totp_on_the_link(self, world, admin_http):
        user = add_member(admin_http)
        http = HttpClient()
        landing = http.get(link_in(mail.outbox[0]))
        assert (
            landing.status_code == 302 and landing.url == "/accounts/activate/"
        )  # token out of the URL
        page = http.get("/accounts/activate/").content.decode()
        assert "Choose your password" in page
        short = http.post(
            "/accounts/activate/", {"new_password1": "short", "new_password2": "short"}
        )
        assert short.status_code == 400 and "This password is too short" in short.content.decode()
        done = http.post(
            "/accounts/activate/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert done.status_code == 302
        setup = http.get("/clients/")
        assert setup.url.startswith("/accounts/2fa/setup/")
        assert "otpauth://totp/" in http.get(setup.url).content.decode()
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        http.post("/accounts/2fa/setup/", {"token": code(device), "next": "/clients/"})
        assert http.get("/clients/").status_code == 200
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD) and user.activated_at is not None
        assert AuditEvent.objects.filter(action="account.activated", actor=user).exists()

    def test_the_link_works_once(self, world, admin_http):
        add_member(admin_http)
        link = link_in(mail.outbox[0])
        http = HttpClient()
        http.get(link)
        http.post(
            "/accounts/activate/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        again = HttpClient().get(link, follow=True)
        assert "expired or was already used" in again.content.decode()

    def test_the_link_expires(self, world, admin_http, settings):
        add_member(admin_http)
        AccountToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        page = HttpClient().get(link_in(mail.outbox[0]), follow=True).content.decode()
        assert "expired or was already used" in page

    def test_a_forged_token_is_refused(self, world):
        page = HttpClient().get("/accounts/activate/not-a-real-token/", follow=True)
        assert "expired or was already used" in page.content.decode()

    def test_an_account_never_activated_cannot_enrol_an_authenticator(self, world, http):
        """An account whose password someone else chose (before activation links) must be
        activated by its owner before anyone can enrol a second factor on it."""
        legacy = MembershipFactory(
            organisation=world.team1.organisation,
            role=Role.SUPERVISOR,
            user__email="legacy@alpha.example",
            user__activated_at=None,
        )
        http.post("/accounts/login/", {"username": "legacy@alpha.example", "password": PASSWORD})
        response = http.get("/accounts/2fa/setup/")
        assert response.status_code == 403
        text = response.content.decode()
        assert "otpauth://" not in text and "activation link" in text
        assert not TOTPDevice.objects.filter(user=legacy.user).exists()


class TestTwoFactorReset:
    def test_only_by_a_new_activation_and_audited(self, world, admin_http):
        supervisor = world.members[Role.SUPERVISOR]
        verified_device(supervisor.user)
        response = admin_http.post(f"/members/{supervisor.pk}/activation/")
        assert response.status_code == 302
        supervisor.user.refresh_from_db()
        assert not TOTPDevice.objects.filter(user=supervisor.user).exists()
        assert not supervisor.user.has_usable_password()
        (message,) = mail.outbox
        assert message.to == [supervisor.user.email]
        reset = AuditEvent.objects.get(action="auth.2fa_reset")
        assert reset.actor == world.user(Role.ORG_ADMIN)
        assert reset.details["email"] == supervisor.user.email
        # The old password no longer works; the new link does.
        old = HttpClient().post(
            "/accounts/login/", {"username": supervisor.user.email, "password": PASSWORD}
        )
        assert old.status_code == 200

    def test_a_new_activation_cancels_the_previous_link(self, world, admin_http):
        add_member(admin_http)
        member = Membership.objects.get(user__email="new.supervisor@alpha.example")
        admin_http.post(f"/members/{member.pk}/activation/")
        first, second = mail.outbox
        assert (
            "expired or was already used"
            in HttpClient().get(link_in(first), follow=True).content.decode()
        )
        assert HttpClient().get(link_in(second)).status_code == 302

    def test_not_for_yourself_nor_another_organisation(self, world, admin_http):
        me = world.members[Role.ORG_ADMIN]
        page = admin_http.post(f"/members/{me.pk}/activation/", follow=True).content.decode()
        assert "you cannot reset your own sign-in" in page
        assert admin_http.post(f"/members/{world.other.pk}/activation/").status_code == 404
        assert mail.outbox == []

    def test_other_roles_cannot(self, world, as_role):
        target = world.members[Role.TRAINEE]
        assert as_role(Role.SUPERVISOR).post(f"/members/{target.pk}/activation/").status_code == 403


def test_no_page_shows_a_totp_secret_after_enrolment(world, http):
    user = world.user(Role.CLINICIAN)
    device = verified_device(user)
    sign_in(http, user)
    for url in [
        "/accounts/2fa/setup/",
        "/accounts/2fa/verify/",
        "/clients/",
        "/accounts/password/",
    ]:
        text = http.get(url, follow=True).content.decode()
        assert device.key not in text and "otpauth://" not in text, url


class TestPasswordChange:
    def test_change_with_the_old_password(self, world, as_role):
        http = as_role(Role.CLINICIAN)
        other_session = sign_in(HttpClient(), world.user(Role.CLINICIAN))
        wrong = http.post(
            "/accounts/password/",
            {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert wrong.status_code == 400 and "old_password" in wrong.context["form"].errors
        done = http.post(
            "/accounts/password/",
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert done.status_code == 302
        assert http.get("/clients/").status_code == 200  # this session goes on
        assert other_session.get("/clients/").status_code == 302  # others end
        assert AuditEvent.objects.filter(action="auth.password_changed").exists()

    def test_viewers_change_theirs_too(self, world, as_role):
        assert as_role(Role.VIEWER).get("/accounts/password/").status_code == 200


class TestPasswordReset:
    def test_reset_by_email_link(self, world):
        http = HttpClient()
        page = http.post("/accounts/password/reset/", {"email": "Viewer@Alpha.example"})
        assert page.status_code == 200 and "If an account exists" in page.content.decode()
        (message,) = mail.outbox
        http.get(link_in(message))
        done = http.post(
            "/accounts/password/reset/new/",
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert done.status_code == 302
        user = world.user(Role.VIEWER)
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)
        assert AuditEvent.objects.filter(action="auth.password_reset", actor=user).exists()
        again = HttpClient().get(link_in(message), follow=True).content.decode()
        assert "expired or was already used" in again

    def test_unknown_email_gets_the_same_answer_and_no_mail(self, world):
        page = HttpClient().post("/accounts/password/reset/", {"email": "nobody@example.org"})
        assert page.status_code == 200 and "If an account exists" in page.content.decode()
        assert mail.outbox == []

    def test_a_reset_keeps_the_second_factor(self, world):
        user = world.user(Role.CLINICIAN)
        verified_device(user)
        HttpClient().post("/accounts/password/reset/", {"email": user.email})
        assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    def test_reset_requests_from_one_address_are_slowed(self, world, settings):
        for _ in range(settings.NEUROSEQ_LOGIN_ADDRESS_BURST):
            HttpClient().post("/accounts/password/reset/", {"email": "nobody@example.org"})
        slowed = HttpClient().post("/accounts/password/reset/", {"email": "viewer@alpha.example"})
        assert slowed.status_code == 429 and mail.outbox == []


class TestOperatorCommands:
    """Platform operators create staff, organisations and first admins from the command
    line; the people still choose their own passwords through the emailed link."""

    def test_create_staff(self, db, settings):
        from django.core.management import call_command

        settings.NEUROSEQ_SITE_URL = "https://clinic.example.org"
        call_command("create_staff", "ops@platform.example", "--name", "Ops Person")
        user = User.objects.get(email="ops@platform.example")
        assert user.is_staff and not user.is_superuser and not user.has_usable_password()
        assert not Membership.objects.filter(user=user).exists()
        (message,) = mail.outbox
        assert "https://clinic.example.org/accounts/activate/" in message.body
        assert AuditEvent.objects.filter(action="account.activation_sent").exists()

    def test_create_organisation_with_its_first_admin(self, db):
        from django.core.management import call_command

        call_command(
            "create_organisation",
            "--name",
            "Gamma clinic",
            "--slug",
            "gamma",
            "--admin-email",
            "Boss@Gamma.example",
            "--admin-name",
            "Gamma Boss",
        )
        member = Membership.objects.get(user__email="boss@gamma.example")
        assert member.role == Role.ORG_ADMIN and member.organisation.slug == "gamma"
        assert len(mail.outbox) == 1

    def test_send_activation_resets_a_locked_out_admin(self, world):
        from django.core.management import call_command

        admin = world.user(Role.ORG_ADMIN)
        verified_device(admin)
        call_command("send_activation", admin.email)
        assert not TOTPDevice.objects.filter(user=admin).exists()
        event = AuditEvent.objects.get(action="auth.2fa_reset")
        assert event.actor_label == "system:send_activation"

    def test_bad_input_is_a_clear_error(self, world):
        from django.core.management import CommandError, call_command

        with pytest.raises(CommandError, match="no account"):
            call_command("send_activation", "nobody@example.org")
        with pytest.raises(CommandError, match="email"):
            call_command("create_staff", "not-an-email")
        with pytest.raises(CommandError, match="already exists"):
            call_command("create_staff", world.user(Role.CLINICIAN).email)
