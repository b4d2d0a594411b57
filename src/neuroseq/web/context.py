"""Template context shared by every page: demo banner, the user's role, navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from neuroseq.web.permissions import can, membership_of


def clinic(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    membership = membership_of(user) if user is not None else None  # type: ignore[arg-type]
    return {
        "demo_mode": settings.DEMO,
        "membership": membership,
        "role_label": role_label(membership),
        "nav": {
            "clients": membership is not None and can(user, "client.list"),  # type: ignore[arg-type]
            "children": membership is not None and membership.role == "viewer",
            "audit": membership is not None and can(user, "audit.view"),  # type: ignore[arg-type]
            "members": membership is not None and can(user, "members.manage"),  # type: ignore[arg-type]
            "jobs": membership is not None and can(user, "job.view"),  # type: ignore[arg-type]
            "analytics": membership is not None and can(user, "analytics.view"),  # type: ignore[arg-type]
            "staffings": membership is not None and can(user, "staffing.rate"),  # type: ignore[arg-type]
            "training": membership is not None
            and (can(user, "training.use") or can(user, "training.train")),  # type: ignore[arg-type]
            "fidelity": membership is not None and can(user, "fidelity.view"),  # type: ignore[arg-type]
        },
    }


def role_label(membership: Any) -> str:
    """The header's role: "Caregiver" or "Teacher" for a viewer, from their links (a person
    linked both ways reads both), else the role's name."""
    if membership is None:
        return ""
    if membership.role != "viewer":
        return str(membership.get_role_display())
    from neuroseq.web.models import ViewerKind, ViewerLink

    kinds = set(ViewerLink.objects.filter(membership=membership).values_list("kind", flat=True))
    words = [str(k.label) for k in (ViewerKind.CAREGIVER, ViewerKind.TEACHER) if k in kinds]
    return " and ".join(words) or "Caregiver"
