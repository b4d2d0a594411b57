"""Analytics page at 1k and 100k stored assessments (issue 13, item 5).

Seeds each size into its own SQLite file under ``var/bench/`` with bulk inserts: one
organisation, four care teams, half as many clients as assessments, each client assessed
twice six months apart, the stored scores taken from the synthetic cohort
(``neuroseq.cohort.synth``, batch-scored). Then times ``/analytics/`` signed in as the
organisation admin, both sizes in one process, alternating in rounds so the noise of a
shared machine hits both alike. Goals: p50 at 100k / p50 at 1k at most 1.5, and the same
number of queries at both sizes. A scratch database is reused while its seed and the
migrations are unchanged.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

from djangobench import seed_then_measure
from figures import record_figure

SIZES = (1_000, 100_000)
ROUNDS = 4
PER_ROUND = 3
STAMP = "analytics-seed-2"  # change when seed() changes, so old scratch databases are re-seeded
HERE = Path(__file__).resolve().parent


def database(n: int) -> Path:
    return HERE.parent / "var" / "bench" / f"analytics-{n}.sqlite3"


def migrations_key() -> str:
    folder = HERE.parent / "src" / "neuroseq" / "web" / "migrations"
    return ",".join(sorted(p.stem for p in folder.glob("0*.py")))


def seeded(path: Path) -> bool:
    import sqlite3

    if not path.exists():
        return False
    with sqlite3.connect(path) as db:
        try:
            (stamp,) = db.execute("SELECT stamp FROM bench_stamp").fetchone()
        except sqlite3.Error:
            return False
    return bool(stamp == f"{STAMP}:{migrations_key()}")


def seed(n: int) -> None:
    """``n`` signed assessments of ``n // 2`` synthetic clients, with their stored scores."""
    import datetime as dt
    import uuid

    from django.db import transaction
    from django.utils import timezone

    from neuroseq.cohort.synth import iter_chunks
    from neuroseq.instrument import load_instrument
    from neuroseq.scoring.batch import score_batch
    from neuroseq.web.models import (
        Assessment,
        CareTeam,
        Client,
        Membership,
        Organisation,
        Role,
        StoredScores,
        User,
    )
    from neuroseq.web.services.stored_scores import rows_of

    inst = load_instrument()
    now = timezone.now()
    numbers = iter(
        row
        for chunk in iter_chunks(n, seed=13, inst=inst)
        for row in rows_of(score_batch(chunk.batch, inst), inst)
    )
    with transaction.atomic():
        org = Organisation.objects.create(
            name="Analytics bench (synthetic)", slug="analytics", synthetic=True
        )
        teams = [CareTeam.objects.create(organisation=org, name=f"Team {i}") for i in range(4)]
        admin = User.objects.create_user("admin@analytics.example", "x")
        supervisor = User.objects.create_user("supervisor@analytics.example", "x")
        Membership.objects.create(user=admin, organisation=org, role=Role.ORG_ADMIN)
        lead = Membership.objects.create(user=supervisor, organisation=org, role=Role.SUPERVISOR)
        teams[0].members.add(lead)
        clients = n // 2
        Client.objects.bulk_create(
            [
                Client(
                    organisation=org,
                    care_team=teams[i % 4],
                    display_id=f"AN-{i:06d}",
                    given_name="Synthetic",
                    family_name=f"Child {i}",
                    birth_date=dt.date(2012, 1, 1) + dt.timedelta(days=i % 3000),
                    synthetic=True,
                )
                for i in range(clients)
            ],
            batch_size=2000,
        )
        ids = list(
            Client.objects.filter(organisation=org).order_by("pk").values_list("pk", flat=True)
        )
        for start in range(0, clients, 2500):
            batch = []
            for client_id in ids[start : start + 2500]:
                for visit in range(2):
                    batch.append(
                        Assessment(
                            client_id=client_id,
                            lineage=uuid.uuid4(),
                            status="signed",
                            assessment_date=dt.date(2024, 1, 1) + dt.timedelta(days=182 * visit),
                            instrument_version="2",
                            inputs={},  # the page reads stored scores only
                            scores={},
                            synthetic=True,
                            signed_by=supervisor,
                            signed_at=now,
                        )
                    )
            made = Assessment.objects.bulk_create(batch, batch_size=2000)
            StoredScores.objects.bulk_create(
                [
                    StoredScores(
                        organisation=org,
                        client_id=a.client_id,
                        lineage=a.lineage,
                        assessment=a,
                        assessed_on=a.assessment_date,
                        synthetic=True,
                        instrument_version="2",
                        **next(numbers),
                    )
                    for a in made
                ],
                batch_size=2000,
            )


