"""Sign-in lockout and abuse (issue 10, finding 1).

The review locked a whole clinic out: five failures with made-up emails from one address
locked every user behind it (a clinic's NAT, or the same-host proxy) for 15 minutes. Now
a lock holds one email *from one address*; the address as a whole is only slowed (a token
bucket, at most a few seconds' wait, and never for a browser that signed in before); the
address is the client's, taken from X-Forwarded-For only when a configured trusted proxy
sent it; emails are compared in lower case.
"""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt
from django.test import Client as HttpClient
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from neuroseq.web.addresses import client_ip
from neuroseq.web.models import AuditEvent, LoginThrottle
from neuroseq.web.services.throttle import refill

from .factories import PASSWORD

NAT = "10.0.0.7"


def login(http, email, password=PASSWORD, ip=NAT, **extra):
    return http.post(
        "/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip, **extra
    )


def signed_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def test_failures_with_made_up_emails_do_not_lock_out_others_at_that_address(world, http):
    for n in range(5):
        login(http, f"nobody{n}@example.org", "wrong-password")
    assert signed_in(login(HttpClient(), "viewer@alpha.example"))


def test_a_lock_holds_one_email_from_one_address_and_says_what_and_how_long(world, settings):
    for _ in range(5):
        login(HttpClient(), "viewer@alpha.example", "wrong-password")
    locked = login(HttpClient(), "viewer@alpha.example")  # even the right password
    assert locked.status_code == 429
    text = " ".join(locked.content.decode().split())
    assert "Sign-in for viewer@alpha.example from your network address is paused" in text
    assert "for 15 more minutes" in text
    assert "Other people can still sign in" in text
    # The same person from another address, and others from this one, are not locked.
    assert signed_in(login(HttpClient(), "viewer@alpha.example", ip="10.9.9.9"))
    assert signed_in(login(HttpClient(), "supervisor@alpha.example"))
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_the_lock_message_counts_down_and_the_lock_ends(world):
    for _ in range(5):
        login(HttpClient(), "viewer@alpha.example", "wrong-password")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=11))
    text = " ".join(login(HttpClient(), "viewer@alpha.example").content.decode().split())
    assert "for 4 more minutes" in text
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert signed_in(login(HttpClient(), "viewer@alpha.example"))


def test_emails_are_normalised_before_signing_in_and_counting(world):
    assert signed_in(login(HttpClient(), "  Viewer@Alpha.EXAMPLE "))
    for email in ["VIEWER@alpha.example", "viewer@ALPHA.example", "Viewer@alpha.example"] * 2:
        login(HttpClient(), email, "wrong-password")
    attempts = AccessAttempt.objects.all()
    assert [a.username for a in attempts] == ["viewer@alpha.example"]
    assert login(HttpClient(), "viewer@alpha.example").status_code == 429


class TestAddressRateLimit:
    def spray(self, count, ip=NAT):
        for n in range(count):
            login(HttpClient(), f"spray{n}@example.org", "wrong-password", ip=ip)

    def test_many_failures_from_one_address_slow_it_down_by_seconds_only(self, world, settings):
        self.spray(settings.NEUROSEQ_LOGIN_ADDRESS_BURST)
        slowed = login(HttpClient(), "supervisor@alpha.example")
        assert slowed.status_code == 429
        wait = int(slowed["Retry-After"])
        assert 1 <= wait <= settings.NEUROSEQ_LOGIN_ADDRESS_INTERVAL
        text = " ".join(slowed.content.decode().split())
        assert f"wait {wait} second" in text and "No account is locked" in text
        # Another address is not affected; this one recovers after the wait.
        assert signed_in(login(HttpClient(), "trainee@alpha.example", ip="10.1.1.1"))
        LoginThrottle.objects.update(
            updated_at=timezone.now()
            - dt.timedelta(seconds=settings.NEUROSEQ_LOGIN_ADDRESS_INTERVAL)
        )
        assert signed_in(login(HttpClient(), "supervisor@alpha.example"))

    def test_a_browser_that_signed_in_before_is_never_slowed(self, world, settings):
        browser = HttpClient()
        assert signed_in(login(browser, "viewer@alpha.example"))
        browser.post("/accounts/logout/")
        self.spray(settings.NEUROSEQ_LOGIN_ADDRESS_BURST * 2)
        assert login(HttpClient(), "viewer@alpha.example").status_code == 429
        assert signed_in(login(browser, "viewer@alpha.example"))

    def test_the_device_cookie_belongs_to_one_account(self, world, settings):
        browser = HttpClient()
        assert signed_in(login(browser, "viewer@alpha.example"))
        browser.post("/accounts/logout/")
        self.spray(settings.NEUROSEQ_LOGIN_ADDRESS_BURST)
        assert login(browser, "supervisor@alpha.example").status_code == 429


