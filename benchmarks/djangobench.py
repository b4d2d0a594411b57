"""Shared by the web benchmarks: a scratch SQLite database and in-process page timing.

Each web benchmark measures in one process with Django's test client (no network, no
server), against its own SQLite file under ``var/bench/``. Call ``setup(path)`` before
importing anything from ``neuroseq.web``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"


def setup(database: Path, *, fresh: bool = True) -> None:
    """Configure Django on ``database`` (deleted first if ``fresh``) and migrate it."""
    database.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neuroseq.web.settings")
    os.environ.setdefault("NEUROSEQ_HTTPS", "0")
    os.environ.setdefault("NEUROSEQ_STATIC_MANIFEST", "0")  # no collectstatic for a bench
    import warnings

    import django
    from django.conf import settings

    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")
    from django.core.management import call_command

    django.setup()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)


def signed_in(user: Any) -> Any:
    """A test client signed in as ``user`` with a verified second factor."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    http = Client()
    http.force_login(user)
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return http


def get_ok(http: Any, url: str) -> Callable[[], Any]:
    def fetch() -> Any:
        response = http.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        return response

    return fetch


def p50_seconds(work: Callable[[], Any], repeat: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        work()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_second(work: Callable[[], Any], seconds: float = 2.0, warmup: int = 3) -> float:
    for _ in range(warmup):
        work()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        work()
        count += 1
    return count / elapsed


def query_count(work: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        work()
    return len(queries.captured_queries)


def seed_then_measure(
    script: str,
    sizes: tuple[int, ...] | list[int],
    *,
    database: Callable[[int], Path],
    seeded: Callable[[Path], bool],
    seed: Callable[[int], Any],
    measure: Callable[[], Any],
    noun: str,
) -> dict[str, Any] | None:
    """Seed each scratch database (reused when already seeded) and measure them all, each
    step in a fresh process of ``script`` so one Django setup never sees two databases.

    Called from a bench script's ``main``: as ``script --seed N`` or ``script --measure`` it
    does that step, prints its JSON and returns None; otherwise it returns the measurements.
    """
    if len(sys.argv) == 3 and sys.argv[1] == "--seed":
        print(json.dumps(seed(int(sys.argv[2]))))
        return None
    if len(sys.argv) == 2 and sys.argv[1] == "--measure":
        print(json.dumps(measure()))
        return None
    for n in sizes:
        if seeded(database(n)):
            print(f"{n:>7,} {noun}: reusing {database(n)} (same seed, same migrations)")
            continue
        done = subprocess.run(
            [sys.executable, script, "--seed", str(n)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"seeding {n:,} {noun} failed:\n{done.stderr[-3000:]}")
        print(f"{n:>7,} {noun}: seeded in {float(done.stdout.strip().splitlines()[-1]):.0f} s")
    done = subprocess.run(
        [sys.executable, script, "--measure"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"measuring failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
