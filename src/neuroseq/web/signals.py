"""Audit sign-in, sign-out, failed sign-in attempts and lockouts; slow failing addresses."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from neuroseq.web.addresses import client_ip
from neuroseq.web.models.accounts import normalise_email
from neuroseq.web.services import throttle
from neuroseq.web.services.audit import Actor, record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    ip = client_ip(request) if request is not None else None
    record(Actor(user=user, label=user.email, ip=ip), "auth.login")


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    ip = client_ip(request) if request is not None else None
    record(Actor(user=user, label=user.email, ip=ip), "auth.logout")


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    ip = client_ip(request) if request is not None else None
    email = normalise_email(credentials.get("username") or credentials.get("email"))[:254]
    record(
        Actor(user=None, label="anonymous", ip=ip), "auth.login_failed", details={"email": email}
    )
    throttle.spend(
        throttle.login_key(ip),
        burst=settings.NEUROSEQ_LOGIN_ADDRESS_BURST,
        interval=settings.NEUROSEQ_LOGIN_ADDRESS_INTERVAL,
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any
) -> None:
    ip = client_ip(request) if request is not None else None
    email = normalise_email(username)[:254]
    record(Actor(user=None, label="anonymous", ip=ip), "auth.locked_out", details={"email": email})
