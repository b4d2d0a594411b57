"""Security headers and the two-factor requirement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from neuroseq.web.models import Role
from neuroseq.web.permissions import membership_of

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # SVG maps carry presentation attributes and may carry a <style> element.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not request.path.startswith(settings.STATIC_URL):
            # Children's records must not linger in shared or back-button caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


EXEMPT = {
    "login",
    "logout",
    "two_factor_setup",
    "two_factor_verify",
    "health",
    "activate",
    "activate_link",
    "password_reset",
    "password_reset_link",
    "password_reset_new",
}


def needs_second_factor(request: HttpRequest) -> bool:
    """Signed in, not yet verified with TOTP, and the role requires it (viewers do not)."""
    user = request.user
    if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr]
        return False
    if settings.DEMO and getattr(user, "is_demo", False):
        return False
    membership = membership_of(user)  # type: ignore[arg-type]
    return membership is None or membership.role != Role.VIEWER


class TwoFactorMiddleware:
    """Send clinical users and admins to TOTP enrolment or verification before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.url_name in EXEMPT or not needs_second_factor(request):
            return None
        from django_otp import devices_for_user

        has_device = any(True for _ in devices_for_user(request.user, confirmed=True))
        target = reverse("two_factor_verify" if has_device else "two_factor_setup")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
