"""The client's address behind a trusted reverse proxy (audit trail, sign-in lockout)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client as HttpClient
from django.test import RequestFactory

from neuroseq.web.addresses import client_ip
from neuroseq.web.models import AuditEvent

from .factories import PASSWORD

PROXIES = ["127.0.0.1", "10.0.0.0/8"]


def client_address(peer, header, proxies, settings):
    settings.NEUROSEQ_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=header)
    return client_ip(request)


@pytest.mark.parametrize(
    ("peer", "header", "expected"),
    [
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),  # one proxy
        ("127.0.0.1", "198.51.100.1, 203.0.113.9, 10.1.2.3", "203.0.113.9"),  # two proxies
        ("127.0.0.1", "", "127.0.0.1"),  # the proxy itself
        ("127.0.0.1", "10.0.0.1, 10.0.0.2", "127.0.0.1"),  # only proxies
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # not a proxy: header ignored
        ("127.0.0.1", "not-an-ip", "127.0.0.1"),  # a malformed header: the proxy's own
    ],
)
def test_the_right_most_untrusted_hop_is_the_client(peer, header, expected, settings):
    assert client_address(peer, header, PROXIES, settings) == expected


def test_no_trusted_proxies_means_the_peer_address(settings):
    assert client_address("127.0.0.1", "203.0.113.9", [], settings) == "127.0.0.1"


def test_a_bad_proxy_setting_names_the_variable(settings):
    with pytest.raises(ImproperlyConfigured, match="NEUROSEQ_TRUSTED_PROXIES: expected"):
        client_address("127.0.0.1", "", ["10.0.0.0/33"], settings)


def test_the_audit_trail_records_the_forwarded_address(world, settings):
    settings.NEUROSEQ_TRUSTED_PROXIES = ["127.0.0.1"]
    http = HttpClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    email = world.user("clinician").email
    http.post("/accounts/login/", {"username": email, "password": PASSWORD})
    spoofed = HttpClient(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.10")
    spoofed.post("/accounts/login/", {"username": email, "password": PASSWORD})
    addresses = list(
        AuditEvent.objects.filter(actor_label=email)
        .order_by("seq")
        .values_list("ip_address", flat=True)
    )
    assert addresses[-2:] == ["203.0.113.9", "198.51.100.7"]
