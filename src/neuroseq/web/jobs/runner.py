"""Run one attempt of a job, whatever carries it (a Celery worker or an in-process thread).

Retries: a retry-safe kind that hits a temporary error (the database connection dropped,
the database was busy) goes back to the queue, up to ``MAX_ATTEMPTS`` attempts in all,
with a growing pause. A job found ``running`` when it is delivered again was interrupted
(its worker died); a retry-safe kind starts over, any other kind fails and says so.
"""

from __future__ import annotations

import enum
import logging

from django.db import DatabaseError, InterfaceError, OperationalError, connections

from neuroseq.web.jobs.context import JobContext
from neuroseq.web.jobs.registry import JobError, get_kind
from neuroseq.web.models import Job, JobStatus
from neuroseq.web.services import jobs as service

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
TEMPORARY = (OperationalError, InterfaceError)
UNEXPECTED = (
    "An unexpected error stopped this job. It has been logged for the administrators "
    "(job {job_id}); starting the job again may work."
)


class Attempt(enum.Enum):
    DONE = "done"  # succeeded or failed for good
    RETRY = "retry"  # a temporary error: run again after a pause
    SKIPPED = "skipped"  # already finished (a duplicate delivery) or gone


def backoff_seconds(attempt: int) -> float:
    """Pause before attempt ``attempt + 1``: 2 s, 8 s, 32 s..."""
    return float(2 * 4 ** max(0, attempt - 1))


def _close_connections() -> None:
    """Close this thread's database connections, except one a caller's transaction still
    uses (a job run inside ``atomic``, as in a test, must not lose its transaction)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close()


def execute(job_id: str) -> Attempt:
    try:
        return _execute(job_id)
    finally:
        # Each attempt uses fresh connections: a worker thread or process may wait a
        # long time between jobs, and a broken connection must not outlive its attempt.
        _close_connections()


def _execute(job_id: str) -> Attempt:
    interrupted = Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).exists()
    job = service.claim(job_id)
    if job is None:
        return Attempt.SKIPPED
    try:
        kind = get_kind(job.kind)
    except KeyError:
        service.fail(job_id, f"This kind of job ({job.kind}) is no longer available.")
        return Attempt.DONE
    if interrupted and not kind.retry_safe:
        service.fail(
            job_id,
            "This job was interrupted (its worker stopped) and is not safe to "
            "run twice. Check its effects, then start it again.",
        )
        return Attempt.DONE
    try:
        params = kind.params.model_validate(job.params)
        outcome = kind.run(JobContext(job, params))
        service.succeed(job, outcome)
    except JobError as exc:
        log.warning("job %s (%s) failed: %s", job_id, job.kind, exc)
        service.fail(job_id, str(exc))
    except TEMPORARY as exc:
        if kind.retry_safe and job.attempts < MAX_ATTEMPTS:
            log.warning("job %s (%s) attempt %d: %s; retrying", job_id, job.kind, job.attempts, exc)
            _close_connections()
            service.requeue(job_id, type(exc).__name__)
            return Attempt.RETRY
        log.exception("job %s (%s) failed after %d attempts", job_id, job.kind, job.attempts)
        _close_connections()
        service.fail(job_id, UNEXPECTED.format(job_id=job_id))
    except (Exception, DatabaseError):
        log.exception("job %s (%s) failed", job_id, job.kind)
        _close_connections()
        service.fail(job_id, UNEXPECTED.format(job_id=job_id))
    return Attempt.DONE
