"""Slow down, never lock out: a token bucket per network address for failed sign-ins.

A clinic's staff may all reach the site from one address (a NAT, a proxy), so the address
must never be *locked*: that would lock the whole clinic out. Instead each failed sign-in
from an address spends one token; tokens come back one every ``interval`` seconds, up to
``burst``. While the bucket is empty, the next attempt from that address waits until one
token is back, which is never longer than one interval. A password sprayer is held to one
guess per interval; a colleague waits a few seconds at worst, and a browser that signed in
before skips the bucket altogether (see ``neuroseq.web.views.auth``).

The lock on one account (django-axes) is separate: it holds one email from one address.
"""

from __future__ import annotations

import math

from django.db import IntegrityError, transaction
from django.utils import timezone

from neuroseq.web.models import LoginThrottle


def login_key(address: str | None) -> str:
    return f"login-ip:{address or 'unknown'}"


def reset_key(address: str | None) -> str:
    return f"reset-ip:{address or 'unknown'}"


def refill(tokens: float, elapsed: float, *, burst: int, interval: float) -> tuple[float, float]:
    """Tokens after ``elapsed`` seconds, and seconds to wait for the next whole token."""
    level = min(float(burst), tokens + max(elapsed, 0.0) / interval)
    wait = 0.0 if level >= 1 else (1 - level) * interval
    return level, wait


def wait_seconds(key: str, *, burst: int, interval: float) -> int:
    """Whole seconds to wait before the next attempt for ``key`` (0: go ahead)."""
    row = LoginThrottle.objects.filter(key=key).first()
    if row is None:
        return 0
    elapsed = (timezone.now() - row.updated_at).total_seconds()
    _, wait = refill(row.tokens, elapsed, burst=burst, interval=interval)
    return math.ceil(wait)


def spend(key: str, *, burst: int, interval: float) -> None:
    """One failure for ``key``: take a token (the bucket starts full)."""
    now = timezone.now()
    for _ in range(2):  # a second try if another request created the row first
        try:
            with transaction.atomic():
                row, _ = LoginThrottle.objects.select_for_update().get_or_create(
                    key=key, defaults={"tokens": float(burst), "updated_at": now}
                )
                elapsed = (now - row.updated_at).total_seconds()
                level, _ = refill(row.tokens, elapsed, burst=burst, interval=interval)
                row.tokens, row.updated_at = max(level - 1.0, 0.0), now
                row.save(update_fields=["tokens", "updated_at"])
                return
        except IntegrityError:
            continue
