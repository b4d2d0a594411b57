"""Account pages: activation and password-reset links, password change.

A link's token is moved out of the URL into the session on first use (as Django's own
password-reset view does), so it never reaches a Referer header, browser history or
access log of a later request.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from neuroseq.web.addresses import client_ip
from neuroseq.web.forms import NewPasswordForm, PasswordResetRequestForm
from neuroseq.web.models import TokenPurpose
from neuroseq.web.services import accounts, throttle
from neuroseq.web.services.accounts import LinkBuilder
from neuroseq.web.views.common import actor, attach_errors

log = logging.getLogger(__name__)

_SESSION_KEY = {
    TokenPurpose.ACTIVATION: "neuroseq_activation_token",
    TokenPurpose.PASSWORD_RESET: "neuroseq_reset_token",
}
_LANDING = {TokenPurpose.ACTIVATION: "activate", TokenPurpose.PASSWORD_RESET: "password_reset_new"}
_TOKEN_URL = {
    TokenPurpose.ACTIVATION: "activate_link",
    TokenPurpose.PASSWORD_RESET: "password_reset_link",
}


def link_builder(request: HttpRequest) -> LinkBuilder:
    """Absolute links on the host this request came to (validated by ALLOWED_HOSTS)."""

    def build(purpose: TokenPurpose, token: str) -> str:
        return request.build_absolute_uri(reverse(_TOKEN_URL[purpose], args=[token]))

    return build


def _take_token(request: HttpRequest, purpose: TokenPurpose, token: str) -> HttpResponse:
    request.session[_SESSION_KEY[purpose]] = token
    return redirect(_LANDING[purpose])


def _set_password(request: HttpRequest, purpose: TokenPurpose) -> HttpResponse:
    raw = request.session.get(_SESSION_KEY[purpose])
    if accounts.valid_token(raw, purpose) is None:
        return render(request, "registration/link_invalid.html", status=410)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.set_password_from_link(
                raw,
                purpose,
                form.cleaned_data["new_password1"],
                form.cleaned_data["new_password2"],
                client_ip(request),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            del request.session[_SESSION_KEY[purpose]]
            if purpose == TokenPurpose.ACTIVATION:
                # Straight on to two-factor enrolment (the middleware sends clinical roles there).
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("home")
            messages.success(request, "Password changed. Sign in with your new password.")
            return redirect("login")
    title = (
        "Choose your password" if purpose == TokenPurpose.ACTIVATION else "Choose a new password"
    )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registration/set_password.html", {"form": form, "title": title}, status=status
    )


@never_cache
def activate_link(request: HttpRequest, token: str) -> HttpResponse:
    return _take_token(request, TokenPurpose.ACTIVATION, token)


@never_cache
@sensitive_post_parameters()
def activate(request: HttpRequest) -> HttpResponse:
    return _set_password(request, TokenPurpose.ACTIVATION)


@never_cache
def password_reset_link(request: HttpRequest, token: str) -> HttpResponse:
    return _take_token(request, TokenPurpose.PASSWORD_RESET, token)


@never_cache
@sensitive_post_parameters()
def password_reset_new(request: HttpRequest) -> HttpResponse:
    return _set_password(request, TokenPurpose.PASSWORD_RESET)


@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer is the same whether or not the account exists."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        key = throttle.reset_key(ip)
        burst = settings.NEUROSEQ_LOGIN_ADDRESS_BURST
        interval = settings.NEUROSEQ_LOGIN_ADDRESS_INTERVAL
        wait = throttle.wait_seconds(key, burst=burst, interval=interval)
        if wait:
            response = render(request, "registration/slowed_down.html", {"wait": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response
        throttle.spend(key, burst=burst, interval=interval)
        try:
            accounts.request_password_reset(form.cleaned_data["email"], link_builder(request), ip)
        except ValidationError:
            log.exception("password reset email could not be sent")
        return render(request, "registration/password_reset_sent.html")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/password_reset.html", {"form": form}, status=status)


@never_cache
@sensitive_post_parameters()
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # This session goes on; every other session of the account ends.
        update_session_auth_hash(request, user)
        accounts.log_event(actor(request), "auth.password_changed")
        messages.success(request, "Password changed.")
        return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/password_change.html", {"form": form}, status=status)
