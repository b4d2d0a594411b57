"""Helpers every view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse

from neuroseq.web.permissions import require
from neuroseq.web.services.audit import Actor, record_denied

View = Callable[..., HttpResponse]


def clinic_view(action: str) -> Callable[[View], View]:
    """Signed in (else to login) and the role allows ``action`` (else 403).

    This is how a page declares its permission: the action is kept on the view as
    ``view.neuroseq_action``, which the generated permission test
    (tests/web/test_route_permissions.py) reads for every URL pattern. A refusal, 403 or
    404 (a record outside the user's scope), is audited with the route and the ids asked for.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                require(request.user, action)  # type: ignore[arg-type]
                return view(request, *args, **kwargs)
            except Http404:
                record_denied(request, 404, action)
                raise
            except PermissionDenied:
                record_denied(request, 403, action)
                raise

        wrapper.neuroseq_action = action  # type: ignore[attr-defined]
        return wrapper

    return decorate


def actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


def attach_errors(form: Form, error: ValidationError) -> None:
    """Put a service's field errors on the form fields (or on the form if no such field)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else None
            for item in errors:
                for message in item.messages:
                    form.add_error(target, f"{name}: {message}" if target is None else message)
    else:
        for message in error.messages:
            form.add_error(None, message)
