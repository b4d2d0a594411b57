"""Django admin for platform staff: read-only, and without children's records.

Every write goes through the services (which audit it), and every read of a client's
record is audited by the pages; the admin could do neither, so it shows only
organisations, accounts, teams, the audit trail, sign-in lockouts and which accounts have
an authenticator (never its secret), and changes nothing. ``admin_site.ReadOnlyAdminSite``
makes every registration read-only and audits every admin page view.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from neuroseq.web.models import AuditEvent, CareTeam, Membership, Organisation, User

# Permissions come from roles in memberships (permissions.py), not from Django groups.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "synthetic", "created_at"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "is_active", "is_staff", "is_demo", "last_login"]
    search_fields = ["email", "full_name"]
    exclude = ["password", "user_permissions", "groups"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["organisation", "role", "is_active"]


@admin.register(CareTeam)
class CareTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "created_at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["actor_label", "action"]


# django-otp's own admin shows the key and a QR code of it; this one shows who has an
# authenticator and when it was last used, nothing that could rebuild the secret.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