@given(
    tokens=st.floats(0, 50),
    elapsed=st.floats(0, 1e7),
    burst=st.integers(1, 100),
    interval=st.floats(0.1, 60),
)
def test_the_bucket_never_holds_more_than_a_burst_nor_waits_longer_than_one_interval(
    tokens, elapsed, burst, interval
):
    level, wait = refill(min(tokens, burst), elapsed, burst=burst, interval=interval)
    assert 0 <= level <= burst
    assert 0 <= wait <= interval + 1e-9
    assert (wait == 0) == (level >= 1)


class TestClientAddress:
    def request(self, rf, remote, forwarded=None):
        headers = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            headers["HTTP_X_FORWARDED_FOR"] = forwarded
        return rf.get("/", **headers)

    def test_forwarded_for_is_ignored_without_a_trusted_proxy(self, rf, settings):
        settings.NEUROSEQ_TRUSTED_PROXIES = []
        assert client_ip(self.request(rf, "127.0.0.1", "203.0.113.5")) == "127.0.0.1"

    def test_the_trusted_proxy_s_client_address_is_used(self, rf, settings):
        settings.NEUROSEQ_TRUSTED_PROXIES = ["127.0.0.1", "10.20.0.0/16"]
        assert client_ip(self.request(rf, "127.0.0.1", "203.0.113.5")) == "203.0.113.5"
        # A client-supplied header is passed on by the proxy in front of the real address.
        spoofed = "198.51.100.1, 203.0.113.5, 10.20.3.4"
        assert client_ip(self.request(rf, "127.0.0.1", spoofed)) == "203.0.113.5"
        assert client_ip(self.request(rf, "127.0.0.1", "not-an-address")) == "127.0.0.1"

    def test_an_untrusted_sender_cannot_choose_its_address(self, rf, settings):
        settings.NEUROSEQ_TRUSTED_PROXIES = ["127.0.0.1"]
        assert client_ip(self.request(rf, "198.51.100.9", "203.0.113.5")) == "198.51.100.9"

    def test_the_address_reaches_the_lockout_and_the_audit_trail(self, world, settings):
        settings.NEUROSEQ_TRUSTED_PROXIES = ["127.0.0.1"]
        for _ in range(5):
            login(
                HttpClient(),
                "viewer@alpha.example",
                "wrong",
                ip="127.0.0.1",
                HTTP_X_FORWARDED_FOR="203.0.113.5",
            )
        assert AccessAttempt.objects.get().ip_address == "203.0.113.5"
        event = AuditEvent.objects.filter(action="auth.login_failed").order_by("-seq").first()
        assert event.ip_address == "203.0.113.5"
        # A colleague behind the same proxy, from another client address, is not locked.
        other = login(
            HttpClient(),
            "viewer@alpha.example",
            ip="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.6",
        )
        assert signed_in(other)


def test_an_overlong_email_is_a_form_error_not_a_server_error(world):
    """Found on PostgreSQL: a 300-character email reached django-axes' 255-character column."""
    response = login(HttpClient(), "x" * 300 + "@example.org", "wrong")
    assert response.status_code == 200 and "username" in response.context["form"].errors
