"""The Celery application: ``celery -A neuroseq.web.jobs.celery worker`` (docs/deployment.md).

Configured from Django's settings (``CELERY_*``, set from ``REDIS_URL``). One task runs
every kind of job by id; the job's kind lives in its ``Job`` row.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neuroseq.web.settings")

app = Celery("neuroseq")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(name="neuroseq.run_job", bind=True, max_retries=None)
def run_job(self: Any, job_id: str) -> str:
    from neuroseq.web.jobs.runner import Attempt, backoff_seconds, execute

    result = execute(job_id)
    if result is Attempt.RETRY:
        raise self.retry(countdown=backoff_seconds(self.request.retries + 1))
    return result.value
