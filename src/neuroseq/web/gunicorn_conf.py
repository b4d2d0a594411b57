"""gunicorn settings for the clinic app, each from an environment variable.

    gunicorn neuroseq.web.wsgi:application --config python:neuroseq.web.gunicorn_conf

See docs/deployment.md ("Production server") for the reverse proxy in front of it.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name}: expected a whole number, got {raw!r}") from None


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request holds one worker; pages are CPU-bound, so about 2 per core.
workers = _int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
timeout = _int("GUNICORN_TIMEOUT", 60)  # long work is a background job, never a request
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Only the reverse proxy on these addresses may say a request came over HTTPS
# (X-Forwarded-Proto); anyone else saying so is ignored.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
limit_request_line = 8190
limit_request_fields = 100
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files off the disk (slow disks time workers out)
