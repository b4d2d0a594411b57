"""Jobs without a broker (the laptop, the demo): a small thread pool in the web process.

The request that starts a job returns at once; the job runs in a pool thread after the
request's transaction commits, with its own database connection. Jobs in the pool do not
survive a restart of the process: a job left ``running`` or ``queued`` then keeps that
status (start it again). Production uses Celery workers instead (docs/deployment.md).
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.conf import settings

from neuroseq.web.jobs.runner import MAX_ATTEMPTS, Attempt, backoff_seconds, execute

log = logging.getLogger(__name__)
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pending: set[Future[None]] = set()


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


def wait_for_all(timeout: float) -> bool:
    """Wait until every submitted job has finished (for tests and orderly shutdown)."""
    with _lock:
        pending = set(_pending)
    _, not_done = wait(pending, timeout=timeout)
    return not not_done
