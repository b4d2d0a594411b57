"""The client's network address, trusting X-Forwarded-For only from configured proxies.

``REMOTE_ADDR`` is whoever opened the TCP connection: behind a reverse proxy that is the
proxy, so every user would share one address (and one lockout). A proxy adds the address
it saw to ``X-Forwarded-For``; anything to the left of that may have been written by the
client itself. So the address is the right-most entry of the header that is not one of
our own proxies, and only when ``REMOTE_ADDR`` is one of them
(``NEUROSEQ_TRUSTED_PROXIES``, see docs/deployment.md). gunicorn does not rewrite
``REMOTE_ADDR`` from the header; this function is the one place that reads it.

Addresses come back in the exact form the database stores, so audit hashes verify.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.ipv6 import clean_ipv6_address

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def canonical(raw: str) -> str | None:
    """An IP address in canonical text form, or None if ``raw`` is not one."""
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    return clean_ipv6_address(str(address)) if address.version == 6 else str(address)


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in proxies:
        if not entry.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"NEUROSEQ_TRUSTED_PROXIES: expected IP addresses or networks, got {entry!r}"
            ) from None
    return tuple(networks)


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    remote = canonical(request.META.get("REMOTE_ADDR") or "")
    networks = _networks(tuple(getattr(settings, "NEUROSEQ_TRUSTED_PROXIES", ())))
    if remote is None or not networks or not _trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR") or ""
    for entry in reversed(forwarded.split(",")):
        address = canonical(entry)
        if address is None:
            return remote  # a malformed header: keep the proxy's own address
        if not _trusted(address, networks):
            return address
    return remote
