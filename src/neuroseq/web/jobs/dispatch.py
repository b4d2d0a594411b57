"""Hand a committed job to whatever runs jobs here: Celery (REDIS_URL set) or threads."""

from __future__ import annotations

import logging

from django.conf import settings

from neuroseq.web.services import jobs as service

log = logging.getLogger(__name__)

QUEUE_DOWN = (
    "The job queue could not be reached, so this job never started. Try again in a few "
    "minutes; if it keeps happening, tell your administrator (the worker or Redis is down)."
)


def uses_celery() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def dispatch(job_id: str) -> None:
    """Queue the job. Runs after the commit; a queue that is down fails the job, never the page."""
    if not uses_celery():
        from neuroseq.web.jobs import in_process

        in_process.submit_after_request(job_id)
        return
    from neuroseq.web.jobs.celery import run_job

    try:
        run_job.apply_async(args=[job_id], task_id=job_id, retry=False)
    except Exception:  # kombu/redis raise their own connection errors
        log.exception("could not queue job %s", job_id)
        service.fail(job_id, QUEUE_DOWN)
