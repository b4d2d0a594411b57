"""Who may do what, and which records they may see. Mirrors docs/permissions.md.

Every view and service asks ``can(...)`` for the action and fetches records through
``visible_clients``/``visible_assessments``, so scoping lives in one place. A record
outside the user's scope does not exist for them (404), whatever its id.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from neuroseq.web.models import Assessment, Client, Membership, Role, User

ADMIN, SUPERVISOR, CLINICIAN, TRAINEE, VIEWER = (
    Role.ORG_ADMIN,
    Role.SUPERVISOR,
    Role.CLINICIAN,
    Role.TRAINEE,
    Role.VIEWER,
)

#: action -> roles allowed. The table in docs/permissions.md is this dict, in words.
MATRIX: dict[str, frozenset[str]] = {
    "client.list": frozenset({ADMIN, SUPERVISOR, CLINICIAN, TRAINEE}),
    "client.view": frozenset({ADMIN, SUPERVISOR, CLINICIAN, TRAINEE}),
    "client.view_plain": frozenset({ADMIN, SUPERVISOR, CLINICIAN, TRAINEE, VIEWER}),
    "client.create": frozenset({ADMIN, SUPERVISOR, CLINICIAN}),
    "client.edit": frozenset({ADMIN, SUPERVISOR, CLINICIAN}),
    "client.link_viewer": frozenset({ADMIN, SUPERVISOR}),
    "assessment.view": frozenset({ADMIN, SUPERVISOR, CLINICIAN, TRAINEE}),
    "assessment.create": frozenset({SUPERVISOR, CLINICIAN, TRAINEE}),
    "assessment.edit_draft": frozenset({SUPERVISOR, CLINICIAN, TRAINEE}),
    "assessment.submit": frozenset({SUPERVISOR, CLINICIAN, TRAINEE}),
    "assessment.sign": frozenset({SUPERVISOR}),
    "assessment.return": frozenset({SUPERVISOR}),
    "assessment.release": frozenset({SUPERVISOR, CLINICIAN}),
    "assessment.amend": frozenset({SUPERVISOR, CLINICIAN}),
    "audit.view": frozenset({ADMIN}),
    "members.manage": frozenset({ADMIN}),
    "export.record": frozenset({ADMIN, SUPERVISOR, CLINICIAN}),
    "export.cohort": frozenset({ADMIN, SUPERVISOR, CLINICIAN}),
    "export.research": frozenset({ADMIN}),
    "api.tokens": frozenset({ADMIN, SUPERVISOR, CLINICIAN, TRAINEE, VIEWER}),
    "job.view": frozenset({ADMIN, SUPERVISOR, CLINICIAN, TRAINEE}),
    "export.cohort_scores": frozenset({ADMIN, SUPERVISOR, CLINICIAN}),
    "analytics.view": frozenset({ADMIN, SUPERVISOR}),
    "staffing.view": frozenset({ADMIN, SUPERVISOR, CLINICIAN, TRAINEE}),
    "staffing.rate": frozenset({SUPERVISOR, CLINICIAN, TRAINEE}),
    "staffing.lead": frozenset({SUPERVISOR}),
    "training.use": frozenset({SUPERVISOR, CLINICIAN, TRAINEE}),
    "training.train": frozenset({ADMIN, SUPERVISOR, CLINICIAN}),
    "fidelity.view": frozenset({ADMIN}),
}
ACTIONS = tuple(MATRIX)

#: How every route declares who may use it (tests/web/test_route_permissions.py checks all):
#: a page view through ``views.common.clinic_view("<action>")``, an API operation through
#: ``openapi_extra`` (see api.py), the Django admin by being the admin (platform staff), and
#: the routes below by their URL name, listed here and nowhere else.
PUBLIC_ROUTES = frozenset(
    {
        "health",
        "login",
        "admin_login",
        "activate",
        "activate_link",
        "password_reset",
        "password_reset_new",
        "password_reset_link",
    }
)
#: Any signed-in account, whatever its role: these pages show no child's data.
ACCOUNT_ROUTES = frozenset(
    {"home", "logout", "two_factor_setup", "two_factor_verify", "password_change"}
)


class NotAllowed(PermissionDenied):
    """The user's role does not allow this action (shown as 403)."""

    def __init__(self, action: str):
        super().__init__(f"your role does not allow {action}")
        self.action = action


def membership_of(user: User | None) -> Membership | None:
    """The active membership of an authenticated, active user, else None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        membership = user.membership
    except Membership.DoesNotExist:
        return None
    return membership if membership.is_active else None


def can(user: User | None, action: str) -> bool:
    if action not in MATRIX:
        raise KeyError(f"unknown action {action!r}")
    membership = membership_of(user)
    return membership is not None and membership.role in MATRIX[action]


def require(user: User | None, action: str) -> Membership:
    membership = membership_of(user)
    if membership is None or membership.role not in MATRIX[action]:
        raise NotAllowed(action)
    return membership


def visible_clients(user: User | None) -> QuerySet[Client]:
    """Clients this user may see at all: the organisation, then care team or viewer link."""
    membership = membership_of(user)
    if membership is None:
        return Client.objects.none()
    clients = Client.objects.filter(organisation_id=membership.organisation_id)
    if membership.role == Role.ORG_ADMIN:
        return clients
    if membership.role == Role.VIEWER:
        return clients.filter(viewers=membership)
    return clients.filter(care_team__members=membership)


def visible_assessments(user: User | None) -> QuerySet[Assessment]:
    membership = membership_of(user)
    if membership is None or membership.role == Role.VIEWER:
        # Viewers read the plain-language page of a child, never an assessment record.
        return Assessment.objects.none()
    return Assessment.objects.filter(client__in=visible_clients(user))


def get_client(user: User | None, pk: object) -> Client:
    try:
        return visible_clients(user).select_related("care_team", "organisation").get(pk=pk)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise Http404("no such client") from None


def get_assessment(user: User | None, pk: object) -> Assessment:
    try:
        return (
            visible_assessments(user)
            .select_related(
                "client", "client__care_team", "client__organisation", "signed_by", "created_by"
            )
            .get(pk=pk)
        )
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("no such assessment") from None
