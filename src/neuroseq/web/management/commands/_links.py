"""Activation links for management commands, which have no request to take a host from."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from neuroseq.web.models import TokenPurpose

_TOKEN_URL = {
    TokenPurpose.ACTIVATION: "activate_link",
    TokenPurpose.PASSWORD_RESET: "password_reset_link",
}


def site_link(purpose: TokenPurpose, token: str) -> str:
    """``NEUROSEQ_SITE_URL`` + the link's path (set the variable in production)."""
    return settings.NEUROSEQ_SITE_URL.rstrip("/") + reverse(_TOKEN_URL[purpose], args=[token])
