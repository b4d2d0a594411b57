"""Sign in (email + password, lockout by django-axes), sign out, TOTP enrolment and check."""

from __future__ import annotations

import math
from typing import Any

import qrcode
import qrcode.image.svg
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login

from neuroseq.web.addresses import client_ip
from neuroseq.web.forms import EmailLoginForm, TokenForm
from neuroseq.web.models import User
from neuroseq.web.models.accounts import normalise_email
from neuroseq.web.permissions import membership_of
from neuroseq.web.services import accounts, throttle
from neuroseq.web.views.common import actor

KNOWN_DEVICE_COOKIE = "neuroseq_known_device"
KNOWN_DEVICE_SALT = "neuroseq.known-device"


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The email django-axes counts failures for: the one that was tried, normalised."""
    source = credentials or getattr(request, "POST", {})
    return normalise_email(source.get("username") or source.get("email"))[:254]


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' lockout page: which email, from where, and for how many more minutes."""
    email = axes_username(request, credentials)
    attempt = (
        AccessAttempt.objects.filter(username=email, ip_address=client_ip(request))
        .order_by("-attempt_time")
        .first()
    )
    cool_off = settings.AXES_COOLOFF_TIME
    remaining = cool_off if attempt is None else attempt.attempt_time + cool_off - timezone.now()
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    context = {"email": email, "minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=429)


def _known_device(request: HttpRequest, email: str) -> bool:
    """This browser signed in to this account before (OWASP's "device cookie")."""
    value = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not value or not email:
        return False
    max_age = settings.NEUROSEQ_KNOWN_DEVICE_DAYS * 86400
    try:
        user_id = signing.loads(value, salt=KNOWN_DEVICE_SALT, max_age=max_age)
    except signing.BadSignature:
        return False
    return User.objects.filter(pk=user_id, email=email).exists()


class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = normalise_email(request.POST.get("username"))
        if not _known_device(request, email):
            wait = throttle.wait_seconds(
                throttle.login_key(client_ip(request)),
                burst=settings.NEUROSEQ_LOGIN_ADDRESS_BURST,
                interval=settings.NEUROSEQ_LOGIN_ADDRESS_INTERVAL,
            )
            if wait:
                accounts.log_event(actor(request), "auth.throttled", email=email[:254], wait=wait)
                response = render(
                    request, "registration/slowed_down.html", {"wait": wait}, status=429
                )
                response["Retry-After"] = str(wait)
                return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        response.set_cookie(
            KNOWN_DEVICE_COOKIE,
            signing.dumps(form.get_user().pk, salt=KNOWN_DEVICE_SALT),
            max_age=settings.NEUROSEQ_KNOWN_DEVICE_DAYS * 86400,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg: str = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-title" ', 1).replace(
        ">", '><title id="qr-title">QR code for your authenticator app</title>', 1
    )


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if any(True for _ in devices_for_user(request.user, confirmed=True)):
        return redirect(f"{reverse('two_factor_verify')}?next={_next(request)}")
    if not accounts.may_enrol(request.user):  # type: ignore[arg-type]
        return render(request, "registration/two_factor_needs_activation.html", status=403)
    device = accounts.pending_device(request.user)  # type: ignore[arg-type]
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if accounts.confirm_device(actor(request), device, form.cleaned_data["token"]):
            otp_login(request, device)
            return HttpResponseRedirect(_next(request))
        form.add_error("token", "That code is not right. Codes change every 30 seconds.")
    uri = device.config_url
    return render(
        request,
        "registration/two_factor_setup.html",
        {"form": form, "uri": uri, "qr": qr_svg(uri), "next": _next(request)},
    )


@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if not any(True for _ in devices_for_user(request.user, confirmed=True)):
        return redirect(f"{reverse('two_factor_setup')}?next={_next(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].replace(" ", "")
        device = match_token(request.user, token)
        if device is not None:
            otp_login(request, device)
            accounts.log_event(actor(request), "auth.2fa_verified")
            return HttpResponseRedirect(_next(request))
        accounts.log_event(actor(request), "auth.2fa_failed")
        form.add_error("token", "That code is not right. Codes change every 30 seconds.")
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)}
    )


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    membership = membership_of(request.user)  # type: ignore[arg-type]
    if membership is None and request.user.is_staff:
        return redirect("admin:index")  # platform staff: the read-only admin
    if membership is None:
        return render(request, "no_membership.html", status=403)
    if membership.role == "viewer":
        return redirect("my_children")
    return redirect("client_list")


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin signs in through the normal page; a signed-in non-staff user is refused."""
    if request.user.is_authenticated:
        raise PermissionDenied("the admin is for platform staff")
    return redirect(f"{reverse('login')}?next={reverse('admin:index')}")


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers: the process is up (no database or session touched)."""
    return HttpResponse("ok", content_type="text/plain")
