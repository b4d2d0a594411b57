"""The Django admin as a read-only, audited window for platform staff.

``ReadOnlyAdminSite`` is the project's default admin site (``ReadOnlyAdminConfig`` in
settings), so *every* ``admin.site.register(...)``, ours or a library's (django-otp,
django-axes), is wrapped by ``ReadOnlyMixin``: no add, change or delete for anyone
(superuser or not), no bulk actions, and none of the extra views a library adds (django-otp's
TOTP QR-code pages). Fields that hold secrets are never shown. Every admin page view is
written to the audit trail. ``tests/web/test_admin.py`` fails if a registered model can be
written through the admin.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern

#: Field names never shown in the admin (TOTP keys, password hashes, tokens).
SECRET_FIELDS = frozenset({"key", "password", "secret", "token", "token_hash", "bin_key"})


class ReadOnlyMixin:
    """Put in front of any ModelAdmin: view only, for active staff, without secrets."""

    actions: Sequence[Any] | None = None

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    def get_urls(self) -> list[URLPattern]:
        # Only Django's standard views: a library's extra admin views (e.g. a QR code of a
        # TOTP secret) are not reachable.
        return admin.ModelAdmin.get_urls(self)  # type: ignore[arg-type]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        return [f for f in fields if f not in SECRET_FIELDS]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in SECRET_FIELDS]})
            for name, opts in fieldsets
        ]

    def get_list_display(self, request: HttpRequest) -> Sequence[Any]:
        shown = super().get_list_display(request)  # type: ignore[misc]
        return [f for f in shown if f not in SECRET_FIELDS]


class ReadOnlyAdminSite(admin.AdminSite):
    site_header = "neuroseq platform admin (read-only)"
    site_title = "neuroseq admin"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, ReadOnlyMixin):
            base = type(f"ReadOnly{base.__name__}", (ReadOnlyMixin, base), {})
        super().register(model_or_iterable, base, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def admin_view(self, view: Callable[..., HttpResponse], cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def audited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = inner(request, *args, **kwargs)
            if request.user.is_authenticated:
                from neuroseq.web.services.audit import Actor, record

                record(
                    Actor.from_request(request),
                    "admin.view",
                    details={
                        "path": request.path[:300],
                        "method": request.method,
                        "status": response.status_code,
                    },
                )
            return response

        return update_wrapper(audited, inner)


class ReadOnlyAdminConfig(AdminConfig):
    default_site = "neuroseq.web.admin_site.ReadOnlyAdminSite"
