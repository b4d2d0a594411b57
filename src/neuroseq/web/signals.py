"""Audit sign-in, sign-out and failed sign-in attempts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from neuroseq.web.services.audit import Actor, client_ip, record


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
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    record(
        Actor(user=None, label="anonymous", ip=ip), "auth.login_failed", details={"email": email}
    )
