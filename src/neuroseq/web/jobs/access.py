"""Which jobs a user sees: only their own, in their current organisation (else 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from neuroseq.web.models import Job, User
from neuroseq.web.permissions import membership_of


def visible_jobs(user: User | None) -> QuerySet[Job]:
    membership = membership_of(user)
    if membership is None:
        return Job.objects.none()
    return Job.objects.filter(owner=user, organisation_id=membership.organisation_id)


def get_job(user: User | None, pk: object) -> Job:
    try:
        return visible_jobs(user).select_related("organisation").get(pk=pk)
    except (Job.DoesNotExist, ValueError, TypeError):
        raise Http404("no such job") from None
