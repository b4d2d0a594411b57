"""``make load``: 20 simulated clinicians for 60 s against gunicorn on PostgreSQL.

Starts the production stack (``neuroseq.web.localserve``: gunicorn with the documented
settings, PostgreSQL, the labelled-synthetic demo) on a scratch database, signs in the
demo clinicians (supervisor, clinician and trainee of both organisations; several
simulated people share a login, each with their own session), and each of them, until
the time is up: lists and searches clients, opens a client's page and an assessment's
page, and rates and saves a draft assessment. Prints requests, errors (goal 0), p50 and
p95 per action and overall; then stops the server and drops the scratch database.

Environment: ``LOAD_DATABASE_URL`` (default ``.../neuroseq_load``), ``LOAD_BIND``
(``127.0.0.1:8002``), ``LOAD_USERS`` (20), ``LOAD_SECONDS`` (60), ``WEB_CONCURRENCY`` (3).
Only 127.0.0.1 is ever a target. Not part of CI.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import django
import httpx

from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.web import localserve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neuroseq.web.settings")
django.setup()  # only to read the demo's logins; the server runs in its own processes
from neuroseq.web.demo import DEMO_PASSWORD  # noqa: E402

LOGINS = [
    f"{role}@{org}.example"
    for org in ("riverside", "hilltop")
    for role in ("supervisor", "clinician", "trainee")
]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ROW = re.compile(
    r'href="/clients/(\d+)/">.*?</td>\s*<td>.*?</td>\s*<td>(\d{4}-\d{2}-\d{2})</td>', re.S
)
SEARCHES = ["a", "RS-00", "HT-01", "en", "zz-no-match"]


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, action: str, seconds: float, problem: str | None) -> None:
        self.times[action].append(seconds)
        if problem:
            self.errors[action].append(problem)


class Clinician:
    def __init__(self, http: httpx.AsyncClient, email: str, tally: Tally, rng: random.Random):
        self.http, self.email, self.tally, self.rng = http, email, tally, rng
        self.clients: list[str] = []
        self.birth_dates: dict[str, date] = {}
        self.assessments: list[str] = []

    async def request(
        self, action: str, method: str, url: str, expect: int = 200, **kwargs: object
    ) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response = await self.http.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            self.tally.add(action, time.perf_counter() - start, f"{type(exc).__name__}")
            return None
        problem = None if response.status_code == expect else f"HTTP {response.status_code}"
        self.tally.add(action, time.perf_counter() - start, problem)
        return response

    async def sign_in(self) -> None:
        page = await self.request("sign in", "GET", "/accounts/login/")
        token = TOKEN.search(page.text).group(1) if page is not None else ""
        await self.request(
            "sign in",
            "POST",
            "/accounts/login/",
            expect=302,
            data={"username": self.email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        )

    async def list_clients(self) -> None:
        params = {"page": str(self.rng.randint(1, 4))}
        if self.rng.random() < 0.4:
            params = {"q": self.rng.choice(SEARCHES)}
        page = await self.request("list / search clients", "GET", "/clients/", params=params)
        if page is not None:
            found = ROW.findall(page.text)
            self.clients = [pk for pk, _ in found] or self.clients
            self.birth_dates.update((pk, date.fromisoformat(day)) for pk, day in found)

    async def view_client(self) -> None:
        if not self.clients:
            return await self.list_clients()
        page = await self.request(
            "client page", "GET", f"/clients/{self.rng.choice(self.clients)}/"
        )
        if page is not None:
            self.assessments = re.findall(r'href="/assessments/(\d+)/"', page.text) or (
                self.assessments
            )

    async def view_assessment(self) -> None:
        if not self.assessments:
            return await self.view_client()
        pk = self.rng.choice(self.assessments)
        await self.request("assessment page", "GET", f"/assessments/{pk}/")

    async def rate_and_save_draft(self) -> None:
        """Rate every function and save the ratings as a new draft (today's only editor).

        Only for children the instrument covers today (under 18); the draft holds the
        functional review and current relational health, no history.
        """
        today = date.today()
        children = [pk for pk in self.clients if (today - self.birth_dates[pk]).days < 17 * 365]
        if not children:
            return await self.list_clients()
        client = self.rng.choice(children)
        form = await self.request(
            "rate and save draft", "GET", f"/clients/{client}/assessments/new/"
        )
        if form is None or not TOKEN.search(form.text):
            return
        inputs = copy.deepcopy(WORKED_EXAMPLE)
        for part in ("client", "synthetic", "adversities", "relational_history"):
            inputs.pop(part, None)
        inputs["assessment_date"] = today.isoformat()
        inputs["functional"] = {
            f: self.rng.choice([0, 1, 2, 3, None]) for f in inputs["functional"]
        }
        await self.request(
            "rate and save draft",
            "POST",
            f"/clients/{client}/assessments/new/",
            expect=302,
            data={
                "inputs": json.dumps(inputs),
                "csrfmiddlewaretoken": TOKEN.search(form.text).group(1),
            },
        )

    async def work(self, deadline: float) -> None:
        await self.sign_in()
        actions = [
            (self.list_clients, 3),
            (self.view_client, 3),
            (self.view_assessment, 3),
            (self.rate_and_save_draft, 1),
        ]
        steps, weights = zip(*actions, strict=True)
        while time.monotonic() < deadline:
            await self.rng.choices(steps, weights)[0]()
            await asyncio.sleep(self.rng.uniform(0.05, 0.3))  # a person reads, clicks


async def run_load(base: str, users: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=users * 2)
    clients = [
        httpx.AsyncClient(base_url=base, timeout=30, limits=limits, follow_redirects=False)
        for _ in range(users)
    ]
    start = time.monotonic()
    try:
        await asyncio.gather(
            *(
                Clinician(http, LOGINS[i % len(LOGINS)], tally, random.Random(i)).work(deadline)
                for i, http in enumerate(clients)
            )
        )
    finally:
        for http in clients:
            await http.aclose()
    return tally, time.monotonic() - start


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def report(tally: Tally, elapsed: float, users: int, workers: str) -> int:
    rows = []
    all_times = [t for times in tally.times.values() for t in times]
    errors = sum(len(e) for e in tally.errors.values())
    for action, times in sorted(tally.times.items()):
        rows.append(
            (
                action,
                len(times),
                len(tally.errors[action]),
                percentile(times, 50),
                percentile(times, 95),
            )
        )
    rows.append(
        ("all", len(all_times), errors, percentile(all_times, 50), percentile(all_times, 95))
    )
    print(
        f"\n{users} simulated clinicians for {elapsed:.0f} s; gunicorn with {workers} workers, "
        "PostgreSQL"
    )
    print(f"{'action':<24} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for action, n, bad, p50, p95 in rows:
        print(f"{action:<24} {n:>9} {bad:>7} {p50 * 1000:>8.0f} {p95 * 1000:>8.0f}")
    print(f"throughput: {len(all_times) / elapsed:.1f} requests/s; errors: {errors} (goal 0)")
    for action, problems in tally.errors.items():
        if problems:
            counts = {p: problems.count(p) for p in set(problems)}
            print(f"  {action}: {counts}")
    return 0 if errors == 0 else 1


def main() -> int:
    database_url = os.environ.get(
        "LOAD_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/neuroseq_load"
    )
    bind = os.environ.get("LOAD_BIND", "127.0.0.1:8002")
    if not bind.startswith(("127.", "localhost:")):
        print("LOAD_BIND: the load test only targets this machine (127.0.0.1)", file=sys.stderr)
        return 2
    users = int(os.environ.get("LOAD_USERS", "20"))
    seconds = float(os.environ.get("LOAD_SECONDS", "60"))
    workers = os.environ.get("WEB_CONCURRENCY", "3")
    localserve.drop_database(database_url)
    localserve.ensure_database(database_url)
    processes = []
    with tempfile.TemporaryDirectory(prefix="neuroseq-load-") as var:
        env = localserve.server_env(database_url, bind, Path(var))
        env.update({"WEB_CONCURRENCY": workers, "GUNICORN_ACCESS_LOG": "/dev/null"})
        env.pop("REDIS_URL", None)
        try:
            print("preparing the scratch database (migrate, demo seed, static files) ...")
            localserve.prepare(env, clients_per_org=100, out=sys.stdout)
            processes = localserve.start(env)
            base = f"http://{bind}"
            localserve.wait_until_up(base)
            print(f"load: {users} clinicians, {seconds:.0f} s, against {base}")
            tally, elapsed = asyncio.run(run_load(base, users, seconds))
        finally:
            localserve.stop(processes)
            localserve.drop_database(database_url)
    return report(tally, elapsed, users, workers)


if __name__ == "__main__":
    raise SystemExit(main())