def seed_database(n: int) -> float:
    sys.path.insert(0, str(HERE))
    from django.db import connection

    import djangobench

    djangobench.setup(database(n))
    start = time.perf_counter()
    seed(n)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("CREATE TABLE bench_stamp (stamp TEXT)")
        cursor.execute("INSERT INTO bench_stamp VALUES (%s)", [f"{STAMP}:{migrations_key()}"])
    return time.perf_counter() - start


def measure() -> dict[str, dict[str, float]]:
    sys.path.insert(0, str(HERE))
    from django.db import connections

    import djangobench

    djangobench.setup(database(SIZES[0]), fresh=False)
    from neuroseq.web.models import User

    def use(n: int) -> None:
        connection = connections["default"]
        connection.close()
        connection.settings_dict["NAME"] = str(database(n))

    pages: dict[int, Any] = {}
    result: dict[str, dict[str, float]] = {}
    for n in SIZES:
        use(n)
        http = djangobench.signed_in(User.objects.get(email="admin@analytics.example"))
        pages[n] = djangobench.get_ok(http, "/analytics/")
        body = pages[n]().content.decode()
        if f"<td>{n // 2}</td>" not in body:  # the line counts children (latest assessment)
            raise SystemExit(f"analytics at {n}: expected n = {n // 2} children on the page")
        result[str(n)] = {"queries": djangobench.query_count(pages[n])}
    samples: dict[int, list[float]] = {n: [] for n in SIZES}
    for _ in range(ROUNDS):
        for n in SIZES:
            use(n)
            for _ in range(PER_ROUND):
                begin = time.perf_counter()
                pages[n]()
                samples[n].append(time.perf_counter() - begin)
    for n, times in samples.items():
        result[str(n)]["p50"] = statistics.median(times)
    from neuroseq.instrument import load_instrument
    from neuroseq.web import analytics
    from neuroseq.web.models import Organisation

    for n in SIZES:  # what the background refit costs (live below analytics.LARGE)
        use(n)
        rows = analytics.Selection(Organisation.objects.get(slug="analytics").pk).rows()
        begin = time.perf_counter()
        analytics.compute_figures(
            load_instrument(), rows, outcome="age_typical_percent", colour="history", filters={}
        )
        result[str(n)]["refit"] = time.perf_counter() - begin
    return result


def main() -> None:
    results = seed_then_measure(
        __file__,
        SIZES,
        database=database,
        seeded=seeded,
        seed=seed_database,
        measure=measure,
        noun="assessments",
    )
    if results is None:
        return
    small, large = results[str(SIZES[0])], results[str(SIZES[-1])]
    ratio = large["p50"] / small["p50"]
    print(
        f"analytics page: p50 {small['p50'] * 1000:.0f} ms at 1k, {large['p50'] * 1000:.0f} ms "
        f"at 100k: {ratio:.2f}x (goal <= 1.5); queries {int(small['queries'])} and "
        f"{int(large['queries'])}"
    )
    print(
        "analytics refit (live up to 20,000 stored assessments, a "
        f"background job above): {small['refit'] * 1000:.0f} ms at 1k, "
        f"{large['refit']:.1f} s at 100k"
    )
    record_figure(
        "analytics: page p50, 100k / 1k assessments",
        ratio,
        "x",
        "<= 1.5",
        "100k shows the stored snapshot; 1k is computed live",
    )
    record_figure("analytics: background refit at 100k assessments", large["refit"], "s", "<= 60")
    record_figure(
        "analytics: page queries, 100k / 1k assessments",
        large["queries"] / small["queries"],
        "x",
        "<= 1",
        "constant query count",
    )
    record_figure("analytics: page p50 at 100k assessments", large["p50"] * 1000, "ms", "<= 2000")


if __name__ == "__main__":
    main()
