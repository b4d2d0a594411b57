"""Scale: the client list and search at 1k and 100k clients (issue 14, item 6).

Seeds each size into its own SQLite file under ``var/bench/`` with bulk inserts (one
organisation, four care teams, every client with one or two assessments), then times the
client list (first page and a later page) and a search, in one process with Django's test
client, signed in as a clinician of all four teams. Goals: p50 at 100k / p50 at 1k at
most 1.5, and the same number of queries at both sizes. Both sizes are timed in one
process, alternating in rounds, so the noise of a shared machine hits both alike. A
scratch database is reused while its seed and the migrations are unchanged (seeding
100k clients takes a minute or more).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from djangobench import seed_then_measure
from figures import record_figure

SIZES = (1_000, 100_000)
REPEAT = 30
SEARCH = "Quillfeather"  # the family name of exactly ten seeded clients, at every size


def seed(n: int) -> Any:
    """Bulk-insert ``n`` synthetic clients with assessments; returns the clinician."""
    import copy
    import datetime as dt
    import random
    import uuid

    from django.db import transaction
    from django.utils import timezone

    from neuroseq.assessment import parse_assessment
    from neuroseq.cohort.example import WORKED_EXAMPLE
    from neuroseq.instrument import load_instrument
    from neuroseq.scoring import score_assessment
    from neuroseq.web.models import (
        Assessment,
        CareTeam,
        Client,
        Membership,
        Organisation,
        Role,
        User,
    )

    inst = load_instrument()
    inputs = copy.deepcopy(WORKED_EXAMPLE)
    scores = score_assessment(parse_assessment(inputs, inst), inst).to_dict()
    rng = random.Random(14)
    now = timezone.now()
    with transaction.atomic():
        org = Organisation.objects.create(
            name="Scale bench (synthetic)", slug="scale", synthetic=True
        )
        teams = [CareTeam.objects.create(organisation=org, name=f"Team {i}") for i in range(4)]
        supervisor = User.objects.create_user("supervisor@scale.example", "x")
        clinician = User.objects.create_user("clinician@scale.example", "x")
        members = [
            Membership.objects.create(user=supervisor, organisation=org, role=Role.SUPERVISOR),
            Membership.objects.create(user=clinician, organisation=org, role=Role.CLINICIAN),
        ]
        for team in teams:
            team.members.add(*members)
        given = ["Ava", "Ben", "Cara", "Dev", "Ella", "Finn", "Gus", "Hana", "Isla", "Jay"]
        family = ["Abbott", "Byrne", "Chen", "Doyle", "Evans", "Fox", "Gill", "Hart", "Iqbal"]
        special = set(rng.sample(range(n), 10))
        for start in range(0, n, 5000):
            batch = [
                Client(
                    organisation=org,
                    care_team=teams[i % 4],
                    display_id=f"S-{i:06d}",
                    given_name=rng.choice(given),
                    family_name=SEARCH if i in special else rng.choice(family),
                    birth_date=dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(4000)),
                    synthetic=True,
                )
                for i in range(start, min(n, start + 5000))
            ]
            Client.objects.bulk_create(batch, batch_size=1000)
        for start in range(0, n, 5000):
            rows = []
            for client_id in (
                Client.objects.filter(organisation=org)
                .order_by("pk")
                .values_list("pk", flat=True)[start : start + 5000]
            ):
                for version in range(1 if rng.random() < 0.7 else 2):
                    signed = rng.random() < 0.8
                    rows.append(
                        Assessment(
                            client_id=client_id,
                            lineage=uuid.uuid4(),
                            version=1,
                            status="signed" if signed else "draft",
                            assessment_date=dt.date(2024, 1, 1) + dt.timedelta(days=200 * version),
                            instrument_version="1",
                            inputs=inputs,
                            scores=scores,
                            synthetic=True,
                            created_by=clinician,
                            signed_by=supervisor if signed else None,
                            signed_at=now if signed else None,
                        )
                    )
            Assessment.objects.bulk_create(rows, batch_size=1000)
    return clinician


STAMP = "scale-seed-1"  # change when seed() changes, so old scratch databases are re-seeded


def database(n: int) -> Path:
    return Path(__file__).resolve().parents[1] / "var" / "bench" / f"scale-{n}.sqlite3"


def seeded(path: Path) -> bool:
    """Whether ``path`` holds this seed at the current migrations (then it is reused)."""
    import sqlite3

    if not path.exists():
        return False
    with sqlite3.connect(path) as db:
        try:
            (stamp,) = db.execute("SELECT stamp FROM bench_stamp").fetchone()
        except sqlite3.Error:
            return False
    return bool(stamp == f"{STAMP}:{migrations_key()}")


def migrations_key() -> str:
    folder = Path(__file__).resolve().parents[1] / "src" / "neuroseq" / "web" / "migrations"
    return ",".join(sorted(p.stem for p in folder.glob("0*.py")))


def seed_database(n: int) -> float:
    sys.path.insert(0, str(Path(__file__).parent))
    from django.db import connection

    import djangobench

    djangobench.setup(database(n))
    start = time.perf_counter()
    seed(n)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_stamp (stamp TEXT)")
        cursor.execute("INSERT INTO bench_stamp VALUES (%s)", [f"{STAMP}:{migrations_key()}"])
    return time.perf_counter() - start


def measure() -> dict[str, dict[str, float]]:
    """Both sizes in one process, alternating in rounds so machine noise hits both alike."""
    import statistics

    sys.path.insert(0, str(Path(__file__).parent))
    from django.db import connections

    import djangobench

    djangobench.setup(database(SIZES[0]), fresh=False)
    from neuroseq.web.models import User

    def use(n: int) -> None:
        connection = connections["default"]
        connection.close()
        connection.settings_dict["NAME"] = str(database(n))

    pages: dict[int, dict[str, Any]] = {}
    result: dict[str, dict[str, float]] = {}
    for n in SIZES:
        use(n)
        http = djangobench.signed_in(User.objects.get(email="clinician@scale.example"))
        pages[n] = {
            "list": djangobench.get_ok(http, "/clients/"),
            "list page 20": djangobench.get_ok(http, "/clients/?page=20"),
            "search": djangobench.get_ok(http, f"/clients/?q={SEARCH[:6].lower()}"),
        }
        if "10 clients found" not in pages[n]["search"]().content.decode():
            raise SystemExit(f"search at {n}: expected 10 clients found")
        result[str(n)] = {f"{k} queries": djangobench.query_count(f) for k, f in pages[n].items()}
        for fetch in pages[n].values():
            fetch()  # warm-up
    samples: dict[tuple[int, str], list[float]] = {(n, k): [] for n in SIZES for k in pages[n]}
    for _ in range(REPEAT // 5):
        for n in SIZES:
            use(n)
            for name, fetch in pages[n].items():
                for _ in range(5):
                    begin = time.perf_counter()
                    fetch()
                    samples[(n, name)].append(time.perf_counter() - begin)
    for (n, name), times in samples.items():
        result[str(n)][name] = statistics.median(times)
    return result


def main() -> None:
    results = seed_then_measure(
        __file__,
        SIZES,
        database=database,
        seeded=seeded,
        seed=seed_database,
        measure=measure,
        noun="clients",
    )
    if results is None:
        return
    small, large = results[str(SIZES[0])], results[str(SIZES[-1])]
    for name in ("list", "list page 20", "search"):
        ratio = large[name] / small[name]
        print(
            f"client {name}: p50 {small[name] * 1000:.1f} ms at 1k, {large[name] * 1000:.1f} ms "
            f"at 100k: {ratio:.2f}x (goal <= 1.5); queries {int(small[name + ' queries'])} "
            f"and {int(large[name + ' queries'])}"
        )
        record_figure(f"scale: client {name} p50, 100k / 1k clients", ratio, "x", "<= 1.5")
        record_figure(
            f"scale: client {name} queries, 100k / 1k clients",
            large[name + " queries"] / small[name + " queries"],
            "x",
            "<= 1",
            "constant query count",
        )


if __name__ == "__main__":
    main()
