"""Start jobs and record what happens to them; every change is in the audit trail.

``start_job`` runs in the request: it checks the kind's permission and parameters,
creates the ``Job`` row and hands its id to the queue after the transaction commits, so
the request returns at once. The runner (``neuroseq.web.jobs.runner``) calls the other
functions here as the job moves on.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel
from pydantic import ValidationError as ParamsError

from neuroseq.web.jobs.registry import JobKind, JobOutcome, get_kind
from neuroseq.web.models import Job, JobStatus
from neuroseq.web.permissions import require
from neuroseq.web.services.audit import Actor, record

log = logging.getLogger(__name__)
SYSTEM = Actor.system("jobs")


def parse_params(kind: JobKind, raw: dict[str, Any]) -> BaseModel:
    """The kind's parameters, or a ValidationError naming each bad field."""
    try:
        return kind.params.model_validate(raw)
    except ParamsError as exc:
        errors: dict[str, list[str]] = {}
        for problem in exc.errors():
            name = ".".join(str(part) for part in problem["loc"]) or "params"
            errors.setdefault(name, []).append(problem["msg"])
        raise ValidationError(errors) from None


def start_job(actor: Actor, kind_name: str, raw_params: dict[str, Any] | None = None) -> Job:
    """Create a queued job for ``actor`` and queue it once this transaction commits."""
    if actor.user is None:
        raise ValueError("actor: jobs belong to a signed-in user")
    try:
        kind = get_kind(kind_name)
    except KeyError:
        raise ValidationError({"kind": f"no job kind {kind_name!r}"}) from None
    membership = require(actor.user, kind.permission)
    params = parse_params(kind, raw_params or {})
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind.name,
            owner=actor.user,
            organisation=membership.organisation,
            params=params.model_dump(mode="json"),
        )
        record(
            actor,
            "job.start",
            organisation=membership.organisation,
            object_type="job",
            object_id=job.pk,
            details={"kind": kind.name, "params": job.params},
        )
        from neuroseq.web.jobs.dispatch import dispatch

        transaction.on_commit(partial(dispatch, str(job.pk)))
    return job


def claim(job_id: str) -> Job | None:
    """Mark a job running for a new attempt; None if it is finished (a duplicate delivery)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        job.status, job.attempts = JobStatus.RUNNING, job.attempts + 1
        job.started_at = job.started_at or timezone.now()
        job.updated_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at", "updated_at"])
    return Job.objects.select_related("owner", "organisation").get(pk=job_id)


def succeed(job: Job, outcome: JobOutcome) -> Job:
    with transaction.atomic():
        job.status, job.progress = JobStatus.SUCCEEDED, 100
        job.message, job.alert, job.details = outcome.message, outcome.alert, outcome.details
        job.finished_at = job.updated_at = timezone.now()
        job.save()
        _audit(job, "job.succeed", message=outcome.message, alert=outcome.alert)
    return job


def fail(job_id: str, error: str) -> None:
    """Mark a job failed with a message for its owner (never a stack trace)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        job.status, job.error = JobStatus.FAILED, error
        job.finished_at = job.updated_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at", "updated_at"])
        _audit(job, "job.fail", error=error, attempts=job.attempts)


def requeue(job_id: str, reason: str) -> None:
    """After a temporary error: back to the queue, to be tried again."""
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.QUEUED,
        progress_note=f"retrying after a temporary error: {reason}"[:200],
        updated_at=timezone.now(),
    )


def record_download(actor: Actor, job: Job) -> None:
    record(
        actor,
        "job.download",
        organisation=job.organisation,
        object_type="job",
        object_id=job.pk,
        details={"kind": job.kind, "file": job.result_name, "bytes": job.result_size},
    )


def _audit(job: Job, action: str, **details: Any) -> None:
    record(
        SYSTEM,
        action,
        organisation=job.organisation,
        object_type="job",
        object_id=job.pk,
        details={"kind": job.kind, "owner": job.owner.email, **details},
    )
