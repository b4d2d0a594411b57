"""Jobs without a broker (the laptop, the demo): a small thread pool in the web process.

The request that starts a job returns at once; the job runs in a pool thread, with its own
database connection, once the request has finished (after its transaction committed and
its response went out, so the job never competes with that request for the database).
Jobs in the pool do not survive a restart of the process: a job left ``running`` or
``queued`` then keeps that status (start it again). Production uses Celery workers
instead (docs/deployment.md).
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.conf import settings
from django.core.signals import request_finished, request_started

from neuroseq.web.jobs.runner import MAX_ATTEMPTS, Attempt, backoff_seconds, execute

log = logging.getLogger(__name__)
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pending: set[Future[None]] = set()
_local = threading.local()  # jobs started by the request this thread is serving


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=max(1, settings.NEUROSEQ_JOB_THREADS), thread_name_prefix="neuroseq-job"
            )
        return _pool


def _run(job_id: str) -> None:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            result = execute(job_id)
        except Exception:  # never let a thread die silently
            log.exception("job %s: the runner itself failed", job_id)
            return
        if result is not Attempt.RETRY:
            return
        time.sleep(backoff_seconds(attempt))


def submit(job_id: str) -> Future[None]:
    future = _executor().submit(_run, job_id)
    with _lock:
        _pending.add(future)
    future.add_done_callback(lambda done: _pending.discard(done))
    return future


def submit_after_request(job_id: str) -> None:
    """Run the job once the current request has finished (at once outside a request)."""
    if getattr(_local, "waiting", None) is not None:
        _local.waiting.append(job_id)
    else:
        submit(job_id)


def _request_started(**_: object) -> None:
    _local.waiting = []


def _request_finished(**_: object) -> None:
    waiting, _local.waiting = getattr(_local, "waiting", None) or [], None
    for job_id in waiting:
        submit(job_id)


request_started.connect(_request_started, dispatch_uid="neuroseq-jobs-request-started")
request_finished.connect(_request_finished, dispatch_uid="neuroseq-jobs-request-finished")


def wait_for_all(timeout: float) -> bool:
    """Wait until every submitted job has finished (for tests and orderly shutdown)."""
    with _lock:
        pending = set(_pending)
    _, not_done = wait(pending, timeout=timeout)
    return not not_done
