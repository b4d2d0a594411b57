"""Optimistic concurrency for draft updates: an ETag per stored version of a draft.

The ETag is the assessment's version and the microsecond of its last change. A PUT with
``If-Match`` updates only if the draft is still that one (checked under the row lock);
otherwise it answers 409 with both values. Without ``If-Match`` the update proceeds.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from neuroseq.web.api_v1.problems import Conflict
from neuroseq.web.models import Assessment
from neuroseq.web.services import assessments as service
from neuroseq.web.services.audit import Actor


def etag(assessment: Any) -> str:
    stamp = int(assessment.updated_at.timestamp() * 1_000_000)
    return f'"{assessment.pk}-{assessment.version}-{stamp}"'


def update_if_match(
    actor: Actor, assessment: Assessment, inputs: Any, if_match: str | None
) -> Assessment:
    with transaction.atomic():
        locked = Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)
        current = etag(locked)
        wanted = [t.strip() for t in (if_match or "").split(",") if t.strip()]
        if wanted and "*" not in wanted and current not in wanted:
            raise Conflict(", ".join(wanted), current)
        return service.update_draft(actor, locked, inputs)
