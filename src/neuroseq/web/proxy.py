"""The client's address behind a reverse proxy, for the audit trail and sign-in lockout.

Behind nginx or a load balancer every request comes from the proxy. With
``NEUROSEQ_TRUSTED_PROXIES`` set (addresses or networks, comma-separated), a request whose
peer is one of them gets ``REMOTE_ADDR`` from ``X-Forwarded-For``: the right-most address
that is not a trusted proxy (the left part of the header is whatever the client wrote).
Requests from anyone else keep their real peer address, whatever headers they send.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: list[str]) -> list[Network]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"NEUROSEQ_TRUSTED_PROXIES: expected IP addresses or networks, got {entry!r}"
            ) from None
    return networks


def _trusted(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str, networks: list[Network]) -> str:
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return peer


class ForwardedForMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.networks = parse_networks(getattr(settings, "NEUROSEQ_TRUSTED_PROXIES", []))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.networks:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR", ""),
                request.META.get("HTTP_X_FORWARDED_FOR", ""),
                self.networks,
            )
        return self.get_response(request)
